/**
 * The money engine (`computeTotals`). Rounding is half away from zero to the minor unit, per line;
 * order: line discount → document discounts (sequential, allocated by largest remainder) → taxes per
 * line (inclusive extracted, exclusive on the net) → fees (fixed or percent of the discounted subtotal,
 * taxable only if configured). Expected values are hand-worked (arithmetic in a comment per row) or
 * recomputed here with exact BigInt rationals, never by calling the engine's own helpers.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../shared/domain/errors.ts";
import {
  computeTotals,
  type DiscountInput,
  type DocumentInput,
  type DocumentTotals,
  type FeeInput,
  type TaxRateInput,
} from "../../shared/domain/totals.ts";

const runs = { numRuns: 200 };

// ── independent oracle ─────────────────────────────────────────────────────────────────────────
/** round(n / d) half away from zero, for n ≥ 0, d > 0: floor((2n + d) / 2d). */
const rnd = (n: bigint, d: bigint): bigint => (2n * n + d) / (2n * d);
/** Exact ten-thousandths of a generated decimal (the generators build them as k / 10 000). */
const k4 = (x: number): bigint => BigInt(Math.round(x * 10_000));
const big = BigInt;
const minB = (a: bigint, b: bigint): bigint => (a < b ? a : b);
const M = 1_000_000n; // percentage in ten-thousandths → fraction

// ── hand-worked examples ───────────────────────────────────────────────────────────────────────
const vat20: TaxRateInput = { id: "txr_vat", name: "VAT", percentage: 20, inclusive: false };

interface Example {
  name: string;
  input: DocumentInput;
  expect: Partial<Omit<DocumentTotals, "lines">> & { lines?: Partial<DocumentTotals["lines"][number]>[] };
}

