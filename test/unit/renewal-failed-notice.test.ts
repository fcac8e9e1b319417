import { describe, expect, it } from "vitest";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import type { NotificationPorts } from "../../shared/notifications/ports.ts";
import { type RenewalFailure, renewalFailedNotice } from "../../shared/notifications/renewal-failed.ts";
import type { Subscription } from "../../shared/subscriptions/subscription.ts";

const merchant = {
  id: "mer_1",
  name: "Acme",
  email: "owner@acme.test",
  timeZone: "America/New_York",
  processor: "stripe",
  stripeLivemode: true,
} as Merchant;
const subscription = {
  id: "sub_1",
  customerId: "cus_1",
  currency: "USD",
  interval: "month",
  items: [{ id: "si_1", description: "Pro plan", unitAmount: 3_100, quantity: 1 }],
} as Subscription;
const failure = (over: Partial<RenewalFailure> = {}, invoice: object = {}) =>
  ({
    invoice: {
      id: "inv_1",
      number: "ACME-0007",
      currency: "USD",
      total: 3_100,
      amountRemaining: 3_100,
      subscriptionId: "sub_1",
      customer: { id: "cus_1", email: "sol@buyer.test", name: "Sol" },
      attemptCount: 1,
      nextPaymentAttemptAt: "2026-03-08T14:00:10.000Z",
      ...invoice,
    },
    declineCode: "insufficient_funds",
    renewal: true,
    finalActionAt: "2026-03-12T14:00:10.000Z",
    ...over,
  }) as RenewalFailure;
const ports = (dunning?: Merchant["dunning"]) =>
  ({
    merchant: async (id: string) =>
      id === "mer_1" ? { ...merchant, ...(dunning ? { dunning } : {}) } : undefined,
    subscription: async (merchantId: string, id: string) =>
      merchantId === "mer_1" && id === "sub_1" ? subscription : undefined,
  }) as unknown as NotificationPorts;
const render = (data: RenewalFailure, dunning?: Merchant["dunning"]) =>
  renewalFailedNotice.render(
    { id: "evt_1", type: "invoice.payment_failed", merchantId: "mer_1", objectId: "inv_1", data },
    ports(dunning),
  );

describe("the merchant's notice of a failed renewal charge", () => {
  it("names the customer, subscription, invoice, amount, the reason in plain words and the next retry", async () => {
    const [mail, ...more] = await render(failure());
    expect(more).toEqual([]);
    expect(mail?.to.email).toBe("owner@acme.test");
    expect(mail?.subject).toBe("Renewal payment failed: Sol (sol@buyer.test), $31.00 (invoice ACME-0007)");
    expect(mail?.text).toContain(
      "The renewal of subscription sub_1 (Pro plan, $31.00 per month) of Sol (sol@buyer.test) could not be charged: invoice ACME-0007, $31.00 (attempt 1).",
    );
    expect(mail?.text).toContain("Reason: the card has insufficient funds (insufficient_funds).");
    expect(mail?.text).toContain("Next retry: Mar 8, 2026");
    expect(mail?.text).toContain(
      "If every retry fails, on Mar 12, 2026 the subscription will be canceled (the invoice stays open).",
    );
  });

  it("says a hard decline is not retried, and when the merchant's final action applies without a new card", async () => {
    const [mail] = await render(failure({ declineCode: "lost_card" }, { nextPaymentAttemptAt: null }), {
      retryDays: [3, 5, 7],
      finalAction: "mark_uncollectible",
    });
    expect(mail?.text).toContain("Reason: the card was reported lost (lost_card).");
    expect(mail?.text).toContain("This decline is not retried");
    expect(mail?.text).toContain(
      "If none pays the invoice by Mar 12, 2026, the invoice will be marked uncollectible and the subscription stays active.",
    );
  });

  it("says the last retry failed and what the final action did", async () => {
    const [mail] = await render(
      failure(
        { declineCode: "generic_decline", finalActionAt: null },
        { nextPaymentAttemptAt: null, attemptCount: 4 },
      ),
    );
    expect(mail?.text).toContain("(attempt 4)");
    expect(mail?.text).toContain(
      "That was the last retry: the subscription is canceled; the invoice stays open.",
    );
  });

  it("sends nothing for a first period's failure", async () => {
    expect(await render(failure({ renewal: false }))).toEqual([]);
  });
});
