/**
 * Quantities: the API accepts every positive quantity with at most 4 decimals up to the maximum, as
 * JSON delivers it (the double nearest to the decimal), and the money engine prices it exactly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { maxQuantity, newInvoice } from "../../shared/api/invoices.ts";
import { computeTotals } from "../../shared/domain/totals.ts";

/** `k` ten-thousandths as the decimal text a client sends: 1234567891234n → "123456789.1234". */
const decimal = (k: bigint): string => `${k / 10_000n}.${String(k % 10_000n).padStart(4, "0")}`;

const draft = (quantity: unknown) => ({
  customerId: `cus_${"0".repeat(26)}`,
  currency: "USD",
  lineItems: [{ description: "Beans", quantity, unitAmount: 7 }],
});

const lineQuantity = (body: unknown) => {
  const parsed = newInvoice().safeParse(body);
  return parsed.success ? parsed.data.lineItems[0]!.quantity : parsed.error.issues;
};

const tenThousandths = fc.bigInt({ min: 1n, max: BigInt(maxQuantity) * 10_000n });

describe("line item quantities", () => {
  it("accepts every 4-decimal quantity in the whole range and prices it exactly", () => {
    expect(newInvoice().safeParse(draft(1)).success).toBe(true);
    fc.assert(
      fc.property(tenThousandths, fc.integer({ min: 0, max: 1_000_000 }), (k, unitAmount) => {
        const quantity = JSON.parse(decimal(k)) as number;
        expect(lineQuantity(draft(quantity))).toBe(quantity);
        // subtotal = round(k × unitAmount / 10 000), half away from zero, in exact integers
        const exact = (2n * k * BigInt(unitAmount) + 10_000n) / 20_000n;
        if (exact > BigInt(Number.MAX_SAFE_INTEGER)) return;
        const totals = computeTotals({ currency: "USD", lines: [{ quantity, unitAmount }] });
        expect(BigInt(totals.subtotal)).toBe(exact);
      }),
      { numRuns: 2000 },
    );
  });

  it("accepts the quantities that a float tolerance rejected", () => {
    for (const text of ["34192870.4712", "123456789.1234", "999999999.9999", String(maxQuantity)])
      expect(lineQuantity(draft(JSON.parse(text)))).toBe(Number(text));
  });

  it("rejects a fifth decimal, zero, and anything above the maximum, naming the field", () => {
    for (const quantity of [1.00001, 123456789.12345, 0, maxQuantity + 0.0001]) {
      const parsed = newInvoice().safeParse(draft(quantity));
      expect(parsed.success).toBe(false);
      expect(parsed.error?.issues.map((i) => i.path.join("."))).toEqual(["lineItems.0.quantity"]);
    }
  });
});
