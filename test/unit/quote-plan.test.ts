/**
 * A quote's payment plan (issue 14 §1): 2–12 installments of one kind, the first due at acceptance and
 * the rest strictly later; percents (≤ 2 decimals) summing to exactly 100, or amounts summing to the
 * upfront total. Each installment is rounded half away from zero, the last is the total minus the
 * others; the upfront tax is allocated by largest remainder. Expected values are hand-worked, or
 * recomputed in the properties with exact BigInt rationals (never with the module's helpers).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../shared/domain/errors.ts";
import {
  type InstallmentInput,
  type PaymentPlanInput,
  paymentPlanErrors,
  planPayments,
} from "../../shared/quotes/plan.ts";

const percents = (...ps: number[]): PaymentPlanInput => ({
  installments: ps.map((percent, i) => ({ percent, dueAfterDays: i * 30 })),
});
const amounts = (...as: number[]): PaymentPlanInput => ({
  installments: as.map((amount, i) => ({ amount, dueAfterDays: i * 30 })),
});
const untaxed = (upfrontTotal: number) => ({ upfrontTotal, upfrontTax: 0, upfrontTaxExclusive: 0 });
const amountsOf = (plan: PaymentPlanInput, total: number) =>
  planPayments(plan, untaxed(total)).installments.map((i) => i.amount);
const errorsOf = (plan: unknown, total = 10_000) => paymentPlanErrors(plan, total);

describe("a payment plan's installment amounts", () => {
  it("rounds 30 % of 10,001 to 3,000 (3,000.3) and gives the last the rest: 7,001", () => {
    expect(amountsOf(percents(30, 70), 10_001)).toEqual([3_000, 7_001]);
  });

  it("splits 100 into three equal thirds as 33, 33 and 34 (33.33 % ×2 + 33.34 %)", () => {
    expect(amountsOf(percents(33.33, 33.33, 33.34), 100)).toEqual([33, 33, 34]);
  });

  it("rounds an exact half away from zero: 50 % of 101 is 51 (50.5), the last 50", () => {
    expect(amountsOf(percents(50, 50), 101)).toEqual([51, 50]);
  });

  it("makes the last the total minus the others, not its own rounded share: 33.34 % ×3 of 1,000 is 333, 333, 334", () => {
    // 33.33 % of 1,000 = 333.3 → 333 twice; the last is 1,000 − 666 = 334 (its own share, 333.4, would lose a unit).
    expect(amountsOf(percents(33.33, 33.33, 33.34), 1_000)).toEqual([333, 333, 334]);
  });

  it("takes amounts as given when they sum to the upfront total", () => {
    const plan = planPayments(amounts(2_500, 2_500, 5_001), untaxed(10_001));
    expect(plan.kind).toBe("amount");
    expect(plan.installments.map(({ amount, dueAfterDays }) => ({ amount, dueAfterDays }))).toEqual([
      { amount: 2_500, dueAfterDays: 0 },
      { amount: 2_500, dueAfterDays: 30 },
      { amount: 5_001, dueAfterDays: 60 },
    ]);
  });

  it("keeps each requested percent, numbers the installments and defaults collection to charge_automatically", () => {
    const plan = planPayments(percents(30, 70), untaxed(10_001));
    expect(plan.collection).toBe("charge_automatically");
    expect(plan.installments.map(({ number, percent }) => ({ number, percent }))).toEqual([
      { number: 1, percent: 30 },
      { number: 2, percent: 70 },
    ]);
    expect(planPayments({ ...percents(30, 70), collection: "send_invoice" }, untaxed(100)).collection).toBe(
      "send_invoice",
    );
  });
});

describe("a payment plan's taxes and installment invoices", () => {
  it("allocates the upfront tax by largest remainder: 909 over 3,000 / 7,001 is 273 / 636", () => {
    // Exact shares: 909 × 3,000 / 10,001 = 272.67…, 909 × 7,001 / 10,001 = 636.33…; floors 272 + 636 = 908,
    // the unit left goes to the larger remainder (0.67): the first.
    const plan = planPayments(percents(30, 70), {
      upfrontTotal: 10_001,
      upfrontTax: 909,
      upfrontTaxExclusive: 909,
    });
    expect(plan.installments.map((i) => i.tax)).toEqual([273, 636]);
    expect(plan.installments.map((i) => i.invoice)).toEqual([
      {
        line: {
          description: "Installment 1 of 2",
          quantity: 1,
          unitAmount: 2_727,
          amountSubtotal: 2_727,
          amountDiscount: 0,
          amountTax: 273,
          amountTotal: 3_000,
        },
        subtotal: 2_727,
        discountTotal: 0,
        taxTotal: 273,
        taxInclusiveTotal: 0,
        taxExclusiveTotal: 273,
        feeTotal: 0,
        total: 3_000,
      },
      {
        line: {
          description: "Installment 2 of 2",
          quantity: 1,
          unitAmount: 6_365,
          amountSubtotal: 6_365,
          amountDiscount: 0,
          amountTax: 636,
          amountTotal: 7_001,
        },
        subtotal: 6_365,
        discountTotal: 0,
        taxTotal: 636,
        taxInclusiveTotal: 0,
        taxExclusiveTotal: 636,
        feeTotal: 0,
        total: 7_001,
      },
    ]);
  });

  it("breaks a tie in remainders in favour of the earlier installment", () => {
    // 2 over three equal amounts: 0.67 each, floors 0; the two units go to the first two.
    const three = planPayments(amounts(1_000, 1_000, 1_000), {
      upfrontTotal: 3_000,
      upfrontTax: 2,
      upfrontTaxExclusive: 0,
    });
    expect(three.installments.map((i) => i.tax)).toEqual([1, 1, 0]);
  });

  it("splits mixed inclusive and exclusive tax within each installment's share, so both kinds add up", () => {
    // Tax 10 over 3,000 / 7,001: 2.9997 / 7.0003 → 3 / 7. Its exclusive part 4 over those shares 3 / 7:
    // 1.2 / 2.8 → 1 / 3. Inclusive: 2 / 4. Subtotal = amount − exclusive tax.
    const plan = planPayments(percents(30, 70), {
      upfrontTotal: 10_001,
      upfrontTax: 10,
      upfrontTaxExclusive: 4,
    });
    expect(
      plan.installments.map(({ invoice: i }) => [
        i.subtotal,
        i.taxInclusiveTotal,
        i.taxExclusiveTotal,
        i.total,
      ]),
    ).toEqual([
      [2_999, 2, 1, 3_000],
      [6_998, 4, 3, 7_001],
    ]);
  });

  it("refuses taxes that cannot be inside the upfront total (a caller's bug, not bad input)", () => {
    expect(() =>
      planPayments(percents(50, 50), { upfrontTotal: 100, upfrontTax: 101, upfrontTaxExclusive: 0 }),
    ).toThrow(RangeError);
    expect(() =>
      planPayments(percents(50, 50), { upfrontTotal: 100, upfrontTax: 10, upfrontTaxExclusive: 11 }),
    ).toThrow(RangeError);
  });
});

describe("a payment plan's validation names each bad field", () => {
  const cases: [string, unknown, number, { path: string; message: RegExp }[]][] = [
    ["not an object", "half now", 10_000, [{ path: "paymentPlan", message: /object/ }]],
    [
      "installments not a list",
      { installments: {} },
      10_000,
      [{ path: "paymentPlan.installments", message: /array/ }],
    ],
    ["one installment", percents(100), 10_000, [{ path: "paymentPlan.installments", message: /2 to 12/ }]],
    [
      "thirteen installments",
      amounts(...Array(13).fill(1)),
      13,
      [{ path: "paymentPlan.installments", message: /2 to 12/ }],
    ],
    [
      "an unknown collection",
      { ...percents(50, 50), collection: "cash" },
      10_000,
      [{ path: "paymentPlan.collection", message: /charge_automatically, send_invoice/ }],
    ],
    [
      "kinds mixed: an amount after a percent",
      {
        installments: [
          { percent: 50, dueAfterDays: 0 },
          { amount: 5_000, dueAfterDays: 30 },
        ],
      },
      10_000,
      [{ path: "paymentPlan.installments.1.amount", message: /one kind/ }],
    ],
    [
      "both a percent and an amount",
      {
        installments: [
          { amount: 5_000, dueAfterDays: 0 },
          { amount: 5_000, percent: 50, dueAfterDays: 30 },
        ],
      },
      10_000,
      [{ path: "paymentPlan.installments.1", message: /exactly one of percent or amount/ }],
    ],
    [
      "a percent with 3 decimals",
      percents(33.333, 66.667),
      10_000,
      [
        { path: "paymentPlan.installments.0.percent", message: /at most 2 decimals/ },
        { path: "paymentPlan.installments.1.percent", message: /at most 2 decimals/ },
      ],
    ],
    [
      "a zero percent",
      percents(0, 100),
      10_000,
      [{ path: "paymentPlan.installments.0.percent", message: /greater than 0/ }],
    ],
    [
      "a negative percent",
      percents(110, -10),
      10_000,
      [
        { path: "paymentPlan.installments.0.percent", message: /at most 100/ },
        { path: "paymentPlan.installments.1.percent", message: /greater than 0/ },
      ],
    ],
    [
      "a zero amount",
      amounts(10_000, 0),
      10_000,
      [{ path: "paymentPlan.installments.1.amount", message: /positive integer/ }],
    ],
    [
      "a fractional amount",
      amounts(5_000.5, 4_999.5),
      10_000,
      [
        { path: "paymentPlan.installments.0.amount", message: /positive integer/ },
        { path: "paymentPlan.installments.1.amount", message: /positive integer/ },
      ],
    ],
    [
      "the first not due at acceptance",
      {
        installments: [
          { percent: 50, dueAfterDays: 7 },
          { percent: 50, dueAfterDays: 30 },
        ],
      },
      10_000,
      [{ path: "paymentPlan.installments.0.dueAfterDays", message: /must be 0/ }],
    ],
    [
      "a due day not after the previous one",
      {
        installments: [
          { percent: 40, dueAfterDays: 0 },
          { percent: 30, dueAfterDays: 30 },
          { percent: 30, dueAfterDays: 30 },
        ],
      },
      10_000,
      [
        {
          path: "paymentPlan.installments.2.dueAfterDays",
          message: /greater than the previous installment's \(30\)/,
        },
      ],
    ],
    [
      "a fractional or missing due day",
      {
        installments: [{ percent: 40, dueAfterDays: 0 }, { percent: 30, dueAfterDays: 1.5 }, { percent: 30 }],
      },
      10_000,
      [
        { path: "paymentPlan.installments.1.dueAfterDays", message: /non-negative integer/ },
        { path: "paymentPlan.installments.2.dueAfterDays", message: /non-negative integer/ },
      ],
    ],
    [
      "percents summing to 99.99",
      percents(33.33, 33.33, 33.33),
      10_000,
      [{ path: "paymentPlan.installments", message: /exactly 100, not 99\.99/ }],
    ],
    [
      "percents summing to 100.01 (no float could tell)",
      percents(0.1, 0.2, 99.71),
      10_000,
      [{ path: "paymentPlan.installments", message: /exactly 100, not 100\.01/ }],
    ],
    [
      "amounts not summing to the upfront total",
      amounts(5_000, 5_000),
      10_001,
      [{ path: "paymentPlan.installments", message: /upfront total 10001, not 10000/ }],
    ],
    [
      "a last installment rounded away to nothing: 99.99 % / 0.01 % of 100",
      percents(99.99, 0.01),
      100,
      [{ path: "paymentPlan.installments.1.percent", message: /comes to 0 minor units/ }],
    ],
    [
      "a last installment the others' rounding overdraws: 11 × 9 % + 1 % of 7",
      percents(...Array(11).fill(9), 1),
      7,
      // Each 9 % of 7 = 0.63 → 1, so the last is 7 − 11 = −4.
      [{ path: "paymentPlan.installments.11.percent", message: /comes to -4 minor units/ }],
    ],
    [
      "an installment of less than one unit of a small total: 0.5 % of 10",
      percents(0.5, 99.5),
      10,
      // 0.5 % of 10 = 0.05 → 0.
      [{ path: "paymentPlan.installments.0.percent", message: /comes to 0 minor units/ }],
    ],
    [
      "a plan on a quote with no one-time amount",
      percents(50, 50),
      0,
      [
        { path: "paymentPlan.installments.0.percent", message: /at least 1/ },
        { path: "paymentPlan.installments.1.percent", message: /at least 1/ },
      ],
    ],
  ];

  it.each(cases)("%s", (_, plan, total, expected) => {
    const errors = errorsOf(plan, total);
    expect(errors).toHaveLength(expected.length);
    expected.forEach((e, i) => {
      expect(errors[i]?.path).toBe(e.path);
      expect(errors[i]?.message).toMatch(e.message);
    });
  });

  it("reports every problem at once, and planPayments throws them as one ValidationError", () => {
    const plan = {
      collection: "later",
      installments: [
        { percent: 50, dueAfterDays: 3 },
        { amount: 10, dueAfterDays: 2 },
      ] as InstallmentInput[],
    };
    const paths = [
      "paymentPlan.collection",
      "paymentPlan.installments.0.dueAfterDays",
      "paymentPlan.installments.1.amount",
      "paymentPlan.installments.1.dueAfterDays",
    ];
    expect(errorsOf(plan).map((e) => e.path)).toEqual(paths);
    const thrown = (() => {
      try {
        planPayments(plan as PaymentPlanInput, untaxed(10_000));
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).errors.map((e) => e.path)).toEqual(paths);
  });

  it("names fields under the caller's path", () => {
    expect(paymentPlanErrors(percents(50, 49), 100, "plan")[0]?.path).toBe("plan.installments");
  });
});

// ── properties, against an independent oracle ───────────────────────────────────────────────────
/** round(n / d) half away from zero, n ≥ 0, d > 0. */
const rnd = (n: bigint, d: bigint): bigint => (2n * n + d) / (2n * d);
const runs = { numRuns: 300 };