const examples: Example[] = [
  {
    // 2.5 × 1¢ = 2.5 → 3 (half away from zero); 0.0001 × 5000¢ = 0.5 → 1; 1.2345 × 999¢ = 1233.2655 → 1233.
    // subtotal = 3 + 1 + 1233 = 1237 = total.
    name: "fractional quantities round half away from zero, per line",
    input: {
      currency: "USD",
      lines: [
        { quantity: 2.5, unitAmount: 1 },
        { quantity: 0.0001, unitAmount: 5000 },
        { quantity: 1.2345, unitAmount: 999 },
      ],
    },
    expect: {
      subtotal: 1237,
      total: 1237,
      lines: [{ amountSubtotal: 3 }, { amountSubtotal: 1 }, { amountSubtotal: 1233 }],
    },
  },
  {
    // 3 × 1999 = 5997; 12.5 % of 5997 = 749.625 → 750; total 5997 − 750 = 5247.
    name: "percent line discount",
    input: { currency: "USD", lines: [{ quantity: 3, unitAmount: 1999, discount: { percentOff: 12.5 } }] },
    expect: {
      subtotal: 5997,
      discountTotal: 750,
      total: 5247,
      lines: [{ amountDiscount: 750, amountTotal: 5247 }],
    },
  },
  {
    // amountOff 800 on a 500 line is clamped to 500 (line total 0); the other line is untouched: 1000.
    name: "amount line discount is clamped to the line",
    input: {
      currency: "USD",
      lines: [
        { quantity: 1, unitAmount: 500, discount: { amountOff: 800 } },
        { quantity: 1, unitAmount: 1000 },
      ],
    },
    expect: {
      subtotal: 1500,
      discountTotal: 500,
      total: 1000,
      lines: [
        { amountDiscount: 500, amountTotal: 0 },
        { amountDiscount: 0, amountTotal: 1000 },
      ],
    },
  },
  {
    // Lines 100, 200, 301 (Σ 601). 10 % of 601 = 60.1 → 60, split 100:200:301 → 9.983, 19.967, 30.050
    // → floors 9, 19, 30 (Σ 58); 2 left to the largest remainders (.983, .967) → 10, 20, 30 → lines now
    // 90, 180, 271 (Σ 541). Then amountOff 100 on 541, split 90:180:271 → 16.636, 33.272, 50.092 →
    // floors 16, 33, 50 (Σ 99); 1 left to .636 → 17, 33, 50 → lines 73, 147, 221 (Σ 441).
    // Line discounts 27, 53, 80 (Σ 160 = 60 + 100).
    name: "document percent then amount discount, allocated by largest remainder over 3 lines",
    input: {
      currency: "USD",
      lines: [
        { quantity: 1, unitAmount: 100 },
        { quantity: 1, unitAmount: 200 },
        { quantity: 1, unitAmount: 301 },
      ],
      discounts: [{ percentOff: 10 }, { amountOff: 100 }],
    },
    expect: {
      subtotal: 601,
      discountTotal: 160,
      discounts: [{ amount: 60 }, { amount: 100 }],
      total: 441,
      lines: [
        { amountDiscount: 27, amountTotal: 73 },
        { amountDiscount: 53, amountTotal: 147 },
        { amountDiscount: 80, amountTotal: 221 },
      ],
    },
  },
  {
    // A document amountOff of 1000 on a 500 subtotal is clamped to 500 (300 + 200, pro rata); only the
    // fixed 50 fee remains.
    name: "document amount discount is clamped to the discounted subtotal",
    input: {
      currency: "EUR",
      lines: [
        { quantity: 1, unitAmount: 300 },
        { quantity: 2, unitAmount: 100 },
      ],
      discounts: [{ amountOff: 1000 }],
      fees: [{ amount: 50 }],
    },
    expect: {
      discountTotal: 500,
      discounts: [{ amount: 500 }],
      feeTotal: 50,
      total: 50,
      lines: [{ amountDiscount: 300 }, { amountDiscount: 200 }],
    },
  },
  {
    // 8.875 % of 1999 = 177.41125 → 177; 2.5 % of 20 = 0.5 → 1 (half away from zero).
    // total = 1999 + 20 + 177 + 1 = 2197.
    name: "exclusive tax, rounded per line",
    input: {
      currency: "USD",
      lines: [
        { quantity: 1, unitAmount: 1999, taxRates: [{ id: "ny", percentage: 8.875, inclusive: false }] },
        { quantity: 1, unitAmount: 20, taxRates: [{ id: "low", percentage: 2.5, inclusive: false }] },
      ],
    },
    expect: {
      taxTotal: 178,
      taxExclusiveTotal: 178,
      total: 2197,
      lines: [
        { amountTax: 177, amountTotal: 2176 },
        { amountTax: 1, amountTotal: 21 },
      ],
      taxBreakdown: [
        { taxRateId: "ny", percentage: 8.875, inclusive: false, taxableAmount: 1999, amount: 177 },
        { taxRateId: "low", percentage: 2.5, inclusive: false, taxableAmount: 20, amount: 1 },
      ],
    },
  },
  {
    // Gross 1000 incl. 19 %: tax = 1000 − 1000 / 1.19 = 1000 − 840.336 = 159.664 → 160; net 840.
    // The total stays 1000.
    name: "inclusive tax is extracted from the gross",
    input: {
      currency: "EUR",
      lines: [{ quantity: 1, unitAmount: 1000, taxRates: [{ id: "de", percentage: 19, inclusive: true }] }],
    },
    expect: {
      taxTotal: 160,
      taxInclusiveTotal: 160,
      taxExclusiveTotal: 0,
      total: 1000,
      lines: [{ amountTax: 160, amountTaxInclusive: 160, amountTotal: 1000 }],
      taxBreakdown: [{ taxRateId: "de", percentage: 19, inclusive: true, taxableAmount: 840, amount: 160 }],
    },
  },
  {
    // Gross 1000 with inclusive 5 % (a) + 10 % (b) and exclusive 2 % (c).
    // Inclusive: 1000 × 15/115 = 130.43 → 130, split 5:10 → 43.33, 86.67 → 43 + 86, 1 left to b → 43, 87.
    // Net 870; exclusive 2 % of 870 = 17.4 → 17. Total 1000 + 17 = 1017; taxTotal 147.
    name: "mixed inclusive and exclusive rates on one line",
    input: {
      currency: "CAD",
      lines: [
        {
          quantity: 1,
          unitAmount: 1000,
          taxRates: [
            { id: "c", percentage: 2, inclusive: false },
            { id: "b", percentage: 10, inclusive: true },
            { id: "a", percentage: 5, inclusive: true },
          ],
        },
      ],
    },
    expect: {
      taxTotal: 147,
      taxInclusiveTotal: 130,
      taxExclusiveTotal: 17,
      total: 1017,
      lines: [
        {
          amountTax: 147,
          amountTaxExclusive: 17,
          amountTotal: 1017,
          taxes: [
            { taxRateId: "c", inclusive: false, taxableAmount: 870, amount: 17 },
            { taxRateId: "b", inclusive: true, taxableAmount: 870, amount: 87 },
            { taxRateId: "a", inclusive: true, taxableAmount: 870, amount: 43 },
          ],
        },
      ],
    },
  },
  {
    // 1 × 10000, 10 % off → 9000 (discounted subtotal). Fee 2.95 % of 9000 = 265.5 → 266; fixed fee 30.
    // feeTotal 296; total 9000 + 296 = 9296.
    name: "percent fee of the discounted subtotal, plus a fixed fee",
    input: {
      currency: "USD",
      lines: [{ quantity: 1, unitAmount: 10_000, discount: { percentOff: 10 } }],
      fees: [{ description: "Card surcharge", percent: 2.95 }, { amount: 30 }],
    },
    expect: { discountTotal: 1000, feeTotal: 296, total: 9296 },
  },
  {
    // Line 5000 + VAT 20 % = 1000. Taxable fee 500 with the document's VAT: 100. Taxable fee 250 with its
    // own GST 5 %: 12.5 → 13. Untaxed fee 70. total 5000 + 1000 + 500 + 100 + 250 + 13 + 70 = 6933;
    // taxTotal 1113; breakdown VAT on 5500 → 1100, GST on 250 → 13.
    name: "taxable fees: own rates, or the document's",
    input: {
      currency: "GBP",
      lines: [{ quantity: 1, unitAmount: 5000, taxRates: [vat20] }],
      taxRates: [vat20],
      fees: [
        { amount: 500, taxable: true },
        { amount: 250, taxable: true, taxRates: [{ id: "gst", percentage: 5, inclusive: false }] },
        { amount: 70 },
      ],
    },
    expect: {
      feeTotal: 820,
      taxTotal: 1113,
      total: 6933,
      fees: [
        {
          amount: 500,
          amountTax: 100,
          amountTaxInclusive: 0,
          amountTaxExclusive: 100,
          amountTotal: 600,
          taxes: [{ taxRateId: "txr_vat", inclusive: false, taxableAmount: 500, amount: 100 }],
        },
        {
          amount: 250,
          amountTax: 13,
          amountTaxInclusive: 0,
          amountTaxExclusive: 13,
          amountTotal: 263,
          taxes: [{ taxRateId: "gst", inclusive: false, taxableAmount: 250, amount: 13 }],
        },
        {
          amount: 70,
          amountTax: 0,
          amountTaxInclusive: 0,
          amountTaxExclusive: 0,
          amountTotal: 70,
          taxes: [],
        },
      ],
      taxBreakdown: [
        {
          taxRateId: "txr_vat",
          name: "VAT",
          percentage: 20,
          inclusive: false,
          taxableAmount: 5500,
          amount: 1100,
        },
        { taxRateId: "gst", percentage: 5, inclusive: false, taxableAmount: 250, amount: 13 },
      ],
    },
  },
  {
    // KWD has 3 decimals: 12.345 KWD = 12345 fils. 33.3333 % of 12345 = 4114.995885 → 4115; net 8230;
    // 5 % of 8230 = 411.5 → 412 fils. total 8642 fils = 8.642 KWD.
    name: "KWD, 3 decimals",
    input: {
      currency: "KWD",
      lines: [
        {
          quantity: 1,
          unitAmount: 12_345,
          discount: { percentOff: 33.3333 },
          taxRates: [{ id: "kw", percentage: 5, inclusive: false }],
        },
      ],
    },
    expect: { exponent: 3, subtotal: 12_345, discountTotal: 4115, taxTotal: 412, total: 8642 },
  },
  {
    // JPY has no minor unit: 0.3333 × ¥1000 = 333.3 → ¥333; 1.5 × ¥1 = 1.5 → ¥2. Inclusive 10 % on ¥333:
    // 333 × 10/110 = 30.27 → ¥30. total ¥335.
    name: "JPY, whole yen",
    input: {
      currency: "JPY",
      lines: [
        { quantity: 0.3333, unitAmount: 1000, taxRates: [{ id: "jp", percentage: 10, inclusive: true }] },
        { quantity: 1.5, unitAmount: 1 },
      ],
    },
    expect: {
      exponent: 0,
      subtotal: 335,
      taxTotal: 30,
      total: 335,
      lines: [{ amountSubtotal: 333, amountTax: 30, amountTotal: 333 }, { amountSubtotal: 2 }],
    },
  },
];

