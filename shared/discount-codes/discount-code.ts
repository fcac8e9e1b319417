/**
 * A merchant's discount code: a percentage or a fixed amount off, for one period, every period, or a
 * number of periods. Its terms are frozen once created; `timesRedeemed` only moves through the
 * store's conditional redeem/release, never through a PATCH.
 */
import type { CurrencyCode } from "../domain/currency.ts";

export type DiscountDuration = "once" | "forever" | "repeating";

/** What a redemption applies: exactly one of `percentOff` or `amountOff` (+ its `currency`). */
export interface DiscountTerms {
  id: string;
  /** Upper case; unique per merchant. */
  code: string;
  /** 0 < p ≤ 100, at most 4 decimals. */
  percentOff?: number;
  /** Minor units of `currency`. */
  amountOff?: number;
  currency?: string;
  duration: DiscountDuration;
  /** Only for `repeating`. */
  durationInPeriods?: number;
}

export interface DiscountCode extends DiscountTerms {
  maxRedemptions?: number;
  /** UTC ISO timestamp (normalized, so it compares as a string). */
  expiresAt?: string;
  active: boolean;
  timesRedeemed: number;
  metadata: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export function termsOf(code: DiscountCode): DiscountTerms {
  const { id, code: text, percentOff, amountOff, currency, duration, durationInPeriods } = code;
  return {
    id,
    code: text,
    ...(percentOff !== undefined ? { percentOff } : {}),
    ...(amountOff !== undefined ? { amountOff, currency: currency as string } : {}),
    duration,
    ...(durationInPeriods !== undefined ? { durationInPeriods } : {}),
  };
}

/** Why a code cannot be redeemed now, or undefined when it can: the facts a buyer's page words itself. */
export function unredeemable(
  code: DiscountCode,
  now: Date,
):
  | { why: "inactive" }
  | { why: "expired"; expiresAt: string }
  | { why: "used_up"; maxRedemptions: number }
  | undefined {
  if (!code.active) return { why: "inactive" };
  if (code.expiresAt !== undefined && code.expiresAt <= now.toISOString())
    return { why: "expired", expiresAt: code.expiresAt };
  if (code.maxRedemptions !== undefined && code.timesRedeemed >= code.maxRedemptions)
    return { why: "used_up", maxRedemptions: code.maxRedemptions };
  return undefined;
}

/** Why a code cannot be redeemed now, or undefined when it can (explains a failed conditional redeem). */
export function unredeemableReason(code: DiscountCode, now: Date): string | undefined {
  const reason = unredeemable(code, now);
  switch (reason?.why) {
    case undefined:
      return undefined;
    case "inactive":
      return `The discount code ${code.code} is inactive`;
    case "expired":
      return `The discount code ${code.code} expired at ${reason.expiresAt}`;
    case "used_up":
      return `The discount code ${code.code} has reached its maximum of ${reason.maxRedemptions} redemptions`;
  }
}

/**
 * The positions in a document's discounts whose code an earlier discount already applies (codes are
 * case-insensitive): a code counts once per document, so each of these is a mistake to refuse.
 */
export function repeatedCodePositions(discounts: readonly object[]): number[] {
  const seen = new Set<string>();
  return discounts.flatMap((discount, i) => {
    if (!("code" in discount) || typeof discount.code !== "string") return [];
    const code = discount.code.toUpperCase();
    if (seen.has(code)) return [i];
    seen.add(code);
    return [];
  });
}

/** A new discount code as a request gives it: exactly one of `percentOff` or `amountOff` (+ `currency`). */
export interface NewDiscountCode {
  code: string;
  percentOff?: number;
  amountOff?: number;
  currency?: CurrencyCode;
  duration: DiscountDuration;
  durationInPeriods?: number;
  maxRedemptions?: number;
  /** UTC ISO timestamp. */
  expiresAt?: string;
  active: boolean;
  metadata?: Record<string, string>;
}

/** The terms are frozen once created: only these change. null removes the limit or the expiry. */
export interface DiscountCodePatch {
  active?: boolean;
  maxRedemptions?: number | null;
  expiresAt?: string | null;
  metadata?: Record<string, string | null>;
}
