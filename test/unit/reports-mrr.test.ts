import { describe, expect, it } from "vitest";
import {
  classify,
  type MrrCounters,
  type MrrMonth,
  monthly,
  mrrCounters,
  mrrOf,
  subscriptionReport,
} from "../../shared/reports/mrr.ts";
import { ConflictError } from "../../shared/domain/errors.ts";
import type { DomainEvent } from "../../shared/domain/events.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import {
  applySubscriptionEvent,
  type CountedSubscription,
  type MrrStore,
} from "../../shared/reports/subscription-mrr.ts";
import { agingBucket, receivablesReport } from "../../shared/reports/receivables.ts";
import type { Subscription } from "../../shared/subscriptions/subscription.ts";

const subscription = (
  fields: Partial<Pick<Subscription, "status" | "interval" | "items" | "discounts" | "cyclesBilled">> = {},
) => ({
  status: "active" as const,
  currency: "USD" as const,
  interval: "month" as const,
  items: [{ id: "si_1", description: "Seat", unitAmount: 1000, quantity: 1 }],
  discounts: [],
  cyclesBilled: 1,
  ...fields,
});

describe("MRR normalisation", () => {
  it.each([
    [3000, "quarter", 1000],
    [1000, "quarter", 333], // 333.33…
    [1001, "quarter", 334], // 333.66…
    [999, "half_year", 167], // 166.5: half away from zero
    [1506, "year", 126], // 125.5
    [1505, "year", 125], // 125.41…
    [4999, "month", 4999],
  ] as const)("%i per %s is %i a month", (amount, interval, expected) => {
    expect(monthly(amount, interval)).toBe(expected);
  });

  it("prices a period as the invoice does: lines rounded, recurring discounts taken, then ÷ months", () => {
    // 2.5 × 333 = 832.5 → 833 per line; 833 + 1200 = 2033 a quarter → 677.67 → 678
    const items = [
      { id: "si_1", description: "A", unitAmount: 333, quantity: 2.5 },
      { id: "si_2", description: "B", unitAmount: 1200, quantity: 1 },
    ];
    expect(mrrOf(subscription({ items, interval: "quarter" }))).toEqual({ counted: true, mrr: 678 });
    // 20 % off forever: 2033 − 406.6 → 407 = 1626 a quarter → 542
    expect(
      mrrOf(
        subscription({ items, interval: "quarter", discounts: [{ percentOff: 20, duration: "forever" }] }),
      ),
    ).toEqual({ counted: true, mrr: 542 });
  });

  it("counts forever discounts, repeating ones within their periods, never a one-off", () => {
    const amountOff = (duration: "once" | "repeating" | "forever", cyclesBilled: number) =>
      mrrOf(
        subscription({
          cyclesBilled,
          discounts: [
            { amountOff: 250, duration, ...(duration === "repeating" ? { durationInPeriods: 3 } : {}) },
          ],
        }),
      ).mrr;
    expect(amountOff("forever", 7)).toBe(750);
    expect(amountOff("repeating", 0)).toBe(750);
    expect(amountOff("repeating", 3)).toBe(750); // period 2: the third
    expect(amountOff("repeating", 4)).toBe(1000);
    expect(amountOff("once", 1)).toBe(1000);
    // Added by a change during period 1: its periods count from period 2, as on the invoices.
    const added = (duration: "repeating" | "forever", cyclesBilled: number) =>
      mrrOf(
        subscription({
          cyclesBilled,
          discounts: [{ amountOff: 250, duration, durationInPeriods: 2, fromPeriod: 2 }],
        }),
      ).mrr;
    expect([2, 3, 4, 5].map((cycles) => added("repeating", cycles))).toEqual([1000, 750, 750, 1000]);
    expect([2, 3, 9].map((cycles) => added("forever", cycles))).toEqual([1000, 750, 750]);
  });

  it.each([
    ["active", true],
    ["past_due", true],
    ["trialing", false],
    ["paused", false],
    ["scheduled", false],
    ["incomplete", false],
    ["incomplete_expired", false],
    ["canceled", false],
    ["ended", false],
  ] as const)("a %s subscription counts: %s", (status, counted) => {
    expect(mrrOf(subscription({ status }))).toEqual({ counted, mrr: counted ? 1000 : 0 });
  });
});

