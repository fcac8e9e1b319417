/**
 * Outbox event items. A service adds `eventPut(event)` to the transaction that changes state; the
 * table's stream carries the item to the dispatcher. Items expire after 90 days (the events feed's
 * retention).
 */
import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
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
        ...(event.sequence !== undefined ? { sequence: event.sequence } : {}),
        data: event.data,
        createdAt: event.occurredAt,
        expiresAt: Math.floor(Date.parse(event.occurredAt) / 1000) + retentionSeconds,
        ...(correlationId ? { correlationId } : {}),
      },
      ConditionExpression: "attribute_not_exists(PK)",
    },
  };
}

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

const numberOf = (value: unknown) => (typeof value === "number" ? value : undefined);

/**
 * The version `write` leaves object `objectId` at, when `write` is that object's versioned write: a put
 * of the item (its `version`), a delete or an update conditioned on `:expected` (one more when it
 * moves the version), or a condition check of its version (unchanged). Objects live under
 * `keys.merchantObject` (sort key = id); the merchant itself under `keys.merchant`; an item elsewhere
 * is its object's when it carries the object's id and merchant id.
 */
function versionAfter(write: TransactItem, merchantId: string, objectId: string): number | undefined {
  const isObject = (key: Record<string, unknown> | undefined) =>
    key !== undefined &&
    (key.SK === objectId || (objectId === merchantId && key.SK === keys.merchant(merchantId).SK)) &&
    String(key.PK) === keys.merchant(merchantId).PK;
  if (write.Put) {
    // An object kept outside the merchant's partition (an API key, under its secret's hash) names its merchant.
    const item = write.Put.Item as Record<string, unknown>;
    const ofObject = isObject(item) || (item.id === objectId && item.merchantId === merchantId);
    return item.type !== "event" && ofObject ? numberOf(item.version) : undefined;
  }
  const expected = (values: Record<string, unknown> | undefined) =>
    numberOf(values?.[":expected"]) ?? numberOf(values?.[":version"]);
  if (write.Delete && isObject(write.Delete.Key)) {
    const before = expected(write.Delete.ExpressionAttributeValues);
    return before === undefined ? undefined : before + 1;
  }
  if (write.Update && isObject(write.Update.Key)) {
    const before = expected(write.Update.ExpressionAttributeValues);
    const moves = /\bversion\b/.test(write.Update.UpdateExpression ?? "");
    return before === undefined ? undefined : before + (moves ? 1 : 0);
  }
  if (write.ConditionCheck && isObject(write.ConditionCheck.Key)) {
    return expected(write.ConditionCheck.ExpressionAttributeValues);
  }
  return undefined;
}

/**
 * A transaction's items with each event that has no `sequence` yet given the version its object is
 * left at by the same transaction (see `versionAfter`). One place threads the version for every
 * `eventPut` site, so a new write path cannot forget it; a service that knows better (an event about
 * an object the transaction does not write) sets `event.sequence` itself.
 */
export function sequenceEvents<T extends TransactItem>(items: readonly T[]): T[] {
  return items.map((entry) => {
    const event = entry.Put?.Item as Record<string, unknown> | undefined;
    if (event?.type !== "event" || event.sequence !== undefined || typeof event.objectId !== "string") {
      return entry;
    }
    const { merchantId, objectId } = event as { merchantId: string; objectId: string };
    const sequence = items
      .map((write) => (write === entry ? undefined : versionAfter(write, merchantId, objectId)))
      .find((version) => version !== undefined);
    if (sequence === undefined) return entry;
    return { ...entry, Put: { ...entry.Put, Item: { ...event, sequence } } } as T;
  });
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
    // Items written before events carried a sequence have none.
    ...(typeof item.sequence === "number" ? { sequence: item.sequence } : {}),
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
