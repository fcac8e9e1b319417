/**
 * The billing engine (issue 11 §3): bills each period of a subscription exactly once, at its start,
 * on the subscription's clock (its customer's test clock, else the wall clock).
 *
 * Billing period k is one transaction: the period's claim (a conditional put on the period key), the
 * draft invoice and the subscription's next state (conditioned on its version). Whatever fires twice —
 * a schedule, the sweep, a redelivered message, a test clock's advance — one of them wins and the
 * others find the period claimed. Then the invoice is collected: finalized, and charged off-session
 * (`charge_automatically`) or sent (`send_invoice`). Each of those steps is guarded by the invoice's
 * own state, so a redelivery for a period already billed finishes what a crash left (a draft is
 * finalized; an open invoice never attempted is charged) and never does anything twice; the
 * processor's idempotency key derives from invoice + attempt.
 *
 * The reactions (`timers.ts`) move the subscription with its invoice's fate: paid → active, a failed
 * charge → past_due (or incomplete for period 0, expiring after 23 h).
 */
import type { OneTimeSchedule, SchedulerPort } from "../aws/scheduler.ts";
import type { PaymentMethod } from "../customers/payment-method.ts";
import { ConflictError, PaymentDeclinedError, retryOnConflict } from "../domain/errors.ts";
import { paymentInFlight } from "../domain/invoice-lifecycle.ts";
import { newEvent } from "../domain/events.ts";
import type { Change, Versioned } from "../domain/records.ts";
import type { PricedLineRequest } from "../invoices/build.ts";
import type { NewInvoice } from "../invoices/invoice.ts";
import type { StoredInvoice } from "../invoices/ports.ts";
import {
  createInvoice,
  finalizeInvoice,
  type InvoicePorts,
  payNothingDue,
  sendInvoice,
  voidInvoice,
} from "../invoices/service.ts";
import { charge } from "../payments/charges.ts";
import type { PaymentPorts } from "../payments/ports.ts";
import type { CustomerStore } from "../store/customers.ts";
import type { SubscriptionStore } from "../store/subscriptions.ts";
import { timerQueue } from "../timers/registry.ts";
import {
  discountApplies,
  discountRequest,
  periodInvoice,
  periodRule,
  subscriptionPeriod,
} from "./period-invoice.ts";
import { periodOf } from "./periods.ts";
import { planRenewalReminder } from "./renewals.ts";
import { type DunningOwner, type FailedAttempt, recordFailedAttempt } from "./dunning.ts";
import { nextStep, prepaidStarted, resumedFrom } from "./next-step.ts";
import { pacedFiring } from "./pace.ts";
import { billingScheduleName, type SubscriptionBillMessage } from "./schedules.ts";
import { planTrialReminder } from "./trials.ts";
import {
  presentSubscription,
  type StoredSubscription,
  type SubscriptionStatus,
  terminalSubscriptionStatuses,
} from "./subscription.ts";

export interface BillingPorts {
  subscriptions: SubscriptionStore;
  /** Drafts, finalize, send, void — and the customer's clock and pricing catalog. */
  invoices: InvoicePorts;
  /** The off-session charge. */
  payments: PaymentPorts;
  paymentMethods: { read(merchantId: string, id: string): Promise<Versioned<PaymentMethod> | undefined> };
  scheduler: SchedulerPort;
  /** The customer's count of running subscriptions (its deletion guard), moved when one ends. */
  customers: Pick<CustomerStore, "subscriptionCountWrite">;
  /** The dunning of an invoice no subscription owns: an accepted quote's installment (quotes/installments.ts). */
  planDunning?: (merchantId: string, invoice: StoredInvoice) => Promise<DunningOwner | undefined>;
}

/**
 * How long after billing a period its invoice may still be in a live run's hands: the billing queue's
 * visibility timeout (a run still going by then has died, or its message is back). Past it, the sweep
 * finishes collecting a period whose run died after billing it (its message gone with it).
 */
export const collectGraceMs = 6 * 60_000;

/** How long a first invoice whose charge failed stays open before the subscription expires. */
export const incompleteExpiryMs = 23 * 3_600_000;

