/** Refund objects and the events about them (`refund.*`, `charge.refund.updated`, `charge.refunded`). */
import type Stripe from "stripe";
import type { PaymentMethodDetails } from "../payments/processor.ts";
import { chargeObject } from "./charges.ts";
import { type EventEnvelope, type EventOf, envelope, type KassaMetadata, metadataOf } from "./envelope.ts";
import { clone, fixtures } from "./fixtures.ts";

export interface RefundInput {
  /** `re_…` */
  id: string;
  amount: number;
  status?: "succeeded" | "pending" | "requires_action" | "failed" | "canceled";
  /** Why a failed refund failed (`expired_or_canceled_card`, `lost_or_stolen_card`, `unknown`). */
  failureReason?: string;
  reason?: "duplicate" | "fraudulent" | "requested_by_customer" | null;
  /** The refund's refs, `kassa_refund_id` among them. */
  metadata: KassaMetadata;
  balanceTransactionId?: string | null;
}

export interface ChargeRefundedInput extends EventEnvelope {
  /** `ch_…` */
  chargeId: string;
  paymentIntentId: string | null;
  /** The charge's amount. */
  amount: number;
  currency: string;
  /** Cumulative, this refund included. */
  amountRefunded: number;
  /** The charge's refs (the payment's); the refund's own are on `refund`. */
  metadata: KassaMetadata;
  /** The refund that caused the event; listed on the charge (older ones are only counted). */
  refund: RefundInput;
  method?: PaymentMethodDetails;
  paymentMethodId?: string | null;
  /** The charge's balance transaction (`txn_…`). */
  balanceTransactionId?: string;
}

/** A `refund` object. */
export function refundObject(
  refund: RefundInput,
  context: { chargeId: string; paymentIntentId: string | null; currency: string; created: number },
): Stripe.Refund {
  const template = clone(fixtures.resources.refund);
  const { destination_details: _cardOnly, ...rest } = template;
  const overrides: Partial<Stripe.Refund> = {
    id: refund.id,
    amount: refund.amount,
    balance_transaction: refund.balanceTransactionId ?? null,
    charge: context.chargeId,
    created: context.created,
    currency: context.currency.toLowerCase(),
    metadata: metadataOf(refund.metadata),
    payment_intent: context.paymentIntentId,
    reason: refund.reason ?? null,
    status: refund.status ?? "succeeded",
    ...(refund.failureReason ? { failure_reason: refund.failureReason } : {}),
  };
  return { ...rest, ...overrides } as unknown as Stripe.Refund;
}

export type RefundEventType = "refund.created" | "refund.updated" | "refund.failed" | "charge.refund.updated";

export interface RefundEventInput extends EventEnvelope {
  refund: RefundInput;
  chargeId: string;
  paymentIntentId: string | null;
  currency: string;
}

/**
 * `refund.created` / `refund.updated` / `refund.failed` (every refund, since API version
 * 2024-10-28) and `charge.refund.updated` (some payment methods): the refund object itself.
 */
export function refundEvent<T extends RefundEventType>(type: T, input: RefundEventInput): EventOf<T> {
  const refund = refundObject(input.refund, input);
  return envelope(type, refund, input, refund.status ?? "");
}

/** `charge.refunded`: the charge with its cumulative `amount_refunded` and the new refund listed. */
export function chargeRefundedEvent(input: ChargeRefundedInput): EventOf<"charge.refunded"> {
  const refund = refundObject(input.refund, {
    chargeId: input.chargeId,
    paymentIntentId: input.paymentIntentId,
    currency: input.currency,
    created: input.created,
  });
  const charge = chargeObject(
    {
      id: input.chargeId,
      status: "succeeded",
      ...(input.method ? { method: input.method } : {}),
      ...(input.balanceTransactionId ? { balanceTransactionId: input.balanceTransactionId } : {}),
      amountRefunded: input.amountRefunded,
      refunds: [refund],
      moreRefunds: input.amountRefunded > input.refund.amount,
    },
    {
      amount: input.amount,
      currency: input.currency,
      created: input.created,
      paymentIntentId: input.paymentIntentId,
      paymentMethodId: input.paymentMethodId ?? null,
      customerId: null,
      description: null,
      metadata: metadataOf(input.metadata),
    },
  );
  return envelope("charge.refunded", charge, input, input.refund.id);
}
