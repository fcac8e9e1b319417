/**
 * A subscription renews soon (`subscription.renewal_upcoming`): the buyer's reminder — what will be
 * charged and when, and how to cancel or change the card before then — for the intervals the
 * merchant's `renewalReminders` name; other intervals' renewals send no mail (the event still serves
 * the merchant's workflows).
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import type { Customer } from "../customers/customer.ts";
import type { PaymentMethod } from "../customers/payment-method.ts";
import { readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import { type Merchant, renewalRemindersOf } from "../merchants/merchant.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import { compose, invoiceTestNotice, supportLine } from "./compose.ts";
import type { Notification } from "./notification.ts";
import {
  chargedMethod,
  collectionParagraph,
  portalParagraphs,
  subscriptionParties,
  subscriptionRecord,
} from "./subscription-mail.ts";
import { amountPerPeriod, subscriptionItems } from "../subscriptions/wording.ts";
import { lazy } from "../lazy.ts";

/** What the renewal's invoice will bill: its period and money, priced as billing will price it. */
export interface UpcomingRenewal {
  period: number;
  periodStart: string;
  periodEnd: string;
  currency: string;
  subtotal: number;
  discountTotal: number;
  taxTotal: number;
  total: number;
}

const upcomingRenewal = lazy(() =>
  z.object({
    period: z.number().int(),
    periodStart: z.string(),
    periodEnd: z.string(),
    currency: z.string(),
    subtotal: z.number().int(),
    discountTotal: z.number().int(),
    taxTotal: z.number().int(),
    total: z.number().int(),
  }),
);

/** "€110.00 (€100.00, tax €10.00)": the total, and what makes it up when there is more than one part. */
function amountText(tr: Translator, renewal: UpcomingRenewal): string {
  const money = (amount: number) => tr.money(amount, renewal.currency);
  const parts = [
    ...(renewal.discountTotal
      ? [tr.t("email.renewal.discount", { amount: money(renewal.discountTotal) })]
      : []),
    ...(renewal.taxTotal ? [tr.t("email.renewal.tax", { amount: money(renewal.taxTotal) })] : []),
  ];
  return parts.length
    ? `${money(renewal.total)} (${money(renewal.subtotal)}, ${parts.join(", ")})`
    : money(renewal.total);
}

/** In the buyer's words. */
export function renewalReminderEmail(
  subscription: Subscription,
  renewal: UpcomingRenewal,
  customer: Pick<Customer, "email" | "name" | "locale">,
  merchant: Merchant,
  method: PaymentMethod | undefined,
  updateCardUrl: string | undefined,
  portalUrl?: string,
): Mail {
  const tr = translator(readerLocale(merchant, customer));
  const date = tr.date(renewal.periodStart, merchant.timeZone);
  const title = tr.t("email.renewal.subject", { merchant: merchant.name, date });
  const items = subscriptionItems(tr, subscription);
  const paragraphs = [
    tr.t("email.renewal.renews", {
      id: subscription.id,
      merchant: merchant.name,
      date,
      items,
      amount: amountPerPeriod(subscription, tr),
    }),
    tr.t("email.renewal.billed", {
      date,
      how: subscription.collectionMethod === "send_invoice" ? "invoice" : "charge",
      amount: amountText(tr, renewal),
      end: tr.date(renewal.periodEnd, merchant.timeZone),
    }),
    collectionParagraph(tr, subscription, method, "your"),
    ...(updateCardUrl ? [tr.t("email.renewal.updateCard", { url: updateCardUrl })] : []),
    tr.t("email.renewal.cancel", { merchant: merchant.name, date }),
    ...portalParagraphs(tr, portalUrl),
    ...supportLine(tr, merchant),
  ];
  return compose(tr, customer, title, paragraphs, merchant, invoiceTestNotice(merchant, tr));
}

export const renewalUpcoming: Notification<{ subscription: Subscription; renewal: UpcomingRenewal }> = {
  eventType: "subscription.renewal_upcoming",
  data: lazy(() => z.object({ subscription: subscriptionRecord(), renewal: upcomingRenewal() })),
  async render(event, ports) {
    const { subscription, merchant, customer } = await subscriptionParties(ports, event);
    if (!customer || !renewalRemindersOf(merchant).intervals.includes(subscription.interval)) return [];
    const method = await chargedMethod(ports, event.merchantId, subscription, customer);
    const updateCardUrl =
      subscription.collectionMethod === "charge_automatically"
        ? await ports.updateCardLink(event.merchantId, customer.id)
        : undefined;
    const portalUrl = await ports.portalLink(event.merchantId, customer.id);
    return [
      renewalReminderEmail(
        subscription,
        event.data.renewal,
        customer,
        merchant,
        method,
        updateCardUrl,
        portalUrl,
      ),
    ];
  },
};
