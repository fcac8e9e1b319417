/**
 * The rollups' folding, pure: what a balance transaction adds to the revenue and top-customer items,
 * and how items read back become report rows. Every money figure comes from balance transactions
 * (shared/payments/balance.ts), so the revenue report reconciles with payouts to the minor unit.
 */
import * as z from "zod";
import type { BalanceTransaction } from "../payments/balance.ts";
import { type Grain, grains, periodOf } from "./periods.ts";
import type { Rollup, RollupRef, Tally } from "./ports.ts";
import { lazy } from "../lazy.ts";

/** The report names that key the rollup items (shared/store/keys.ts `rollup`). */
export const reportKeys = { revenue: "revenue", customers: "customers", top: "top" } as const;

/** What the reports need of a balance transaction carried in an event (`balanceTransaction`). */
export const carriedBalance = lazy(() =>
  z.object({
    kind: z.enum(["charge", "refund", "dispute"]),
    amount: z.number().int(),
    fee: z.number().int(),
    net: z.number().int(),
    currency: z.string(),
    date: z.iso.date(),
  }),
);
export type CarriedBalance = Pick<
  BalanceTransaction,
  "kind" | "amount" | "fee" | "net" | "currency" | "date"
>;

/**
 * What one balance transaction adds to its day's revenue: a charge its gross, fee and one payment; a
 * refund its amount and one refund (a refund reversed — succeeded, then failed — takes both back); a
 * lost dispute its amount. netVolume is the transaction's own `net`, so it sums exactly what payouts sum.
 */
export function revenueOf(entry: CarriedBalance): Record<string, number> {
  switch (entry.kind) {
    case "charge":
      return { grossVolume: entry.amount, fees: entry.fee, netVolume: entry.net, paymentCount: 1 };
    case "refund":
      return { refunds: -entry.amount, netVolume: entry.net, refundCount: entry.amount <= 0 ? 1 : -1 };
    case "dispute":
      return { disputesLost: -entry.amount, netVolume: entry.net };
  }
}

/** What one balance transaction adds to its customer's tally in that currency (top customers). */
export function customerPaidOf(entry: CarriedBalance): Record<string, number> {
  switch (entry.kind) {
    case "charge":
      return { grossPaid: entry.amount, paymentCount: 1 };
    case "refund":
      return { refunded: -entry.amount };
    case "dispute":
      return { disputesLost: -entry.amount };
  }
}

/** The same counters added to the item of every grain's period containing `date`. */
export const atEveryGrain = (
  base: Omit<RollupRef, "grain" | "period">,
  date: string,
  add: Readonly<Record<string, number>>,
  of: readonly Grain[] = grains,
): Tally[] => of.map((grain) => ({ rollup: { ...base, grain, period: periodOf(date, grain) }, add }));

/** The tallies of one balance transaction of `customerId`, in the money's mode. */
export function balanceTallies(livemode: boolean, customerId: string, entry: CarriedBalance): Tally[] {
  return [
    ...atEveryGrain(
      { report: reportKeys.revenue, livemode, dims: [entry.currency] },
      entry.date,
      revenueOf(entry),
    ),
    // Top customers sum whole months and the loose days at a range's edges (`monthsAndDays`).
    ...atEveryGrain(
      { report: reportKeys.top, livemode, dims: [customerId, entry.currency] },
      entry.date,
      customerPaidOf(entry),
      ["day", "month"],
    ),
  ];
}

export interface RevenueRow {
  period: string;
  currency: string;
  grossVolume: number;
  refunds: number;
  disputesLost: number;
  fees: number;
  netVolume: number;
  paymentCount: number;
  refundCount: number;
}

/** Revenue items → rows, by period then currency: an item exists only where something moved, so quiet periods have none. */
export function revenueRows(items: readonly Rollup[], currency?: string): RevenueRow[] {
  return items
    .filter((item) => !currency || item.dims[0] === currency)
    .map(({ period, dims, counts }) => ({
      period,
      currency: dims[0] ?? "",
      grossVolume: counts.grossVolume ?? 0,
      refunds: counts.refunds ?? 0,
      disputesLost: counts.disputesLost ?? 0,
      fees: counts.fees ?? 0,
      netVolume: counts.netVolume ?? 0,
      paymentCount: counts.paymentCount ?? 0,
      refundCount: counts.refundCount ?? 0,
    }))
    .sort((a, b) =>
      a.period === b.period ? a.currency.localeCompare(b.currency) : a.period < b.period ? -1 : 1,
    );
}

export interface CustomersRow {
  period: string;
  newCustomers: number;
  payingCustomers: number;
}

/** Customer items → one row per period of the range, zeros included (a count series has no gaps). */
export function customersRows(periods: readonly string[], items: readonly Rollup[]): CustomersRow[] {
  const byPeriod = new Map(items.map((item) => [item.period, item.counts]));
  return periods.map((period) => ({
    period,
    newCustomers: byPeriod.get(period)?.newCustomers ?? 0,
    payingCustomers: byPeriod.get(period)?.payingCustomers ?? 0,
  }));
}

export interface CustomerTotal {
  customerId: string;
  currency: string;
  netPaid: number;
  grossPaid: number;
  refunded: number;
  paymentCount: number;
}

/**
 * Top-customer items (whole months and edge days) → each customer's totals per currency, the best
 * `limit` of each currency by net paid (gross − refunds − lost disputes), ties by customer id.
 */
export function topCustomers(items: readonly Rollup[], limit: number, currency?: string): CustomerTotal[] {
  const totals = new Map<string, CustomerTotal & { disputesLost: number }>();
  for (const { dims, counts } of items) {
    const [customerId = "", itemCurrency = ""] = dims;
    if (currency && itemCurrency !== currency) continue;
    const key = `${itemCurrency}#${customerId}`;
    const total = totals.get(key) ?? {
      customerId,
      currency: itemCurrency,
      netPaid: 0,
      grossPaid: 0,
      refunded: 0,
      disputesLost: 0,
      paymentCount: 0,
    };
    total.grossPaid += counts.grossPaid ?? 0;
    total.refunded += counts.refunded ?? 0;
    total.disputesLost += counts.disputesLost ?? 0;
    total.paymentCount += counts.paymentCount ?? 0;
    total.netPaid = total.grossPaid - total.refunded - total.disputesLost;
    totals.set(key, total);
  }
  const ranked = [...totals.values()].sort(
    (a, b) =>
      a.currency.localeCompare(b.currency) ||
      b.netPaid - a.netPaid ||
      a.customerId.localeCompare(b.customerId),
  );
  const kept: CustomerTotal[] = [];
  const perCurrency = new Map<string, number>();
  for (const { disputesLost: _, ...total } of ranked) {
    const count = perCurrency.get(total.currency) ?? 0;
    if (count >= limit) continue;
    perCurrency.set(total.currency, count + 1);
    kept.push(total);
  }
  return kept;
}
