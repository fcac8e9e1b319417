import { type DomainEvent, newEvent } from "../domain/events.ts";
import type { PaymentProcessor } from "./processor.ts";

/** What a payment can pay: each kind plugs in as a `Payable` (subscriptions pay through their invoices). */
export type PayableKind = "invoice" | "checkout_session" | "quote";

/** The thing a payment pays. */
export interface PaymentFor {
  kind: PayableKind;
  id: string;
}

/**
 * A payment: money received for a document, through a processor or recorded by hand. Its history is
 * a timeline of status changes.
 */
export type PaymentStatus =
  | "processing"
  | "succeeded"
  | "failed"
  | "partially_refunded"
  | "refunded"
  | "disputed";

export type PaymentMethod =
  | { type: "bank_transfer" | "cash" | "check" | "other"; reference?: string }
  | { type: "card"; brand: string; last4: string }
  | { type: "bank_debit"; bankName?: string; last4?: string };

export interface Payment {
  id: string;
  status: PaymentStatus;
  amount: number;
  currency: string;
  /** The processor's fee, in minor units; 0 for manual payments. */
  fee: number;
  net: number;
  processor: "manual" | "sandbox" | "stripe";
  /** Real money: false for the sandbox (and for records written before Kassa recorded it). */
  livemode: boolean;
  method: PaymentMethod;
  customerId: string;
  /** Internal: the API and events name an invoice by `invoiceId` and never show `for` (`presentPayment`). */
  for: PaymentFor;
  invoiceId?: string;
  /** Internal, never shown: what a direct charge asked the processor (see `ChargeAsked`). */
  asked?: ChargeAsked;
  /**
   * Refunded so far including refunds still pending at the processor, minor units: reserved when a
   * refund is asked for, so refunds together never exceed the amount.
   */
  amountRefunded: number;
  /** Refunds the processor has settled (succeeded), minor units: what the status follows. */
  amountRefundedSettled: number;
  /** The processor's payment intent (`pi_…`). */
  processorPaymentId?: string;
  /** Why it failed: the processor's decline code and message. */
  failure?: { declineCode: string; message: string };
  /**
   * What the payment brought beyond what its invoice still owed when it succeeded (a second
   * attempt's success, one after a manual payment or a void): refunded automatically, by `refundId`.
   */
  excess?: { amount: number; refundId?: string };
  /** The latest dispute on the payment, as the newest report about it left it (see `disputeReportApplies`). */
  dispute?: PaymentDispute;
  paidAt?: string;
  history: { status: PaymentStatus; at: string; note?: string }[];
  createdAt: string;
  updatedAt: string;
}

/**
 * A direct charge's request as the payment keeps it, so that an attempt whose answer was never
 * recorded can ask again with the very same request: the processor replays its first answer for the
 * idempotency key (and makes the charge if the first request never reached it).
 */
export interface ChargeAsked {
  /** The merchant's connected account it was asked of (Stripe; none in the sandbox). */
  accountId?: string;
  /** As the processor keeps it (`keptMethod`): never a raw card number. */
  paymentMethod: string;
  processorCustomerId?: string;
  offSession: boolean;
  description: string;
  idempotencyKey: string;
}

export interface PaymentDispute {
  id: string;
  /** The processor's status (`needs_response`, `under_review`, `won`, `lost`…). */
  status: string;
  amount: number;
  reason?: string;
  /** When the dispute was opened at the processor (ISO 8601). */
  createdAt?: string;
  /** When the processor sent the report now held (ISO 8601): an older report changes nothing. */
  reportedAt?: string;
  /** Decided (won, lost, inquiry closed): final, whatever arrives after. */
  closed?: boolean;
}

/** A report of a dispute from the processor: its own status and times, whatever order reports arrive in. */
export interface DisputeReport {
  id: string;
  status: string;
  amount: number;
  reason?: string;
  createdAt: string;
  reportedAt: string;
}

/** Stripe's dispute statuses after which nothing changes: decided, or an inquiry closed without a chargeback. */
const closedDisputeStatuses: ReadonlySet<string> = new Set(["won", "lost", "warning_closed", "prevented"]);

export const isClosedDispute = (status: string): boolean => closedDisputeStatuses.has(status);

/**
 * Whether a dispute report changes what the payment holds. Reports arrive in any order (a `created`
 * after the `closed`), so the report decides by the dispute's own state: a closed dispute is final,
 * an open one moves only to a newer report, and a different dispute replaces the held one only if it
 * was opened later.
 */
