import { describe, expect, it } from "vitest";
import type { Customer } from "../../shared/customers/customer.ts";
import type { PaymentMethod } from "../../shared/customers/payment-method.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import type { NotificationPorts } from "../../shared/notifications/ports.ts";
import {
  subscriptionCanceled,
  subscriptionCanceledEmail,
  subscriptionCanceledNoticeEmail,
} from "../../shared/notifications/subscription-canceled.ts";
import {
  newSubscriptionEmail,
  subscriptionConfirmationEmail,
  subscriptionCreated,
} from "../../shared/notifications/subscription-created.ts";
import { presentSubscription, type Subscription } from "../../shared/subscriptions/subscription.ts";
import { storedSubscription } from "../helpers/subscription-record.ts";

/** A monthly card subscription of Acme's that started (and billed its first period) on Jan 31. */
const subscription = presentSubscription(
  storedSubscription("cus_1", new Date("2026-01-31T09:00:00Z"), {
    id: "sub_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
    currency: "EUR",
    items: [
      { id: "si_1", productId: "prod_1", description: "Pro plan", unitAmount: 1_999, quantity: 2 },
      { id: "si_2", description: "Support", unitAmount: 500, quantity: 1 },
    ],
    startDate: "2026-01-31",
    timeZone: "Europe/Oslo",
    nextBillingAt: "2026-01-30T23:00:00.000Z",
  }),
);
/** Live: its money is real, so its mail carries no test marking. */
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
const sandboxMerchant = { ...merchant, processor: "sandbox", stripeLivemode: undefined } as Merchant;
const customer = {
  id: "cus_1",
  email: "bea@shop.test",
  name: "Bea Buyer",
  defaultPaymentMethodId: "pm_default",
} as Customer;
const card = (id: string, last4: string): PaymentMethod => ({
  id,
  customerId: "cus_1",
  type: "card",
  card: { brand: "visa", last4, expMonth: 12, expYear: 2030 },
  processorId: "pm_card_visa",
  createdAt: "2026-01-01T00:00:00.000Z",
});
const visa = card("pm_default", "4242");

