import { describe, expect, it } from "vitest";
import { median, percentile, ratio, round } from "../../bench/stats.ts";

describe("bench stats", () => {
  it("takes the middle value of an odd count, whatever the order", () => {
    expect(median([5])).toBe(5);
    expect(median([9, 1, 5])).toBe(5);
    expect(median([3, 1, 4, 1, 5])).toBe(3);
  });

  it("averages the two middle values of an even count", () => {
    expect(median([1, 2])).toBe(1.5);
    expect(median([10, 4, 2, 8])).toBe(6);
  });

  it("does not reorder its input", () => {
    const sample = [3, 1, 2];
    median(sample);
    expect(sample).toEqual([3, 1, 2]);
  });

  it("refuses an empty sample", () => {
    expect(() => median([])).toThrow();
  });

  it("takes the nearest-rank percentile, a value of the sample", () => {
    const sample = Array.from({ length: 20 }, (_, i) => 20 - i);
    expect(percentile(sample, 50)).toBe(10);
    expect(percentile(sample, 95)).toBe(19);
    expect(percentile(sample, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(() => percentile([], 50)).toThrow();
  });

  it("divides by the baseline, NaN when there is none", () => {
    expect(ratio(30, 3)).toBe(10);
    expect(ratio(3, 3)).toBe(1);
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
  });

  it("rounds to the given decimals", () => {
    expect(round(16.9149, 2)).toBe(16.91);
    expect(round(1.05, 1)).toBe(1.1);
  });
});
