/**
 * Payouts: what a merchant's processor sends to its bank for one day and currency (DESIGN.md §5).
 *
 * Sandbox merchants: Kassa makes them. The run for day D (the merchant's local calendar day) sums
 * that day's balance transactions per currency: net = Σ charges − Σ fees − Σ refunds − Σ lost
 * disputes, exactly Σ of the transactions' `net`. One payout per merchant, day and currency, held
 * by a uniqueness item, so a run that fires twice pays once. Currencies without transactions get
 * no payout. A negative balance carries forward: a payout's amount is its day's net plus the
 * shortfall carried in from earlier days (`carriedIn`, ≤ 0). When that sum is positive the payout is
 * `paid` and nothing is carried on; when it is zero or negative no money moves: the day is still
 * recorded, `skipped` with that (≤ 0) amount, and the amount is carried into the currency's next
 * payout (the next day with transactions in it). So Σ paid payouts = Σ the net of every balance
 * transaction of the days paid out and skipped before them, exactly: what the processor holds (the
 * ledger's processor_balance) is the net of the transactions not yet paid out.
 *
 * Stripe merchants: Stripe makes them and its `payout.paid` / `payout.failed` webhooks are the
 * source of truth: one record per Stripe payout id, with Stripe's amount, currency and arrival date.
 * Stripe batches by its own schedule and balance, so these records carry no per-day breakdown
 * (gross = amount, other totals 0, no balance transactions); `processorPayoutId` reconciles them.
 *
 * A payout keeps totals and counts only, never its transactions: a busy day has thousands, far past
 * DynamoDB's 400 KB item limit. They stay where they are, filed under their day
 * (`GET /v1/payouts/{id}/balance-transactions` pages them).
 */
import type { BalanceTransaction } from "../payments/balance.ts";

export type PayoutStatus = "paid" | "failed" | "skipped";

/** What a day's balance transactions add up to in one currency. */
export interface DaySummary {
  currency: string;
  /** Net: Σ of the transactions' `net` = grossAmount − feeTotal − refundTotal − disputeTotal. */
  amount: number;
  /** Σ charges (positive). */
  grossAmount: number;
  /** Σ processor fees (positive). */
  feeTotal: number;
  /** Σ refunds, as a positive amount taken out. */
  refundTotal: number;
  /** Σ lost disputes, as a positive amount taken out. */
  disputeTotal: number;
  chargeCount: number;
  refundCount: number;
  disputeCount: number;
  /** How many of the day's balance transactions in this currency it sums. */
  balanceTransactionCount: number;
}

export interface Payout extends DaySummary {
  id: string;
  /**
   * Sandbox: the shortfall of earlier skipped days taken off this payout (≤ 0; 0 when none), so
   * `amount` = the day's net + carriedIn. Absent on Stripe payouts and on payouts made before carrying.
   */
  carriedIn?: number;
  /** The merchant's local calendar day (YYYY-MM-DD) it pays out (Stripe: the day Stripe created it). */
  date: string;
  status: PayoutStatus;
  source: "sandbox" | "stripe";
  /** Real money: false for the payouts Kassa computes for the sandbox; Stripe's own flag for Stripe's. */
  livemode: boolean;
  /** Stripe's payout id (`po_…` in Stripe's namespace). */
  processorPayoutId?: string;
  /** When the money reaches the bank (YYYY-MM-DD); absent when nothing moves (`skipped`). */
  arrivalDate?: string;
  /**
   * Why Stripe could not pay it out. `afterPaid`: it had been paid, and the bank returned it (Stripe
   * moves a paid payout to failed and the money back to the balance), so the ledger reverses the
   * payout's entry; false when it failed before it was paid. Absent on failures recorded before it.
   */
  failure?: { code: string; message: string; afterPaid?: boolean };
  createdAt: string;
  updatedAt: string;
}

const safe = (value: bigint, what: string): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} is outside the safe integer range: ${value}`);
  return n;
};

const checkTransaction = (t: BalanceTransaction): void => {
  for (const [name, value] of [
    ["amount", t.amount],
    ["fee", t.fee],
    ["net", t.net],
  ] as const) {
    if (!Number.isSafeInteger(value))
      throw new RangeError(
        `Balance transaction ${t.id}: ${name} must be an integer of minor units: ${value}`,
      );
  }
  if (t.net !== t.amount - t.fee)
    throw new RangeError(
      `Balance transaction ${t.id}: net ${t.net} is not amount ${t.amount} − fee ${t.fee}`,
    );
};

/**
 * One summary per currency present in `transactions`, sorted by currency. Pure and exact: sums are
 * BigInt, and the result does not depend on the order of the input. Throws a RangeError on a
 * transaction whose amounts are not integers or whose net is not amount − fee.
 */
export function summarizeDay(transactions: readonly BalanceTransaction[]): DaySummary[] {
  const byCurrency = new Map<string, BalanceTransaction[]>();
  for (const t of transactions) {
    checkTransaction(t);
    const list = byCurrency.get(t.currency) ?? [];
    list.push(t);
    byCurrency.set(t.currency, list);
  }
  return [...byCurrency.keys()].sort().map((currency) => {
    const list = byCurrency.get(currency) ?? [];
    let net = 0n;
    let gross = 0n;
    let fees = 0n;
    let refunds = 0n;
    let disputes = 0n;
    const counts = { charge: 0, refund: 0, dispute: 0 };
    for (const t of list) {
      net += BigInt(t.net);
      fees += BigInt(t.fee);
      counts[t.kind] += 1;
      if (t.kind === "charge") gross += BigInt(t.amount);
      else if (t.kind === "refund") refunds -= BigInt(t.amount);
      else disputes -= BigInt(t.amount);
    }
    return {
      currency,
      amount: safe(net, `The ${currency} net`),
      grossAmount: safe(gross, `The ${currency} gross`),
      feeTotal: safe(fees, `The ${currency} fees`),
      refundTotal: safe(refunds, `The ${currency} refunds`),
      disputeTotal: safe(disputes, `The ${currency} disputes`),
      chargeCount: counts.charge,
      refundCount: counts.refund,
      disputeCount: counts.dispute,
      balanceTransactionCount: list.length,
    };
  });
}

/** A sandbox payout's status: money moves only when the day's net is positive. */
export const statusOfNet = (amount: number): PayoutStatus => (amount > 0 ? "paid" : "skipped");

/** What the payout list may be narrowed to (all given conditions hold); creation times are ISO. */
export interface PayoutFilter {
  currency?: string | undefined;
  status?: PayoutStatus | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
}