describe("subscription confirmation email", () => {
  it("tells the buyer what, how much per period in the currency's format, how often, and the next billing date", () => {
    const mail = subscriptionConfirmationEmail(subscription, customer, merchant, visa);

    expect(mail.to).toEqual({ email: "bea@shop.test", name: "Bea Buyer" });
    expect(mail.subject).toBe("Your subscription to Acme is confirmed");
    expect(mail.text).toContain("Pro plan × 2: €39.98 per month.");
    expect(mail.text).toContain("Support: €5.00 per month.");
    expect(mail.text).toContain("Total: €44.98 per month.");
    expect(mail.text).toContain("Started on Jan 31, 2026; its first period is billed now.");
    // Anchor 31: February's period starts on its last day, never drifting to the 28th afterwards.
    expect(mail.text).toContain("Next billing date: Feb 28, 2026.");
    expect(mail.text).toContain("Billed monthly on day 31 (the last day of shorter months), until canceled.");
    expect(mail.text).toContain("Each invoice is charged automatically to your visa card ending in 4242.");
    expect(mail.text).toContain("Questions? Contact Acme at help@acme.test.");
    expect(mail.html).toContain("background:#123456");
  });

  it("says how often in words for every interval, with the next anchor date from the first one", () => {
    const cases = [
      [
        "quarter",
        "2026-11-30",
        30,
        "per quarter",
        "Billed quarterly on day 30",
        "Next billing date: Feb 28, 2027.",
      ],
      [
        "half_year",
        "2026-08-31",
        31,
        "per half-year",
        "Billed half-yearly on day 31",
        "Next billing date: Feb 28, 2027.",
      ],
      ["year", "2028-02-29", 29, "per year", "Billed yearly on day 29", "Next billing date: Feb 28, 2029."],
    ] as const;
    for (const [interval, startDate, billingAnchorDay, per, often, next] of cases) {
      const text = subscriptionConfirmationEmail(
        { ...subscription, interval, startDate, billingAnchorDay },
        customer,
        merchant,
        visa,
      ).text;
      expect(text).toContain(`Total: €44.98 ${per}.`);
      expect(text).toContain(often);
      expect(text).toContain(next);
    }
  });

  it("shows amounts in each currency's minor unit: none for JPY, three decimals for KWD, quantities exactly", () => {
    const yen = subscriptionConfirmationEmail(
      {
        ...subscription,
        currency: "JPY",
        items: [{ id: "si_1", description: "Beans", unitAmount: 1_200, quantity: 2.5 }],
      },
      customer,
      merchant,
      visa,
    );
    expect(yen.text).toContain("Beans × 2.5: ¥3,000 per month.");
    expect(yen.text).toContain("Total: ¥3,000 per month.");
    const dinar = subscriptionConfirmationEmail(
      {
        ...subscription,
        currency: "KWD",
        items: [{ id: "si_1", description: "Hosting", unitAmount: 1_234_567, quantity: 1 }],
      },
      customer,
      merchant,
      visa,
    );
    expect(dinar.text).toContain("Total: KWD\u00a01,234.567 per month.");
  });

  it("gives a future subscription's start as its first billing date, and says a short first period is prorated", () => {
    const text = subscriptionConfirmationEmail(
      {
        ...subscription,
        status: "scheduled",
        startDate: "2026-02-10",
        nextBillingAt: "2026-02-09T23:00:00.000Z",
        billingCycles: 3,
      },
      customer,
      merchant,
      visa,
    ).text;
    expect(text).toContain("Starts on Feb 10, 2026.");
    expect(text).toContain("The first period, until Feb 28, 2026, is shorter and billed pro rata.");
    expect(text).toContain("First billing date: Feb 10, 2026.");
    expect(text).toContain("for 3 months in all, ending on Apr 30, 2026.");
    expect(text).not.toContain("Next billing date");
  });

  it("says a trial from a later start date is free until its end, the first billing date", () => {
    const text = subscriptionConfirmationEmail(
      {
        ...subscription,
        status: "scheduled",
        startDate: "2026-02-10",
        billingAnchorDay: 24,
        trialStart: "2026-02-09T23:00:00.000Z",
        trialEnd: "2026-02-23T23:00:00.000Z",
        nextBillingAt: "2026-02-09T23:00:00.000Z",
      },
      customer,
      merchant,
      visa,
    ).text;
    expect(text).toContain(
      "Starts on Feb 10, 2026 with a free trial until Feb 24, 2026: nothing is billed before.",
    );
    expect(text).toContain("First billing date: Feb 24, 2026.");
  });

  it("gives no next billing date when the first period was its only one", () => {
    const text = subscriptionConfirmationEmail(
      { ...subscription, billingCycles: 1 },
      customer,
      merchant,
      visa,
    ).text;
    expect(text).toContain("No further billing date: this was its only period.");
    expect(text).toContain("for 1 month in all, ending on Feb 28, 2026.");
  });

  it("says the buyer will receive an invoice, with its terms, when the subscription sends invoices", () => {
    const text = subscriptionConfirmationEmail(
      { ...subscription, collectionMethod: "send_invoice", paymentTerms: "net_30" },
      customer,
      merchant,
      undefined,
    ).text;
    expect(text).toContain("You'll receive an invoice by email for each period, due within 30 days.");
    expect(text).not.toContain("charged automatically");
  });

  it("names a bank account or an unknown method without inventing digits", () => {
    const bank: PaymentMethod = { ...visa, type: "us_bank_account" };
    delete bank.card;
    expect(subscriptionConfirmationEmail(subscription, customer, merchant, bank).text).toContain(
      "charged automatically to your saved bank account.",
    );
    expect(subscriptionConfirmationEmail(subscription, customer, merchant, undefined).text).toContain(
      "charged automatically to your saved payment method.",
    );
  });

  it("lists discounts with their duration, and says taxes apply when the subscription has tax rates", () => {
    const text = subscriptionConfirmationEmail(
      {
        ...subscription,
        discounts: [
          { percentOff: 10, code: "WELCOME", duration: "repeating", durationInPeriods: 3 },
          { amountOff: 500, duration: "once" },
          { percentOff: 12.5, duration: "forever" },
        ],
        taxRateIds: ["txr_1"],
      },
      customer,
      merchant,
      visa,
    ).text;
    expect(text).toContain(
      "Discounts: 10% off (code WELCOME) on the first 3 invoices; €5.00 off on the first invoice; 12.5% off on every invoice.",
    );
    expect(text).toContain("Taxes apply as each invoice shows them.");
  });
});

