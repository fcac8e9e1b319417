/**
 * Refunds: reserving the amount on the payment, asking the processor, the planned checks of refunds
 * it has not answered, and settling them as it reports. Every change is one conditional transaction
 * with its events and balance transactions, so nothing is refunded or counted twice.
 */
import {
  NotFoundError,
  retryOnConflict,
  StateConflictError,
  ValidationError,
} from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { type Payment, type PaymentStatus, presentPayment, refundedStatus } from "./payment.ts";
import { connectedAccount, merchantOf, moneyMoved, type PaymentPorts } from "./ports.ts";
import type { OutcomeUnknown, PaymentProcessor, RefundResult } from "./processor.ts";
import type { Refund } from "./refund.ts";
import { refundCheck } from "./refund-checks.ts";

/**
 * What of a payment is left to refund (refunds still pending count as made); a payment that has not
 * succeeded is a 409. The rule behind the refund request and the dashboard's refund form.
 */
export function refundableAmount(payment: Pick<Payment, "status" | "amount" | "amountRefunded">): number {
  if (!(payment.status === "succeeded" || payment.status === "partially_refunded"))
    throw new StateConflictError(`Cannot refund a payment whose status is ${payment.status}`);
  return payment.amount - payment.amountRefunded;
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
  const refundable = refundableAmount(payment);
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
  await ports.payments.recordRefund(merchantId, {
    payment: { value: reserved, expectedVersion: version },
    refund,
    event: newEvent("refund.created", merchantId, refund.id, now, { refund }, refund.livemode),
  });
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
  try {
    return await settleRefund(ports, merchant.id, refund.id, result.status, result.refundId);
  } catch {
    // The processor has answered, so the refund stands: failing the request here (a throttled or
    // conflicting write) would let the client's retry with its Idempotency-Key refund again. It
    // stays pending, and its planned check applies the processor's answer.
    return refund;
  }
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
    await ports.payments.recordRefundChange(merchantId, {
      refund: { value: refund, expectedVersion: found.version },
    });
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
      await ports.payments.recordRefundChange(merchantId, {
        refund: { value: known, expectedVersion: version },
      });
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
    const balance =
      settledDelta !== 0 && payment.processor !== "manual"
        ? moneyMoved(await merchantOf(ports, merchantId), "refund", refund, -settledDelta, 0, now)
        : undefined;
    // The balance transaction (a reversal's too) rides along, so the reports fold it without reading it back.
    const moved = balance ? { balanceTransaction: balance } : {};
    const event =
      status === "succeeded"
        ? newEvent(
            "refund.succeeded",
            merchantId,
            refund.id,
            now,
            { refund: settled, payment: presentPayment(nextPayment), ...moved },
            settled.livemode,
          )
        : newEvent(
            "refund.failed",
            merchantId,
            refund.id,
            now,
            { refund: settled, ...moved },
            settled.livemode,
          );
    await ports.payments.recordRefundChange(merchantId, {
      refund: { value: settled, expectedVersion: version },
      payment: { value: nextPayment, expectedVersion: paymentVersion },
      ...(balance ? { balance } : {}),
      event,
    });
    return settled;
  });
}
