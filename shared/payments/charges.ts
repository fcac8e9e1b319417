/**
 * Charging a payable through the merchant's processor: a direct charge (the buyer present, or a
 * saved method off-session), or the processor's hosted checkout. Each attempt holds the payable in
 * the unit of work that records it; its outcome is applied by `applyOutcome`.
 */
import { PaymentDeclinedError } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import { log } from "../observability.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { attemptCheck } from "./attempt-checks.ts";
import { applyOutcome, checkoutExpired, type Outcome } from "./outcomes.ts";
import { type AttemptVia, payableFor } from "./payable.ts";
import {
  type ChargeAsked,
  invoiceIdOf,
  type Payment,
  type PaymentFor,
  paymentEvent,
  processorPayment,
} from "./payment.ts";
import { connectedAccount, merchantOf, type PaymentPorts } from "./ports.ts";
import type { ChargeRequest, ChargeResult, KassaRefs, OutcomeUnknown } from "./processor.ts";

/** How long a direct charge blocks another on the same payable if its answer and events never arrive. */
const chargeLockMs = 15 * 60_000;
/**
 * How long a Checkout session stays open: Stripe's minimum of 30 minutes, plus 30 seconds so that
 * latency and clock skew can never put the request under that minimum.
 */
const checkoutLifetimeMs = 30 * 60_000 + 30_000;
/** A payment confirmed in a session's last moments may still complete after it closes: the lock outlives it by this much. */
const checkoutLockMarginMs = 5 * 60_000;

/**
 * How long after an attempt the processor still replays its answer for the attempt's idempotency key:
 * Stripe keeps keys for 24 hours; later, the same request would charge anew.
 */
const replayWindowMs = 20 * 60 * 60_000;

/** Kassa's references on the processor's objects: the events that come back name the payment by them. */
const refsOf = (merchantId: string, paymentId: string, paid: PaymentFor): KassaRefs => ({
  kassa_merchant_id: merchantId,
  kassa_payment_id: paymentId,
  ...(paid.kind === "invoice" ? { kassa_invoice_id: paid.id } : {}),
});

/**
 * Opens a processor payment attempt for what a payable owes. The payable is held for the attempt in
 * the same unit of work that records it, so two buyers paying at once cannot both charge; the
 * attempt number keys the processor's idempotency. A direct charge (`charging`) keeps its request on
 * the payment and plans its check for when its hold lapses (`attemptCheck`).
 */
async function startAttempt(
  ports: PaymentPorts,
  merchantId: string,
  paid: PaymentFor,
  via: AttemptVia,
  charging?: ChargeInput,
) {
  const now = ports.clock.now();
  const paymentId = newId("payment", now);
  const lockMs = via === "checkout" ? checkoutLifetimeMs + checkoutLockMarginMs : chargeLockMs;
  const until = new Date(now.getTime() + lockMs);
  const payable = payableFor(ports.payables, paid);
  const attempt = { paymentId, via, until: until.toISOString(), now };
  const [opened, merchant] = await Promise.all([
    payable.open(merchantId, paid.id, attempt),
    merchantOf(ports, merchantId),
  ]);
  // An earlier attempt whose hold lapsed without an outcome may have charged: the processor is asked
  // about it first, and an answer applied changed the payable, so this attempt opens on it anew
  // (refused if that attempt paid it, or still holds it as a bank debit).
  const opening =
    opened.lapsed && (await askAgain(ports, merchantId, opened.lapsed, { merchant, refusal: "unanswered" }))
      ? await payable.open(merchantId, paid.id, attempt)
      : opened;
  const processor = await ports.processorFor(merchant);
  const idempotencyKey = `${paid.id}-attempt-${opening.attempt}`;
  const asked: ChargeAsked | undefined = charging && {
    ...connectedAccount(merchant, processor),
    paymentMethod: processor.keptMethod(charging.paymentMethod),
    ...(charging.processorCustomerId ? { processorCustomerId: charging.processorCustomerId } : {}),
    offSession: charging.offSession,
    description: opening.description,
    idempotencyKey,
  };
  const payment = processorPayment(paymentId, { for: paid, ...opening, asked }, processor, now);
  // The check is planned before the attempt is recorded, not beside it: a check that finds no payment
  // (the record failed, or lost a race) does nothing, but an attempt recorded while planning its check
  // failed would hold the payable, `processing`, with nothing ever to settle it.
  if (asked) await ports.scheduler.scheduleOnce(attemptCheck(merchantId, paymentId, until));
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
    asked,
    recorded,
    idempotencyKey,
    metadata: refsOf(merchantId, payment.id, paid),
  };
}

