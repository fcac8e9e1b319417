/**
 * What each Stripe-shaped event (from Stripe's webhooks or the sandbox) does to Kassa's records.
 * Decisions come from the objects' current state, never from arrival order: each handler calls an
 * idempotent, order-tolerant service function, so duplicates and reorderings end in the same state.
 * Before a case acts on what an event's refs name, the event must prove it comes from where that
 * payment was taken and describes the same money (event-trust.ts); one that does not changes
 * nothing and is recorded as a platform event.
 */
import type Stripe from "stripe";
import { requireFound } from "../domain/errors.ts";
import type { Merchant } from "../merchants/merchant.ts";
import {
  type EventClaim,
  type EventSubject,
  type RejectedProcessorEvent,
  rejectionOf,
} from "./event-trust.ts";
import { applyDispute } from "./disputes.ts";
import { applyOutcome, checkoutExpired, type Outcome } from "./outcomes.ts";
import type { PaymentPorts } from "./ports.ts";
import { settleRefund } from "./refunds.ts";
import type { PaymentMethodDetails } from "./processor.ts";
import { refundStatusOf } from "./refund.ts";

export interface StripeEventPorts extends PaymentPorts {
  findPaymentByProcessorId(
    processorPaymentId: string,
  ): Promise<{ merchantId: string; paymentId: string } | undefined>;
  findMerchantByAccount(accountId: string): Promise<string | undefined>;
  setStripeAccountStatus(merchantId: string, chargesEnabled: boolean): Promise<void>;
  /** Payout events (Stripe's payouts are the source of truth for Stripe merchants). */
  recordStripePayout(merchantId: string, payout: Stripe.Payout, status: "paid" | "failed"): Promise<void>;
  /** Whether Kassa's Stripe key moves real money: a Stripe payment's events must be in that mode. */
  stripeLivemode(): Promise<boolean>;
  /** Keeps (and reports, for the alarm) an event that failed the checks. */
  rejectProcessorEvent(rejected: RejectedProcessorEvent): Promise<void>;
  /**
   * Saves on the customer the method a payment kept for later (an invoice of a subscription paid
   * through Checkout with `setup_future_usage`), unless it is saved already.
   */
  keepPaymentMethod(
    merchantId: string,
    customerId: string,
    processorMethod: string,
    processorCustomerId?: string,
  ): Promise<void>;
  /** A Checkout session in setup mode completed: the card its SetupIntent saved becomes the customer's default. */
  saveSetupMethod(
    merchantId: string,
    customerId: string,
    setup: { setupIntentId: string; processorCustomerId?: string },
  ): Promise<void>;
}

type Refs = { kassa_merchant_id?: string; kassa_payment_id?: string; kassa_refund_id?: string };

function methodOf(pi: Stripe.PaymentIntent): PaymentMethodDetails | undefined {
  const charge = typeof pi.latest_charge === "object" && pi.latest_charge ? pi.latest_charge : undefined;
  const details = charge?.payment_method_details;
  if (details?.card)
    return { type: "card", brand: details.card.brand ?? "card", last4: details.card.last4 ?? "" };
  if (details?.us_bank_account) {
    return {
      type: "bank_debit",
      ...(details.us_bank_account.bank_name ? { bankName: details.us_bank_account.bank_name } : {}),
      ...(details.us_bank_account.last4 ? { last4: details.us_bank_account.last4 } : {}),
    };
  }
  return undefined;
}

/**
 * A refund as the processor reports it, applied to Kassa's refund named in its metadata (refunds
 * made elsewhere, e.g. in Stripe's dashboard, carry none and are left alone). Its status decides,
 * whichever event carried it: a `pending` report only records the processor's refund id.
 */
async function applyRefundReport(
  ports: StripeEventPorts,
  event: Stripe.Event,
  refund: Stripe.Refund,
  charge: Refs = {},
) {
  const refs = (refund.metadata ?? {}) as Refs;
  const merchantId = refs.kassa_merchant_id ?? charge.kassa_merchant_id;
  if (!merchantId || !refs.kassa_refund_id) return;
  const paymentId = refs.kassa_payment_id ?? charge.kassa_payment_id;
  const claim = { merchantId, refundId: refs.kassa_refund_id, paymentId };
  if (!(await trustedRefund(ports, event, refund, claim))) return;
  await settleRefund(ports, merchantId, refs.kassa_refund_id, refundStatusOf(refund.status), refund.id);
}

const idOf = (value: string | { id: string } | null | undefined): string | undefined =>
  typeof value === "string" ? value : (value?.id ?? undefined);

/** Stripe's Unix seconds as ISO 8601. */
const isoOf = (seconds: number): string => new Date(seconds * 1000).toISOString();

