import { describe, expect, it } from "vitest";
import { encodeTime } from "ulid";
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

describe("ids across clocks", () => {
  it("carry their own creation time even after an id made at a later time (a test clock's)", () => {
    const wall = new Date("2026-11-30T10:00:00Z");
    newId("subscription", new Date("2030-01-01T00:00:00Z"));

    const id = newId("subscription", wall);

    // The id's time is its key: a list's createdAfter/createdBefore window is a range of ids.
    expect(id.slice("sub_".length, "sub_".length + 10)).toBe(encodeTime(wall.getTime(), 10));
  });

  it("still sort in creation order within one millisecond", () => {
    const at = new Date("2026-11-30T10:00:00Z");
    const ids = Array.from({ length: 50 }, () => newId("invoice", at));
    expect([...ids].sort()).toEqual(ids);
  });
});
