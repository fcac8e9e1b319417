/** The clock port: everything that depends on "now" asks a clock, so tests and test clocks can move time. */
export interface Clock {
  now(): Date;
  /**
   * Set when this is a test clock's time (a customer bound to one): its timed work then waits in
   * the clock's due partition, run by the clock's advance, instead of going to a real scheduler.
   */
  readonly testClock?: { readonly id: string; readonly merchantId: string };
}

let localOffsetMs = 0;

/** Real time (plus, on a laptop, however far the local runtime has moved it on). */
export const systemClock: Clock = { now: () => new Date(Date.now() + localOffsetMs) };

/**
 * Local runtime only (`POST /_local/clock`): moves time on for everything in this process — the
 * scheduler and every handler alike — so timed work (reminders, payouts) can be seen without
 * waiting. Nothing in the cloud calls it.
 */
export function advanceLocalTime(ms: number): { offsetMs: number } {
  localOffsetMs += ms;
  return { offsetMs: localOffsetMs };
}

/** A clock that stands still until told to move. */
export function fixedClock(start: Date): Clock & { advance(ms: number): void; set(at: Date): void } {
  let at = start.getTime();
  return {
    now: () => new Date(at),
    advance: (ms) => {
      at += ms;
    },
    set: (d) => {
      at = d.getTime();
    },
  };
}
