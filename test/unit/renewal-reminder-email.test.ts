import { describe, expect, it } from "vitest";
import type { Customer } from "../../shared/customers/customer.ts";
import type { PaymentMethod } from "../../shared/customers/payment-method.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import type { NotificationPorts } from "../../shared/notifications/ports.ts";
import {
  renewalReminderEmail,
  renewalUpcoming,
  type UpcomingRenewal,
} from "../../shared/notifications/renewal-upcoming.ts";
import { renewalReminderAt, renewsInto } from "../../shared/subscriptions/renewals.ts";
import { presentSubscription, type Subscription } from "../../shared/subscriptions/subscription.ts";
import { storedSubscription } from "../helpers/subscription-record.ts";

/** A yearly card subscription of Acme's (Oslo), renewing on Mar 1, 2027. */
const stored = storedSubscription("cus_1", new Date("2026-03-01T09:00:00Z"), {
  id: "sub_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
  currency: "EUR",
  interval: "year",
  items: [
    { id: "si_1", productId: "prod_1", description: "Pro plan", unitAmount: 19_900, quantity: 2 },
    { id: "si_2", description: "Support", unitAmount: 5_000, quantity: 1 },
  ],
  startDate: "2026-03-01",
  billingAnchorDay: 1,
  timeZone: "Europe/Oslo",
  currentPeriodStart: "2026-02-28T23:00:00.000Z",
  currentPeriodEnd: "2027-02-28T23:00:00.000Z",
  nextBillingAt: "2027-02-28T23:00:00.000Z",
  cyclesBilled: 1,
  nextPeriod: 1,
  latestInvoiceId: "in_1",
  taxRateIds: ["txr_1"],
});
const subscription = presentSubscription(stored);
const renewal: UpcomingRenewal = {
  period: 1,
  periodStart: "2027-02-28T23:00:00.000Z",
  periodEnd: "2028-02-29T23:00:00.000Z",
  currency: "EUR",
  subtotal: 44_800,
  discountTotal: 4_480,
  taxTotal: 10_080,
  total: 50_400,
};
/** Live, with the default setting (absent): yearly and half-yearly renewals are emailed. */
const merchant = {
  id: "mer_1",
  name: "Acme",
  email: "owner@acme.test",
  supportEmail: "help@acme.test",
  timeZone: "Europe/Oslo",
  branding: { brandColor: "#123456" },
  processor: "stripe",
  stripeLivemode: true,
} as Merchant;
const customer = {
  id: "cus_1",
  email: "bea@shop.test",
  name: "Bea Buyer",
  defaultPaymentMethodId: "pm_default",
} as Customer;
const visa: PaymentMethod = {
  id: "pm_default",
  customerId: "cus_1",
  type: "card",
  card: { brand: "visa", last4: "4242", expMonth: 12, expYear: 2030 },
  processorId: "pm_card_visa",
  createdAt: "2026-01-01T00:00:00.000Z",
};
const link = "https://pay.kassa.test/c/tok_1/payment-method";

describe("renewal reminder email", () => {
  it("tells the buyer what will be charged and when, to which card, how to change it and how to cancel", () => {
    const mail = renewalReminderEmail(subscription, renewal, customer, merchant, visa, link);

    expect(mail.to).toEqual({ email: "bea@shop.test", name: "Bea Buyer" });
    expect(mail.subject).toBe("Your subscription to Acme renews on Mar 1, 2027");
    expect(mail.text).toContain(
      "Your subscription sub_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9 to Acme renews on Mar 1, 2027: Pro plan × 2, Support (€448.00 per year).",
    );
    expect(mail.text).toContain(
      "On Mar 1, 2027 you'll be charged €504.00 (€448.00, discount −€44.80, tax €100.80), for the period until Mar 1, 2028.",
    );
    expect(mail.text).toContain("Each invoice is charged automatically to your visa card ending in 4242.");
    expect(mail.text).toContain(`To charge another card, update it here: ${link}`);
    expect(mail.text).toContain("Don't want it to renew? Contact Acme before Mar 1, 2027 to cancel it.");
    expect(mail.text).toContain("Questions? Contact Acme at help@acme.test.");
    expect(mail.html).toContain("background:#123456");
    expect(`${mail.subject}${mail.text}`).not.toContain("TEST MODE");
  });

  it("gives just the total when there is neither discount nor tax, and says a send_invoice renewal is invoiced", () => {
    const plain = { ...renewal, discountTotal: 0, taxTotal: 0, total: 44_800 };
    const text = renewalReminderEmail(
      { ...subscription, collectionMethod: "send_invoice", paymentTerms: "net_15" },
      plain,
      customer,
      merchant,
      undefined,
      undefined,
    ).text;

    expect(text).toContain("On Mar 1, 2027 you'll be invoiced €448.00, for the period until Mar 1, 2028.");
    expect(text).toContain("You'll receive an invoice by email for each period, due within 15 days.");
    expect(text).not.toContain("update it here");
  });

  it("marks a merchant's test-mode mail", () => {
    const sandbox = { ...merchant, processor: "sandbox", stripeLivemode: undefined } as Merchant;
    const mail = renewalReminderEmail(subscription, renewal, customer, sandbox, visa, link);
    expect(mail.subject).toBe("[TEST MODE] Your subscription to Acme renews on Mar 1, 2027");
  });
});

