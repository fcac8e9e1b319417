/**
 * Outbox event items. A service adds `eventPut(event)` to the transaction that changes state; the
 * table's stream carries the item to the dispatcher. Items expire after 90 days (the events feed's
 * retention).
 */
import type { DomainEvent } from "../domain/events.ts";
import { currentCorrelationId } from "../observability.ts";
import { keys } from "./keys.ts";
import { tableName } from "./dynamo.ts";

const retentionSeconds = 90 * 24 * 3600;

export function eventPut(event: DomainEvent) {
  // The request or message that caused the event: its consumers log it as their correlation id.
  const correlationId = currentCorrelationId();
  return {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.event(event.merchantId, event.id),
        type: "event",
        eventType: event.type,
        id: event.id,
        merchantId: event.merchantId,
        ...(event.objectId ? { objectId: event.objectId } : {}),
        occurredAt: event.occurredAt,
        livemode: event.livemode,
        data: event.data,
        createdAt: event.occurredAt,
        expiresAt: Math.floor(Date.parse(event.occurredAt) / 1000) + retentionSeconds,
        ...(correlationId ? { correlationId } : {}),
      },
      ConditionExpression: "attribute_not_exists(PK)",
    },
  };
}

/** Reads a domain event back from an item image (the stream's NewImage, already unmarshalled). */
export function eventFromItem(item: Record<string, unknown>): DomainEvent {
  return {
    id: String(item.id),
    type: String(item.eventType),
    merchantId: String(item.merchantId),
    ...(item.objectId ? { objectId: String(item.objectId) } : {}),
    occurredAt: String(item.occurredAt),
    // Items written before events carried a mode read as test mode.
    livemode: item.livemode === true,
    data: (item.data ?? {}) as Record<string, unknown>,
  };
}

/**
 * An outbox event as the dispatcher (and redispatch) send it: the event and, beside it, the id of the
 * request or message that caused it (see `eventPut`), which consumers' schemas drop and their log
 * lines keep.
 */
export type OutboxEvent = DomainEvent & { correlationId?: string };

export const outboxEventFromItem = (item: Record<string, unknown>): OutboxEvent => ({
  ...eventFromItem(item),
  ...(typeof item.correlationId === "string" ? { correlationId: item.correlationId } : {}),
});
