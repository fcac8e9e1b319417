/**
 * What each Stripe-shaped event (from Stripe's webhooks or the sandbox) does to Kassa's records.
 * Decisions come from the objects' current state, never from arrival order: each handler calls an
 * idempotent, order-tolerant service function, so duplicates and reorderings end in the same state.
 */
import type Stripe from "stripe";
import { applyDispute, applyOutcome, type PaymentPorts, settleRefund } from "./service.ts";
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
async function applyRefundReport(ports: StripeEventPorts, refund: Stripe.Refund, chargeMerchantId?: string) {
  const refs = (refund.metadata ?? {}) as Refs;
  const merchantId = refs.kassa_merchant_id ?? chargeMerchantId;
  if (!merchantId || !refs.kassa_refund_id) return;
  await settleRefund(ports, merchantId, refs.kassa_refund_id, refundStatusOf(refund.status), refund.id);
}

const idOf = (value: string | { id: string } | null | undefined): string | undefined =>
  typeof value === "string" ? value : (value?.id ?? undefined);

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
    case "checkout.session.completed": {
      const session = event.data.object;
      const refs = (session.metadata ?? {}) as Refs;
      if (!refs.kassa_merchant_id || !refs.kassa_payment_id) return;
      const processorPaymentId = idOf(session.payment_intent);
      const common = processorPaymentId ? { processorPaymentId } : {};
      // Bank debits complete the session unpaid: the payment_intent events settle them.
      const status = session.payment_status === "paid" ? "succeeded" : "processing";
      await applyOutcome(ports, refs.kassa_merchant_id, refs.kassa_payment_id, { status, ...common });
      return;
    }
    case "charge.refunded": {
      const charge = event.data.object;
      const refs = charge.metadata as Refs;
      for (const refund of charge.refunds?.data ?? []) {
        await applyRefundReport(ports, refund, refs.kassa_merchant_id);
      }
      return;
    }
    case "refund.created":
    case "refund.updated":
    case "refund.failed":
    case "charge.refund.updated":
      await applyRefundReport(ports, event.data.object);
      return;
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
