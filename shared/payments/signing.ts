/**
 * Webhook signatures exactly as Stripe makes them: `Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256
 * of "<t>.<payload>" keyed with the endpoint secret>`. Both directions go through the `stripe` SDK's
 * own code, and there is one verifier: a sandbox event and a Stripe event pass or fail it alike.
 */
import Stripe from "stripe";

/** The header Stripe (and the sandbox) sign with. */
export const stripeSignatureHeader = "Stripe-Signature";

/** Stripe's default and Kassa's bar (DESIGN §8): a signature older than 5 minutes is refused. */
export const signatureToleranceSeconds = 300;

/** The `Stripe-Signature` header for `payload` signed at `nowSeconds` (Unix seconds) with `secret`. */
export function signPayload(payload: string, secret: string, nowSeconds: number): string {
  // The SDK falls back to the wall clock for a missing (or zero) timestamp: never let it.
  if (!Number.isSafeInteger(nowSeconds) || nowSeconds <= 0) {
    throw new RangeError("signPayload: nowSeconds must be a positive integer (Unix seconds)");
  }
  if (secret.length === 0) throw new RangeError("signPayload: the signing secret is empty");
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: nowSeconds });
}

/** Serializes an event and signs the exact bytes that will be sent. */
export function signEvent(
  event: Stripe.Event,
  secret: string,
  nowSeconds: number,
): { payload: string; signature: string } {
  const payload = JSON.stringify(event);
  return { payload, signature: signPayload(payload, secret, nowSeconds) };
}

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
