/**
 * An object's timeline: its events from the events feed (`GET /v1/events?objectId=`), newest first,
 * each titled in words. One wording for every page: `invoice.marked_uncollectible` reads "Invoice
 * marked uncollectible" by the general rule, and only types the rule words badly are named here.
 */
import { eventPorts } from "../../../composition.ts";
import { listEvents } from "../../../events/service.ts";
import { type Html, money, type TimelineEntry } from "../../ui.ts";

const worded: Readonly<Record<string, string>> = {
  "invoice.payment_action_required": "Payment needs the customer's action",
  "payment.duplicate_refunded": "Duplicate payment refunded",
  "payment.dispute_closed": "Dispute closed",
  "subscription.renewal_upcoming": "Renewal coming up",
  "subscription.trial_will_end": "Trial ends soon",
  "subscription.incomplete_expired": "Subscription expired before its first payment",
  "test_clock.ready": "Test clock ready",
};

/** `payment_link.deactivated` → "Payment link deactivated". */
export function eventTitle(type: string): string {
  const known = worded[type];
  if (known) return known;
  const words = type.replaceAll(".", " ").replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The events the feed keeps (90 days) that one page shows; older ones stay in the API's feed. */
const shown = 50;

type Amounted = { amount?: unknown; currency?: unknown };

/** The money an event moved, when it carries a payment or refund. */
function detailOf(data: Record<string, unknown>): Html | undefined {
  const moved = (data.refund ?? data.payment) as Amounted | undefined;
  return typeof moved?.amount === "number" && typeof moved.currency === "string"
    ? money(moved.amount, moved.currency)
    : undefined;
}

/**
 * The events of an object and of those that belong to it (an invoice's payments, a payment's
 * refunds) as timeline entries, newest first; render them with `timeline` in the merchant's zone.
 */
export async function eventsOf(merchantId: string, ...objectIds: string[]): Promise<TimelineEntry[]> {
  const pages = await Promise.all(
    objectIds.map((objectId) => listEvents(eventPorts(), merchantId, { limit: shown, objectId })),
  );
  return pages
    .flatMap((page) => page.items)
    .sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.id.localeCompare(a.id))
    .slice(0, shown)
    .map((event) => {
      const detail = detailOf(event.data);
      return { at: event.occurredAt, title: eventTitle(event.type), ...(detail ? { detail } : {}) };
    });
}
