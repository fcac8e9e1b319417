/**
 * Money primitives: the ISO 4217 table, exact decimals, rounding half away from zero, and
 * largest-remainder allocation (no unit created or lost, each part within 1 of its exact share,
 * ties to the lower index). Expected values are hand-worked or computed here with exact BigInt
 * rationals, independently of the implementation.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { currencyCodes, exponentOf, isCurrency } from "../../shared/domain/currency.ts";
import { ValidationError } from "../../shared/domain/errors.ts";
import { allocate, assertAmount, divRound, isAmount, toTenThousandths } from "../../shared/domain/money.ts";

const runs = { numRuns: 300 };

describe("currencies", () => {
  it("knows ISO 4217 exponents", () => {
    const expected: Record<string, number> = {
      USD: 2,
      EUR: 2,
      GBP: 2,
      CHF: 2,
      JPY: 0,
      KRW: 0,
      CLP: 0,
      ISK: 0,
      VND: 0,
      UGX: 0,
      PYG: 0,
      XOF: 0,
      KWD: 3,
      BHD: 3,
      JOD: 3,
      OMR: 3,
      TND: 3,
      IQD: 3,
      LYD: 3,
      CLF: 4,
      UYW: 4,
      HUF: 2,
      IDR: 2,
    };
    for (const [code, exp] of Object.entries(expected)) expect([code, exponentOf(code)]).toEqual([code, exp]);
    expect(currencyCodes.length).toBeGreaterThanOrEqual(150);
    for (const code of currencyCodes) {
      expect(code).toMatch(/^[A-Z]{3}$/);
      expect([0, 2, 3, 4]).toContain(exponentOf(code));
    }
  });

  it("rejects unknown, lower-case and inherited codes", () => {
    for (const code of ["usd", "XXX", "XAU", "HRK", "", "toString", "constructor", 42, undefined]) {
      expect(isCurrency(code)).toBe(false);
    }
    expect(() => exponentOf("ABC")).toThrow(RangeError);
  });
});

describe("amounts and decimals", () => {
  it("accepts only non-negative safe integers as amounts", () => {
    for (const ok of [0, 1, 1999, Number.MAX_SAFE_INTEGER]) expect(isAmount(ok)).toBe(true);
    for (const bad of [
      -1,
      1.5,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.MAX_SAFE_INTEGER + 1,
      "5",
      5n,
      null,
    ]) {
      expect(isAmount(bad)).toBe(false);
    }
    expect(assertAmount(12, "x")).toBe(12);
    try {
      assertAmount(0.5, "lines.2.unitAmount");
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as ValidationError).errors[0]?.path).toBe("lines.2.unitAmount");
    }
  });

  it("reads decimals with at most 4 places exactly", () => {
    expect(toTenThousandths(2.5)).toBe(25_000n);
    expect(toTenThousandths(0.1)).toBe(1_000n);
    expect(toTenThousandths(33.3333)).toBe(333_333n);
    expect(toTenThousandths(0.0001)).toBe(1n);
    expect(toTenThousandths(1.0005)).toBe(10_005n);
    expect(toTenThousandths(7)).toBe(70_000n);
    for (const bad of [0.00001, 1.23456, 1 / 3, Number.NaN, Number.POSITIVE_INFINITY, "1"]) {
      expect(toTenThousandths(bad)).toBeUndefined();
    }
  });

  it("reads every 4-decimal number back to its integer of ten-thousandths", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (k) => {
        expect(toTenThousandths(k / 10_000)).toBe(BigInt(k));
      }),
      runs,
    );
  });

  it("rounds half away from zero", () => {
    const cases: [bigint, bigint, bigint][] = [
      [5n, 2n, 3n], // 2.5 → 3
      [-5n, 2n, -3n], // −2.5 → −3
      [7n, 3n, 2n], // 2.33 → 2
      [8n, 3n, 3n], // 2.67 → 3
      [-7n, 3n, -2n],
      [1n, 2n, 1n], // 0.5 → 1
      [1n, 3n, 0n],
      [6n, 3n, 2n],
      [0n, 7n, 0n],
    ];
    for (const [n, d, q] of cases) expect([n, d, divRound(n, d)]).toEqual([n, d, q]);
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        (n, d) => {
          const q = divRound(n, d);
          // |n/d − q| ≤ 1/2, and exactly 1/2 only when q is the one further from zero.
          const twiceErr = 2n * n - 2n * q * d; // = 2d·(n/d − q)
          expect(twiceErr <= d && twiceErr >= -d).toBe(true);
          if (twiceErr === d || twiceErr === -d)
            expect(q < 0n ? -q : q).toBeGreaterThan(n < 0n ? -n / d : n / d);
        },
      ),
      runs,
    );
  });
});

describe("allocate (largest remainder)", () => {
  it("splits hand-worked examples", () => {
    // 100 over 1:1:1 → 33.33 each; the leftover unit goes to the first (ties by index).
    expect(allocate(100, [1, 1, 1])).toEqual([34, 33, 33]);
    // 10 over 3:3:4 → 3, 3, 4 exactly.
    expect(allocate(10, [3, 3, 4])).toEqual([3, 3, 4]);
    // 60 over 100:200:301 (Σ601) → 9.98, 19.97, 30.05 → floors 9, 19, 30 (Σ58); the 2 left go to the
    // largest remainders .98 and .97.
    expect(allocate(60, [100, 200, 301])).toEqual([10, 20, 30]);
    // 5 over 0:1:0 → everything to the only weight.
    expect(allocate(5, [0, 1, 0])).toEqual([0, 5, 0]);
    // Installments as percentages: 1000 over 33.3333:33.3333:33.3334 → 333.33, 333.33, 333.33(4) →
    // floors 333 ×3, 1 left: remainders equal for the first two (.333) and larger for the third (.334).
    expect(allocate(1000, [33.3333, 33.3333, 33.3334])).toEqual([333, 333, 334]);
    expect(allocate(0, [0, 0])).toEqual([0, 0]);
  });

  it("refuses what it cannot split", () => {
    expect(() => allocate(1, [0, 0])).toThrow(RangeError);
    expect(() => allocate(7, [])).toThrow(RangeError);
    expect(() => allocate(-1, [1])).toThrow(RangeError);
    expect(() => allocate(1.5, [1])).toThrow(RangeError);
    expect(() => allocate(10, [1, -1])).toThrow(RangeError);
    expect(() => allocate(10, [1 / 3])).toThrow(RangeError);
  });

  it("creates or loses no unit, and keeps every part within 1 of its exact share", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc
          .array(fc.integer({ min: 0, max: 1e9 }), { minLength: 1, maxLength: 12 })
          .filter((w) => w.some((x) => x > 0)),
        (total, weights) => {
          const parts = allocate(total, weights);
          expect(parts).toHaveLength(weights.length);
          expect(parts.reduce((a, p) => a + BigInt(p), 0n)).toBe(BigInt(total));
          const sum = BigInt(weights.reduce((a, w) => a + w, 0));
          parts.forEach((p, i) => {
            expect(Number.isSafeInteger(p) && p >= 0).toBe(true);
            // |p − total·w/Σw| < 1  ⇔  |p·Σw − total·w| < Σw
            const diff = BigInt(p) * sum - BigInt(total) * BigInt(weights[i]!);
            expect(diff < sum && diff > -sum).toBe(true);
            if (weights[i] === 0) expect(p).toBe(0);
          });
        },
      ),
      runs,
    );
  });

  it("gives the leftover units to the largest fractional parts, ties to the lower index", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e6 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 8 }),
        (total, weights) => {
          const parts = allocate(total, weights);
          const sum = BigInt(weights.reduce((a, w) => a + w, 0));
          const rem = weights.map((w) => (BigInt(total) * BigInt(w)) % sum);
          const floor = weights.map((w) => (BigInt(total) * BigInt(w)) / sum);
          const bumped = parts.map((p, i) => BigInt(p) > floor[i]!);
          // every bumped part outranks every part that was not bumped
          for (let i = 0; i < parts.length; i++) {
            for (let j = 0; j < parts.length; j++) {
              if (bumped[i] && !bumped[j]) {
                expect(rem[i]! > rem[j]! || (rem[i] === rem[j] && i < j)).toBe(true);
              }
            }
          }
        },
      ),
      runs,
    );
  });
});
