/**
 * Whether a processor event may act on the Kassa records its refs name. Any connected account can
 * put Kassa's refs (`kassa_merchant_id`, `kassa_payment_id`, `kassa_refund_id`) in its objects'
 * metadata, so the refs only say where to look: the event must come from where that payment was
 * taken — the merchant's connected account in the mode of Kassa's Stripe key, or the sandbox (no
 * account, test mode) — and describe the same money. Pure: the consumer loads what the refs name and
 * asks here before any case acts; a rejection changes nothing and is recorded for the platform.
 */
import type { Merchant } from "../merchants/merchant.ts";
import type { Payment } from "./payment.ts";
import type { Refund } from "./refund.ts";

/** The platform event (and log line, counted by an alarm) of an event that failed these checks. */
export const processorEventRejected = "processor_event.rejected";

/** What an event says, in the processor's words. */
export interface EventClaim {
  /** `event.account`: the connected account it comes from; none for the platform's own events and the sandbox's. */
  account: string | undefined;
  livemode: boolean;
  /** The processor payment (`pi_…`) its object belongs to, if it names one. */
  processorPaymentId: string | undefined;
  amount: number;
  /** As the processor writes it (Stripe: lower case). */
  currency: string;
}

/** What the event's refs name: a payment's outcome, one of its refunds, or a dispute of it. */
export type EventSubject =
  | { kind: "payment"; payment: Payment }
  | {
      kind: "refund";
      payment: Payment;
      refund: Refund;
      /** The payment the refund's refs name, if they name one. */
      claimedPaymentId: string | undefined;
      /** The processor's refund (`re_…`). */
      processorRefundId: string;
    }
  | { kind: "dispute"; payment: Payment };

export type RejectionReason =
  | "processor"
  | "account"
  | "livemode"
  | "payment"
  | "refund"
  | "currency"
  | "amount";

export interface Rejection {
  reason: RejectionReason;
  detail: string;
}

/**
 * Why `claim` must not act on `subject` (undefined when it may). `stripeLivemode`: whether Kassa's
 * Stripe key is live (only read for Stripe payments).
 */
export function rejectionOf(
  claim: EventClaim,
  subject: EventSubject,
  merchant: Merchant,
  stripeLivemode: boolean,
): Rejection | undefined {
  const { payment } = subject;
  const origin = originRejection(claim, payment, merchant, stripeLivemode);
  if (origin) return origin;
  if (claim.currency.toUpperCase() !== payment.currency) {
    return {
      reason: "currency",
      detail: `${claim.currency} is not the payment's currency ${payment.currency}`,
    };
  }
  if (subject.kind === "payment") {
    if (payment.processorPaymentId && claim.processorPaymentId !== payment.processorPaymentId) {
      return {
        reason: "payment",
        detail: `${claim.processorPaymentId} is not the payment's ${payment.processorPaymentId}`,
      };
    }
    return claim.amount === payment.amount
      ? undefined
      : { reason: "amount", detail: `${claim.amount} is not the payment's amount ${payment.amount}` };
  }
  // Refunds and disputes are of a payment the processor already answered for.
  if (!payment.processorPaymentId || claim.processorPaymentId !== payment.processorPaymentId) {
    return {
      reason: "payment",
      detail: `${claim.processorPaymentId} is not the payment's ${payment.processorPaymentId ?? "(none yet)"}`,
    };
  }
  if (subject.kind === "dispute") {
    return claim.amount > 0 && claim.amount <= payment.amount
      ? undefined
      : { reason: "amount", detail: `a dispute of ${claim.amount} on a payment of ${payment.amount}` };
  }
  const { refund, claimedPaymentId, processorRefundId } = subject;
  if (refund.paymentId !== payment.id || (claimedPaymentId && claimedPaymentId !== refund.paymentId)) {
    return { reason: "refund", detail: `refund ${refund.id} is not of payment ${claimedPaymentId}` };
  }
  if (refund.processorRefundId && refund.processorRefundId !== processorRefundId) {
    return {
      reason: "refund",
      detail: `${processorRefundId} is not the refund's ${refund.processorRefundId}`,
    };
  }
  return claim.amount === refund.amount
    ? undefined
    : { reason: "amount", detail: `${claim.amount} is not the refund's amount ${refund.amount}` };
}

/** The event must come from where the payment was taken, in that place's mode. */
function originRejection(
  claim: EventClaim,
  payment: Payment,
  merchant: Merchant,
  stripeLivemode: boolean,
): Rejection | undefined {
  if (payment.processor === "manual") {
    return { reason: "processor", detail: "a payment recorded by hand takes no processor events" };
  }
  if (payment.processor === "sandbox") {
    if (claim.account) return { reason: "account", detail: `a sandbox payment, but from ${claim.account}` };
    return claim.livemode ? { reason: "livemode", detail: "a sandbox payment, but a live event" } : undefined;
  }
  if (!merchant.stripeAccountId || claim.account !== merchant.stripeAccountId) {
    return {
      reason: "account",
      detail: `from ${claim.account ?? "the platform"}, not the merchant's ${merchant.stripeAccountId ?? "(none)"}`,
    };
  }
  return claim.livemode === stripeLivemode
    ? undefined
    : {
        reason: "livemode",
        detail: `a ${claim.livemode ? "live" : "test"} event for Kassa's ${stripeLivemode ? "live" : "test"} key`,
      };
}

/** The platform's record of a rejected processor event: what arrived, what it named, and why not. */
export interface RejectedProcessorEvent extends Rejection {
  processorEventId: string;
  processorEventType: string;
  account?: string;
  livemode: boolean;
  /** When the processor sent it (ISO 8601). */
  sentAt: string;
  /** The Kassa objects its refs (or the processor payment it names) pointed at. */
  merchantId: string;
  paymentId: string;
  refundId?: string;
}
