import { beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../shared/domain/clock.ts";
import { once, onceRecorded } from "../../shared/store/processed.ts";
import { useTestAws } from "../helpers/aws.ts";

describe("once: exactly-once effects for at-least-once consumers", () => {
  beforeAll(async () => {
    await useTestAws([]);
  });

  it("runs the effect once however many deliveries race for the same key", async () => {
    const clock = fixedClock(new Date("2026-11-28T10:00:00Z"));
    let effects = 0;
    const results = await Promise.all(
      Array.from({ length: 20 }, () =>
        once({ consumer: "test", key: "evt_race", clock, claimSeconds: 30 }, async () => {
          effects++;
        }),
      ),
    );
    expect(effects).toBe(1);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("lets a later delivery retry when the effect failed", async () => {
    const clock = fixedClock(new Date("2026-11-28T10:00:00Z"));
    const options = { consumer: "test", key: "evt_retry", clock, claimSeconds: 30 };
    await expect(once(options, async () => Promise.reject(new Error("SES down")))).rejects.toThrow("SES down");
    let ran = false;
    const ranAgain = await once(options, async () => {
      ran = true;
    });
    expect(ranAgain).toBe(true);
    expect(ran).toBe(true);
    expect(await once(options, async () => {})).toBe(false);
  });

  it("takes over a claim whose holder vanished once the claim has expired", async () => {
    const clock = fixedClock(new Date("2026-11-28T10:00:00Z"));
    const options = { consumer: "test", key: "evt_crash", clock, claimSeconds: 30 };
    // A holder that never finishes: its claim stays in place.
    void once(options, () => new Promise<void>(() => {}));
    await new Promise((r) => setTimeout(r, 200));
    expect(await once(options, async () => {})).toBe(false);
    clock.advance(31_000);
    expect(await once(options, async () => {})).toBe(true);
  });

  it("tells a key another delivery still holds from a done one, and keeps what the effect returned", async () => {
    const clock = fixedClock(new Date("2026-11-28T10:00:00Z"));
    const options = { consumer: "test", key: "evt_held", clock, claimSeconds: 30 };
    let finish = () => {};
    const holder = onceRecorded(
      options,
      () =>
        new Promise<string>((resolve) => {
          finish = () => resolve("ses-message-1");
        }),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(await onceRecorded(options, async () => "ses-message-2")).toEqual({ status: "held" });
    finish();
    expect(await holder).toEqual({ status: "ran", result: "ses-message-1" });
    expect(await onceRecorded(options, async () => "ses-message-3")).toEqual({
      status: "done",
      result: "ses-message-1",
    });
  });
});