describe("subscription cancellation email", () => {
  const canceledNow = {
    ...subscription,
    status: "canceled" as const,
    canceledAt: "2026-03-03T10:00:00.000Z",
    endedAt: "2026-03-03T10:00:00.000Z",
    nextBillingAt: null,
  };

  it("confirms an immediate cancellation: when, and that nothing more will be billed", () => {
    const mail = subscriptionCanceledEmail(canceledNow, customer, merchant);
    expect(mail.to.email).toBe("bea@shop.test");
    expect(mail.subject).toBe("Your subscription to Acme is canceled");
    expect(mail.text).toContain(
      `Your subscription ${subscription.id} to Acme: Pro plan × 2, Support (€44.98 per month).`,
    );
    expect(mail.text).toContain(
      "It was canceled on Mar 3, 2026, effective immediately: nothing more will be billed.",
    );
  });

  it("says a subscription canceled at its period end ended with that period", () => {
    const text = subscriptionCanceledEmail(
      {
        ...canceledNow,
        cancelAtPeriodEnd: true,
        canceledAt: "2026-03-30T22:00:00.000Z",
        endedAt: "2026-03-30T22:00:00.000Z",
      },
      customer,
      merchant,
    ).text;
    expect(text).toContain(
      "It ended with its period on Mar 31, 2026, as requested: nothing more will be billed.",
    );
  });

  it("tells the merchant, at its own address and in Kassa's look", () => {
    const mail = subscriptionCanceledNoticeEmail(canceledNow, customer, merchant);
    expect(mail.to.email).toBe("owner@acme.test");
    expect(mail.subject).toBe("Subscription canceled: Bea Buyer, €44.98 per month");
    expect(mail.text).toContain("effective immediately: no further invoices are created.");
    expect(mail.html).toContain("Sent by Kassa");
  });
});

describe("subscription emails in test mode", () => {
  const all = (from: Merchant) => [
    subscriptionConfirmationEmail(subscription, customer, from, visa),
    newSubscriptionEmail(subscription, customer, from, visa),
    subscriptionCanceledEmail(subscription, customer, from),
    subscriptionCanceledNoticeEmail(subscription, customer, from),
  ];

  it("mark every email of a merchant not yet live in the subject, the first lines and a banner", () => {
    for (const mail of all(sandboxMerchant)) {
      expect(mail.subject.startsWith("[TEST MODE] ")).toBe(true);
      expect(mail.text.split("\n")[2]).toBe(
        "TEST MODE: this is about test money in the sandbox. No real money moved.",
      );
      expect(mail.html).toContain(">TEST MODE: this is about test money in the sandbox.");
    }
  });

  it("leave a live merchant's mail unmarked", () => {
    for (const mail of all(merchant))
      expect(`${mail.subject}${mail.text}${mail.html}`).not.toContain("TEST MODE");
  });
});

