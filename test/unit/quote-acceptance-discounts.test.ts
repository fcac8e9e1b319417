/**
 * The discounts an accepted quote's subscription keeps (pure): period 0 exactly as the quote priced
 * its recurring lines, later periods by each discount's duration counted from period 0, an amount as
 * the share the quote gave the recurring lines.
 */
import { describe, expect, it } from "vitest";
import type { InvoiceDiscount, InvoiceLine } from "../../shared/invoices/invoice.ts";
import { quotedSubscriptionDiscounts } from "../../shared/quotes/acceptance-effects.ts";

const line = (
  quantity: number,
  unitAmount: number,
  amountDiscount: number,
  discount?: { amountOff: number },
) =>
  ({
    description: "",
    quantity,
    unitAmount,
    taxRateIds: [],
    amountSubtotal: quantity * unitAmount,
    amountDiscount,
    amountTax: 0,
    amountTotal: quantity * unitAmount - amountDiscount,
    ...(discount ? { discount } : {}),
  }) as InvoiceLine;

describe("quotedSubscriptionDiscounts", () => {
  it("bills period 0 at the quoted discount, then keeps percentages, amount shares and line discounts by their durations", () => {
    // Recurring 9000 with its own 1000 off, one-time 1000. The engine then takes 10 % of 9000 (800 /
    // 100 by what remains), 810 (720 / 90) and 90 (80 / 10): the recurring line carries 2600 in all.
    const discounts: InvoiceDiscount[] = [
      { percentOff: 10, code: "TENOFF", amount: 900 },
      { amountOff: 810, amount: 810 },
      { amountOff: 90, code: "WELCOME", amount: 90 },
    ];
    const terms: Record<string, { duration: "once" | "repeating" | "forever"; durationInPeriods?: number }> =
      {
        TENOFF: { duration: "repeating", durationInPeriods: 3 },
        WELCOME: { duration: "once" },
      };
    const result = quotedSubscriptionDiscounts(
      {
        currency: "USD",
        lineItems: [line(2, 4500, 2600, { amountOff: 1000 }), line(1, 1000, 200)],
        discounts,
      },
      [true, false],
      (d) => (d.code ? (terms[d.code] ?? { duration: "forever" }) : { duration: "forever" }),
    );
    expect(result).toEqual([
      { amountOff: 2600, duration: "once" },
      { amountOff: 1000, duration: "forever", fromPeriod: 1 },
      { percentOff: 10, code: "TENOFF", duration: "repeating", durationInPeriods: 2, fromPeriod: 1 },
      { amountOff: 720, duration: "forever", fromPeriod: 1 },
    ]);
  });

  it("keeps nothing without discounts", () => {
    expect(
      quotedSubscriptionDiscounts(
        { currency: "USD", lineItems: [line(1, 4999, 0)], discounts: [] },
        [true],
        () => ({
          duration: "forever",
        }),
      ),
    ).toEqual([]);
  });
});
