/**
 * What mail about a subscription says, to its buyer and to its merchant alike: what is billed, how
 * much and how often, when, and how it is collected. The subscription is the one its event carries
 * (the API's `Subscription`, as it was when the event happened).
 */
import type { Customer } from "../customers/customer.ts";
import type { PaymentMethod } from "../customers/payment-method.ts";
import { localDate } from "../domain/calendar.ts";
import { formatDate, formatMoney, formatPercentage, formatQuantity } from "../domain/format.ts";
import { termDays } from "../domain/invoice-lifecycle.ts";
import { computeTotals } from "../domain/totals.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { intervalWords } from "../products/product.ts";
import { hasShortFirstPeriod, type PeriodRule, periodOf } from "../subscriptions/periods.ts";
import type { Subscription, SubscriptionDiscount, SubscriptionItem } from "../subscriptions/subscription.ts";
import { domainRecord, type NotificationEvent } from "./notification.ts";
import type { NotificationPorts } from "./ports.ts";

/** The subscription a `subscription.*` event carries: checked for the fields mail reads. */
export const subscriptionRecord = domainRecord<Subscription>("subscription", {
  id: "string",
  status: "string",
  customerId: "string",
  currency: "string",
  interval: "string",
  items: "array",
  startDate: "string",
  billingAnchorDay: "integer",
  cyclesBilled: "integer",
  collectionMethod: "string",
  discounts: "array",
  taxRateIds: "array",
});

/** Each item's amount per period and their sum, priced as its invoices price lines (before discounts and taxes). */
function periodAmounts(subscription: Pick<Subscription, "currency" | "items">) {
  const totals = computeTotals({
    currency: subscription.currency,
    lines: subscription.items.map(({ quantity, unitAmount }) => ({ quantity, unitAmount })),
  });
  return { lines: totals.lines.map((line) => line.amountSubtotal), subtotal: totals.subtotal };
}

/** The sum of its items per period: "€44.98 per month". */
export const amountPerPeriod = (
  subscription: Pick<Subscription, "currency" | "items" | "interval">,
): string =>
  `${formatMoney(periodAmounts(subscription).subtotal, subscription.currency)} ${intervalWords[subscription.interval].per}`;

/** "Pro plan × 2", or just "Support" for one. */
export const itemLabel = (item: SubscriptionItem): string =>
  `${item.description}${item.quantity === 1 ? "" : ` × ${formatQuantity(item.quantity)}`}`;

function discountText(discount: SubscriptionDiscount, currency: string): string {
  const off =
    discount.percentOff !== undefined
      ? `${formatPercentage(discount.percentOff)} off`
      : `${formatMoney(discount.amountOff ?? 0, currency)} off`;
  const when =
    discount.duration === "forever"
      ? "every invoice"
      : discount.duration === "once" || discount.durationInPeriods === 1
        ? "the first invoice"
        : `the first ${discount.durationInPeriods} invoices`;
  return `${off}${discount.code ? ` (code ${discount.code})` : ""} on ${when}`;
}

/** What is billed each period and how much: one line per item, the sum, then discounts and taxes. */
export function whatParagraphs(subscription: Subscription): string[] {
  const money = (amount: number) => formatMoney(amount, subscription.currency);
  const { lines } = periodAmounts(subscription);
  const { per } = intervalWords[subscription.interval];
  return [
    ...subscription.items.map((item, i) => `${itemLabel(item)}: ${money(lines[i] ?? 0)} ${per}.`),
    `Total: ${amountPerPeriod(subscription)}.`,
    ...(subscription.discounts.length > 0
      ? [
          `Discounts: ${subscription.discounts.map((d) => discountText(d, subscription.currency)).join("; ")}.`,
        ]
      : []),
    ...(subscription.taxRateIds.length > 0 ? ["Taxes apply as each invoice shows them."] : []),
  ];
}

/**
 * When it is billed: its start, the first or next billing date, the anchor day, how long it runs.
 * Dates are the merchant's local days (period dates are calendar dates, shown as such).
 */
