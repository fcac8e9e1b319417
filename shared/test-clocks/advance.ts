/**
 * A test clock's advance, run on the billing queue after `POST /v1/test-clocks/{id}/advance` set the
 * clock `advancing` (its `test_clock.advancing` event starts it): the clock's due work — its
 * customers' subscriptions waiting for a period, the one-time schedules their work planned
 * (reminders, overdue, bank-debit settlements…) — runs in time order up to the target, each piece on
 * the clock standing at the time it was due. Then the clock is `ready` at the target, or
 * `internal_failure` where a piece failed (a later advance resumes there: a piece is removed only
 * after it ran).
 */
import * as z from "zod";
import type { Clock } from "../domain/clock.ts";
import { newEvent } from "../domain/events.ts";
import { idRange } from "../domain/ids.ts";
import { log } from "../observability.ts";
import { eventMessage } from "../outbox/message.ts";
import { queuesFor } from "../outbox/routing.ts";
import type { ClockWorkStore, DueWork } from "../store/clock-work.ts";
import type { TestClockStore } from "../store/test-clocks.ts";
import type { SubscriptionBillMessage } from "../subscriptions/schedules.ts";
import type { QueueName } from "../aws/queue.ts";
import { scheduledAtField, type TimerRegistrations, timerQueue, work } from "../timers/registry.ts";
import { clockAt, presentTestClock, type TestClock } from "./test-clock.ts";
import { lazy } from "../lazy.ts";

/** The advance continued by a later invocation (one invocation runs for a bounded time). */
export const testClockAdvanceMessage = lazy(() =>
  z.object({
    kind: z.literal("test_clock.advance"),
    merchantId: z.string(),
    clockId: z.string(),
  }),
);

const advancingEvent = lazy(() => eventMessage().extend({ objectId: z.string() }));

export interface AdvancePorts {
  testClocks: Pick<TestClockStore, "read" | "replace" | "moveTo">;
  work: ClockWorkStore;
  /** Runs one message of timed work (a schedule's, a billing run's, an event) on `clock`. */
  runOn(clock: Clock, message: unknown): Promise<void>;
  /** Delivers a schedule of another queue's work (a workflow's delay) to that queue, as its scheduler would. */
  deliver(queue: QueueName, message: Record<string, unknown>): Promise<void>;
  /** Sends the message that continues the advance in a fresh invocation. */
  continueLater(message: z.input<ReturnType<typeof testClockAdvanceMessage>>): Promise<void>;
  /** Whether this invocation has used up its time for running work. */
  outOfTime(): boolean;
  /** Real time, for the clock's own events. */
  clock: Clock;
}

export function testClockTimers(ports: () => AdvancePorts): TimerRegistrations {
  return {
    timers: {
      "test_clock.advance": work(testClockAdvanceMessage, (message) =>
        runAdvance(ports(), message.merchantId, message.clockId),
      ),
    },
    events: {
      "test_clock.advancing": work(advancingEvent, (event) =>
        runAdvance(ports(), event.merchantId, event.objectId),
      ),
    },
  };
}

/** How many rounds of consequences (events whose handlers write events) a step may have. */
const maxConsequenceRounds = 5;

const workKey = (work: DueWork) => `${work.kind}:${work.ref}`;

/**
 * Runs the clock's due work up to its target, or until this invocation is out of time (then a
 * message continues it). Safe to run twice (a redelivered message): every piece of work is
 * idempotent, and the clock only moves forward.
 */
export async function runAdvance(ports: AdvancePorts, merchantId: string, clockId: string): Promise<void> {
  const found = await ports.testClocks.read(merchantId, clockId);
  const target = found?.value.advanceTo;
  if (found?.value.status !== "advancing" || !target) return;
  let now = found.value.frozenTime;
  // What this walk learned from the items themselves (consistent reads) beats the index, which
  // may still show a schedule that ran or a subscription at the period it just billed.
  const known = new Map<string, DueWork | null>();
  for (;;) {
    if (ports.outOfTime()) {
      await ports.continueLater({ kind: "test_clock.advance", merchantId, clockId });
      return;
    }
    const next = await nextDue(ports.work, clockId, target, known);
    if (!next) break;
    if (next.at > now) {
      if (!(await ports.testClocks.moveTo(merchantId, clockId, next.at))) return;
      now = next.at;
    }
    try {
      await runStep(ports, clockAt({ id: clockId, frozenTime: now }, merchantId), clockId, next, known);
    } catch (error) {
      log.error("Test clock work failed", { clockId, work: workKey(next), at: now, error: String(error) });
      await settle(ports, merchantId, clockId, "internal_failure");
      return;
    }
  }
  await settle(ports, merchantId, clockId, "ready");
}

