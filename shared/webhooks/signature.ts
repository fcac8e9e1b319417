/**
 * Kassa's outbound webhook signature: `Kassa-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]`, where
 * each `v1` is HMAC-SHA256 keyed with the UTF-8 bytes of a whole `whsec_…` secret over `"<t>."`
 * followed by the raw body bytes. During a secret's rotation the header carries the new secret's
 * `v1` first, then the old one's, so a receiver holding either verifies.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

const hmac = (secret: string, timestamp: number, rawBody: string | Uint8Array) =>
  createHmac("sha256", Buffer.from(secret, "utf8"))
    .update(`${timestamp}.`)
    .update(typeof rawBody === "string" ? Buffer.from(rawBody, "utf8") : rawBody)
    .digest("hex");

/** The header for `rawBody` sent at `timestamp` (unix seconds), signed by each secret in order. */
export function signatureHeader(
  secrets: readonly string[],
  timestamp: number,
  rawBody: string | Uint8Array,
): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${hmac(secret, timestamp, rawBody)}`)].join(",");
}

/** Signatures older (or newer) than this many seconds are refused: a captured request can't be replayed later. */
export const signatureToleranceSeconds = 300;

/**
 * What a receiver does (and what Kassa's own tests do): true when one of the header's `v1` values is
 * `secret`'s signature of `rawBody` and `t` is within the tolerance of `nowSeconds`. Constant-time.
 */
export function verifySignature(
  header: string,
  secret: string,
  rawBody: string | Uint8Array,
  nowSeconds: number,
  toleranceSeconds = signatureToleranceSeconds,
): boolean {
  const parts = header.split(",").map((part) => part.trim().split("="));
  const timestamp = Number(parts.find(([key]) => key === "t")?.[1]);
  if (!Number.isInteger(timestamp) || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmac(secret, timestamp, rawBody), "hex");
  return parts
    .filter(([key, value]) => key === "v1" && value !== undefined && /^[0-9a-f]{64}$/.test(value))
    .some(([, value]) => timingSafeEqual(Buffer.from(value ?? "", "hex"), expected));
}
