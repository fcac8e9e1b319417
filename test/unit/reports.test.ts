/**
 * Reports' pure parts: periods (weeks from Monday across month and year ends, `to` inclusive, the
 * 366-day limit, local days across a DST change), the range query's 400s, the folding of balance
 * transactions into rollups and of rollups into rows, and the contributors' once-per-event effects.
 */
import { describe, expect, it } from "vitest";
import { reportContributors } from "../../shared/composition.ts";
import { getRevenueReport } from "../../shared/api/reports.ts";
import { localDate } from "../../shared/domain/calendar.ts";
import { queuesFor } from "../../shared/outbox/routing.ts";
import {
  customersContributor,
  reportedEventTypes,
  revenueContributor,
} from "../../shared/reports/contributors.ts";
import {
  daysInRange,
  monthsAndDays,
  periodOf,
  periodsOf,
  rangeProblem,
  weekOf,
} from "../../shared/reports/periods.ts";
import type { Rollup, RollupStore, Tally } from "../../shared/reports/ports.ts";
import {
  customerPaidOf,
  customersRows,
  revenueOf,
  revenueRows,
  topCustomers,
} from "../../shared/reports/rollups.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import type { DomainEvent } from "../../shared/domain/events.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";

describe("report periods", () => {
  it("starts weeks on Monday, named by that Monday even in the previous month or year", () => {
    expect(weekOf("2026-10-01")).toBe("2026-09-28"); // a Thursday
    expect(weekOf("2026-09-28")).toBe("2026-09-28"); // a Monday is its own week
    expect(weekOf("2026-10-04")).toBe("2026-09-28"); // a Sunday ends it
    expect(weekOf("2027-01-01")).toBe("2026-12-28"); // across the year's end
    expect(weekOf("2024-03-01")).toBe("2024-02-26"); // across a leap February
    expect(periodOf("2026-10-31", "month")).toBe("2026-10");
    expect(periodOf("2026-10-31", "day")).toBe("2026-10-31");
  });

  it("lists every period meeting the range, `to` included", () => {
    expect(periodsOf("2026-10-30", "2026-11-02", "day")).toEqual([
      "2026-10-30",
      "2026-10-31",
      "2026-11-01",
      "2026-11-02",
    ]);
    expect(periodsOf("2026-12-30", "2027-01-12", "week")).toEqual(["2026-12-28", "2027-01-04", "2027-01-11"]);
    expect(periodsOf("2026-10-01", "2026-10-31", "week")).toEqual([
      "2026-09-28",
      "2026-10-05",
      "2026-10-12",
      "2026-10-19",
      "2026-10-26",
    ]);
    expect(periodsOf("2026-11-15", "2027-02-01", "month")).toEqual([
      "2026-11",
      "2026-12",
      "2027-01",
      "2027-02",
    ]);
    expect(periodsOf("2026-10-05", "2026-10-05", "week")).toEqual(["2026-10-05"]);
  });

  it("allows at most 366 days, to inclusive, and no range ending before it starts", () => {
    expect(daysInRange("2026-10-01", "2026-10-01")).toBe(1);
    expect(rangeProblem("2024-01-01", "2024-12-31")).toBeUndefined(); // a leap year: 366 days
    expect(rangeProblem("2026-01-01", "2027-01-01")).toBeUndefined(); // 366 days
    expect(rangeProblem("2026-01-01", "2027-01-02")).toMatch(/366/);
    expect(rangeProblem("2026-10-02", "2026-10-01")).toMatch(/before from/);
  });

  it("places an instant on the merchant's local day across the end of summer time", () => {
    // Oslo leaves CEST (+2) for CET (+1) at 01:00 UTC on Sunday 25 October 2026.
    expect(localDate(new Date("2026-10-24T22:30:00Z"), "Europe/Oslo")).toBe("2026-10-25");
    expect(localDate(new Date("2026-10-25T22:30:00Z"), "Europe/Oslo")).toBe("2026-10-25");
    expect(localDate(new Date("2026-10-25T23:00:00Z"), "Europe/Oslo")).toBe("2026-10-26");
    // New York's first Sunday of November: 23:30 local is 04:30 UTC the next day, before and after.
    expect(localDate(new Date("2026-11-01T03:30:00Z"), "America/New_York")).toBe("2026-10-31");
    expect(localDate(new Date("2026-11-02T04:30:00Z"), "America/New_York")).toBe("2026-11-01");
  });

  it("cuts a range into whole months and loose edge days", () => {
    expect(monthsAndDays("2026-10-01", "2026-10-31")).toEqual({ months: ["2026-10"], days: [] });
    const cut = monthsAndDays("2026-09-29", "2026-12-02");
    expect(cut.months).toEqual(["2026-10", "2026-11"]);
    expect(cut.days).toEqual(["2026-09-29", "2026-09-30", "2026-12-01", "2026-12-02"]);
    expect(monthsAndDays("2026-10-02", "2026-10-30")).toEqual({
      months: [],
      days: periodsOf("2026-10-02", "2026-10-30", "day"),
    });
  });
});

