/**
 * A new subscription: the buyer's confirmation (what, how much, how often, when, how it is paid) and
 * the merchant's notice. One notification, so one claim of the event covers both.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import type { Customer } from "../customers/customer.ts";
import type { PaymentMethod } from "../customers/payment-method.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import { compose, invoiceTestNotice, supportLine } from "./compose.ts";
import type { Notification } from "./notification.ts";
import {
  amountPerPeriod,
  chargedMethod,
  collectionParagraph,
  customerLabel,
  portalParagraphs,
  scheduleParagraphs,
  subscriptionParties,
  subscriptionRecord,
  whatParagraphs,
} from "./subscription-mail.ts";

/** The buyer's confirmation. Its money is the merchant's: test mode until the merchant is live. */
export function subscriptionConfirmationEmail(
  subscription: Subscription,
  customer: Pick<Customer, "email" | "name">,
  merchant: Merchant,
  method: PaymentMethod | undefined,
  portalUrl?: string,
): Mail {
  const title = `Your subscription to ${merchant.name} is confirmed`;
  const paragraphs = [
    `Thank you for subscribing to ${merchant.name}. Subscription ${subscription.id}:`,
    ...whatParagraphs(subscription),
    ...scheduleParagraphs(subscription, merchant),
    collectionParagraph(subscription, method, "your"),
    ...portalParagraphs(portalUrl),
    ...supportLine(merchant),
  ];
  return compose(customer, title, paragraphs, merchant, invoiceTestNotice(merchant));
}

/** The merchant's notice of a new subscription. */
export function newSubscriptionEmail(
  subscription: Subscription,
  customer: Pick<Customer, "email" | "name"> | undefined,
  merchant: Merchant,
  method: PaymentMethod | undefined,
): Mail {
  const who = customerLabel(customer, subscription);
  const title = `New subscription: ${who}, ${amountPerPeriod(subscription)}`;
  const paragraphs = [
    `${who}${customer?.name ? ` (${customer.email})` : ""} subscribed. Subscription ${subscription.id}:`,
    ...whatParagraphs(subscription),
    ...scheduleParagraphs(subscription, merchant),
    collectionParagraph(subscription, method, "the customer's"),
  ];
  return compose(merchant, title, paragraphs, undefined, invoiceTestNotice(merchant));
}

export const subscriptionCreated: Notification<{ subscription: Subscription }> = {
  eventType: "subscription.created",
  data: z.object({ subscription: subscriptionRecord }),
  async render(event, ports) {
    const { subscription, merchant, customer } = await subscriptionParties(ports, event);
    const method = await chargedMethod(ports, event.merchantId, subscription, customer);
    return [
      ...(customer
        ? [
            subscriptionConfirmationEmail(
              subscription,
              customer,
              merchant,
              method,
              await ports.portalLink(event.merchantId, customer.id),
            ),
          ]
        : []),
      newSubscriptionEmail(subscription, customer, merchant, method),
    ];
  },
};
