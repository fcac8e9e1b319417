/**
 * The segments consumer: keeps customers' behaviour stats from events (once per event id) and active
 * segments' members current — when a customer's stats or properties change, when time alone flips a
 * filter (a one-time schedule per flip instant, on the customer's clock: a test clock's advance
 * delivers it), and when a segment is new or its filters change (a build pages through the
 * merchant's customers, one page per message). Every membership decision is taken from the state as
 * it is now, so a redelivered message or a stale flip changes nothing.
 */
import * as z from "zod";
import type { QueueName } from "../aws/queue.ts";
import type { Customer } from "../customers/customer.ts";
import type { Clock } from "../domain/clock.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { SegmentConsumerPorts } from "./ports.ts";
import {
  type CustomerStats,
  emptyStats,
  flipInstants,
  matchesFilters,
  type Segment,
  type SegmentFilter,
} from "./segment.ts";
import { applyEvent, statsCustomerOf, statsEventTypes } from "./stats.ts";
import { lazy } from "../lazy.ts";

/** The queue segments' events, flips and build pages arrive on. */
export const segmentQueue = "segments" satisfies QueueName;

/** The events the segments queue gets: the stats', the customers' and the segments' own. */
export const segmentEventTypes = [
  ...statsEventTypes,
  "customer.created",
  "customer.updated",
  "customer.deleted",
  "segment.created",
  "segment.updated",
  "segment.deleted",
] as const;

/** A flip's schedule firing: time may have moved the customer in or out of a segment. */
export const segmentFlipMessage = lazy(() =>
  z.object({
    kind: z.literal("segment.flip"),
    merchantId: z.string().min(1),
    customerId: z.string().min(1),
    testClockId: z.string().optional(),
    /** When the schedule was due (the scheduler's, or the test clock's time when its advance ran it). */
    scheduledAt: z.iso.datetime({ offset: true }).optional(),
  }),
);
export type SegmentFlipMessage = z.infer<ReturnType<typeof segmentFlipMessage>>;

/** One page of a segment's build. */
export const segmentBuildMessage = lazy(() =>
  z.object({
    kind: z.literal("segment.build"),
    merchantId: z.string().min(1),
    segmentId: z.string().min(1),
    revision: z.number().int(),
    after: z.record(z.string(), z.string()).optional(),
  }),
);
export type SegmentBuildMessage = z.infer<ReturnType<typeof segmentBuildMessage>>;

/** Customers one build message evaluates. */
const buildPageSize = 100;

/** A flip's schedule, named after the customer and the instant: planning it twice is harmless. */
export const flipScheduleName = (customerId: string, at: Date) => `seg-${customerId}-${at.getTime()}`;

export async function onSegmentEvent(ports: SegmentConsumerPorts, event: DomainEvent): Promise<void> {
  const merchantId = event.merchantId;
  switch (event.type) {
    case "segment.created":
    case "segment.updated": {
      const segment = (await ports.segments.read(merchantId, event.objectId ?? ""))?.value;
      if (segment?.status === "building")
        await runBuild(ports, {
          kind: "segment.build",
          merchantId,
          segmentId: segment.id,
          revision: segment.revision,
        });
      return;
    }
    case "segment.deleted":
      await ports.members.clear(merchantId, event.objectId ?? "");
      return;
    case "customer.deleted": {
      const customerId = event.objectId ?? "";
      for (const segmentId of await ports.members.segmentsOf(merchantId, customerId))
        await ports.members.remove(merchantId, segmentId, customerId);
      await ports.stats.remove(merchantId, customerId);
      return;
    }
    case "customer.created":
    case "customer.updated":
      await refreshCustomer(ports, merchantId, event.objectId ?? "");
      return;
    default: {
      const customerId = statsCustomerOf(event);
      if (!customerId) return;
      await ports.stats.applyOnce(merchantId, customerId, event.id, (stats) => applyEvent(stats, event));
      await refreshCustomer(ports, merchantId, customerId);
    }
  }
}

/** A flip fired: the customer is evaluated again — at the schedule's instant on a test clock. */
export const onSegmentFlip = (ports: SegmentConsumerPorts, message: SegmentFlipMessage) =>
  refreshCustomer(
    ports,
    message.merchantId,
    message.customerId,
    message.testClockId && message.scheduledAt
      ? { testClockId: message.testClockId, at: message.scheduledAt }
      : undefined,
  );

