import { describe, expect, it } from "vitest";
import type { WindowCounter } from "../../shared/domain/limits.ts";
import type { Invoice } from "../../shared/invoices/invoice.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import { paymentFailed } from "../../shared/notifications/payment-failed.ts";
import type { NotificationPorts } from "../../shared/notifications/ports.ts";
import { receipt } from "../../shared/notifications/receipt.ts";
import type { Payment } from "../../shared/payments/payment.ts";
import type { Subscription } from "../../shared/subscriptions/subscription.ts";

const merchant = { id: "mer_1", name: "Acme", email: "owner@acme.test", timeZone: "UTC" } as Merchant;
const invoice = {
  id: "inv_1",
  number: "ACME-0001",
  currency: "USD",
  total: 10_000,
  amountRemaining: 0,
  customer: { id: "cus_1", email: "buyer@shop.test", name: "Bea Buyer" },
} as Invoice;
const payment = {
  id: "pay_1",
  status: "processing",
  amount: 10_000,
  currency: "USD",
  livemode: true,
  method: { type: "card", brand: "unknown", last4: "????" },
  invoiceId: "inv_1",
} as Payment;

/** Subscriptions of the buyer: one charged to the saved card, one emailing its invoices. */
const subscriptions = [
  { id: "sub_card", customerId: "cus_1", startDate: "2026-01-01", collectionMethod: "charge_automatically" },
  {
    id: "sub_trial",
    customerId: "cus_1",
    startDate: "2026-01-01",
    trialEnd: "2026-01-15T00:00:00.000Z",
    collectionMethod: "charge_automatically",
  },
  { id: "sub_mailed", customerId: "cus_1", startDate: "2026-01-01", collectionMethod: "send_invoice" },
] as Subscription[];

/** Ports over one invoice (`billed`, default `invoice`) and merchant; the store holds `stored` as the payment now. */
const ports = (stored?: Payment, billed: Invoice = invoice): NotificationPorts => ({
  invoice: async (merchantId, id) => (merchantId === "mer_1" && id === "inv_1" ? billed : undefined),
  merchant: async (id) => (id === "mer_1" ? merchant : undefined),
  payment: async (merchantId, id) => (merchantId === "mer_1" && id === stored?.id ? stored : undefined),
  customer: async () => undefined,
  paymentMethod: async () => undefined,
  subscription: async (merchantId, id) =>
    merchantId === "mer_1" ? subscriptions.find((s) => s.id === id) : undefined,
  paymentLink: async () => undefined,
  updateCardLink: async (merchantId, customerId) =>
    `https://pay.kassa.test/c/card-of-${merchantId}-${customerId}/payment-method`,
  portalLink: async (merchantId, customerId) =>
    `https://pay.kassa.test/c/portal-of-${merchantId}-${customerId}`,
  quoteCountersignLinks: async () => [],
  user: async () => undefined,
  invitationLink: async () => "https://pay.kassa.test/app/sign-in/invitation",
  signInLink: async () => "https://pay.kassa.test/app/sign-in/link",
  quote: async () => undefined,
  signedQuotePdf: async () => new Uint8Array(),
  invoicePdf: async () => new Uint8Array(),
  clock: { now: () => new Date("2026-03-01T12:00:00.000Z") },
  limits: {
    take: async () => ({ taken: true, slot: { giveBack: async () => {} } }),
    retryAfter: async () => undefined,
  },
});
const event = (type: string, data: Payment) => ({
  id: "evt_1",
  type,
  merchantId: "mer_1",
  objectId: data.id,
  data: { payment: data },
});

