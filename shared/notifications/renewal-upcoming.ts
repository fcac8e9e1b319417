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
import { formatDate, formatMoney } from "../domain/format.ts";
import { type Merchant, renewalRemindersOf } from "../merchants/merchant.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import { compose, invoiceTestNotice, supportLine } from "./compose.ts";
import type { Notification } from "./notification.ts";
import {
  amountPerPeriod,
  chargedMethod,
  collectionParagraph,
  itemLabel,
  portalParagraphs,
  subscriptionParties,
  subscriptionRecord,
} from "./subscription-mail.ts";

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

const upcomingRenewal = z.object({
  period: z.number().int(),
  periodStart: z.string(),
  periodEnd: z.string(),
  currency: z.string(),
  subtotal: z.number().int(),
  discountTotal: z.number().int(),
  taxTotal: z.number().int(),
  total: z.number().int(),
});

/** "€110.00 (€100.00, tax €10.00)": the total, and what makes it up when there is more than one part. */
function amountText(renewal: UpcomingRenewal): string {
  const money = (amount: number) => formatMoney(amount, renewal.currency);
  const parts = [
    ...(renewal.discountTotal ? [`discount −${money(renewal.discountTotal)}`] : []),
    ...(renewal.taxTotal ? [`tax ${money(renewal.taxTotal)}`] : []),
  ];
  return parts.length
    ? `${money(renewal.total)} (${money(renewal.subtotal)}, ${parts.join(", ")})`
    : money(renewal.total);
}

export function renewalReminderEmail(
  subscription: Subscription,
  renewal: UpcomingRenewal,
  customer: Pick<Customer, "email" | "name">,
  merchant: Merchant,
  method: PaymentMethod | undefined,
  updateCardUrl: string | undefined,
  portalUrl?: string,
): Mail {
  const date = formatDate(renewal.periodStart, merchant.timeZone);
  const title = `Your subscription to ${merchant.name} renews on ${date}`;
  const items = subscription.items.map(itemLabel).join(", ");
  const billed =
    subscription.collectionMethod === "send_invoice"
      ? `On ${date} you'll be invoiced ${amountText(renewal)}, for the period until ${formatDate(renewal.periodEnd, merchant.timeZone)}.`
      : `On ${date} you'll be charged ${amountText(renewal)}, for the period until ${formatDate(renewal.periodEnd, merchant.timeZone)}.`;
  const paragraphs = [
    `Your subscription ${subscription.id} to ${merchant.name} renews on ${date}: ${items} (${amountPerPeriod(subscription)}).`,
    billed,
    collectionParagraph(subscription, method, "your"),
    ...(updateCardUrl ? [`To charge another card, update it here: ${updateCardUrl}`] : []),
    `Don't want it to renew? Contact ${merchant.name} before ${date} to cancel it.`,
    ...portalParagraphs(portalUrl),
    ...supportLine(merchant),
  ];
  return compose(customer, title, paragraphs, merchant, invoiceTestNotice(merchant));
}

export const renewalUpcoming: Notification<{ subscription: Subscription; renewal: UpcomingRenewal }> = {
  eventType: "subscription.renewal_upcoming",
  data: z.object({ subscription: subscriptionRecord, renewal: upcomingRenewal }),
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