describe("the report query", () => {
  const parse = (query: Record<string, string>) => getRevenueReport.query.safeParse(query);
  const paths = (query: Record<string, string>) => parse(query).error?.issues.map((i) => i.path.join("."));

  it("names `to` for a range too long or backwards, and each bad field", () => {
    expect(parse({ from: "2026-01-01", to: "2027-01-01" }).success).toBe(true);
    expect(paths({ from: "2026-01-01", to: "2027-01-02" })).toEqual(["to"]);
    expect(paths({ from: "2026-10-02", to: "2026-10-01" })).toEqual(["to"]);
    expect(paths({ from: "2026-10-01", to: "2026-10-31", groupBy: "year" })).toEqual(["groupBy"]);
    expect(paths({ from: "2026-10-01", to: "2026-10-31", currency: "XXY" })).toEqual(["currency"]);
    expect(paths({ from: "2026-10-01", to: "2026-10-31", livemode: "yes" })).toEqual(["livemode"]);
    expect(paths({ from: "2026-02-30", to: "2026-10-31" })).toEqual(["from"]);
  });

  it("defaults to days and upper-cases the currency", () => {
    expect(parse({ from: "2026-10-01", to: "2026-10-31", currency: "eur", livemode: "true" }).data).toEqual({
      from: "2026-10-01",
      to: "2026-10-31",
      groupBy: "day",
      currency: "EUR",
      livemode: true,
    });
  });
});

const charge = {
  kind: "charge",
  amount: 10_000,
  fee: 320,
  net: 9_680,
  currency: "USD",
  date: "2026-10-01",
} as const;
const refund = {
  kind: "refund",
  amount: -2_000,
  fee: 0,
  net: -2_000,
  currency: "USD",
  date: "2026-10-02",
} as const;
const reversal = {
  kind: "refund",
  amount: 2_000,
  fee: 0,
  net: 2_000,
  currency: "USD",
  date: "2026-10-03",
} as const;
const lost = {
  kind: "dispute",
  amount: -5_000,
  fee: 0,
  net: -5_000,
  currency: "USD",
  date: "2026-10-04",
} as const;

