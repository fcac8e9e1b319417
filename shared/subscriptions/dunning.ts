/**
 * Dunning (issue 12 §1): what follows a failed automatic charge of a subscription's renewal invoice.
 *
 * Every failed attempt is recorded once on its invoice (`dunning.failedAttempt`, with the event
 * `invoice.payment_failed`). The first retryable failure of a renewal plans the merchant's retries —
 * one-time schedules named by invoice and retry index, at the failure's local time of day N calendar
 * days later, on the billing ports' scheduler (a test clock's due partition for its customers). A
 * retry claims its index on the invoice (a conditional write) before charging, so a redelivered
 * firing never charges twice; the payable's lock lets only one attempt run at a time, so a retry and
 * a card update racing pay the invoice once. Hard declines and `authentication_required` stop blind
 * retries until the customer's default method changes (`retryForNewCard`). A failure after the last
 * retry applies the merchant's final action.
 */
import * as z from "zod";
import type { OneTimeSchedule } from "../aws/scheduler.ts";
import { ConflictError, retryOnConflict } from "../domain/errors.ts";
import { isHardDecline, retryInstants } from "../domain/dunning.ts";
import { newEvent } from "../domain/events.ts";
import { paymentInFlight } from "../domain/invoice-lifecycle.ts";
import type { InvoiceDunning, StoredInvoice } from "../invoices/ports.ts";
import { markInvoiceUncollectible, presentInvoice } from "../invoices/service.ts";
import { defaultDunning } from "../merchants/merchant.ts";
import { eventMessage } from "../outbox/message.ts";
import { timerQueue } from "../timers/registry.ts";
import { type BillingPorts, chargeSavedMethod, isTerminal, move, nowOf } from "./billing.ts";
import { periodRule } from "./period-invoice.ts";
import { periodOf } from "./periods.ts";
import type { StoredSubscription } from "./subscription.ts";
import { lazy } from "../lazy.ts";

/** A failed attempt as its charger saw it: the decline, and the saved method it charged (when known). */
export interface FailedAttempt {
  declineCode: string;
  methodId?: string;
}

/** What a retry's one-time schedule delivers. */
export const paymentRetryMessage = lazy(() =>
  z.object({
    kind: z.literal("invoice.payment_retry"),
    merchantId: z.string(),
    invoiceId: z.string(),
    /** The retry's index in the invoice's plan (0 first). */
    retry: z.number().int().min(0),
    /** The customer's test clock: the retry runs on its time. */
    testClockId: z.string().optional(),
  }),
);

/**
 * `payment.failed` as dunning's owners read it (a subscription's invoice, a quote's installment): the
 * invoice the payment was for, and its decline code.
 */
export const invoicePaymentFailedEvent = lazy(() =>
  eventMessage().extend({
    data: z.object({
      payment: z.object({
        invoiceId: z.string().optional(),
        failure: z.object({ declineCode: z.string() }).optional(),
      }),
    }),
  }),
);

export const retryScheduleName = (invoiceId: string, retry: number) => `${invoiceId}-retry-${retry}`;

/** Retry `retry` of an invoice's plan, at `at`: named by invoice and index, so planning it twice is harmless. */
export const paymentRetrySchedule = (
  merchantId: string,
  invoice: Pick<StoredInvoice, "id" | "testClockId">,
  retry: number,
  at: string,
): OneTimeSchedule => ({
  name: retryScheduleName(invoice.id, retry),
  at: new Date(at),
  queue: timerQueue,
  payload: {
    kind: "invoice.payment_retry",
    merchantId,
    invoiceId: invoice.id,
    retry,
    ...(invoice.testClockId ? { testClockId: invoice.testClockId } : {}),
  } satisfies z.input<ReturnType<typeof paymentRetryMessage>>,
});

/** The method a charge of the subscription's invoice uses now: the subscription's, else the customer's default. */
async function currentMethodId(ports: BillingPorts, merchantId: string, subscription: StoredSubscription) {
  if (subscription.defaultPaymentMethodId) return subscription.defaultPaymentMethodId;
  return (await ports.invoices.catalog.customer(merchantId, subscription.customerId))?.defaultPaymentMethodId;
}

export const dunningSettings = async (ports: Pick<BillingPorts, "invoices">, merchantId: string) => {
  const merchant = (await ports.invoices.merchants.readMerchant(merchantId))?.value;
  return { settings: merchant?.dunning ?? defaultDunning, timeZone: merchant?.timeZone ?? "UTC" };
};

/**
 * What an invoice's dunning answers to: the subscription it bills, or an accepted quote's payment
 * plan (`BillingPorts.planDunning`, shared/quotes/installments.ts). The retries, their claims and
 * their schedules are the same for both; the owner says what is charged and what ends them.
 */
