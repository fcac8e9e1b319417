/**
 * Monthly recurring revenue (issue 16 §1), pure: what one subscription counts for, how a change of
 * that figure is classified (new, expansion, contraction, churn, reactivation), and the monthly
 * report built from the per-month movement rollups.
 *
 * - A subscription counts while it is `active` or `past_due` (still billed: dunning has not ended
 *   it). Trials, paused, scheduled, incomplete and ended subscriptions count nothing.
 * - Its MRR is what one period bills before tax — Σ quantity × unit amount (rounded per line), less
 *   the recurring discounts that apply (priced by the invoice's own money engine) — divided by the
 *   interval's months and rounded half away from zero, per subscription.
 * - Recurring discounts are those that apply to the current period as on its invoice (`forever`, and
 *   `repeating` ones within their periods, both from the period they were added for); a `once`
 *   discount is a one-off, not recurring revenue.
 */
import { computeTotals, type DiscountInput } from "../domain/totals.ts";
import { divRound } from "../domain/money.ts";
import type { Interval } from "../products/product.ts";
import { discountApplies } from "../subscriptions/period-invoice.ts";
import type {
  Subscription,
  SubscriptionDiscount,
  SubscriptionStatus,
} from "../subscriptions/subscription.ts";

export const intervalMonths: Record<Interval, number> = { month: 1, quarter: 3, half_year: 6, year: 12 };

const countedStatuses: readonly SubscriptionStatus[] = ["active", "past_due"];

/** What a subscription counts for at one moment: in MRR or not, and how much. */
export interface MrrFigure {
  counted: boolean;
  /** Minor units of the subscription's currency per month; 0 when not counted. */
  mrr: number;
}

/** Whether a discount recurs in period `k` (0 first): it applies to it as on the invoice, and is not a one-off. */
const recurringDiscount = (discount: SubscriptionDiscount, k: number): boolean =>
  discount.duration !== "once" && discountApplies(discount, k);

/** A period's price, normalised to a month: `amount ÷ months`, half away from zero. */
export const monthly = (amount: number, interval: Interval): number =>
  Number(divRound(BigInt(amount), BigInt(intervalMonths[interval])));

/**
 * What a subscription (as its events show it) counts for. The current period is the last one billed
 * (`cyclesBilled − 1`), or the first before any is.
 */
export function mrrOf(
  subscription: Pick<
    Subscription,
    "status" | "currency" | "interval" | "items" | "discounts" | "cyclesBilled"
  >,
): MrrFigure {
  if (!countedStatuses.includes(subscription.status)) return { counted: false, mrr: 0 };
  const k = Math.max(subscription.cyclesBilled - 1, 0);
  const discounts = subscription.discounts
    .filter((discount) => recurringDiscount(discount, k))
    .map(
      (discount): DiscountInput =>
        discount.percentOff !== undefined
          ? { percentOff: discount.percentOff }
          : { amountOff: discount.amountOff ?? 0 },
    );
  const totals = computeTotals({
    currency: subscription.currency,
    lines: subscription.items.map(({ quantity, unitAmount }) => ({ quantity, unitAmount })),
    discounts,
  });
  return { counted: true, mrr: monthly(totals.subtotal - totals.discountTotal, subscription.interval) };
}

/** The movement fields of a month's rollup, in the report's order. */
export const movementFields = [
  "newMrr",
  "expansionMrr",
  "contractionMrr",
  "churnedMrr",
  "reactivationMrr",
] as const;
export type MovementField = (typeof movementFields)[number];

/** What one change of a subscription adds to its month's rollup (all amounts ≥ 0 but the deltas). */
export interface MrrChange {
  movement?: { field: MovementField; amount: number };
  /** Change of the MRR level (signed). */
  mrrDelta: number;
  /** Change of the count of subscriptions in MRR: −1, 0 or 1. */
  activeDelta: number;
}

/**
 * The change from what a subscription counted for last to what it counts for now. Entering MRR is
 * new the first time and a reactivation after it had left (paused, canceled then restored, a trial is
 * never counted so its end is new); leaving is churn of what it counted; staying moves by expansion
 * or contraction.
 */