describe("MRR movements", () => {
  const counted = (mrr: number, everCounted = true) => ({ counted: true, mrr, everCounted });
  const out = (everCounted: boolean) => ({ counted: false, mrr: 0, everCounted });

  it.each([
    ["first active: new", undefined, { counted: true, mrr: 500 }, { field: "newMrr", amount: 500 }, 500, 1],
    ["trial ends: new", out(false), { counted: true, mrr: 500 }, { field: "newMrr", amount: 500 }, 500, 1],
    [
      "resumed: reactivation",
      out(true),
      { counted: true, mrr: 500 },
      { field: "reactivationMrr", amount: 500 },
      500,
      1,
    ],
    [
      "upgrade: expansion",
      counted(500),
      { counted: true, mrr: 800 },
      { field: "expansionMrr", amount: 300 },
      300,
      0,
    ],
    [
      "downgrade: contraction",
      counted(800),
      { counted: true, mrr: 600 },
      { field: "contractionMrr", amount: 200 },
      -200,
      0,
    ],
    [
      "paused: churn",
      counted(600),
      { counted: false, mrr: 0 },
      { field: "churnedMrr", amount: 600 },
      -600,
      -1,
    ],
    [
      "canceled: churn",
      counted(600),
      { counted: false, mrr: 0 },
      { field: "churnedMrr", amount: 600 },
      -600,
      -1,
    ],
    ["metadata change: nothing", counted(600), { counted: true, mrr: 600 }, undefined, 0, 0],
    ["trial canceled: nothing", out(false), { counted: false, mrr: 0 }, undefined, 0, 0],
  ] as const)("%s", (_, previous, next, movement, mrrDelta, activeDelta) => {
    expect(classify(previous, next)).toEqual({ ...(movement ? { movement } : {}), mrrDelta, activeDelta });
  });
});

describe("the subscriptions report", () => {
  const month = (m: string, currency: string, fields: Partial<MrrMonth>): MrrMonth => ({
    month: m,
    currency,
    newMrr: 0,
    expansionMrr: 0,
    contractionMrr: 0,
    churnedMrr: 0,
    reactivationMrr: 0,
    mrrDelta: 0,
    activeDelta: 0,
    ...fields,
  });

  it("carries the levels across months, rates churn on the month's start, omits months not reached", () => {
    const rollups = [
      month("2026-01", "USD", { newMrr: 3000, mrrDelta: 3000, activeDelta: 2 }),
      month("2026-03", "USD", { churnedMrr: 1000, expansionMrr: 300, mrrDelta: -700, activeDelta: -1 }),
      month("2026-03", "EUR", { newMrr: 900, mrrDelta: 900, activeDelta: 1 }),
      month("2026-04", "EUR", { churnedMrr: 900, mrrDelta: -900, activeDelta: -1 }),
    ];
    const rows = subscriptionReport(rollups, { from: "2026-02", to: "2026-12", current: "2026-04" });
    expect(rows.map((r) => [r.period, r.currency, r.mrr, r.arr, r.activeSubscriptions, r.churnRate])).toEqual(
      [
        ["2026-02", "USD", 3000, 36000, 2, 0],
        ["2026-03", "EUR", 900, 10800, 1, null],
        ["2026-03", "USD", 2300, 27600, 1, 0.3333],
        ["2026-04", "EUR", 0, 0, 0, 1],
        ["2026-04", "USD", 2300, 27600, 1, 0],
      ],
    );
  });
});

describe("receivables", () => {
  it.each([
    [undefined, "current"],
    ["2026-03-10", "current"],
    ["2026-03-09", "1_30"],
    ["2026-02-08", "1_30"],
    ["2026-02-07", "31_60"],
    ["2026-01-09", "31_60"],
    ["2026-01-08", "61_90"],
    ["2025-12-10", "61_90"],
    ["2025-12-09", "over_90"],
  ] as const)("due %s is %s on 2026-03-10", (dueDate, bucket) => {
    expect(agingBucket(dueDate, "2026-03-10")).toBe(bucket);
  });

  it("gives every currency with an open invoice all five buckets, in order", () => {
    const rows = receivablesReport(
      [
        { currency: "USD", dueDate: "2026-03-01", amountRemaining: 500 },
        { currency: "EUR", dueDate: "2026-04-01", amountRemaining: 700 },
        { currency: "USD", dueDate: "2026-03-05", amountRemaining: 250 },
      ],
      "2026-03-10",
    );
    expect(rows).toEqual([
      { currency: "EUR", bucket: "current", count: 1, amount: 700 },
      { currency: "EUR", bucket: "1_30", count: 0, amount: 0 },
      { currency: "EUR", bucket: "31_60", count: 0, amount: 0 },
      { currency: "EUR", bucket: "61_90", count: 0, amount: 0 },
      { currency: "EUR", bucket: "over_90", count: 0, amount: 0 },
      { currency: "USD", bucket: "current", count: 0, amount: 0 },
      { currency: "USD", bucket: "1_30", count: 2, amount: 750 },
      { currency: "USD", bucket: "31_60", count: 0, amount: 0 },
      { currency: "USD", bucket: "61_90", count: 0, amount: 0 },
      { currency: "USD", bucket: "over_90", count: 0, amount: 0 },
    ]);
  });
});