/** The customer's clock; while a test clock's schedule runs, standing at the schedule's instant. */
async function clockOfCustomer(
  ports: SegmentConsumerPorts,
  merchantId: string,
  customer: Customer,
  fired?: { testClockId: string; at: string },
): Promise<Clock> {
  const clock = await ports.clockOf(merchantId, customer);
  return fired && clock.testClock?.id === fired.testClockId
    ? { now: () => new Date(fired.at), testClock: clock.testClock }
    : clock;
}

/**
 * Evaluates the customer against every active segment of its merchant at its clock's now: joins the
 * ones whose filters hold, leaves the others, and plans the flips time will bring.
 */
export async function refreshCustomer(
  ports: SegmentConsumerPorts,
  merchantId: string,
  customerId: string,
  fired?: { testClockId: string; at: string },
): Promise<void> {
  const customer = await ports.customers.read(merchantId, customerId);
  if (!customer) return;
  const [segments, stats, current] = await Promise.all([
    ports.segments.active(merchantId),
    ports.stats.read(merchantId, customerId),
    ports.members.segmentsOf(merchantId, customerId),
  ]);
  const clock = await clockOfCustomer(ports, merchantId, customer, fired);
  const known = stats ?? emptyStats(customerId);
  const member = new Set(current);
  for (const segment of segments) {
    await settle(
      ports,
      merchantId,
      segment,
      customerId,
      member.has(segment.id),
      matchesFilters({ customer, stats: known, now: clock.now() }, segment.filters),
    );
  }
  await planFlips(
    ports,
    merchantId,
    customer,
    known,
    segments.flatMap((s) => s.filters),
    clock,
  );
}

async function settle(
  ports: SegmentConsumerPorts,
  merchantId: string,
  segment: Segment,
  customerId: string,
  isMember: boolean,
  belongs: boolean,
): Promise<void> {
  if (belongs && !isMember) await ports.members.add(merchantId, segment.id, customerId);
  // A static segment's snapshot only ever gains members from its build.
  else if (!belongs && isMember && segment.type === "active")
    await ports.members.remove(merchantId, segment.id, customerId);
}

async function planFlips(
  ports: SegmentConsumerPorts,
  merchantId: string,
  customer: Customer,
  stats: CustomerStats,
  filters: readonly SegmentFilter[],
  clock: Clock,
): Promise<void> {
  const scheduler = ports.schedulerFor(clock);
  for (const at of flipInstants(stats, filters, clock.now())) {
    await scheduler.scheduleOnce({
      name: flipScheduleName(customer.id, at),
      at,
      queue: segmentQueue,
      payload: {
        kind: "segment.flip",
        merchantId,
        customerId: customer.id,
        ...(clock.testClock ? { testClockId: clock.testClock.id } : {}),
      } satisfies SegmentFlipMessage,
    });
  }
}

/**
 * One page of a build: the page's customers evaluated against the segment (a static one only gains
 * members: its snapshot), the next page sent on, and the segment `ready` after the last — unless its
 * filters changed meanwhile (a newer revision builds anew) or it was deleted.
 */
export async function runBuild(ports: SegmentConsumerPorts, message: SegmentBuildMessage): Promise<void> {
  const { merchantId, segmentId, revision } = message;
  const segment = (await ports.segments.read(merchantId, segmentId))?.value;
  if (!segment || segment.revision !== revision || segment.status !== "building") return;
  const page = await ports.customers.list(merchantId, {
    limit: buildPageSize,
    ...(message.after ? { after: message.after } : {}),
  });
  const ids = page.items.map((c) => c.id);
  const [stats, members] = await Promise.all([
    ports.stats.readMany(merchantId, ids),
    ports.members.members(merchantId, segmentId, ids),
  ]);
  for (const customer of page.items) {
    const known = stats.get(customer.id) ?? emptyStats(customer.id);
    const clock = await ports.clockOf(merchantId, customer);
    const belongs = matchesFilters({ customer, stats: known, now: clock.now() }, segment.filters);
    await settle(ports, merchantId, segment, customer.id, members.has(customer.id), belongs);
    if (segment.type === "active")
      await planFlips(ports, merchantId, customer, known, segment.filters, clock);
  }
  if (page.next) await ports.queue.send({ ...message, after: page.next } satisfies SegmentBuildMessage);
  else await ports.segments.markReady(merchantId, segmentId, revision);
}