export function classify(
  previous: (MrrFigure & { everCounted: boolean }) | undefined,
  next: MrrFigure,
): MrrChange {
  const before = previous?.counted ? previous.mrr : 0;
  const after = next.counted ? next.mrr : 0;
  const mrrDelta = after - before;
  if (!previous?.counted && next.counted) {
    const field = previous?.everCounted ? "reactivationMrr" : "newMrr";
    return { movement: { field, amount: after }, mrrDelta, activeDelta: 1 };
  }
  if (previous?.counted && !next.counted) {
    return { movement: { field: "churnedMrr", amount: before }, mrrDelta, activeDelta: -1 };
  }
  if (mrrDelta > 0)
    return { movement: { field: "expansionMrr", amount: mrrDelta }, mrrDelta, activeDelta: 0 };
  if (mrrDelta < 0)
    return { movement: { field: "contractionMrr", amount: -mrrDelta }, mrrDelta, activeDelta: 0 };
  return { mrrDelta, activeDelta: 0 };
}

/** A month's counters: the movements, and the changes of the MRR level and of the count in it. */
export const mrrCounters = [...movementFields, "mrrDelta", "activeDelta"] as const;
export type MrrCounters = Record<(typeof mrrCounters)[number], number>;

/** One month's rollup of one currency. */
export interface MrrMonth extends MrrCounters {
  /** `YYYY-MM`, the merchant's local month. */
  month: string;
  currency: string;
}

export interface SubscriptionReportRow {
  period: string;
  currency: string;
  mrr: number;
  arr: number;
  activeSubscriptions: number;
  newMrr: number;
  expansionMrr: number;
  contractionMrr: number;
  churnedMrr: number;
  reactivationMrr: number;
  churnRate: number | null;
}

/** The months from `from` to `to` (`YYYY-MM`, inclusive). */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [year, month] = from.split("-").map(Number) as [number, number];
  for (let at = from; at <= to; ) {
    months.push(at);
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
    at = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
  }
  return months;
}

/**
 * The report's rows from every rollup up to the range's last month (the levels are the sums of the
 * deltas before): one row per month of `from…to` up to `current` (the month of now: its level is
 * now's; later months have none yet, unless a test clock's events reached them), per currency from its first month with a rollup on; ordered
 * by period then currency. `churnRate` = churned ÷ the MRR at the month's start, to 4 decimals.
 */
export function subscriptionReport(
  rollups: readonly MrrMonth[],
  range: { from: string; to: string; current: string },
): SubscriptionReportRow[] {
  // A test clock's subscriptions may run ahead of the wall clock: their months count as reached.
  const reached = [range.current, ...rollups.map((rollup) => rollup.month)].sort().at(-1) as string;
  const last = [range.to, reached].sort()[0] as string;
  const byCurrency = new Map<string, Map<string, MrrMonth>>();
  for (const rollup of rollups) {
    if (rollup.month > last) continue;
    const months = byCurrency.get(rollup.currency) ?? new Map<string, MrrMonth>();
    months.set(rollup.month, rollup);
    byCurrency.set(rollup.currency, months);
  }
  const rows: SubscriptionReportRow[] = [];
  for (const [currency, months] of byCurrency) {
    const first = [...months.keys()].sort()[0] as string;
    let mrr = 0;
    let active = 0;
    for (const month of monthsBetween(first, last)) {
      const rollup = months.get(month);
      const start = mrr;
      mrr += rollup?.mrrDelta ?? 0;
      active += rollup?.activeDelta ?? 0;
      if (month < range.from) continue;
      const churnedMrr = rollup?.churnedMrr ?? 0;
      rows.push({
        period: month,
        currency,
        mrr,
        arr: 12 * mrr,
        activeSubscriptions: active,
        newMrr: rollup?.newMrr ?? 0,
        expansionMrr: rollup?.expansionMrr ?? 0,
        contractionMrr: rollup?.contractionMrr ?? 0,
        churnedMrr,
        reactivationMrr: rollup?.reactivationMrr ?? 0,
        churnRate: start === 0 ? null : Math.round((churnedMrr / start) * 10_000) / 10_000,
      });
    }
  }
  return rows.sort((a, b) =>
    a.period === b.period ? a.currency.localeCompare(b.currency) : a.period.localeCompare(b.period),
  );
}
