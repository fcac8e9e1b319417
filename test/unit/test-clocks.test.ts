import { describe, expect, it } from "vitest";
import { advanced, clockAt, presentTestClock, type TestClock } from "../../shared/test-clocks/test-clock.ts";

const clock: TestClock = {
  id: "clk_01KQA0000000000000000000AA",
  frozenTime: "2030-01-01T00:00:00.000Z",
  status: "ready",
  customerCount: 3,
  createdAt: "2026-01-01T00:00:00.000Z",
};

describe("test clock rules", () => {
  it("a bound customer's clock stands at the frozen time, and names the clock its work waits on", () => {
    const bound = clockAt(clock, "mer_1");
    expect(bound.now().toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect(bound.testClock).toEqual({ id: clock.id, merchantId: "mer_1" });
  });

  it("sets out to advance to a later time: advancing, showing the target as its time", () => {
    const advancing = advanced(clock, "2030-01-01T00:00:00.001Z");
    expect(advancing).toEqual({
      ...clock,
      status: "advancing",
      advanceTo: "2030-01-01T00:00:00.001Z",
    });
    expect(presentTestClock(advancing)).toEqual({
      id: clock.id,
      frozenTime: "2030-01-01T00:00:00.001Z",
      status: "advancing",
      createdAt: clock.createdAt,
    });
  });

  it("may advance again after an internal failure (resuming the work that failed)", () => {
    const failed: TestClock = { ...clock, status: "internal_failure", advanceTo: "2030-06-01T00:00:00.000Z" };
    expect(advanced(failed, "2030-06-01T00:00:00.000Z")).toMatchObject({
      status: "advancing",
      frozenTime: clock.frozenTime,
      advanceTo: "2030-06-01T00:00:00.000Z",
    });
    expect(presentTestClock(failed).frozenTime).toBe(clock.frozenTime);
  });

  it.each(["2030-01-01T00:00:00.000Z", "2029-12-31T23:59:59.999Z"])(
    "refuses to move to %s (not later), naming frozenTime",
    (frozenTime) => {
      expect(() => advanced(clock, frozenTime)).toThrow(/frozenTime: must lie after/);
    },
  );

  it("refuses to advance a clock that is still advancing (a 409)", () => {
    expect(() => advanced({ ...clock, status: "advancing" }, "2031-01-01T00:00:00.000Z")).toThrow(
      expect.objectContaining({ name: "ConflictError" }),
    );
  });

  it("never shows its customer counter", () => {
    expect(presentTestClock(clock)).not.toHaveProperty("customerCount");
  });
});
