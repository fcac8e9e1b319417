/**
 * Ids shaped like Stripe's, for the sandbox and for tests: deterministic, so rebuilding an object or
 * an event gives it the same id (the webhook consumer deduplicates on event ids).
 */
import { createHash } from "node:crypto";

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * An id shaped like Stripe's (`pi_` + 24 letters and digits), derived from `seed`: the same seed
 * always gives the same id, different seeds practically never collide (SHA-256).
 */
export function stripeLikeId(prefix: string, seed: string, length = 24): string {
  let n = BigInt(`0x${createHash("sha256").update(seed).digest("hex")}`);
  let body = "";
  for (let i = 0; i < length; i++) {
    body += base62[Number(n % 62n)];
    n /= 62n;
  }
  return `${prefix}_${body}`;
}
