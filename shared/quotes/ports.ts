/**
 * What the quote use cases run on: the quote as stored and the store port, implemented by
 * `shared/store/quotes.ts`.
 */
import type { PaymentPlan } from "./plan.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { Change, Page, PageRequest, Versioned } from "../domain/records.ts";
import type { PlanProgress, Quote, QuoteFilter } from "./quote.ts";

/** What the store keeps beside the quote the API shows. */
export interface StoredQuote extends Quote {
  /** The hosted page's token (the last segment of `hostedUrl`). */
  hostedToken?: string;
  /**
   * Each countersigner's own page token (`/q/{token}/countersign/{signerToken}`), in the order of
   * `countersigners`: made when the buyer signs, mailed to that countersigner, never shown by the API.
   */
  countersignerTokens?: string[];
  /** The numbering sequence of the quote and its revisions (`Q-0001` and `Q-0001-2` share 1). */
  sequence?: number;
  /** 1 for an original, 2 for its first revision, … */
  revision?: number;
  /**
   * Per line, whether it bills a recurring product, as priced: what acceptance splits the quote by
   * (the one-time invoice, the subscription's items) without reading the catalog again.
   */
  recurringLines: boolean[];
  /** The payment plan worked out (plan.ts): each installment's amount, tax and invoice line. */
  plannedPayments?: PaymentPlan;
  /** When its discount codes were counted as redeemed, after acceptance (once per quote). */
  discountsRedeemedAt?: string;
  /** After acceptance: the plan's and each installment's state (shown in `paymentPlan`). */
  planProgress?: PlanProgress;
  /** The card saved at the first payment (a payment method id), charged for later installments. */
  paymentMethodId?: string;
}

/** What a publish writes besides the quote, in the same transaction. */
export interface Publication {
  /** The counter as read (an original takes the next number from it); none for a revision. */
  counter?: number;
  hostedToken: string;
  /** The PDF rendered once: its SHA-256 is the quote's `contentHash`. */
  pdf: Uint8Array;
  event: DomainEvent;
  /** A revision's publish supersedes the open quote it revises, if that one is still at `version`. */
  supersede?: { quote: StoredQuote; version: number; event: DomainEvent };
}

export interface QuoteStore {
  read(merchantId: string, id: string): Promise<Versioned<StoredQuote> | undefined>;
  create(merchantId: string, quote: StoredQuote, event: DomainEvent): Promise<void>;
  replace(merchantId: string, quote: StoredQuote, version: number, event: DomainEvent): Promise<void>;
  remove(merchantId: string, id: string, version: number, event: DomainEvent): Promise<void>;
  /** The quote replaced if it is still at `version`, as a change of another unit of work. */
  replaceWrite(merchantId: string, quote: StoredQuote, version: number): Change;
  list(
    merchantId: string,
    filter: QuoteFilter,
    page: Pick<PageRequest, "limit" | "after">,
  ): Promise<Page<StoredQuote>>;
  /** The merchant's last quote sequence number (0 before the first publish). */
  readCounter(merchantId: string): Promise<number>;
  publish(merchantId: string, quote: StoredQuote, version: number, publication: Publication): Promise<void>;
  /** The PDF stored at publish. */
  readPdf(merchantId: string, quoteId: string): Promise<Uint8Array | undefined>;
  /** The signed PDF kept at its first making (none before). */
  readSignedPdf(merchantId: string, quoteId: string): Promise<Uint8Array | undefined>;
  /**
   * Keeps an accepted quote's signed PDF unless one is kept already: the first one made stays, and
   * is what this returns (a retried or concurrent making never replaces it).
   */
  keepSignedPdf(merchantId: string, quoteId: string, pdf: Uint8Array): Promise<Uint8Array>;
  /** The quote a hosted page token shows. */
  findHosted(token: string): Promise<{ merchantId: string; quoteId: string } | undefined>;
  /** A quote's event, as a change of the unit of work that moves the quote (`replaceWrite`). */
  eventWrite(event: DomainEvent): Change;
}