/**
 * The merchant and payment an event's refs name; unknown refs fail the message (it ends in the DLQ).
 * The payment comes with its version (`found`), so applying the outcome need not read it again.
 */
async function named(ports: StripeEventPorts, merchantId: string, paymentId: string) {
  const [merchant, payment] = await Promise.all([
    ports.merchants.readMerchant(merchantId),
    ports.payments.read(merchantId, paymentId),
  ]);
  const found = requireFound(payment, "Payment");
  return { merchant: requireFound(merchant, "Merchant").value, payment: found.value, found };
}

/** Whether `event` may act on `subject`; if not, the rejection is recorded and the case does nothing. */
async function trusted(
  ports: StripeEventPorts,
  event: Stripe.Event,
  claim: Omit<EventClaim, "account" | "livemode">,
  subject: EventSubject,
  merchant: Merchant,
): Promise<boolean> {
  const stripeLivemode = subject.payment.processor === "stripe" && (await ports.stripeLivemode());
  const rejection = rejectionOf(
    { account: event.account, livemode: event.livemode, ...claim },
    subject,
    merchant,
    stripeLivemode,
  );
  if (!rejection) return true;
  await ports.rejectProcessorEvent({
    ...rejection,
    processorEventId: event.id,
    processorEventType: event.type,
    ...(event.account ? { account: event.account } : {}),
    livemode: event.livemode,
    sentAt: isoOf(event.created),
    merchantId: merchant.id,
    paymentId: subject.payment.id,
    ...(subject.kind === "refund" ? { refundId: subject.refund.id } : {}),
  });
  return false;
}

/** Whether a processor refund may settle the Kassa refund its refs name (same payment, merchant and money). */
async function trustedRefund(
  ports: StripeEventPorts,
  event: Stripe.Event,
  refund: Stripe.Refund,
  refs: { merchantId: string; refundId: string; paymentId: string | undefined },
): Promise<boolean> {
  const kassaRefund = requireFound(
    await ports.payments.readRefund(refs.merchantId, refs.refundId),
    "Refund",
  ).value;
  const { merchant, payment } = await named(ports, refs.merchantId, kassaRefund.paymentId);
  return trusted(
    ports,
    event,
    { processorPaymentId: idOf(refund.payment_intent), amount: refund.amount, currency: refund.currency },
    {
      kind: "refund",
      payment,
      refund: kassaRefund,
      claimedPaymentId: refs.paymentId,
      processorRefundId: refund.id,
    },
    merchant,
  );
}

/**
 * What a Checkout session event says of its attempt. A session completes unpaid while a bank debit
 * processes; its async_payment events settle it. Only an expired session or a failed bank debit ends
 * the attempt on a failure: a card declined inside an open session (payment_intent.payment_failed)
 * leaves the buyer free to try another card there.
 */
function sessionOutcome(
  type:
    | "checkout.session.completed"
    | "checkout.session.async_payment_succeeded"
    | "checkout.session.async_payment_failed"
    | "checkout.session.expired",
  paymentStatus: string,
): Outcome {
  switch (type) {
    case "checkout.session.completed":
      return { status: paymentStatus === "paid" ? "succeeded" : "processing" };
    case "checkout.session.async_payment_succeeded":
      return { status: "succeeded" };
    case "checkout.session.async_payment_failed":
      return {
        status: "failed",
        declineCode: "async_payment_failed",
        message: "The bank debit failed",
        sessionOver: true,
      };
    case "checkout.session.expired":
      return checkoutExpired;
  }
}

/**
 * A buyer saved a card on the update-card page's Checkout session (setup mode). Only the merchant's
 * own connected account speaks for its customers: a session reported from another changes nothing.
 */
async function setupCompleted(
  ports: StripeEventPorts,
  event: Stripe.Event,
  session: Stripe.Checkout.Session,
) {
  const refs = (session.metadata ?? {}) as { kassa_merchant_id?: string; kassa_customer_id?: string };
  const setupIntentId = idOf(session.setup_intent);
  if (!refs.kassa_merchant_id || !refs.kassa_customer_id || !setupIntentId) return;
  const merchant = (await ports.merchants.readMerchant(refs.kassa_merchant_id))?.value;
  if (!merchant?.stripeAccountId || event.account !== merchant.stripeAccountId) return;
  const processorCustomerId = idOf(session.customer);
  await ports.saveSetupMethod(refs.kassa_merchant_id, refs.kassa_customer_id, {
    setupIntentId,
    ...(processorCustomerId ? { processorCustomerId } : {}),
  });
}

