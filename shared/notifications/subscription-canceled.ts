/**
 * A canceled subscription: the buyer's confirmation that nothing more will be billed, and the
 * merchant's notice. One notification, so one claim of the event covers both.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import type { Customer } from "../customers/customer.ts";
import { formatDate } from "../domain/format.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import { compose, invoiceTestNotice, supportLine } from "./compose.ts";
import type { Notification } from "./notification.ts";
import {
  amountPerPeriod,
  customerLabel,
  itemLabel,
  portalParagraphs,
  subscriptionParties,
  subscriptionRecord,
} from "./subscription-mail.ts";

/** When it ended: at once (canceled now), or with the period it was in (canceled at period end). */
function endParagraph(
  subscription: Subscription,
  merchant: Pick<Merchant, "timeZone">,
  billed: string,
): string {
  const ended = formatDate(
    subscription.endedAt ?? subscription.canceledAt ?? subscription.updatedAt,
    merchant.timeZone,
  );
  return subscription.cancelAtPeriodEnd
    ? `It ended with its period on ${ended}, as requested: ${billed}.`
    : `It was canceled on ${ended}, effective immediately: ${billed}.`;
}

/** What was subscribed to, in one line: "Pro plan × 2, Support ($60.00 per month)". */
function summary(subscription: Subscription): string {
  const items = subscription.items.map(itemLabel).join(", ");
  return `${items} (${amountPerPeriod(subscription)})`;
}

export function subscriptionCanceledEmail(
  subscription: Subscription,
  customer: Pick<Customer, "email" | "name">,
  merchant: Merchant,
  portalUrl?: string,
): Mail {
  const title = `Your subscription to ${merchant.name} is canceled`;
  const paragraphs = [
    `Your subscription ${subscription.id} to ${merchant.name}: ${summary(subscription)}.`,
    endParagraph(subscription, merchant, "nothing more will be billed"),
    ...portalParagraphs(portalUrl),
    ...supportLine(merchant),
  ];
  return compose(customer, title, paragraphs, merchant, invoiceTestNotice(merchant));
}

export function subscriptionCanceledNoticeEmail(
  subscription: Subscription,
  customer: Pick<Customer, "email" | "name"> | undefined,
  merchant: Merchant,
): Mail {
  const who = customerLabel(customer, subscription);
  const title = `Subscription canceled: ${who}, ${amountPerPeriod(subscription)}`;
  const paragraphs = [
    `Subscription ${subscription.id} of ${who}: ${summary(subscription)}.`,
    endParagraph(subscription, merchant, "no further invoices are created"),
  ];
  return compose(merchant, title, paragraphs, undefined, invoiceTestNotice(merchant));
}

export const subscriptionCanceled: Notification<{ subscription: Subscription }> = {
  eventType: "subscription.canceled",
  data: z.object({ subscription: subscriptionRecord }),
  async render(event, ports) {
    const { subscription, merchant, customer } = await subscriptionParties(ports, event);
    return [
      ...(customer
        ? [
            subscriptionCanceledEmail(
              subscription,
              customer,
              merchant,
              await ports.portalLink(event.merchantId, customer.id),
            ),
          ]
        : []),
      subscriptionCanceledNoticeEmail(subscription, customer, merchant),
    ];
  },
};
