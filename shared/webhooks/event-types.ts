/**
 * The closed catalog of event types a webhook endpoint may subscribe to: every domain event Kassa
 * emits about a merchant's business (the workflows' triggers among them), and `prefix.*` for all of
 * one prefix. Internal messages (timers, builds, resumes) are not events and are not here. The
 * dispatcher routes exactly these types to the webhooks queue, so an event added to the code but not
 * here is never delivered — the test in test/unit/webhook-endpoints.test.ts keeps the triggers in.
 */
import { workflowTriggers } from "../workflows/workflow.ts";

export const webhookEventTypes = [
  ...new Set<string>([
    ...workflowTriggers,
    "api_key.created",
    "api_key.revoked",
    "checkout.completed",
    "checkout.expired",
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "discount_code.created",
    "discount_code.updated",
    "invoice.created",
    "invoice.updated",
    "invoice.deleted",
    "invoice.finalized",
    "invoice.sent",
    "invoice.paid",
    "invoice.overdue",
    "invoice.voided",
    "invoice.marked_uncollectible",
    "invoice.payment_failed",
    "invoice.payment_action_required",
    "ledger.account_mapping_updated",
    "merchant.updated",
    "payment.created",
    "payment.processing",
    "payment.succeeded",
    "payment.failed",
    "payment.recorded",
    "payment.disputed",
    "payment.dispute_closed",
    "payment.duplicate_refunded",
    "payment_link.created",
    "payment_link.updated",
    "payment_link.deactivated",
    "payment_method.attached",
    "payment_method.detached",
    "payout.paid",
    "payout.failed",
    "payout.skipped",
    "product.created",
    "product.updated",
    "product.deleted",
    "quote.created",
    "quote.updated",
    "quote.deleted",
    "quote.published",
    "quote.signed",
    "quote.countersigned",
    "quote.accepted",
    "quote.declined",
    "quote.expired",
    "quote.canceled",
    "quote.superseded",
    "quote_template.created",
    "quote_template.updated",
    "quote_template.deleted",
    "refund.created",
    "refund.succeeded",
    "refund.failed",
    "segment.created",
    "segment.updated",
    "segment.deleted",
    "subscription.created",
    "subscription.activated",
    "subscription.updated",
    "subscription.renewal_upcoming",
    "subscription.trial_will_end",
    "subscription.past_due",
    "subscription.recovered",
    "subscription.paused",
    "subscription.resumed",
    "subscription.canceled",
    "subscription.ended",
    "subscription.incomplete_expired",
    "task.created",
    "task.updated",
    "tax_rate.created",
    "tax_rate.updated",
    "test_clock.created",
    "test_clock.advancing",
    "test_clock.ready",
    "test_clock.deleted",
    "user.invited",
    "user.updated",
    "user.removed",
    "view.created",
    "view.deleted",
    "webhook_endpoint.created",
    "webhook_endpoint.updated",
    "webhook_endpoint.deleted",
    "webhook_endpoint.disabled",
    "workflow.created",
    "workflow.updated",
    "workflow.deleted",
    "workflow_enrollment.failed",
  ]),
] as readonly string[];

const catalogued = new Set(webhookEventTypes);

/** The prefixes a `prefix.*` wildcard may name: those of the catalog. */
export const webhookEventPrefixes: readonly string[] = [
  ...new Set(webhookEventTypes.map((type) => type.slice(0, type.indexOf(".")))),
];

const prefixes = new Set(webhookEventPrefixes);

/** Whether an endpoint may subscribe to `name`: a catalogued type or a known prefix's wildcard. */
export function isWebhookEventName(name: string): boolean {
  if (catalogued.has(name)) return true;
  return name.endsWith(".*") && prefixes.has(name.slice(0, -2));
}

/** Whether an endpoint subscribed to `events` gets an event of `type`. */
export function subscribesTo(events: readonly string[], type: string): boolean {
  const prefix = type.slice(0, type.indexOf("."));
  return events.some((name) => name === type || name === `${prefix}.*`);
}

/** Whether the dispatcher routes an event of `type` to the webhooks queue. */
export const isWebhookEventType = (type: string): boolean => catalogued.has(type);
