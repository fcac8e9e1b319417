/**
 * The ledger's shapes (issue 17 §2): balanced double-entry lines on a fixed chart of accounts. Other
 * capabilities (the accounting exports) read entries in this shape through `ledgerEntriesBetween`
 * (shared/store/ledger.ts), so the fields below are a contract: extend by adding, never renaming.
 */
export const ledgerAccounts = [
  "accounts_receivable",
  "revenue",
  "tax_payable",
  "discounts",
  "fees_income",
  "processor_balance",
  "processor_fees",
  "refunds",
  "disputes",
  "dispute_fees",
  "bad_debt",
  "bank",
  "customer_credit",
] as const;
export type LedgerAccount = (typeof ledgerAccounts)[number];

/** One side of one account: minor units, one of `debit` and `credit` is 0. */
export interface LedgerLine {
  account: LedgerAccount;
  debit: number;
  credit: number;
}

export interface LedgerEntry {
  id: string;
  livemode: boolean;
  currency: string;
  /** ISO instant of the source event. */
  postedAt: string;
  /** YYYY-MM-DD in the merchant's time zone. */
  date: string;
  description: string;
  /** The object the money movement belongs to, e.g. `{ object: "invoice", id: "inv_…" }`. */
  source: { object: string; id: string };
  eventId: string;
  /** Σ debit = Σ credit. */
  lines: LedgerLine[];
}
