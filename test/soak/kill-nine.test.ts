/**
 * `kill -9` of the local runtime in the middle of a billing run (`npm run soak`: two cold boots of
 * `npm start` take too long for `npm test`, where the fault it found has its regression test,
 * subscription-billing.test.ts): one merchant's subscriptions due at one instant, the runtime's
 * process group killed once some are billed, restarted on the same data folder, its sweep run.
 * `KASSA_KILL_SUBSCRIPTIONS` sets how many (default 40).
 */
import { describe, expect, it } from "vitest";
import { describeCounts } from "../helpers/faults.ts";
import { billingRunKilled } from "../helpers/kill-run.ts";

const subscriptions = Number(process.env.KASSA_KILL_SUBSCRIPTIONS ?? 40);

describe("kill -9 in the middle of a billing run, at scale", () => {
  it(`bills each of ${subscriptions} periods exactly once, charges each invoice once, loses nothing`, async () => {
    const { counts, atKill, problems, caughtInFlight } = await billingRunKilled(subscriptions, 300_000);

    console.info(
      describeCounts(
        `Soak: kill -9 (${subscriptions} subscriptions; at the kill ${atKill.billed} billed, ${atKill.paid} paid; ${caughtInFlight} charge(s) caught in flight, settled by their check)`,
        counts,
      ),
    );
    expect(atKill.paid).toBeLessThan(subscriptions);
    expect(problems).toEqual([]);
    expect(counts).toMatchObject({ lost: 0, doubled: 0 });
  }, 900_000);
});
