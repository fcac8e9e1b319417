/**
 * Consumer of the webhook deliveries queue: one attempt per receive. A delivery to retry keeps its
 * message, hidden for the backoff's delay (the record is reported failed so Lambda leaves it).
 */
import * as z from "zod";
import { hideMessage } from "../../shared/aws/queue.ts";
import { clockFor, webhookDeliveryPorts } from "../../shared/composition.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";
import { deliver } from "../../shared/webhooks/delivery.ts";
import type { DeliveryPorts } from "../../shared/webhooks/ports.ts";

const deliveryMessage = z.object({
  kind: z.literal("webhook.deliver"),
  merchantId: z.string().min(1),
  endpointId: z.string().min(1),
  deliveryId: z.string().min(1),
});

/** Not an error of the consumer: the attempt failed and its retry is scheduled by the message's visibility. */
class RetryScheduled extends Error {
  override readonly name = "RetryScheduled";
}

export function deliveries(
  portsFor: (clock: Clock) => DeliveryPorts,
  hide: (receiptHandle: string, seconds: number) => Promise<void>,
) {
  return sqsConsumer(deliveryMessage, async (message, record) => {
    const wait = await deliver(portsFor(clockFor({ merchantId: message.merchantId })), message);
    if (wait === undefined) return;
    await hide(record.receiptHandle, wait);
    throw new RetryScheduled(`attempt failed; retry in ${wait} s`);
  });
}

export const handler = deliveries(webhookDeliveryPorts, (receiptHandle, seconds) =>
  hideMessage("webhook-deliveries", receiptHandle, seconds),
);
