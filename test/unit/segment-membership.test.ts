/**
 * The segments consumer's membership rules on in-memory ports: a build walks the customers page by
 * page (each page a message) and ends `ready` only for its own revision; a flip on a test clock is
 * evaluated at its schedule's instant; a static segment's snapshot never loses members to events.
 */
import { describe, expect, it } from "vitest";
import type { OneTimeSchedule } from "../../shared/aws/scheduler.ts";
import type { Customer } from "../../shared/customers/customer.ts";
import { type Clock, fixedClock } from "../../shared/domain/clock.ts";
import { newEvent } from "../../shared/domain/events.ts";
import {
  onSegmentEvent,
  onSegmentFlip,
  runBuild,
  type SegmentBuildMessage,
} from "../../shared/segments/membership.ts";
import type { SegmentConsumerPorts } from "../../shared/segments/ports.ts";
import { type CustomerStats, emptyStats, type Segment } from "../../shared/segments/segment.ts";

const start = new Date("2030-01-01T00:00:00Z");
const day = 86_400_000;

function fakes() {
  const clock = fixedClock(start);
  const segments = new Map<string, Segment>();
  const members = new Map<string, Set<string>>();
  const customers: Customer[] = [];
  const stats = new Map<string, CustomerStats>();
  const sent: Record<string, unknown>[] = [];
  const schedules: OneTimeSchedule[] = [];
  const testClockOf = new Map<string, Clock>();
  const of = (segmentId: string) =>
    members.get(segmentId) ?? members.set(segmentId, new Set()).get(segmentId)!;
  const count = (segmentId: string, delta: number) => {
    const segment = segments.get(segmentId);
    if (segment) segment.memberCount += delta;
  };
  const ports: SegmentConsumerPorts = {
    clock,
    segments: {
      read: async (_m, id) =>
        segments.has(id) ? { value: structuredClone(segments.get(id)!), version: 1 } : undefined,
      create: async () => {},
      update: async () => {},
      remove: async () => {},
      list: async () => ({ items: [...segments.values()] }),
      active: async () => [...segments.values()].filter((s) => s.type === "active"),
      markReady: async (_m, id, revision) => {
        const segment = segments.get(id);
        if (segment?.revision === revision) segment.status = "ready";
      },
    },
    members: {
      page: async (_m, id) => ({ items: [...of(id)] }),
      segmentsOf: async (_m, customerId) =>
        [...members].filter(([, set]) => set.has(customerId)).map(([id]) => id),
      members: async (_m, id, ids) => new Set(ids.filter((c) => of(id).has(c))),
      add: async (_m, id, customerId) => {
        if (of(id).has(customerId)) return false;
        of(id).add(customerId);
        count(id, 1);
        return true;
      },
      remove: async (_m, id, customerId) => {
        if (!of(id).delete(customerId)) return false;
        count(id, -1);
        return true;
      },
      clear: async (_m, id) => void members.delete(id),
    },
    customers: {
      read: async (_m, id) => customers.find((c) => c.id === id),
      readMany: async (_m, ids) => customers.filter((c) => ids.includes(c.id)),
      // Pages of two, so a build of five customers takes three messages.
      list: async (_m, page) => {
        const from = Number(page.after?.at ?? 0);
        const items = customers.slice(from, from + 2);
        return { items, ...(from + 2 < customers.length ? { next: { at: String(from + 2) } } : {}) };
      },
    },
    stats: {
      read: async (_m, id) => stats.get(id),
      readMany: async (_m, ids) =>
        new Map(ids.flatMap((id) => (stats.has(id) ? [[id, stats.get(id)!]] : []))),
      applyOnce: async (_m, id, _e, change) => {
        stats.set(id, change(stats.get(id) ?? emptyStats(id)));
        return true;
      },
      remove: async (_m, id) => void stats.delete(id),
    },
    queue: { send: async (message) => void sent.push(message) },
    clockOf: async (_m, customer) => testClockOf.get(customer.id) ?? clock,
    schedulerFor: () => ({
      scheduleOnce: async (schedule) => void schedules.push(schedule),
      cancel: async () => {},
    }),
  };
  const customer = (id: string, email: string): Customer => {
    const c: Customer = {
      id,
      email,
      taxIds: [],
      metadata: {},
      createdAt: start.toISOString(),
      updatedAt: start.toISOString(),
    };
    customers.push(c);
    return c;
  };
  const segment = (over: Partial<Segment>): Segment => {
    const s: Segment = {
      id: `seg_${segments.size}`,
      name: "S",
      type: "active",
      filters: [],
      status: "building",
      memberCount: 0,
      revision: 1,
      createdAt: start.toISOString(),
      updatedAt: start.toISOString(),
      ...over,
    };
    segments.set(s.id, s);
    return s;
  };
  return { ports, segments, members, sent, schedules, stats, testClockOf, customer, segment, clock };
}

