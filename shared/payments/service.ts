/**
 * Payment use cases: charging an invoice through the merchant's processor, applying outcomes
 * (from the API call's answer or from the processor's events — whichever arrives first; the other
 * finds the work done), refunds and disputes. Every change is one conditional transaction with its
 * events and balance transactions, so nothing is paid, refunded or counted twice.
 */
import type { SchedulerPort } from "../aws/scheduler.ts";
import type { Clock } from "../domain/clock.ts";
import { localDate } from "../domain/calendar.ts";
import {
  ConflictError,
  NotFoundError,
  PaymentDeclinedError,
  retryOnConflict,
  StateConflictError,
  ValidationError,
} from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import {
  assertInvoiceCan,
  assertNoPaymentInFlight,
  countsAsOpen,
  isPayable,
  lockAfterOutcome,
  type PaymentLock,
} from "../domain/invoice-lifecycle.ts";
import { presentInvoice } from "../invoices/service.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { InvoiceStore, StoredInvoice } from "../store/invoices.ts";
import type { MerchantStore } from "../store/merchants.ts";
import type { PaymentStore } from "../store/payments.ts";
import { transact } from "../store/collection.ts";
import { eventPut as eventItem } from "../store/outbox.ts";
import { type BalanceType, balanceTransaction } from "./balance.ts";
import {
  canMove,
  type DisputeReport,
  disputeReportApplies,
  isClosedDispute,
  checkoutExpiredCode,
  type Payment,
  type PaymentStatus,
  processorPayment,
  refundedStatus,
} from "./payment.ts";
import type { OutcomeUnknown, PaymentMethodDetails, PaymentProcessor, RefundResult } from "./processor.ts";
import type { Refund } from "./refund.ts";
import { refundCheck } from "./refund-checks.ts";

export interface PaymentPorts {
  invoices: InvoiceStore;
  payments: PaymentStore;
  merchants: MerchantStore;
  clock: Clock;
  processorFor(merchant: Merchant): Promise<PaymentProcessor>;
  /** Plans the checks of refunds (and charges) whose outcome the processor has not told yet. */
  scheduler: SchedulerPort;
  /**
   * The processor's fee on a payment. Computed from the payment itself (the sandbox's published
   * rate; 0 for Stripe, whose fees arrive with its payouts) so that an outcome gives the same final
   * state whichever of its reports — API answer, payment_intent or checkout event — lands first.
   */
  feeFor(payment: Payment): number;
}

/** How long a direct charge blocks another on the same invoice if its answer and events never arrive. */
const chargeLockMs = 15 * 60_000;
/**
 * How long a Checkout session stays open: Stripe's minimum of 30 minutes, plus 30 seconds so that
 * latency and clock skew can never put the request under that minimum.
 */
const checkoutLifetimeMs = 30 * 60_000 + 30_000;
/** A payment confirmed in a session's last moments may still complete after it closes: the lock outlives it by this much. */
const checkoutLockMarginMs = 5 * 60_000;

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

/**
 * The connected account a processor request runs on. Only Stripe has one: the sandbox is no
 * account, and the events consumer rejects a sandbox payment's event that names one.
 */
