/**
 * The Stripe API version Kassa pins, shared by the SDK client (every request sends it) and the
 * Stripe-shaped events the sandbox builds. A literal rather than `Stripe.API_VERSION`, so upgrading
 * the SDK never moves the API version silently: `satisfies` fails to compile until this line is
 * changed on purpose (and the webhook endpoint's version with it). Type-only import: no SDK at runtime.
 */
import type Stripe from "stripe";

export const STRIPE_API_VERSION = "2026-10-28.endive" satisfies Stripe.LatestApiVersion;
