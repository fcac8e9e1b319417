import { describe, expect, it } from "vitest";
import { ConflictError, retryOnConflict, StateConflictError } from "../../shared/domain/errors.ts";

describe("retryOnConflict", () => {
  it("re-runs after a lost race, but not after a state conflict or another error, and gives up after N runs", async () => {
    let runs = 0;
    expect(
      await retryOnConflict(5, async () => {
        runs++;
        if (runs < 3) throw new ConflictError("lost the race");
        return "done";
      }),
    ).toBe("done");
    expect(runs).toBe(3);

    runs = 0;
    await expect(
      retryOnConflict(5, async () => {
        runs++;
        throw new StateConflictError("Cannot finalize an invoice whose status is open");
      }),
    ).rejects.toThrow(/status is open/);
    expect(runs).toBe(1);

    runs = 0;
    await expect(
      retryOnConflict(4, async () => {
        runs++;
        throw new ConflictError("always");
      }),
    ).rejects.toThrow("always");
    expect(runs).toBe(4);

    runs = 0;
    await expect(
      retryOnConflict(4, async () => {
        runs++;
        throw new Error("network");
      }),
    ).rejects.toThrow("network");
    expect(runs).toBe(1);
  });
});