describe("payment notifications", () => {
  it("send the buyer a receipt and the merchant a notice, with the card as a later report filled it in", async () => {
    const now = {
      ...payment,
      status: "succeeded",
      method: { type: "card", brand: "visa", last4: "4242" },
    } as Payment;

    const mails = await receipt.render(event("payment.succeeded", payment), ports(now));

    expect(mails.map((m) => [m.to.email, m.subject])).toEqual([
      ["buyer@shop.test", "Receipt from Acme: $100.00 paid"],
      ["owner@acme.test", "Payment received: $100.00 for invoice ACME-0001"],
    ]);
    expect(mails[0]?.text).toContain("Paid with visa ending in 4242.");
  });

  it("tell the buyer about a declined card, but not about a Checkout they left", async () => {
    const declined = {
      ...payment,
      status: "failed",
      failure: { declineCode: "card_declined", message: "Declined" },
    } as Payment;
    const lapsed = {
      ...payment,
      status: "failed",
      failure: { declineCode: "checkout_expired", message: "Expired" },
    } as Payment;

    const declinedMails = await paymentFailed.render(event("payment.failed", declined), ports(declined));
    expect(declinedMails.map((m) => [m.to.email, m.subject])).toEqual([
      ["buyer@shop.test", "Your payment to Acme did not go through"],
    ]);
    expect(await paymentFailed.render(event("payment.failed", lapsed), ports(lapsed))).toEqual([]);
  });

  describe("a declined charge of a subscription", () => {
    const declined = {
      ...payment,
      status: "failed",
      failure: { declineCode: "card_declined", message: "Your card was declined." },
    } as Payment;
    const renewal = {
      ...invoice,
      hostedUrl: "https://pay.kassa.test/i/tok",
      subscriptionId: "sub_card",
      periodStart: "2026-03-01T00:00:00.000Z",
      periodEnd: "2026-04-01T00:00:00.000Z",
    } as Invoice;

    it("says the renewal could not be charged and links the buyer's page to update the card", async () => {
      const [mail, ...more] = await paymentFailed.render(
        event("payment.failed", declined),
        ports(declined, renewal),
      );

      expect(more).toEqual([]);
      expect(mail?.to.email).toBe("buyer@shop.test");
      expect(mail?.subject).toBe("The renewal of your subscription to Acme could not be charged");
      expect(mail?.text).toContain(
        "We could not charge the renewal of your subscription to Acme: $100.00 for Mar 1, 2026 – Apr 1, 2026, invoice ACME-0001: Your card was declined. (card_declined).",
      );
      expect(mail?.text).toContain(
        "Update the card your subscription is charged to here: https://pay.kassa.test/c/card-of-mer_1-cus_1/payment-method",
      );
      expect(mail?.text).toContain("Or pay this invoice now with another card: https://pay.kassa.test/i/tok");
      expect(mail?.text).toContain(
        "Manage your subscription and see your invoices in your account: https://pay.kassa.test/c/portal-of-mer_1-cus_1",
      );
    });

    it("calls the first period's failed charge the first payment", async () => {
      const first = {
        ...renewal,
        periodStart: "2026-01-01T00:00:00.000Z",
        periodEnd: "2026-02-01T00:00:00.000Z",
      } as Invoice;
      const [mail] = await paymentFailed.render(event("payment.failed", declined), ports(declined, first));
      expect(mail?.subject).toBe("The first payment of your subscription to Acme could not be charged");
      expect(mail?.text).toContain("/c/card-of-mer_1-cus_1/payment-method");
    });

    it("calls the charge at a trial's end the first payment, not a renewal", async () => {
      const afterTrial = {
        ...renewal,
        subscriptionId: "sub_trial",
        periodStart: "2026-01-15T00:00:00.000Z",
        periodEnd: "2026-02-15T00:00:00.000Z",
      } as Invoice;
      const [mail] = await paymentFailed.render(
        event("payment.failed", declined),
        ports(declined, afterTrial),
      );
      expect(mail?.subject).toBe("The first payment of your subscription to Acme could not be charged");
    });

    it("keeps the hour's one email for the retry when the link cannot be had", async () => {
      // The hour's window of one payment-failed email for the invoice, as the table keeps it.
      let used = 0;
      const oneAnHour: WindowCounter = {
        take: async () => {
          if (used >= 1) return { taken: false, retryAfterSeconds: 60 };
          used += 1;
          const giveBack = async () => {
            used -= 1;
          };
          return { taken: true, slot: { giveBack } };
        },
        retryAfter: async () => undefined,
      };
      const counted = { ...ports(declined, renewal), limits: oneAnHour };
      const failing = {
        ...counted,
        updateCardLink: () => Promise.reject(new Error("token store unavailable")),
      };

      await expect(paymentFailed.render(event("payment.failed", declined), failing)).rejects.toThrow(
        "token store unavailable",
      );
      const [mail] = await paymentFailed.render(event("payment.failed", declined), counted);

      expect(mail?.text).toContain("/c/card-of-mer_1-cus_1/payment-method");
    });

    it("links no update-card page for a one-off invoice, nor for a subscription that emails its invoices", async () => {
      const noLink = {
        ...ports(declined),
        updateCardLink: () => Promise.reject(new Error("no link for this invoice")),
      };
      for (const billed of [
        { ...renewal, subscriptionId: undefined },
        { ...renewal, subscriptionId: "sub_mailed" },
      ]) {
        const [mail] = await paymentFailed.render(event("payment.failed", declined), {
          ...noLink,
          invoice: async () => billed as Invoice,
        });
        expect(mail?.subject).toBe("Your payment to Acme did not go through");
        expect(mail?.text).toContain(
          "You can try again with another card here: https://pay.kassa.test/i/tok",
        );
        expect(mail?.text).not.toContain("/payment-method");
      }
    });
  });

  it("send nothing about a payment on no invoice, and fail (to be retried) when its invoice is missing", async () => {
    const { invoiceId: _, ...loose } = payment;
    expect(await receipt.render(event("payment.succeeded", loose as Payment), ports())).toEqual([]);
    await expect(
      receipt.render(event("payment.succeeded", { ...payment, invoiceId: "inv_gone" }), ports()),
    ).rejects.toThrow("Invoice inv_gone or its merchant is missing");
  });
});
