/** What the ledger runs on: its store (shared/store/ledger.ts) and the merchant's zone and mode. */
import type { Page, PageRequest } from "../domain/records.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { LedgerAccount, LedgerEntry } from "./entry.ts";

/** One account's totals in one mode and currency: Σ debits, Σ credits and debits − credits. */
export interface AccountBalance {
  account: LedgerAccount;
  currency: string;
  debit: number;
  credit: number;
  balance: number;
}

export interface LedgerEntryQuery {
  livemode: boolean;
  /** Local days (YYYY-MM-DD), both included; open-ended when absent. */
  from?: string | undefined;
  to?: string | undefined;
  /** Only entries with a line on this account. */
  account?: LedgerAccount | undefined;
  currency?: string | undefined;
}

export interface LedgerStore {
  /**
   * Writes the event's entries, adds their lines to the per-account daily rollups and running
   * totals, and claims the event's marker, all in one transaction: false (nothing written) when the
   * event was posted already.
   */
  postOnce(merchantId: string, eventId: string, entries: readonly LedgerEntry[]): Promise<boolean>;
  /** One page of entries, oldest first (by local day, then by event). */
  list(
    merchantId: string,
    query: LedgerEntryQuery,
    page: Pick<PageRequest, "limit" | "after">,
  ): Promise<Page<LedgerEntry>>;
  /**
   * The totals of every account touched in `livemode`, per currency: now (the running totals, one
   * item each), or at the end of local day `asOf` (the daily rollups up to it, summed).
   */
  balances(merchantId: string, livemode: boolean, asOf?: string): Promise<AccountBalance[]>;
}

export interface LedgerPorts {
  ledger: LedgerStore;
  merchantOf(merchantId: string): Promise<Merchant | undefined>;
}
