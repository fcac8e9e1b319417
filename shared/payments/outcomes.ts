/**
 * Applying processor outcomes to a payment and its invoice (from the API call's answer or from the
 * processor's events — whichever arrives first; the other finds the work done), and refunding what
 * a success brought beyond what the invoice owed. Every change is one conditional transaction with
 * its events and balance transactions, so nothing is paid or counted twice.
 */
import { ConflictError, NotFoundError, retryOnConflict, ValidationError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { countsAsOpen, isPayable, lockAfterOutcome } from "../domain/invoice-lifecycle.ts";
import { presentInvoice } from "../invoices/service.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { StoredInvoice } from "../invoices/ports.ts";
import type { Versioned } from "../store/collection.ts";
import { transact } from "../store/collection.ts";
import { eventPut as eventItem } from "../store/outbox.ts";
import { canMove, checkoutExpiredCode, type Payment } from "./payment.ts";
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
 * Applies a processor outcome to a payment and its invoice. Idempotent and order-tolerant: an
 * outcome the payment's current status does not allow (a duplicate, or a stale one arriving late)
 * changes nothing, except what it may end of the attempt's hold on the invoice. A success beyond what
 * the invoice still owes (a second attempt's, one after a manual payment or a void) pays what is owed
 * and the rest is refunded (`refundExcess`).
 */
/**
 * What the caller already read: the merchant, and the payment with its version (its conditional
 * write catches a change since; the retry then reads afresh).
 */
interface Known {
  merchant?: Merchant | undefined;
  payment?: Versioned<Payment> | undefined;
}

export async function applyOutcome(
  ports: PaymentPorts,
  merchantId: string,
  paymentId: string,
  outcome: Outcome,
  known: Known = {},
): Promise<{ payment: Payment; invoice?: StoredInvoice }> {
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
): Promise<{ payment: Payment; invoice?: StoredInvoice }> {
  const found = known.payment ?? (await ports.payments.read(merchantId, paymentId));
  if (!found) throw new NotFoundError("Payment");
  const { value: payment, version } = found;
  const invoiceFound = payment.invoiceId
    ? await ports.invoices.read(merchantId, payment.invoiceId)
    : undefined;
  const invoice = invoiceFound?.value;
  const lock = invoice?.paymentLock?.paymentId === payment.id ? invoice.paymentLock : undefined;
  const nextLock = lock
    ? lockAfterOutcome(lock, outcome.status, outcome.status === "failed" && outcome.sessionOver === true)
    : undefined;
  const lockChanged = lock !== undefined && nextLock !== lock;
  const now = ports.clock.now();
  const at = now.toISOString();

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
    if (!filled && !lockChanged) return { payment };
    await transact(
      [
        ...(filled ? [ports.payments.replaceWrite(merchantId, filled, version)] : []),
        ...(processorPaymentId
          ? [ports.payments.processorRefWrite(processorPaymentId, merchantId, payment.id)]
          : []),
        ...(invoice && lockChanged
          ? [ports.invoices.paymentLockWrite(merchantId, invoice.id, invoiceFound.version, nextLock)]
          : []),
      ],
      "The payment was changed by another request",
    );
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
  let nextInvoice: StoredInvoice | undefined;
  const events = [];
  const extra = [];
  let customerDelta: -1 | undefined;
  if (next.processorPaymentId && next.processorPaymentId !== payment.processorPaymentId) {
    extra.push(ports.payments.processorRefWrite(next.processorPaymentId, merchantId, payment.id));
  }
  if (outcome.status === "succeeded") {
    const fee = ports.feeFor(payment);
    next.fee = fee;
    next.net = payment.amount - fee;
    next.paidAt = at;
    next.failure = undefined;
    const merchant = known.merchant ?? (await merchantOf(ports, merchantId));
    extra.push(moneyMoved(ports, merchant, "charge", payment, payment.amount, fee, now));
    // What the invoice still owes: nothing once it is paid or void.
    const owed = invoice && isPayable(invoice) ? invoice.amountRemaining : 0;
    const applied = invoice ? Math.min(payment.amount, owed) : payment.amount;
    if (applied < payment.amount) next.excess = { amount: payment.amount - applied };
    events.push(newEvent("payment.succeeded", merchantId, payment.id, now, { payment: next }, next.livemode));
    if (invoice && applied > 0) {
      const remaining = invoice.amountRemaining - applied;
      nextInvoice = {
        ...invoice,
        amountPaid: invoice.amountPaid + applied,
        amountRemaining: remaining,
        ...(remaining === 0 ? { status: "paid" as const, paidAt: at } : {}),
        updatedAt: at,
      };
      if (remaining === 0) {
        events.push(
          newEvent(
            "invoice.paid",
            merchantId,
            invoice.id,
            now,
            { invoice: presentInvoice(nextInvoice, now) },
            next.livemode,
          ),
        );
        if (countsAsOpen(invoice.status)) customerDelta = -1;
      }
    }
  } else if (outcome.status === "failed") {
    next.failure = { declineCode: outcome.declineCode, message: outcome.message };
    events.push(
      newEvent(
        "payment.failed",
        merchantId,
        payment.id,
        now,
        { payment: next, hostedUrl: invoice?.hostedUrl },
        next.livemode,
      ),
    );
  } else {
    events.push(
      newEvent("payment.processing", merchantId, payment.id, now, { payment: next }, next.livemode),
    );
  }
  if (invoice && lockChanged) {
    const { paymentLock: _, ...rest } = nextInvoice ?? invoice;
    nextInvoice = { ...rest, ...(nextLock ? { paymentLock: nextLock } : {}), updatedAt: at };
  }
  if (nextInvoice && invoiceFound) {
    const [first, ...rest] = events;
    if (!first) throw new Error("unreachable: an outcome always has an event");
    await ports.invoices.replace(
      merchantId,
      nextInvoice,
      invoiceFound.version,
      [first, ...rest],
      customerDelta,
      [ports.payments.replaceWrite(merchantId, next, version), ...extra],
    );
  } else {
    await transact(
      [
        ports.payments.replaceWrite(merchantId, next, version),
        ...extra,
        ...events.map((e) => ({ item: eventItem(e) })),
      ],
      "The payment was changed by another request",
    );
  }
  return { payment: next, ...(nextInvoice ? { invoice: nextInvoice } : {}) };
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
    await transact(
      [
        ports.payments.replaceWrite(merchantId, next, version),
        {
          item: eventItem(
            newEvent(
              "payment.duplicate_refunded",
              merchantId,
              paymentId,
              now,
              { payment: next, invoiceId: payment.invoiceId, excessAmount: payment.excess.amount, refundId },
              next.livemode,
            ),
          ),
        },
      ],
      "The payment was changed by another request",
    );
    return next;
  });
}