const connectedAccount = (merchant: Merchant, processor: PaymentProcessor): { accountId?: string } =>
  processor.name === "stripe" && merchant.stripeAccountId ? { accountId: merchant.stripeAccountId } : {};

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
async function startInvoicePayment(
  ports: PaymentPorts,
  merchantId: string,
  invoiceId: string,
  via: PaymentLock["via"],
) {
  const [found, merchant] = await Promise.all([
    ports.invoices.read(merchantId, invoiceId),
    merchantOf(ports, merchantId),
  ]);
  if (!found) throw new NotFoundError("Invoice");
  const { value: invoice, version } = found;
  assertInvoiceCan("recordPayment", invoice.status);
  const now = ports.clock.now();
  if (invoice.amountRemaining <= 0) throw new ConflictError("Nothing is due on this invoice");
  assertNoPaymentInFlight(invoice.paymentLock, now);
  const processor = await ports.processorFor(merchant);
  const attempt = (invoice.paymentAttempts ?? 0) + 1;
  const payment = processorPayment(newId("payment", now), invoice, processor, now);
  const lockMs = via === "checkout" ? checkoutLifetimeMs + checkoutLockMarginMs : chargeLockMs;
  const lock: PaymentLock = {
    paymentId: payment.id,
    via,
    until: new Date(now.getTime() + lockMs).toISOString(),
  };
  const locked: StoredInvoice = {
    ...invoice,
    paymentLock: lock,
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
    now,
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
    await startInvoicePayment(ports, merchantId, invoiceId, "charge");
  const result = await processor.charge({
    ...connectedAccount(merchant, processor),
    amount: payment.amount,
    currency: payment.currency,
    paymentMethod,
    description,
    metadata,
    idempotencyKey,
    offSession: false,
  });
  if (result.status === "unknown") {
    // The charge may or may not have happened: the payment stays `processing` and the attempt keeps
    // the invoice locked until the processor's events settle it, so a retry cannot charge twice.
    return { ...presentInvoice(invoice, ports.clock.now()), payment };
  }
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
 * arrives as checkout.session.* and payment_intent.* events. The session closes after
 * `checkoutLifetimeMs` and the invoice stays locked a margin longer, so nothing can be paid through
 * it once another attempt may start. The cancel URL names the attempt's payment (`cancelCheckout`).
 */
export async function checkoutInvoice(
  ports: PaymentPorts,
  merchantId: string,
  invoiceId: string,
  urls: { successUrl: string; cancelUrl: (paymentId: string) => string },
) {
  const { invoice, now, merchant, processor, payment, idempotencyKey, metadata, description } =
    await startInvoicePayment(ports, merchantId, invoiceId, "checkout");
  try {
    const session = await processor.createCheckout({
      ...connectedAccount(merchant, processor),
      amount: payment.amount,
      currency: payment.currency,
      description,
      customerEmail: invoice.customer.email,
      savePaymentMethod: false,
      successUrl: urls.successUrl,
      cancelUrl: urls.cancelUrl(payment.id),
      expiresAt: new Date(now.getTime() + checkoutLifetimeMs).toISOString(),
      metadata,
      idempotencyKey,
    });
    // Before the buyer has the URL, so the cancel return finds the session on the lock.
    await retryOnConflict(5, async () => {
      const found = await ports.invoices.read(merchantId, invoiceId);
      const lock = found?.value.paymentLock;
      if (!found || lock?.paymentId !== payment.id) {
        throw new StateConflictError("The invoice is no longer locked to this payment");
      }
      await transact(
        [
          ports.invoices.paymentLockWrite(merchantId, invoiceId, found.version, {
            ...lock,
            checkoutSessionId: session.id,
          }),
        ],
        "The invoice was changed by another request",
      );
    });
    return session;
  } catch (error) {
    // The buyer never got the session's URL, so nothing can be paid through it: end the attempt now
    // rather than keep the invoice locked until the lock lapses.
    await applyOutcome(ports, merchantId, payment.id, checkoutExpired, { merchant });
    throw error;
  }
}

/**
 * The buyer came back by Checkout's cancel URL: closes the attempt's session and, once the processor
 * confirms it expired (rather than completed), ends the attempt and releases the invoice, so the
 * buyer can try again at once. A payment id that no longer holds the invoice changes nothing.
 */
export async function cancelCheckout(
  ports: PaymentPorts,
  merchantId: string,
  invoiceId: string,
  paymentId: string,
): Promise<void> {
  const [found, paymentFound, merchant] = await Promise.all([
    ports.invoices.read(merchantId, invoiceId),
    ports.payments.read(merchantId, paymentId),
    merchantOf(ports, merchantId),
  ]);
  const lock = found?.value.paymentLock;
  if (!paymentFound || lock?.paymentId !== paymentId || !lock.checkoutSessionId) return;
  const payment = paymentFound.value;
  const processor = await ports.processorFor(merchant);
  const status = await processor.expireCheckout({
    ...connectedAccount(merchant, processor),
    sessionId: lock.checkoutSessionId,
    amount: payment.amount,
    currency: payment.currency,
    metadata: { kassa_merchant_id: merchantId, kassa_payment_id: paymentId, kassa_invoice_id: invoiceId },
  });
  if (status === "expired") await applyOutcome(ports, merchantId, paymentId, checkoutExpired, { merchant });
}

/**
 * Applies a processor outcome to a payment and its invoice. Idempotent and order-tolerant: an
 * outcome the payment's current status does not allow (a duplicate, or a stale one arriving late)
 * changes nothing, except what it may end of the attempt's hold on the invoice. A success beyond what
 * the invoice still owes (a second attempt's, one after a manual payment or a void) pays what is owed
 * and the rest is refunded (`refundExcess`).
 */
export async function applyOutcome(
  ports: PaymentPorts,
  merchantId: string,
  paymentId: string,
  outcome: Outcome,
  known: { merchant?: Merchant } = {},
): Promise<{ payment: Payment; invoice?: StoredInvoice }> {
  // A lost race (another delivery of the same outcome, a concurrent change) re-reads and tries again.
  const applied = await retryOnConflict(5, () => applyOnce(ports, merchantId, paymentId, outcome, known));
  return excessOwedBack(applied.payment) > 0
    ? { ...applied, payment: await refundExcess(ports, merchantId, paymentId) }
    : applied;
}

async function applyOnce(
  ports: PaymentPorts,
  merchantId: string,
  paymentId: string,
  outcome: Outcome,
  known: { merchant?: Merchant },
): Promise<{ payment: Payment; invoice?: StoredInvoice }> {
  const found = await ports.payments.read(merchantId, paymentId);
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
    events.push(newEvent("payment.processing", merchantId, payment.id, now, { payment: next }, next.livemode));
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

/**
 * Refunds (part of) a payment through its processor. The amount is reserved on the payment in the
 * same transaction that records the refund, so concurrent refunds can never exceed what remains.
 * The reservation is released only when the processor definitely refuses or fails the refund: when
 * its answer never arrives the refund stays `pending`, and the checks planned here (before asking,
 * so that a crash mid-request is covered too) or the processor's events settle it.
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
  const manual = payment.processor === "manual";
  // Resolved before anything is written: a merchant left without a processor (the sandbox disabled)
  // gets a 409, not a refund stuck pending with its amount reserved.
  const processor = manual ? undefined : await ports.processorFor(merchant);
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
  // A check that finds no refund (the transaction below lost a race) does nothing.
  if (processor) await ports.scheduler.scheduleOnce(refundCheck(merchantId, refund.id, 1, now));
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
  return askProcessor(ports, merchant, refund, () =>
    sendRefund(processor, merchant, payment, refund, payment.amountRefunded),
  );
}

/** The processor's answer applied: a refusal (thrown) releases the reservation; no answer changes nothing. */
async function askProcessor(
  ports: PaymentPorts,
  merchant: Merchant,
  refund: Refund,
  ask: () => Promise<RefundResult | OutcomeUnknown>,
): Promise<Refund> {
  let result: RefundResult | OutcomeUnknown;
  try {
    result = await ask();
  } catch (error) {
    await settleRefund(ports, merchant.id, refund.id, "failed");
    throw error;
  }
  if (result.status === "unknown") return refund;
  return settleRefund(ports, merchant.id, refund.id, result.status, result.refundId);
}

function sendRefund(
  processor: PaymentProcessor,
  merchant: Merchant,
  payment: Payment,
  refund: Refund,
  previouslyRefunded: number,
) {
  return processor.refund({
    ...connectedAccount(merchant, processor),
    paymentIntentId: payment.processorPaymentId ?? "",
    amount: refund.amount,
    ...(refund.reason ? { reason: refund.reason } : {}),
    previouslyRefunded,
    metadata: {
      kassa_merchant_id: merchant.id,
      kassa_payment_id: payment.id,
      kassa_refund_id: refund.id,
      ...(payment.invoiceId ? { kassa_invoice_id: payment.invoiceId } : {}),
    },
    // The same key on every attempt, so the processor refunds once whichever attempt reached it.
    idempotencyKey: refund.id,
  });
}

/**
 * A planned check of a pending refund (see `refundCheck`). It first looks the refund up at the
 * processor by Kassa's id in its metadata — Stripe forgets idempotency keys after a day and replays
 * a saved 5xx for the same key before that, so only a look-up tells whether an unanswered request
 * took effect — and asks again with the same idempotency key only if the processor has none. Each
 * check is claimed on the refund by a conditional write, so a duplicate delivery does nothing, and
 * plans the next one until the refund settles.
 */
export async function checkRefund(
  ports: PaymentPorts,
  merchantId: string,
  refundId: string,
  check: number,
): Promise<void> {
  const claimed = await retryOnConflict(5, async () => {
    const found = await ports.payments.readRefund(merchantId, refundId);
    // Settled meanwhile, or this check ran already (a duplicate delivery).
    if (found?.value.status !== "pending" || (found.value.checks ?? 0) >= check) return undefined;
    const refund: Refund = { ...found.value, checks: check, updatedAt: ports.clock.now().toISOString() };
    await transact(
      [ports.payments.replaceRefundWrite(merchantId, refund, found.version)],
      "The refund was changed by another request",
    );
    return refund;
  });
  if (!claimed) return;
  const [paymentFound, merchant] = await Promise.all([
    ports.payments.read(merchantId, claimed.paymentId),
    merchantOf(ports, merchantId),
  ]);
  if (!paymentFound) throw new NotFoundError("Payment");
  const payment = paymentFound.value;
  await ports.scheduler.scheduleOnce(refundCheck(merchantId, refundId, check + 1, ports.clock.now()));
  const processor = await ports.processorFor(merchant);
  // A look-up that fails throws (the next check, planned above, tries again): only an answer saying
  // there is no such refund lets the refund be asked for again.
  const known = await processor.findRefund({
    ...connectedAccount(merchant, processor),
    paymentIntentId: payment.processorPaymentId ?? "",
    refundId,
  });
  if (known) {
    await settleRefund(ports, merchantId, refundId, known.status, known.refundId);
    return;
  }
  await askProcessor(ports, merchant, claimed, () =>
    sendRefund(processor, merchant, payment, claimed, payment.amountRefunded - claimed.amount),
  );
}

/**
 * Settles a refund as the processor reports it. Succeeded: the settled total grows, the payment's
 * status follows it and the refund is a balance transaction. Failed: the reservation is released
 * and the status recomputed; a refund that had succeeded gives its money back (a reversing balance
 * transaction). A payment recorded by hand moved no processor money, so its refunds move none
 * either. Idempotent and order-tolerant: `failed` is final, and a stale `pending` changes nothing
 * but may name the processor's refund id.
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
    const now = ports.clock.now();
    const at = now.toISOString();
    const names = processorRefundId && !refund.processorRefundId ? { processorRefundId } : {};
    const moves =
      refund.status === "pending"
        ? status !== "pending"
        : refund.status === "succeeded" && status === "failed";
    if (!moves) {
      if (!names.processorRefundId) return refund;
      const known: Refund = { ...refund, ...names, updatedAt: at };
      await transact(
        [ports.payments.replaceRefundWrite(merchantId, known, version)],
        "The refund was changed by another request",
      );
      return known;
    }
    const paymentFound = await ports.payments.read(merchantId, refund.paymentId);
    if (!paymentFound) throw new NotFoundError("Payment");
    const { value: payment, version: paymentVersion } = paymentFound;
    const settled: Refund = { ...refund, status, ...names, updatedAt: at };
    const settledDelta =
      status === "succeeded" ? refund.amount : refund.status === "succeeded" ? -refund.amount : 0;
    // Payments recorded before the settled total existed counted every refund as settled.
    const amountRefundedSettled = (payment.amountRefundedSettled ?? payment.amountRefunded) + settledDelta;
    const paymentStatus: PaymentStatus =
      payment.status === "disputed" ? "disputed" : refundedStatus(payment.amount, amountRefundedSettled);
    const note = status === "succeeded" ? `Refunded ${refund.amount}` : `Refund of ${refund.amount} failed`;
    const nextPayment: Payment = {
      ...payment,
      status: paymentStatus,
      amountRefunded: payment.amountRefunded - (status === "failed" ? refund.amount : 0),
      amountRefundedSettled,
      ...(settledDelta !== 0 ? { history: [...payment.history, { status: paymentStatus, at, note }] } : {}),
      updatedAt: at,
    };
    const writes = [];
    if (settledDelta !== 0 && payment.processor !== "manual") {
      const merchant = await merchantOf(ports, merchantId);
      writes.push(moneyMoved(ports, merchant, "refund", refund, -settledDelta, 0, now));
    }
    const event =
      status === "succeeded"
        ? newEvent(
            "refund.succeeded",
            merchantId,
            refund.id,
            now,
            { refund: settled, payment: nextPayment },
            settled.livemode,
          )
        : newEvent("refund.failed", merchantId, refund.id, now, { refund: settled }, settled.livemode);
    await transact(
      [
        ports.payments.replaceRefundWrite(merchantId, settled, version),
        ports.payments.replaceWrite(merchantId, nextPayment, paymentVersion),
        ...writes,
        { item: eventItem(event) },
      ],
      "The refund was changed by another request",
    );
    return settled;
  });
}

/**
 * A report of a dispute from the processor; a lost dispute is a balance transaction. Idempotent and
 * order-tolerant: a report that is older or less final than what the payment holds changes nothing
 * (see `disputeReportApplies`), so the reports end in the same state whatever order they arrive in.
 */
export async function applyDispute(
  ports: PaymentPorts,
  merchantId: string,
  paymentId: string,
  report: DisputeReport,
): Promise<Payment | undefined> {
  // A lost race (another report of the same dispute) re-reads and decides again.
  return retryOnConflict(5, async () => {
    const found = await ports.payments.read(merchantId, paymentId);
    if (!found) return undefined;
    const { value: payment, version } = found;
    if (!disputeReportApplies(payment.dispute, report)) return payment;
    const now = ports.clock.now();
    const at = now.toISOString();
    const closed = isClosedDispute(report.status);
    const lost = report.status === "lost";
    // Only a lost dispute takes the money back; any other decision leaves the payment as it was.
    const status: PaymentStatus =
      closed && !lost ? refundedStatus(payment.amount, payment.amountRefundedSettled ?? payment.amountRefunded) : "disputed";
    const next: Payment = {
      ...payment,
      status,
      dispute: {
        id: report.id,
        status: report.status,
        amount: report.amount,
        ...(report.reason ? { reason: report.reason } : {}),
        createdAt: report.createdAt,
        reportedAt: report.reportedAt,
        closed,
      },
      history: [...payment.history, { status, at, note: `Dispute ${report.status}` }],
      updatedAt: at,
    };
    const writes = [];
    if (lost) {
      const merchant = await merchantOf(ports, merchantId);
      writes.push(
        moneyMoved(
          ports,
          merchant,
          "dispute",
          { id: report.id, currency: payment.currency },
          -report.amount,
          0,
          now,
        ),
      );
    }
    const type = closed ? "payment.dispute_closed" : "payment.disputed";
    await transact(
      [
        ports.payments.replaceWrite(merchantId, next, version),
        ...writes,
        { item: eventItem(newEvent(type, merchantId, paymentId, now, { payment: next }, next.livemode)) },
      ],
      "The payment was changed by another request",
    );
    return next;
  });
}