describe("segment builds", () => {
  it("walks the customers a page per message and is ready after the last one", async () => {
    const f = fakes();
    for (const [i, domain] of ["a.test", "b.test", "a.test", "a.test", "c.test"].entries())
      f.customer(`cus_${i}`, `x${i}@${domain}`);
    const segment = f.segment({ filters: [{ type: "emailDomain", value: "a.test" }] });
    await onSegmentEvent(f.ports, newEvent("segment.created", "mer_1", segment.id, start, {}));
    while (f.sent.length > 0) await runBuild(f.ports, f.sent.shift() as SegmentBuildMessage);
    expect(f.segments.get(segment.id)).toMatchObject({ status: "ready", memberCount: 3 });
    expect([...(f.members.get(segment.id) ?? [])].sort()).toEqual(["cus_0", "cus_2", "cus_3"]);
  });

  it("stops a build whose revision is no longer the segment's", async () => {
    const f = fakes();
    f.customer("cus_0", "x@a.test");
    const segment = f.segment({ revision: 2 });
    await runBuild(f.ports, {
      kind: "segment.build",
      merchantId: "mer_1",
      segmentId: segment.id,
      revision: 1,
    });
    expect(f.segments.get(segment.id)).toMatchObject({ status: "building", memberCount: 0 });
  });
});

describe("flips and snapshots", () => {
  it("evaluates a test clock's flip at its schedule's instant, wherever the clock went on to", async () => {
    const f = fakes();
    const cleo = f.customer("cus_c", "c@a.test");
    const later = new Date(start.getTime() + 40 * day);
    f.testClockOf.set(cleo.id, { now: () => later, testClock: { id: "clk_1", merchantId: "mer_1" } });
    const recent = f.segment({ status: "ready", filters: [{ type: "paidInLastDays", days: 30 }] });
    const lastPayment = new Date(start.getTime() + 5 * day);
    f.stats.set(cleo.id, { ...emptyStats(cleo.id), lastPaymentAt: lastPayment.toISOString() });
    f.members.set(recent.id, new Set([cleo.id]));
    recent.memberCount = 1;
    // A minute before the instant: still a member.
    const due = new Date(lastPayment.getTime() + 30 * day);
    await onSegmentFlip(f.ports, {
      kind: "segment.flip",
      merchantId: "mer_1",
      customerId: cleo.id,
      testClockId: "clk_1",
      scheduledAt: new Date(due.getTime() - 60_000).toISOString(),
    });
    expect(f.members.get(recent.id)?.has(cleo.id)).toBe(true);
    await onSegmentFlip(f.ports, {
      kind: "segment.flip",
      merchantId: "mer_1",
      customerId: cleo.id,
      testClockId: "clk_1",
      scheduledAt: due.toISOString(),
    });
    expect(f.members.get(recent.id)?.has(cleo.id)).toBe(false);
    expect(f.segments.get(recent.id)?.memberCount).toBe(0);
  });

  it("plans a flip per instant a payment brings, on the customer's clock", async () => {
    const f = fakes();
    const ada = f.customer("cus_a", "a@a.test");
    f.segment({ status: "ready", filters: [{ type: "paidInLastDays", days: 30 }] });
    f.segment({ status: "ready", filters: [{ type: "lastPaymentBefore", days: 30 }] });
    const paidAt = start.toISOString();
    await onSegmentEvent(
      f.ports,
      newEvent("payment.succeeded", "mer_1", "pay_1", start, {
        payment: { id: "pay_1", customerId: ada.id, amount: 100, currency: "USD", paidAt },
      }),
    );
    expect(f.schedules.map((s) => [s.name, s.at.toISOString(), s.queue])).toEqual([
      [
        `seg-${ada.id}-${start.getTime() + 30 * day}`,
        new Date(start.getTime() + 30 * day).toISOString(),
        "segments",
      ],
    ]);
  });

  it("keeps a static segment's snapshot whatever happens to its members, except their deletion", async () => {
    const f = fakes();
    const ada = f.customer("cus_a", "a@a.test");
    const snapshot = f.segment({
      type: "static",
      status: "ready",
      filters: [{ type: "emailDomain", value: "a.test" }],
    });
    f.members.set(snapshot.id, new Set([ada.id]));
    ada.email = "a@elsewhere.test";
    await onSegmentEvent(f.ports, newEvent("customer.updated", "mer_1", ada.id, start, {}));
    expect(f.members.get(snapshot.id)?.has(ada.id)).toBe(true);
    await onSegmentEvent(f.ports, newEvent("customer.deleted", "mer_1", ada.id, start, {}));
    expect(f.members.get(snapshot.id)?.has(ada.id)).toBe(false);
  });
});
