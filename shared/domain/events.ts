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
  /**
   * The version of the object (`objectId`) after the change the event reports, so a receiver can drop
   * a stale update: set by the store from the object's write in the event's transaction
   * (`sequenceEvents` in shared/store/outbox.ts). An event that does not move its object's version
   * (an invoice's overdue notice) carries the version the object stands at, so per object it never
   * decreases.
   */
  sequence?: number;
  data: T;
}

/**
 * The most bytes an event's serialized data may take: well below SQS's 256 KiB message limit (an
 * event travels as one message) and small enough that a page of 100 events stays inside a Lambda
 * response. Documents grow with their content (an invoice of 250 lines with long texts passes
 * 256 KiB), so an event carries ids and a bounded snapshot; consumers that need the whole object
 * re-read it by id.
 */
export const eventDataBudget = 32 * 1024;

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value)).length;

const isSnapshot = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The data within `eventDataBudget`: the snapshots it carries (its object-valued entries) lose their
 * largest fields first (an invoice's `lineItems`, then its metadata…) until it fits, and say so:
 * `truncated: true` and `omitted`, each left-out field with its number of entries (1 for a scalar).
 * A snapshot's `id` always stays, so a consumer can re-read the object.
 */
export function boundedData<T extends Record<string, unknown>>(data: T): T {
  if (bytes(data) <= eventDataBudget) return data;
  const bounded: Record<string, unknown> = { ...data };
  const droppable = Object.entries(data)
    .filter((entry): entry is [string, Record<string, unknown>] => isSnapshot(entry[1]))
    .flatMap(([name, snapshot]) =>
      Object.entries(snapshot)
        .filter(([field]) => field !== "id")
        .map(([field, value]) => ({ name, field, value, size: bytes(value) })),
    )
    .sort((a, b) => b.size - a.size);
  for (const { name, field, value } of droppable) {
    const { [field]: _, ...kept } = bounded[name] as Record<string, unknown>;
    const omitted = { ...((kept.omitted as Record<string, number> | undefined) ?? {}) };
    omitted[field] = Array.isArray(value) ? value.length : isSnapshot(value) ? Object.keys(value).length : 1;
    bounded[name] = { ...kept, truncated: true, omitted };
    if (bytes(bounded) <= eventDataBudget) break;
  }
  return bounded as T;
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
    data: boundedData(data),
  };
}
