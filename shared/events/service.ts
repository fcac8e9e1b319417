/** The events feed: the merchant's domain events as the API shows them. */
import { NotFoundError } from "../domain/errors.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { Position } from "../http/cursor.ts";
import type { EventStore } from "../store/events.ts";

export interface EventPorts {
  store: EventStore;
}

export async function listEvents(
  { store }: EventPorts,
  merchantId: string,
  query: { limit: number; after?: Position; type?: string; objectId?: string },
) {
  const page = await store.list(merchantId, query);
  return { ...page, items: page.items.map(presentEvent) };
}

export async function getEvent({ store }: EventPorts, merchantId: string, id: string) {
  const found = await store.get(merchantId, id);
  if (!found) throw new NotFoundError("Event");
  return presentEvent(found);
}

const isSnapshot = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The object the event is about as `data.object`: the snapshot in its data whose `id` is the event's
 * `objectId` (already bounded by `boundedData`), else — a deletion or an event that carries only ids —
 * `{ id }` (with `deleted: true` for `*.deleted`). Events about no object have none.
 */
function objectOf({ type, objectId, data }: DomainEvent): Record<string, unknown> | undefined {
  if (!objectId) return undefined;
  const snapshot = Object.values(data).find((value) => isSnapshot(value) && value.id === objectId);
  if (isSnapshot(snapshot)) return snapshot;
  return { id: objectId, ...(type.endsWith(".deleted") ? { deleted: true } : {}) };
}

/**
 * The event as the API and webhook deliveries show it: without its merchant id (the caller is that
 * merchant), with `createdAt` (= `occurredAt`), `sequence` and `data.object` beside the named
 * snapshots it always carried (so `data` stays within twice `eventDataBudget`).
 */
export function presentEvent({ merchantId: _, ...event }: DomainEvent) {
  const { sequence, data, ...rest } = event;
  const object = objectOf({ ...event, merchantId: _ });
  return {
    ...rest,
    createdAt: event.occurredAt,
    ...(sequence !== undefined ? { sequence } : {}),
    data: { ...(object ? { object } : {}), ...data },
  };
}
