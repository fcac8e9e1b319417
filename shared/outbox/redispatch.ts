/**
 * Re-queues the outbox events of a time range, for when the table's stream (which keeps records
 * 24 h) lost some: the dispatcher fell behind, or its failure queue was purged. Events are read
 * back from the table (they live 90 days), merchant by merchant, oldest first, and sent through the
 * dispatcher's own path. Sending one twice is harmless: every consumer deduplicates by event id.
 */
import type { QueuePort } from "../aws/queue.ts";
import type { DomainEvent } from "../domain/events.ts";
import { dispatchEvent } from "./dispatch.ts";

export interface RedispatchPorts {
  /** Every merchant's id. */
  merchantIds(): AsyncIterable<string>;
  /** The merchant's outbox events that occurred in [from, to), oldest first. */
  eventsBetween(merchantId: string, from: Date, to: Date): AsyncIterable<DomainEvent>;
  queue: QueuePort;
}

export interface RedispatchRange {
  from: Date;
  to: Date;
}

export interface RedispatchSummary {
  events: number;
  /** Messages sent: an event goes to each queue that cares about its type, or to none. */
  messages: number;
}

export async function redispatch(ports: RedispatchPorts, range: RedispatchRange): Promise<RedispatchSummary> {
  const summary = { events: 0, messages: 0 };
  for await (const merchantId of ports.merchantIds()) {
    for await (const event of ports.eventsBetween(merchantId, range.from, range.to)) {
      summary.messages += await dispatchEvent(ports.queue, event);
      summary.events += 1;
    }
  }
  return summary;
}

/**
 * `--since <ISO time> [--until <ISO time>]` (until defaults to now), or an Error whose message is
 * the one line to print.
 */
export function parseRedispatchArgs(argv: readonly string[], now: Date): RedispatchRange {
  const usage = "Usage: npm run redispatch -- --since <ISO time> [--until <ISO time>]";
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if ((flag !== "--since" && flag !== "--until") || value === undefined) throw new Error(usage);
    values.set(flag, value);
  }
  const time = (flag: string, fallback?: Date): Date => {
    const text = values.get(flag);
    if (text === undefined) {
      if (fallback) return fallback;
      throw new Error(`${flag} is required. ${usage}`);
    }
    const date = new Date(text);
    if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(date.getTime()))
      throw new Error(`${flag} must be an ISO 8601 time, e.g. 2026-01-31T00:00:00Z (got ${text})`);
    return date;
  };
  const range = { from: time("--since"), to: time("--until", now) };
  if (range.from >= range.to) throw new Error("--since must be before --until (or now)");
  return range;
}
