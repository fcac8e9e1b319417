/**
 * Renewal reminders (issue 12 §5). When a period is billed, the run plans one one-time schedule for
 * the next renewal (the next period's start): 09:00 in the subscription's zone (the merchant's, its
 * periods' calendar), `daysBefore` days before the renewal's local date (the merchant's
 * `renewalReminders`), named by subscription and period, so planning it twice is harmless.
 *
 * When it fires and the subscription still renews then — not ended, canceled or paused, not set to
 * cancel at period end, not in its final cycle, the same period still due at the same instant — the
 * `subscription.renewal_upcoming` event is written with what the renewal's invoice will charge (the
 * period's invoice, priced as billing will price it) for every subscription, at most once per
 * renewal (a marker item in the event's transaction). Its notification emails the buyer for the
 * intervals the setting names.
 */
import * as z from "zod";
import type { OneTimeSchedule } from "../aws/scheduler.ts";
import { addDays, localTime } from "../domain/calendar.ts";
import { retryOnConflict } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { priceContent } from "../invoices/build.ts";
import { renewalRemindersOf } from "../merchants/merchant.ts";
import type { RenewalNoticeStore } from "../store/renewal-notices.ts";
import { timerQueue } from "../timers/registry.ts";
import type { BillingPorts } from "./billing.ts";
import { periodInvoice, periodRule } from "./period-invoice.ts";
import { periodOf } from "./periods.ts";
import {
  presentSubscription,
  type StoredSubscription,
  terminalSubscriptionStatuses,
} from "./subscription.ts";
import { lazy } from "../lazy.ts";

/** What a renewal reminder's schedule delivers. */
export const renewalUpcomingMessage = lazy(() =>
  z.object({
    kind: z.literal("subscription.renewal_upcoming"),
    merchantId: z.string(),
    subscriptionId: z.string(),
    /** The period the renewal starts. */
    period: z.number().int().min(1),
    /** Its start, as planned: a subscription whose `nextBillingAt` moved since renews another time. */
    renewsAt: z.string(),
    /** The customer's test clock: the work runs on its time (absent: the wall clock). */
    testClockId: z.string().optional(),
  }),
);

export type RenewalUpcomingMessage = z.input<ReturnType<typeof renewalUpcomingMessage>>;

export const renewalScheduleName = (subscriptionId: string, period: number) =>
  `${subscriptionId}-renewal-${period}`;

/** The reminder's one-time schedule, named by subscription and period: planning it twice is harmless. */
export const renewalReminderSchedule = (message: RenewalUpcomingMessage, at: Date): OneTimeSchedule => ({
  name: renewalScheduleName(message.subscriptionId, message.period),
  at,
  queue: timerQueue,
  payload: message,
});

export type RenewalPorts = Pick<BillingPorts, "subscriptions" | "invoices" | "scheduler"> & {
  renewalNotices: RenewalNoticeStore;
};

/** Whether the subscription, as it stands, renews into `period` at `renewsAt`. */
export function renewsInto(subscription: StoredSubscription, period: number, renewsAt: string): boolean {
  return (
    !terminalSubscriptionStatuses.includes(subscription.status) &&
    subscription.status !== "paused" &&
    !subscription.cancelAtPeriodEnd &&
    // Renewed early: the buyer paid it already; there is nothing to remind of.
    subscription.renewedEarly?.period !== period &&
    (subscription.billingCycles === null || subscription.cyclesBilled < subscription.billingCycles) &&
    subscription.nextPeriod === period &&
    subscription.nextBillingAt === renewsAt
  );
}

/**
 * When the buyer hears of the renewal into period `period`: 09:00 local, `daysBefore` days before its
 * local date; none when that is not inside the period the renewal ends (`daysBefore` not shorter than
 * the interval, or than a short first period).
 */
export function renewalReminderAt(
  subscription: StoredSubscription,
  period: number,
  daysBefore: number,
): Date | undefined {
  const ending = periodOf(periodRule(subscription), period - 1);
  const day = addDays(ending.endDate, -daysBefore);
  return day > ending.startDate ? localTime(day, 9, subscription.timeZone) : undefined;
}

/**
 * Plans the reminder of the subscription's next renewal, if it has one and the reminder lies ahead
 * (the billing run's hook, after it billed a period).
 */
export async function planRenewalReminder(
  ports: Pick<BillingPorts, "invoices" | "scheduler">,
  merchantId: string,
  subscription: StoredSubscription,
  now: Date,
): Promise<void> {
  const period = subscription.nextPeriod;
  const renewsAt = subscription.nextBillingAt;
  if (period < 1 || !renewsAt || !renewsInto(subscription, period, renewsAt)) return;
  const merchant = await ports.invoices.merchants.readMerchant(merchantId);
  if (!merchant) return;
  const at = renewalReminderAt(subscription, period, renewalRemindersOf(merchant.value).daysBefore);
  if (!at || at.getTime() <= now.getTime()) return;
  const message: RenewalUpcomingMessage = {
    kind: "subscription.renewal_upcoming",
    merchantId,
    subscriptionId: subscription.id,
    period,
    renewsAt,
    ...(subscription.testClockId ? { testClockId: subscription.testClockId } : {}),
  };
  await ports.scheduler.scheduleOnce(renewalReminderSchedule(message, at));
}

/**
 * A reminder fired: the renewal's event, once, if the subscription still renews as planned. Read,
 * decided and written against the subscription's version: a change in between (a cancel at period
 * end, say) makes it decide again on the new state.
 */
export async function announceRenewal(ports: RenewalPorts, message: RenewalUpcomingMessage): Promise<void> {
  const { merchantId, subscriptionId, period } = message;
  await retryOnConflict(5, async () => {
    const found = await ports.subscriptions.read(merchantId, subscriptionId);
    if (!found || !renewsInto(found.value, period, message.renewsAt)) return;
    const subscription = found.value;
    const now = (await ports.invoices.customerClock(merchantId, subscription.customerId)).now();
    const invoice = periodInvoice(subscription, period);
    const { content } = await priceContent(ports.invoices.catalog, merchantId, invoice.request, now);
    const event = newEvent("subscription.renewal_upcoming", merchantId, subscriptionId, now, {
      subscription: presentSubscription(subscription),
      renewal: {
        period,
        periodStart: invoice.period.start,
        periodEnd: invoice.period.end,
        currency: content.currency,
        subtotal: content.subtotal,
        discountTotal: content.discountTotal,
        taxTotal: content.taxTotal,
        total: content.total,
      },
    });
    await ports.renewalNotices.record(merchantId, subscriptionId, found.version, period, event);
  });
}
