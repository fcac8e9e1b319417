/** A domain event: what happened to whose object, written in the same transaction as the change. */
import { newId } from "./ids.ts";

export interface DomainEvent<T = Record<string, unknown>> {
  id: string;
  type: string;
  merchantId: string;
  /** The object the event is about (`cus_…`, `inv_…`), for the events feed's filter. */
  objectId?: string;
  occurredAt: string;
  data: T;
}

export function newEvent<T extends Record<string, unknown>>(
  type: string,
  merchantId: string,
  objectId: string | undefined,
  now: Date,
  data: T,
): DomainEvent<T> {
  return {
    id: newId("event", now),
    type,
    merchantId,
    ...(objectId ? { objectId } : {}),
    occurredAt: now.toISOString(),
    data,
  };
}