describe("computeTotals — hand-worked examples", () => {
  it.each(examples)("$name", ({ input, expect: expected }) => {
    const { lines, ...doc } = expected;
    const totals = computeTotals(input);
    expect(totals).toMatchObject(doc);
    for (const [i, line] of (lines ?? []).entries()) expect(totals.lines[i]).toMatchObject(line);
  });
});

describe("computeTotals — validation", () => {
  const paths = (input: unknown): string[] => {
    try {
      computeTotals(input as DocumentInput);
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      return (e as ValidationError).errors.map((x) => x.path);
    }
    throw new Error("expected a ValidationError");
  };
  const ok = { quantity: 1, unitAmount: 100 };

  it("names the offending fields", () => {
    expect(paths({ currency: "usd", lines: [ok] })).toEqual(["currency"]);
    expect(paths({ currency: "XYZ", lines: [ok] })).toEqual(["currency"]);
    expect(paths({ currency: "USD", lines: [ok, ok, { quantity: 1.00001, unitAmount: 1 }] })).toEqual([
      "lines.2.quantity",
    ]);
    expect(paths({ currency: "USD", lines: [{ quantity: 0, unitAmount: 1 }] })).toEqual(["lines.0.quantity"]);
    expect(paths({ currency: "USD", lines: [{ quantity: -1, unitAmount: 1 }] })).toEqual([
      "lines.0.quantity",
    ]);
    expect(paths({ currency: "USD", lines: [{ quantity: 1, unitAmount: 9.99 }] })).toEqual([
      "lines.0.unitAmount",
    ]);
    expect(paths({ currency: "USD", lines: [{ quantity: 1, unitAmount: -5 }] })).toEqual([
      "lines.0.unitAmount",
    ]);
    expect(paths({ currency: "USD", lines: [{ ...ok, discount: { percentOff: 0 } }] })).toEqual([
      "lines.0.discount.percentOff",
    ]);
    expect(paths({ currency: "USD", lines: [{ ...ok, discount: { percentOff: 100.5 } }] })).toEqual([
      "lines.0.discount.percentOff",
    ]);
    expect(paths({ currency: "USD", lines: [{ ...ok, discount: { amountOff: -1 } }] })).toEqual([
      "lines.0.discount.amountOff",
    ]);
    expect(paths({ currency: "USD", lines: [{ ...ok, discount: { amountOff: 1, percentOff: 5 } }] })).toEqual(
      ["lines.0.discount"],
    );
    expect(
      paths({ currency: "USD", lines: [ok], discounts: [{ percentOff: 5 }, { percentOff: 1.23456 }] }),
    ).toEqual(["discounts.1.percentOff"]);
    expect(
      paths({
        currency: "USD",
        lines: [{ ...ok, taxRates: [{ id: "t", percentage: 101, inclusive: false }] }],
      }),
    ).toEqual(["lines.0.taxRates.0.percentage"]);
    expect(
      paths({
        currency: "USD",
        lines: [
          { ...ok, taxRates: [{ id: "t", percentage: 10, inclusive: false }] },
          { ...ok, taxRates: [{ id: "t", percentage: 12, inclusive: false }] },
        ],
      }),
    ).toEqual(["lines.1.taxRates.0"]);
    expect(paths({ currency: "USD", lines: [ok], fees: [{ amount: 1, percent: 2 }] })).toEqual(["fees.0"]);
    expect(paths({ currency: "USD", lines: [ok], fees: [{}] })).toEqual(["fees.0"]);
    expect(paths({ currency: "USD", lines: [ok], fees: [{ amount: 1, taxable: true }] })).toEqual([
      "fees.0.taxRates",
    ]);
    expect(paths({ currency: "USD", lines: [ok], fees: [{ amount: 1, taxRates: [vat20] }] })).toEqual([
      "fees.0.taxRates",
    ]);
    // all problems at once
    expect(paths({ currency: "NOPE", lines: [{ quantity: 0.12345, unitAmount: 1.5 }] })).toEqual([
      "currency",
      "lines.0.quantity",
      "lines.0.unitAmount",
    ]);
  });

  it("refuses totals beyond the safe-integer range", () => {
    const huge = { quantity: 2, unitAmount: Number.MAX_SAFE_INTEGER };
    expect(paths({ currency: "USD", lines: [huge] })).toContain("lines.0");
  });

  it("accepts an empty document", () => {
    expect(computeTotals({ currency: "USD", lines: [] })).toMatchObject({
      subtotal: 0,
      total: 0,
      taxBreakdown: [],
    });
  });
});

