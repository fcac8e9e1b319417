/**
 * Consumer of the webhooks queue: a catalogued event becomes one delivery per active endpoint
 * subscribed to it; a replay's message runs one page of the replay.
 */
import * as z from "zod";
import { clockFor, webhookPorts } from "../../shared/composition.ts";
import { eventMessage } from "../../shared/outbox/message.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";
import { fanOut } from "../../shared/webhooks/delivery.ts";
import { replayPageRun } from "../../shared/webhooks/service.ts";

const replayMessage = z.object({
  kind: z.literal("webhook.replay"),
  merchantId: z.string().min(1),
  endpointId: z.string().min(1),
  replayId: z.string().min(1),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  after: z.string().optional(),
});

/** The event's `sequence` orders an object's deliveries (shared/webhooks/endpoint.ts `deliveryLine`). */
const webhookEvent = eventMessage.extend({ sequence: z.number().int().optional() });

export const handler = sqsConsumer(z.union([replayMessage, webhookEvent]), async (message) => {
  const ports = webhookPorts(clockFor({ merchantId: message.merchantId }));
  if ("kind" in message) await replayPageRun(ports, message);
  else await fanOut(ports, message);
});
