/**
 * A trial ends in three days (`subscription.trial_will_end`): the buyer is told when, what the first
 * period will cost and how it is collected — or, for a trial that is canceled without a card, that
 * one is needed to go on.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import type { Customer } from "../customers/customer.ts";
import type { PaymentMethod } from "../customers/payment-method.ts";
import { formatDate } from "../domain/format.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import { compose, invoiceTestNotice, supportLine } from "./compose.ts";
import type { Notification } from "./notification.ts";
import {
  amountPerPeriod,
  chargedMethod,
  collectionParagraph,
  portalParagraphs,
  subscriptionParties,
  subscriptionRecord,
  whatParagraphs,
} from "./subscription-mail.ts";

export function trialWillEndEmail(
  subscription: Subscription,
  customer: Pick<Customer, "email" | "name">,
  merchant: Merchant,
  method: PaymentMethod | undefined,
  portalUrl?: string,
): Mail {
  const ends = formatDate(subscription.trialEnd ?? subscription.updatedAt, merchant.timeZone);
  const title = `Your trial of ${merchant.name} ends on ${ends}`;
  const needsCard =
    subscription.collectionMethod === "charge_automatically" &&
    !method &&
    subscription.trialSettings?.missingPaymentMethod === "cancel";
  const paragraphs = [
    `Your free trial (subscription ${subscription.id}) ends on ${ends}. From then on it costs ${amountPerPeriod(subscription)}:`,
    ...whatParagraphs(subscription),
    needsCard
      ? "You have no payment method saved: add one before the trial ends to keep your subscription, or it will be canceled."
      : collectionParagraph(subscription, method, "your"),
    `Not what you want? Contact ${merchant.name} to cancel before ${ends}, and nothing will be billed.`,
    ...portalParagraphs(portalUrl),
    ...supportLine(merchant),
  ];
  return compose(customer, title, paragraphs, merchant, invoiceTestNotice(merchant));
}

export const trialWillEnd: Notification<{ subscription: Subscription }> = {
  eventType: "subscription.trial_will_end",
  data: z.object({ subscription: subscriptionRecord }),
  async render(event, ports) {
    const { subscription, merchant, customer } = await subscriptionParties(ports, event);
    if (!customer) return [];
    const method = await chargedMethod(ports, event.merchantId, subscription, customer);
    const portalUrl = await ports.portalLink(event.merchantId, customer.id);
    return [trialWillEndEmail(subscription, customer, merchant, method, portalUrl)];
  },
};
