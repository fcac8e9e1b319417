/**
 * Calendar dates in a merchant's time zone: due dates, payout days and reminder times are local
 * calendar facts, so they are computed as `YYYY-MM-DD` dates in the merchant's IANA zone and turned
 * into instants only at the edges (start of a local day, a local time of day).
 */

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** Building a formatter costs far more than using one, and period math asks the same zone many times. */
function dateFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    dateFormats.set(timeZone, format);
  }
  return format;
}

/** The calendar date of `instant` in `timeZone`, as `YYYY-MM-DD`. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = dateFormat(timeZone).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** `date` plus `days` calendar days (negative to go back). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Milliseconds the zone is ahead of UTC at `instant`. */
function offsetMs(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant at which `date` reaches `hour`:00 local time in `timeZone` (DST-aware). */
export function localTime(date: string, hour: number, timeZone: string): Date {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hour);
  let guess = wall - offsetMs(new Date(wall), timeZone);
  // A second pass settles days on which the offset changes between the guess and the answer.
  guess = wall - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

/**
 * The first instant of `date` in `timeZone`: local midnight; where midnight does not exist (a DST gap at
 * midnight, as in America/Santiago) the day's first existing instant; for a day the zone skipped
 * entirely (Pacific/Apia's 2011-12-30) the next day's first instant.
 */
export function startOfLocalDay(date: string, timeZone: string): Date {
  const guess = localTime(date, 0, timeZone);
  const before = new Date(guess.getTime() - 1000);
  if (localDate(guess, timeZone) === date && localDate(before, timeZone) < date) return guess;
  // Midnight is missing: search the seconds around it (offsets lie within −12 h … +14 h, and zones
  // change offsets on whole seconds) for the first one whose local date is `date` or later.
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  let lo = Date.UTC(y, m - 1, d) / 1000 - 15 * 3600; // local date still before `date`
  let hi = lo + 54 * 3600; // local date already past `date`'s start
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDate(new Date(mid * 1000), timeZone) < date) lo = mid;
    else hi = mid;
  }
  return new Date(hi * 1000);
}

/**
 * The instant `days` calendar days after `instant` at the same local time of day in `timeZone`
 * (23 or 25 hours a day across a DST change; a wall time the change skips lands just after it).
 */
export function sameLocalTimeDaysLater(instant: Date, days: number, timeZone: string): Date {
  const wall = instant.getTime() + offsetMs(instant, timeZone) + days * 86_400_000;
  let guess = wall - offsetMs(new Date(wall), timeZone);
  guess = wall - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}
