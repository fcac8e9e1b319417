/**
 * An accepted quote's money after its first invoice (issue 14 §2): its payment plan's later
 * installments and its status.
 *
 * - Installments 2..n are one-time schedules named `{quoteId}-installment-{k}`, at the acceptance's
 *   local time of day `dueAfterDays` calendar days later (merchant's time zone), on the customer's
 *   clock's scheduler (a test clock's due partition for its customers). They are planned once
 *   installment 1 is paid (its `invoice.paid`), or at acceptance when the quote collects no payment
 *   (every invoice is then sent); planning twice is harmless (the names).
 * - A firing issues installment k's invoice exactly once: the invoice's creation and the quote's
 *   record of it (`planProgress.installments[k].invoiceId`) are one transaction on the quote's
 *   version, so a second firing finds it issued and only finishes collecting it. Its content is the
 *   plan's (`plannedPayments`, plan.ts), frozen: never re-priced.
 * - Collecting: finalized, then charged off-session on the card saved at the first payment
 *   (`charge_automatically`), or sent with the merchant's default terms (`send_invoice`, or a quote
 *   that collects no payment). A charge is made once (never when an attempt was made: its outcome is
 *   the installment's); a decline follows the merchant's dunning retries (subscriptions/dunning.ts,
 *   whose owner for these invoices is `planDunningOwner`), and after the last one the invoice stays
 *   open and the installment and the plan are `past_due` — nothing is cancelled.
 * - The plan's status follows its invoices' `invoice.paid`: pending until installment 1 is paid,
 *   active while later ones are due, past_due while one is, paid when all are.
 */
import * as z from "zod";
import type { OneTimeSchedule } from "../aws/scheduler.ts";
import { addDays, localDate, sameLocalTimeDaysLater } from "../domain/calendar.ts";
import { ConflictError, retryOnConflict } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import type { Versioned } from "../domain/records.ts";
import type { NewInvoice } from "../invoices/invoice.ts";
import type { StoredInvoice } from "../invoices/ports.ts";
import {
  createInvoice,
  type FixedContent,
  finalizeInvoice,
  payNothingDue,
  sendInvoice,
} from "../invoices/service.ts";
import { eventMessage } from "../outbox/message.ts";
import { type BillingPorts, chargeOffSession } from "../subscriptions/billing.ts";
import {
  cancelRetries,
  type DunningOwner,
  invoicePaymentFailedEvent,
  recordFailedAttempt,
} from "../subscriptions/dunning.ts";
import { type TimerRegistrations, timerQueue, work } from "../timers/registry.ts";
import type { InstallmentInvoice } from "./plan.ts";
import { type QuoteAcceptancePorts, startQuoteSubscription } from "./acceptance-effects.ts";
import type { QuoteStore, StoredQuote } from "./ports.ts";
import { type InstallmentStatus, type PlanProgress, type PlanStatus, presentQuote } from "./quote.ts";
import { lazy } from "../lazy.ts";

/** The billing engine's ports (invoices, payments, saved methods, scheduler, dunning) and the quotes. */
export interface QuoteBillingPorts extends BillingPorts {
  quotes: Pick<QuoteStore, "read" | "replace" | "replaceWrite" | "eventWrite">;
  /** What acceptance sets off besides invoices: codes redeemed, the recurring lines' subscription. */
  effects: QuoteAcceptancePorts;
}

/** How an invoice of the quote is collected: paid by the buyer on the quote's page, charged, or sent. */
export type Collection = "page" | "charge" | "send";

/** What an installment's one-time schedule delivers. */
export const quoteInstallmentMessage = lazy(() =>
  z.object({
    kind: z.literal("quote.installment"),
    merchantId: z.string(),
    quoteId: z.string(),
    /** 1-based: installment `installment` of the plan (2 or later). */
    installment: z.number().int().min(2),
    /** The customer's test clock: the firing runs on its time. */
    testClockId: z.string().optional(),
  }),
);

export const installmentScheduleName = (quoteId: string, k: number) => `${quoteId}-installment-${k}`;

/** The invoice content of installment `k` (1-based) as the plan froze it: one line, "Installment k of n". */
export function installmentContent(quote: StoredQuote, k: number): FixedContent | undefined {
  const planned = quote.plannedPayments?.installments[k - 1];
  if (!planned) return undefined;
  const { invoice }: { invoice: InstallmentInvoice } = planned;
  return {
    customer: quote.customer,
    content: {
      customerId: quote.customerId,
      currency: quote.currency,
      lineItems: [{ ...invoice.line, taxRateIds: [] }],
      discounts: [],
      fees: [],
      subtotal: invoice.subtotal,
      discountTotal: 0,
      taxTotal: invoice.taxTotal,
      taxBreakdown: [],
      feeTotal: 0,
      total: invoice.total,
      creditedToBalance: 0,
    },
  };
}