// ── generated documents ────────────────────────────────────────────────────────────────────────
const decimal4 = (min: number, max: number) => fc.integer({ min, max }).map((k) => k / 10_000);
const percentOff = decimal4(1, 1_000_000);
const discountArb: fc.Arbitrary<DiscountInput> = fc.oneof(
  percentOff.map((p) => ({ percentOff: p })),
  fc.integer({ min: 0, max: 200_000 }).map((a) => ({ amountOff: a })),
);
const ratePool = fc
  .tuple(decimal4(0, 1_000_000), decimal4(0, 300_000), decimal4(0, 300_000), fc.boolean(), fc.boolean())
  .map(([p0, p1, p2, i1, i2]): TaxRateInput[] => [
    { id: "r0", percentage: p0, inclusive: false },
    { id: "r1", percentage: p1, inclusive: i1 },
    { id: "r2", percentage: p2, inclusive: i2 },
  ]);

const docArb = (currencies: string[] = ["USD", "JPY", "KWD", "EUR", "CLF"]): fc.Arbitrary<DocumentInput> =>
  fc.tuple(fc.constantFrom(...currencies), ratePool).chain(([currency, pool]) => {
    const line = fc.record(
      {
        // small pools make equal lines (and so allocation ties) common
        quantity: fc.oneof(decimal4(1, 50_000_000), fc.constantFrom(1, 2, 0.5, 0.3333)),
        unitAmount: fc.oneof(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(100, 333, 1000)),
        discount: discountArb,
        taxRates: fc.subarray(pool),
      },
      { requiredKeys: ["quantity", "unitAmount"] },
    );
    const fee: fc.Arbitrary<FeeInput> = fc
      .tuple(
        fc.oneof(
          fc.integer({ min: 0, max: 50_000 }).map((amount) => ({ amount })),
          decimal4(1, 1_000_000).map((percent) => ({ percent })),
        ),
        fc.option(fc.option(fc.subarray(pool, { minLength: 1 }), { nil: undefined }), { nil: null }),
      )
      .map(([base, tax]) =>
        tax === null ? base : { ...base, taxable: true, ...(tax ? { taxRates: tax } : {}) },
      );
    return fc.record({
      currency: fc.constant(currency),
      lines: fc.array(line, { maxLength: 6 }),
      discounts: fc.array(discountArb, { maxLength: 3 }),
      fees: fc.array(fee, { maxLength: 2 }),
      taxRates: fc.constant(pool),
    });
  });

const sumOf = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0);

