/**
 * Renewing early (issue 15 §2): the buyer pays the next period now, from the renew page a renewal
 * reminder links. The period's invoice is billed as the billing run would bill it at the period's
 * start — same lines, taxes and discounts (`periodInvoice`), same period claim — plus the buyer's
 * discount code, in one transaction with the claim and the subscription's next state (conditioned on
 * its version). The claim is what keeps "one invoice per period": the period's start finds the
 * subscription `renewedEarly` and only moves it into the period (`nextStep`'s `start_prepaid`).
 *
 * The code is redeemed first (the conditional increment of discount-codes/service.ts, race-free) and
 * given back when the invoice is not written; it discounts this invoice only, whatever its duration.
 * The invoice is then collected like the run's: finalized (credit applied), paid at once when nothing
 * is due, sent (`send_invoice`), or charged off-session on the saved card. A decline is the buyer's
 * to fix on the invoice's hosted page: the period stays renewed, the subscription untouched (its
 * current period is paid); still unpaid when the period starts, it is charged then like any renewal
 * (billing.ts). A second post finds the period renewed and only finishes collecting it.
 */
import {
  ConflictError,
  NotFoundError,
  type PaymentDeclinedError,
  ValidationError,
} from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { paymentInFlight } from "../domain/invoice-lifecycle.ts";
import type { DiscountRequest } from "../invoices/build.ts";
import type { StoredInvoice } from "../invoices/ports.ts";
import { createInvoice, finalizeInvoice, payNothingDue, sendInvoice } from "../invoices/service.ts";
import {
  type DiscountCodePorts,
  redeemDiscountCode,
  releaseDiscountCode,
} from "../discount-codes/service.ts";
import type { Versioned } from "../domain/records.ts";
import { type BillingPorts, chargeOffSession } from "./billing.ts";
import { periodInvoice } from "./period-invoice.ts";
import { type InvoicePreview, previewInvoice } from "./upcoming.ts";
import { presentSubscription, type StoredSubscription } from "./subscription.ts";

export type RenewEarlyPorts = Pick<
  BillingPorts,
  "subscriptions" | "invoices" | "payments" | "paymentMethods"
> & {
  discountCodes: DiscountCodePorts;
};

/** Whether the subscription may renew early now: the period it would bill, or why not (in the buyer's words). */
export function earlyRenewal(
  subscription: StoredSubscription,
  now: Date,
): { period: number } | { renewed: string } | { refused: string } {
  const { status, nextPeriod, nextBillingAt } = subscription;
  if (subscription.renewedEarly?.period === nextPeriod)
    return { renewed: subscription.renewedEarly.invoiceId };
  const why: Partial<Record<StoredSubscription["status"], string>> = {
    canceled: "This subscription is canceled.",
    ended: "This subscription has ended.",
    incomplete: "This subscription's first payment is not complete yet.",
    incomplete_expired: "This subscription's first payment was never completed.",
    trialing: "This subscription is in its free trial: it renews at the trial's end.",
    paused: "This subscription is paused.",
    past_due: "This subscription has an unpaid invoice: please pay it first.",
    scheduled: "This subscription has not started yet.",
  };
  const refused =
    why[status] ??
    (subscription.cancelAtPeriodEnd
      ? "This subscription cancels at the end of its period: there is no renewal to pay."
      : subscription.billingCycles !== null && subscription.cyclesBilled >= subscription.billingCycles
        ? "This subscription has billed all its periods: there is no renewal to pay."
        : subscription.pauseAt
          ? "This subscription pauses at the end of its period."
          : !nextBillingAt || Date.parse(nextBillingAt) <= now.getTime()
            ? "This subscription renews now: its invoice is on its way."
            : undefined);
  return refused ? { refused } : { period: nextPeriod };
}

/** The renewal the page offers: the next period's invoice as billing will price it (credit balance applied). */
export async function renewalPreview(
  ports: RenewEarlyPorts,
  merchantId: string,
  subscription: StoredSubscription,
  period: number,
): Promise<InvoicePreview> {
  const { request, fields, period: dates } = periodInvoice(subscription, period);
  const { invoices } = ports;
  const now = (await invoices.customerClock(merchantId, subscription.customerId)).now();
  const balance = await invoices.customerBalance(merchantId, subscription.customerId, subscription.currency);
  const { preview } = await previewInvoice(
    invoices.catalog,
    merchantId,
    request,
    { ...fields, billingAt: dates.start },
    balance,
    now,
  );
  return preview;
}

/** What renewing early reached. */
export type RenewOutcome =
  /** Paid now (charged, or nothing due). */
  | { state: "paid"; invoice: StoredInvoice }
  /** To pay on the invoice's hosted page: sent (`send_invoice`), no card saved, or the card declined. */
  | { state: "to_pay"; invoice: StoredInvoice; declined?: string }
  /** A charge is under way (another request's, or unanswered): its events settle it. */
  | { state: "processing"; invoice: StoredInvoice };

/** The buyer's subscription (another customer's is a 404, as an unknown one). */
export async function customersSubscription(
  ports: Pick<RenewEarlyPorts, "subscriptions">,
  merchantId: string,
  customerId: string,
  subscriptionId: string,
): Promise<Versioned<StoredSubscription>> {
  const found = await ports.subscriptions.read(merchantId, subscriptionId);
  if (!found || found.value.customerId !== customerId) throw new NotFoundError("Subscription");
  return found;
}

/**
 * Bills the subscription's next period now with `code` (if given) and collects it. A code that does
 * not apply is a `ValidationError`/`ConflictError` on `code` with nothing written; a subscription that
 * cannot renew early a `ConflictError` saying why.
 */