/** n parts of 10,000 hundredths, each ≥ 1: the gaps between n − 1 distinct cut points. */
const hundredthsPlan = fc.integer({ min: 2, max: 12 }).chain((n) =>
  fc.uniqueArray(fc.integer({ min: 1, max: 9_999 }), { minLength: n - 1, maxLength: n - 1 }).map((cuts) => {
    const points = [0, ...cuts.sort((a, b) => a - b), 10_000];
    return points.slice(1).map((p, i) => p - points[i]!);
  }),
);
const totals = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 1_000_000_000_000 }));
/** A total with a tax inside it and an exclusive part of that tax. */
const basis = totals.chain((total) =>
  fc.integer({ min: 0, max: total }).chain((tax) =>
    fc.integer({ min: 0, max: tax }).map((exclusive) => ({
      upfrontTotal: total,
      upfrontTax: tax,
      upfrontTaxExclusive: exclusive,
    })),
  ),
);

describe("a payment plan's invariants (fast-check)", () => {
  it("percent plans: installments sum exactly to the total, each non-last is its share rounded half away from zero, each ≥ 1 when valid", () => {
    fc.assert(
      fc.property(hundredthsPlan, basis, (hundredths, b) => {
        const plan = percents(...hundredths.map((h) => h / 100));
        const total = BigInt(b.upfrontTotal);
        const expected = hundredths.map((h) => rnd(total * BigInt(h), 10_000n));
        expected[expected.length - 1] = total - expected.slice(0, -1).reduce((a, x) => a + x, 0n);
        const errors = paymentPlanErrors(plan, b.upfrontTotal);
        const small = expected.flatMap((a, i) => (a < 1n ? [`paymentPlan.installments.${i}.percent`] : []));
        expect(errors.map((e) => e.path)).toEqual(small);
        if (small.length > 0) return;
        const installments = planPayments(plan, b).installments;
        expect(installments.map((i) => BigInt(i.amount))).toEqual(expected);
        expect(installments.reduce((a, i) => a + i.amount, 0)).toBe(b.upfrontTotal);
        for (const i of installments) expect(i.amount).toBeGreaterThanOrEqual(1);
      }),
      runs,
    );
  });

  it("a total of 65,000 minor units or more can carry any percent plan (the last loses at most 5.5 units to rounding)", () => {
    fc.assert(
      fc.property(
        hundredthsPlan,
        fc.integer({ min: 65_000, max: 1_000_000_000_000 }),
        (hundredths, total) => {
          expect(paymentPlanErrors(percents(...hundredths.map((h) => h / 100)), total)).toEqual([]);
        },
      ),
      runs,
    );
  });

  it("amount plans that sum to the total are taken as given", () => {
    const amountPlan = hundredthsPlan.chain((parts) =>
      fc.integer({ min: 1, max: 1_000_000 }).map((scale) => parts.map((p) => p * scale)),
    );
    fc.assert(
      fc.property(amountPlan, (parts) => {
        const total = parts.reduce((a, x) => a + x, 0);
        expect(amountsOf(amounts(...parts), total)).toEqual(parts);
        expect(paymentPlanErrors(amounts(...parts), total + 1).map((e) => e.path)).toEqual([
          "paymentPlan.installments",
        ]);
      }),
      runs,
    );
  });

  it("taxes: shares sum to the tax exactly, each is its exact share rounded down or up, exclusive ≤ tax ≤ amount, invoices add up", () => {
    fc.assert(
      fc.property(
        hundredthsPlan,
        basis.filter((b) => b.upfrontTotal >= 65_000),
        (hundredths, b) => {
          const installments = planPayments(percents(...hundredths.map((h) => h / 100)), b).installments;
          const U = BigInt(b.upfrontTotal);
          const T = BigInt(b.upfrontTax);
          expect(installments.reduce((a, i) => a + i.tax, 0)).toBe(b.upfrontTax);
          expect(installments.reduce((a, i) => a + i.invoice.taxExclusiveTotal, 0)).toBe(
            b.upfrontTaxExclusive,
          );
          for (const i of installments) {
            const floor = (T * BigInt(i.amount)) / U;
            const exact = (T * BigInt(i.amount)) % U === 0n;
            expect(BigInt(i.tax) === floor || (!exact && BigInt(i.tax) === floor + 1n)).toBe(true);
            const inv = i.invoice;
            expect(inv.taxExclusiveTotal).toBeGreaterThanOrEqual(0);
            expect(inv.taxInclusiveTotal).toBeGreaterThanOrEqual(0);
            expect(inv.taxTotal).toBe(inv.taxInclusiveTotal + inv.taxExclusiveTotal);
            expect(inv.taxTotal).toBeLessThanOrEqual(i.amount);
            expect(inv.subtotal).toBeGreaterThanOrEqual(0);
            expect(inv.subtotal + inv.taxExclusiveTotal).toBe(inv.total);
            expect(inv.total).toBe(i.amount);
            expect(inv.line.amountTotal).toBe(i.amount);
            expect(inv.line.amountSubtotal).toBe(inv.subtotal);
          }
          // Largest remainder: the units handed out on top of the floors go to the largest remainders.
          const rems = installments.map((i) => (T * BigInt(i.amount)) % U);
          const bumped = installments.map(
            (i, k) => BigInt(i.tax) > (T * BigInt(i.amount)) / U || rems[k] === 0n,
          );
          installments.forEach((_, k) => {
            if (bumped[k]) return;
            // Nobody with a smaller remainder (or an equal one, later) was bumped over this one.
            installments.forEach((_, j) => {
              if (j === k || rems[j] === 0n || !bumped[j]) return;
              expect(rems[j]! > rems[k]! || (rems[j] === rems[k] && j < k)).toBe(true);
            });
          });
        },
      ),
      runs,
    );
  });
});