describe("computeTotals — properties", () => {
  it("adds up exactly: documents, lines, fees and the tax breakdown", () => {
    fc.assert(
      fc.property(docArb(), (input) => {
        const t = computeTotals(input);
        expect(t.subtotal - t.discountTotal + t.taxExclusiveTotal + t.feeTotal).toBe(t.total);
        expect(sumOf(t.lines.map((l) => l.amountTotal)) + sumOf(t.fees.map((f) => f.amountTotal))).toBe(
          t.total,
        );
        expect(sumOf(t.lines.map((l) => l.amountSubtotal))).toBe(t.subtotal);
        expect(sumOf(t.lines.map((l) => l.amountDiscount))).toBe(t.discountTotal);
        expect(sumOf(t.fees.map((f) => f.amount))).toBe(t.feeTotal);
        expect(sumOf([...t.lines, ...t.fees].map((x) => x.amountTax))).toBe(t.taxTotal);
        expect(sumOf([...t.lines, ...t.fees].map((x) => x.amountTaxExclusive))).toBe(t.taxExclusiveTotal);
        expect(t.taxInclusiveTotal + t.taxExclusiveTotal).toBe(t.taxTotal);
        expect(sumOf(t.taxBreakdown.map((b) => b.amount))).toBe(t.taxTotal);
        for (const x of [...t.lines, ...t.fees]) {
          expect(x.amountTaxInclusive + x.amountTaxExclusive).toBe(x.amountTax);
          expect(sumOf(x.taxes.map((tx) => tx.amount))).toBe(x.amountTax);
        }
        for (const l of t.lines)
          expect(l.amountSubtotal - l.amountDiscount + l.amountTaxExclusive).toBe(l.amountTotal);
      }),
      runs,
    );
  });

  it("matches an exact-rational recomputation of every step", () => {
    fc.assert(
      fc.property(docArb(), (input) => {
        const t = computeTotals(input);
        // 1–2: subtotals and own line discounts
        const own = input.lines.map((line, i) => {
          const sub = rnd(k4(line.quantity) * big(line.unitAmount), 10_000n);
          expect(big(t.lines[i]!.amountSubtotal)).toBe(sub);
          const d = line.discount;
          if (!d) return 0n;
          if (d.percentOff !== undefined) return rnd(sub * k4(d.percentOff), M);
          return minB(big(d.amountOff), sub);
        });
        // 3: document discounts, sequential on the running discounted subtotal
        let running = big(t.subtotal) - own.reduce((a, x) => a + x, 0n);
        (input.discounts ?? []).forEach((d, k) => {
          const amount =
            d.percentOff !== undefined ? rnd(running * k4(d.percentOff), M) : minB(big(d.amountOff), running);
          expect(big(t.discounts[k]!.amount)).toBe(amount);
          running -= amount;
        });
        expect(big(t.subtotal - t.discountTotal)).toBe(running);
        // 4: taxes from each line's gross (after all discounts)
        const taxCheck = (
          gross: bigint,
          rates: readonly TaxRateInput[],
          got: DocumentTotals["fees"][number],
        ) => {
          const incl = rates.filter((r) => r.inclusive).reduce((a, r) => a + k4(r.percentage), 0n);
          // tax = round(G − G / (1 + R)) = round(G·R / (1 + R))
          const inclTax = rnd(gross * incl, M + incl);
          const net = gross - inclTax;
          expect(big(got.amountTaxInclusive)).toBe(inclTax);
          let excl = 0n;
          for (const r of rates) {
            const tx = got.taxes.find((x) => x.taxRateId === r.id)!;
            expect(big(tx.taxableAmount)).toBe(net);
            if (!r.inclusive) {
              const expected = rnd(net * k4(r.percentage), M);
              expect(big(tx.amount)).toBe(expected);
              excl += expected;
            }
          }
          expect(big(got.amountTaxExclusive)).toBe(excl);
          expect(got.taxes).toHaveLength(rates.length);
        };
        input.lines.forEach((line, i) => {
          const l = t.lines[i]!;
          taxCheck(big(l.amountSubtotal - l.amountDiscount), line.taxRates ?? [], { ...l, amount: 0 });
        });
        // 5: fees
        (input.fees ?? []).forEach((fee, k) => {
          const amount = fee.amount !== undefined ? big(fee.amount) : rnd(running * k4(fee.percent!), M);
          const f = t.fees[k]!;
          expect(big(f.amount)).toBe(amount);
          taxCheck(amount, fee.taxable ? (fee.taxRates ?? input.taxRates ?? []) : [], f);
        });
      }),
      runs,
    );
  });

  it("allocates a document discount within 1 unit of each line's exact pro-rata share", () => {
    fc.assert(
      fc.property(docArb(), discountArb, (input, discount) => {
        const doc = { ...input, discounts: [discount] };
        const before = computeTotals({ ...doc, discounts: [] });
        const after = computeTotals(doc);
        const weights = before.lines.map((l) => big(l.amountSubtotal - l.amountDiscount));
        const total = weights.reduce((a, w) => a + w, 0n);
        const d = big(after.discounts[0]!.amount);
        const shares = after.lines.map((l, i) => big(l.amountDiscount - before.lines[i]!.amountDiscount));
        expect(shares.reduce((a, s) => a + s, 0n)).toBe(d);
        shares.forEach((s, i) => {
          expect(s >= 0n && s <= weights[i]!).toBe(true);
          const diff = s * total - d * weights[i]!; // |s − d·w/W| < 1
          if (total === 0n) expect(s).toBe(0n);
          else expect(diff < total && diff > -total).toBe(true);
        });
      }),
      runs,
    );
  });

  it("reordering lines changes no document total", () => {
    // Besides general documents: many equal lines with different tax rates and discounts that leave a
    // remainder, so largest-remainder ties (which line gets the extra unit) are frequent.
    const tieHeavy = ratePool.chain((pool) =>
      fc.record({
        currency: fc.constant("USD"),
        lines: fc.array(
          fc.record({
            quantity: fc.constant(1),
            unitAmount: fc.constantFrom(7, 10, 11, 101),
            taxRates: fc.subarray(pool),
          }),
          { minLength: 2, maxLength: 6 },
        ),
        discounts: fc.array(
          fc.oneof(
            fc.constantFrom(1, 2, 3, 5).map((amountOff) => ({ amountOff })),
            fc.constant({ percentOff: 50 }),
          ),
          { minLength: 1, maxLength: 2 },
        ),
      }),
    );
    const docAndPermutation = fc
      .oneof(docArb(), tieHeavy)
      .chain((doc) =>
        fc.tuple(fc.constant(doc), fc.shuffledSubarray([...doc.lines], { minLength: doc.lines.length })),
      );
    const documentLevel = (t: DocumentTotals) => ({
      ...t,
      lines: undefined,
      taxBreakdown: [...t.taxBreakdown].sort((a, b) => a.taxRateId.localeCompare(b.taxRateId)),
    });
    fc.assert(
      fc.property(docAndPermutation, ([doc, shuffled]) => {
        expect(documentLevel(computeTotals({ ...doc, lines: shuffled }))).toEqual(
          documentLevel(computeTotals(doc)),
        );
      }),
      { numRuns: 400 },
    );
  });

  it("inclusive tax never changes the gross", () => {
    const inclusiveOnly = docArb().map((doc) => ({
      ...doc,
      lines: doc.lines.map((l) => ({
        ...l,
        taxRates: (l.taxRates ?? []).map((r) => ({ ...r, inclusive: true })),
      })),
      fees: [],
    }));
    fc.assert(
      fc.property(inclusiveOnly, (input) => {
        const t = computeTotals(input);
        expect(t.total).toBe(t.subtotal - t.discountTotal);
        expect(t.taxExclusiveTotal).toBe(0);
        for (const l of t.lines) {
          expect(l.amountTotal).toBe(l.amountSubtotal - l.amountDiscount);
          expect(l.amountTax).toBeLessThanOrEqual(l.amountTotal);
        }
        // same document without the taxes: same total
        const untaxed = computeTotals({ ...input, lines: input.lines.map((l) => ({ ...l, taxRates: [] })) });
        expect(untaxed.total).toBe(t.total);
      }),
      runs,
    );
  });

  it("never produces a negative or fractional amount, nor a discount beyond its line", () => {
    const amounts = (x: unknown): number[] =>
      typeof x === "number" ? [x] : x && typeof x === "object" ? Object.values(x).flatMap(amounts) : [];
    fc.assert(
      fc.property(docArb(), (input) => {
        const t = computeTotals(input);
        for (const a of amounts({
          ...t,
          taxBreakdown: t.taxBreakdown.map((b) => ({ ...b, percentage: 0 })),
        })) {
          expect(Number.isSafeInteger(a) && a >= 0).toBe(true);
        }
        for (const l of t.lines) expect(l.amountDiscount).toBeLessThanOrEqual(l.amountSubtotal);
        expect(t.discountTotal).toBeLessThanOrEqual(t.subtotal);
      }),
      runs,
    );
  });

  it("rounds to the currency's minor unit: ⅓ of a unit price in JPY, USD and KWD", () => {
    // A third (0.3333) of a price p is 0.3333·p minor units, rounded half away from zero: whole yen,
    // whole cents, whole fils — the same integer arithmetic whatever the exponent.
    fc.assert(
      fc.property(
        fc.constantFrom("JPY", "USD", "KWD"),
        fc.integer({ min: 0, max: 10_000_000 }),
        (currency, p) => {
          const t = computeTotals({ currency, lines: [{ quantity: 0.3333, unitAmount: p }] });
          expect(t.exponent).toBe({ JPY: 0, USD: 2, KWD: 3 }[currency]);
          expect(big(t.total)).toBe(rnd(big(p) * 3333n, 10_000n));
        },
      ),
      runs,
    );
    // ¥1000 / 3 → ¥333; $10.00 / 3 → $3.33 (333¢); 1.000 KWD / 3 → 0.333 KWD (333 fils)
    expect(computeTotals({ currency: "JPY", lines: [{ quantity: 0.3333, unitAmount: 1000 }] }).total).toBe(
      333,
    );
    // ¥3 × 0.5 = 1.5 → ¥2; 3¢ × 0.5 = 1.5 → 2¢; 3 fils × 0.5 → 2 fils
    for (const currency of ["JPY", "USD", "KWD"]) {
      expect(computeTotals({ currency, lines: [{ quantity: 0.5, unitAmount: 3 }] }).total).toBe(2);
    }
  });
});