export async function handleStripeEvent(ports: StripeEventPorts, event: Stripe.Event): Promise<void> {
  switch (event.type) {
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed":
    case "payment_intent.processing": {
      const pi = event.data.object;
      const refs = pi.metadata as Refs;
      if (!refs.kassa_merchant_id || !refs.kassa_payment_id) return;
      const { merchant, payment, found } = await named(ports, refs.kassa_merchant_id, refs.kassa_payment_id);
      const claim = {
        processorPaymentId: pi.id,
        // A success must have received the payment's amount; other reports name what was asked.
        amount: event.type === "payment_intent.succeeded" ? pi.amount_received : pi.amount,
        currency: pi.currency,
      };
      if (!(await trusted(ports, event, claim, { kind: "payment", payment }, merchant))) return;
      const method = methodOf(pi);
      const common = { processorPaymentId: pi.id, ...(method ? { method } : {}) };
      const error = pi.last_payment_error;
      const outcome: Outcome =
        event.type === "payment_intent.payment_failed"
          ? {
              status: "failed",
              declineCode: error?.decline_code ?? error?.code ?? "payment_failed",
              message: error?.message ?? "The payment failed",
              ...common,
            }
          : { status: event.type === "payment_intent.succeeded" ? "succeeded" : "processing", ...common };
      await applyOutcome(ports, refs.kassa_merchant_id, refs.kassa_payment_id, outcome, {
        merchant,
        payment: found,
      });
      const kept = event.type === "payment_intent.succeeded" && pi.setup_future_usage === "off_session";
      const processorMethod = idOf(pi.payment_method);
      if (kept && processorMethod) {
        const processorCustomerId = idOf(pi.customer);
        await ports.keepPaymentMethod(
          refs.kassa_merchant_id,
          payment.customerId,
          processorMethod,
          ...(processorCustomerId ? [processorCustomerId] : []),
        );
      }
      return;
    }
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.async_payment_failed":
    case "checkout.session.expired": {
      const session = event.data.object;
      if (session.mode === "setup") {
        if (event.type === "checkout.session.completed") await setupCompleted(ports, event, session);
        return;
      }
      const refs = (session.metadata ?? {}) as Refs;
      if (!refs.kassa_merchant_id || !refs.kassa_payment_id) return;
      const { merchant, payment, found } = await named(ports, refs.kassa_merchant_id, refs.kassa_payment_id);
      const processorPaymentId = idOf(session.payment_intent);
      const claim = {
        processorPaymentId,
        amount: session.amount_total ?? 0,
        currency: session.currency ?? "",
      };
      if (!(await trusted(ports, event, claim, { kind: "payment", payment }, merchant))) return;
      const common = processorPaymentId ? { processorPaymentId } : {};
      await applyOutcome(
        ports,
        refs.kassa_merchant_id,
        refs.kassa_payment_id,
        { ...sessionOutcome(event.type, session.payment_status), ...common },
        { merchant, payment: found },
      );
      return;
    }
    case "charge.refunded": {
      const charge = event.data.object;
      const refs = charge.metadata as Refs;
      for (const refund of charge.refunds?.data ?? []) {
        await applyRefundReport(ports, event, refund, refs);
      }
      return;
    }
    case "refund.created":
    case "refund.updated":
    case "refund.failed":
    case "charge.refund.updated":
      await applyRefundReport(ports, event, event.data.object);
      return;
    case "charge.dispute.created":
    case "charge.dispute.closed": {
      const dispute = event.data.object;
      const processorPaymentId = idOf(dispute.payment_intent);
      const ref = processorPaymentId ? await ports.findPaymentByProcessorId(processorPaymentId) : undefined;
      if (!ref) return;
      const { merchant, payment } = await named(ports, ref.merchantId, ref.paymentId);
      const claim = { processorPaymentId, amount: dispute.amount, currency: dispute.currency };
      if (!(await trusted(ports, event, claim, { kind: "dispute", payment }, merchant))) return;
      // Decided by the dispute's own status and times, not by which event this is: a `created`
      // delivered after the `closed` must not reopen it.
      await applyDispute(ports, ref.merchantId, ref.paymentId, {
        id: dispute.id,
        status: dispute.status,
        amount: dispute.amount,
        ...(dispute.reason ? { reason: dispute.reason } : {}),
        createdAt: isoOf(dispute.created),
        reportedAt: isoOf(event.created),
      });
      return;
    }
    case "payout.paid":
    case "payout.failed": {
      const merchantId = event.account ? await ports.findMerchantByAccount(event.account) : undefined;
      if (!merchantId) return;
      await ports.recordStripePayout(
        merchantId,
        event.data.object,
        event.type === "payout.paid" ? "paid" : "failed",
      );
      return;
    }
    case "account.updated": {
      const account = event.data.object;
      const merchantId = await ports.findMerchantByAccount(account.id);
      if (!merchantId) return;
      await ports.setStripeAccountStatus(merchantId, account.charges_enabled === true);
      return;
    }
    default:
      return;
  }
}
