/**
 * A webhook endpoint and its deliveries, as pure values: what an endpoint is, how a patch and a
 * secret rotation change it, and when a failing delivery is retried (exponential backoff with jitter,
 * for up to three days) — the service and the delivery consumer decide with these.
 */
import { randomBytes } from "node:crypto";
import type { Sealed } from "../auth/sealed.ts";

export interface WebhookEndpoint {
  id: string;
  url: string;
  /** Catalogued event types and `prefix.*` wildcards (shared/webhooks/event-types.ts). */
  events: string[];
  description: string | null;
  /** false: nothing is delivered (set by the merchant, or by Kassa after three days of failures). */
  active: boolean;
  /** When Kassa disabled it for failing three days straight; null while the merchant decides. */
  disabledAt: string | null;
  /** Since when every attempt failed; null after a success (or before the first failure). */
  failingSince: string | null;
  /** The previous secret signs alongside the current one until then (a rotation's overlap); else null. */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** The endpoint as stored: its signing secrets sealed (shared/auth/sealed.ts), never in plain. */
export interface StoredEndpoint extends WebhookEndpoint {
  secret: Sealed;
  previousSecret: Sealed | null;
}

export interface NewEndpointInput {
  url: string;
  events: string[];
  description?: string | undefined;
  active?: boolean | undefined;
}

export interface EndpointPatch {
  url?: string | undefined;
  events?: string[] | undefined;
  description?: string | null | undefined;
  active?: boolean | undefined;
}

/** A new signing secret: `whsec_` and 32 random bytes. */
export const newWebhookSecret = (): string => `whsec_${randomBytes(32).toString("base64url")}`;

/** What the API shows: never a secret, sealed or not. */
export function presentEndpoint({ secret: _, previousSecret: __, ...endpoint }: StoredEndpoint): WebhookEndpoint {
  return endpoint;
}

/**
 * The patched endpoint. Turning it back on (`active: true`) clears Kassa's disabling and its failure
 * streak, so it gets three fresh days.
 */
export function patchEndpoint(endpoint: StoredEndpoint, patch: EndpointPatch, now: Date): StoredEndpoint {
  const reactivated = patch.active === true && !endpoint.active;
  return {
    ...endpoint,
    ...(patch.url !== undefined ? { url: patch.url } : {}),
    ...(patch.events !== undefined ? { events: [...new Set(patch.events)] } : {}),
    ...(patch.description !== undefined ? { description: patch.description } : {}),
    ...(patch.active !== undefined ? { active: patch.active } : {}),
    ...(reactivated ? { disabledAt: null, failingSince: null } : {}),
    updatedAt: now.toISOString(),
  };
}

/** Whether the previous secret still signs at `now`. */
export const previousSecretInForce = (endpoint: StoredEndpoint, now: Date): boolean =>
  endpoint.previousSecret !== null &&
  endpoint.previousSecretExpiresAt !== null &&
  now.getTime() < Date.parse(endpoint.previousSecretExpiresAt);

export type DeliveryStatus = "pending" | "succeeded" | "failed";

export interface DeliveryAttempt {
  at: string;
  /** The HTTP status the endpoint answered; absent when it did not answer. */
  status?: number;
  /** Why there was no answer (timeout, refused connection, refused address); absent when it answered. */
  error?: string;
  /** The first KiB of the answer, as text: the endpoint's own words, shown escaped and never trusted. */
  responseBody: string;
  durationMs: number;
}

/** Why a delivery exists: the event itself, a merchant's redeliver, or a replay of a range. */
export type DeliveryCause = "event" | "redeliver" | "replay";

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: DeliveryStatus;
  cause: DeliveryCause;
  attempts: DeliveryAttempt[];
  /** When the next attempt is due while pending and retrying; else null. */
  nextAttemptAt: string | null;
  createdAt: string;
  completedAt: string | null;
}

/**
 * Deliveries of one endpoint about one object go out one at a time in the object's order: the
 * event's `sequence` (its object's version after the change), then its id (ULID: time order) for
 * events without one. Events about no object are each their own line.
 */
export interface DeliveryLine {
  /** The endpoint's line: `objectId`, or the event's id. */
  group: string;
  /** Sorts within the line. */
  order: string;
}

export function deliveryLine(event: { id: string; objectId?: string; sequence?: number }, deliveryId: string): DeliveryLine {
  const sequence = Number.isSafeInteger(event.sequence) ? Number(event.sequence) : 0;
  return {
    group: event.objectId ?? event.id,
    order: `${String(sequence).padStart(12, "0")}#${event.id}#${deliveryId}`,
  };
}

/** A delivery's retries stop this long after its first attempt; an endpoint failing this long is disabled. */
export const retryWindowMs = 3 * 24 * 3600 * 1000;

/** SQS allows a visibility timeout of at most 12 hours per change; the longest wait between attempts. */
export const maxRetryDelaySeconds = 12 * 3600;

export interface RetryPolicy {
  /** The first retry waits between half of this and this many seconds. */
  firstDelaySeconds: number;
  /** Uniform in [0, 1): the jitter. */
  random: () => number;
}

/** Kassa's policy: the first retry within 30 s, then doubling (each with jitter), capped at 12 h. */
export const defaultRetryPolicy: RetryPolicy = { firstDelaySeconds: 30, random: Math.random };

/**
 * Seconds until the next attempt after `failedAttempts` failures: `first × 2^(n−1)`, jittered down
 * to half of it (so retries of many endpoints failing at once spread out), capped at 12 h and at what
 * is left of the three days (at least 1 s). Undefined when the three days are over: the delivery failed.
 */
export function retryDelaySeconds(
  policy: RetryPolicy,
  failedAttempts: number,
  firstAttemptAt: Date,
  now: Date,
): number | undefined {
  const left = firstAttemptAt.getTime() + retryWindowMs - now.getTime();
  if (left <= 0) return undefined;
  const full = policy.firstDelaySeconds * 2 ** Math.max(0, failedAttempts - 1);
  const jittered = full * (0.5 + policy.random() / 2);
  return Math.max(1, Math.ceil(Math.min(jittered, maxRetryDelaySeconds, left / 1000)));
}

/** Whether an endpoint failing since `failingSince` has failed three days straight at `now`. */
export const failedTooLong = (failingSince: string | null, now: Date): boolean =>
  failingSince !== null && now.getTime() - Date.parse(failingSince) >= retryWindowMs;