describe("rollup folding", () => {
  it("folds each kind of balance transaction into revenue and the customer's tally", () => {
    expect(revenueOf(charge)).toEqual({ grossVolume: 10_000, fees: 320, netVolume: 9_680, paymentCount: 1 });
    expect(revenueOf(refund)).toEqual({ refunds: 2_000, netVolume: -2_000, refundCount: 1 });
    expect(revenueOf(reversal)).toEqual({ refunds: -2_000, netVolume: 2_000, refundCount: -1 });
    expect(revenueOf(lost)).toEqual({ disputesLost: 5_000, netVolume: -5_000 });
    expect(customerPaidOf(charge)).toEqual({ grossPaid: 10_000, paymentCount: 1 });
    expect(customerPaidOf(refund)).toEqual({ refunded: 2_000 });
    expect(customerPaidOf(lost)).toEqual({ disputesLost: 5_000 });
  });

  it("orders revenue rows by period then currency and filters a currency", () => {
    const items: Rollup[] = [
      { period: "2026-10-02", dims: ["USD"], counts: { refunds: 1, netVolume: -1, refundCount: 1 } },
      { period: "2026-10-01", dims: ["USD"], counts: { grossVolume: 5 } },
      { period: "2026-10-01", dims: ["EUR"], counts: { grossVolume: 7 } },
    ];
    expect(revenueRows(items).map((r) => [r.period, r.currency])).toEqual([
      ["2026-10-01", "EUR"],
      ["2026-10-01", "USD"],
      ["2026-10-02", "USD"],
    ]);
    expect(revenueRows(items, "EUR")).toEqual([
      {
        period: "2026-10-01",
        currency: "EUR",
        grossVolume: 7,
        refunds: 0,
        disputesLost: 0,
        fees: 0,
        netVolume: 0,
        paymentCount: 0,
        refundCount: 0,
      },
    ]);
  });

  it("gives every period of a count series, zeros included", () => {
    expect(
      customersRows(
        ["2026-09-28", "2026-10-05"],
        [{ period: "2026-10-05", dims: [], counts: { payingCustomers: 2 } }],
      ),
    ).toEqual([
      { period: "2026-09-28", newCustomers: 0, payingCustomers: 0 },
      { period: "2026-10-05", newCustomers: 0, payingCustomers: 2 },
    ]);
  });

  it("sums top customers over months and days, ranks per currency by net paid then id, keeps `limit` each", () => {
    const items: Rollup[] = [
      { period: "2026-10", dims: ["cus_b", "USD"], counts: { grossPaid: 5_000, paymentCount: 1 } },
      { period: "2026-11-01", dims: ["cus_b", "USD"], counts: { refunded: 1_000 } },
      { period: "2026-10", dims: ["cus_a", "USD"], counts: { grossPaid: 4_000, paymentCount: 2 } },
      {
        period: "2026-10",
        dims: ["cus_c", "USD"],
        counts: { grossPaid: 9_000, disputesLost: 5_000, paymentCount: 1 },
      },
      { period: "2026-10", dims: ["cus_a", "EUR"], counts: { grossPaid: 1, paymentCount: 1 } },
    ];
    expect(topCustomers(items, 2).map((t) => [t.currency, t.customerId, t.netPaid])).toEqual([
      ["EUR", "cus_a", 1],
      ["USD", "cus_a", 4_000],
      ["USD", "cus_b", 4_000],
    ]);
    expect(topCustomers(items, 10, "USD").find((t) => t.customerId === "cus_b")).toEqual({
      customerId: "cus_b",
      currency: "USD",
      netPaid: 4_000,
      grossPaid: 5_000,
      refunded: 1_000,
      paymentCount: 1,
    });
  });
});

/** An in-memory rollup store with the adapter's contract: markers make each effect happen once. */
function memoryRollups(): RollupStore & { items: Map<string, Record<string, number>> } {
  const items = new Map<string, Record<string, number>>();
  const markers = new Set<string>();
  const add = (tallies: readonly Tally[]) => {
    for (const { rollup, add: counts } of tallies) {
      const key = [rollup.report, rollup.livemode, rollup.grain, rollup.period, ...rollup.dims].join("#");
      const item = items.get(key) ?? {};
      for (const [name, value] of Object.entries(counts)) item[name] = (item[name] ?? 0) + value;
      items.set(key, item);
    }
  };
  const once = (marker: string, tallies: readonly Tally[]) => {
    if (markers.has(marker)) return false;
    markers.add(marker);
    add(tallies);
    return true;
  };
  return {
    items,
    addOnce: async (_m, { contributor, eventId }, tallies) => once(`${contributor}#${eventId}`, tallies),
    addOncePerMember: async (_m, r, member, tallies) =>
      once([r.report, r.livemode, r.grain, r.period, member].join("#"), tallies),
    read: async () => [],
  };
}

const event = (
  type: string,
  id: string,
  data: Record<string, unknown>,
  occurredAt = "2026-10-01T08:00:00Z",
): DomainEvent => ({
  id,
  type,
  merchantId: "mer_1",
  occurredAt,
  livemode: false,
  data,
});

