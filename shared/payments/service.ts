/**
 * Payment use cases: charging an invoice through the merchant's processor, applying outcomes
 * (from the API call's answer or from the processor's events — whichever arrives first; the other
 * finds the work done), refunds and disputes. Every change is one conditional transaction with its
 * events and balance transactions, so nothing is paid, refunded or counted twice.
 */
import type { Clock } from "../domain/clock.ts";
import { localDate } from "../domain/calendar.ts";
import {
  ConflictError,
  NotFoundError,
  PaymentDeclinedError,
  retryOnConflict,
  ValidationError,
} from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { assertInvoiceCan, countsAsOpen } from "../domain/invoice-lifecycle.ts";
import { presentInvoice } from "../invoices/service.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { InvoiceStore, StoredInvoice } from "../store/invoices.ts";
import type { MerchantStore } from "../store/merchants.ts";
import type { PaymentStore } from "../store/payments.ts";
import { transact } from "../store/collection.ts";
import { eventPut as eventItem } from "../store/outbox.ts";
import { type BalanceType, balanceTransaction } from "./balance.ts";
import { canMove, type Payment, type PaymentStatus, processorPayment, refundedStatus } from "./payment.ts";
import type { ChargeResult, PaymentMethodDetails, PaymentProcessor } from "./processor.ts";
import type { Refund } from "./refund.ts";

export interface PaymentPorts {
  invoices: InvoiceStore;
  payments: PaymentStore;
  merchants: MerchantStore;
  clock: Clock;
  processorFor(merchant: Merchant): Promise<PaymentProcessor>;
  /**
   * The processor's fee on a payment. Computed from the payment itself (the sandbox's published
   * rate; 0 for Stripe, whose fees arrive with its payouts) so that an outcome gives the same final
   * state whichever of its reports — API answer, payment_intent or checkout event — lands first.
   */
  feeFor(payment: Payment): number;
}

/** How long an attempt blocks another on the same invoice if its outcome never arrives. */
const paymentLockMs = 15 * 60_000;

export type Outcome =
  | { status: "succeeded"; method?: PaymentMethodDetails; processorPaymentId?: string }
  | { status: "processing"; method?: PaymentMethodDetails; processorPaymentId?: string }
  | {
      status: "failed";
      declineCode: string;
      message: string;
      method?: PaymentMethodDetails;
      processorPaymentId?: string;
    };

/** The balance transaction of a money movement, dated by the merchant's local day. */
function moneyMoved(
  ports: PaymentPorts,
  merchant: Merchant,
  kind: BalanceType,
  source: { id: string; currency: string },
  amount: number,
  fee: number,
  now: Date,
) {
  const entry = balanceTransaction(
    newId("balanceTransaction", now),
    kind,
    source,
    amount,
    fee,
    localDate(now, merchant.timeZone),
    now,
  );
  return ports.payments.balanceWrite(merchant.id, entry);
}

async function merchantOf(ports: PaymentPorts, merchantId: string): Promise<Merchant> {
  const merchant = await ports.merchants.readMerchant(merchantId);
  if (!merchant) throw new NotFoundError("Merchant");
  return merchant.value;
}

/**
 * Opens a processor payment attempt for an invoice's remaining amount. The invoice is locked to the
 * attempt in the same transaction that records it, so two buyers paying at once cannot both
 * charge; the attempt number keys the processor's idempotency.
 */
async function startInvoicePayment(ports: PaymentPorts, merchantId: string, invoiceId: string) {
  const [found, merchant] = await Promise.all([
    ports.invoices.read(merchantId, invoiceId),
    merchantOf(ports, merchantId),
  ]);
  if (!found) throw new NotFoundError("Invoice");
  const { value: invoice, version } = found;
  assertInvoiceCan("recordPayment", invoice.status);
  const now = ports.clock.now();
  if (invoice.amountRemaining <= 0) throw new ConflictError("Nothing is due on this invoice");
  if (invoice.paymentInProgress && (invoice.paymentLockUntil ?? "") > now.toISOString()) {
    throw new ConflictError("A payment for this invoice is already in progress");
  }
  const processor = await ports.processorFor(merchant);
  const attempt = (invoice.paymentAttempts ?? 0) + 1;
  const payment = processorPayment(newId("payment", now), invoice, processor, now);
  const locked: StoredInvoice = {
    ...invoice,
    paymentInProgress: payment.id,
    paymentLockUntil: new Date(now.getTime() + paymentLockMs).toISOString(),
    paymentAttempts: attempt,
    updatedAt: now.toISOString(),
  };
  await ports.invoices.replace(
    merchantId,
    locked,
    version,
    [newEvent("payment.created", merchantId, payment.id, now, { payment, invoiceId }, payment.livemode)],
    undefined,
    [ports.payments.putWrite(merchantId, payment)],
  );
  return {
    invoice: locked,
    merchant,
    processor,
    payment,
    idempotencyKey: `${invoiceId}-attempt-${attempt}`,
    metadata: { kassa_merchant_id: merchantId, kassa_payment_id: payment.id, kassa_invoice_id: invoiceId },
    description: `Invoice ${invoice.number ?? invoice.id}`,
  };
}

