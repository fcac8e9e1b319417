import { describe, expect, it } from "vitest";
import { isId, newId } from "../../shared/domain/ids.ts";

describe("ids", () => {
  it("are prefixed ULIDs that sort by creation time", () => {
    const a = newId("merchant", new Date("2026-01-01T00:00:00Z"));
    const b = newId("merchant", new Date("2026-01-01T00:00:01Z"));
    expect(isId("merchant", a)).toBe(true);
    expect(isId("customer", a)).toBe(false);
    expect(a < b).toBe(true);
  });
});