describe("the reports' contributors", () => {
  const merchant = { id: "mer_1", timeZone: "Europe/Oslo" } as Merchant;

  it("adds a payment's balance transaction once per event id, at day, week and month", async () => {
    const rollups = memoryRollups();
    const revenue = revenueContributor({ rollups });
    const paid = event("payment.succeeded", "evt_1", {
      payment: { customerId: "cus_a" },
      balanceTransaction: charge,
    });
    await revenue.apply(paid);
    await revenue.apply(paid);
    expect(rollups.items.get("revenue#false#day#2026-10-01#USD")).toEqual({
      grossVolume: 10_000,
      fees: 320,
      netVolume: 9_680,
      paymentCount: 1,
    });
    expect(rollups.items.get("revenue#false#week#2026-09-28#USD")?.grossVolume).toBe(10_000);
    expect(rollups.items.get("revenue#false#month#2026-10#USD")?.grossVolume).toBe(10_000);
    expect(rollups.items.get("top#false#month#2026-10#cus_a#USD")).toEqual({
      grossPaid: 10_000,
      paymentCount: 1,
    });
    // A refund reversed after it succeeded (refund.failed carries the refund, not the payment) gives it back.
    await revenue.apply(
      event("refund.failed", "evt_5", {
        refund: { customerId: "cus_a" },
        balanceTransaction: { ...reversal, date: "2026-10-01" },
      }),
    );
    expect(rollups.items.get("revenue#false#day#2026-10-01#USD")).toMatchObject({
      refunds: -2_000,
      refundCount: -1,
      netVolume: 11_680,
    });
    expect(rollups.items.get("top#false#day#2026-10-01#cus_a#USD")).toMatchObject({ refunded: -2_000 });
    // A pending refund that failed moved no money: nothing to fold.
    await revenue.apply(event("refund.failed", "evt_6", { refund: { customerId: "cus_a" } }));
    // A payment without a balance transaction (recorded by hand) moves no money in the reports.
    await revenue.apply(event("payment.succeeded", "evt_2", { payment: { customerId: "cus_a" } }));
    expect(rollups.items.get("revenue#false#day#2026-10-01#USD")?.paymentCount).toBe(1);
  });

  it("counts a paying customer once per period, and a new customer on the merchant's local day", async () => {
    const rollups = memoryRollups();
    const customers = customersContributor({
      rollups,
      merchantOf: async () => merchant,
      clock: fixedClock(new Date()),
    });
    const paid = (id: string, date: string) =>
      event("payment.succeeded", id, {
        payment: { customerId: "cus_a" },
        balanceTransaction: { ...charge, date },
      });
    await customers.apply(paid("evt_1", "2026-10-01"));
    await customers.apply(paid("evt_2", "2026-10-02"));
    await customers.apply(paid("evt_2", "2026-10-02"));
    expect(rollups.items.get("customers#false#day#2026-10-01")).toEqual({ payingCustomers: 1 });
    expect(rollups.items.get("customers#false#day#2026-10-02")).toEqual({ payingCustomers: 1 });
    expect(rollups.items.get("customers#false#week#2026-09-28")).toEqual({ payingCustomers: 1 });
    expect(rollups.items.get("customers#false#month#2026-10")).toEqual({ payingCustomers: 1 });
    // A payment recorded by hand (no balance transaction) counts its payer on its instant's local day in Oslo.
    await customers.apply(
      event("payment.recorded", "evt_4", { payment: { customerId: "cus_c" } }, "2026-10-02T22:30:00Z"),
    );
    expect(rollups.items.get("customers#false#day#2026-10-03")).toEqual({ payingCustomers: 1 });
    expect(rollups.items.get("customers#false#month#2026-10")).toEqual({ payingCustomers: 2 });

    // 23:30 on 25 October in Oslo, after the clocks went back: still the 25th locally.
    const created = event("customer.created", "evt_3", { customer: { id: "cus_b" } }, "2026-10-25T22:30:00Z");
    await customers.apply(created);
    await customers.apply(created);
    expect(rollups.items.get("customers#false#day#2026-10-25")).toEqual({ newCustomers: 1 });
    expect(rollups.items.get("customers#false#week#2026-10-19")).toEqual({ newCustomers: 1 });
  });

  it("routes to the reports queue exactly the contributors' event types", () => {
    const types = new Set(reportContributors(fixedClock(new Date())).flatMap((c) => c.eventTypes));
    expect(new Set(reportedEventTypes)).toEqual(types);
    for (const type of types) expect(queuesFor(type)).toContain("reports");
    for (const type of ["invoice.finalized", "payment.failed", "customer.updated"])
      expect(queuesFor(type)).not.toContain("reports");
  });
});
