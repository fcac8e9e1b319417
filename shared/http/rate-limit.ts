/**
 * The per-merchant API limit, checked right after authentication: a token bucket per merchant in
 * this container's memory. Approximate across containers (each has its own buckets), so it bounds
 * a runaway client per container rather than promising an exact global rate.
 */
import type { Clock } from "../domain/clock.ts";
import { TooManyRequestsError } from "../domain/errors.ts";
import { type BucketSettings, tokenBuckets } from "../domain/limits.ts";

export function merchantRateLimit(settings: BucketSettings) {
  const buckets = tokenBuckets(settings);
  return (merchantId: string, clock: Clock): void => {
    const taken = buckets.take(merchantId, clock.now().getTime());
    if (!taken.allowed)
      throw new TooManyRequestsError(
        `Too many requests for this merchant: at most ${settings.ratePerSecond} a second, bursts of ${settings.burst}`,
        taken.retryAfterSeconds,
      );
  };
}
