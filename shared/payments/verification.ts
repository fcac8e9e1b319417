/**
 * Verifying Stripe-signed payloads with the `stripe` SDK's own code — the one verifier for Stripe's
 * webhooks and the sandbox's events. Only the functions that receive events load it.
 */
import Stripe from "stripe";
import { signatureToleranceSeconds } from "./signing.ts";

/**
 * Verifies a signed payload and returns its event, or throws the SDK's
 * `StripeSignatureVerificationError` (a bad or missing signature, an empty secret, or a timestamp
 * more than `toleranceSeconds` before `nowSeconds`, which defaults to the wall clock). The payload
 * must be the raw body, byte for byte. A tolerance of 0, which would switch the SDK's age check
 * off, is refused.
 */
export function verifySignedEvent(
  payload: string | Uint8Array,
  header: string,
  secret: string,
  nowSeconds?: number,
  toleranceSeconds = signatureToleranceSeconds,
): Stripe.Event {
  if (!(toleranceSeconds > 0)) throw new RangeError("verifySignedEvent: toleranceSeconds must be positive");
  const receivedAtMs = nowSeconds === undefined ? undefined : nowSeconds * 1000;
  return Stripe.webhooks.constructEvent(payload, header, secret, toleranceSeconds, undefined, receivedAtMs);
}

/** True for the SDK's signature failure (answer 400 to the sender; never process the body). */
export function isSignatureVerificationError(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeSignatureVerificationError;
}