/** The most periods one run bills: a subscription further behind is continued by the next run. */
const maxPeriodsPerRun = 120;

const subscriptionEvent = (type: string, merchantId: string, subscription: StoredSubscription, now: Date) =>
  newEvent(`subscription.${type}`, merchantId, subscription.id, now, {
    subscription: presentSubscription(subscription),
  });

export const isTerminal = (status: SubscriptionStatus) => terminalSubscriptionStatuses.includes(status);

/** The subscription's clock: its customer's test clock (copied onto it, immutable), else the wall clock. */
export const nowOf = async (ports: BillingPorts, merchantId: string, subscription: StoredSubscription) =>
  subscription.testClockId
    ? (await ports.invoices.customerClock(merchantId, subscription.customerId)).now()
    : ports.invoices.clock.now();

/**
 * Bills every period of a subscription due by its clock's now, then plans the next period's schedule
 * (wall clock only: a test clock's advance walks the clock's due index instead). `period`, when a
 * message names one the subscription already billed, first finishes collecting that period's invoice.
 */
export async function billDue(
  ports: BillingPorts,
  merchantId: string,
  subscriptionId: string,
  period?: number,
): Promise<void> {
  let found = await ports.subscriptions.read(merchantId, subscriptionId);
  if (!found) return;
  if (period !== undefined && period < found.value.nextPeriod) {
    // The latest period's invoice is on the subscription; an older one's is named by its claim.
    const invoiceId =
      period === found.value.nextPeriod - 1 && found.value.latestInvoiceId
        ? found.value.latestInvoiceId
        : await ports.subscriptions.periodInvoice(merchantId, subscriptionId, period);
    if (invoiceId) await collect(ports, merchantId, found.value, period, invoiceId);
  }
  const now = await nowOf(ports, merchantId, found.value);
  for (let run = 0; run < maxPeriodsPerRun; run++) {
    const { value: subscription } = found;
    const due = subscription.nextBillingAt;
    // A paused subscription is due only when it resumes (at `resumesAt`, or at once on request).
    if (isTerminal(subscription.status) || !due) return;
    if (Date.parse(due) > now.getTime()) break;
    let stepped: Stepped | undefined;
    try {
      stepped = await step(ports, merchantId, found, due, now);
      if (stepped.invoice)
        await collect(
          ports,
          merchantId,
          subscription,
          stepped.next.value.nextPeriod - 1,
          stepped.invoice.id,
          stepped.invoice,
        );
    } catch (error) {
      // Another run billed or moved it first: it collects what it billed; read on from its result.
      if (!(error instanceof ConflictError)) throw error;
    }
    // The state this run wrote, unless it lost the race (a reaction since only costs a lost race later).
    const again = stepped?.next ?? (await ports.subscriptions.read(merchantId, subscriptionId));
    if (!again) return;
    found = again;
  }
  await planNext(ports, merchantId, found.value, now);
  await planRenewalReminder(ports, merchantId, found.value, now);
  await planTrialReminder(ports, merchantId, found.value, now);
}

/** What a due instant's step wrote: the subscription's next state, and the invoice it billed, if any. */
interface Stepped {
  next: Versioned<StoredSubscription>;
  invoice?: StoredInvoice;
}

/**
 * One due instant of a subscription, as `nextStep` decides it: canceled, ended, paused, its trial
 * started or canceled — or period `nextPeriod` billed, resuming a paused subscription at that instant.
 */
