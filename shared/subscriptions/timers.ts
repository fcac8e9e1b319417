/**
 * The subscriptions' timed work on the billing queue: a period's firing bills what is due
 * (`subscription.bill`, from its one-time schedule, the sweep or a test clock's advance); the sweep
 * (`subscription.sweep`, every 15 minutes) finds on the wall clock's sparse due index what a missed
 * schedule left and sends one `subscription.bill` per due subscription — it reads only what is due;
 * a first invoice left unpaid expires its subscription after 23 h; a renewal's reminder announces it
 * (`subscription.renewal_upcoming`, renewals.ts); a trial's buyer is reminded three days before its
 * end (trials.ts); a failed renewal's retries fire (`invoice.payment_retry`, dunning.ts), and a new
 * default card retries at once; and the invoice and payment events move a subscription with its
 * latest invoice (paid → active; a failed charge → past_due/incomplete).
 */
import * as z from "zod";
import type { QueuePort } from "../aws/queue.ts";
import type { Clock } from "../domain/clock.ts";
import { eventMessage } from "../outbox/message.ts";
import type { DueSubscription, SubscriptionStore } from "../store/subscriptions.ts";
import { wallShards } from "../store/keys.ts";
import { type TimerRegistrations, timerQueue, work } from "../timers/registry.ts";
import { type BillingPorts, billDue, expireIncomplete, onChargeFailed, onInvoicePaid } from "./billing.ts";
import { pacedFiring, sweepQuota } from "./pace.ts";
import { announceRenewal, type RenewalPorts, renewalUpcomingMessage } from "./renewals.ts";
import {
  cancelRetries,
  invoicePaymentFailedEvent,
  paymentRetryMessage,
  retryForNewCard,
  retryPayment,
} from "./dunning.ts";
import { type SubscriptionBillMessage, subscriptionBillMessage } from "./schedules.ts";
import { remindTrialEnd } from "./trials.ts";
import { lazy } from "../lazy.ts";

/** What the manifest's `rate(15 minutes)` schedule delivers. */
export const subscriptionSweepMessage = lazy(() => z.object({ kind: z.literal("subscription.sweep") }));

/** What the one-time schedule planned when a first invoice's charge fails delivers (`onChargeFailed`). */
export const incompleteExpiryMessage = lazy(() =>
  z.object({
    kind: z.literal("subscription.incomplete_expiry"),
    merchantId: z.string(),
    subscriptionId: z.string(),
    invoiceId: z.string(),
    testClockId: z.string().optional(),
  }),
);

/** What a trial's reminder schedule delivers (`planTrialReminder`). */
export const trialWillEndMessage = lazy(() =>
  z.object({
    kind: z.literal("subscription.trial_will_end"),
    merchantId: z.string(),
    subscriptionId: z.string(),
    testClockId: z.string().optional(),
  }),
);

const invoicePaidEvent = lazy(() =>
  eventMessage().extend({
    data: z.object({ invoice: z.object({ id: z.string(), subscriptionId: z.string().optional() }) }),
  }),
);

/** A customer's default method may have changed: PATCH of the customer, or a card saved as the default. */
const customerUpdatedEvent = lazy(() =>
  eventMessage().extend({
    data: z.object({ customer: z.object({ id: z.string() }) }),
  }),
);
const paymentMethodAttachedEvent = lazy(() =>
  eventMessage().extend({ data: z.object({ customerId: z.string() }) }),
);
/** A subscription's default method may have changed (PATCH). */
const subscriptionUpdatedEvent = lazy(() =>
  eventMessage().extend({
    data: z.object({ subscription: z.object({ customerId: z.string() }) }),
  }),
);

/** How long after a paced run's last ticket fires its schedules count as late (Scheduler delivers within seconds). */
const runGraceMs = 60_000;

/** One query page of the due index: the sweep's messages go out a page at a time. */
const sweepPage = 100;

export interface SubscriptionTimerPorts {
  /** The engine's ports, built on first use (most messages on the billing queue are not a subscription's). */
  billing: () => BillingPorts;
  /** The renewal reminders' ports (the engine's and the notices' store), built on first use. */
  renewals: () => RenewalPorts;
  subscriptions: Pick<SubscriptionStore, "due" | "billingSlotsTaken" | "uncollected">;
  queue: QueuePort;
  clock: Clock;
}

/**
 * Sends one `subscription.bill` per wall-clock subscription due now, shard by shard of the due index:
 * O(due), whatever the number of subscriptions. A test clock's partition is never read here.
 *
 * It is the safety net of the paced runs (pace.ts), not a second run beside them: a subscription
 * due at an instant whose merchant's run is still firing (its last ticket's time, plus a minute) is
 * left to its schedule — one read of the run's ticket count per merchant and instant —, and of what
 * was missed it sends at most `quota` of one merchant's per run (the pace over the sweep's interval);
 * the rest stay due for the next run rather than stampede the merchant's partition. It also sends
 * each period billed but left uncollected past its grace (`collectGraceMs`): a run that died after
 * billing it, whose message died with it.
 */
