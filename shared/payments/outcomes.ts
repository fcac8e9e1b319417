/**
 * Applying processor outcomes to a payment and what it pays (from the API call's answer or from the
 * processor's events — whichever arrives first; the other finds the work done), and refunding what
 * a success brought beyond what the payable owed. The payable (`Payable`, found by the payment's
 * `for`) decides what the outcome changes of it; every change is one unit of work with its events and
 * balance transactions, so nothing is paid or counted twice.
 */
import { ConflictError, NotFoundError, retryOnConflict, ValidationError } from "../domain/errors.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { Versioned } from "../domain/records.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { BalanceTransaction } from "./balance.ts";
import { payableFor } from "./payable.ts";
import { canMove, checkoutExpiredCode, type Payment, paymentEvent } from "./payment.ts";
import { merchantOf, moneyMoved, type PaymentPorts } from "./ports.ts";
import type { PaymentMethodDetails } from "./processor.ts";
import { refundPayment } from "./refunds.ts";

export type Outcome =
  | { status: "succeeded"; method?: PaymentMethodDetails; processorPaymentId?: string }
  | { status: "processing"; method?: PaymentMethodDetails; processorPaymentId?: string }
  | {
      status: "failed";
      declineCode: string;
      message: string;
      method?: PaymentMethodDetails;
      processorPaymentId?: string;
      /** The Checkout session is over (expired, or its bank debit failed): see `lockAfterOutcome`. */
      sessionOver?: boolean;
    };

/** A Checkout session that closed unpaid. */
export const checkoutExpired: Outcome = {
  status: "failed",
  declineCode: checkoutExpiredCode,
  message: "The checkout session closed before the buyer paid",
  sessionOver: true,
};

/**
 * What the caller already read: the merchant, and the payment with its version (its conditional
 * write catches a change since; the retry then reads afresh).
 */
interface Known {
  merchant?: Merchant | undefined;
  payment?: Versioned<Payment> | undefined;
}

/** The payment as the outcome left it, and the payable as it changed it (opaque: its own port's value). */
export interface Applied {
  payment: Payment;
  payable?: unknown;
}

/**
 * Applies a processor outcome to a payment and what it pays. Idempotent and order-tolerant: an
 * outcome the payment's current status does not allow (a duplicate, or a stale one arriving late)
 * changes nothing, except what it may end of the attempt's hold on the payable. A success beyond what
 * the payable still owes (a second attempt's, one after a manual payment or a void) pays what is owed
 * and the rest is refunded (`refundExcess`).
 */
export async function applyOutcome(
  ports: PaymentPorts,
  merchantId: string,
  paymentId: string,
  outcome: Outcome,
  known: Known = {},
): Promise<Applied> {
  // A lost race (another delivery of the same outcome, a concurrent change) re-reads and tries again:
  // a payment the caller read is used for the first try only.
  const applied = await retryOnConflict(5, (run) =>
    applyOnce(ports, merchantId, paymentId, outcome, run === 1 ? known : { ...known, payment: undefined }),
  );
  return excessOwedBack(applied.payment) > 0
    ? { ...applied, payment: await refundExcess(ports, merchantId, paymentId) }
    : applied;
}

