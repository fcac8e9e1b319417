/**
 * Charging an invoice through the merchant's processor: a direct charge with the buyer present, or
 * the processor's hosted checkout. Each attempt locks the invoice in the transaction that records
 * it; its outcome is applied by `applyOutcome`.
 */
import {
  ConflictError,
  NotFoundError,
  PaymentDeclinedError,
  retryOnConflict,
  StateConflictError,
} from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { assertInvoiceCan, assertNoPaymentInFlight, type PaymentLock } from "../domain/invoice-lifecycle.ts";
import { presentInvoice } from "../invoices/service.ts";
import type { StoredInvoice } from "../invoices/ports.ts";
import { transact } from "../store/collection.ts";
import { applyOutcome, checkoutExpired, type Outcome } from "./outcomes.ts";
import { processorPayment } from "./payment.ts";
import { connectedAccount, merchantOf, type PaymentPorts } from "./ports.ts";

/** How long a direct charge blocks another on the same invoice if its answer and events never arrive. */
const chargeLockMs = 15 * 60_000;
/**
 * How long a Checkout session stays open: Stripe's minimum of 30 minutes, plus 30 seconds so that
 * latency and clock skew can never put the request under that minimum.
 */
const checkoutLifetimeMs = 30 * 60_000 + 30_000;
/** A payment confirmed in a session's last moments may still complete after it closes: the lock outlives it by this much. */
const checkoutLockMarginMs = 5 * 60_000;

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
