/**
 * Webhook signatures exactly as Stripe makes them: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256
 * of "<t>.<payload>" keyed with the endpoint secret>`. Signing needs only node:crypto, so the
 * sandbox (which signs its events) never loads the Stripe SDK; so does verifying (`verification.ts`),
 * one verifier for sandbox and Stripe events alike.
 */
import { createHmac } from "node:crypto";
import type Stripe from "stripe";

/** The header Stripe (and the sandbox) sign with. */
export const stripeSignatureHeader = "Stripe-Signature";

/** Stripe's default and Kassa's bar (DESIGN §8): a signature older than 5 minutes is refused. */
export const signatureToleranceSeconds = 300;

/** The `Stripe-Signature` header for `payload` signed at `nowSeconds` (Unix seconds) with `secret`. */
export function signPayload(payload: string, secret: string, nowSeconds: number): string {
  if (!Number.isSafeInteger(nowSeconds) || nowSeconds <= 0) {
    throw new RangeError("signPayload: nowSeconds must be a positive integer (Unix seconds)");
  }
  if (secret.length === 0) throw new RangeError("signPayload: the signing secret is empty");
  return `t=${nowSeconds},v1=${v1Signature(payload, secret, nowSeconds)}`;
}

/** A `v1` signature: hex HMAC-SHA256 of `"<t>.<payload>"` keyed with the endpoint secret. */
export const v1Signature = (payload: string, secret: string, timestamp: number): string =>
  createHmac("sha256", secret).update(`${timestamp}.${payload}`, "utf8").digest("hex");

/** Serializes an event and signs the exact bytes that will be sent. */
export function signEvent(
  event: Stripe.Event,
  secret: string,
  nowSeconds: number,
): { payload: string; signature: string } {
  const payload = JSON.stringify(event);
  return { payload, signature: signPayload(payload, secret, nowSeconds) };
}