export async function sweepDue(
  ports: Pick<SubscriptionTimerPorts, "subscriptions" | "queue" | "clock">,
  quota = sweepQuota,
): Promise<number> {
  const now = ports.clock.now();
  const until = now.toISOString();
  const runs = new Map<string, Promise<boolean>>();
  const stillFiring = (merchantId: string, instant: string) => {
    const key = `${merchantId}#${instant}`;
    let firing = runs.get(key);
    if (!firing) {
      firing = ports.subscriptions
        .billingSlotsTaken(merchantId, instant)
        .then((taken) => pacedFiring(new Date(instant), taken).getTime() + runGraceMs > now.getTime());
      runs.set(key, firing);
    }
    return firing;
  };
  const perMerchant = new Map<string, number>();
  const missed = async (items: readonly DueSubscription[]) => {
    const firing = await Promise.all(
      items.map(({ merchantId, subscription }) =>
        subscription.value.nextBillingAt
          ? stillFiring(merchantId, subscription.value.nextBillingAt)
          : Promise.resolve(false),
      ),
    );
    return items.filter((item, i) => {
      if (firing[i]) return false;
      const count = (perMerchant.get(item.merchantId) ?? 0) + 1;
      perMerchant.set(item.merchantId, count);
      return count <= quota;
    });
  };
  let sent = 0;
  for (let shard = 0; shard < wallShards; shard++) {
    let after: Record<string, unknown> | undefined;
    do {
      const page = await ports.subscriptions.due(`wall#${shard}`, until, sweepPage, after);
      const sending = await missed(page.items);
      await Promise.all(
        sending.map(({ merchantId, subscription }) => {
          const message: SubscriptionBillMessage = {
            kind: "subscription.bill",
            merchantId,
            subscriptionId: subscription.value.id,
            period: subscription.value.nextPeriod,
          };
          return ports.queue.send(timerQueue, message);
        }),
      );
      sent += sending.length;
      after = page.next;
    } while (after);
    // Periods billed by a run that died before collecting them (their message gone with it).
    do {
      const page = await ports.subscriptions.uncollected(`wall#${shard}`, until, sweepPage, after);
      await Promise.all(
        page.items.map(({ merchantId, subscriptionId, period }) => {
          const message: SubscriptionBillMessage = {
            kind: "subscription.bill",
            merchantId,
            subscriptionId,
            period,
          };
          return ports.queue.send(timerQueue, message);
        }),
      );
      sent += page.items.length;
      after = page.next;
    } while (after);
  }
  return sent;
}

export function subscriptionTimers(ports: SubscriptionTimerPorts): TimerRegistrations {
  return {
    timers: {
      "subscription.bill": work(subscriptionBillMessage, (message) =>
        billDue(ports.billing(), message.merchantId, message.subscriptionId, message.period),
      ),
      "subscription.sweep": work(subscriptionSweepMessage, async () => {
        await sweepDue(ports);
      }),
      "subscription.renewal_upcoming": work(renewalUpcomingMessage, (message) =>
        announceRenewal(ports.renewals(), message),
      ),
      "subscription.incomplete_expiry": work(incompleteExpiryMessage, (message) =>
        expireIncomplete(ports.billing(), message.merchantId, message.subscriptionId, message.invoiceId),
      ),
      "subscription.trial_will_end": work(trialWillEndMessage, (message) =>
        remindTrialEnd(ports.billing(), message.merchantId, message.subscriptionId),
      ),
      "invoice.payment_retry": work(paymentRetryMessage, (message) =>
        retryPayment(ports.billing(), message.merchantId, message.invoiceId, message.retry),
      ),
    },
    events: {
      "invoice.paid": work(invoicePaidEvent, async (event) => {
        if (!event.data.invoice.subscriptionId) return;
        await onInvoicePaid(ports.billing(), event.merchantId, event.data.invoice);
        await cancelRetries(ports.billing(), event.merchantId, event.data.invoice.id);
      }),
      "payment.failed": work(invoicePaymentFailedEvent, async (event) => {
        const { invoiceId, failure } = event.data.payment;
        if (invoiceId)
          await onChargeFailed(ports.billing(), event.merchantId, invoiceId, {
            declineCode: failure?.declineCode ?? "payment_failed",
          });
      }),
      "customer.updated": work(customerUpdatedEvent, (event) =>
        retryForNewCard(ports.billing(), event.merchantId, event.data.customer.id),
      ),
      "payment_method.attached": work(paymentMethodAttachedEvent, (event) =>
        retryForNewCard(ports.billing(), event.merchantId, event.data.customerId),
      ),
      "subscription.updated": work(subscriptionUpdatedEvent, (event) =>
        retryForNewCard(ports.billing(), event.merchantId, event.data.subscription.customerId),
      ),
    },
  };
}
