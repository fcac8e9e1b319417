/**
 * Charging a payable through the merchant's processor: a direct charge (the buyer present, or a
 * saved method off-session), or the processor's hosted checkout. Each attempt holds the payable in
 * the unit of work that records it; its outcome is applied by `applyOutcome`.
 */
import { PaymentDeclinedError } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import { applyOutcome, checkoutExpired, type Outcome } from "./outcomes.ts";
import { type AttemptVia, payableFor } from "./payable.ts";
import { invoiceIdOf, type Payment, type PaymentFor, paymentEvent, processorPayment } from "./payment.ts";
import { connectedAccount, merchantOf, type PaymentPorts } from "./ports.ts";
import type { KassaRefs } from "./processor.ts";

/** How long a direct charge blocks another on the same payable if its answer and events never arrive. */
const chargeLockMs = 15 * 60_000;
/**
 * How long a Checkout session stays open: Stripe's minimum of 30 minutes, plus 30 seconds so that
 * latency and clock skew can never put the request under that minimum.
 */
const checkoutLifetimeMs = 30 * 60_000 + 30_000;
/** A payment confirmed in a session's last moments may still complete after it closes: the lock outlives it by this much. */
const checkoutLockMarginMs = 5 * 60_000;

/** Kassa's references on the processor's objects: the events that come back name the payment by them. */
const refsOf = (merchantId: string, paymentId: string, paid: PaymentFor): KassaRefs => ({
  kassa_merchant_id: merchantId,
  kassa_payment_id: paymentId,
  ...(paid.kind === "invoice" ? { kassa_invoice_id: paid.id } : {}),
});

/**
 * Opens a processor payment attempt for what a payable owes. The payable is held for the attempt in
 * the same unit of work that records it, so two buyers paying at once cannot both charge; the
 * attempt number keys the processor's idempotency.
 */
async function startAttempt(ports: PaymentPorts, merchantId: string, paid: PaymentFor, via: AttemptVia) {
  const now = ports.clock.now();
  const paymentId = newId("payment", now);
  const lockMs = via === "checkout" ? checkoutLifetimeMs + checkoutLockMarginMs : chargeLockMs;
  const [opening, merchant] = await Promise.all([
    payableFor(ports.payables, paid).open(merchantId, paid.id, {
      paymentId,
      via,
      until: new Date(now.getTime() + lockMs).toISOString(),
      now,
    }),
    merchantOf(ports, merchantId),
  ]);
  const processor = await ports.processorFor(merchant);
  const payment = processorPayment(paymentId, { for: paid, ...opening }, processor, now);
  const recorded = await ports.payments.recordAttempt(merchantId, {
    payment,
    event: paymentEvent("payment.created", merchantId, payment, now, invoiceIdOf(paid)),
    changes: [opening.hold],
  });
  return {
    opening,
    now,
    merchant,
    processor,
    payment,
    recorded,
    idempotencyKey: `${paid.id}-attempt-${opening.attempt}`,
    metadata: refsOf(merchantId, payment.id, paid),
  };
}

export interface ChargeInput {
  /** A payment method id (a sandbox test token or card number in the sandbox). */
  paymentMethod: string;
  /** The processor's customer the method is saved on (a saved method charged later). */
  processorCustomerId?: string;
  /** No buyer present (a schedule charging a saved method): the processor may not ask for authentication. */
  offSession: boolean;
}

/**
 * The payment after a charge, the payable as its attempt held it, whether the processor answered
 * (an unanswered charge stays processing), and the payable as the answer's outcome changed it
 * (absent when a report applied that outcome first, or it changed nothing of the payable).
 */
export interface Charged {
  payment: Payment;
  held: unknown;
  answered: boolean;
  after?: unknown;
}

