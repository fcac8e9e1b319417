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

/** The clock a bound customer's work runs on: it stands at the test clock's frozen time. */
export const clockAt = (testClock: Pick<TestClock, "frozenTime">): Clock => ({
  now: () => new Date(testClock.frozenTime),
});

/**
 * The clock moved to `frozenTime`. Forward only (the past already happened for its customers), and
 * never while an earlier advance is still running its due work.
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
  // Until the subscription engine exists there is no due work to run, so the clock is ready at once.
  return { ...testClock, frozenTime, status: "ready" };
}

/** The clock as the API shows it: without the internal customer counter. */
export function presentTestClock({ customerCount: _, ...testClock }: TestClock) {
  return testClock;
}
