/**
 * One merchant's renewals due at one instant, billed in virtual time against a partition that
 * throttles above 1,000 WCU/s (test/helpers/scale-simulation.ts, docs/scale.md): the paced run at
 * full size (100,000, ~2 s of CPU); the stampede it replaces reduced (100,000 in `npm run soak`).
 */
import { describe, expect, it } from "vitest";
import { pacedFiring, renewalPace } from "../../shared/subscriptions/pace.ts";
import { formatDuration, renewalWrites, simulateBillingRun } from "../helpers/scale-simulation.ts";

const wcuPerRenewal = renewalWrites.reduce((sum, write) => sum + write.wcu, 0);

describe("formatDuration", () => {
  it("says hours, minutes and seconds, leaving out leading zeros", () => {
    expect([12_499.116, 367, 59.6, 0].map(formatDuration)).toEqual([
      "3 h 28 min 19 s",
      "6 min 7 s",
      "1 min 0 s",
      "0 s",
    ]);
  });
});

describe("pacedFiring", () => {
  it("fires the first `renewalPace` slots at the due instant, then `renewalPace` more each second", () => {
    const due = new Date("2027-01-01T00:00:00.000Z");
    expect(renewalPace * wcuPerRenewal).toBeLessThan(1_000);
    expect([1, 8, 9, 16, 17, 100_000].map((slot) => pacedFiring(due, slot).toISOString())).toEqual([
      "2027-01-01T00:00:00.000Z",
      "2027-01-01T00:00:00.000Z",
      "2027-01-01T00:00:01.000Z",
      "2027-01-01T00:00:01.000Z",
      "2027-01-01T00:00:02.000Z",
      "2027-01-01T03:28:19.000Z",
    ]);
  });
});

describe("billing one merchant's renewals against a throttling partition", () => {
  it("paced: every renewal billed exactly once, none redelivered, in renewals ÷ pace seconds", () => {
    const renewals = 100_000;
    const run = simulateBillingRun({
      renewals,
      paced: true,
      consumers: 1_000,
      backgroundWcuPerSecond: 150,
      duplicateRate: 0.01,
    });
    console.log(`paced, ${renewals} renewals: ${formatDuration(run.durationSeconds)}`, run);
    expect(run).toMatchObject({ billedOnce: renewals, lost: 0, doubled: 0, redelivered: 0, overRedrive: 0 });
    expect(run.durationSeconds).toBeGreaterThan(renewals / renewalPace - 1);
    expect(run.durationSeconds).toBeLessThan(renewals / renewalPace + 5);
    expect(run.meanWcuPerSecond).toBeLessThanOrEqual(850);
  });

  it("stampede (all fired at once): throttled and redelivered, still billed exactly once, and no sooner", () => {
    const renewals = 3_000;
    const run = simulateBillingRun({
      renewals,
      paced: false,
      consumers: 1_000,
      backgroundWcuPerSecond: 150,
      duplicateRate: 0.01,
    });
    console.log(`stampede, ${renewals} renewals: ${formatDuration(run.durationSeconds)}`, run);
    expect(run).toMatchObject({ billedOnce: renewals, lost: 0, doubled: 0 });
    expect(run.throttled).toBeGreaterThan(renewals);
    expect(run.redelivered).toBeGreaterThan(0);
    expect(run.meanWcuPerSecond).toBeLessThanOrEqual(850);
    // The partition's ceiling bounds it either way: a stampede cannot beat 850 WCU/s of renewals.
    expect(run.durationSeconds).toBeGreaterThan((renewals * wcuPerRenewal) / 850);
  });
});