export function disputeReportApplies(held: PaymentDispute | undefined, report: DisputeReport): boolean {
  if (!held) return true;
  if (held.id !== report.id) return report.createdAt > (held.createdAt ?? "");
  if (held.closed ?? isClosedDispute(held.status)) return false;
  if (isClosedDispute(report.status)) return true;
  if (report.status === held.status) return false;
  const heldAt = held.reportedAt ?? "";
  if (report.reportedAt !== heldAt) return report.reportedAt > heldAt;
  // Reported in the same second: the review follows the request for a response.
  return openDisputeStage(report.status) > openDisputeStage(held.status);
}

const openDisputeStage = (status: string): number => (status.endsWith("under_review") ? 1 : 0);

/** The failure code of a Checkout attempt whose session closed unpaid: the buyer left, nothing was declined. */
export const checkoutExpiredCode = "checkout_expired";

/**
 * The payment as the API and events show it: without the internal `for`, which `invoiceId` states,
 * and what its charge asked the processor.
 */
export type PresentedPayment = Omit<Payment, "for" | "asked">;

export function presentPayment(payment: Payment): PresentedPayment {
  const { for: _, asked: __, ...shown } = payment;
  return shown;
}

/** An event about a payment: it carries the payment as the API shows it, in the payment's mode. */
export const paymentEvent = (
  type: string,
  merchantId: string,
  payment: Payment,
  now: Date,
  data: Record<string, unknown> = {},
): DomainEvent =>
  newEvent(
    type,
    merchantId,
    payment.id,
    now,
    { payment: presentPayment(payment), ...data },
    payment.livemode,
  );

/** A payment as stored: those written before `for` existed all paid an invoice, named by `invoiceId`. */
export const storedPayment = (stored: Omit<Payment, "for"> & { for?: PaymentFor }): Payment => ({
  ...stored,
  for: stored.for ?? { kind: "invoice", id: stored.invoiceId ?? "" },
});

/** The invoice id the API shows for a payment of `paid`. */
export const invoiceIdOf = (paid: PaymentFor): { invoiceId?: string } =>
  paid.kind === "invoice" ? { invoiceId: paid.id } : {};

/** A payment recorded by hand against an invoice (bank transfer, cash, check…), in the merchant's mode. */
export function manualPayment(
  id: string,
  invoice: { id: string; currency: string; customerId: string },
  input: { amount: number; method: "bank_transfer" | "cash" | "check" | "other"; reference?: string },
  paidAt: string,
  now: Date,
  livemode: boolean,
): Payment {
  const at = now.toISOString();
  return {
    id,
    status: "succeeded",
    amount: input.amount,
    currency: invoice.currency,
    fee: 0,
    net: input.amount,
    processor: "manual",
    livemode,
    method: { type: input.method, ...(input.reference ? { reference: input.reference } : {}) },
    customerId: invoice.customerId,
    for: { kind: "invoice", id: invoice.id },
    invoiceId: invoice.id,
    amountRefunded: 0,
    amountRefundedSettled: 0,
    paidAt,
    history: [{ status: "succeeded", at, note: `Recorded manually (${input.method.replace("_", " ")})` }],
    createdAt: at,
    updatedAt: at,
  };
}

/** What a processor attempt on a payable starts as: processing, until the outcome arrives. */
export function processorPayment(
  id: string,
  due: { for: PaymentFor; amount: number; currency: string; customerId: string; asked?: ChargeAsked },
  processor: Pick<PaymentProcessor, "name" | "livemode">,
  now: Date,
): Payment {
  const at = now.toISOString();
  return {
    id,
    status: "processing",
    amount: due.amount,
    currency: due.currency,
    fee: 0,
    net: 0,
    processor: processor.name,
    livemode: processor.livemode,
    method: { type: "card", brand: "unknown", last4: "????" },
    customerId: due.customerId,
    for: due.for,
    ...invoiceIdOf(due.for),
    ...(due.asked ? { asked: due.asked } : {}),
    amountRefunded: 0,
    amountRefundedSettled: 0,
    history: [{ status: "processing", at, note: `Sent to the ${processor.name} processor` }],
    createdAt: at,
    updatedAt: at,
  };
}

/** Which status changes an incoming outcome may make: outcomes can arrive twice and out of order. */
const next: Record<PaymentStatus, readonly PaymentStatus[]> = {
  processing: ["succeeded", "failed"],
  failed: ["succeeded", "processing"],
  succeeded: ["partially_refunded", "refunded", "disputed"],
  partially_refunded: ["refunded", "disputed", "partially_refunded"],
  refunded: [],
  disputed: ["succeeded", "partially_refunded", "refunded"],
};

export const canMove = (from: PaymentStatus, to: PaymentStatus): boolean => next[from].includes(to);

/** The status after settled refunds totalling `refunded` of `amount`. */
export const refundedStatus = (amount: number, refunded: number): PaymentStatus =>
  refunded >= amount ? "refunded" : refunded > 0 ? "partially_refunded" : "succeeded";
