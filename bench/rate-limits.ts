import { merchantApiBucket } from "../shared/domain/limits.ts";

/**
 * Raises the per-merchant API limit for a load run: 50 clients (or a tight in-process loop) on one
 * merchant would otherwise measure its 429s (50 requests/s per container, bursts of 100). Every
 * handler reads this one object on each request.
 */
export function raiseMerchantRateLimit(): void {
  Object.assign(merchantApiBucket, { ratePerSecond: 1_000_000, burst: 1_000_000 });
}
