/** `checkout.session.*` events: the hosted checkout's session. */
import type Stripe from "stripe";
import { type EventEnvelope, type EventOf, envelope, type KassaMetadata, metadataOf } from "./envelope.ts";
import { clone, fixtures } from "./fixtures.ts";

export interface CheckoutSessionInput extends EventEnvelope {
  /** `cs_…` */
  id: string;
  paymentIntentId: string | null;
  amount: number;
  currency: string;
  metadata: KassaMetadata;
  /** Defaults from the event type; `unpaid` on completion for a bank debit still processing. */
  paymentStatus?: "paid" | "unpaid" | "no_payment_required";
  customerEmail?: string | null;
  customerId?: string | null;
  clientReferenceId?: string | null;
  successUrl?: string | null;
  cancelUrl?: string | null;
  /** Unix seconds; defaults to 24 h after `created` (Stripe's default), or `created` for an expired session. */
  expiresAt?: number;
}

export type CheckoutSessionEventType =
  | "checkout.session.completed"
  | "checkout.session.expired"
  | "checkout.session.async_payment_succeeded"
  | "checkout.session.async_payment_failed";

/**
 * What each event says about its session: the buyer finished (`completed`; unpaid while a bank debit
 * processes), the session closed unpaid (`expired`), or a completed session's bank debit settled or
 * failed (`async_payment_*`).
 */
const sessionStates: Record<
  CheckoutSessionEventType,
  { status: Stripe.Checkout.Session.Status; paymentStatus: Stripe.Checkout.Session.PaymentStatus }
> = {
  "checkout.session.completed": { status: "complete", paymentStatus: "paid" },
  "checkout.session.expired": { status: "expired", paymentStatus: "unpaid" },
  "checkout.session.async_payment_succeeded": { status: "complete", paymentStatus: "paid" },
  "checkout.session.async_payment_failed": { status: "complete", paymentStatus: "unpaid" },
};

/** A `checkout.session.*` event; `data.object` is the session. */
export function checkoutSessionEvent<T extends CheckoutSessionEventType>(
  type: T,
  input: CheckoutSessionInput,
): EventOf<T> {
  const template = clone(fixtures.resources["checkout.session"]);
  const email = input.customerEmail ?? null;
  const state = sessionStates[type];
  const overrides: Partial<Stripe.Checkout.Session> = {
    id: input.id,
    adaptive_pricing: { enabled: false },
    after_expiration: null,
    amount_subtotal: input.amount,
    amount_total: input.amount,
    cancel_url: input.cancelUrl ?? null,
    client_reference_id: input.clientReferenceId ?? null,
    collected_information: null,
    created: input.created,
    currency: input.currency.toLowerCase(),
    currency_conversion: null,
    custom_text: {
      after_submit: null,
      shipping_address: null,
      submit: null,
      terms_of_service_acceptance: null,
    },
    customer: input.customerId ?? null,
    customer_details: { ...template.customer_details, email } as Stripe.Checkout.Session.CustomerDetails,
    customer_email: email,
    expires_at: input.expiresAt ?? (state.status === "expired" ? input.created : input.created + 86_400),
    invoice_creation: null,
    livemode: false,
    metadata: metadataOf(input.metadata),
    mode: "payment",
    payment_intent: input.paymentIntentId,
    payment_method_configuration_details: null,
    payment_status: input.paymentStatus ?? state.paymentStatus,
    shipping_address_collection: null,
    shipping_cost: null,
    status: state.status,
    success_url: input.successUrl ?? null,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    url: state.status === "open" ? template.url : null,
  };
  return envelope(type, { ...template, ...overrides }, input);
}

/** `checkout.session.completed`: the buyer finished the hosted checkout. */
export const checkoutSessionCompletedEvent = (
  input: CheckoutSessionInput,
): EventOf<"checkout.session.completed"> => checkoutSessionEvent("checkout.session.completed", input);
