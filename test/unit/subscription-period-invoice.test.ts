/**
 * What a subscription's period is billed as: its lines (the items at their kept prices, each naming
 * the period, taxed by the subscription's rates), a short first period prorated per line with
 * discounts taken after (an amount off whole), discounts by duration, and the invoice's link to the
 * period — priced by the invoices' own money engine.
 */
import { describe, expect, it } from "vitest";
import type { Customer } from "../../shared/customers/customer.ts";
import { type Catalog, priceContent } from "../../shared/invoices/build.ts";
import type { Product } from "../../shared/products/product.ts";
import { discountApplies, periodInvoice } from "../../shared/subscriptions/period-invoice.ts";
import type { StoredSubscription, SubscriptionDiscount } from "../../shared/subscriptions/subscription.ts";
import type { TaxRate } from "../../shared/tax-rates/tax-rate.ts";
import { storedSubscription } from "../helpers/subscription-record.ts";

/** From 1 January 2026 (UTC), anchored on the 1st, taxed by txr_1. */
const subscription = (over: Partial<StoredSubscription> = {}): StoredSubscription =>
  storedSubscription("cus_1", new Date("2026-01-01T00:00:00Z"), {
    id: "sub_1",
    items: [
      { id: "si_1", productId: "prod_1", description: "Pro plan", unitAmount: 2_000, quantity: 1 },
      { id: "si_2", description: "Seat", unitAmount: 1_000, quantity: 3 },
    ],
    billingAnchorDay: 1,
    taxRateIds: ["txr_1"],
    ...over,
  });

const catalog: Catalog = {
  customer: async () => ({ id: "cus_1", email: "b@x.test", taxIds: [], metadata: {} }) as unknown as Customer,
  product: async (_, id) =>
    ({
      id,
      name: "Pro plan (catalog)",
      unitAmount: 9_999,
      currency: "USD",
      active: true,
    }) as unknown as Product,
  taxRate: async (_, id) =>
    ({ id, name: "VAT", percentage: 10, inclusive: false, active: true }) as unknown as TaxRate,
  discountCode: async () => undefined,
  markReferenced: async () => {},
};

const price = (sub: StoredSubscription, k: number) =>
  priceContent(catalog, "mer_1", periodInvoice(sub, k).request, new Date("2026-01-01T00:00:00Z"));

describe("a subscription's period invoice", () => {
  it("bills every item at its kept price for the period, taxed by the subscription's rates, tied to the period", async () => {
    const sub = subscription({ testClockId: "clock_1" });
    const { request, fields, period } = periodInvoice(sub, 1);

    const period1 = { start: "2026-02-01T00:00:00.000Z", end: "2026-03-01T00:00:00.000Z" };
    expect(period).toMatchObject(period1);
    expect(fields).toEqual({
      subscriptionId: "sub_1",
      billingReason: "subscription_cycle",
      periodStart: period1.start,
      periodEnd: period1.end,
      testClockId: "clock_1",
    });
    expect(request).toMatchObject({ customerId: "cus_1", currency: "USD", paymentTerms: "due_on_receipt" });
    const { content } = await price(sub, 1);
    expect(content.lineItems).toEqual([
      expect.objectContaining({
        description: "Pro plan",
        productId: "prod_1",
        quantity: 1,
        unitAmount: 2_000,
        taxRateIds: ["txr_1"],
        period: period1,
      }),
      expect.objectContaining({
        description: "Seat",
        quantity: 3,
        unitAmount: 1_000,
        taxRateIds: ["txr_1"],
        period: period1,
      }),
    ]);
    expect(content).toMatchObject({ subtotal: 5_000, taxTotal: 500, total: 5_500 });
  });

  it("prorates a short first period per line (rounded once), and takes an amount off whole after it", async () => {
    // Started Jan 20 on anchor day 1: period 0 is [Jan 20, Feb 1), 12 of January's 31 days.
    const sub = subscription({
      startDate: "2026-01-20",
      discounts: [{ amountOff: 500, duration: "forever" }],
    });
    const { content } = await price(sub, 0);

    expect(content.lineItems.map((l) => [l.description, l.quantity, l.unitAmount, l.period])).toEqual([
      [
        "Pro plan (prorated 12/31 days)",
        1,
        774,
        { start: "2026-01-20T00:00:00.000Z", end: "2026-02-01T00:00:00.000Z" },
      ],
      // 3 × 1000 × 12/31 = 1161.29…: the line's product is rounded once, not each seat's.
      [
        "Seat × 3 (prorated 12/31 days)",
        1,
        1_161,
        { start: "2026-01-20T00:00:00.000Z", end: "2026-02-01T00:00:00.000Z" },
      ],
    ]);
    expect(content).toMatchObject({ subtotal: 1_935, discountTotal: 500 });
    expect(content.discounts).toEqual([{ amountOff: 500, amount: 500 }]);
    // Taxed after the discount: 10 % of what remains of each line (143.5 in all, rounded per line).
    expect(content.taxTotal).toBe(143);
    expect(content.total).toBe(1_935 - 500 + 143);

    const next = await price(sub, 1);
    expect(next.content.lineItems.map((l) => l.unitAmount)).toEqual([2_000, 1_000]);
  });

  it("applies each discount to the periods its duration covers: once, repeating N, forever", () => {
    const once: SubscriptionDiscount = { percentOff: 50, duration: "once" };
    const repeating: SubscriptionDiscount = { percentOff: 10, duration: "repeating", durationInPeriods: 2 };
    const forever: SubscriptionDiscount = { amountOff: 100, code: "LOYAL", duration: "forever" };
    const sub = subscription({ discounts: [once, repeating, forever] });

    expect([0, 1, 2, 3].map((k) => periodInvoice(sub, k).request.discounts)).toEqual([
      [{ percentOff: 50 }, { percentOff: 10 }, { amountOff: 100 }],
      [{ percentOff: 10 }, { amountOff: 100 }],
      [{ amountOff: 100 }],
      [{ amountOff: 100 }],
    ]);
    expect([0, 1, 2].map((k) => discountApplies(repeating, k))).toEqual([true, true, false]);
  });

  it("gives a send_invoice subscription's invoices its own terms (else the merchant's, at finalize)", () => {
    expect(
      periodInvoice(subscription({ collectionMethod: "send_invoice", paymentTerms: "net_15" }), 0).request
        .paymentTerms,
    ).toBe("net_15");
    expect(
      periodInvoice(subscription({ collectionMethod: "send_invoice" }), 0).request.paymentTerms,
    ).toBeUndefined();
  });

  it("clamps a month-end anchor in short months and comes back to it", () => {
    const sub = subscription({ startDate: "2028-01-31", billingAnchorDay: 31 });
    expect([0, 1, 2, 3].map((k) => periodInvoice(sub, k).fields.periodStart)).toEqual([
      "2028-01-31T00:00:00.000Z",
      "2028-02-29T00:00:00.000Z",
      "2028-03-31T00:00:00.000Z",
      "2028-04-30T00:00:00.000Z",
    ]);
  });
});
