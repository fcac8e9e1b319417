/**
 * Exact money arithmetic: integer minor units, no floats.
 *
 * Rounding rule (everywhere in the money engine): half away from zero, to the currency's minor unit,
 * applied once per line and per amount (never to a sum of unrounded values). Decimal inputs
 * (quantities, percentages) have at most 4 decimals and are turned into exact integers of
 * ten-thousandths before any arithmetic, which is then done in BigInt. The order of operations on a
 * document (line discount → document discounts → taxes → fees) is in `totals.ts`.
 */
import { ValidationError } from "./errors.ts";

/** Decimal inputs carry at most 4 decimals: they are handled as integers of ten-thousandths. */
export const DECIMAL_SCALE = 10_000n;

/** True for a valid amount: a non-negative safe integer number of minor units. */
export function isAmount(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** Returns the amount, or throws a `ValidationError` at `path` if it is not a non-negative safe integer. */
export function assertAmount(value: unknown, path: string): number {
  if (!isAmount(value)) {
    throw new ValidationError([{ path, message: "must be a non-negative integer amount in minor units" }]);
  }
  return value;
}

/**
 * The exact value of `value` in ten-thousandths (2.5 → 25000n, 12.3456 → 123456n), or `undefined` when
 * it is not a finite number with at most 4 decimals. A number qualifies when it is the double nearest
 * to some decimal with ≤ 4 places, i.e. exactly what a literal like `0.1` or `33.3333` denotes.
 */
export function toTenThousandths(value: unknown): bigint | undefined {
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  if (Number.isSafeInteger(value)) return BigInt(value) * DECIMAL_SCALE;
  const scaled = Math.round(value * 10_000);
  if (!Number.isSafeInteger(scaled) || scaled / 10_000 !== value) return undefined;
  return BigInt(scaled);
}

/** `num / den` rounded half away from zero (den > 0). */
export function divRound(num: bigint, den: bigint): bigint {
  if (den <= 0n) throw new RangeError("divRound: the divisor must be positive");
  const q = num / den; // truncates toward zero
  const r = num % den; // same sign as num
  if (2n * (r < 0n ? -r : r) >= den) return num < 0n ? q - 1n : q + 1n;
  return q;
}

/**
 * Largest-remainder allocation: splits `total` into integer parts, one per weight, that sum exactly to
 * `total`. Each part is its exact share `total × wᵢ / Σw` rounded down, and the units left over go one
 * each to the largest fractional parts, ties to the lower index. So every part is within 1 of its exact
 * share and no unit is created or lost. Zero weights get 0; all-zero weights are allowed only for a
 * zero total.
 *
 * @param total a non-negative safe integer (minor units, or any countable unit)
 * @param weights non-negative numbers with at most 4 decimals (amounts, or percentages like 33.3333)
 */
export function allocate(total: number, weights: readonly number[]): number[] {
  if (!isAmount(total)) throw new RangeError("allocate: total must be a non-negative safe integer");
  const scaled = weights.map((w, i) => {
    const s = toTenThousandths(w);
    if (s === undefined || s < 0n) {
      throw new RangeError(`allocate: weights[${i}] must be a non-negative number with at most 4 decimals`);
    }
    return s;
  });
  return allocateExact(BigInt(total), scaled).map(Number);
}

/** `allocate` on BigInts: `total` ≥ 0, integer `weights` ≥ 0 (any common scale). */
export function allocateExact(total: bigint, weights: readonly bigint[]): bigint[] {
  if (total < 0n) throw new RangeError("allocate: total must be non-negative");
  const sum = weights.reduce((a, w) => a + w, 0n);
  if (sum === 0n) {
    if (total === 0n) return weights.map(() => 0n);
    throw new RangeError("allocate: cannot allocate a non-zero total over zero weights");
  }
  const parts = weights.map((w) => (total * w) / sum);
  let left = total - parts.reduce((a, p) => a + p, 0n);
  const order = weights
    .map((w, i) => ({ i, rem: (total * w) % sum }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const { i } of order) {
    if (left === 0n) break;
    parts[i] = parts[i]! + 1n;
    left -= 1n;
  }
  return parts;
}

/** The smaller of two BigInts (Math.min does not take BigInts). */
export function minExact(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** The larger of two BigInts. */
export function maxExact(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
