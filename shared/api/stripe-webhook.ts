/**
 * Stripe's webhook endpoint, apart from the payment operations: the ingest function that serves it
 * only verifies and queues, and loads no other operation's schemas.
 */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";

export const stripeWebhook = defineOperation({
  id: "receiveStripeWebhook",
  method: "POST",
  path: "/webhooks/stripe",
  auth: "public",
  tag: "Webhooks",
  summary:
    "Stripe's webhook endpoint: the signature is verified on the raw body (5 min tolerance), then the event is queued",
  rawBody: {
    contentType: "application/json",
    schema: () =>
      z
        .looseObject({ id: z.string(), type: z.string(), data: z.looseObject({}) })
        .describe("A Stripe event, signed in the Stripe-Signature header"),
  },
  response: () => z.object({ received: z.literal(true), id: z.string().describe("The Stripe event's id") }),
  status: 200,
  maxBodyBytes: 1024 * 1024,
});
