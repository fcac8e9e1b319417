/**
 * The stampede at full size: 100,000 renewals of one merchant all fired at the due instant against a
 * partition that throttles above 1,000 WCU/s — what the paced billing run (test/unit/scale-simulation.test.ts,
 * 100,000 in `npm test`) avoids. Still billed exactly once; the figures say what it costs.
 */
import { expect, it } from "vitest";
import { formatDuration, renewalWrites, simulateBillingRun } from "../helpers/scale-simulation.ts";

it("bills 100,000 renewals fired at once exactly once, far slower than the paced run", {
  timeout: 1_200_000,
}, () => {
  const renewals = 100_000;
  const run = simulateBillingRun({
    renewals,
    paced: false,
    consumers: 1_000,
    backgroundWcuPerSecond: 150,
    duplicateRate: 0.01,
  });
  console.log(`stampede, ${renewals} renewals: ${formatDuration(run.durationSeconds)}`, run);
  expect(run).toMatchObject({ billedOnce: renewals, lost: 0, doubled: 0 });
  const wcuPerRenewal = renewalWrites.reduce((sum, write) => sum + write.wcu, 0);
  expect(run.durationSeconds).toBeGreaterThan((renewals * wcuPerRenewal) / 850);
});