export async function renewEarly(
  ports: RenewEarlyPorts,
  merchantId: string,
  customerId: string,
  subscriptionId: string,
  code: string | undefined,
): Promise<RenewOutcome> {
  const found = await customersSubscription(ports, merchantId, customerId, subscriptionId);
  const now = (await ports.invoices.customerClock(merchantId, customerId)).now();
  const offer = earlyRenewal(found.value, now);
  if ("renewed" in offer) return collectEarly(ports, merchantId, found.value, offer.renewed);
  if ("refused" in offer) throw new ConflictError(offer.refused);
  const redeemed = code ? await redeem(ports, merchantId, found.value, code) : undefined;
  let invoiceId: string;
  try {
    invoiceId = await bill(ports, merchantId, found, offer.period, redeemed?.discount);
  } catch (error) {
    if (redeemed) await releaseDiscountCode(ports.discountCodes, merchantId, redeemed.code);
    if (!(error instanceof ConflictError)) throw error;
    // A concurrent post (a double click) renewed it first: finish what it started, once.
    const again = await customersSubscription(ports, merchantId, customerId, subscriptionId);
    const renewed = earlyRenewal(again.value, now);
    if (!("renewed" in renewed)) throw error;
    return collectEarly(ports, merchantId, again.value, renewed.renewed);
  }
  return collectEarly(ports, merchantId, found.value, invoiceId);
}

/** The code redeemed for the subscription's currency, as the invoice's discount; a refusal names `code`. */
async function redeem(
  ports: RenewEarlyPorts,
  merchantId: string,
  subscription: StoredSubscription,
  code: string,
): Promise<{ code: string; discount: DiscountRequest }> {
  try {
    const terms = await redeemDiscountCode(ports.discountCodes, merchantId, code, {
      currency: subscription.currency,
    });
    return {
      code: terms.code,
      discount:
        terms.percentOff !== undefined
          ? { percentOff: terms.percentOff }
          : { amountOff: terms.amountOff ?? 0 },
    };
  } catch (error) {
    if (error instanceof ConflictError) throw new ValidationError([{ path: "code", message: error.message }]);
    throw error;
  }
}

/** Period `k`'s invoice (draft), its claim and the subscription's next state in one transaction. */
async function bill(
  ports: RenewEarlyPorts,
  merchantId: string,
  { value: subscription, version }: Versioned<StoredSubscription>,
  k: number,
  discount: DiscountRequest | undefined,
): Promise<string> {
  const { request, fields } = periodInvoice(subscription, k);
  const discounts = [...(request.discounts ?? []), ...(discount ? [discount] : [])];
  // The pending prorations are billed by this invoice, as by the run's: its transaction clears them.
  const { pendingLines: _, ...unpending } = subscription;
  const draft = await createInvoice(
    ports.invoices,
    merchantId,
    { ...request, ...(discounts.length ? { discounts } : {}) },
    {
      fields,
      changes: (invoice, at) => {
        const next: StoredSubscription = {
          ...unpending,
          cyclesBilled: subscription.cyclesBilled + 1,
          latestInvoiceId: invoice.id,
          renewedEarly: { period: k, invoiceId: invoice.id },
          updatedAt: at.toISOString(),
        };
        return [
          ports.subscriptions.claimPeriodWrite(merchantId, subscription.id, k, invoice.id),
          ...ports.subscriptions.replaceWrites(merchantId, next, version, [
            newEvent("subscription.updated", merchantId, subscription.id, at, {
              subscription: presentSubscription(next),
            }),
          ]),
        ];
      },
    },
  );
  return draft.id;
}

/**
 * Finishes the early period's invoice from whatever state it is in, each step guarded by its state
 * (so a second post, or a post after a crash, does nothing twice): finalize a draft; pay nothing due;
 * send once (`send_invoice`); charge the saved card once — never again after an attempt.
 */
async function collectEarly(
  ports: RenewEarlyPorts,
  merchantId: string,
  subscription: StoredSubscription,
  invoiceId: string,
): Promise<RenewOutcome> {
  let declined: PaymentDeclinedError | undefined;
  for (let round = 0; round < 5; round++) {
    const invoice = (await ports.invoices.invoices.read(merchantId, invoiceId))?.value;
    if (!invoice) throw new NotFoundError("Invoice");
    try {
      if (invoice.status === "draft") {
        await finalizeInvoice(ports.invoices, merchantId, invoiceId);
        continue;
      }
      if (invoice.status === "paid") return { state: "paid", invoice };
      if (invoice.status !== "open") throw new ConflictError(`The renewal's invoice is ${invoice.status}.`);
      if (invoice.amountRemaining === 0) {
        await payNothingDue(ports.invoices, merchantId, invoiceId);
        continue;
      }
      if (subscription.collectionMethod === "send_invoice") {
        if (!invoice.sentAt) await sendInvoice(ports.invoices, merchantId, invoiceId);
        return { state: "to_pay", invoice };
      }
      if (paymentInFlight(invoice.paymentLock, ports.invoices.clock.now()))
        return { state: "processing", invoice };
      if (declined || invoice.paymentAttempts)
        return { state: "to_pay", invoice, ...(declined ? { declined: declined.message } : {}) };
      const charged = await chargeOffSession(
        ports,
        merchantId,
        invoice,
        subscription.defaultPaymentMethodId ?? undefined,
      );
      // No card saved: no attempt was made; the hosted page takes one.
      if (charged.declined && !charged.methodId) return { state: "to_pay", invoice };
      declined = charged.declined;
    } catch (error) {
      // A concurrent post moved the invoice first: re-read and go on from where it left it.
      if (!(error instanceof ConflictError) || error.message.startsWith("The renewal's")) throw error;
    }
  }
  const invoice = (await ports.invoices.invoices.read(merchantId, invoiceId))?.value as StoredInvoice;
  return { state: "processing", invoice };
}