/** How installment `k` (1-based) is collected: the first on the page (when paid there), the rest as the plan says. */
export function collectionOf(quote: StoredQuote, k: number): Collection {
  if (!quote.collectPayment) return "send";
  if (k === 1) return "page";
  return quote.paymentPlan?.collection === "send_invoice" ? "send" : "charge";
}

/** The plan's state right after acceptance: installment 1 invoiced, the others upcoming, each with its due date. */
export function acceptedProgress(quote: StoredQuote, firstInvoiceId: string, timeZone: string): PlanProgress {
  const day = localDate(new Date(quote.acceptedAt ?? quote.updatedAt), timeZone);
  return {
    status: "pending",
    installments: (quote.paymentPlan?.installments ?? []).map((installment, i) => ({
      dueDate: addDays(day, installment.dueAfterDays),
      ...(i === 0 ? { invoiceId: firstInvoiceId, status: "open" as const } : { status: "upcoming" as const }),
    })),
  };
}

/** The plan's status from its installments' (the first unpaid keeps it pending). */
function planStatusOf(installments: PlanProgress["installments"]): PlanStatus {
  if (installments.every((i) => i.status === "paid")) return "paid";
  if (installments[0]?.status !== "paid") return "pending";
  return installments.some((i) => i.status === "past_due") ? "past_due" : "active";
}

/**
 * Moves installment `k`'s state (and the plan's with it) on the quote's version, with `quote.updated`;
 * nothing when `decide` leaves it as it is.
 */
async function moveInstallment(
  ports: QuoteBillingPorts,
  merchantId: string,
  quoteId: string,
  k: number,
  decide: (current: InstallmentStatus | undefined) => InstallmentStatus | undefined,
) {
  await retryOnConflict(5, async () => {
    const found = await ports.quotes.read(merchantId, quoteId);
    const progress = found?.value.planProgress;
    const current = progress?.installments[k - 1];
    if (!found || !progress || !current) return;
    const status = decide(current.status);
    if (!status || status === current.status) return;
    const installments = progress.installments.map((i, at) => (at === k - 1 ? { ...i, status } : i));
    const now = (await ports.invoices.customerClock(merchantId, found.value.customerId)).now();
    const next: StoredQuote = {
      ...found.value,
      planProgress: { status: planStatusOf(installments), installments },
      updatedAt: now.toISOString(),
    };
    await ports.quotes.replace(
      merchantId,
      next,
      found.version,
      newEvent("quote.updated", merchantId, quoteId, now, { quote: presentQuote(next) }),
    );
  });
}

/** Installments 2..n's schedules; one already due (an acceptance recorded late) is issued at once. */
export async function planInstallments(ports: QuoteBillingPorts, merchantId: string, quote: StoredQuote) {
  const plan = quote.paymentPlan;
  if (!plan || !quote.acceptedAt) return;
  const timeZone = (await ports.invoices.merchants.readMerchant(merchantId))?.value.timeZone ?? "UTC";
  const now = (await ports.invoices.customerClock(merchantId, quote.customerId)).now();
  for (const [i, installment] of plan.installments.entries()) {
    const k = i + 1;
    if (k === 1) continue;
    const at = sameLocalTimeDaysLater(new Date(quote.acceptedAt), installment.dueAfterDays, timeZone);
    if (at.getTime() <= now.getTime()) {
      await issueInstallment(ports, merchantId, quote.id, k);
      continue;
    }
    await ports.scheduler.scheduleOnce(installmentSchedule(merchantId, quote, k, at));
  }
}

/** Installment k's one-time schedule, at `at`. */
export const installmentSchedule = (
  merchantId: string,
  quote: Pick<StoredQuote, "id" | "testClockId">,
  k: number,
  at: Date,
): OneTimeSchedule => ({
  name: installmentScheduleName(quote.id, k),
  at,
  queue: timerQueue,
  payload: {
    kind: "quote.installment",
    merchantId,
    quoteId: quote.id,
    installment: k,
    ...(quote.testClockId ? { testClockId: quote.testClockId } : {}),
  } satisfies z.input<ReturnType<typeof quoteInstallmentMessage>>,
});

/**
 * Creates a quote's invoice in one transaction with the quote's record of it (`claim`: the quote's
 * next state, written only if the quote is still at `version`): a redelivery that lost the race
 * finds the invoice recorded and creates nothing.
 */
