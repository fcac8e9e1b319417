import { describe, expect, it } from "vitest";
import { atExpression } from "../../shared/aws/scheduler.ts";

describe("schedule expressions", () => {
  it("formats one-time schedules as EventBridge at() expressions in UTC", () => {
    expect(atExpression(new Date("2026-12-08T08:00:00.123Z"))).toBe("at(2026-12-08T08:00:00)");
  });
});
