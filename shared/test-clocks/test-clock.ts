/**
 * Test clocks (sandbox only): a frozen instant that customers bound to the clock live at instead of
 * the wall clock, moved only forward by `advance`. Pure rules; the store and use cases sit beside.
 */
import type { Clock } from "../domain/clock.ts";
import { StateConflictError, ValidationError } from "../domain/errors.ts";

export type TestClockStatus = "ready" | "advancing" | "internal_failure";

export interface TestClock {
  id: string;
  name?: string;
  /** The clock's time (ISO instant): what `now` is for every customer bound to it. */
  frozenTime: string;
  status: TestClockStatus;
  /**
   * Where the running (or failed) advance is going: `frozenTime` moves towards it one due item at a
   * time, so a customer's work always runs at the time it was due (see advance.ts).
   */
  advanceTo?: string;
  /** Customers bound to the clock, kept by the customers' own writes (a conditional counter). */
  customerCount?: number;
  createdAt: string;
}

export interface NewTestClock {
  frozenTime: string;
  name?: string;
}

/** Stripe allows 3; a clock here moves the whole system for its customers, so a small test suite fits. */
export const maxCustomersPerClock = 100;

/**
 * The clock a bound customer's work runs on: it stands at the test clock's frozen time, and names
 * the clock so the work it plans is kept for the clock's advance (`schedulerFor` in composition.ts).
 */
export const clockAt = (testClock: Pick<TestClock, "id" | "frozenTime">, merchantId: string): Clock => ({
  now: () => new Date(testClock.frozenTime),
  testClock: { id: testClock.id, merchantId },
});

/**
 * The clock set to advance to `frozenTime`: its due work then runs asynchronously, in time order, and
 * the clock is `ready` at `frozenTime` once all of it ran. Forward only (the past already happened
 * for its customers), and never while an earlier advance is still running; after an
 * `internal_failure` it may be advanced again, which resumes at the work that failed.
 */
export function advanced(testClock: TestClock, frozenTime: string): TestClock {
  if (testClock.status === "advancing") {
    throw new StateConflictError("The test clock is still advancing; wait until its status is ready");
  }
  if (new Date(frozenTime).getTime() <= new Date(testClock.frozenTime).getTime()) {
    throw new ValidationError([
      { path: "frozenTime", message: `must lie after the clock's current time ${testClock.frozenTime}` },
    ]);
  }
  return { ...testClock, status: "advancing", advanceTo: frozenTime };
}

/**
 * The clock as the API shows it: as Stripe does, an advancing clock already shows the time it
 * advances to (its customers live at the time the advance reached); no internal counter.
 */
export function presentTestClock({ customerCount: _, advanceTo, ...testClock }: TestClock) {
  return advanceTo && testClock.status === "advancing" ? { ...testClock, frozenTime: advanceTo } : testClock;
}