/** Charges what a payable owes to a payment method, with the buyer present or not (`offSession`). */
export async function charge(
  ports: PaymentPorts,
  merchantId: string,
  paid: PaymentFor,
  input: ChargeInput,
): Promise<Charged> {
  const { opening, merchant, processor, payment, recorded, idempotencyKey, metadata } = await startAttempt(
    ports,
    merchantId,
    paid,
    "charge",
  );
  const result = await processor.charge({
    ...connectedAccount(merchant, processor),
    amount: payment.amount,
    currency: payment.currency,
    paymentMethod: input.paymentMethod,
    ...(input.processorCustomerId ? { processorCustomerId: input.processorCustomerId } : {}),
    description: opening.description,
    metadata,
    idempotencyKey,
    offSession: input.offSession,
  });
  if (result.status === "unknown") {
    // The charge may or may not have happened: the payment stays `processing` and the attempt keeps
    // the payable held until the processor's events settle it, so a retry cannot charge twice.
    return { payment, held: opening.held, answered: false };
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
  // The payment as this attempt recorded it: its outcome's write is conditional on that version, so
  // an event that applied the outcome first makes it re-read (see `applyOutcome`).
  const applied = await applyOutcome(ports, merchantId, payment.id, outcome, { merchant, payment: recorded });
  if (outcome.status === "failed")
    throw new PaymentDeclinedError(outcome.declineCode, outcome.message, payment.id);
  return {
    payment: applied.payment,
    held: opening.held,
    answered: true,
    ...(applied.payable !== undefined ? { after: applied.payable } : {}),
  };
}

/**
 * Sends the buyer to the processor's hosted checkout for a payable (Stripe Checkout); the outcome
 * arrives as checkout.session.* and payment_intent.* events. The session closes after
 * `checkoutLifetimeMs` and the payable stays held a margin longer, so nothing can be paid through
 * it once another attempt may start. The cancel URL names the attempt's payment (`cancelCheckout`),
 * and so does the answer: the session and its attempt's `paymentId`.
 */
export async function checkout(
  ports: PaymentPorts,
  merchantId: string,
  paid: PaymentFor,
  urls: { successUrl: string; cancelUrl: (paymentId: string) => string },
) {
  const { opening, now, merchant, processor, payment, idempotencyKey, metadata } = await startAttempt(
    ports,
    merchantId,
    paid,
    "checkout",
  );
  try {
    // Kept on the customer's own twin, so that its success can attach it to the customer.
    const processorCustomerId = opening.saveMethod
      ? await ports.processorCustomerOf?.(merchant, processor, opening.customerId)
      : undefined;
    const session = await processor.createCheckout({
      ...connectedAccount(merchant, processor),
      amount: payment.amount,
      currency: payment.currency,
      description: opening.description,
      customerEmail: opening.customerEmail,
      savePaymentMethod: processorCustomerId !== undefined,
      ...(processorCustomerId ? { processorCustomerId } : {}),
      successUrl: urls.successUrl,
      cancelUrl: urls.cancelUrl(payment.id),
      expiresAt: new Date(now.getTime() + checkoutLifetimeMs).toISOString(),
      metadata,
      idempotencyKey,
    });
    // Before the buyer has the URL, so the cancel return finds the session on the hold.
    await payableFor(ports.payables, paid).recordCheckoutSession(merchantId, paid.id, payment.id, session.id);
    return { ...session, paymentId: payment.id };
  } catch (error) {
    // The buyer never got the session's URL, so nothing can be paid through it: end the attempt now
    // rather than keep the payable held until the hold lapses.
    await applyOutcome(ports, merchantId, payment.id, checkoutExpired, { merchant });
    throw error;
  }
}

/**
 * The buyer came back by Checkout's cancel URL: closes the attempt's session and, once the processor
 * confirms it expired (rather than completed), ends the attempt and releases the payable, so the
 * buyer can try again at once. A payment id that no longer holds the payable changes nothing.
 */
export async function cancelCheckout(
  ports: PaymentPorts,
  merchantId: string,
  paid: PaymentFor,
  paymentId: string,
): Promise<void> {
  const [sessionId, paymentFound, merchant] = await Promise.all([
    payableFor(ports.payables, paid).checkoutSessionOf(merchantId, paid.id, paymentId),
    ports.payments.read(merchantId, paymentId),
    merchantOf(ports, merchantId),
  ]);
  if (!paymentFound || !sessionId) return;
  const payment = paymentFound.value;
  const processor = await ports.processorFor(merchant);
  const status = await processor.expireCheckout({
    ...connectedAccount(merchant, processor),
    sessionId,
    amount: payment.amount,
    currency: payment.currency,
    metadata: refsOf(merchantId, paymentId, paid),
  });
  if (status === "expired") await applyOutcome(ports, merchantId, paymentId, checkoutExpired, { merchant });
}
