/**
 * Subscription periods (DESIGN §5, issue 11): anchor dates clamp to short months and never drift,
 * periods start at the first instant of their local day in the merchant's zone (DST gaps and
 * overlaps, days a zone skipped), tile time without gaps or overlaps, and a short first period is
 * prorated exactly.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { localDate, startOfLocalDay } from "../../shared/domain/calendar.ts";
import type { Interval } from "../../shared/products/product.ts";
import {
  anchorDate,
  firstAnchor,
  intervalMonths,
  type PeriodRule,
  periodOf,
  prorateFirstPeriod,
  prorationNote,
} from "../../shared/subscriptions/periods.ts";

const anchors = (first: string, day: number, interval: Interval, count: number) =>
  Array.from({ length: count }, (_, j) => anchorDate(first, day, interval, j));

const starts = (rule: PeriodRule, count: number) =>
  Array.from({ length: count }, (_, k) => {
    const p = periodOf(rule, k);
    return [p.startDate, p.start];
  });

describe("anchor dates", () => {
  it.each([
    [
      "Jan 31 monthly, leap year",
      "2024-01-31",
      31,
      "month",
      ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30", "2024-05-31"],
    ],
    [
      "Jan 31 monthly, common year",
      "2026-01-31",
      31,
      "month",
      ["2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"],
    ],
    [
      "Nov 30 quarterly",
      "2023-11-30",
      30,
      "quarter",
      ["2023-11-30", "2024-02-29", "2024-05-30", "2024-08-30", "2024-11-30", "2025-02-28", "2025-05-30"],
    ],
    [
      "Aug 31 half-yearly",
      "2023-08-31",
      31,
      "half_year",
      ["2023-08-31", "2024-02-29", "2024-08-31", "2025-02-28", "2025-08-31"],
    ],
    [
      "Feb 29 yearly",
      "2024-02-29",
      29,
      "year",
      ["2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29"],
    ],
    ["Dec 15 monthly across the year", "2026-12-15", 15, "month", ["2026-12-15", "2027-01-15", "2027-02-15"]],
  ] as const)("%s", (_, first, day, interval, expected) => {
    expect(anchors(first, day, interval, expected.length)).toEqual(expected);
  });

  it("counts back from the first anchor too (the full period a short one is part of)", () => {
    expect(anchorDate("2024-03-31", 31, "month", -1)).toBe("2024-02-29");
    expect(anchorDate("2026-01-05", 5, "quarter", -1)).toBe("2025-10-05");
  });

  it.each([
    ["2026-01-15", 31, "2026-01-31"],
    ["2026-02-10", 31, "2026-02-28"],
    ["2024-02-10", 31, "2024-02-29"],
    ["2026-01-31", 30, "2026-02-28"], // Jan 30 is already past; Feb has no 30th
    ["2026-02-28", 30, "2026-02-28"], // Feb 28 is min(30, 28): the start date is the first anchor
    ["2026-12-20", 5, "2027-01-05"],
    ["2026-06-05", 5, "2026-06-05"],
  ] as const)("the first anchor on or after %s for day %i is %s", (start, day, expected) => {
    expect(firstAnchor(start, day)).toBe(expected);
  });

  it("rejects what is not a date or an anchor day", () => {
    expect(() => firstAnchor("2026-02-30", 1)).toThrow(RangeError);
    expect(() => firstAnchor("2026-01-01", 32)).toThrow(RangeError);
    expect(() =>
      periodOf({ startDate: "2026-01-01", billingAnchorDay: 1, interval: "month", timeZone: "UTC" }, -1),
    ).toThrow(RangeError);
  });
});

describe("periods in the merchant's time zone", () => {
  it("starts on the start date's anchors when the start date is the first anchor (anchor 31, Europe/Oslo)", () => {
    const rule: PeriodRule = {
      startDate: "2026-01-31",
      billingAnchorDay: 31,
      interval: "month",
      timeZone: "Europe/Oslo",
    };
    expect(starts(rule, 6)).toEqual([
      ["2026-01-31", "2026-01-30T23:00:00.000Z"],
      ["2026-02-28", "2026-02-27T23:00:00.000Z"],
      ["2026-03-31", "2026-03-30T22:00:00.000Z"], // summer time since Mar 29
      ["2026-04-30", "2026-04-29T22:00:00.000Z"],
      ["2026-05-31", "2026-05-30T22:00:00.000Z"],
      ["2026-06-30", "2026-06-29T22:00:00.000Z"],
    ]);
    expect(periodOf(rule, 9)).toEqual({
      start: "2026-10-30T23:00:00.000Z", // winter time again since Oct 25
      end: "2026-11-29T23:00:00.000Z",
      startDate: "2026-10-31",
      endDate: "2026-11-30",
    });
  });

  it("makes period 0 the short span up to the first anchor when the start date is off-anchor", () => {
    const rule: PeriodRule = {
      startDate: "2026-01-15",
      billingAnchorDay: 1,
      interval: "month",
      timeZone: "UTC",
    };
    expect(periodOf(rule, 0)).toEqual({
      start: "2026-01-15T00:00:00.000Z",
      end: "2026-02-01T00:00:00.000Z",
      startDate: "2026-01-15",
      endDate: "2026-02-01",
    });
    expect(periodOf(rule, 1)).toMatchObject({ startDate: "2026-02-01", endDate: "2026-03-01" });
  });

  it.each([
    // America/Los_Angeles: the gap (Mar 8) and the overlap (Nov 1) are at 02:00, so midnight exists.
    [
      "Los Angeles, into summer time",
      "America/Los_Angeles",
      "2026-02-08",
      8,
      1,
      "2026-03-08T08:00:00.000Z",
      "2026-04-08T07:00:00.000Z",
    ],
    [
      "Los Angeles, out of summer time",
      "America/Los_Angeles",
      "2026-10-01",
      1,
      1,
      "2026-11-01T07:00:00.000Z",
      "2026-12-01T08:00:00.000Z",
    ],
    // America/Santiago moves its clocks at midnight: on Sep 6 the day begins at 01:00 (-03).
    [
      "Santiago, midnight skipped",
      "America/Santiago",
      "2026-08-06",
      6,
      1,
      "2026-09-06T04:00:00.000Z",
      "2026-10-06T03:00:00.000Z",
    ],
    // …and on Apr 5 midnight comes once, after the hour of Apr 4 that is lived twice.
    [
      "Santiago, hour repeated",
      "America/Santiago",
      "2026-03-05",
      5,
      1,
      "2026-04-05T04:00:00.000Z",
      "2026-05-05T04:00:00.000Z",
    ],
    [
      "Santiago, short period 0 across the change",
      "America/Santiago",
      "2026-03-20",
      5,
      0,
      "2026-03-20T03:00:00.000Z",
      "2026-04-05T04:00:00.000Z",
    ],
    [
      "Oslo, the day summer time starts",
      "Europe/Oslo",
      "2026-02-28",
      29,
      0,
      "2026-02-27T23:00:00.000Z",
      "2026-03-28T23:00:00.000Z",
    ],
    [
      "Kiritimati (UTC+14)",
      "Pacific/Kiritimati",
      "2026-12-01",
      1,
      1,
      "2026-12-31T10:00:00.000Z",
      "2027-01-31T10:00:00.000Z",
    ],
    // Kiritimati skipped 1994-12-31 moving from UTC−10 to UTC+14: that anchor starts at Jan 1's first instant.
    [
      "Kiritimati, skipped day",
      "Pacific/Kiritimati",
      "1994-10-31",
      31,
      1,
      "1994-11-30T10:00:00.000Z",
      "1994-12-31T10:00:00.000Z",
    ],
    // Samoa skipped 2011-12-30: that anchor starts at Dec 31's first instant.
    [
      "Apia, skipped day",
      "Pacific/Apia",
      "2011-10-30",
      30,
      2,
      "2011-12-30T10:00:00.000Z",
      "2012-01-29T10:00:00.000Z",
    ],
  ] as const)("%s", (_, timeZone, startDate, billingAnchorDay, k, start, end) => {
    const period = periodOf({ startDate, billingAnchorDay, interval: "month", timeZone }, k);
    expect({ start: period.start, end: period.end }).toEqual({ start, end });
  });

  it("starts a day whose midnight is missing at its first existing instant, a skipped day at the next day's", () => {
    expect(startOfLocalDay("2026-09-06", "America/Santiago").toISOString()).toBe("2026-09-06T04:00:00.000Z");
    expect(startOfLocalDay("2011-12-30", "Pacific/Apia").toISOString()).toBe("2011-12-30T10:00:00.000Z");
    expect(startOfLocalDay("2011-12-31", "Pacific/Apia").toISOString()).toBe("2011-12-30T10:00:00.000Z");
  });
});

describe("proration of a short first period", () => {
  const rule = (startDate: string, billingAnchorDay: number, timeZone = "UTC"): PeriodRule => ({
    startDate,
    billingAnchorDay,
    interval: "month",
    timeZone,
  });

  it("charges quantity × unit amount × the seconds of the short period over the full period's", () => {
    // Mar 20 → Apr 1 in Oslo: 12 days less the hour summer time takes, of a 31-day March less that hour.
    const p = prorateFirstPeriod(rule("2026-03-20", 1, "Europe/Oslo"), { quantity: 1, unitAmount: 3100 });
    expect(p).toEqual({
      amount: 1197, // 3100 × 1 033 200 / 2 674 800 = 1197.44…
      seconds: { part: 1_033_200, full: 2_674_800 },
      days: { part: 12, full: 31 },
    });
    expect(prorationNote(p!)).toBe("prorated 12/31 days");
  });

  it("rounds half away from zero once per line, fractional quantities included", () => {
    // Apr 16 → May 1 is exactly half of April.
    expect(prorateFirstPeriod(rule("2026-04-16", 1), { quantity: 1, unitAmount: 1 })?.amount).toBe(1);
    expect(prorateFirstPeriod(rule("2026-04-16", 1), { quantity: 1, unitAmount: 3 })?.amount).toBe(2);
    expect(prorateFirstPeriod(rule("2026-04-16", 1), { quantity: 2.5, unitAmount: 3 })?.amount).toBe(4); // 3.75
    expect(prorateFirstPeriod(rule("2026-04-16", 1), { quantity: 0.0001, unitAmount: 10_000 })?.amount).toBe(
      1,
    ); // 0.5
  });

  it("measures the full period as the interval before the first anchor, clamped like every anchor", () => {
    // Anchor 31, start Feb 10 2024: the full period is [Jan 31, Feb 29), 29 days, of which 19 are billed.
    const p = prorateFirstPeriod(
      { ...rule("2024-02-10", 31), interval: "month" },
      { quantity: 1, unitAmount: 2900 },
    );
    expect(p).toMatchObject({ amount: 1900, days: { part: 19, full: 29 } });
    const q = prorateFirstPeriod(
      { ...rule("2026-12-20", 5), interval: "quarter" },
      { quantity: 1, unitAmount: 9200 },
    );
    expect(q).toMatchObject({ days: { part: 16, full: 92 }, amount: 1600 }); // [Oct 5, Jan 5) is 92 days
  });

  it("prorates nothing when the start date is the first anchor", () => {
    expect(prorateFirstPeriod(rule("2026-04-01", 1), { quantity: 3, unitAmount: 1000 })).toBeNull();
  });
});

const zones = [
  "UTC",
  "America/Los_Angeles",
  "Europe/Oslo",
  "America/Santiago",
  "Pacific/Kiritimati",
  "Pacific/Apia",
  "America/Havana", // DST changes at midnight
  "Asia/Beirut", // DST changes at midnight
  "Australia/Lord_Howe", // a 30-minute DST shift
  "Asia/Kathmandu",
  "Pacific/Chatham",
] as const;

const day0 = Date.UTC(1990, 0, 1) / 86_400_000;
const day1 = Date.UTC(2080, 11, 31) / 86_400_000;
const dates = fc
  .integer({ min: day0, max: day1 })
  .map((d) => new Date(d * 86_400_000).toISOString().slice(0, 10));
const intervals = fc.constantFrom<Interval>("month", "quarter", "half_year", "year");
const rules = fc.record({
  startDate: dates,
  billingAnchorDay: fc.integer({ min: 1, max: 31 }),
  interval: intervals,
  timeZone: fc.constantFrom(...zones),
});

const daysIn = (date: string) => {
  const [y, m] = date.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
};
const monthIndex = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7)) - 1;
const plusOneDay = (date: string) => new Date(Date.parse(date) + 86_400_000).toISOString().slice(0, 10);

describe("period properties", () => {
  it("the first anchor is the earliest date on or after the start whose day is the clamped anchor day", () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: 1, max: 31 }), (start, day) => {
        const first = firstAnchor(start, day);
        const isAnchor = (d: string) => Number(d.slice(8)) === Math.min(day, daysIn(d));
        expect(first >= start && isAnchor(first)).toBe(true);
        for (let d = start; d < first; d = plusOneDay(d)) expect(isAnchor(d)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it("keeps the anchor day whenever the month has it and never drifts after a short month", () => {
    fc.assert(
      fc.property(dates, fc.integer({ min: 1, max: 31 }), intervals, (start, day, interval) => {
        const first = firstAnchor(start, day);
        for (let j = 0; j < 30; j++) {
          const a = anchorDate(first, day, interval, j);
          expect(monthIndex(a)).toBe(monthIndex(first) + j * intervalMonths[interval]);
          expect(Number(a.slice(8))).toBe(Math.min(day, daysIn(a)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it("periods are contiguous, strictly increasing, and start at the first instant of their local day", () => {
    fc.assert(
      fc.property(rules, (rule) => {
        const periods = Array.from({ length: 14 }, (_, k) => periodOf(rule, k));
        periods.forEach((p, k) => {
          expect(p.startDate < p.endDate).toBe(true);
          if (k > 0) expect(p.start).toBe(periods[k - 1]!.end); // no gap, no overlap
          // Anchors lie ≥ 28 days apart; only a short period 0 starting on a day the zone skipped
          // (Apia, 2011-12-30, anchor 31) could be empty.
          if (k > 0) expect(Date.parse(p.start) < Date.parse(p.end)).toBe(true);
          else expect(Date.parse(p.start) <= Date.parse(p.end)).toBe(true);
          const start = new Date(p.start);
          // The local date at the start is the period's day (or, if the zone skipped it, the next one),
          // and the second before belongs to an earlier day.
          expect(localDate(start, rule.timeZone) >= p.startDate).toBe(true);
          expect(localDate(start, rule.timeZone) <= plusOneDay(p.startDate)).toBe(true);
          expect(localDate(new Date(start.getTime() - 1000), rule.timeZone) < p.startDate).toBe(true);
        });
        // Once on the anchors, period k+1 starts one interval of months later.
        const first = firstAnchor(rule.startDate, rule.billingAnchorDay);
        const onAnchors = periods.filter((p) => p.startDate >= first);
        onAnchors.forEach((p, j) => {
          expect(p.startDate).toBe(anchorDate(first, rule.billingAnchorDay, rule.interval, j));
        });
      }),
      { numRuns: 150 },
    );
  });

  it("a prorated line lies between 0 and the full amount and equals a BigInt reference", () => {
    const lines = fc.record({
      quantity: fc.integer({ min: 1, max: 1_000_000 }).map((q) => q / 10_000),
      unitAmount: fc.integer({ min: 0, max: 10_000_000 }),
    });
    fc.assert(
      fc.property(rules, lines, (rule, line) => {
        const p = prorateFirstPeriod(rule, line);
        const first = firstAnchor(rule.startDate, rule.billingAnchorDay);
        if (first === rule.startDate) {
          expect(p).toBeNull();
          return;
        }
        // Reference: period 0's own length over the length of the full period of a subscription
        // starting on the anchor before A(0), both measured on periodOf's instants.
        const short = periodOf(rule, 0);
        const before = anchorDate(first, rule.billingAnchorDay, rule.interval, -1);
        const full = periodOf({ ...rule, startDate: before }, 0);
        expect(full.endDate).toBe(first);
        const seconds = (q: { start: string; end: string }) =>
          BigInt((Date.parse(q.end) - Date.parse(q.start)) / 1000);
        const num = BigInt(Math.round(line.quantity * 10_000)) * BigInt(line.unitAmount) * seconds(short);
        const den = 10_000n * seconds(full);
        const reference = (2n * num + den) / (2n * den); // half away from zero, for non-negative values
        const whole =
          (2n * BigInt(Math.round(line.quantity * 10_000)) * BigInt(line.unitAmount) + 10_000n) / 20_000n;
        expect(BigInt(p!.amount)).toBe(reference);
        expect(p!.amount >= 0 && BigInt(p!.amount) <= whole).toBe(true);
        expect(p!.days.part > 0 && p!.days.part < p!.days.full).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
