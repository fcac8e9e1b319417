/**
 * Calendar dates in a merchant's time zone: due dates, payout days and reminder times are local
 * calendar facts, so they are computed as `YYYY-MM-DD` dates in the merchant's IANA zone and turned
 * into instants only at the edges (start of a local day, a local time of day).
 */

/** The calendar date of `instant` in `timeZone`, as `YYYY-MM-DD`. */
export function localDate(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).formatToParts(instant);
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

/** The instant `date` begins in `timeZone`. */
export const startOfLocalDay = (date: string, timeZone: string): Date => localTime(date, 0, timeZone);
