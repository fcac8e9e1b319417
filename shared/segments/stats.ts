/**
 * A customer's behaviour stats from domain events (pure): payments and refunds move the total paid
 * per currency and the last payment's time, subscriptions' events say which run and with which
 * products, invoices' events which are overdue. Each event is applied once (the store's marker per
 * event id); the order of arrival does not matter where it could (a subscription's older snapshot
 * changes nothing, the last payment is the latest one).
 */
import type { DomainEvent } from "../domain/events.ts";
import type { CustomerStats } from "./segment.ts";

/** The subscription statuses a `hasActiveSubscription` and `subscribedToProduct` count. */
const runningStatuses = new Set(["active", "trialing", "past_due"]);

/** The events the stats are kept from. */
export const statsEventTypes = [
  "payment.succeeded",
  "payment.recorded",
  "refund.succeeded",
  "subscription.created",
  "subscription.updated",
  "subscription.past_due",
  "subscription.canceled",
  "subscription.ended",
  "subscription.incomplete_expired",
  "invoice.overdue",
  "invoice.paid",
  "invoice.voided",
] as const;

type Raw = Record<string, unknown>;
const isRaw = (value: unknown): value is Raw =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const objectOf = (event: DomainEvent, name: string): Raw | undefined =>
  isRaw(event.data[name]) ? (event.data[name] as Raw) : undefined;

/** The customer a stats event is about (undefined: not one, or an event without its customer). */
export function statsCustomerOf(event: DomainEvent): string | undefined {
  if (!(statsEventTypes as readonly string[]).includes(event.type)) return undefined;
  const [kind] = event.type.split(".");
  const object = objectOf(event, kind === "refund" ? "refund" : (kind ?? ""));
  return text(object?.customerId);
}

/** The stats after the event (the same object when it says nothing new). */
export function applyEvent(stats: CustomerStats, event: DomainEvent): CustomerStats {
  switch (event.type) {
    case "payment.succeeded":
    case "payment.recorded": {
      const payment = objectOf(event, "payment");
      const amount = payment?.amount;
      const currency = text(payment?.currency);
      if (typeof amount !== "number" || !currency) return stats;
      const at = text(payment?.paidAt) ?? event.occurredAt;
      const later = !stats.lastPaymentAt || Date.parse(at) > Date.parse(stats.lastPaymentAt);
      return {
        ...stats,
        paid: { ...stats.paid, [currency]: (stats.paid[currency] ?? 0) + amount },
        ...(later ? { lastPaymentAt: at } : {}),
      };
    }
    case "refund.succeeded": {
      const refund = objectOf(event, "refund");
      const amount = refund?.amount;
      const currency = text(refund?.currency);
      if (typeof amount !== "number" || !currency) return stats;
      return { ...stats, paid: { ...stats.paid, [currency]: (stats.paid[currency] ?? 0) - amount } };
    }
    case "invoice.overdue":
    case "invoice.paid":
    case "invoice.voided": {
      const id = text(objectOf(event, "invoice")?.id);
      if (!id) return stats;
      const others = stats.overdueInvoices.filter((known) => known !== id);
      return { ...stats, overdueInvoices: event.type === "invoice.overdue" ? [...others, id] : others };
    }
    default: {
      const subscription = objectOf(event, "subscription");
      const id = text(subscription?.id);
      const updatedAt = text(subscription?.updatedAt) ?? event.occurredAt;
      if (!subscription || !id) return stats;
      const known = stats.subscriptions[id];
      if (known && Date.parse(known.updatedAt) > Date.parse(updatedAt)) return stats;
      const items = Array.isArray(subscription.items) ? subscription.items.filter(isRaw) : [];
      return {
        ...stats,
        subscriptions: {
          ...stats.subscriptions,
          [id]: {
            running: runningStatuses.has(text(subscription.status) ?? ""),
            productIds: [...new Set(items.flatMap((item) => text(item.productId) ?? []))],
            updatedAt,
          },
        },
      };
    }
  }
}