export interface DunningOwner {
  /** The owner's clock's now (a test clock's for its customers). */
  now: Date;
  /** Whether its invoices are charged automatically: only those are dunned. */
  automatic: boolean;
  /** Whether a failure of this invoice plans retries (a subscription's period 0 expires instead). */
  retries: boolean;
  /** Whether it still collects (a subscription not ended). */
  live: boolean;
  /** The saved method a charge of it uses now. */
  methodId(): Promise<string | undefined>;
  /** Charges the invoice off-session once more (a decline is recorded as the next failed attempt). */
  charge(invoice: StoredInvoice): Promise<void>;
  /** What follows the last retry's failure. */
  finalAction(invoice: StoredInvoice): Promise<void>;
}

async function dunningOwner(
  ports: BillingPorts,
  merchantId: string,
  invoice: StoredInvoice,
): Promise<DunningOwner | undefined> {
  if (!invoice.subscriptionId) return ports.planDunning?.(merchantId, invoice);
  const subscription = (await ports.subscriptions.read(merchantId, invoice.subscriptionId))?.value;
  if (!subscription) return undefined;
  return {
    now: await nowOf(ports, merchantId, subscription),
    automatic: subscription.collectionMethod === "charge_automatically",
    // Period 0 is not dunned: its subscription is incomplete and expires instead.
    retries: invoice.periodStart !== periodOf(periodRule(subscription), 0).start,
    live: !isTerminal(subscription.status),
    methodId: () => currentMethodId(ports, merchantId, subscription),
    charge: (open) => chargeOnce(ports, merchantId, subscription, open),
    finalAction: (failed) => applyFinalAction(ports, merchantId, failed, subscription),
  };
}

/**
 * Records a failed attempt of an invoice's automatic charge (once, however often it is reported),
 * plans or stops its retries, and applies its owner's final action after the last retry.
 */
export async function recordFailedAttempt(
  ports: BillingPorts,
  merchantId: string,
  invoiceId: string,
  failure: FailedAttempt,
): Promise<void> {
  const recorded = await retryOnConflict(5, async () => {
    const found = await ports.invoices.invoices.read(merchantId, invoiceId);
    const invoice = found?.value;
    if (!found || invoice?.status !== "open") return undefined;
    const owner = await dunningOwner(ports, merchantId, invoice);
    if (!owner?.automatic) return undefined;
    const attempt = invoice.paymentAttempts ?? 0;
    const known = invoice.dunning;
    if (known && known.failedAttempt >= attempt) return { invoice, owner };
    const now = owner.now;
    const stop = isHardDecline(failure.declineCode) || failure.declineCode === "authentication_required";
    const renewal = owner.retries;
    let retryAt = known?.retryAt ?? [];
    // Planned for a hard decline too: its last instant is when the final action applies if no new card pays it.
    if (renewal && retryAt.length === 0) {
      const { settings, timeZone } = await dunningSettings(ports, merchantId);
      retryAt = retryInstants(now, settings.retryDays, timeZone);
    }
    const methodId = failure.methodId ?? (await owner.methodId());
    const dunning: InvoiceDunning = {
      retryAt,
      retried: known?.retried ?? 0,
      failedAttempt: attempt,
      ...(methodId ? { failedMethodId: methodId } : {}),
      ...(stop ? { awaitingNewCard: true } : {}),
    };
    const next: StoredInvoice = { ...invoice, dunning };
    const shown = presentInvoice(next, now);
    const data = {
      invoice: shown,
      declineCode: failure.declineCode,
      renewal,
      finalActionAt: dunning.retried < retryAt.length ? (retryAt.at(-1) as string) : null,
    };
    await ports.invoices.invoices.replace(merchantId, next, found.version, [
      newEvent("invoice.payment_failed", merchantId, invoiceId, now, data),
      ...(failure.declineCode === "authentication_required"
        ? [newEvent("invoice.payment_action_required", merchantId, invoiceId, now, data)]
        : []),
    ]);
    return { invoice: next, owner };
  });
  if (!recorded?.invoice.dunning) return;
  const { invoice, owner } = recorded;
  const dunning = invoice.dunning as InvoiceDunning;
  // Planned again on a redelivery (a crash after the record): the names make it harmless.
  await syncRetrySchedules(ports, merchantId, invoice, dunning, owner.now);
  if (dunning.retryAt.length > 0 && dunning.retried === dunning.retryAt.length) {
    await owner.finalAction(invoice);
  }
}

/**
 * The retries not yet claimed are planned (those still ahead). While a new card is awaited they are
 * cancelled but the last: it charges nothing and applies the final action when no card came by then.
 */
async function syncRetrySchedules(
  ports: BillingPorts,
  merchantId: string,
  invoice: StoredInvoice,
  dunning: InvoiceDunning,
  now: Date,
) {
  const last = dunning.retryAt.length - 1;
  const pending = dunning.retryAt.map((at, retry) => ({ at, retry })).slice(dunning.retried);
  await Promise.all(
    pending.map(({ at, retry }) =>
      dunning.awaitingNewCard && retry !== last
        ? ports.scheduler.cancel(retryScheduleName(invoice.id, retry))
        : Date.parse(at) > now.getTime()
          ? ports.scheduler.scheduleOnce(paymentRetrySchedule(merchantId, invoice, retry, at))
          : undefined,
    ),
  );
}

