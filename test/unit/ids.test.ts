import { describe, expect, it } from "vitest";
import { encodeTime } from "ulid";
import { idRange, isId, newId } from "../../shared/domain/ids.ts";

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

describe("id ranges of creation times", () => {
  // Found by the fuzz suite: `GET /v1/customers?createdAfter=0239-12-31T21:03:35Z` answered 500.
  it("count a time before 1970 as 1970 (a ULID cannot hold it)", () => {
    const before1970 = new Date("0239-12-31T21:03:35Z");
    expect(idRange("customer", before1970, before1970)).toEqual({
      lower: `cus_${encodeTime(0, 10)}`,
      upper: `cus_${encodeTime(0, 10)}~`,
    });
  });

  // Found by the fuzz suite: `GET /v1/test-clocks?createdAfter=7200-…&createdBefore=1372-…` answered 500.
  it("hold nothing when they end before they start (DynamoDB refuses a reversed BETWEEN)", () => {
    const { lower, upper } = idRange("customer", new Date("2026-06-01T00:00:00Z"), new Date("2026-01-01T00:00:00Z"));
    expect(lower <= upper).toBe(true);
    for (const at of ["2025-12-31T23:59:59Z", "2026-01-01T00:00:00Z", "2026-03-01T00:00:00Z", "2026-06-01T00:00:00Z"]) {
      const id = newId("customer", new Date(at));
      expect(lower <= id && id <= upper, at).toBe(false);
    }
  });
});
