/**
 * Which queues care about which domain events. The dispatcher reads it to route, and the manifest
 * reads it to grant the dispatcher `sqs:SendMessage` on exactly these queues.
 */
import type { QueueName } from "../aws/queue.ts";
import { ledgerEventTypes } from "../ledger/postings.ts";
import { notificationEventTypes } from "../notifications/registry.ts";
import { reportedEventTypes } from "../reports/contributors.ts";
import { segmentEventTypes } from "../segments/membership.ts";
import { workflowTriggers } from "../workflows/workflow.ts";
import { webhookEventTypes } from "../webhooks/event-types.ts";

export const eventQueues = [
  "notifications",
  "billing",
  "workflows",
  "reports",
  "segments",
  "ledger",
  "webhooks",
] as const satisfies readonly QueueName[];
export type EventQueue = (typeof eventQueues)[number];

/** The event types each queue gets: the notifications queue exactly those a notification is registered for. */
const routed: Record<EventQueue, ReadonlySet<string>> = {
  notifications: new Set(notificationEventTypes),
  billing: new Set([
    "merchant.created",
    "invoice.finalized",
    "invoice.paid",
    "invoice.voided",
    // A subscription's charge that failed (its subscription becomes past_due or incomplete).
    "payment.failed",
    // A new default card retries a past_due subscription's failed invoices at once (dunning).
    "customer.updated",
    "payment_method.attached",
    // …and so does a subscription's new default method (PATCH defaultPaymentMethodId).
    "subscription.updated",
    "test_clock.advancing",
    // An accepted quote's first invoice, and its payment plan (quotes/acceptance.ts).
    "quote.accepted",
  ]),
  /** Exactly the events a workflow can start on (shared/workflows/engine.ts enrolls on them). */
  workflows: new Set(workflowTriggers),
  /** Exactly the events a report contributor folds (shared/composition.ts `reportContributors`). */
  reports: new Set(reportedEventTypes),
  /** Customers' stats, their changes and the segments' own (shared/segments/membership.ts). */
  segments: new Set(segmentEventTypes),
  /** Exactly the events that move money (shared/ledger/postings.ts). */
  ledger: new Set(ledgerEventTypes),
  /** Every event merchants' webhook endpoints can subscribe to (shared/webhooks/event-types.ts). */
  webhooks: new Set(webhookEventTypes),
};

/** The queues an event of this type is delivered to; none for events nobody consumes yet. */
export function queuesFor(eventType: string): readonly EventQueue[] {
  return eventQueues.filter((queue) => routed[queue].has(eventType));
}