/** The earliest work due by `until`, as its item says now. */
async function nextDue(
  store: ClockWorkStore,
  clockId: string,
  until: string,
  known: Map<string, DueWork | null>,
): Promise<DueWork | undefined> {
  for (;;) {
    let indexed: DueWork | undefined;
    let after: Record<string, unknown> | undefined;
    do {
      const page = await store.due(clockId, until, 25, after);
      indexed = page.items.find((w) => !known.has(workKey(w)));
      after = page.next;
    } while (!indexed && after);
    const candidate = [indexed, ...known.values()]
      .filter((w): w is DueWork => !!w && w.at <= until)
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))[0];
    if (!candidate) return undefined;
    const current = (await store.current(clockId, candidate)) ?? null;
    known.set(workKey(candidate), current);
    if (current && current.at === candidate.at) return current;
  }
}

function messageOf(work: DueWork, clockId: string): unknown {
  if (work.kind === "schedule") return work.payload;
  return {
    kind: "subscription.bill",
    merchantId: work.merchantId,
    subscriptionId: work.ref,
    period: work.nextPeriod ?? 0,
    testClockId: clockId,
  } satisfies SubscriptionBillMessage;
}

/**
 * Runs one piece of work on the clock at its time, then its consequences. Work plans more work
 * through events: billing a period finalizes an invoice, whose `invoice.finalized` plans the
 * reminders — but the outbox delivers that event to the billing queue asynchronously, maybe after
 * the clock moved past the first reminder. So the step runs the billing queue's handlers of the
 * events it wrote itself, on the same clock, before the clock moves on. The clock stands still
 * during the step, so the step's events are among the merchant's events of that millisecond (a
 * consistent query; ids start with their time) — whatever else made ids meanwhile. Running one
 * twice (an earlier step's of the same instant, say) is harmless: their handlers are idempotent, so
 * the outbox's later delivery of the same events changes nothing (the queue's copy runs on the
 * clock's later time, when what already ran lies in the past and is not planned again).
 */
async function runStep(
  ports: AdvancePorts,
  clock: Clock,
  clockId: string,
  work: DueWork,
  known: Map<string, DueWork | null>,
): Promise<void> {
  // The clock stands still during the step: every event it writes carries this millisecond.
  const at = clock.now();
  const { lower, upper } = idRange("event", at, new Date(at.getTime() + 1));
  const ran = new Set<string>();
  if (work.kind === "schedule" && work.queue && work.queue !== timerQueue) {
    // Another queue's consumer runs it (on the clock's time, which its message names): fired at the
    // clock's time, as a scheduler fires at its own.
    await ports.deliver(work.queue, { ...work.payload, [scheduledAtField]: at.toISOString() });
  } else {
    await ports.runOn(clock, messageOf(work, clockId));
  }
  for (let round = 0; ; round++) {
    const planning = (await ports.work.eventsBetween(work.merchantId, lower, upper)).filter(
      (event) =>
        !ran.has(event.id) && queuesFor(event.type).includes(timerQueue) && onClock(event.data, clockId),
    );
    if (planning.length === 0) break;
    if (round === maxConsequenceRounds) throw new Error("The work's events kept causing more events");
    for (const event of planning) {
      ran.add(event.id);
      await ports.runOn(clock, event);
    }
  }
  if (work.kind === "schedule") await ports.work.remove(work);
  // What is left of it: nothing, a schedule planned anew under its name, the subscription's next period.
  const left = (await ports.work.current(clockId, work)) ?? null;
  known.set(workKey(work), left);
  if (work.kind === "schedule") return;
  // A billing run that left the same period due would have the advance bill it forever.
  if (left && left.at === work.at && left.nextPeriod === work.nextPeriod) {
    throw new Error(`Billing period ${work.nextPeriod} of ${work.ref} left it due`);
  }
}

/** Whether an event is about an object of this clock's customers (its snapshot names the clock). */
function onClock(data: Record<string, unknown>, clockId: string): boolean {
  return Object.values(data).some(
    (snapshot) =>
      typeof snapshot === "object" &&
      snapshot !== null &&
      (snapshot as { testClockId?: unknown }).testClockId === clockId,
  );
}

async function settle(
  ports: AdvancePorts,
  merchantId: string,
  clockId: string,
  status: "ready" | "internal_failure",
): Promise<void> {
  const found = await ports.testClocks.read(merchantId, clockId);
  if (found?.value.status !== "advancing" || !found.value.advanceTo) return;
  const { advanceTo, ...clock } = found.value;
  const next: TestClock =
    status === "ready" ? { ...clock, frozenTime: advanceTo, status } : { ...found.value, status };
  await ports.testClocks.replace(
    merchantId,
    next,
    found.version,
    newEvent(`test_clock.${status}`, merchantId, clockId, ports.clock.now(), {
      testClock: presentTestClock(next),
    }),
  );
}