export async function createQuoteInvoice(
  ports: QuoteBillingPorts,
  merchantId: string,
  { value: quote, version }: Versioned<StoredQuote>,
  invoice: { fixed: FixedContent; installment?: { number: number; of: number }; collection: Collection },
  claim: (invoiceId: string, at: Date) => StoredQuote,
): Promise<StoredInvoice> {
  // More follows: later installments, or the subscription of the recurring lines.
  const more =
    (invoice.installment !== undefined && invoice.installment.number < invoice.installment.of) ||
    quote.recurringLines.some(Boolean);
  const request: NewInvoice = {
    customerId: quote.customerId,
    currency: quote.currency as NewInvoice["currency"],
    lineItems: [],
    // Charged or paid at once; sent invoices get the merchant's default terms at finalize.
    ...(invoice.collection === "send" ? {} : { paymentTerms: "due_on_receipt" as const }),
    metadata: {},
  };
  const created = await createInvoice(ports.invoices, merchantId, request, {
    fields: {
      quoteId: quote.id,
      ...(invoice.installment ? { installment: invoice.installment } : {}),
      // Paying it on the page keeps the card for what follows (later installments, a subscription).
      ...(invoice.collection === "page" && more ? { savesCard: true as const } : {}),
    },
    fixed: invoice.fixed,
    changes: (draft, at) => {
      const next = claim(draft.id, at);
      return [
        ports.quotes.replaceWrite(merchantId, next, version),
        ports.quotes.eventWrite(
          newEvent("quote.updated", merchantId, quote.id, at, { quote: presentQuote(next) }),
        ),
      ];
    },
  });
  return created as StoredInvoice;
}

/** Installment k's schedule fires: its invoice issued once (claimed on the quote), then collected. */
export async function issueInstallment(
  ports: QuoteBillingPorts,
  merchantId: string,
  quoteId: string,
  k: number,
): Promise<void> {
  const invoiceId = await retryOnConflict(5, async () => {
    const found = await ports.quotes.read(merchantId, quoteId);
    const quote = found?.value;
    const progress = quote?.planProgress;
    if (!found || quote?.status !== "accepted" || !progress || !progress.installments[k - 1])
      return undefined;
    const known = progress.installments[k - 1]?.invoiceId;
    if (known) return known;
    const fixed = installmentContent(quote, k);
    if (!fixed) return undefined;
    const n = progress.installments.length;
    const created = await createQuoteInvoice(
      ports,
      merchantId,
      found,
      { fixed, installment: { number: k, of: n }, collection: collectionOf(quote, k) },
      (id, at) => {
        const installments = progress.installments.map((i, at) =>
          at === k - 1 ? { ...i, invoiceId: id, status: "open" as const } : i,
        );
        return {
          ...quote,
          planProgress: { ...progress, installments },
          updatedAt: at.toISOString(),
        };
      },
    );
    return created.id;
  });
  if (invoiceId) await collectQuoteInvoice(ports, merchantId, quoteId, invoiceId);
}

/**
 * Finishes a quote's invoice from whatever state it is in: a draft is finalized; one owing nothing is
 * paid as it is; then it is left for the buyer's page, sent once, or charged once.
 */