// ── proration lines (issue 12 §2): the only lines that may be negative ──────────────────────────
/** round(n / d) half away from zero for any sign of n, d > 0. */
const rndS = (n: bigint, d: bigint): bigint => (n < 0n ? -rnd(-n, d) : rnd(n, d));

describe("computeTotals — proration lines (credits)", () => {
  const vat25: TaxRateInput = { id: "txr_25", percentage: 25, inclusive: false };

  it("prices a credit: discounts take the same percentage of it, taxes are per line (hand-worked)", () => {
    // Line 0: 10000, 20 % of the non-negative lines' 10000 = 2000 → gross 8000, 25 % tax 2000, total 10000.
    // Line 1 (credit): −4000, its own 20 % = −800 → gross −3200, 25 % tax −800, total −4000.
    // The document discount is the net 2000 − 800 = 1200; subtotal 6000, tax 1200, total 6000.
    const t = computeTotals({
      currency: "EUR",
      lines: [
        { quantity: 1, unitAmount: 10_000, taxRates: [vat25] },
        { quantity: 1, unitAmount: -4000, proration: true, taxRates: [vat25] },
      ],
      discounts: [{ percentOff: 20 }],
    });
    expect(t).toMatchObject({
      subtotal: 6000,
      discountTotal: 1200,
      discounts: [{ amount: 1200 }],
      taxTotal: 1200,
      taxExclusiveTotal: 1200,
      total: 6000,
      taxBreakdown: [{ taxRateId: "txr_25", taxableAmount: 4800, amount: 1200 }],
    });
    expect(t.lines[0]).toMatchObject({
      amountSubtotal: 10_000,
      amountDiscount: 2000,
      amountTax: 2000,
      amountTotal: 10_000,
    });
    expect(t.lines[1]).toMatchObject({
      amountSubtotal: -4000,
      amountDiscount: -800,
      amountTax: -800,
      amountTotal: -4000,
    });
  });

  it("rounds a credit's amounts half away from zero", () => {
    // Credit −3333: 15 % = −499.95 → −500, gross −2833; 25 % = −708.25 → −708; total −3541.
    // Charge 10000: 15 % = 1500, gross 8500, tax 2125, total 10625. Document: 10625 − 3541 = 7084;
    // the discount is 1500 − 500 = 1000. A half-unit credit: 0.5 × −3 = −1.5 → −2.
    const t = computeTotals({
      currency: "USD",
      lines: [
        { quantity: 1, unitAmount: 10_000, taxRates: [vat25] },
        { quantity: 1, unitAmount: -3333, proration: true, taxRates: [vat25] },
        { quantity: 0.5, unitAmount: -3, proration: true },
      ],
      discounts: [{ percentOff: 15 }],
    });
    expect(t.lines[1]).toMatchObject({ amountDiscount: -500, amountTax: -708, amountTotal: -3541 });
    // −2 × 15 % = −0.3 → 0
    expect(t.lines[2]).toMatchObject({ amountSubtotal: -2, amountDiscount: 0, amountTotal: -2 });
    expect(t).toMatchObject({ discountTotal: 1000, discounts: [{ amount: 1000 }], total: 10_625 - 3541 - 2 });
  });

  it("goes negative when credits outweigh charges: amountOff spares the credit, percent fees are 0", () => {
    // amountOff 300 on the only non-negative line: 1000 → 700; a line amountOff on the credit is nothing.
    // Credit −5000 with 20 % inclusive (split 12 + 8): −5000 × 20/120 = −833.33 → −833 (−500 and −333
    // by largest remainder of the magnitude). The discounted subtotal is 700 − 5000 < 0: the 10 % fee is 0.
    const t = computeTotals({
      currency: "USD",
      lines: [
        { quantity: 1, unitAmount: 1000 },
        {
          quantity: 1,
          unitAmount: -5000,
          proration: true,
          discount: { amountOff: 100 },
          taxRates: [
            { id: "a", percentage: 12, inclusive: true },
            { id: "b", percentage: 8, inclusive: true },
          ],
        },
      ],
      discounts: [{ amountOff: 300 }],
      fees: [{ percent: 10 }, { amount: 50 }],
    });
    expect(t.lines[0]).toMatchObject({ amountDiscount: 300, amountTotal: 700 });
    expect(t.lines[1]).toMatchObject({ amountDiscount: 0, amountTaxInclusive: -833, amountTotal: -5000 });
    expect(t.lines[1]!.taxes.map((x) => x.amount)).toEqual([-500, -333]);
    expect(t.fees.map((f) => f.amount)).toEqual([0, 50]);
    expect(t).toMatchObject({ discounts: [{ amount: 300 }], total: 700 - 5000 + 50 });
  });

  it("refuses a negative amount on any other line, naming the field", () => {
    const fails = (line: Record<string, unknown>) => () =>
      computeTotals({ currency: "USD", lines: [line as never] });
    expect(fails({ quantity: 1, unitAmount: -1 })).toThrow(ValidationError);
    expect(fails({ quantity: 1, unitAmount: -1, proration: false })).toThrow(/lines\.0\.unitAmount/);
    expect(fails({ quantity: 1, unitAmount: -1.5, proration: true })).toThrow(/lines\.0\.unitAmount/);
    expect(fails({ quantity: 1, unitAmount: 1, proration: "yes" })).toThrow(/lines\.0\.proration/);
    expect(
      computeTotals({ currency: "USD", lines: [{ quantity: 1, unitAmount: -1, proration: true }] }).total,
    ).toBe(-1);
  });

  // Documents mixing charges with proration credits.
  const withCredits: fc.Arbitrary<DocumentInput> = docArb().chain((doc) =>
    fc
      .array(
        fc.record(
          {
            quantity: fc.oneof(decimal4(1, 50_000_000), fc.constantFrom(1, 0.5, 0.3333)),
            unitAmount: fc.oneof(fc.integer({ min: -1_000_000, max: 0 }), fc.constantFrom(-100, -333, -1000)),
            proration: fc.constant(true),
            discount: discountArb,
            taxRates: fc.subarray((doc.taxRates ?? []) as TaxRateInput[]),
          },
          { requiredKeys: ["quantity", "unitAmount", "proration"] },
        ),
        { minLength: 1, maxLength: 3 },
      )
      .chain((credits) =>
        fc
          .shuffledSubarray([...doc.lines, ...credits], { minLength: doc.lines.length + credits.length })
          .map((lines) => ({ ...doc, lines })),
      ),
  );

  it("still adds up exactly, line by line and in total", () => {
    fc.assert(
      fc.property(withCredits, (input) => {
        const t = computeTotals(input);
        expect(t.subtotal - t.discountTotal + t.taxExclusiveTotal + t.feeTotal).toBe(t.total);
        expect(sumOf(t.lines.map((l) => l.amountTotal)) + sumOf(t.fees.map((f) => f.amountTotal))).toBe(
          t.total,
        );
        expect(sumOf(t.lines.map((l) => l.amountSubtotal))).toBe(t.subtotal);
        expect(sumOf(t.lines.map((l) => l.amountDiscount))).toBe(t.discountTotal);
        expect(sumOf([...t.lines, ...t.fees].map((x) => x.amountTax))).toBe(t.taxTotal);
        expect(sumOf(t.taxBreakdown.map((b) => b.amount))).toBe(t.taxTotal);
        for (const x of [...t.lines, ...t.fees]) {
          expect(x.amountTaxInclusive + x.amountTaxExclusive).toBe(x.amountTax);
          expect(sumOf(x.taxes.map((tx) => tx.amount))).toBe(x.amountTax);
        }
        for (const l of t.lines)
          expect(l.amountSubtotal - l.amountDiscount + l.amountTaxExclusive).toBe(l.amountTotal);
      }),
      runs,
    );
  });

  it("matches an exact-rational recomputation: charges as before, each credit its own percentages", () => {
    fc.assert(
      fc.property(withCredits, (input) => {
        const t = computeTotals(input);
        const lines = input.lines.map((line) => {
          const sub = rndS(k4(line.quantity) * big(line.unitAmount), 10_000n);
          const d = line.discount;
          let own = 0n;
          if (d?.percentOff !== undefined) own = rndS(sub * k4(d.percentOff), M);
          else if (d && sub > 0n) own = minB(big(d.amountOff), sub);
          return { sub, remaining: sub - own };
        });
        t.lines.forEach((l, i) => {
          expect(big(l.amountSubtotal)).toBe(lines[i]!.sub);
        });
        let running = lines.filter((l) => l.sub >= 0n).reduce((a, l) => a + l.remaining, 0n);
        (input.discounts ?? []).forEach((d, k) => {
          const onCharges =
            d.percentOff !== undefined ? rnd(running * k4(d.percentOff), M) : minB(big(d.amountOff), running);
          running -= onCharges;
          let onCredits = 0n;
          for (const l of lines.filter((x) => x.sub < 0n)) {
            if (d.percentOff === undefined) continue;
            const share = rndS(l.remaining * k4(d.percentOff), M);
            l.remaining -= share;
            onCredits += share;
          }
          expect(big(t.discounts[k]!.amount)).toBe(onCharges + onCredits);
        });
        const credits = lines.filter((l) => l.sub < 0n).reduce((a, l) => a + l.remaining, 0n);
        expect(big(t.subtotal - t.discountTotal)).toBe(running + credits);
        input.lines.forEach((line, i) => {
          const l = t.lines[i]!;
          if (lines[i]!.sub < 0n) expect(big(l.amountSubtotal - l.amountDiscount)).toBe(lines[i]!.remaining);
          const gross = big(l.amountSubtotal - l.amountDiscount);
          const rates = line.taxRates ?? [];
          const incl = rates.filter((r) => r.inclusive).reduce((a, r) => a + k4(r.percentage), 0n);
          const inclTax = rndS(gross * incl, M + incl);
          expect(big(l.amountTaxInclusive)).toBe(inclTax);
          const excl = rates
            .filter((r) => !r.inclusive)
            .reduce((a, r) => a + rndS((gross - inclTax) * k4(r.percentage), M), 0n);
          expect(big(l.amountTaxExclusive)).toBe(excl);
        });
        const base = running + credits > 0n ? running + credits : 0n;
        (input.fees ?? []).forEach((fee, k) => {
          const amount = fee.amount !== undefined ? big(fee.amount) : rnd(base * k4(fee.percent!), M);
          expect(big(t.fees[k]!.amount)).toBe(amount);
        });
      }),
      runs,
    );
  });

  it("keeps every amount of a credit line on its side of zero, never beyond its subtotal", () => {
    fc.assert(
      fc.property(withCredits, (input) => {
        const t = computeTotals(input);
        input.lines.forEach((line, i) => {
          const l = t.lines[i]!;
          if (l.amountSubtotal >= 0) {
            expect(l.amountDiscount).toBeGreaterThanOrEqual(0);
            expect(l.amountDiscount).toBeLessThanOrEqual(l.amountSubtotal);
            expect(l.amountTotal).toBeGreaterThanOrEqual(0);
          } else {
            expect(line.proration).toBe(true);
            expect(l.amountDiscount).toBeLessThanOrEqual(0);
            expect(l.amountDiscount).toBeGreaterThanOrEqual(l.amountSubtotal);
            for (const x of [l.amountTax, l.amountTaxInclusive, l.amountTaxExclusive, l.amountTotal])
              expect(x).toBeLessThanOrEqual(0);
          }
          for (const x of Object.values(l).filter((v) => typeof v === "number"))
            expect(Number.isSafeInteger(x)).toBe(true);
        });
        for (const f of t.fees) expect(f.amount).toBeGreaterThanOrEqual(0);
      }),
      runs,
    );
  });

  it("reordering lines changes no document total", () => {
    const docAndPermutation = withCredits.chain((doc) =>
      fc.tuple(fc.constant(doc), fc.shuffledSubarray([...doc.lines], { minLength: doc.lines.length })),
    );
    fc.assert(
      fc.property(docAndPermutation, ([doc, shuffled]) => {
        const a = computeTotals({ ...doc, lines: shuffled });
        const b = computeTotals(doc);
        expect([a.total, a.discountTotal, a.taxTotal, a.feeTotal, a.discounts]).toEqual([
          b.total,
          b.discountTotal,
          b.taxTotal,
          b.feeTotal,
          b.discounts,
        ]);
      }),
      runs,
    );
  });

  it("prices a document whose proration lines are all non-negative exactly as the same lines unflagged", () => {
    fc.assert(
      fc.property(docArb(), (input) => {
        const flagged = { ...input, lines: input.lines.map((l) => ({ ...l, proration: true })) };
        expect(computeTotals(flagged)).toEqual(computeTotals(input));
      }),
      runs,
    );
  });
});
