/**
 * A subscription's next invoice before it exists (issue 12 §2): what the next due instant bills, as
 * the engine's `step` bills it — the same period, items, pending prorations, discounts and taxes,
 * priced by the same money engine — with the customer's credit balance as it stands now.
 */
import { applyCreditBalance } from "../invoices/balance.ts";
import { type Catalog, type PricedLineRequest, priceContent } from "../invoices/build.ts";
import type { NewInvoice } from "../invoices/invoice.ts";
import { nextStep, prepaidStarted, resumedFrom } from "./next-step.ts";
import { type PeriodFields, periodInvoice, subscriptionPeriod } from "./period-invoice.ts";
import { type StoredSubscription, terminalSubscriptionStatuses } from "./subscription.ts";

/**
 * Period `k` as the next due instant that bills one bills it, by the engine's `nextStep` (resumed
 * there, for a pause that resumes by itself), or why none is billed. A trial's end is taken to bill:
 * the preview cannot know whether a method will be saved by then.
 */
export function nextBilled(
  subscription: StoredSubscription,
): { billed: StoredSubscription; k: number; at: string } | { none: string } {
  const k = subscription.nextPeriod;
  if (terminalSubscriptionStatuses.includes(subscription.status)) {
    return { none: `The subscription is ${subscription.status}: no further invoice is billed` };
  }
  const next = nextStep(subscription, { trialMayBill: true });
  switch (next.kind) {
    case "start_prepaid":
      // Renewed early: the invoice after it is the one billed at the prepaid period's end.
      return nextBilled(prepaidStarted(subscription, subscriptionPeriod(subscription, next.period)));
    case "cancel":
      return { none: "The subscription cancels at the end of its period: no further invoice is billed" };
    case "end":
      return { none: "The subscription ends after the cycles it billed: no further invoice is billed" };
    case "start_trial":
      // The trial's start bills nothing: period 0 is billed at its end.
      return { billed: subscription, k, at: next.trialEnd };
  }
  // Pausing now or paused: the next invoice is billed when it resumes by itself.
  if (next.kind === "pause" || (next.kind === "bill" && next.resuming)) {
    const resumesAt = subscription.resumesAt;
    if (!resumesAt) return { none: "The subscription is paused until resumed: no invoice is planned" };
    return { billed: resumedFrom(subscription, resumesAt), k, at: resumesAt };
  }
  if (!subscription.nextBillingAt) return { none: "No further invoice is planned" };
  return { billed: subscription, k, at: subscription.nextBillingAt };
}

/** An invoice as it would be billed: the invoice's content and money fields, without id, number or status. */
export type InvoicePreview = Record<string, unknown>;

/** What ties a preview to its subscription: the fields the billed invoice will have, and when it is billed. */
export type PreviewFields = Partial<PeriodFields> & {
  /** When it is billed (now, for a change invoiced at once). */
  billingAt: string;
};

/**
 * Prices an invoice request as `createInvoice` and the finalize would (content, then the credit
 * balance), writing nothing. `balance`: the customer's credit in its currency now; the preview
 * answers the credit left after it, so a second preview can follow the first.
 */
export async function previewInvoice(
  catalog: Pick<Catalog, "customer" | "product" | "taxRate" | "discountCode">,
  merchantId: string,
  request: NewInvoice,
  fields: PreviewFields,
  balance: number,
  now: Date,
): Promise<{ preview: InvoicePreview; balanceAfter: number }> {
  const { customer, content } = await priceContent(
    catalog,
    merchantId,
    request as NewInvoice & { lineItems: PricedLineRequest[] },
    now,
  );
  const credited = content.creditedToBalance ?? 0;
  const applied = applyCreditBalance(content.total, credited, balance);
  return {
    preview: {
      ...fields,
      customerId: content.customerId,
      customer,
      currency: content.currency,
      lineItems: content.lineItems,
      discounts: content.discounts,
      fees: content.fees,
      subtotal: content.subtotal,
      discountTotal: content.discountTotal,
      taxTotal: content.taxTotal,
      taxBreakdown: content.taxBreakdown,
      feeTotal: content.feeTotal,
      total: content.total,
      appliedBalance: applied.appliedBalance,
      amountDue: applied.amountDue,
      creditedToBalance: credited,
      ...(request.paymentTerms ? { paymentTerms: request.paymentTerms } : {}),
    },
    balanceAfter: applied.balanceAfter,
  };
}

/** The next period's invoice of a subscription as it stands, or why there is none. */
export function upcomingRequest(subscription: StoredSubscription) {
  const next = nextBilled(subscription);
  if ("none" in next) return next;
  const { request, fields } = periodInvoice(next.billed, next.k);
  return { request, fields: { ...fields, billingAt: next.at } };
}
