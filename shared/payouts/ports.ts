/** What the payout use cases run on: the payout store port, implemented by `shared/store/payouts.ts`. */
import type { DomainEvent } from "../domain/events.ts";
import type { Page, PageRequest, Versioned } from "../domain/records.ts";
import type { BalanceTransaction } from "../payments/balance.ts";
import type { Payout, PayoutFilter } from "./payout.ts";

/** The run a merchant's payout chain waits for: the day it pays out and when it fires (ISO). */
export interface ChainMarker {
  date: string;
  runAt: string;
}

export interface PayoutStore {
  read(merchantId: string, id: string): Promise<Versioned<Payout> | undefined>;
  /** Newest first; only the store turns the filter into conditions. */
  list(
    merchantId: string,
    filter: PayoutFilter,
    page: Pick<PageRequest, "limit" | "after">,
  ): Promise<Page<Payout>>;
  /**
   * A sandbox payout for its day and currency, and the currency's carry set to `carry.next` (on
   * condition it is still at `carry.expectedVersion`); ConflictError when that day and currency has a
   * payout or the carry moved.
   */
  createDaily(
    merchantId: string,
    payout: Payout,
    event: DomainEvent,
    carry: { expectedVersion: number; next: number },
  ): Promise<void>;
  /** The shortfall (≤ 0) waiting for the currency's next sandbox payout, and its version (0: never set). */
  carry(merchantId: string, currency: string): Promise<{ amount: number; version: number }>;
  /** A record of a Stripe payout; ConflictError when that Stripe payout is recorded already. */
  createFromStripe(
    merchantId: string,
    payout: Payout & { processorPayoutId: string },
    event: DomainEvent,
  ): Promise<void>;
  replace(merchantId: string, payout: Payout, expectedVersion: number, event: DomainEvent): Promise<void>;
  /** The payout that holds a day and currency, if any. */
  findDaily(merchantId: string, date: string, currency: string): Promise<string | undefined>;
  /** The payout that records a Stripe payout, if any. */
  findByStripePayout(merchantId: string, processorPayoutId: string): Promise<string | undefined>;
  /** Every balance transaction of the merchant's local day, in id order. */
  balanceTransactionsOfDay(merchantId: string, date: string): Promise<BalanceTransaction[]>;
  /** One page of a day's balance transactions in one currency, oldest first. */
  balanceTransactionsPage(
    merchantId: string,
    date: string,
    currency: string,
    query: Pick<PageRequest, "limit" | "after">,
  ): Promise<Page<BalanceTransaction>>;
  /** Records the run the merchant's chain waits for; never moves it back to an earlier day. */
  markNextRun(merchantId: string, marker: ChainMarker): Promise<void>;
  /** The chain markers of these merchants (at most 100), for those that have one. */
  chainMarkers(merchantIds: readonly string[]): Promise<Map<string, ChainMarker>>;
}