async function applyOnce(
  ports: PaymentPorts,
  merchantId: string,
  paymentId: string,
  outcome: Outcome,
  known: Known,
): Promise<Applied> {
  const found = known.payment ?? (await ports.payments.read(merchantId, paymentId));
  if (!found) throw new NotFoundError("Payment");
  const { value: payment, version } = found;
  const settling = await payableFor(ports.payables, payment.for).atOutcome(
    merchantId,
    payment.for.id,
    payment.id,
  );
  const now = ports.clock.now();
  const at = now.toISOString();
  const ofPayment = {
    paymentId: payment.id,
    status: outcome.status,
    sessionOver: outcome.status === "failed" && outcome.sessionOver === true,
    livemode: payment.livemode,
    now,
  };

  if (payment.status === outcome.status || !canMove(payment.status, outcome.status)) {
    // A report of the status the payment already has may still be the first to name its method
    // or processor id (checkout.session.completed carries no method; a bank debit starts and
    // stays `processing`): keep them, so the record does not depend on which report came first.
    const same = payment.status === outcome.status;
    const method =
      same && payment.method.type === "card" && payment.method.brand === "unknown"
        ? outcome.method
        : undefined;
    const processorPaymentId = same && !payment.processorPaymentId ? outcome.processorPaymentId : undefined;
    const filled: Payment | undefined =
      method || processorPaymentId
        ? {
            ...payment,
            ...(method ? { method } : {}),
            ...(processorPaymentId ? { processorPaymentId } : {}),
            updatedAt: at,
          }
        : undefined;
    // A stale or duplicate outcome may still end the attempt's hold on what it pays.
    const { changes } = settling?.settle({ ...ofPayment, moves: false, taken: 0 }) ?? { changes: [] };
    if (!filled && changes.length === 0) return { payment };
    await ports.payments.recordOutcome(merchantId, {
      ...(filled ? { payment: { value: filled, expectedVersion: version } } : {}),
      ...(processorPaymentId ? { processorPaymentId } : {}),
      events: [],
      changes,
    });
    return { payment: filled ?? payment };
  }

  const next: Payment = {
    ...payment,
    status: outcome.status,
    ...(outcome.method ? { method: outcome.method } : {}),
    ...(outcome.processorPaymentId ? { processorPaymentId: outcome.processorPaymentId } : {}),
    history: [
      ...payment.history,
      { status: outcome.status, at, ...(outcome.status === "failed" ? { note: outcome.message } : {}) },
    ],
    updatedAt: at,
  };
  let taken = 0;
  let balance: BalanceTransaction | undefined;
  let event: DomainEvent;
  if (outcome.status === "succeeded") {
    const fee = ports.feeFor(payment);
    next.fee = fee;
    next.net = payment.amount - fee;
    next.paidAt = at;
    next.failure = undefined;
    const merchant = known.merchant ?? (await merchantOf(ports, merchantId));
    balance = moneyMoved(merchant, "charge", payment, payment.amount, fee, now);
    // What the payable still owes: nothing once it is paid or void. Without one, the payment is all its own.
    taken = settling ? Math.min(payment.amount, settling.owed) : payment.amount;
    if (taken < payment.amount) next.excess = { amount: payment.amount - taken };
    // The balance transaction rides along, so the reports fold it without reading it back.
    event = paymentEvent("payment.succeeded", merchantId, next, now, { balanceTransaction: balance });
  } else if (outcome.status === "failed") {
    next.failure = { declineCode: outcome.declineCode, message: outcome.message };
    event = paymentEvent("payment.failed", merchantId, next, now, { hostedUrl: settling?.hostedUrl });
  } else {
    event = paymentEvent("payment.processing", merchantId, next, now);
  }
  // After the payment's own event, so the feed shows the payment before what it paid.
  const settled = settling?.settle({ ...ofPayment, moves: true, taken }) ?? { changes: [], events: [] };
  await ports.payments.recordOutcome(merchantId, {
    payment: { value: next, expectedVersion: version },
    ...(next.processorPaymentId && next.processorPaymentId !== payment.processorPaymentId
      ? { processorPaymentId: next.processorPaymentId }
      : {}),
    ...(balance ? { balance } : {}),
    events: [event, ...settled.events],
    changes: settled.changes,
  });
  return { payment: next, ...(settled.after !== undefined ? { payable: settled.after } : {}) };
}

/** What a payment's excess still needs refunded: refunds already made or in flight count towards it. */
const excessOwedBack = (payment: Payment): number =>
  payment.excess ? payment.excess.amount - payment.amountRefunded : 0;

/**
 * Refunds what a payment brought beyond what its invoice owed, and records it on the payment with a
 * `payment.duplicate_refunded` event (the merchant is told). Decided from the payment's refunded
 * total, which `refundPayment` reserves in the transaction that records the refund: a redelivered
 * outcome, a concurrent report or a retry after a crash finds the excess covered and refunds nothing;
 * a refund that failed released its reservation, so the next delivery tries again.
 */
async function refundExcess(ports: PaymentPorts, merchantId: string, paymentId: string): Promise<Payment> {
  let refundId: string | undefined;
  return retryOnConflict(5, async () => {
    const read = async () => {
      const found = await ports.payments.read(merchantId, paymentId);
      if (!found) throw new NotFoundError("Payment");
      return found;
    };
    let found = await read();
    const owedBack = excessOwedBack(found.value);
    if (owedBack <= 0 && !refundId) return found.value;
    if (owedBack > 0) {
      const refund = await refundPayment(ports, merchantId, paymentId, {
        amount: owedBack,
        reason: "duplicate",
      }).catch((error) => {
        // A concurrent report's refund reserved the excess between the read above and this refund's
        // own: nothing is refundable any more. Read again (a lost race), and find the excess covered.
        if (error instanceof ValidationError) throw new ConflictError("The excess is being refunded already");
        throw error;
      });
      // Thrown so the outcome's delivery fails and is retried: the excess must go back.
      if (refund.status === "failed")
        throw new Error(`Refund ${refund.id} of payment ${paymentId}'s excess failed`);
      refundId = refund.id;
      found = await read();
    }
    const { value: payment, version } = found;
    if (!payment.excess || payment.excess.refundId) return payment;
    const now = ports.clock.now();
    const next: Payment = {
      ...payment,
      excess: { ...payment.excess, refundId },
      updatedAt: now.toISOString(),
    };
    await ports.payments.recordOutcome(merchantId, {
      payment: { value: next, expectedVersion: version },
      events: [
        paymentEvent("payment.duplicate_refunded", merchantId, next, now, {
          invoiceId: payment.invoiceId,
          excessAmount: payment.excess.amount,
          refundId,
        }),
      ],
    });
    return next;
  });
}
