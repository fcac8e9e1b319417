/**
 * What each Stripe-shaped event (from Stripe's webhooks or the sandbox) does to Kassa's records.
 * Decisions come from the objects' current state, never from arrival order: each handler calls an
 * idempotent, order-tolerant service function, so duplicates and reorderings end in the same state.
 */
import type Stripe from "stripe";
import {
  applyDispute,
  applyOutcome,
  checkoutExpired,
  type Outcome,
  type PaymentPorts,
  settleRefund,
} from "./service.ts";
import type { PaymentMethodDetails } from "./processor.ts";

export interface StripeEventPorts extends PaymentPorts {
  findPaymentByProcessorId(
    processorPaymentId: string,
  ): Promise<{ merchantId: string; paymentId: string } | undefined>;
  findMerchantByAccount(accountId: string): Promise<string | undefined>;
  setStripeAccountStatus(merchantId: string, chargesEnabled: boolean): Promise<void>;
  /** Payout events (Stripe's payouts are the source of truth for Stripe merchants). */
  recordStripePayout(merchantId: string, payout: Stripe.Payout, status: "paid" | "failed"): Promise<void>;
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

const idOf = (value: string | { id: string } | null | undefined): string | undefined =>
  typeof value === "string" ? value : (value?.id ?? undefined);

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

export async function handleStripeEvent(ports: StripeEventPorts, event: Stripe.Event): Promise<void> {
  switch (event.type) {
    case "payment_intent.succeeded":
    case "payment_intent.payment_failed":
    case "payment_intent.processing": {
      const pi = event.data.object;
      const refs = pi.metadata as Refs;
      if (!refs.kassa_merchant_id || !refs.kassa_payment_id) return;
      const method = methodOf(pi);
      const common = { processorPaymentId: pi.id, ...(method ? { method } : {}) };
      if (event.type === "payment_intent.succeeded") {
        await applyOutcome(ports, refs.kassa_merchant_id, refs.kassa_payment_id, {
          status: "succeeded",
          ...common,
        });
      } else if (event.type === "payment_intent.processing") {
        await applyOutcome(ports, refs.kassa_merchant_id, refs.kassa_payment_id, {
          status: "processing",
          ...common,
        });
      } else {
        const error = pi.last_payment_error;
        await applyOutcome(ports, refs.kassa_merchant_id, refs.kassa_payment_id, {
          status: "failed",
          declineCode: error?.decline_code ?? error?.code ?? "payment_failed",
          message: error?.message ?? "The payment failed",
          ...common,
        });
      }
      return;
    }
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
    case "checkout.session.async_payment_failed":
    case "checkout.session.expired": {
      const session = event.data.object;
      const refs = (session.metadata ?? {}) as Refs;
      if (!refs.kassa_merchant_id || !refs.kassa_payment_id) return;
      const processorPaymentId = idOf(session.payment_intent);
      const common = processorPaymentId ? { processorPaymentId } : {};
      await applyOutcome(ports, refs.kassa_merchant_id, refs.kassa_payment_id, {
        ...sessionOutcome(event.type, session.payment_status),
        ...common,
      });
      return;
    }
    case "charge.refunded": {
      const charge = event.data.object;
      const refs = charge.metadata as Refs;
      for (const refund of charge.refunds?.data ?? []) {
        const refundRefs = refund.metadata as Refs;
        const merchantId = refundRefs?.kassa_merchant_id ?? refs.kassa_merchant_id;
        if (!merchantId || !refundRefs?.kassa_refund_id) continue;
        const status =
          refund.status === "succeeded"
            ? "succeeded"
            : refund.status === "failed" || refund.status === "canceled"
              ? "failed"
              : "pending";
        await settleRefund(ports, merchantId, refundRefs.kassa_refund_id, status, refund.id);
      }
      return;
    }
    case "charge.dispute.created":
    case "charge.dispute.closed": {
      const dispute = event.data.object;
      const processorPaymentId = idOf(dispute.payment_intent);
      const ref = processorPaymentId ? await ports.findPaymentByProcessorId(processorPaymentId) : undefined;
      if (!ref) return;
      await applyDispute(ports, ref.merchantId, ref.paymentId, {
        id: dispute.id,
        status: dispute.status,
        amount: dispute.amount,
        ...(dispute.reason ? { reason: dispute.reason } : {}),
        closed: event.type === "charge.dispute.closed",
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
