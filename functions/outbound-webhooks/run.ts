/**
 * Consumer of the webhooks queue, which carries three kinds of message: a catalogued domain event
 * (from the dispatcher) becomes one delivery per active endpoint subscribed to it; a delivery's
 * message is one attempt; a replay's message runs one page of the replay. One queue and one function
 * for all three keep the stack small; a delivery to retry keeps its message, hidden for the backoff's
 * delay (the record is reported failed so Lambda leaves it on the queue).
 */
import * as z from "zod";
import { hideMessage } from "../../shared/aws/queue.ts";
import { clockFor, webhookDeliveryPorts } from "../../shared/composition.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import { eventMessage } from "../../shared/outbox/message.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";
import { deliver, fanOut } from "../../shared/webhooks/delivery.ts";
import type { DeliveryPorts } from "../../shared/webhooks/ports.ts";
import { replayPageRun } from "../../shared/webhooks/service.ts";

const deliveryMessage = () =>
  z.object({
    kind: z.literal("webhook.deliver"),
    merchantId: z.string().min(1),
    endpointId: z.string().min(1),
    deliveryId: z.string().min(1),
  });

const replayMessage = () =>
  z.object({
    kind: z.literal("webhook.replay"),
    merchantId: z.string().min(1),
    endpointId: z.string().min(1),
    replayId: z.string().min(1),
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    after: z.string().optional(),
  });

/** The event's `sequence` orders an object's deliveries (shared/webhooks/endpoint.ts `deliveryLine`). */
const webhookEvent = () => eventMessage().extend({ sequence: z.number().int().optional() });

const message = () => z.union([deliveryMessage(), replayMessage(), webhookEvent()]);

/** Not an error of the consumer: the attempt failed and its retry is scheduled by the message's visibility. */
class RetryScheduled extends Error {
  override readonly name = "RetryScheduled";
}

export function outboundWebhooks(
  portsFor: (clock: Clock) => DeliveryPorts,
  hide: (receiptHandle: string, seconds: number) => Promise<void>,
) {
  return sqsConsumer(message, async (body, record) => {
    const ports = portsFor(clockFor({ merchantId: body.merchantId }));
    if (!("kind" in body)) return fanOut(ports, body);
    if (body.kind === "webhook.replay") return replayPageRun(ports, body);
    const wait = await deliver(ports, body);
    if (wait === undefined) return;
    await hide(record.receiptHandle, wait);
    throw new RetryScheduled(`attempt failed; retry in ${wait} s`);
  });
}

export const handler = outboundWebhooks(webhookDeliveryPorts, (receiptHandle, seconds) =>
  hideMessage("webhooks", receiptHandle, seconds),
);