async function step(
  ports: BillingPorts,
  merchantId: string,
  { value: subscription, version }: Versioned<StoredSubscription>,
  due: string,
  now: Date,
): Promise<Stepped> {
  const written = (value: StoredSubscription) => ({ value, version: version + 1 });
  const decided = nextStep(subscription, {
    trialMayBill: subscription.status !== "trialing" || (await trialMayBill(ports, merchantId, subscription)),
  });
  switch (decided.kind) {
    case "cancel":
    case "cancel_trial":
      return { next: written(await end(ports, merchantId, subscription, version, "canceled", due, now)) };
    case "end":
      return { next: written(await end(ports, merchantId, subscription, version, "ended", due, now)) };
    case "pause":
      return { next: written(await pause(ports, merchantId, subscription, version, now)) };
    case "start_trial":
      return { next: written(await startTrial(ports, merchantId, subscription, version, due, now)) };
    case "start_prepaid": {
      const next = await startPrepaid(ports, merchantId, subscription, version, decided.period, now);
      await chargeUnpaidPrepaid(ports, merchantId, next, subscription.renewedEarly?.invoiceId, now);
      return { next: written(next) };
    }
  }
  const k = decided.period;
  const billed = decided.resuming ? resumedFrom(subscription, due) : subscription;
  const { request, fields, period } = periodInvoice(billed, k);
  const started = startEvents[subscription.status];
  // A period whose discounts differ from the last one's changes what the subscription earns (a
  // repeating discount ends): said with `subscription.updated`, as a status change is.
  const event = started ?? (discountsChangeAt(subscription, k) ? "updated" : undefined);
  // The pending prorations are billed by this invoice: its transaction clears them.
  const { pendingLines: _, ...unpending } = billed;
  let next: StoredSubscription | undefined;
  const invoice = await createInvoice(ports.invoices, merchantId, request, {
    fields,
    changes: (draft, at) => {
      next = {
        ...unpending,
        status: started ? "active" : subscription.status,
        nextPeriod: k + 1,
        cyclesBilled: subscription.cyclesBilled + 1,
        currentPeriodStart: period.start,
        currentPeriodEnd: period.end,
        latestInvoiceId: draft.id,
        // Still set after the last cycle or with cancelAtPeriodEnd: the end happens at that instant.
        nextBillingAt: period.end,
        updatedAt: at.toISOString(),
      };
      return [
        ports.subscriptions.claimPeriodWrite(merchantId, subscription.id, k, draft.id),
        // The wall clock's sweep finishes what a dead run left; a test clock's advance runs its own.
        ...(subscription.testClockId
          ? []
          : [
              ports.subscriptions.uncollectedWrite(
                merchantId,
                subscription.id,
                k,
                new Date(now.getTime() + collectGraceMs).toISOString(),
              ),
            ]),
        ...ports.subscriptions.replaceWrites(
          merchantId,
          next,
          version,
          event ? [subscriptionEvent(event, merchantId, next, at)] : [],
        ),
      ];
    },
  });
  if (!next) throw new Error("unreachable: the draft's transaction names the subscription's next state");
  return { next: written(next), invoice: invoice as StoredInvoice };
}

/** Whether some discount applies to period `k` and not to the one before, or the other way round. */
const discountsChangeAt = (subscription: StoredSubscription, k: number) =>
  k > 0 && subscription.discounts.some((d) => discountApplies(d, k) !== discountApplies(d, k - 1));

/** The statuses billing a period makes `active`, with the event that says so. */
const startEvents: Partial<Record<SubscriptionStatus, string>> = {
  scheduled: "activated",
  trialing: "updated",
  paused: "resumed",
};

/** Paused at the end of the period billed: no invoice; due again only when it resumes by itself. */
async function pause(
  ports: BillingPorts,
  merchantId: string,
  subscription: StoredSubscription,
  version: number,
  now: Date,
): Promise<StoredSubscription> {
  const next: StoredSubscription = {
    ...subscription,
    status: "paused",
    pauseAt: null,
    nextBillingAt: subscription.resumesAt ?? null,
    updatedAt: now.toISOString(),
  };
  return replaced(ports, merchantId, next, version, "paused", now);
}

/** The step's next state written over `version`, with its `subscription.<event>`. */
async function replaced(
  ports: BillingPorts,
  merchantId: string,
  next: StoredSubscription,
  version: number,
  event: string,
  now: Date,
): Promise<StoredSubscription> {
  await ports.subscriptions.replace(
    merchantId,
    next,
    version,
    subscriptionEvent(event, merchantId, next, now),
  );
  return next;
}

/**
 * The start of a period the buyer renewed early: its invoice exists (the period's claim names it), so
 * the subscription only moves into it (`subscription.updated`) and is due again at its end.
 */
