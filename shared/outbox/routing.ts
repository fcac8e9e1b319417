/**
 * Which queues care about which domain events. The dispatcher reads it to route, and the manifest
 * reads it to grant the dispatcher `sqs:SendMessage` on exactly these queues.
 */
import type { QueueName } from "../aws/queue.ts";

export const eventQueues = ["notifications", "billing"] as const satisfies readonly QueueName[];
export type EventQueue = (typeof eventQueues)[number];

const routes: Record<string, readonly EventQueue[]> = {
  "merchant.created": ["notifications", "billing"],
  "invoice.sent": ["notifications"],
  "payment.succeeded": ["notifications"],
  "payment.failed": ["notifications"],
  "payment.duplicate_refunded": ["notifications"],
  "refund.succeeded": ["notifications"],
  "invoice.finalized": ["billing"],
  "invoice.paid": ["billing"],
  "invoice.voided": ["billing"],
  "payout.paid": ["notifications"],
};

/** The queues an event of this type is delivered to; none for events nobody consumes yet. */
export function queuesFor(eventType: string): readonly EventQueue[] {
  return routes[eventType] ?? [];
}

/** Stripe's webhooks and the sandbox's signed events, in Stripe's shapes: one queue, one consumer. */
export const stripeEventsQueue = "stripe-events" satisfies QueueName;
