/**
 * What mail about a subscription says, to its buyer and to its merchant alike: what is billed, how
 * much and how often, when, and how it is collected, in the reader's words (`tr`). The subscription
 * is the one its event carries (the API's `Subscription`, as it was when the event happened).
 */
import type { Customer } from "../customers/customer.ts";
import type { PaymentMethod } from "../customers/payment-method.ts";
import { localDate } from "../domain/calendar.ts";
import { termDays } from "../domain/invoice-lifecycle.ts";
import type { Translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { hasShortFirstPeriod, type PeriodRule, periodOf } from "../subscriptions/periods.ts";
import type { Subscription, SubscriptionDiscount } from "../subscriptions/subscription.ts";
import { domainRecord, type NotificationEvent } from "./notification.ts";
import type { NotificationPorts } from "./ports.ts";
import { amountPerPeriod, itemLabel, perInterval, periodAmounts } from "../subscriptions/wording.ts";
import { lazy } from "../lazy.ts";

/** The subscription a `subscription.*` event carries: checked for the fields mail reads. */
export const subscriptionRecord = lazy(() =>
  domainRecord<Subscription>("subscription", {
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
  }),
);

function discountText(tr: Translator, discount: SubscriptionDiscount, currency: string): string {
  const off =
    discount.percentOff !== undefined
      ? tr.percentage(discount.percentOff)
      : tr.money(discount.amountOff ?? 0, currency);
  const once = discount.duration === "once" || discount.durationInPeriods === 1;
  const when = tr.t("email.subscription.discountWhen", {
    duration: discount.duration === "forever" ? "forever" : once ? "once" : "repeating",
    count: discount.durationInPeriods ?? 0,
  });
  const code = discount.code ? tr.t("email.subscription.discountCode", { code: discount.code }) : "";
  return tr.t("email.subscription.discount", { off, code, when });
}

/** What is billed each period and how much: one line per item, the sum, then discounts and taxes. */
export function whatParagraphs(tr: Translator, subscription: Subscription): string[] {
  const { lines } = periodAmounts(subscription);
  return [
    ...subscription.items.map((item, i) =>
      tr.t("email.line", {
        item: itemLabel(tr, item),
        amount: perInterval(tr, lines[i] ?? 0, subscription.currency, subscription.interval),
      }),
    ),
    tr.t("email.subscription.total", { amount: amountPerPeriod(subscription, tr) }),
    ...(subscription.discounts.length > 0
      ? [
          tr.t("email.subscription.discounts", {
            discounts: subscription.discounts
              .map((d) => discountText(tr, d, subscription.currency))
              .join("; "),
          }),
        ]
      : []),
    ...(subscription.taxRateIds.length > 0 ? [tr.t("email.subscription.taxes")] : []),
  ];
}

/**
 * When it is billed: its start, the first or next billing date, the anchor day, how long it runs.
 * Dates are the merchant's local days (period dates are calendar dates, shown as such).
 */
export function scheduleParagraphs(
  tr: Translator,
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
  const date = (isoDate: string) => tr.date(isoDate, merchant.timeZone);
  const cycles = subscription.billingCycles;
  const waiting = subscription.status === "scheduled" || subscription.status === "trialing";
  // A subscription that has started billed its first period when it was created.
  const nextPeriod = waiting ? 0 : Math.max(subscription.cyclesBilled, 1);
  const nextDate = cycles !== null && nextPeriod >= cycles ? undefined : periodOf(rule, nextPeriod).startDate;
  const anchor = subscription.billingAnchorDay;
  const start = date(subscription.startDate);
  return [
    subscription.status === "trialing" && trialEnd
      ? tr.t("email.subscription.trialing", { date: date(trialEnd) })
      : subscription.status === "scheduled"
        ? trialEnd
          ? tr.t("email.subscription.startsWithTrial", { date: start, trialEnd: date(trialEnd) })
          : tr.t("email.subscription.starts", { date: start })
        : tr.t("email.subscription.started", { date: start }),
    ...(hasShortFirstPeriod(rule)
      ? [tr.t("email.subscription.shortFirstPeriod", { date: date(periodOf(rule, 0).endDate) })]
      : []),
    nextDate
      ? tr.t("email.subscription.billingDate", {
          which: nextPeriod === 0 ? "first" : "next",
          date: date(nextDate),
        })
      : tr.t("email.subscription.noBillingDate"),
    tr.t("email.subscription.billed", {
      interval: subscription.interval,
      day: anchor,
      lastDay: anchor > 28 ? tr.t("email.subscription.lastDay") : "",
      duration:
        cycles === null
          ? tr.t("email.subscription.untilCanceled")
          : tr.t("email.subscription.cycles", {
              count: cycles,
              interval: subscription.interval,
              date: date(periodOf(rule, cycles - 1).endDate),
            }),
    }),
  ];
}

/**
 * How each invoice is collected: charged to the saved method (named when known) or emailed.
 * `whose` is "your" in the buyer's mail and "customer" (the customer's) in the merchant's.
 */
export function collectionParagraph(
  tr: Translator,
  subscription: Subscription,
  method: PaymentMethod | undefined,
  whose: "your" | "customer",
): string {
  if (subscription.collectionMethod === "send_invoice") {
    const terms = subscription.paymentTerms;
    const due =
      terms === undefined
        ? ""
        : termDays[terms] === 0
          ? tr.t("email.subscription.dueOnReceipt")
          : tr.t("email.subscription.dueWithin", { days: termDays[terms] });
    return whose === "your"
      ? tr.t("email.subscription.invoicedYou", { due })
      : tr.t("email.subscription.invoicedCustomer", { due });
  }
  const card = method?.type === "card" ? method.card : undefined;
  return tr.t("email.subscription.charged", {
    whose,
    method: card ? "card" : method?.type === "us_bank_account" ? "bank" : "other",
    brand: card?.brand ?? "",
    last4: card?.last4 ?? "",
  });
}

/** The buyer's way to their customer portal, in every subscription email (a fresh link each time). */
export const portalParagraphs = (tr: Translator, portalUrl: string | undefined): string[] =>
  portalUrl ? [tr.t("email.subscription.portal", { url: portalUrl })] : [];

/** The name mail gives the buyer. */
export const customerLabel = (
  tr: Translator,
  customer: Pick<Customer, "email" | "name"> | undefined,
  subscription: Pick<Subscription, "customerId">,
) =>
  customer
    ? (customer.name ?? customer.email)
    : tr.t("email.subscription.customer", { id: subscription.customerId });

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
