/**
 * Consumer of the stripe-events queue (Stripe's webhooks and the sandbox's events alike): checks the
 * signature again, handles each event once (by event id) and reports failures per record, so a
 * poison message ends in the DLQ without blocking the rest.
 */
import * as z from "zod";
import {
  clockFor,
  once,
  processorEventClock,
  stripeEventPorts,
  withStripeWebhookSecret,
} from "../../shared/composition.ts";
import { logContext } from "../../shared/observability.ts";
import { handleStripeEvent } from "../../shared/payments/stripe-events-handler.ts";
import { isSignatureVerificationError, verifySignedEvent } from "../../shared/payments/verification.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";

const signedEvent = () => z.object({ payload: z.string().min(2), signature: z.string().min(10) });

export const handler = sqsConsumer(signedEvent, async ({ payload, signature }) => {
  // Queued events may wait before they are read (retries, backlogs): their age is checked at the
  // edge, here only that they are authentic.
  const clock = clockFor();
  const event = await withStripeWebhookSecret(
    clock,
    (secret) => verifySignedEvent(payload, signature, secret, undefined, 14 * 24 * 3600),
    isSignatureVerificationError,
  );
  // The processor's event id follows the event through this consumer's lines; it is what Stripe shows.
  logContext({ type: event.type, eventId: event.id, correlationId: event.id });
  const ports = stripeEventPorts(await processorEventClock(clock, event));
  await once({ consumer: "stripe-events", key: event.id, clock, claimSeconds: 60 }, () =>
    handleStripeEvent(ports, event),
  );
});