async function startPrepaid(
  ports: BillingPorts,
  merchantId: string,
  subscription: StoredSubscription,
  version: number,
  k: number,
  now: Date,
): Promise<StoredSubscription> {
  const next = {
    ...prepaidStarted(subscription, subscriptionPeriod(subscription, k)),
    updatedAt: now.toISOString(),
  };
  return replaced(ports, merchantId, next, version, "updated", now);
}

/**
 * A prepaid period starts with its invoice still unpaid (the early charge was declined and the buyer
 * did not pay on its page): it is charged now as the run would have charged it, and a decline is the
 * period's failed renewal (past_due, dunning). Sent invoices (`send_invoice`) keep their own terms.
 */
async function chargeUnpaidPrepaid(
  ports: BillingPorts,
  merchantId: string,
  subscription: StoredSubscription,
  invoiceId: string | undefined,
  now: Date,
) {
  if (!invoiceId || subscription.collectionMethod !== "charge_automatically") return;
  const invoice = (await ports.invoices.invoices.read(merchantId, invoiceId))?.value;
  if (invoice?.status !== "open" || invoice.amountRemaining === 0) return;
  if (paymentInFlight(invoice.paymentLock, now)) return;
  await chargeSavedMethod(ports, merchantId, subscription, invoice);
}

/** A trial from a later start date begins at that instant: `trialing` (`subscription.updated`), due at its end. */
async function startTrial(
  ports: BillingPorts,
  merchantId: string,
  subscription: StoredSubscription,
  version: number,
  due: string,
  now: Date,
): Promise<StoredSubscription> {
  const next: StoredSubscription = {
    ...subscription,
    status: "trialing",
    trialStart: due,
    nextBillingAt: subscription.trialEnd ?? null,
    updatedAt: now.toISOString(),
  };
  return replaced(ports, merchantId, next, version, "updated", now);
}

/**
 * Whether a trial's end bills the first period: always, unless it is to be canceled without a
 * method to charge (`trialSettings.missingPaymentMethod: cancel`) and none is saved by then.
 */
async function trialMayBill(ports: BillingPorts, merchantId: string, subscription: StoredSubscription) {
  if (
    subscription.collectionMethod !== "charge_automatically" ||
    subscription.trialSettings?.missingPaymentMethod !== "cancel"
  ) {
    return true;
  }
  const customer = await ports.invoices.catalog.customer(merchantId, subscription.customerId);
  const methodId = subscription.defaultPaymentMethodId ?? customer?.defaultPaymentMethodId;
  return !!methodId && !!(await ports.paymentMethods.read(merchantId, methodId));
}

async function end(
  ports: BillingPorts,
  merchantId: string,
  subscription: StoredSubscription,
  version: number,
  status: "canceled" | "ended",
  at: string,
  now: Date,
): Promise<StoredSubscription> {
  const next: StoredSubscription = {
    ...subscription,
    status,
    nextBillingAt: null,
    endedAt: at,
    ...(status === "canceled" ? { canceledAt: subscription.canceledAt ?? at } : {}),
    updatedAt: now.toISOString(),
  };
  await ports.subscriptions.replace(
    merchantId,
    next,
    version,
    subscriptionEvent(status, merchantId, next, now),
    [ports.customers.subscriptionCountWrite(merchantId, subscription.customerId, -1)],
  );
  return next;
}

/**
 * Finishes a period's invoice from whatever state it is in: a draft is finalized; an open one with
 * nothing due is paid as it is; `send_invoice` sends it once; `charge_automatically` charges it once
 * (never when an attempt was made: its outcome, success or failure, is the period's). Once that is
 * done, the period's claim leaves the due index (the sweep's net for a run that died before).
 */
async function collect(
  ports: BillingPorts,
  merchantId: string,
  subscription: StoredSubscription,
  period: number,
  invoiceId: string,
  /** The invoice as the caller just wrote it, if it did (saves reading it). */
  written?: StoredInvoice,
): Promise<void> {
  if (await collected(ports, merchantId, subscription, invoiceId, written))
    await ports.subscriptions.periodCollected(merchantId, subscription.id, period);
}

