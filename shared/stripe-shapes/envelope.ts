/**
 * Builders of Stripe-shaped events: what Stripe's webhooks deliver, for the sandbox to emit and for
 * tests of the webhook consumer to feed it. Each `data.object` starts from Stripe's canonical example
 * of that resource (`fixtures.ts`) and overrides ids, amounts, currency (lower case, as Stripe writes
 * it), status and Kassa's refs in `metadata`. Deterministic: every id and time comes from the input; an
 * event id left out is derived from the event's type and object, so rebuilding an event gives it the
 * same id (the consumer deduplicates on it).
 *
 * This module holds the event envelope every resource's builder wraps its object in.
 */
import type Stripe from "stripe";
import { STRIPE_API_VERSION } from "../payments/stripe-version.ts";
import { fixtures } from "./fixtures.ts";
import { stripeLikeId } from "./ids.ts";

export type EventOf<T extends Stripe.Event["type"]> = Extract<Stripe.Event, { type: T }>;

/** Kassa's refs as they travel in Stripe `metadata` (string values only; absent keys are left out). */
export interface KassaMetadata {
  kassa_merchant_id?: string;
  kassa_payment_id?: string;
  kassa_invoice_id?: string;
  kassa_refund_id?: string;
}

export interface EventEnvelope {
  /** `evt_…`; by default derived from the type and the object, so a rebuilt event keeps its id. */
  eventId?: string;
  /** Unix seconds; also the object's `created`. */
  created: number;
  /** The connected account (`acct_…`) the event comes from. */
  accountId?: string;
  /** The idempotency key of the request that caused the event. */
  idempotencyKey?: string;
}

export function metadataOf(refs: KassaMetadata | undefined): Stripe.Metadata {
  const out: Stripe.Metadata = {};
  for (const [key, value] of Object.entries(refs ?? {})) if (typeof value === "string") out[key] = value;
  return out;
}

export function envelope<T extends Stripe.Event["type"]>(
  type: T,
  object: { id?: string },
  input: EventEnvelope,
  seed = "",
): EventOf<T> {
  const template = fixtures.resources.event;
  const event = {
    id: input.eventId ?? stripeLikeId("evt", `${type}|${object.id ?? ""}|${seed}`),
    object: "event",
    ...(input.accountId ? { account: input.accountId } : {}),
    api_version: STRIPE_API_VERSION,
    created: input.created,
    data: { object },
    livemode: false,
    pending_webhooks: Math.max(1, template.pending_webhooks),
    request: { id: null, idempotency_key: input.idempotencyKey ?? null },
    type,
  };
  return event as unknown as EventOf<T>;
}