/** The invoice was paid (or otherwise settled): its retries not yet run are cancelled. */
export async function cancelRetries(ports: BillingPorts, merchantId: string, invoiceId: string) {
  const dunning = (await ports.invoices.invoices.read(merchantId, invoiceId))?.value.dunning;
  if (!dunning) return;
  await Promise.all(
    dunning.retryAt
      .slice(dunning.retried)
      .map((_, i) => ports.scheduler.cancel(retryScheduleName(invoiceId, dunning.retried + i))),
  );
}

/**
 * The merchant's final action once the last retry failed: `cancel` cancels the subscription (its
 * invoice stays open), `mark_uncollectible` marks the invoice and keeps the subscription active,
 * `leave_past_due` does nothing. Each is guarded by the state it moves, so applying it twice is harmless.
 */
async function applyFinalAction(
  ports: BillingPorts,
  merchantId: string,
  invoice: StoredInvoice,
  subscription: StoredSubscription,
) {
  const { settings } = await dunningSettings(ports, merchantId);
  if (settings.finalAction === "leave_past_due") return;
  if (settings.finalAction === "mark_uncollectible") {
    await markInvoiceUncollectible(ports.invoices, merchantId, invoice.id);
    await move(ports, merchantId, subscription.id, (current) =>
      current.status === "past_due" && current.latestInvoiceId === invoice.id
        ? { status: "active", event: "updated" }
        : undefined,
    );
    return;
  }
  const at = (await nowOf(ports, merchantId, subscription)).toISOString();
  await move(ports, merchantId, subscription.id, (current) =>
    isTerminal(current.status)
      ? undefined
      : {
          status: "canceled",
          event: "canceled",
          fields: { nextBillingAt: null, canceledAt: current.canceledAt ?? at, endedAt: at },
          counter: -1,
        },
  );
}

/**
 * Retry `retry` of an invoice's plan fires: if the invoice is still open and the retry not yet run,
 * it is claimed and the invoice charged off-session on the method of the moment. While a new card is
 * awaited (a hard decline) nothing is charged: the last retry's instant applies the final action, as
 * if every retry had failed — unless a new card's charge holds the invoice, whose outcome decides.
 */
export async function retryPayment(
  ports: BillingPorts,
  merchantId: string,
  invoiceId: string,
  retry: number,
) {
  const claimed = await retryOnConflict(5, async () => {
    const found = await ports.invoices.invoices.read(merchantId, invoiceId);
    const dunning = found?.value.dunning;
    if (found?.value.status !== "open" || !dunning) return undefined;
    const last = dunning.retryAt.length - 1;
    if (retry < dunning.retried || retry > last) return undefined;
    if (dunning.awaitingNewCard && retry !== last) return undefined;
    const now = ports.invoices.clock.now();
    const next: StoredInvoice = {
      ...found.value,
      dunning: { ...dunning, retried: retry + 1 },
      updatedAt: now.toISOString(),
    };
    // Its next payment attempt moves on to the following retry.
    await ports.invoices.invoices.replace(merchantId, next, found.version, [
      newEvent("invoice.updated", merchantId, invoiceId, now, { invoice: presentInvoice(next, now) }),
    ]);
    return next;
  });
  if (!claimed) return;
  const owner = await dunningOwner(ports, merchantId, claimed);
  if (!owner?.live) return;
  if (claimed.dunning?.awaitingNewCard) {
    if (!paymentInFlight(claimed.paymentLock, owner.now)) await owner.finalAction(claimed);
    return;
  }
  await owner.charge(claimed);
}

/**
 * Charges an open invoice; an attempt already under way (a racing retry or card update) holds the
 * invoice, and its outcome is the invoice's, so losing that race is not an error.
 */
async function chargeOnce(
  ports: BillingPorts,
  merchantId: string,
  subscription: StoredSubscription,
  invoice: StoredInvoice,
) {
  try {
    await chargeSavedMethod(ports, merchantId, subscription, invoice);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
  }
}

/**
 * The customer's default method changed (a new card): each open invoice of its past_due
 * subscriptions whose last attempt failed on another method is retried at once — also one whose
 * retries a hard decline stopped.
 */
export async function retryForNewCard(ports: BillingPorts, merchantId: string, customerId: string) {
  const now = ports.invoices.clock.now();
  const open = await ports.invoices.invoices.list(
    merchantId,
    { customerId, status: "open" },
    { limit: 100 },
    now,
  );
  for (const invoice of open.items) {
    if (!invoice.subscriptionId || !invoice.dunning || invoice.paymentLock) continue;
    const subscription = (await ports.subscriptions.read(merchantId, invoice.subscriptionId))?.value;
    if (subscription?.status !== "past_due") continue;
    const methodId = await currentMethodId(ports, merchantId, subscription);
    if (!methodId || methodId === invoice.dunning.failedMethodId) continue;
    await chargeOnce(ports, merchantId, subscription, invoice);
  }
}