/** Collects the invoice (`collect`); false while an attempt on it is still in flight or a race kept going. */
async function collected(
  ports: BillingPorts,
  merchantId: string,
  subscription: StoredSubscription,
  invoiceId: string,
  written?: StoredInvoice,
): Promise<boolean> {
  let known = written;
  for (let round = 0; round < 4; round++) {
    const invoice = known ?? (await ports.invoices.invoices.read(merchantId, invoiceId))?.value;
    known = undefined;
    if (!invoice) return true;
    try {
      if (invoice.status === "draft") {
        // The finalized invoice as presented lacks only what no draft has (attempts, lock): go on with it.
        known = { ...invoice, ...(await finalizeInvoice(ports.invoices, merchantId, invoiceId)) };
        continue;
      }
      if (invoice.status !== "open") return true;
      if (invoice.amountRemaining === 0) {
        await payNothingDue(ports.invoices, merchantId, invoiceId);
        return true;
      }
      if (subscription.collectionMethod === "send_invoice") {
        if (!invoice.sentAt) await sendInvoice(ports.invoices, merchantId, invoiceId);
        return true;
      }
      // An attempt still in flight decides the period; the sweep looks again once its hold lapses.
      if (invoice.paymentAttempts || invoice.paymentLock)
        return !paymentInFlight(invoice.paymentLock, ports.invoices.clock.now());
      await chargeSavedMethod(ports, merchantId, subscription, invoice);
      return true;
    } catch (error) {
      // A concurrent collector moved the invoice first: re-read and go on from where it left it.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return false;
}

/**
 * Charges the invoice off-session on the subscription's method, else the customer's default as it is
 * now (as Stripe does). A decline is the period's outcome, not an error of the run.
 */
export async function chargeSavedMethod(
  ports: BillingPorts,
  merchantId: string,
  subscription: StoredSubscription,
  invoice: StoredInvoice,
) {
  const charged = await chargeInvoice(ports, merchantId, subscription, invoice);
  if (!charged.declined) return;
  await onChargeFailed(ports, merchantId, invoice.id, {
    declineCode: charged.declined.declineCode,
    ...(charged.methodId ? { methodId: charged.methodId } : {}),
  });
}

/**
 * One off-session charge of an invoice on the subscription's method, else the customer's default as
 * it is now (as Stripe does): the decline, if it was declined (no method to charge is a decline too).
 */
async function chargeInvoice(
  ports: BillingPorts,
  merchantId: string,
  subscription: StoredSubscription,
  invoice: StoredInvoice,
): Promise<{ declined?: PaymentDeclinedError; methodId?: string }> {
  return chargeOffSession(ports, merchantId, invoice, subscription.defaultPaymentMethodId ?? undefined);
}

/**
 * One off-session charge of a customer's invoice on `methodId`, else the customer's default method
 * as it is now: the decline, if it was declined (no method to charge is a decline too). Shared by
 * whatever charges invoices by itself — subscriptions' renewals and quotes' installments.
 */
export async function chargeOffSession(
  ports: Pick<BillingPorts, "invoices" | "paymentMethods" | "payments">,
  merchantId: string,
  invoice: Pick<StoredInvoice, "id" | "customerId">,
  methodId: string | undefined,
): Promise<{ declined?: PaymentDeclinedError; methodId?: string }> {
  const customer = await ports.invoices.catalog.customer(merchantId, invoice.customerId);
  const chosen = methodId ?? customer?.defaultPaymentMethodId;
  const method = chosen ? (await ports.paymentMethods.read(merchantId, chosen))?.value : undefined;
  if (!method) {
    // Nothing to charge (the method was removed since): the attempt failed like a declined charge.
    return {
      declined: new PaymentDeclinedError(
        "payment_method_missing",
        "The customer has no payment method to charge",
      ),
    };
  }
  try {
    await charge(
      ports.payments,
      merchantId,
      { kind: "invoice", id: invoice.id },
      {
        paymentMethod: method.processorId,
        ...(customer?.processorCustomerId ? { processorCustomerId: customer.processorCustomerId } : {}),
        offSession: true,
      },
    );
    return { methodId: method.id };
  } catch (error) {
    if (!(error instanceof PaymentDeclinedError)) throw error;
    return { declined: error, methodId: method.id };
  }
}

/** What a change sets (`planChange`), as a subscription has it: undefined ones are removed when written. */
const changedFields = (s: StoredSubscription): Partial<StoredSubscription> => ({
  items: s.items,
  discounts: s.discounts,
  taxRateIds: s.taxRateIds,
  collectionMethod: s.collectionMethod,
  defaultPaymentMethodId: s.defaultPaymentMethodId,
  paymentTerms: s.paymentTerms,
  pendingLines: s.pendingLines,
  metadata: s.metadata,
  cancelAtPeriodEnd: s.cancelAtPeriodEnd,
});

/**
 * A change invoiced at once (`always_invoice`, issue 12 §2): its invoice is drafted in one
 * transaction with the subscription's next state, finalized (the customer's credit applies; a net
 * credit goes to the balance) and charged (`charge_automatically`) or sent. A declined charge voids
 * the invoice and puts the subscription back as it was: the change is not applied (402).
 */
export async function invoiceChange(
  ports: BillingPorts,
  merchantId: string,
  { value: subscription, version }: Versioned<StoredSubscription>,
  change: { next: StoredSubscription; lines: PricedLineRequest[]; changes: Change[] },
): Promise<StoredSubscription> {
  const { next, lines } = change;
  const current = subscription.nextPeriod - 1;
  const discounts = next.discounts.filter((d) => discountApplies(d, current)).map(discountRequest);
  const request: NewInvoice = {
    customerId: next.customerId,
    currency: next.currency,
    lineItems: lines,
    ...(discounts.length ? { discounts } : {}),
    ...(next.collectionMethod === "charge_automatically"
      ? { paymentTerms: "due_on_receipt" as const }
      : next.paymentTerms
        ? { paymentTerms: next.paymentTerms }
        : {}),
    metadata: {},
  };
  const draft = await createInvoice(ports.invoices, merchantId, request, {
    fields: {
      subscriptionId: next.id,
      billingReason: "subscription_update",
      ...(next.testClockId ? { testClockId: next.testClockId } : {}),
    },
    changes: (_, at) => [
      ...ports.subscriptions.replaceWrites(merchantId, next, version, [
        subscriptionEvent("updated", merchantId, next, at),
      ]),
      ...change.changes,
    ],
  });
  const invoice = {
    ...draft,
    ...(await finalizeInvoice(ports.invoices, merchantId, draft.id)),
  } as StoredInvoice;
  if (invoice.amountRemaining === 0) {
    await payNothingDue(ports.invoices, merchantId, invoice.id);
    return next;
  }
  if (next.collectionMethod === "send_invoice") {
    await sendInvoice(ports.invoices, merchantId, invoice.id);
    return next;
  }
  const { declined } = await chargeInvoice(ports, merchantId, next, invoice);
  if (!declined) return next;
  await voidInvoice(ports.invoices, merchantId, invoice.id);
  await retryOnConflict(5, async () => {
    const found = await ports.subscriptions.read(merchantId, subscription.id);
    if (!found) return;
    const now = await nowOf(ports, merchantId, found.value);
    // Whatever moved it since (a period billed, a cancel) stays: only what the change set goes back.
    const back: StoredSubscription = {
      ...found.value,
      ...changedFields(subscription),
      updatedAt: now.toISOString(),
    };
    await ports.subscriptions.replace(
      merchantId,
      back,
      found.version,
      subscriptionEvent("updated", merchantId, back, now),
    );
  });
  throw declined;
}

/** The one-time schedule of a subscription's next billing instant: named by subscription and period, so planning twice is harmless. */
export function nextBillingSchedule(
  merchantId: string,
  subscription: Pick<StoredSubscription, "id" | "nextPeriod"> & {
    nextBillingAt: string;
    status?: SubscriptionStatus;
    trialEnd?: string | null;
  },
): OneTimeSchedule {
  const { status, trialEnd, nextBillingAt } = subscription;
  const payload: SubscriptionBillMessage = {
    kind: "subscription.bill",
    merchantId,
    subscriptionId: subscription.id,
    period: subscription.nextPeriod,
  };
  return {
    // A paused subscription's period k was due at the pause (that schedule fired): its resume is
    // another; a trial from a later start date is due at its start, then its end bills period 0.
    name: `${billingScheduleName(subscription.id, subscription.nextPeriod)}${
      status === "paused"
        ? "-resume"
        : status === "scheduled" && trialEnd && nextBillingAt < trialEnd
          ? "-trial-start"
          : ""
    }`,
    at: new Date(nextBillingAt),
    queue: timerQueue,
    payload,
  };
}

/**
 * The next period's schedule, on the wall clock only (a test clock's advance walks its due index).
 * It fires at the instant plus the renewal's place in the merchant's paced run (pace.ts): a merchant
 * with thousands of renewals on the 1st bills them at the pace its partition takes, not all at once.
 */
async function planNext(
  ports: BillingPorts,
  merchantId: string,
  subscription: StoredSubscription,
  now: Date,
) {
  const at = subscription.nextBillingAt;
  if (subscription.testClockId || !at || isTerminal(subscription.status)) return;
  // Already due (a run cut short): the sweep bills it; a schedule is for the future.
  if (Date.parse(at) <= now.getTime()) return;
  const slot = await ports.subscriptions.claimBillingSlot(merchantId, at);
  await ports.scheduler.scheduleOnce({
    ...nextBillingSchedule(merchantId, { ...subscription, nextBillingAt: at }),
    at: pacedFiring(new Date(at), slot),
  });
}

/** What the incomplete expiry's one-time schedule delivers (read by `incompleteExpiryMessage`, timers.ts). */
export interface IncompleteExpiryMessage {
  kind: "subscription.incomplete_expiry";
  merchantId: string;
  subscriptionId: string;
  invoiceId: string;
  testClockId?: string;
}

/** 23 h after the first invoice was issued, named by the subscription (it has one first invoice). */
export const incompleteExpirySchedule = (
  message: IncompleteExpiryMessage,
  issuedAt: string,
): OneTimeSchedule => ({
  name: `${message.subscriptionId}-incomplete-expiry`,
  at: new Date(Date.parse(issuedAt) + incompleteExpiryMs),
  queue: timerQueue,
  payload: message as unknown as Record<string, unknown>,
});

/** Moves a subscription as `decide` says of its current state (nothing when it says nothing), with its event. */
export async function move(
  ports: BillingPorts,
  merchantId: string,
  subscriptionId: string,
  decide: (
    subscription: StoredSubscription,
  ) =>
    | { status: SubscriptionStatus; event: string; fields?: Partial<StoredSubscription>; counter?: -1 }
    | undefined,
): Promise<StoredSubscription | undefined> {
  return retryOnConflict(5, async () => {
    const found = await ports.subscriptions.read(merchantId, subscriptionId);
    if (!found) return undefined;
    const change = decide(found.value);
    if (!change) return undefined;
    const now = await nowOf(ports, merchantId, found.value);
    const next: StoredSubscription = {
      ...found.value,
      ...change.fields,
      status: change.status,
      updatedAt: now.toISOString(),
    };
    await ports.subscriptions.replace(
      merchantId,
      next,
      found.version,
      subscriptionEvent(change.event, merchantId, next, now),
      change.counter
        ? [ports.customers.subscriptionCountWrite(merchantId, next.customerId, change.counter)]
        : [],
    );
    return next;
  });
}

/**
 * A charge of a subscription's latest invoice failed (declined off-session, or a bank debit that
 * failed later): period 0 leaves the subscription `incomplete` until the invoice is paid or 23 h
 * pass; a later period makes it `past_due`. `send_invoice` subscriptions never change for it. The
 * failed attempt is then recorded for dunning (its event, its retries).
 */
export async function onChargeFailed(
  ports: BillingPorts,
  merchantId: string,
  invoiceId: string,
  failure: FailedAttempt,
) {
  const invoice = (await ports.invoices.invoices.read(merchantId, invoiceId))?.value;
  if (!invoice?.subscriptionId || invoice.status !== "open") return;
  // A change invoiced at once is voided when its charge fails (the change is refused): no dunning.
  if (invoice.billingReason === "subscription_update") return;
  const subscriptionId = invoice.subscriptionId;
  // An early renewal's charge, before its period: the buyer pays on the invoice's page, and the
  // period's start charges it as the renewal if not (`chargeUnpaidPrepaid`); nothing fails yet.
  if (
    (await ports.subscriptions.read(merchantId, subscriptionId))?.value.renewedEarly?.invoiceId === invoiceId
  )
    return;
  let first = false;
  let testClockId: string | undefined;
  const moved = await move(ports, merchantId, subscriptionId, (subscription) => {
    if (subscription.latestInvoiceId !== invoiceId) return undefined;
    if (subscription.collectionMethod !== "charge_automatically") return undefined;
    first = invoice.periodStart === periodOf(periodRule(subscription), 0).start;
    testClockId = subscription.testClockId;
    if (first) {
      return subscription.status === "active" || subscription.status === "scheduled"
        ? { status: "incomplete", event: "updated" }
        : undefined;
    }
    return subscription.status === "active" ? { status: "past_due", event: "past_due" } : undefined;
  });
  await recordFailedAttempt(ports, merchantId, invoiceId, failure);
  const stillIncomplete =
    moved?.status === "incomplete" ||
    (first && (await ports.subscriptions.read(merchantId, subscriptionId))?.value.status === "incomplete");
  if (!stillIncomplete) return;
  // Planned again on a redelivery (a crash after the move): the name makes it harmless.
  await ports.scheduler.scheduleOnce(
    incompleteExpirySchedule(
      {
        kind: "subscription.incomplete_expiry",
        merchantId,
        subscriptionId,
        invoiceId,
        ...(testClockId ? { testClockId } : {}),
      },
      invoice.issuedAt ?? invoice.createdAt,
    ),
  );
}

/**
 * The subscription's latest invoice was paid: a past_due (`subscription.recovered`) or incomplete
 * subscription is active again.
 */
export async function onInvoicePaid(
  ports: BillingPorts,
  merchantId: string,
  invoice: { id: string; subscriptionId?: string | undefined },
) {
  if (!invoice.subscriptionId) return;
  await move(ports, merchantId, invoice.subscriptionId, (subscription) =>
    subscription.latestInvoiceId === invoice.id &&
    (subscription.status === "past_due" || subscription.status === "incomplete")
      ? { status: "active", event: subscription.status === "past_due" ? "recovered" : "updated" }
      : undefined,
  );
}

/**
 * 23 h after a first invoice's charge failed: if the subscription is still incomplete, the invoice is
 * voided and the subscription is `incomplete_expired` (nothing more is billed).
 */
export async function expireIncomplete(
  ports: BillingPorts,
  merchantId: string,
  subscriptionId: string,
  invoiceId: string,
) {
  const found = await ports.subscriptions.read(merchantId, subscriptionId);
  if (found?.value.status !== "incomplete" || found.value.latestInvoiceId !== invoiceId) return;
  const invoice = (await ports.invoices.invoices.read(merchantId, invoiceId))?.value;
  // Paid in time: its invoice.paid reaction makes the subscription active.
  if (invoice?.status === "paid") return;
  // Voided first: a crash before the subscription's move finds it void and moves on.
  if (invoice?.status === "open") await voidInvoice(ports.invoices, merchantId, invoiceId);
  const now = await nowOf(ports, merchantId, found.value);
  await move(ports, merchantId, subscriptionId, (subscription) =>
    subscription.status === "incomplete" && subscription.latestInvoiceId === invoiceId
      ? {
          status: "incomplete_expired",
          event: "updated",
          fields: { nextBillingAt: null, endedAt: now.toISOString() },
          counter: -1,
        }
      : undefined,
  );
}
