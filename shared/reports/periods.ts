/**
 * Report periods: a report's range is a span of the merchant's local days (`to` inclusive), grouped
 * by day, by week (starting Monday, named by that Monday) or by calendar month (`YYYY-MM`). Every
 * date here is already a local calendar date: balance transactions carry their merchant's local day,
 * and other events are placed on one with `localDate` before they reach these functions.
 */
import { addDays } from "../domain/calendar.ts";

export type Grain = "day" | "week" | "month";

export const grains = ["day", "week", "month"] as const satisfies readonly Grain[];

/** The longest range a report reads: a leap year's days. */
export const maxRangeDays = 366;

const dayNumber = (date: string): number => {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return Date.UTC(y, m - 1, d) / 86_400_000;
};

/** Days from `from` to `to`, both included (1 for a single day). */
export const daysInRange = (from: string, to: string): number => dayNumber(to) - dayNumber(from) + 1;

/** The Monday of `date`'s week (ISO weeks: Monday first), which may lie in the previous month or year. */
export function weekOf(date: string): string {
  const weekday = (dayNumber(date) + 3) % 7; // 1970-01-01 was a Thursday: Monday → 0
  return addDays(date, -weekday);
}

/** The period of `grain` a local day belongs to: the day itself, its week's Monday, or its `YYYY-MM`. */
export function periodOf(date: string, grain: Grain): string {
  if (grain === "day") return date;
  if (grain === "week") return weekOf(date);
  return date.slice(0, 7);
}

/**
 * Every period of `grain` that meets the range, in order: a week or month period is whole (named by
 * its Monday or its month even when it starts before `from`), and the range chooses which are shown.
 */
export function periodsOf(from: string, to: string, grain: Grain): string[] {
  const periods: string[] = [];
  for (let day = from; day <= to; ) {
    const period = periodOf(day, grain);
    periods.push(period);
    day = grain === "day" ? addDays(day, 1) : grain === "week" ? addDays(period, 7) : nextMonth(period);
  }
  return periods;
}

/** The first day of the month after `YYYY-MM`. */
function nextMonth(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`;
}

/** The range is readable: `from` ≤ `to` and at most `maxRangeDays` days; else what is wrong with `to`. */
export function rangeProblem(from: string, to: string): string | undefined {
  if (to < from) return "must not be before from";
  if (daysInRange(from, to) > maxRangeDays)
    return `must be at most ${maxRangeDays} days after from (to inclusive)`;
  return undefined;
}

/**
 * The range cut into whole months and the loose days at either edge, so a sum over the range reads
 * one item per whole month and one per edge day (top customers: ≤ 12 months + ≤ 60 days of items,
 * not a year of days).
 */
export function monthsAndDays(from: string, to: string): { months: string[]; days: string[] } {
  const months: string[] = [];
  const days: string[] = [];
  for (let day = from; day <= to; ) {
    const month = day.slice(0, 7);
    const next = nextMonth(month);
    if (day === `${month}-01` && addDays(next, -1) <= to) {
      months.push(month);
      day = next;
    } else {
      days.push(day);
      day = addDays(day, 1);
    }
  }
  return { months, days };
}
