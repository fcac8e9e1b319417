import { describe, expect, it } from "vitest";
import type { Customer } from "../../shared/customers/customer.ts";
import type { PaymentMethod } from "../../shared/customers/payment-method.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import { trialWillEndEmail } from "../../shared/notifications/trial-will-end.ts";
import { presentSubscription } from "../../shared/subscriptions/subscription.ts";
import { storedSubscription } from "../helpers/subscription-record.ts";

/** A monthly card subscription of Acme's in a 14-day trial ending Jan 15 (Oslo). */
const trial = presentSubscription(
  storedSubscription("cus_1", new Date("2026-01-01T09:00:00Z"), {
    id: "sub_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
    status: "trialing",
    currency: "EUR",
    items: [{ id: "si_1", description: "Pro plan", unitAmount: 1_999, quantity: 2 }],
    startDate: "2026-01-01",
    billingAnchorDay: 15,
    timeZone: "Europe/Oslo",
    nextBillingAt: "2026-01-14T23:00:00.000Z",
    trialStart: "2026-01-01T09:00:00.000Z",
    trialEnd: "2026-01-14T23:00:00.000Z",
  }),
);
const merchant = {
  id: "mer_1",
  name: "Acme",
  email: "owner@acme.test",
  supportEmail: "help@acme.test",
  timeZone: "Europe/Oslo",
  processor: "stripe",
  stripeLivemode: true,
} as Merchant;
const customer = { id: "cus_1", email: "bea@shop.test", name: "Bea Buyer" } as Customer;
const visa: PaymentMethod = {
  id: "pm_1",
  customerId: "cus_1",
  type: "card",
  card: { brand: "visa", last4: "4242", expMonth: 12, expYear: 2030 },
  processorId: "pm_card_visa",
  createdAt: "2026-01-01T00:00:00.000Z",
};

describe("the trial_will_end email", () => {
  it("tells the buyer when the trial ends, what it then costs, how it is charged and how to cancel", () => {
    const mail = trialWillEndEmail(trial, customer, merchant, visa);
    expect(mail.to.email).toBe("bea@shop.test");
    expect(mail.subject).toBe("Your trial of Acme ends on Jan 15, 2026");
    expect(mail.text).toContain("ends on Jan 15, 2026. From then on it costs €39.98 per month");
    expect(mail.text).toContain("Each invoice is charged automatically to your visa card ending in 4242.");
    expect(mail.text).toContain("Contact Acme to cancel before Jan 15, 2026");
  });

  it("asks for a card when the trial is canceled without one", () => {
    const cardless = { ...trial, trialSettings: { missingPaymentMethod: "cancel" as const } };
    const mail = trialWillEndEmail(cardless, customer, merchant, undefined);
    expect(mail.text).toContain(
      "add one before the trial ends to keep your subscription, or it will be canceled",
    );
  });
});
