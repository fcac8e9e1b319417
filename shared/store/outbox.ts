/**
 * Outbox event items. A service adds `eventPut(event)` to the transaction that changes state; the
 * table's stream carries the item to the dispatcher. Items expire after 90 days (the events feed's
 * retention).
 */
import type { DomainEvent } from "../domain/events.ts";
import { keys } from "./keys.ts";
import { tableName } from "./dynamo.ts";

const retentionSeconds = 90 * 24 * 3600;

export function eventPut(event: DomainEvent) {
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
