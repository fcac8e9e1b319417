/**
 * The trial's reminder (issue 12 §4): `subscription.trial_will_end` (and the buyer's email) three
 * days before a trial ends, once. A one-time schedule on the subscription's clock plans it (a test
 * clock's advance runs it); a trial shorter than that is reminded at once. "Once" is the record's:
 * the event is written with `trialReminded` in one conditional write, so a schedule firing twice or a
 * redelivery finds it reminded.
 */
import type { OneTimeSchedule } from "../aws/scheduler.ts";
import { retryOnConflict } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { timerQueue } from "../timers/registry.ts";
import type { BillingPorts } from "./billing.ts";
import { nowOf } from "./billing.ts";
import { presentSubscription, type StoredSubscription } from "./subscription.ts";

/** How long before a trial's end its buyer is told. */
export const trialReminderMs = 3 * 86_400_000;

/** What the reminder's one-time schedule delivers (read by `trialWillEndMessage`, timers.ts). */
export interface TrialWillEndMessage {
  kind: "subscription.trial_will_end";
  merchantId: string;
  subscriptionId: string;
  testClockId?: string;
}

/** Three days before the trial's end, named by the subscription (it has one trial). */
export const trialReminderSchedule = (message: TrialWillEndMessage, at: Date): OneTimeSchedule => ({
  name: `${message.subscriptionId}-trial-will-end`,
  at,
  queue: timerQueue,
  payload: message as unknown as Record<string, unknown>,
});

const needsReminder = (subscription: StoredSubscription) =>
  subscription.status === "trialing" && !!subscription.trialEnd && !subscription.trialReminded;

/** Plans the reminder of a trialing subscription (named by it: planning twice is harmless), or reminds now. */
export async function planTrialReminder(
  ports: BillingPorts,
  merchantId: string,
  subscription: StoredSubscription,
  now: Date,
): Promise<void> {
  if (!needsReminder(subscription) || !subscription.trialEnd) return;
  const at = Date.parse(subscription.trialEnd) - trialReminderMs;
  if (at <= now.getTime()) {
    await remindTrialEnd(ports, merchantId, subscription.id);
    return;
  }
  const schedule = trialReminderSchedule(
    {
      kind: "subscription.trial_will_end",
      merchantId,
      subscriptionId: subscription.id,
      ...(subscription.testClockId ? { testClockId: subscription.testClockId } : {}),
    },
    new Date(at),
  );
  await ports.scheduler.scheduleOnce(schedule);
}

/** Writes `subscription.trial_will_end` once, while the subscription is still trialing. */
export async function remindTrialEnd(
  ports: BillingPorts,
  merchantId: string,
  subscriptionId: string,
): Promise<void> {
  await retryOnConflict(5, async () => {
    const found = await ports.subscriptions.read(merchantId, subscriptionId);
    if (!found || !needsReminder(found.value)) return;
    const now = await nowOf(ports, merchantId, found.value);
    const next: StoredSubscription = { ...found.value, trialReminded: true, updatedAt: now.toISOString() };
    await ports.subscriptions.replace(
      merchantId,
      next,
      found.version,
      newEvent("subscription.trial_will_end", merchantId, subscriptionId, now, {
        subscription: presentSubscription(next),
      }),
    );
  });
}
