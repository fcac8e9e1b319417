/**
 * Verifying Stripe-signed payloads — the one verifier for Stripe's webhooks and the sandbox's events.
 * Stripe's scheme (`t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<payload>">`, ./signing.ts) needs only
 * node:crypto, so the webhook ingest does not load the Stripe SDK to check it; the checks and their
 * messages follow the SDK's `webhooks.constructEvent`, and test/unit/sandbox.test.ts verifies headers
 * the SDK made.
 */
import { timingSafeEqual } from "node:crypto";
import type Stripe from "stripe";
import { ValidationError } from "../domain/errors.ts";
import { signatureToleranceSeconds, v1Signature } from "./signing.ts";

/** A payload whose signature does not check out (what the SDK's `StripeSignatureVerificationError` says). */
export class SignatureVerificationError extends Error {
  override readonly name = "SignatureVerificationError";
}

/** The header's timestamp and its `v1` signatures (there is one per endpoint secret while one rolls). */
function parseHeader(header: string): { timestamp: number; signatures: string[] } {
  let timestamp = Number.NaN;
  const signatures: string[] = [];
  for (const item of header.split(",")) {
    const [key, value = ""] = item.split("=");
    if (key === "t") timestamp = Number.parseInt(value, 10);
    if (key === "v1") signatures.push(value);
  }
  if (Number.isNaN(timestamp))
    throw new SignatureVerificationError("Unable to extract timestamp and signatures from header");
  if (signatures.length === 0)
    throw new SignatureVerificationError("No signatures found with expected scheme");
  return { timestamp, signatures };
}

/** Constant-time for equal lengths; a length says nothing secret (every v1 signature is 64 hex digits). */
const sameSignature = (expected: Buffer, given: string): boolean => {
  const bytes = Buffer.from(given, "utf8");
  return bytes.length === expected.length && timingSafeEqual(bytes, expected);
};

/**
 * Verifies a signed payload and returns its event, or throws `SignatureVerificationError` (a bad or
 * missing signature, an empty secret, or a timestamp more than `toleranceSeconds` before `nowSeconds`,
 * which defaults to the wall clock). The payload must be the raw body, byte for byte; any one of the
 * header's `v1` signatures may match. A tolerance of 0, which would switch the age check off, is refused.
 */
export function verifySignedEvent(
  payload: string | Uint8Array,
  header: string,
  secret: string,
  nowSeconds?: number,
  toleranceSeconds = signatureToleranceSeconds,
): Stripe.Event {
  if (!(toleranceSeconds > 0)) throw new RangeError("verifySignedEvent: toleranceSeconds must be positive");
  const text = typeof payload === "string" ? payload : new TextDecoder("utf8").decode(payload);
  if (!text) throw new SignatureVerificationError("No webhook payload was provided.");
  if (!header) throw new SignatureVerificationError("No stripe-signature header value was provided.");
  const { timestamp, signatures } = parseHeader(header);
  if (!secret.trim())
    throw new SignatureVerificationError(
      "No webhook secret value was provided. It should start with `whsec_`",
    );
  const expected = Buffer.from(v1Signature(text, secret, timestamp), "utf8");
  if (!signatures.some((signature) => sameSignature(expected, signature)))
    throw new SignatureVerificationError(
      "No signatures found matching the expected signature for payload. Are you passing the raw request body you received from Stripe?",
    );
  const now = nowSeconds ?? Math.floor(Date.now() / 1000);
  if (now - timestamp > toleranceSeconds)
    throw new SignatureVerificationError("Timestamp outside the tolerance zone");
  return JSON.parse(text) as Stripe.Event;
}

/** True for a signature failure (answer 400 to the sender; never process the body). */
export function isSignatureVerificationError(error: unknown): boolean {
  return error instanceof SignatureVerificationError;
}

/** A webhook that failed verification. A ValidationError, so the HTTP layer answers 400. */
export class WebhookSignatureError extends ValidationError {
  constructor(reason: string, cause?: unknown) {
    super([{ path: "stripe-signature", message: reason }], `Stripe webhook rejected: ${reason}`);
    if (cause !== undefined) this.cause = cause;
  }
}

/**
 * Verifies the raw body against the `Stripe-Signature` header before anything reads it, with
 * Stripe's 300 s tolerance on the signed timestamp. Throws `WebhookSignatureError` (→ 400) on a
 * missing, malformed, mismatched or stale signature; a missing endpoint secret is a configuration
 * fault and throws a plain Error (→ 500), never a fallback to the unverified body.
 */
export function verifyStripeWebhook(
  rawBody: string,
  signatureHeader: string | undefined,
  endpointSecret: string,
  nowSeconds?: number,
): Stripe.Event {
  if (!endpointSecret.trim()) throw new Error("The Stripe webhook endpoint secret is not configured");
  if (!signatureHeader) throw new WebhookSignatureError("missing Stripe-Signature header");
  try {
    return verifySignedEvent(rawBody, signatureHeader, endpointSecret, nowSeconds);
  } catch (error) {
    if (error instanceof SignatureVerificationError) {
      // The first sentence names the fault; the rest is integration advice.
      throw new WebhookSignatureError(error.message.split(/[.\n]/)[0]?.trim() || "invalid signature", error);
    }
    if (error instanceof SyntaxError)
      throw new WebhookSignatureError("the signed payload is not JSON", error);
    throw error;
  }
}
