/**
 * Subscription billing periods (DESIGN §5, issue 11): pure calendar math in the merchant's time zone.
 *
 * Anchor dates are local calendar dates, always computed from the first anchor (never from the
 * previous period), so a month-end anchor clamps in short months and comes back afterwards
 * (anchor 31: Jan 31 → Feb 29 → Mar 31 → Apr 30). A period starts at the first instant of its local
 * day and ends where the next one begins, so periods tile time with no gap and no overlap.
 */
import { addDays, localDate, startOfLocalDay } from "../domain/calendar.ts";
import { DECIMAL_SCALE, divRound, toTenThousandths } from "../domain/money.ts";
import type { Interval } from "../products/product.ts";

export const intervalMonths: Readonly<Record<Interval, number>> = {
  month: 1,
  quarter: 3,
  half_year: 6,
  year: 12,
};

/** What fixes a subscription's periods. */
export interface PeriodRule {
  /** A local date, `YYYY-MM-DD`, in `timeZone`. */
  startDate: string;
  /** 1–31; clamped to the length of short months. */
  billingAnchorDay: number;
  interval: Interval;
  /** The merchant's IANA time zone. */
  timeZone: string;
}

export interface Period {
  /** ISO instant: the first instant of `startDate` in the zone. */
  start: string;
  /** ISO instant: the start of the next period. */
  end: string;
  /** Local date the period starts on. */
  startDate: string;
  /** Local date the next period starts on (exclusive). */
  endDate: string;
}

function parseDate(date: string): [number, number, number] {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const [y, m, d] = (match?.slice(1) ?? []).map(Number) as [number, number, number];
  if (!match || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    throw new RangeError(`not a calendar date (YYYY-MM-DD): ${date}`);
  }
  return [y, m, d];
}