describe("the subscription.renewal_upcoming notification", () => {
  const links: string[] = [];
  const ports = (known: { merchant: Merchant; customer?: Customer }) =>
    ({
      merchant: async (id) => (id === "mer_1" ? known.merchant : undefined),
      customer: async (merchantId, id) =>
        merchantId === "mer_1" && id === known.customer?.id ? known.customer : undefined,
      paymentMethod: async (merchantId, id) => (merchantId === "mer_1" && id === visa.id ? visa : undefined),
      updateCardLink: async (merchantId, customerId) => {
        links.push(`${merchantId}/${customerId}`);
        return link;
      },
      portalLink: async (merchantId, customerId) =>
        `https://pay.kassa.test/c/portal-of-${merchantId}-${customerId}`,
    }) as NotificationPorts;
  const event = (data: Subscription) => ({
    id: "evt_1",
    type: "subscription.renewal_upcoming",
    merchantId: "mer_1",
    objectId: data.id,
    data: { subscription: data, renewal },
  });

  it("emails the buyer of a yearly or half-yearly subscription by default, with a fresh update-card link", async () => {
    for (const interval of ["year", "half_year"] as const) {
      const mails = await renewalUpcoming.render(
        event({ ...subscription, interval }),
        ports({ merchant, customer }),
      );
      expect(mails.map((m) => m.to.email)).toEqual(["bea@shop.test"]);
      expect(mails[0]?.text).toContain("your visa card ending in 4242");
      expect(mails[0]?.text).toContain(
        "Manage your subscription and see your invoices in your account: https://pay.kassa.test/c/portal-of-mer_1-cus_1",
      );
    }
    expect(links).toEqual(["mer_1/cus_1", "mer_1/cus_1"]);
  });

  it("emails nobody for intervals the setting leaves out, and follows the merchant's setting", async () => {
    const monthly = event({ ...subscription, interval: "month" });
    expect(await renewalUpcoming.render(monthly, ports({ merchant, customer }))).toEqual([]);

    const monthsOnly = { ...merchant, renewalReminders: { daysBefore: 3, intervals: ["month" as const] } };
    expect(await renewalUpcoming.render(monthly, ports({ merchant: monthsOnly, customer }))).toHaveLength(1);
    expect(
      await renewalUpcoming.render(event(subscription), ports({ merchant: monthsOnly, customer })),
    ).toEqual([]);
  });

  it("emails nobody once the customer was deleted", async () => {
    expect(await renewalUpcoming.render(event(subscription), ports({ merchant }))).toEqual([]);
  });

  it("reads the event's subscription and renewal, and refuses data without the renewal's money", () => {
    expect(renewalUpcoming.data().safeParse({ subscription, renewal }).success).toBe(true);
    const { total: _, ...noTotal } = renewal;
    expect(renewalUpcoming.data().safeParse({ subscription, renewal: noTotal }).success).toBe(false);
  });
});

describe("when a renewal reminder is due", () => {
  it("is 09:00 local, daysBefore days before the renewal's local date, across a DST change", () => {
    // Renewal Mar 1, 2027 in Oslo (CET): 7 days before, Feb 22 at 09:00 CET.
    expect(renewalReminderAt(stored, 1, 7)?.toISOString()).toBe("2027-02-22T08:00:00.000Z");
    // Renewal Apr 1: 7 days before is Mar 25, 09:00 CET (DST starts on Mar 28, 2027).
    const april = { ...stored, startDate: "2026-04-01" };
    expect(renewalReminderAt(april, 1, 7)?.toISOString()).toBe("2027-03-25T08:00:00.000Z");
    expect(renewalReminderAt(april, 1, 1)?.toISOString()).toBe("2027-03-31T07:00:00.000Z");
  });

  it("is none when daysBefore is not shorter than the period the renewal ends", () => {
    const monthly = { ...stored, interval: "month" as const, startDate: "2027-01-01", nextPeriod: 1 };
    // January has 31 days, February 28.
    expect(renewalReminderAt(monthly, 1, 30)?.toISOString()).toBe("2027-01-02T08:00:00.000Z");
    expect(renewalReminderAt(monthly, 1, 31)).toBeUndefined();
    expect(renewalReminderAt(monthly, 2, 28)).toBeUndefined();
    expect(renewalReminderAt(monthly, 2, 27)?.toISOString()).toBe("2027-02-02T08:00:00.000Z");
  });

  it("is only for a subscription that will renew into that period at that instant", () => {
    const at = stored.nextBillingAt!;
    expect(renewsInto(stored, 1, at)).toBe(true);
    for (const status of ["canceled", "ended", "incomplete_expired", "paused"] as const)
      expect(renewsInto({ ...stored, status }, 1, at)).toBe(false);
    expect(renewsInto({ ...stored, cancelAtPeriodEnd: true }, 1, at)).toBe(false);
    expect(renewsInto({ ...stored, billingCycles: 1 }, 1, at)).toBe(false);
    expect(renewsInto({ ...stored, billingCycles: 2 }, 1, at)).toBe(true);
    expect(renewsInto(stored, 2, at)).toBe(false);
    expect(renewsInto(stored, 1, "2027-03-31T22:00:00.000Z")).toBe(false);
  });
});
