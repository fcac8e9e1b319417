/**
 * What a subscription's next due instant does (`nextStep`), the one decision order of the billing
 * engine and of the upcoming invoice: a period renewed early starts, then cancel at period end, then the last cycle's end, then a pause,
 * then a trial's start, then a trial canceled for want of a method, else the period is billed.
 */
import { describe, expect, it } from "vitest";
import { nextStep, resumedFrom } from "../../shared/subscriptions/next-step.ts";
import type { StoredSubscription } from "../../shared/subscriptions/subscription.ts";
import { nextBilled } from "../../shared/subscriptions/upcoming.ts";
import { storedSubscription } from "../helpers/subscription-record.ts";

/** March 2026, UTC: period 0 billed, period 1 due on 1 April. */
const running = (over: Partial<StoredSubscription> = {}): StoredSubscription =>
  storedSubscription("cus_1", new Date("2026-03-01T00:00:00Z"), {
    currentPeriodStart: "2026-03-01T00:00:00.000Z",
    currentPeriodEnd: "2026-04-01T00:00:00.000Z",
    nextBillingAt: "2026-04-01T00:00:00.000Z",
    cyclesBilled: 1,
    nextPeriod: 1,
    ...over,
  });
const mayBill = { trialMayBill: true };

describe("what a subscription's next due instant does", () => {
  it("bills period nextPeriod of a running subscription", () => {
    expect(nextStep(running(), mayBill)).toEqual({ kind: "bill", period: 1, resuming: false });
  });

  it("moves one renewed early into its prepaid period, before a cancel at period end or its last cycle's end", () => {
    const prepaid = running({
      renewedEarly: { period: 1, invoiceId: "inv_1" },
      cyclesBilled: 2,
      billingCycles: 2,
      cancelAtPeriodEnd: true,
    });
    expect(nextStep(prepaid, mayBill)).toEqual({ kind: "start_prepaid", period: 1 });
    // The upcoming invoice is then the one after it: none, since it cancels at the prepaid period's end.
    expect(nextBilled(prepaid)).toEqual({ none: expect.stringContaining("cancels at the end of its period") });
    expect(nextBilled(running({ renewedEarly: { period: 1, invoiceId: "inv_1" }, cyclesBilled: 2 }))).toMatchObject({
      k: 2,
      at: "2026-05-01T00:00:00.000Z",
    });
  });

  it("cancels one set to cancel at the period's end, before its last cycle ends it or a pause", () => {
    const everything = running({
      cancelAtPeriodEnd: true,
      billingCycles: 1,
      pauseAt: "2026-04-01T00:00:00.000Z",
    });
    expect(nextStep(everything, mayBill)).toEqual({ kind: "cancel" });
  });

  it("ends one whose billingCycles are billed, before a pause begins", () => {
    const last = running({ billingCycles: 1, pauseAt: "2026-04-01T00:00:00.000Z" });
    expect(nextStep(last, mayBill)).toEqual({ kind: "end" });
    expect(nextStep(running({ billingCycles: 2 }), mayBill).kind).toBe("bill");
  });

  it("pauses at a requested pause, and resumes billing when it is due again while paused", () => {
    expect(nextStep(running({ pauseAt: "2026-04-01T00:00:00.000Z" }), mayBill)).toEqual({ kind: "pause" });
    const paused = running({ status: "paused", resumesAt: "2026-05-10T00:00:00.000Z" });
    expect(nextStep(paused, mayBill)).toEqual({ kind: "bill", period: 1, resuming: true });
  });

  it("starts a trial from a later start date at its start, and bills period 0 at its end", () => {
    const scheduled = storedSubscription("cus_1", new Date("2026-03-01T00:00:00Z"), {
      status: "scheduled",
      startDate: "2026-03-10",
      nextBillingAt: "2026-03-10T00:00:00.000Z",
      trialEnd: "2026-03-24T00:00:00.000Z",
    });
    expect(nextStep(scheduled, mayBill)).toEqual({
      kind: "start_trial",
      trialEnd: "2026-03-24T00:00:00.000Z",
    });
    const atTrialEnd = { ...scheduled, nextBillingAt: "2026-03-24T00:00:00.000Z" };
    expect(nextStep(atTrialEnd, mayBill)).toEqual({ kind: "bill", period: 0, resuming: false });
  });

  it("cancels a trial that may not bill at its end, unless something earlier decides first", () => {
    const trialing = storedSubscription("cus_1", new Date("2026-03-01T00:00:00Z"), {
      status: "trialing",
      nextBillingAt: "2026-03-15T00:00:00.000Z",
      trialStart: "2026-03-01T00:00:00.000Z",
      trialEnd: "2026-03-15T00:00:00.000Z",
    });
    expect(nextStep(trialing, { trialMayBill: false })).toEqual({ kind: "cancel_trial" });
    expect(nextStep(trialing, { trialMayBill: true })).toEqual({ kind: "bill", period: 0, resuming: false });
    expect(nextStep({ ...trialing, billingCycles: 0 }, { trialMayBill: false })).toEqual({ kind: "end" });
  });

  it("resumes a paused subscription's periods from the instant it resumes, numbered on", () => {
    const paused = running({ status: "paused", resumesAt: "2026-05-10T00:00:00.000Z" });
    expect(resumedFrom(paused, "2026-05-10T00:00:00.000Z")).toMatchObject({
      resumed: { at: "2026-05-10T00:00:00.000Z", period: 1 },
      resumesAt: null,
    });
  });
});

describe("the period the upcoming invoice previews", () => {
  it("is the one the next due instant bills, when it bills one", () => {
    expect(nextBilled(running())).toMatchObject({ k: 1, at: "2026-04-01T00:00:00.000Z" });
  });

  it("follows a pause to the instant it resumes by itself, and names none without one", () => {
    const pausing = running({ pauseAt: "2026-04-01T00:00:00.000Z", resumesAt: "2026-05-10T00:00:00.000Z" });
    const next = nextBilled(pausing);
    expect(next).toMatchObject({ k: 1, at: "2026-05-10T00:00:00.000Z" });
    expect("billed" in next && next.billed.resumed).toEqual({ at: "2026-05-10T00:00:00.000Z", period: 1 });
    expect(nextBilled(running({ status: "paused", nextBillingAt: null, resumesAt: null }))).toEqual({
      none: "The subscription is paused until resumed: no invoice is planned",
    });
  });

  it("is period 0 billed at a later-starting trial's end, not at its start (which bills nothing)", () => {
    const scheduled = storedSubscription("cus_1", new Date("2026-03-01T00:00:00Z"), {
      status: "scheduled",
      startDate: "2026-03-10",
      nextBillingAt: "2026-03-10T00:00:00.000Z",
      trialEnd: "2026-03-24T00:00:00.000Z",
    });
    expect(nextBilled(scheduled)).toMatchObject({ k: 0, at: "2026-03-24T00:00:00.000Z" });
  });

  it("names none when the next due instant cancels or ends it", () => {
    expect(nextBilled(running({ cancelAtPeriodEnd: true }))).toHaveProperty("none");
    expect(nextBilled(running({ billingCycles: 1 }))).toHaveProperty("none");
    expect(nextBilled(running({ status: "canceled" }))).toHaveProperty("none");
  });
});
