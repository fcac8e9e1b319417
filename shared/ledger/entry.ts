/** The ledger's double-entry records, as the ledger's store returns them and its exports read them. */
export const ledgerAccounts = ["accounts_receivable","revenue","tax_payable","discounts","fees_income",
  "processor_balance","processor_fees","refunds","disputes","dispute_fees","bad_debt","bank","customer_credit"] as const;
export type LedgerAccount = (typeof ledgerAccounts)[number];
export interface LedgerLine { account: LedgerAccount; debit: number; credit: number } // minor units, one of them 0
export interface LedgerEntry {
  id: string; livemode: boolean; currency: string;
  postedAt: string;   // ISO instant of the source event
  date: string;       // YYYY-MM-DD in the merchant's time zone
  description: string;
  source: { object: string; id: string };  // e.g. { object: "invoice", id: "inv_…" }
  eventId: string;
  lines: LedgerLine[]; // Σ debit = Σ credit
}
