/**
 * POST /webhooks/stripe: verify the signature on the raw body before anything else (400 and
 * nothing queued if it fails), then hand the event to the stripe-events queue and answer at once.
 * No table access: deduplication happens in the consumer.
 */
import { stripeWebhook } from "../../shared/api/payments.ts";
import { sqsQueue } from "../../shared/aws/queue.ts";
import { verifyWithSecret } from "../../shared/aws/secrets.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { verifyStripeWebhook, WebhookSignatureError } from "../../shared/payments/stripe.ts";
import { stripeEventsQueue } from "../../shared/outbox/routing.ts";

export const handler = apiHandler([
  route(stripeWebhook, async ({ event, clock }) => {
    const raw = event.isBase64Encoded
      ? Buffer.from(event.body ?? "", "base64").toString("utf8")
      : (event.body ?? "");
    const signature = event.headers["stripe-signature"];
    const verified = await verifyWithSecret(
      "stripeWebhookSecret",
      clock,
      (secret) => verifyStripeWebhook(raw, signature, secret, Math.floor(clock.now().getTime() / 1000)),
      (error) => error instanceof WebhookSignatureError,
    );
    await sqsQueue.send(stripeEventsQueue, { payload: raw, signature });
    return { received: true, id: verified.id };
  }),
]);
