/**
 * The invoice state machine and payment terms. `draft → open → paid | void | uncollectible`, and
 * `uncollectible → paid | void`. Drafts are editable; finalized content is frozen.
 */
import { addDays, localDate, startOfLocalDay } from "./calendar.ts";
import { StateConflictError, ValidationError } from "./errors.ts";

export type InvoiceStatus = "draft" | "open" | "paid" | "void" | "uncollectible";
export type PaymentTerms = "due_on_receipt" | "net_7" | "net_15" | "net_30" | "net_45" | "net_60" | "net_90";

const allowedFrom = {
  edit: ["draft"],
  delete: ["draft"],
  finalize: ["draft"],
  send: ["open", "uncollectible", "paid"],
  void: ["open", "uncollectible"],
  markUncollectible: ["open"],
  recordPayment: ["open", "uncollectible"],
} as const satisfies Record<string, readonly InvoiceStatus[]>;

export type InvoiceAction = keyof typeof allowedFrom;

const verbs: Record<InvoiceAction, string> = {
  edit: "edit",
  delete: "delete",
  finalize: "finalize",
  send: "send",
  void: "void",
  markUncollectible: "mark as uncollectible",
  recordPayment: "record a payment on",
};

/** Throws a 409 naming the current status when `action` is not allowed from it. */
export function assertInvoiceCan(action: InvoiceAction, status: InvoiceStatus): void {
  if (!(allowedFrom[action] as readonly InvoiceStatus[]).includes(status)) {
    throw new StateConflictError(`Cannot ${verbs[action]} an invoice whose status is ${status}`);
  }
}

/**
 * Whether a buyer can pay the invoice now: its status takes payments and something is still due. The
 * one rule behind the pay button, the pay form and what a late payment still owes.
 */
export const isPayable = (invoice: { status: InvoiceStatus; amountRemaining: number }): boolean =>
  (allowedFrom.recordPayment as readonly InvoiceStatus[]).includes(invoice.status) &&
  invoice.amountRemaining > 0;

/**
 * A processor attempt under way on an invoice. While it holds, no other attempt may start and the
 * invoice cannot be voided, marked uncollectible or paid by hand: only the attempt's definite outcome
 * releases it, or time, but only once the attempt can no longer succeed.
 */
export interface PaymentLock {
  paymentId: string;
  /**
   * `charge`: one synchronous charge, over with its answer. `checkout`: the processor's hosted page,
   * where a declined card is not the end (the buyer may try another until the session closes).
   */
  via: "charge" | "checkout";
  checkoutSessionId?: string;
  /**
   * When the attempt can no longer succeed (a Checkout session's expiry plus a margin), so the lock
   * lapses. Absent once the payment is processing: a bank debit settles or fails, it never lapses.
   */
  until?: string;
}

/** Whether `lock` still holds at `now`. */
export const paymentInFlight = (lock: PaymentLock | undefined, now: Date): lock is PaymentLock =>
  lock !== undefined && (lock.until === undefined || lock.until > now.toISOString());

/**
 * The lock once its own attempt reports an outcome (`undefined`: released; the same object: unchanged). A success ends the
 * attempt; a processing payment (a bank debit) holds the invoice until it settles or fails, however
 * long that takes; a failure ends a charge, but a Checkout attempt only when the session itself is
 * over (`sessionOver`: it expired, or its bank debit failed) — the buyer may try another card in it.
 */
export function lockAfterOutcome(
  lock: PaymentLock,
  status: "succeeded" | "processing" | "failed",
  sessionOver = false,
): PaymentLock | undefined {
  if (status === "succeeded") return undefined;
  if (status === "processing") {
    if (lock.until === undefined) return lock;
    const { until: _, ...held } = lock;
    return held;
  }
  return lock.via === "charge" || sessionOver ? undefined : lock;
}

/** Throws a 409 while a processor payment is in flight: its outcome could pay the invoice meanwhile. */
export function assertNoPaymentInFlight(lock: PaymentLock | undefined, now: Date): void {
  if (paymentInFlight(lock, now)) {
    throw new StateConflictError(
      "A card or bank payment for this invoice is in progress; wait for its outcome and try again",
    );
  }
}

/** Invoices counted as open for a customer (they block deleting it). */
export const countsAsOpen = (status: InvoiceStatus): boolean =>
  status === "open" || status === "uncollectible";

export const termDays: Record<PaymentTerms, number> = {
  due_on_receipt: 0,
  net_7: 7,
  net_15: 15,
  net_30: 30,
  net_45: 45,
  net_60: 60,
  net_90: 90,
};

/**
 * The due date, counted from the issue (finalize) date in the merchant's time zone: the terms' days
 * after it, or an explicit date, which may not lie before the issue date.
 */
export function dueDateFor(
  issuedAt: Date,
  timeZone: string,
  terms: { paymentTerms?: PaymentTerms; dueDate?: string },
): string {
  const issueDate = localDate(issuedAt, timeZone);
  if (terms.dueDate) {
    if (terms.dueDate < issueDate) {
      throw new ValidationError([
        { path: "dueDate", message: `must not be before the issue date ${issueDate}` },
      ]);
    }
    return terms.dueDate;
  }
  return addDays(issueDate, termDays[terms.paymentTerms ?? "due_on_receipt"]);
}

/** The instant an invoice due on `dueDate` becomes overdue: the start of the next local day. */
export const overdueAt = (dueDate: string, timeZone: string): Date =>
  startOfLocalDay(addDays(dueDate, 1), timeZone);
