/**
 * What a subscription's period k is billed as (pure): the draft's lines, discounts and terms, priced
 * afterwards by the same money engine as any invoice (`priceContent`), and the fields that tie the
 * invoice to the period.
 *
 * - Every item is a line for the period, at the `unitAmount` kept from creation, taxed by the
 *   subscription's `taxRateIds`.
 * - A short period 0, and the short period a resumption after a pause begins with, is prorated per
 *   line (`prorateFrom`): the line bills the prorated amount
 *   once (quantity 1) and says so in its description; discounts and taxes apply after, so an
 *   `amountOff` discount is taken whole, never prorated.
 * - A discount applies by its duration: `once` to period 0, `repeating` to the first
 *   `durationInPeriods`, `forever` to every period. A code was redeemed once, at the subscription's
 *   creation: each period takes the discount's amounts, never the code again (which would redeem it
 *   once per period and fail once it expired). A discount added by a change counts its periods from
 *   the next one (`fromPeriod`).
 * - The prorations of changes made during the previous period (`pendingLines`) follow the items;
 *   the period's discounts and taxes apply to them as to any line.
 */
import type { DiscountRequest, PricedLineRequest } from "../invoices/build.ts";
import type { NewInvoice } from "../invoices/invoice.ts";
import type { StoredInvoice } from "../invoices/ports.ts";
import { localDate } from "../domain/calendar.ts";
import {
  type Period,
  type PeriodRule,
  periodFrom,
  periodOf,
  prorateFirstPeriod,
  prorateFrom,
  prorationNote,
} from "./periods.ts";
import type { StoredSubscription, SubscriptionDiscount, SubscriptionItem } from "./subscription.ts";

/** The rule of a subscription's periods: from its start date, or from its trial's end (the first period's start). */
export const periodRule = (subscription: StoredSubscription): PeriodRule => ({
  startDate: subscription.trialEnd
    ? localDate(new Date(subscription.trialEnd), subscription.timeZone)
    : subscription.startDate,
  billingAnchorDay: subscription.billingAnchorDay,
  interval: subscription.interval,
  timeZone: subscription.timeZone,
});

/** The resumption after a pause period `k` was billed from, if it was (periods before it run from the start). */
const resumptionOf = (subscription: StoredSubscription, k: number) =>
  subscription.resumed && k >= subscription.resumed.period ? subscription.resumed : undefined;

/** Period `k` of a subscription (0 first), counting on across pauses. */
export function subscriptionPeriod(subscription: StoredSubscription, k: number): Period {
  const resumed = resumptionOf(subscription, k);
  const rule = periodRule(subscription);
  return resumed ? periodFrom(rule, resumed.at, k - resumed.period) : periodOf(rule, k);
}

/** Whether a discount of the subscription applies to period `k` (0 first). */
export function discountApplies(discount: SubscriptionDiscount, k: number): boolean {
  // Counted from the period it was added for (a change adds one from the next period).
  const from = discount.fromPeriod ?? 0;
  switch (discount.duration) {
    case "once":
      return k === from;
    case "repeating":
      return k >= from && k < from + (discount.durationInPeriods ?? 0);
    case "forever":
      return k >= from;
  }
}

export const discountRequest = (discount: SubscriptionDiscount): DiscountRequest =>
  discount.percentOff !== undefined
    ? { percentOff: discount.percentOff }
    : { amountOff: discount.amountOff ?? 0 };

/** What ties an invoice to the period it bills. */
export type PeriodFields = Pick<
  StoredInvoice,
  "subscriptionId" | "billingReason" | "periodStart" | "periodEnd" | "testClockId"
>;

export interface PeriodInvoice {
  period: Period;
  /** The draft as a request: content priced like any invoice's, and its terms. */
  request: NewInvoice;
  fields: PeriodFields;
}

function line(
  subscription: StoredSubscription,
  item: SubscriptionItem,
  k: number,
  period: Period,
): PricedLineRequest {
  const common = {
    ...(item.productId ? { productId: item.productId } : {}),
    taxRateIds: subscription.taxRateIds,
    period: { start: period.start, end: period.end },
  };
  const resumed = resumptionOf(subscription, k);
  const rule = periodRule(subscription);
  const prorated = resumed
    ? k === resumed.period
      ? prorateFrom(rule, resumed.at, item)
      : null
    : k === 0
      ? prorateFirstPeriod(rule, item)
      : null;
  if (!prorated) {
    return { description: item.description, quantity: item.quantity, unitAmount: item.unitAmount, ...common };
  }
  const times = item.quantity === 1 ? "" : ` × ${item.quantity}`;
  return {
    description: `${item.description}${times} (${prorationNote(prorated)})`,
    quantity: 1,
    unitAmount: prorated.amount,
    ...common,
  };
}

/** The invoice of period `k` of a subscription. */
export function periodInvoice(subscription: StoredSubscription, k: number): PeriodInvoice {
  const period = subscriptionPeriod(subscription, k);
  const discounts = subscription.discounts.filter((d) => discountApplies(d, k)).map(discountRequest);
  const terms =
    subscription.collectionMethod === "charge_automatically"
      ? // Charged at once: nothing to wait for, as Stripe's automatically collected invoices.
        { paymentTerms: "due_on_receipt" as const }
      : subscription.paymentTerms
        ? { paymentTerms: subscription.paymentTerms }
        : {};
  return {
    period,
    request: {
      customerId: subscription.customerId,
      currency: subscription.currency,
      // The period's items, then the prorations of changes made since the last period was billed.
      lineItems: [
        ...subscription.items.map((item) => line(subscription, item, k, period)),
        ...(subscription.pendingLines ?? []),
      ],
      ...(discounts.length ? { discounts } : {}),
      ...terms,
      metadata: {},
    },
    fields: {
      subscriptionId: subscription.id,
      billingReason: "subscription_cycle",
      periodStart: period.start,
      periodEnd: period.end,
      ...(subscription.testClockId ? { testClockId: subscription.testClockId } : {}),
    },
  };
}