describe("subscription notifications", () => {
  const methods = [visa, card("pm_own", "0005")];
  /** Each portal link minted, as the token store would: a fresh one per email. */
  let minted = 0;
  const ports = (known: { customer?: Customer; merchant?: Merchant } = { customer, merchant }) =>
    ({
      portalLink: async (merchantId, customerId) => {
        minted += 1;
        return `https://pay.kassa.test/c/portal-${minted}-of-${merchantId}-${customerId}`;
      },
      merchant: async (id) => (id === "mer_1" ? known.merchant : undefined),
      customer: async (merchantId, id) =>
        merchantId === "mer_1" && id === known.customer?.id ? known.customer : undefined,
      paymentMethod: async (merchantId, id) =>
        merchantId === "mer_1" ? methods.find((m) => m.id === id) : undefined,
    }) as NotificationPorts;
  const event = (type: string, data: Subscription) => ({
    id: "evt_1",
    type,
    merchantId: "mer_1",
    objectId: data.id,
    data: { subscription: data },
  });

  it("on subscription.created, confirm to the buyer and notify the merchant, naming the customer's default card", async () => {
    const mails = await subscriptionCreated.render(event("subscription.created", subscription), ports());

    expect(mails.map((m) => [m.to.email, m.subject])).toEqual([
      ["bea@shop.test", "Your subscription to Acme is confirmed"],
      ["owner@acme.test", "New subscription: Bea Buyer, €44.98 per month"],
    ]);
    expect(mails[0]?.text).toContain("your visa card ending in 4242.");
    expect(mails[1]?.text).toContain("Bea Buyer (bea@shop.test) subscribed.");
    expect(mails[1]?.text).toContain("the customer's visa card ending in 4242.");
  });

  it("link the buyer's customer portal with a fresh link in each buyer email, and not in the merchant's", async () => {
    const created = await subscriptionCreated.render(event("subscription.created", subscription), ports());
    const canceled = await subscriptionCanceled.render(event("subscription.canceled", subscription), ports());

    const [first, second] = [created[0]?.text ?? "", canceled[0]?.text ?? ""].map(
      (text) => /Manage your subscription and see your invoices in your account: (\S+)/.exec(text)?.[1],
    );
    expect(first).toMatch(/^https:\/\/pay\.kassa\.test\/c\/portal-\d+-of-mer_1-cus_1$/);
    expect(second).toMatch(/^https:\/\/pay\.kassa\.test\/c\/portal-\d+-of-mer_1-cus_1$/);
    expect(second).not.toBe(first);
    for (const notice of [created[1], canceled[1]]) expect(notice?.text).not.toContain("/c/portal-");
  });

  it("name the subscription's own payment method over the customer's default", async () => {
    const mails = await subscriptionCreated.render(
      event("subscription.created", { ...subscription, defaultPaymentMethodId: "pm_own" }),
      ports(),
    );
    expect(mails[0]?.text).toContain("your visa card ending in 0005.");
  });

  it("on subscription.canceled, confirm to the buyer and notify the merchant", async () => {
    const canceled = {
      ...subscription,
      status: "canceled" as const,
      canceledAt: "2026-03-03T10:00:00.000Z",
      endedAt: "2026-03-03T10:00:00.000Z",
    };
    const mails = await subscriptionCanceled.render(event("subscription.canceled", canceled), ports());
    expect(mails.map((m) => [m.to.email, m.subject])).toEqual([
      ["bea@shop.test", "Your subscription to Acme is canceled"],
      ["owner@acme.test", "Subscription canceled: Bea Buyer, €44.98 per month"],
    ]);
  });

  it("still tell the merchant when the customer was deleted (no buyer to write to), and fail (to be retried) without the merchant", async () => {
    const mails = await subscriptionCanceled.render(
      event("subscription.canceled", subscription),
      ports({ merchant }),
    );
    expect(mails.map((m) => [m.to.email, m.subject])).toEqual([
      ["owner@acme.test", "Subscription canceled: Customer cus_1, €44.98 per month"],
    ]);
    await expect(
      subscriptionCreated.render(event("subscription.created", subscription), ports({ customer })),
    ).rejects.toThrow(`The merchant of subscription ${subscription.id} is missing`);
  });

  it("read the event's subscription as the API's, and refuse data that is not one", () => {
    expect(subscriptionCreated.data().parse({ subscription })).toEqual({ subscription });
    const { items: _, ...noItems } = subscription;
    for (const bad of [noItems, { ...subscription, billingAnchorDay: 1.5 }, "sub_1"]) {
      expect(subscriptionCreated.data().safeParse({ subscription: bad }).success).toBe(false);
    }
  });
});