export async function collectQuoteInvoice(
  ports: QuoteBillingPorts,
  merchantId: string,
  quoteId: string,
  invoiceId: string,
): Promise<void> {
  for (let round = 0; round < 4; round++) {
    const invoice = (await ports.invoices.invoices.read(merchantId, invoiceId))?.value;
    const quote = (await ports.quotes.read(merchantId, quoteId))?.value;
    if (!invoice || !quote) return;
    try {
      if (invoice.status === "draft") {
        await finalizeInvoice(ports.invoices, merchantId, invoiceId);
        continue;
      }
      if (invoice.status !== "open") return;
      if (invoice.amountRemaining === 0) {
        await payNothingDue(ports.invoices, merchantId, invoiceId);
        return;
      }
      const collection = collectionOf(quote, invoice.installment?.number ?? 1);
      if (collection === "send" && !invoice.sentAt) await sendInvoice(ports.invoices, merchantId, invoiceId);
      if (collection !== "charge" || invoice.paymentAttempts || invoice.paymentLock) return;
      await chargeInstallment(ports, merchantId, quote, invoice);
      return;
    } catch (error) {
      // A concurrent collector moved the invoice first: re-read and go on from where it left it.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

/** The card a later installment is charged on: the one saved at the first payment, else the customer's default. */
async function quoteMethodId(ports: QuoteBillingPorts, merchantId: string, quote: StoredQuote) {
  return (
    quote.paymentMethodId ??
    (await ports.invoices.catalog.customer(merchantId, quote.customerId))?.defaultPaymentMethodId
  );
}

/** One off-session charge of an installment's invoice on the quote's card; a decline is recorded for dunning. */
async function chargeInstallment(
  ports: QuoteBillingPorts,
  merchantId: string,
  quote: StoredQuote,
  invoice: StoredInvoice,
) {
  const charged = await chargeOffSession(ports, merchantId, invoice, quote.paymentMethodId);
  if (!charged.declined) return;
  await recordFailedAttempt(ports, merchantId, invoice.id, {
    declineCode: charged.declined.declineCode,
    ...(charged.methodId ? { methodId: charged.methodId } : {}),
  });
}

/**
 * The dunning owner of an accepted quote's installment invoice charged automatically (installments
 * 2..n of a plan collected by charge): retried on the quote's card; after the last retry the
 * invoice stays open and the installment and the plan are `past_due`.
 */
export async function planDunningOwner(
  ports: QuoteBillingPorts,
  merchantId: string,
  invoice: StoredInvoice,
): Promise<DunningOwner | undefined> {
  if (!invoice.quoteId || !invoice.installment) return undefined;
  const quote = (await ports.quotes.read(merchantId, invoice.quoteId))?.value;
  if (!quote) return undefined;
  const k = invoice.installment.number;
  return {
    now: (await ports.invoices.customerClock(merchantId, quote.customerId)).now(),
    automatic: collectionOf(quote, k) === "charge",
    retries: true,
    live: quote.status === "accepted",
    methodId: () => quoteMethodId(ports, merchantId, quote),
    charge: async (open) => {
      try {
        await chargeInstallment(ports, merchantId, quote, open);
      } catch (error) {
        // An attempt already under way holds the invoice: its outcome is the installment's.
        if (!(error instanceof ConflictError)) throw error;
      }
    },
    finalAction: () =>
      moveInstallment(ports, merchantId, quote.id, k, (status) =>
        status === "open" ? "past_due" : undefined,
      ),
  };
}

/**
 * A quote's invoice was paid: its retries not yet run are cancelled, its installment is paid, and —
 * its first invoice — what follows the first payment starts: the plan's later installments and the
 * recurring lines' subscription.
 */
export async function quoteInvoicePaid(
  ports: QuoteBillingPorts,
  merchantId: string,
  invoice: { id: string; quoteId: string; installment?: { number: number } | undefined },
) {
  await cancelRetries(ports, merchantId, invoice.id);
  const k = invoice.installment?.number;
  if (k !== undefined)
    await moveInstallment(ports, merchantId, invoice.quoteId, k, (status) =>
      status === "open" || status === "past_due" ? "paid" : undefined,
    );
  const quote = (await ports.quotes.read(merchantId, invoice.quoteId))?.value;
  if (quote?.status !== "accepted" || quote.invoiceId !== invoice.id) return;
  await planInstallments(ports, merchantId, quote);
  // The recurring lines' subscription is charged on the card the first payment kept: recorded on the
  // quote (the card form), else the customer's default (Checkout saves it there). Neither yet — the
  // card form records it just after this event may run — and keeping the card starts it instead.
  const paymentMethodId = await quoteMethodId(ports, merchantId, quote);
  if (paymentMethodId) await startQuoteSubscription(ports.effects, merchantId, quote.id, { paymentMethodId });
}

const invoicePaidEvent = lazy(() =>
  eventMessage().extend({
    data: z.object({
      invoice: z.object({
        id: z.string(),
        quoteId: z.string().optional(),
        installment: z.object({ number: z.number().int() }).optional(),
      }),
    }),
  }),
);

export interface QuotePlanTimerPorts {
  /** Built on first use: most messages on the billing queue are not a quote's. */
  quoteBilling: () => QuoteBillingPorts;
}

export function quotePlanTimers(ports: QuotePlanTimerPorts): TimerRegistrations {
  return {
    timers: {
      "quote.installment": work(quoteInstallmentMessage, (message) =>
        issueInstallment(ports.quoteBilling(), message.merchantId, message.quoteId, message.installment),
      ),
    },
    events: {
      "invoice.paid": work(invoicePaidEvent, async (event) => {
        const { id, quoteId, installment } = event.data.invoice;
        if (quoteId)
          await quoteInvoicePaid(ports.quoteBilling(), event.merchantId, { id, quoteId, installment });
      }),
      // A charge that failed after its attempt returned (a bank debit): recorded like a decline.
      "payment.failed": work(invoicePaymentFailedEvent, async (event) => {
        const { invoiceId, failure } = event.data.payment;
        if (!invoiceId) return;
        const billing = ports.quoteBilling();
        const invoice = (await billing.invoices.invoices.read(event.merchantId, invoiceId))?.value;
        if (!invoice?.quoteId) return;
        await recordFailedAttempt(billing, event.merchantId, invoiceId, {
          declineCode: failure?.declineCode ?? "payment_failed",
        });
      }),
    },
  };
}
