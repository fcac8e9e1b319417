/**
 * A quote's money (issue 14 §1): priced exactly as an invoice built from the same lines, and split
 * into its one-time part (`upfrontTotal`, what a payment plan splits) and its recurring part
 * (`recurringTotal`, per period) so that the two add up to the total, taxes likewise.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Customer } from "../../shared/customers/customer.ts";
import { ValidationError } from "../../shared/domain/errors.ts";
import { computeTotals, type TaxRateInput } from "../../shared/domain/totals.ts";
import { type Catalog, type ContentRequest, priceContent } from "../../shared/invoices/build.ts";
import type { Product } from "../../shared/products/product.ts";
import { planPayments } from "../../shared/quotes/plan.ts";
import { priceQuote, quoteAmounts } from "../../shared/quotes/pricing.ts";
import type { TaxRate } from "../../shared/tax-rates/tax-rate.ts";

const product = (id: string, unitAmount: number, interval?: "month" | "year"): Product =>
  ({
    id,
    name: id,
    unitAmount,
    currency: "USD",
    active: true,
    ...(interval ? { recurring: { interval } } : {}),
  }) as unknown as Product;
const products = new Map(
  [
    product("prod_setup", 10_000),
    product("prod_training", 3_333),
    product("prod_seat", 2_500, "month"),
    product("prod_support", 1_999, "month"),
    product("prod_annual", 50_000, "year"),
  ].map((p) => [p.id, p]),
);
const rate = (id: string, percentage: number, inclusive: boolean) =>
  ({ id, name: id, percentage, inclusive, active: true }) as unknown as TaxRate;
const rates = new Map(
  [rate("txr_vat", 20, false), rate("txr_city", 8.875, false), rate("txr_gst", 10, true)].map((r) => [
    r.id,
    r,
  ]),
);
const catalog: Catalog = {
  customer: async (_, id) => ({ id, email: "buyer@x.test", taxIds: [], metadata: {} }) as unknown as Customer,
  product: async (_, id) => products.get(id),
  taxRate: async (_, id) => rates.get(id),
  discountCode: async () => undefined,
  markReferenced: async () => {},
};
const now = new Date("2026-11-30T12:00:00Z");
const request = (over: Partial<ContentRequest> = {}): ContentRequest => ({
  customerId: "cus_1",
  currency: "USD",
  lineItems: [
    { productId: "prod_setup", quantity: 1, taxRateIds: ["txr_vat"] },
    { productId: "prod_seat", quantity: 2, taxRateIds: ["txr_vat"] },
  ],
  ...over,
});

describe("a quote's totals", () => {
  it("splits into the one-time lines (upfront) and the recurring lines per period: 12,000 + 6,000 = 18,000", async () => {
    // Setup 10,000 + 20 % = 12,000 (tax 2,000); seats 2 × 2,500 = 5,000 + 20 % = 6,000 (tax 1,000).
    const quote = await priceQuote(catalog, "mer_1", request(), now);
    expect(quote.content.total).toBe(18_000);
    expect(quote.amounts).toEqual({
      upfrontTotal: 12_000,
      upfrontTax: 2_000,
      upfrontTaxExclusive: 2_000,
      recurringTotal: 6_000,
      recurringTax: 1_000,
    });
    expect(quote.recurring).toEqual([false, true]);
    expect(quote.interval).toBe("month");
  });

  it("gives recurring lines their engine share of a document discount and puts every fee upfront", async () => {
    // 10 % off: setup 10,000 − 1,000 = 9,000 + 1,800 tax = 10,800; seats 5,000 − 500 = 4,500 + 900 = 5,400.
    // Fee 500, untaxed, one-time: upfront 10,800 + 500 = 11,300; total 16,700.
    const quote = await priceQuote(
      catalog,
      "mer_1",
      request({
        discounts: [{ percentOff: 10 }],
        fees: [{ description: "Onboarding", amount: 500, taxable: false }],
      }),
      now,
    );
    expect(quote.content.total).toBe(16_700);
    expect(quote.amounts).toEqual({
      upfrontTotal: 11_300,
      upfrontTax: 1_800,
      upfrontTaxExclusive: 1_800,
      recurringTotal: 5_400,
      recurringTax: 900,
    });
  });

  it("counts inclusive tax inside the total and not as exclusive", async () => {
    // Setup 10,000 with 10 % GST included: tax round(10,000 × 10 / 110) = 909, total stays 10,000.
    const quote = await priceQuote(
      catalog,
      "mer_1",
      request({
        lineItems: [
          { productId: "prod_setup", quantity: 1, taxRateIds: ["txr_gst"] },
          { productId: "prod_seat", quantity: 1, taxRateIds: ["txr_vat"] },
        ],
      }),
      now,
    );
    expect(quote.amounts).toEqual({
      upfrontTotal: 10_000,
      upfrontTax: 909,
      upfrontTaxExclusive: 0,
      recurringTotal: 3_000,
      recurringTax: 500,
    });
  });

  it("has no interval and everything upfront when no line recurs, with custom-priced lines too", async () => {
    const quote = await priceQuote(
      catalog,
      "mer_1",
      request({
        lineItems: [
          { productId: "prod_training", quantity: 3, taxRateIds: [] },
          { description: "Consulting", unitAmount: 12_345, quantity: 1.5, taxRateIds: ["txr_city"] },
        ],
      }),
      now,
    );
    expect(quote.interval).toBeUndefined();
    expect(quote.amounts.recurringTotal).toBe(0);
    expect(quote.amounts.upfrontTotal).toBe(quote.content.total);
  });

  it("refuses recurring lines of different intervals, naming the line that differs", async () => {
    const mixed = request({
      lineItems: [
        { productId: "prod_seat", quantity: 1 },
        { productId: "prod_setup", quantity: 1 },
        { productId: "prod_annual", quantity: 1 },
      ],
    });
    const error = await priceQuote(catalog, "mer_1", mixed, now).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).errors).toEqual([
      { path: "lineItems.2.productId", message: expect.stringMatching(/yearly.*monthly.*one interval/) },
    ]);
  });

  it("keeps the invoice builder's own errors (an unknown product) as they are", async () => {
    const error = await priceQuote(
      catalog,
      "mer_1",
      request({ lineItems: [{ productId: "prod_nope", quantity: 1 }] }),
      now,
    ).catch((e: unknown) => e);
    expect((error as ValidationError).errors.map((e) => e.path)).toEqual(["lineItems.0.productId"]);
  });

  it("feeds a payment plan whose installment invoices add up to the upfront part", async () => {
    const quote = await priceQuote(
      catalog,
      "mer_1",
      request({
        discounts: [{ percentOff: 7.5 }],
        fees: [{ description: "Rush", percent: 3, taxable: true }],
      }),
      now,
    );
    const plan = planPayments(
      {
        installments: [
          { percent: 33.33, dueAfterDays: 0 },
          { percent: 33.33, dueAfterDays: 30 },
          { percent: 33.34, dueAfterDays: 60 },
        ],
      },
      quote.amounts,
    );
    const sum = (f: (i: (typeof plan.installments)[number]) => number) =>
      plan.installments.reduce((a, i) => a + f(i), 0);
    expect(sum((i) => i.invoice.total)).toBe(quote.amounts.upfrontTotal);
    expect(sum((i) => i.invoice.taxTotal)).toBe(quote.amounts.upfrontTax);
    expect(sum((i) => i.invoice.taxExclusiveTotal)).toBe(quote.amounts.upfrontTaxExclusive);
  });

  it("rejects a recurring flag list that does not match the lines (a caller's bug)", () => {
    expect(() =>
      quoteAmounts({ lineItems: [], subtotal: 0, discountTotal: 0, taxTotal: 0, feeTotal: 0, total: 0 }, [
        true,
      ]),
    ).toThrow(RangeError);
  });
});

// ── property: a quote equals an invoice from the same lines, and its parts add up ──────────────────
const productIds = [...products.keys()].filter((id) => id !== "prod_annual"); // one interval per quote
const rateIds = [...rates.keys()];
const line = fc.oneof(
  fc.record({
    productId: fc.constantFrom(...productIds),
    quantity: fc.integer({ min: 1, max: 50_000 }).map((q) => q / 100),
    taxRateIds: fc.subarray(rateIds),
  }),
  fc.record({
    description: fc.constant("Custom work"),
    unitAmount: fc.integer({ min: 0, max: 10_000_000 }),
    quantity: fc.integer({ min: 1, max: 1_000 }),
    taxRateIds: fc.subarray(rateIds),
  }),
);
const discount = fc.oneof(
  fc.integer({ min: 1, max: 1_000_000 }).map((p) => ({ percentOff: p / 10_000 })),
  fc.integer({ min: 0, max: 100_000 }).map((amountOff) => ({ amountOff })),
);
const fee = fc.oneof(
  fc.record({
    description: fc.constant("Fee"),
    amount: fc.integer({ min: 0, max: 50_000 }),
    taxable: fc.boolean(),
  }),
  fc.record({
    description: fc.constant("Fee"),
    percent: fc.integer({ min: 1, max: 100_000 }).map((p) => p / 10_000),
    taxable: fc.boolean(),
  }),
);
const quoteRequest = fc
  .record({
    lineItems: fc.array(line, { minLength: 1, maxLength: 6 }),
    discounts: fc.array(discount, { maxLength: 2 }),
    fees: fc.array(fee, { maxLength: 2 }),
  })
  // A taxable fee needs rates: the document's are the lines' own.
  .filter((r) => !r.fees.some((f) => f.taxable) || r.lineItems.some((l) => l.taxRateIds.length > 0))
  .map((r) => request(r));

describe("a quote's totals, for any lines (fast-check)", () => {
  it("equal an invoice built from the same lines, and upfront + recurring = total (taxes too)", async () => {
    await fc.assert(
      fc.asyncProperty(quoteRequest, async (req) => {
        const quote = await priceQuote(catalog, "mer_1", req, now);
        const invoice = await priceContent(catalog, "mer_1", req, now);
        expect(quote.content).toEqual(invoice.content);

        const a = quote.amounts;
        expect(a.upfrontTotal + a.recurringTotal).toBe(quote.content.total);
        expect(a.upfrontTax + a.recurringTax).toBe(quote.content.taxTotal);
        expect(quote.recurring).toEqual(
          req.lineItems.map((l) => products.get(l.productId ?? "")?.recurring !== undefined),
        );

        // The exclusive tax read back from the invoice's figures is the engine's own, recomputed here
        // from the document input the invoice builder gives the engine.
        const taxInput = (ids: string[]): TaxRateInput[] =>
          ids.map((id) => {
            const r = rates.get(id)!;
            return { id, name: r.name, percentage: r.percentage, inclusive: r.inclusive };
          });
        const docRates = [...new Set(req.lineItems.flatMap((l) => l.taxRateIds ?? []))];
        const engine = computeTotals({
          currency: "USD",
          lines: quote.content.lineItems.map((l) => ({
            quantity: l.quantity,
            unitAmount: l.unitAmount,
            taxRates: taxInput(l.taxRateIds),
          })),
          discounts: req.discounts as never,
          fees: (req.fees ?? []).map((f) => ({
            ...f,
            ...(f.taxable ? { taxRates: taxInput(docRates) } : {}),
          })),
          taxRates: taxInput(docRates),
        });
        expect(engine.total).toBe(quote.content.total);
        const recurringExclusive = engine.lines
          .filter((_, i) => quote.recurring[i])
          .reduce((s, l) => s + l.amountTaxExclusive, 0);
        expect(a.upfrontTaxExclusive).toBe(engine.taxExclusiveTotal - recurringExclusive);
        expect(a.upfrontTaxExclusive).toBeGreaterThanOrEqual(0);
        expect(a.upfrontTaxExclusive).toBeLessThanOrEqual(a.upfrontTax);
        expect(a.upfrontTax).toBeLessThanOrEqual(a.upfrontTotal);
        expect(a.recurringTax).toBeLessThanOrEqual(a.recurringTotal);
      }),
      { numRuns: 200 },
    );
  });
});