export function scheduleParagraphs(
  subscription: Subscription,
  merchant: Pick<Merchant, "timeZone">,
): string[] {
  const trialEnd = subscription.trialEnd ?? undefined;
  // With a trial the periods start at its end.
  const rule: PeriodRule = {
    ...subscription,
    ...(trialEnd ? { startDate: localDate(new Date(trialEnd), merchant.timeZone) } : {}),
    timeZone: merchant.timeZone,
  };
  const date = (isoDate: string) => formatDate(isoDate, merchant.timeZone);
  const { adverb, period } = intervalWords[subscription.interval];
  const cycles = subscription.billingCycles;
  const waiting = subscription.status === "scheduled" || subscription.status === "trialing";
  // A subscription that has started billed its first period when it was created.
  const nextPeriod = waiting ? 0 : Math.max(subscription.cyclesBilled, 1);
  const nextDate = cycles !== null && nextPeriod >= cycles ? undefined : periodOf(rule, nextPeriod).startDate;
  const anchor = subscription.billingAnchorDay;
  return [
    subscription.status === "trialing" && trialEnd
      ? `Free trial until ${date(trialEnd)}: nothing is billed before.`
      : subscription.status === "scheduled"
        ? `Starts on ${date(subscription.startDate)}${trialEnd ? ` with a free trial until ${date(trialEnd)}: nothing is billed before` : ""}.`
        : `Started on ${date(subscription.startDate)}; its first period is billed now.`,
    ...(hasShortFirstPeriod(rule)
      ? [`The first period, until ${date(periodOf(rule, 0).endDate)}, is shorter and billed pro rata.`]
      : []),
    nextDate
      ? `${nextPeriod === 0 ? "First" : "Next"} billing date: ${date(nextDate)}.`
      : "No further billing date: this was its only period.",
    `Billed ${adverb} on day ${anchor}${anchor > 28 ? " (the last day of shorter months)" : ""}, ${
      cycles === null
        ? "until canceled"
        : `for ${cycles} ${period}${cycles === 1 ? "" : "s"} in all, ending on ${date(periodOf(rule, cycles - 1).endDate)}`
    }.`,
  ];
}

/**
 * How each invoice is collected: charged to the saved method (named when known) or emailed.
 * `whose` is "your" in the buyer's mail and "the customer's" in the merchant's.
 */
export function collectionParagraph(
  subscription: Subscription,
  method: PaymentMethod | undefined,
  whose: "your" | "the customer's",
): string {
  if (subscription.collectionMethod === "send_invoice") {
    const terms = subscription.paymentTerms;
    const due =
      terms === undefined
        ? ""
        : termDays[terms] === 0
          ? ", due on receipt"
          : `, due within ${termDays[terms]} days`;
    return whose === "your"
      ? `You'll receive an invoice by email for each period${due}.`
      : `The customer receives an invoice by email for each period${due}.`;
  }
  const to =
    method?.type === "card" && method.card
      ? `${whose} ${method.card.brand} card ending in ${method.card.last4}`
      : method?.type === "us_bank_account"
        ? `${whose} saved bank account`
        : `${whose} saved payment method`;
  return `Each invoice is charged automatically to ${to}.`;
}

/** The buyer's way to their customer portal, in every subscription email (a fresh link each time). */
export const portalParagraphs = (portalUrl: string | undefined): string[] =>
  portalUrl ? [`Manage your subscription and see your invoices in your account: ${portalUrl}`] : [];

/** The name mail gives the buyer. */
export const customerLabel = (
  customer: Pick<Customer, "email" | "name"> | undefined,
  subscription: Pick<Subscription, "customerId">,
) => (customer ? (customer.name ?? customer.email) : `Customer ${subscription.customerId}`);

/**
 * Who a subscription event's mail concerns: its merchant (which must exist: an event of a merchant
 * that cannot be read is retried) and its buyer (absent once deleted: a customer is deleted for
 * good, so the buyer's mail is left out rather than retried).
 */
export async function subscriptionParties(
  ports: NotificationPorts,
  event: NotificationEvent<{ subscription: Subscription }>,
) {
  const { subscription } = event.data;
  const [merchant, customer] = await Promise.all([
    ports.merchant(event.merchantId),
    ports.customer(event.merchantId, subscription.customerId),
  ]);
  if (!merchant) throw new Error(`The merchant of subscription ${subscription.id} is missing`);
  return { subscription, merchant, customer };
}

/** The method its invoices are charged to: its own, else the customer's default (as a charge picks it). */
export async function chargedMethod(
  ports: NotificationPorts,
  merchantId: string,
  subscription: Subscription,
  customer: Customer | undefined,
): Promise<PaymentMethod | undefined> {
  const methodId = subscription.defaultPaymentMethodId ?? customer?.defaultPaymentMethodId;
  if (subscription.collectionMethod !== "charge_automatically" || !methodId) return undefined;
  return ports.paymentMethod(merchantId, methodId);
}
