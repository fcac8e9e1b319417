/** A domain event: what happened to whose object, written in the same transaction as the change. */
import { newId } from "./ids.ts";

export interface DomainEvent<T = Record<string, unknown>> {
  id: string;
  type: string;
  merchantId: string;
  /** The object the event is about (`cus_…`, `inv_…`), for the events feed's filter. */
  objectId?: string;
  occurredAt: string;
  /**
   * Whether the event reports real money: an event about a payment, refund or payout (or the invoice a
   * payment paid) carries that money's `livemode`; an event that moves no money carries false.
   */
  livemode: boolean;
  data: T;
}

export function newEvent<T extends Record<string, unknown>>(
  type: string,
  merchantId: string,
  objectId: string | undefined,
  now: Date,
  data: T,
  /** The mode of the money the event reports; events that move no money leave it out. */
  livemode = false,
): DomainEvent<T> {
  return {
    id: newId("event", now),
    type,
    merchantId,
    ...(objectId ? { objectId } : {}),
    occurredAt: now.toISOString(),
    livemode,
    data,
  };
}