/** A direct charge's request, the same each time it is sent: the processor answers it by its key. */
const chargeRequest = (merchantId: string, payment: Payment, asked: ChargeAsked): ChargeRequest => ({
  ...(asked.accountId ? { accountId: asked.accountId } : {}),
  amount: payment.amount,
  currency: payment.currency,
  paymentMethod: asked.paymentMethod,
  ...(asked.processorCustomerId ? { processorCustomerId: asked.processorCustomerId } : {}),
  description: asked.description,
  metadata: refsOf(merchantId, payment.id, payment.for),
  idempotencyKey: asked.idempotencyKey,
  offSession: asked.offSession,
});

/** A charge's answer as an outcome (3-D Secure asked of a charge is its failure). */
function outcomeOf(result: ChargeResult): Outcome {
  if (result.status !== "failed" && result.status !== "requires_action")
    return { status: result.status, method: result.method, processorPaymentId: result.paymentIntentId };
  return {
    status: "failed",
    declineCode: result.status === "failed" ? result.declineCode : "authentication_required",
    message: result.message,
    processorPaymentId: result.paymentIntentId,
    ...(result.method ? { method: result.method } : {}),
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
  const { opening, merchant, processor, payment, asked, recorded } = await startAttempt(
    ports,
    merchantId,
    paid,
    "charge",
    input,
  );
  if (!asked) throw new Error("unreachable: a charge keeps its request");
  const result = await processor.charge(chargeRequest(merchantId, payment, asked));
  if (result.status === "unknown") {
    // The charge may or may not have happened: the payment stays `processing` and the attempt keeps
    // the payable held until the processor's events settle it, or its check asks again once the
    // hold lapses, so a retry cannot charge twice.
    return { payment, held: opening.held, answered: false };
  }
  const outcome = outcomeOf(result);
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
 * Asks the processor again about a direct charge whose answer was never recorded (the process died
 * between asking and recording, or no answer came), with the charge's own request: the processor
 * replays its first answer (or charges now, if the first request never reached it), and the answer
 * is applied as the charge's own would have been, conditionally, so a webhook racing it changes
 * nothing twice. Whether an outcome was applied: a payment no longer processing, one whose answer
 * was recorded, one that was no direct charge, or one the processor again leaves unanswered changes
 * nothing (its events settle it).
 */
export async function askAgain(
  ports: PaymentPorts,
  merchantId: string,
  paymentId: string,
  options: {
    merchant?: Merchant;
    /**
     * A processor refusing the request with an error (its account was closed, the key rotated) gives
     * no answer, and would refuse it each time for the 20 hours it may be asked. The check `throws`
     * (redelivered, then the queue's DLQ, where an operator sees it); a buyer's new attempt takes it as
     * `unanswered` and goes on as after no answer, instead of failing for those 20 hours.
     */
    refusal?: "throws" | "unanswered";
  } = {},
): Promise<boolean> {
  const found = await ports.payments.read(merchantId, paymentId);
  const payment = found?.value;
  // A processor id recorded is an answer recorded (a bank debit processing): its events settle it.
  if (!found || !payment?.asked || payment.status !== "processing" || payment.processorPaymentId)
    return false;
  if (ports.clock.now().getTime() - Date.parse(payment.createdAt) > replayWindowMs) return false;
  const merchant = options.merchant ?? (await merchantOf(ports, merchantId));
  const processor = await ports.processorFor(merchant);
  // The merchant changed processors or accounts since: the first one's events settle it.
  if (
    processor.name !== payment.processor ||
    connectedAccount(merchant, processor).accountId !== payment.asked.accountId
  )
    return false;
  const result = await processor
    .charge(chargeRequest(merchantId, payment, payment.asked))
    .catch((error: unknown): OutcomeUnknown => {
      if (options.refusal !== "unanswered") throw error;
      const message = error instanceof Error ? error.message : String(error);
      log.error("The processor refused a lapsed charge's request", { paymentId, error: message });
      return { status: "unknown", message };
    });
  if (result.status === "unknown") return false;
  await applyOutcome(ports, merchantId, paymentId, outcomeOf(result), { merchant, payment: found });
  return true;
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