const formatDate = (y: number, m: number, d: number): string =>
  `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;

/** Days in month `m` (1–12) of year `y`. */
function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** Day `anchorDay` of the month `months` after (or before) month `m` of `y`, clamped to that month. */
function clampedDay(y: number, m: number, months: number, anchorDay: number): string {
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = total - year * 12 + 1;
  return formatDate(year, month, Math.min(anchorDay, daysInMonth(year, month)));
}

function checkAnchorDay(anchorDay: number): void {
  if (!Number.isInteger(anchorDay) || anchorDay < 1 || anchorDay > 31) {
    throw new RangeError(`billingAnchorDay must be an integer 1–31: ${anchorDay}`);
  }
}

/** The earliest local date ≥ `startDate` whose day is `min(billingAnchorDay, length of its month)`. */
export function firstAnchor(startDate: string, billingAnchorDay: number): string {
  checkAnchorDay(billingAnchorDay);
  const [y, m, d] = parseDate(startDate);
  const sameMonth = clampedDay(y, m, 0, billingAnchorDay);
  return Number(sameMonth.slice(8)) >= d ? sameMonth : clampedDay(y, m, 1, billingAnchorDay);
}

/**
 * Anchor date A(j): day `billingAnchorDay` of month(firstAnchor) + j × interval, clamped to that month's
 * length. j may be negative (A(−1) is where the full period ending on A(0) starts).
 */
export function anchorDate(
  firstAnchorDate: string,
  billingAnchorDay: number,
  interval: Interval,
  j: number,
): string {
  checkAnchorDay(billingAnchorDay);
  if (!Number.isSafeInteger(j)) throw new RangeError(`the anchor index must be an integer: ${j}`);
  const [y, m] = parseDate(firstAnchorDate);
  return clampedDay(y, m, j * intervalMonths[interval], billingAnchorDay);
}

/** True when the start date is off-anchor, so period 0 is a short, prorated period [startDate, A(0)). */
export function hasShortFirstPeriod(rule: PeriodRule): boolean {
  return firstAnchor(rule.startDate, rule.billingAnchorDay) !== rule.startDate;
}

/**
 * Where a run of periods begins — a subscription's start, or where it resumed after a pause — and
 * its first anchor: the earliest anchor date that does not begin before the run. When the run begins
 * at that anchor's first instant its first period is a full one, else a short one, [start, A(0)).
 */
interface Run {
  /** The local date the run begins on. */
  date: string;
  anchor: string;
  short: boolean;
  /** The instant the run begins (computed only when needed: zone math is the costly part). */
  at: () => Date;
}

/** The run of a start date: it begins at the date's first instant. */
function runFromDate(rule: PeriodRule): Run {
  const anchor = firstAnchor(rule.startDate, rule.billingAnchorDay);
  return {
    date: rule.startDate,
    anchor,
    short: anchor !== rule.startDate,
    at: () => startOfLocalDay(rule.startDate, rule.timeZone),
  };
}

/** The run that begins at instant `from` (a resumption: any instant of a day). */
function runFromInstant(rule: Omit<PeriodRule, "startDate">, from: string): Run {
  const at = new Date(from);
  const date = localDate(at, rule.timeZone);
  const startsDay = startOfLocalDay(date, rule.timeZone).getTime() === at.getTime();
  let anchor = firstAnchor(date, rule.billingAnchorDay);
  if (anchor === date && !startsDay) anchor = firstAnchor(addDays(date, 1), rule.billingAnchorDay);
  return { date, anchor, short: anchor !== date || !startsDay, at: () => at };
}

/** Period `j` (0 first) of a run. */
function periodIn(rule: Omit<PeriodRule, "startDate">, run: Run, j: number): Period {
  if (!Number.isSafeInteger(j) || j < 0)
    throw new RangeError(`the period number must be an integer ≥ 0: ${j}`);
  const dateOf = (i: number) =>
    run.short && i === 0
      ? run.date
      : anchorDate(run.anchor, rule.billingAnchorDay, rule.interval, run.short ? i - 1 : i);
  const startDate = dateOf(j);
  const endDate = dateOf(j + 1);
  return {
    start: (run.short && j === 0 ? run.at() : startOfLocalDay(startDate, rule.timeZone)).toISOString(),
    end: startOfLocalDay(endDate, rule.timeZone).toISOString(),
    startDate,
    endDate,
  };
}

/** Period `k` (0 is the first) of a subscription: local dates and the instants they begin. */
export function periodOf(rule: PeriodRule, k: number): Period {
  return periodIn(rule, runFromDate(rule), k);
}

/**
 * Period `j` (0 first) of the run of periods that resumed at instant `from` after a pause: the same
 * rule as `periodOf`, from that instant (a short period to the next anchor date first, unless `from`
 * is an anchor date's first instant).
 */
export function periodFrom(rule: Omit<PeriodRule, "startDate">, from: string, j: number): Period {
  return periodIn(rule, runFromInstant(rule, from), j);
}

/** A prorated first-period line: the amount and the ratio it was computed from, for the line's text. */
export interface Proration {
  /** Minor units: quantity × unitAmount × seconds.part ÷ seconds.full, rounded half away from zero. */
  amount: number;
  /** Seconds in [startDate, A(0)) and in [A(0) − interval, A(0)). */
  seconds: { part: number; full: number };
  /** The same spans in local calendar days, for people. */
  days: { part: number; full: number };
}

const daysBetween = (from: string, to: string): number => {
  const [fy, fm, fd] = parseDate(from);
  const [ty, tm, td] = parseDate(to);
  return (Date.UTC(ty, tm - 1, td) - Date.UTC(fy, fm - 1, fd)) / 86_400_000;
};

/**
 * Period 0's share of one line when period 0 is short, or `null` when it is a full period. Exact: the
 * quantity (≤ 4 decimals) and the seconds are integers, and the product is rounded once.
 */
export function prorateFirstPeriod(
  rule: PeriodRule,
  line: { quantity: number; unitAmount: number },
): Proration | null {
  return prorateRun(rule, runFromDate(rule), line);
}

/**
 * The same share of the first period of the run that resumed at instant `from` after a pause:
 * seconds in [from, A(0)) ÷ seconds in [A(0) − interval, A(0)); `null` when that period is full.
 */
export function prorateFrom(
  rule: Omit<PeriodRule, "startDate">,
  from: string,
  line: { quantity: number; unitAmount: number },
): Proration | null {
  return prorateRun(rule, runFromInstant(rule, from), line);
}

function prorateRun(
  rule: Omit<PeriodRule, "startDate">,
  run: Run,
  line: { quantity: number; unitAmount: number },
): Proration | null {
  if (!run.short) return null;
  return prorateToEnd(rule, run.anchor, run.at().toISOString(), line);
}

/** The words a prorated line carries, e.g. "prorated 12/31 days". */
export const prorationNote = (p: Proration): string => `prorated ${p.days.part}/${p.days.full} days`;

/**
 * The share of a period from instant `from` to its end (a subscription change's proration, issue 12
 * §2): quantity × unitAmount × seconds in [from, end) ÷ seconds in the full anchor period ending on
 * `endDate` — the same denominator as a short first period's — rounded once, half away from zero.
 * A credit uses it too (negated by the caller).
 */
export function prorateToEnd(
  rule: Omit<PeriodRule, "startDate">,
  endDate: string,
  from: string,
  line: { quantity: number; unitAmount: number },
): Proration {
  const quantity = toTenThousandths(line.quantity);
  if (quantity === undefined || quantity < 0n) throw new RangeError(`not a quantity: ${line.quantity}`);
  const fullStart = anchorDate(endDate, rule.billingAnchorDay, rule.interval, -1);
  const at = (d: string) => startOfLocalDay(d, rule.timeZone).getTime() / 1000;
  const end = at(endDate);
  const part = Math.max(0, end - Math.floor(Date.parse(from) / 1000));
  const seconds = { part, full: end - at(fullStart) };
  const amount = divRound(
    quantity * BigInt(line.unitAmount) * BigInt(seconds.part),
    DECIMAL_SCALE * BigInt(seconds.full),
  );
  return {
    amount: Number(amount),
    seconds,
    days: {
      part: daysBetween(localDate(new Date(from), rule.timeZone), endDate),
      full: daysBetween(fullStart, endDate),
    },
  };
}
