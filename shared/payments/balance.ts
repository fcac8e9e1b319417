/**
 * Balance transactions: every movement of a merchant's money (a charge, its fee, a refund, a lost
 * dispute), dated by the merchant's local calendar day. A day's payout is their sum per currency.
 */
export type BalanceType = "charge" | "refund" | "dispute";

export interface BalanceTransaction {
  id: string;
  kind: BalanceType;
  /** Signed: positive for money in (charges), negative for money out (refunds, lost disputes). */
  amount: number;
  /** The processor's fee (charges only). */
  fee: number;
  /** amount − fee. */
  net: number;
  currency: string;
  /** The payment, refund or dispute it comes from. */
  sourceId: string;
  /** The merchant's local calendar day (YYYY-MM-DD). */
  date: string;
  createdAt: string;
}

export function balanceTransaction(
  id: string,
  kind: BalanceType,
  source: { id: string; currency: string },
  amount: number,
  fee: number,
  date: string,
  now: Date,
): BalanceTransaction {
  return {
    id,
    kind,
    amount,
    fee,
    net: amount - fee,
    currency: source.currency,
    sourceId: source.id,
    date,
    createdAt: now.toISOString(),
  };
}
