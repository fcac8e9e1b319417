/**
 * Kassa's own limits (HTTP APIs have no usage plans and no WAF). Two kinds: a per-merchant token
 * bucket per function container for API traffic (approximate across containers), and exact fixed
 * windows kept in the table for abuse-sensitive actions, whose counters survive cold starts and
 * concurrent requests. README "Limits" lists them all.
 */
import { TooManyRequestsError } from "./errors.ts";

/** A fixed window of `max` actions per subject, every `windowSeconds` (windows start on multiples of it). */
export interface WindowLimit {
  name: string;
  max: number;
  windowSeconds: number;
}

const hour = 3600;

export const windowLimits = {
  /** Declined attempts on an invoice's hosted pay form: card testing stops at the tenth. */
  failedPayAttempts: { name: "failed-pay", max: 10, windowSeconds: hour },
  /** The buyer's "payment failed" email: one per invoice and hour, whatever the number of declines. */
  paymentFailedEmail: { name: "payment-failed-email", max: 1, windowSeconds: hour },
  /** `POST /v1/invoices/{id}/send`: each one emails the customer. */
  invoiceSend: { name: "invoice-send", max: 5, windowSeconds: hour },
  /**
   * Checkout sessions started on one payment link from one address: a script filling the table with
   * sessions stops, while a shop's shared wifi (every buyer at the counter's QR code) does not.
   */
  checkoutStarts: { name: "checkout-start", max: 60, windowSeconds: 600 },
  /** Workflow emails per merchant and UTC day: a misconfigured workflow cannot flood its buyers (or SES). */
  workflowEmails: { name: "workflow-email", max: 500, windowSeconds: 24 * hour },
  /**
   * Discount codes that did not apply, per renew link or per payment link and buyer address: guessing
   * codes stops at the tenth (issue 15), every code refused until the window ends.
   */
  failedCodeAttempts: { name: "failed-code", max: 10, windowSeconds: 900 },
  /**
   * Dashboard sign-in links asked for from one source address (the users module limits each email
   * address too): enough for an office behind one address, not for mailing a list of strangers.
   */
  dashboardSignIns: { name: "dashboard-sign-in", max: 30, windowSeconds: hour },
  /** Webhook replays per endpoint and hour: each one re-sends up to a whole retention window of events. */
  webhookReplays: { name: "webhook-replay", max: 5, windowSeconds: hour },
  /** Dashboard sign-in links requested per address (known or not): nobody floods an inbox with them. */
  signInRequests: { name: "sign-in-request", max: 5, windowSeconds: 900 },
} as const satisfies Record<string, WindowLimit>;

/** A taken slot of a window; given back when the action turned out not to count (e.g. no decline). */
export interface TakenSlot {
  giveBack(): Promise<void>;
}

export type Take = { taken: true; slot: TakenSlot } | { taken: false; retryAfterSeconds: number };

/** The port over the table-backed windows: one conditional increment per take, exact under concurrency. */
export interface WindowCounter {
  take(limit: WindowLimit, merchantId: string, subject: string, now: Date): Promise<Take>;
  /** When the window is full: the seconds until it ends (at least 1); otherwise undefined. */
  retryAfter(limit: WindowLimit, merchantId: string, subject: string, now: Date): Promise<number | undefined>;
}

/** Takes a slot of `limit` or throws a 429 saying when the window ends. */
export async function takeOrThrow(
  counter: WindowCounter,
  limit: WindowLimit,
  merchantId: string,
  subject: string,
  now: Date,
  what: string,
): Promise<TakenSlot> {
  const take = await counter.take(limit, merchantId, subject, now);
  if (take.taken) return take.slot;
  throw new TooManyRequestsError(
    `${what}: at most ${limit.max} per ${limit.windowSeconds / 60} minutes; try again in ${take.retryAfterSeconds} seconds`,
    take.retryAfterSeconds,
  );
}

/** The window `now` falls in: its start and end in epoch seconds. */
export function windowOf(limit: WindowLimit, now: Date): { start: number; end: number; nowSeconds: number } {
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const start = nowSeconds - (nowSeconds % limit.windowSeconds);
  return { start, end: start + limit.windowSeconds, nowSeconds };
}

/** A per-container token bucket's settings: `ratePerSecond` sustained, up to `burst` at once. */
export interface BucketSettings {
  ratePerSecond: number;
  burst: number;
  /** How many keys are tracked at most; the least recently seen is forgotten (it starts full again). */
  maxKeys: number;
}

/** The per-merchant API limit: 50 requests/s sustained, bursts of 100, per function container. */
export const merchantApiBucket: BucketSettings = { ratePerSecond: 50, burst: 100, maxKeys: 10_000 };

/**
 * Token buckets by key, in this container's memory: each container has its own, so across N warm
 * containers a merchant may get up to N times the rate. Pure: time comes in as `nowMs`.
 */
export function tokenBuckets(settings: BucketSettings) {
  const buckets = new Map<string, { tokens: number; atMs: number }>();
  return {
    /** Takes a token for `key`; when there is none, the whole seconds until one is back. */
    take(key: string, nowMs: number): { allowed: true } | { allowed: false; retryAfterSeconds: number } {
      const known = buckets.get(key);
      const elapsedSeconds = known ? Math.max(0, nowMs - known.atMs) / 1000 : 0;
      const tokens = known
        ? Math.min(settings.burst, known.tokens + elapsedSeconds * settings.ratePerSecond)
        : settings.burst;
      buckets.delete(key);
      if (buckets.size >= settings.maxKeys) {
        const oldest = buckets.keys().next().value;
        if (oldest !== undefined) buckets.delete(oldest);
      }
      if (tokens < 1) {
        buckets.set(key, { tokens, atMs: nowMs });
        return {
          allowed: false,
          retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / settings.ratePerSecond)),
        };
      }
      buckets.set(key, { tokens: tokens - 1, atMs: nowMs });
      return { allowed: true };
    },
  };
}
