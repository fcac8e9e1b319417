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

/** The event without its merchant id (the caller is that merchant): as the API and webhook deliveries show it. */
export function presentEvent({ merchantId: _, ...event }: DomainEvent) {
  return event;
}