/** Charges an invoice's amount due to a payment method, with the buyer present. */
export async function payInvoice(
  ports: PaymentPorts,
  merchantId: string,
  invoiceId: string,
  paymentMethod: string,
) {
  const { invoice, merchant, processor, payment, idempotencyKey, metadata, description } =
    await startInvoicePayment(ports, merchantId, invoiceId);
  // If the processor does not answer, the attempt stays locked until its events (or the lock's
  // expiry) settle it, so a retry cannot charge twice.
  const result: ChargeResult = await processor.charge({
    ...(merchant.stripeAccountId ? { accountId: merchant.stripeAccountId } : {}),
    amount: payment.amount,
    currency: payment.currency,
    paymentMethod,
    description,
    metadata,
    idempotencyKey,
    offSession: false,
  });
  const outcome: Outcome =
    result.status === "failed"
      ? {
          status: "failed",
          declineCode: result.declineCode,
          message: result.message,
          processorPaymentId: result.paymentIntentId,
          ...(result.method ? { method: result.method } : {}),
        }
      : result.status === "requires_action"
        ? {
            status: "failed",
            declineCode: "authentication_required",
            message: result.message,
            processorPaymentId: result.paymentIntentId,
            ...(result.method ? { method: result.method } : {}),
          }
        : { status: result.status, method: result.method, processorPaymentId: result.paymentIntentId };
  const applied = await applyOutcome(ports, merchantId, payment.id, outcome, { merchant });
  if (outcome.status === "failed")
    throw new PaymentDeclinedError(outcome.declineCode, outcome.message, payment.id);
  const after = applied.invoice ?? (await ports.invoices.read(merchantId, invoiceId))?.value ?? invoice;
  return { ...presentInvoice(after, ports.clock.now()), payment: applied.payment };
}

/**
 * Sends the buyer to the processor's hosted checkout for an invoice (Stripe Checkout); the outcome
 * arrives as checkout.session.completed and payment_intent events.
 */
export async function checkoutInvoice(
  ports: PaymentPorts,
  merchantId: string,
  invoiceId: string,
  urls: { successUrl: string; cancelUrl: string },
) {
  const { invoice, merchant, processor, payment, idempotencyKey, metadata, description } =
    await startInvoicePayment(ports, merchantId, invoiceId);
  return processor.createCheckout({
    ...(merchant.stripeAccountId ? { accountId: merchant.stripeAccountId } : {}),
    amount: payment.amount,
    currency: payment.currency,
    description,
    customerEmail: invoice.customer.email,
    savePaymentMethod: false,
    ...urls,
    metadata,
    idempotencyKey,
  });
}

/**
 * Applies a processor outcome to a payment and its invoice. Idempotent and order-tolerant: an
 * outcome the payment's current status does not allow (a duplicate, or a stale one arriving late)
 * changes nothing.
 */
