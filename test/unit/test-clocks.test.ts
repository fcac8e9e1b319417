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
  it("a bound customer's clock stands at the frozen time", () => {
    expect(clockAt(clock).now().toISOString()).toBe("2030-01-01T00:00:00.000Z");
  });

  it("advances to a later time and is ready again", () => {
    expect(advanced(clock, "2030-01-01T00:00:00.001Z")).toEqual({
      ...clock,
      frozenTime: "2030-01-01T00:00:00.001Z",
      status: "ready",
    });
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