describe("the MRR contributor", () => {
  /** The store's contract in memory: markers, counted states on their condition, month sums. */
  function memoryStore(): MrrStore & { rollups: Map<string, MrrMonth> } {
    const markers = new Set<string>();
    const states = new Map<string, CountedSubscription>();
    const rollups = new Map<string, MrrMonth>();
    return {
      rollups,
      counted: async (_, __, id) => states.get(id),
      async record(_, { eventId, subscriptionId, previousAsOf, next, tally }) {
        if (markers.has(eventId)) return false;
        if (states.get(subscriptionId)?.asOf !== previousAsOf) throw new ConflictError("raced");
        markers.add(eventId);
        states.set(subscriptionId, next);
        if (Object.values(tally.add).every((value) => value === 0)) return true;
        const key = `${tally.rollup.period}#${tally.rollup.dims[0]}`;
        const held = rollups.get(key);
        const sum = (name: keyof MrrCounters) => (held?.[name] ?? 0) + (tally.add[name] ?? 0);
        rollups.set(key, {
          month: tally.rollup.period,
          currency: tally.rollup.dims[0] ?? "",
          ...(Object.fromEntries(mrrCounters.map((name) => [name, sum(name)])) as MrrCounters),
        });
        return true;
      },
    };
  }
  const merchant = { id: "mer_1", timeZone: "Europe/Berlin" } as Merchant;
  const event = (id: string, occurredAt: string, fields: Partial<Subscription>): DomainEvent => ({
    id,
    type: "subscription.updated",
    merchantId: "mer_1",
    occurredAt,
    livemode: false,
    data: { subscription: { id: "sub_1", ...subscription(), updatedAt: occurredAt, ...fields } },
  });

  it("counts each event once, and a state older than the one counted changes nothing", async () => {
    const store = memoryStore();
    const ports = { mrr: store, merchantOf: async () => merchant, subscriptionOf: async () => undefined };
    const created = event("evt_1", "2030-02-10T10:00:00.000Z", {});
    const upgraded = event("evt_2", "2030-03-10T10:00:00.000Z", {
      items: [{ id: "si_1", description: "Seat", unitAmount: 1000, quantity: 3 }],
    });
    await applySubscriptionEvent(ports, created);
    await applySubscriptionEvent(ports, upgraded);
    await applySubscriptionEvent(ports, upgraded);
    expect([...store.rollups.values()]).toEqual([
      expect.objectContaining({ month: "2030-02", newMrr: 1000, mrrDelta: 1000, activeDelta: 1 }),
      expect.objectContaining({ month: "2030-03", expansionMrr: 2000, mrrDelta: 2000, activeDelta: 0 }),
    ]);

    // A snapshot cut to fit its event is read back whole.
    const whole = { id: "sub_2", ...subscription(), updatedAt: "2030-03-11T00:00:00.000Z" } as Subscription;
    await applySubscriptionEvent(
      { ...ports, subscriptionOf: async () => whole },
      {
        ...created,
        id: "evt_4",
        data: { subscription: { id: "sub_2", truncated: true, omitted: { items: 1 } } },
      },
    );
    expect(store.rollups.get("2030-02#USD")).toMatchObject({ newMrr: 2000, activeDelta: 2 });

    // Out of order: the cancel arrives before the upgrade it follows; the upgrade then counts nothing.
    const late = memoryStore();
    const latePorts = { mrr: late, merchantOf: async () => merchant, subscriptionOf: async () => undefined };
    await applySubscriptionEvent(latePorts, created);
    await applySubscriptionEvent(
      latePorts,
      event("evt_3", "2030-03-31T22:30:00.000Z", { status: "canceled" }),
    );
    await applySubscriptionEvent(latePorts, upgraded);
    expect([...late.rollups.values()]).toEqual([
      expect.objectContaining({ month: "2030-02", newMrr: 1000, mrrDelta: 1000, activeDelta: 1 }),
      // 22:30 UTC on Mar 31 is April 1 in Berlin (summer time).
      expect.objectContaining({ month: "2030-04", churnedMrr: 1000, mrrDelta: -1000, activeDelta: -1 }),
    ]);
  });
});
