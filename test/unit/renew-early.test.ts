/**
 * Whether a subscription may renew early (`earlyRenewal`, pure): only a running one whose next period
 * is still ahead and would be billed — every other case says why, in the buyer's words — and one
 * already renewed for its next period names that period's invoice.
 */
import { describe, expect, it } from "vitest";
import { earlyRenewal } from "../../shared/subscriptions/renew-early.ts";
import type { StoredSubscription } from "../../shared/subscriptions/subscription.ts";
import { storedSubscription } from "../helpers/subscription-record.ts";

/** March 2026, UTC: period 0 billed, period 1 due on 1 April. */
const running = (over: Partial<StoredSubscription> = {}): StoredSubscription =>
  storedSubscription("cus_1", new Date("2026-03-01T00:00:00Z"), {
    status: "active",
    currentPeriodStart: "2026-03-01T00:00:00.000Z",
    currentPeriodEnd: "2026-04-01T00:00:00.000Z",
    nextBillingAt: "2026-04-01T00:00:00.000Z",
    cyclesBilled: 1,
    nextPeriod: 1,
    ...over,
  });
const now = new Date("2026-03-20T12:00:00Z");

describe("renewing early", () => {
  it("offers the next period of an active subscription whose renewal is ahead", () => {
    expect(earlyRenewal(running(), now)).toEqual({ period: 1 });
  });

  it("names the invoice of a period already renewed early", () => {
    expect(earlyRenewal(running({ renewedEarly: { period: 1, invoiceId: "inv_1" } }), now)).toEqual({
      renewed: "inv_1",
    });
  });

  it.each([
    ["canceled", { status: "canceled" }, "is canceled"],
    ["ended", { status: "ended" }, "has ended"],
    ["incomplete", { status: "incomplete" }, "first payment is not complete"],
    ["trialing", { status: "trialing" }, "free trial"],
    ["paused", { status: "paused" }, "is paused"],
    ["past_due", { status: "past_due" }, "unpaid invoice"],
    ["scheduled", { status: "scheduled" }, "has not started"],
    ["canceling at period end", { cancelAtPeriodEnd: true }, "cancels at the end of its period"],
    ["its cycles billed", { billingCycles: 1 }, "billed all its periods"],
    ["pausing", { pauseAt: "2026-04-01T00:00:00.000Z" }, "pauses at the end"],
    ["due already", { nextBillingAt: "2026-03-20T12:00:00.000Z" }, "renews now"],
  ] as const)("refuses one %s, saying why", (_name, over, says) => {
    const offer = earlyRenewal(running(over as Partial<StoredSubscription>), now);
    expect(offer).toEqual({ refused: expect.stringContaining(says) });
  });
});
