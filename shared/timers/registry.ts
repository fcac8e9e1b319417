/**
 * The billing queue carries many kinds of timed work: schedules firing (`{ kind, … }`) and the
 * domain events that plan or cancel them (`{ type, … }`, as the outbox dispatcher sends them). Each
 * capability registers the kinds and event types it owns, with the schema of their message and the
 * handler, in its own `timers.ts`; the consumer only puts the registrations together.
 *
 * A message is validated with its registration's schema before its handler runs. A message whose
 * kind (or event type) nobody registered, or whose body does not match, fails its record: it is
 * retried and then kept in the queue's DLQ, where an alarm calls for a human, rather than dropped.
 */
import type { SQSEvent, SQSBatchResponse } from "aws-lambda";
import * as z from "zod";
import type { QueueName } from "../aws/queue.ts";
import type { Clock } from "../domain/clock.ts";
import { metricNames } from "../metrics-names.ts";
import type { MetricsPort } from "../observability.ts";
import { sqsConsumer } from "../queue-consumer.ts";
import { lazy } from "../lazy.ts";

/** The queue every timer is scheduled onto: one consumer dispatches them all by kind. */
export const timerQueue = "billing" satisfies QueueName;

export interface Work<S extends z.ZodType = z.ZodType> {
  /** Its message's schema, built on first use (shared/lazy.ts), not when the registry is put together. */
  readonly schema: () => S;
  run(message: z.output<S>): Promise<void>;
}

/**
 * One kind of work: what builds its message schema (called once, on first use) and its handler (the
 * helper infers the message's type).
 */
export function work<S extends z.ZodType>(
  schema: () => S,
  run: (message: z.output<S>) => Promise<void>,
): Work<S> {
  return { schema: lazy(schema), run };
}

/** Any body: a message some other schema reads. */
const anyBody = lazy(() => z.unknown());

/** What a capability registers: timer kinds (a schedule's `kind`) and domain event types. */
export interface TimerRegistrations {
  readonly timers?: Readonly<Record<string, Work>>;
  readonly events?: Readonly<Record<string, Work>>;
}

export interface TimerRegistry {
  /** The registered timer kinds and event types, for the wiring's checks. */
  readonly kinds: readonly string[];
  readonly eventTypes: readonly string[];
  /** Validates a message with its registration's schema and runs its handler; throws if it has none. */
  dispatch(body: unknown): Promise<void>;
}

function merge(owners: readonly TimerRegistrations[]): Map<string, Work> {
  const merged = new Map<string, Work>();
  for (const owner of owners) {
    for (const [name, registered] of Object.entries(owner.timers ?? {})) {
      // Two owners of one kind would make dispatch depend on registration order.
      if (merged.has(name)) throw new Error(`Timer kind "${name}" is registered twice`);
      merged.set(name, registered);
    }
  }
  return merged;
}

/**
 * An event may matter to several capabilities (an invoice paid cancels its reminders and reactivates
 * its subscription): every owner's handler runs, each on the body its own schema reads, all validated
 * before any runs. A failure fails the record, and its redelivery runs them all again: each is an
 * idempotent consumer.
 */
function mergeEvents(owners: readonly TimerRegistrations[]): Map<string, Work> {
  const byType = new Map<string, Work[]>();
  for (const owner of owners) {
    for (const [type, registered] of Object.entries(owner.events ?? {})) {
      byType.set(type, [...(byType.get(type) ?? []), registered]);
    }
  }
  return new Map(
    [...byType].map(([type, works]): [string, Work] => [
      type,
      works.length === 1 && works[0]
        ? works[0]
        : work(anyBody, async (body) => {
            const parsed = works.map((w) => w.schema().parse(body));
            for (const [i, w] of works.entries()) await w.run(parsed[i]);
          }),
    ]),
  );
}

const named = lazy(() => z.looseObject({ kind: z.string().optional(), type: z.string().optional() }));

export function timerRegistry(...owners: readonly TimerRegistrations[]): TimerRegistry {
  const timers = merge(owners);
  const events = mergeEvents(owners);
  return {
    kinds: [...timers.keys()],
    eventTypes: [...events.keys()],
    async dispatch(body) {
      const { kind, type } = named().parse(body);
      const registered =
        kind !== undefined ? timers.get(kind) : type !== undefined ? events.get(type) : undefined;
      if (!registered) {
        throw new Error(
          kind !== undefined
            ? `No timer registered for kind "${kind}"`
            : type !== undefined
              ? `No timer registered for event type "${type}"`
              : "The message names neither a timer kind nor an event type",
        );
      }
      await registered.run(registered.schema().parse(body));
    },
  };
}

/**
 * What a schedule's firing carries besides its work: the time it was due, which the scheduler
 * adapters add to every payload (shared/aws/scheduler.ts; EventBridge's `scheduled-time` for the
 * recurring ones).
 */
export const scheduledAtField = "scheduledAt";
const fired = lazy(() =>
  z.looseObject({ kind: z.string(), [scheduledAtField]: z.iso.datetime({ offset: true }) }),
);

/** How a consumer of timed work reports `BillingRunLag`: the seconds a firing ran behind its due time. */
export interface RunLag {
  metrics: MetricsPort;
  clockFor(body: unknown): Clock;
}

/**
 * The SQS consumer of a queue of timed work: one record, one dispatch; failures are retried per
 * record. Given a function, it builds the registry for each message (on that message's clock). With
 * `lag`, a firing whose work ran reports how late it started, by kind.
 */
export function timersConsumer(
  registry: TimerRegistry | ((body: unknown) => TimerRegistry | Promise<TimerRegistry>),
  lag?: RunLag,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const registryFor = typeof registry === "function" ? registry : () => registry;
  return sqsConsumer(anyBody, async (body) => {
    const firing = fired().safeParse(body).data;
    const startedAt = lag?.clockFor(body).now().getTime();
    await (await registryFor(body)).dispatch(body);
    if (!lag || !firing || startedAt === undefined) return;
    lag.metrics.emit({
      name: metricNames.billingRunLag,
      value: Math.max(0, (startedAt - Date.parse(firing[scheduledAtField])) / 1000),
      unit: "Seconds",
      dimensions: { kind: firing.kind },
    });
  });
}