export async function applyOutcome(
  ports: PaymentPorts,
  merchantId: string,
  paymentId: string,
  outcome: Outcome,
  known: { merchant?: Merchant } = {},
): Promise<{ payment: Payment; invoice?: StoredInvoice }> {
  // A lost race (another delivery of the same outcome, a concurrent change) re-reads and tries again.
  return retryOnConflict(5, async () => {
    const found = await ports.payments.read(merchantId, paymentId);
    if (!found) throw new NotFoundError("Payment");
    const { value: payment, version } = found;
    if (payment.status === outcome.status || !canMove(payment.status, outcome.status)) {
      // A report of the status the payment already has may still be the first to name its method
      // or processor id (checkout.session.completed carries no method; a bank debit starts and
      // stays `processing`): keep them, so the record does not depend on which report came first.
      const method =
        payment.method.type === "card" && payment.method.brand === "unknown" ? outcome.method : undefined;
      const processorPaymentId = payment.processorPaymentId ? undefined : outcome.processorPaymentId;
      if (payment.status !== outcome.status || !(method || processorPaymentId)) return { payment };
      const filled: Payment = {
        ...payment,
        ...(method ? { method } : {}),
        ...(processorPaymentId ? { processorPaymentId } : {}),
        updatedAt: ports.clock.now().toISOString(),
      };
      await transact(
        [
          ports.payments.replaceWrite(merchantId, filled, version),
          ...(processorPaymentId
            ? [ports.payments.processorRefWrite(processorPaymentId, merchantId, payment.id)]
            : []),
        ],
        "The payment was changed by another request",
      );
      return { payment: filled };
    }
    const now = ports.clock.now();
    const at = now.toISOString();
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
    const invoiceFound = payment.invoiceId
      ? await ports.invoices.read(merchantId, payment.invoiceId)
      : undefined;
    const invoice = invoiceFound?.value;
    const holdsLock = invoice?.paymentInProgress === payment.id;
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
      events.push(newEvent("payment.succeeded", merchantId, payment.id, now, { payment: next }, next.livemode));
      if (invoice && (invoice.status === "open" || invoice.status === "uncollectible")) {
        const applied = Math.min(payment.amount, invoice.amountRemaining);
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
      events.push(newEvent("payment.processing", merchantId, payment.id, now, { payment: next }, next.livemode));
    }
    if (invoice && holdsLock && outcome.status !== "processing") {
      const { paymentInProgress: _, paymentLockUntil: __, ...unlocked } = nextInvoice ?? invoice;
      nextInvoice = { ...unlocked, updatedAt: at } as StoredInvoice;
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
  });
}

/**
 * Refunds (part of) a payment through its processor. The amount is reserved on the payment in the
 * same transaction that records the refund, so concurrent refunds can never exceed what remains.
 */
export async function refundPayment(
  ports: PaymentPorts,
  merchantId: string,
  paymentId: string,
  input: { amount?: number; reason?: Refund["reason"] },
): Promise<Refund> {
  const found = await ports.payments.read(merchantId, paymentId);
  if (!found) throw new NotFoundError("Payment");
  const { value: payment, version } = found;
  if (!(payment.status === "succeeded" || payment.status === "partially_refunded")) {
    throw new ConflictError(`Cannot refund a payment whose status is ${payment.status}`);
  }
  const refundable = payment.amount - payment.amountRefunded;
  const amount = input.amount ?? refundable;
  if (amount <= 0 || amount > refundable) {
    throw new ValidationError([
      { path: "amount", message: `must be between 1 and the refundable amount (${refundable})` },
    ]);
  }
  const merchant = await merchantOf(ports, merchantId);
  // Resolved before anything is written: a merchant left without a processor (the sandbox disabled)
  // gets a 409, not a refund stuck pending with its amount reserved.
  const processor = payment.processor === "manual" ? undefined : await ports.processorFor(merchant);
  const now = ports.clock.now();
  const at = now.toISOString();
  const refund: Refund = {
    id: newId("refund", now),
    paymentId,
    ...(payment.invoiceId ? { invoiceId: payment.invoiceId } : {}),
    customerId: payment.customerId,
    amount,
    currency: payment.currency,
    livemode: payment.livemode,
    ...(input.reason ? { reason: input.reason } : {}),
    status: "pending",
    createdAt: at,
    updatedAt: at,
  };
  const reserved: Payment = { ...payment, amountRefunded: payment.amountRefunded + amount, updatedAt: at };
  await transact(
    [
      ports.payments.replaceWrite(merchantId, reserved, version),
      ports.payments.putRefundWrite(merchantId, refund),
      { item: eventItem(newEvent("refund.created", merchantId, refund.id, now, { refund }, refund.livemode)) },
    ],
    "The payment was changed by another request; try again",
  );
  if (!processor) return settleRefund(ports, merchantId, refund.id, "succeeded");
  try {
    const result = await processor.refund({
      ...(merchant.stripeAccountId ? { accountId: merchant.stripeAccountId } : {}),
      paymentIntentId: payment.processorPaymentId ?? "",
      amount,
      ...(input.reason ? { reason: input.reason } : {}),
      previouslyRefunded: payment.amountRefunded,
      metadata: {
        kassa_merchant_id: merchantId,
        kassa_payment_id: paymentId,
        kassa_refund_id: refund.id,
        ...(payment.invoiceId ? { kassa_invoice_id: payment.invoiceId } : {}),
      },
      idempotencyKey: refund.id,
    });
    return settleRefund(
      ports,
      merchantId,
      refund.id,
      result.status === "failed" ? "failed" : result.status,
      result.refundId,
    );
  } catch (error) {
    await settleRefund(ports, merchantId, refund.id, "failed");
    throw error;
  }
}

/**
 * Settles a refund: on success the payment's status follows its refunded total and the refund is a
 * balance transaction; on failure the reserved amount is released. Idempotent.
 */
export async function settleRefund(
  ports: PaymentPorts,
  merchantId: string,
  refundId: string,
  status: Refund["status"],
  processorRefundId?: string,
): Promise<Refund> {
  // A lost race (another delivery of the same outcome, a concurrent change) re-reads and tries again.
  return retryOnConflict(5, async () => {
    const found = await ports.payments.readRefund(merchantId, refundId);
    if (!found) throw new NotFoundError("Refund");
    const { value: refund, version } = found;
    if (refund.status !== "pending" || status === "pending") return refund;
    const paymentFound = await ports.payments.read(merchantId, refund.paymentId);
    if (!paymentFound) throw new NotFoundError("Payment");
    const { value: payment, version: paymentVersion } = paymentFound;
    const now = ports.clock.now();
    const at = now.toISOString();
    const settled: Refund = {
      ...refund,
      status,
      ...(processorRefundId ? { processorRefundId } : {}),
      updatedAt: at,
    };
    let nextPayment: Payment;
    const writes = [];
    if (status === "succeeded") {
      const paymentStatus: PaymentStatus =
        payment.status === "disputed" ? "disputed" : refundedStatus(payment.amount, payment.amountRefunded);
      nextPayment = {
        ...payment,
        status: paymentStatus,
        history: [...payment.history, { status: paymentStatus, at, note: `Refunded ${refund.amount}` }],
        updatedAt: at,
      };
      const merchant = await merchantOf(ports, merchantId);
      writes.push(moneyMoved(ports, merchant, "refund", refund, -refund.amount, 0, now), {
        item: eventItem(
          newEvent(
            "refund.succeeded",
            merchantId,
            refund.id,
            now,
            { refund: settled, payment: nextPayment },
            settled.livemode,
          ),
        ),
      });
    } else {
      nextPayment = { ...payment, amountRefunded: payment.amountRefunded - refund.amount, updatedAt: at };
      writes.push({
        item: eventItem(newEvent("refund.failed", merchantId, refund.id, now, { refund: settled }, settled.livemode)),
      });
    }
    await transact(
      [
        ports.payments.replaceRefundWrite(merchantId, settled, version),
        ports.payments.replaceWrite(merchantId, nextPayment, paymentVersion),
        ...writes,
      ],
      "The refund was changed by another request",
    );
    return settled;
  });
}

/** A dispute opened or closed at the processor; a lost dispute is a balance transaction. */
export async function applyDispute(
  ports: PaymentPorts,
  merchantId: string,
  paymentId: string,
  dispute: { id: string; status: string; amount: number; reason?: string; closed: boolean },
): Promise<Payment | undefined> {
  const found = await ports.payments.read(merchantId, paymentId);
  if (!found) return undefined;
  const { value: payment, version } = found;
  if (payment.dispute?.id === dispute.id && payment.dispute.status === dispute.status) return payment;
  const now = ports.clock.now();
  const at = now.toISOString();
  const won = dispute.closed && dispute.status === "won";
  const status: PaymentStatus = won ? refundedStatus(payment.amount, payment.amountRefunded) : "disputed";
  const next: Payment = {
    ...payment,
    status,
    dispute: {
      id: dispute.id,
      status: dispute.status,
      amount: dispute.amount,
      ...(dispute.reason ? { reason: dispute.reason } : {}),
    },
    history: [...payment.history, { status, at, note: `Dispute ${dispute.status}` }],
    updatedAt: at,
  };
  const writes = [];
  if (dispute.closed && dispute.status === "lost") {
    const merchant = await merchantOf(ports, merchantId);
    writes.push(
      moneyMoved(
        ports,
        merchant,
        "dispute",
        { id: dispute.id, currency: payment.currency },
        -dispute.amount,
        0,
        now,
      ),
    );
  }
  const type = dispute.closed ? "payment.dispute_closed" : "payment.disputed";
  await transact(
    [
      ports.payments.replaceWrite(merchantId, next, version),
      ...writes,
      { item: eventItem(newEvent(type, merchantId, paymentId, now, { payment: next }, next.livemode)) },
    ],
    "The payment was changed by another request",
  );
  return next;
}
