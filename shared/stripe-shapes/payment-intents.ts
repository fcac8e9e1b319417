/**
 * `payment_intent.*` events. `latestCharge` is an id, as real webhooks carry it, or the charge itself,
 * expanded, as the sandbox sends it (see `charges.ts`).
 */
import type Stripe from "stripe";
import { type ChargeInput, chargeObject } from "./charges.ts";
import { type EventEnvelope, type EventOf, envelope, type KassaMetadata, metadataOf } from "./envelope.ts";
import { clone, fixtures } from "./fixtures.ts";
import { stripeLikeId } from "./ids.ts";

export type PaymentIntentEventType =
  | "payment_intent.succeeded"
  | "payment_intent.payment_failed"
  | "payment_intent.processing"
  | "payment_intent.requires_action";

/** After a decline Stripe returns the intent to `requires_payment_method`, with `last_payment_error`. */
const statusOf: Record<PaymentIntentEventType, Stripe.PaymentIntent.Status> = {
  "payment_intent.succeeded": "succeeded",
  "payment_intent.payment_failed": "requires_payment_method",
  "payment_intent.processing": "processing",
  "payment_intent.requires_action": "requires_action",
};

export interface PaymentIntentInput extends EventEnvelope {
  /** `pi_…` */
  id: string;
  amount: number;
  currency: string;
  metadata: KassaMetadata;
  /** Defaults from the event type. */
  status?: Stripe.PaymentIntent.Status;
  /** Defaults to `amount` when succeeded, else 0. */
  amountReceived?: number;
  description?: string | null;
  customerId?: string | null;
  /** The payment method id (`pm_…`; in the sandbox, the test token). */
  paymentMethodId?: string | null;
  paymentMethodType?: "card" | "us_bank_account";
  setupFutureUsage?: "off_session" | "on_session" | null;
  /** An id, as real webhooks carry it, or the charge itself, expanded, as the sandbox sends it. */
  latestCharge?: string | ChargeInput | null;
  /** Set on `payment_intent.payment_failed`. */
  lastPaymentError?: {
    /** `card_declined`, `authentication_required`, `resource_missing`… */
    code: string;
    declineCode: string;
    message: string;
    type?: "card_error" | "invalid_request_error";
  } | null;
}

/** A `payment_intent.*` event; `data.object` is the intent. */
export function paymentIntentEvent<T extends PaymentIntentEventType>(
  type: T,
  pi: PaymentIntentInput,
): EventOf<T> {
  const template = clone(fixtures.resources.payment_intent);
  const status = pi.status ?? statusOf[type];
  const metadata = metadataOf(pi.metadata);
  const paymentMethodId = pi.paymentMethodId ?? null;
  const latestCharge =
    pi.latestCharge === undefined || pi.latestCharge === null || typeof pi.latestCharge === "string"
      ? (pi.latestCharge ?? null)
      : chargeObject(pi.latestCharge, {
          amount: pi.amount,
          currency: pi.currency,
          created: pi.created,
          paymentIntentId: pi.id,
          paymentMethodId,
          customerId: pi.customerId ?? null,
          description: pi.description ?? null,
          metadata,
        });
  const chargeId = typeof latestCharge === "string" ? latestCharge : latestCharge?.id;
  const error = pi.lastPaymentError;
  const overrides: Partial<Stripe.PaymentIntent> = {
    id: pi.id,
    amount: pi.amount,
    amount_capturable: 0,
    amount_received: pi.amountReceived ?? (status === "succeeded" ? pi.amount : 0),
    automatic_payment_methods: null,
    canceled_at: null,
    client_secret: `${pi.id}_secret_${stripeLikeId("s", pi.id).slice(2)}`,
    created: pi.created,
    currency: pi.currency.toLowerCase(),
    customer: pi.customerId ?? null,
    description: pi.description ?? null,
    last_payment_error: error
      ? ({
          type: error.type ?? "card_error",
          code: error.code,
          decline_code: error.declineCode,
          message: error.message,
          doc_url: `https://docs.stripe.com/error-codes/${error.code.replaceAll("_", "-")}`,
          ...(chargeId ? { charge: chargeId } : {}),
          ...(paymentMethodId ? { payment_method_type: pi.paymentMethodType ?? "card" } : {}),
        } as Stripe.PaymentIntent.LastPaymentError)
      : null,
    latest_charge: latestCharge,
    livemode: false,
    metadata,
    next_action:
      status === "requires_action"
        ? ({ type: "use_stripe_sdk", use_stripe_sdk: {} } as Stripe.PaymentIntent.NextAction)
        : null,
    payment_method: paymentMethodId,
    payment_method_configuration_details: null,
    payment_method_types: [pi.paymentMethodType ?? "card"],
    processing: null,
    setup_future_usage: pi.setupFutureUsage ?? null,
    shipping: null,
    status,
    transfer_data: null,
  };
  return envelope(
    type,
    { ...template, ...overrides },
    pi,
    `${status}|${paymentMethodId}|${error?.declineCode ?? ""}`,
  );
}
