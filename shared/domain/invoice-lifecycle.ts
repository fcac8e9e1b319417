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
