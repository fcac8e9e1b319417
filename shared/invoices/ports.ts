/**
 * What the invoice use cases run on: the invoice as stored (with what it keeps beside the API's
 * fields) and the store port, implemented by `shared/store/invoices.ts`.
 */
import type { DomainEvent } from "../domain/events.ts";
import type { PaymentLock } from "../domain/invoice-lifecycle.ts";
import type { Change, Page, PageRequest, Versioned } from "../domain/records.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Invoice, InvoiceFilter } from "./invoice.ts";

/** What the store keeps beside the invoice the API shows. */
export interface StoredInvoice extends Invoice {
  /** The hosted page's token (the last segment of `hostedUrl`). */
  hostedToken?: string;
  /** When an open invoice becomes overdue (start of the day after the due date, merchant time). */
  overdueAt?: string;
  /** Discount codes redeemed when the invoice was finalized. */
  discountCodeIds?: string[];
  /** The merchant's reminder days when the invoice was finalized (its schedules are named after them). */
  reminderDays?: number[];
  /** Set once, when the invoice.overdue event was emitted. */
  overdueNotifiedAt?: string;
  /** The processor payment under way, if any (see `PaymentLock`). */
  paymentLock?: PaymentLock;
  /** Processor attempts so far: the attempt number keys the processor's idempotency. */
  paymentAttempts?: number;
  /**
   * Content priced elsewhere and frozen (an accepted quote's): finalize takes it as it is, never
   * re-priced against the catalog, so the buyer pays exactly what they signed.
   */
  fixedContent?: true;
  /** Paying it saves the buyer's card for what follows (a quote's later installments or subscription). */
  savesCard?: true;
  /** An invoice whose automatic charge failed: its retries (shared/subscriptions/dunning.ts). */
  dunning?: InvoiceDunning;
  /** A draft's: its customer as last priced (see `PricedCustomer`); dropped at finalize. */
  pricedCustomer?: PricedCustomer;
}

/**
 * What a draft keeps of its customer (one on no test clock) as it was read when the draft was last
 * priced, so its finalize need not read the customer again: while the customer's item is still at
 * `version` (every write to it moves the version), the draft's billed-to snapshot and `balance` are
 * the customer as it is, and the finalize's customer write holds only if that is still so.
 */
export interface PricedCustomer {
  /** The customer store's version of the item. */
  version: number;
  /** Its credit balance in the invoice's currency then (minor units). */
  balance: number;
}

export interface InvoiceDunning {
  /** The retries' instants, planned at the first retryable failure (empty before, or none planned). */
  retryAt: string[];
  /** Retries claimed so far: retry `i` runs once, when `retried` is `i`. */
  retried: number;
  /** The last attempt recorded as failed (a redelivered failure is recorded once). */
  failedAttempt: number;
  /** The saved method that attempt charged: a different default is a new card to retry at once. */
  failedMethodId?: string;
  /** A hard decline or a needed authentication stopped blind retries; a new card resumes them. */
  awaitingNewCard?: boolean;
}

/**
 * What an invoice's move changes on its customer, in the same transaction: the open-invoice count,
 * and the credit balance in the invoice's currency (minor units; negative consumes credit, guarded so
 * it never consumes credit the customer no longer has: a conflict instead).
 */
export interface CustomerEffect {
  openInvoices?: 1 | -1;
  balance?: number;
}

export interface Finalization {
  /** The counter's value when read; the invoice takes number `counter + 1`. */
  counter: number;
  hostedToken: string;
  /** At most `maxDocumentDiscounts`, each once (the request schema and the pricing refuse more). */
  discountCodeIds: string[];
  now: Date;
  event: DomainEvent;
  /** The customer's credit balance move: `creditedToBalance − appliedBalance` (0: untouched). */
  balanceDelta?: number;
  /**
   * The customer's version the finalize took it at, unread (the draft's `PricedCustomer`): the
   * transaction holds only if the customer is still at it (else a conflict, and a re-run reads it).
   */
  customerVersion?: number;
}

/** An invoice and its merchant, each as read (absent: not found), with what a unit of work also needed. */
export interface InvoiceWithMerchant {
  invoice: Versioned<StoredInvoice> | undefined;
  merchant: Versioned<Merchant> | undefined;
}

export interface InvoiceStore {
  read(merchantId: string, id: string): Promise<Versioned<StoredInvoice> | undefined>;
  /**
   * What finalizing a draft starts from, in one request: the invoice, its merchant and the
   * merchant's invoice counter (0 before its first number), each as it is now.
   */
  readForFinalize(merchantId: string, id: string): Promise<InvoiceWithMerchant & { counter: number }>;
  /** What paying an invoice starts from, in one request: the invoice and its merchant as they are now. */
  readForPayment(merchantId: string, id: string): Promise<InvoiceWithMerchant>;
  /** `extra`: changes of other capabilities in the same transaction (a subscription's period claim). */
  create(merchantId: string, invoice: StoredInvoice, event: DomainEvent, extra?: Change[]): Promise<void>;
  replace(
    merchantId: string,
    invoice: StoredInvoice,
    version: number,
    events: DomainEvent[],
    customerDelta?: 1 | -1 | CustomerEffect,
    extra?: Change[],
  ): Promise<void>;
  remove(merchantId: string, id: string, version: number, event: DomainEvent): Promise<void>;
  /**
   * Newest first. Only the store turns the filter into conditions; `now` is when `overdue` is
   * judged.
   */
  list(
    merchantId: string,
    filter: InvoiceFilter,
    page: Pick<PageRequest, "limit" | "after">,
    now: Date,
  ): Promise<Page<StoredInvoice>>;
  /** Finalized invoices, earliest due first. */
  listByDueDate(
    merchantId: string,
    filter: InvoiceFilter,
    page: Pick<PageRequest, "limit" | "after">,
    now: Date,
  ): Promise<Page<StoredInvoice>>;
  finalize(
    merchantId: string,
    invoice: StoredInvoice,
    version: number,
    finalization: Finalization,
  ): Promise<void>;
  /**
   * The changes that replace the invoice if it is still at `version` and move its customer's open
   * count, for another capability's unit of work (a payment's outcome).
   */
  replaceWrites(
    merchantId: string,
    invoice: StoredInvoice,
    version: number,
    customerDelta?: 1 | -1 | CustomerEffect,
  ): Change[];
  findHosted(token: string): Promise<{ merchantId: string; invoiceId: string } | undefined>;
  /**
   * The write that replaces the invoice's payment lock with `lock` (or removes it), nothing else, if
   * the invoice is still at `expectedVersion`; it moves the version like any change.
   */
  paymentLockWrite(
    merchantId: string,
    invoiceId: string,
    expectedVersion: number,
    lock: PaymentLock | undefined,
  ): Change;
  /** Commits `paymentLockWrite` alone (a Checkout session recorded on the attempt's lock). */
  replaceLock(
    merchantId: string,
    invoiceId: string,
    expectedVersion: number,
    lock: PaymentLock | undefined,
  ): Promise<void>;
  /** Records, once, that an open invoice became overdue; false when it was not open or already recorded. */
  markOverdue(merchantId: string, invoiceId: string, at: string, event: DomainEvent): Promise<boolean>;
}
