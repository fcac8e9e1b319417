/**
 * What a subscription's next due instant (its `nextBillingAt`) does (pure): the one decision order
 * the billing engine's `step` acts on and the upcoming invoice's `nextBilled` reads, so the preview
 * never tells another story than the engine.
 *
 * In order: a period the buyer renewed early (already billed) starts, whatever else is planned for
 * after it; a subscription set to cancel at the period's end is canceled; one whose `billingCycles`
 * are billed ends; a pause requested begins; a trial from a later start date begins; a trial ending
 * without the method it was to be canceled without is canceled; else period `nextPeriod` is billed —
 * a trial's end bills the first period, and a paused subscription resumes at that instant.
 */
import type { Period } from "./periods.ts";
import type { StoredSubscription } from "./subscription.ts";

export type NextStep =
  /** Period `period` was billed early (`renewedEarly`): the subscription moves into it, billing nothing. */
  | { kind: "start_prepaid"; period: number }
  | { kind: "cancel" }
  | { kind: "end" }
  | { kind: "pause" }
  | {
      kind: "start_trial";
      /** When the trial ends, due again to bill period 0. */
      trialEnd: string;
    }
  | { kind: "cancel_trial" }
  | {
      kind: "bill";
      /** The period billed (`nextPeriod`). */
      period: number;
      /** A paused subscription: the periods from here on run from the instant it resumes (`resumedFrom`). */
      resuming: boolean;
    };

/** What the decision needs beyond the record (the engine asks the store). */
export interface StepFacts {
  /** Whether a trialing subscription's trial end may bill (it has a method, or need not have one). */
  trialMayBill: boolean;
}

/** What the subscription's next due instant does, as it is stored now (non-terminal). */
export function nextStep(subscription: StoredSubscription, facts: StepFacts): NextStep {
  const { status, nextBillingAt: due, trialEnd } = subscription;
  if (subscription.renewedEarly?.period === subscription.nextPeriod)
    return { kind: "start_prepaid", period: subscription.nextPeriod };
  if (subscription.cancelAtPeriodEnd) return { kind: "cancel" };
  if (subscription.billingCycles !== null && subscription.cyclesBilled >= subscription.billingCycles) {
    return { kind: "end" };
  }
  if (subscription.pauseAt && status !== "paused") return { kind: "pause" };
  if (status === "scheduled" && trialEnd && due && due < trialEnd) return { kind: "start_trial", trialEnd };
  if (status === "trialing" && !facts.trialMayBill) return { kind: "cancel_trial" };
  return { kind: "bill", period: subscription.nextPeriod, resuming: status === "paused" };
}

/** A paused subscription resuming at instant `at`: its periods run from there, numbered on from `nextPeriod`. */
export const resumedFrom = (subscription: StoredSubscription, at: string): StoredSubscription => ({
  ...subscription,
  resumed: { at, period: subscription.nextPeriod },
  resumesAt: null,
});

/**
 * A subscription moved into period `k` it renewed early: current from its start, due again at its end
 * (the next period's billing), as if it had been billed at that instant.
 */
export function prepaidStarted(subscription: StoredSubscription, period: Period): StoredSubscription {
  const { renewedEarly: _, ...rest } = subscription;
  return {
    ...rest,
    nextPeriod: subscription.nextPeriod + 1,
    currentPeriodStart: period.start,
    currentPeriodEnd: period.end,
    nextBillingAt: period.end,
  };
}
