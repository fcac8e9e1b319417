/**
 * A new subscription: the buyer's confirmation (what, how much, how often, when, how it is paid) and
 * the merchant's notice. One notification, so one claim of the event covers both.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import type { Customer } from "../customers/customer.ts";
import type { PaymentMethod } from "../customers/payment-method.ts";
import { readerLocale } from "../i18n/locale.ts";
import { translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import { compose, invoiceTestNotice, supportLine } from "./compose.ts";
import type { Notification } from "./notification.ts";
import {
  chargedMethod,
  collectionParagraph,
  customerLabel,
  portalParagraphs,
  scheduleParagraphs,
  subscriptionParties,
  subscriptionRecord,
  whatParagraphs,
} from "./subscription-mail.ts";
import { amountPerPeriod } from "../subscriptions/wording.ts";
import { lazy } from "../lazy.ts";

/**
 * The buyer's confirmation, in the buyer's words. Its money is the merchant's: test mode until the
 * merchant is live.
 */
export function subscriptionConfirmationEmail(
  subscription: Subscription,
  customer: Pick<Customer, "email" | "name" | "locale">,
  merchant: Merchant,
  method: PaymentMethod | undefined,
  portalUrl?: string,
): Mail {
  const tr = translator(readerLocale(merchant, customer));
  const title = tr.t("email.subscription.confirmed.subject", { merchant: merchant.name });
  const paragraphs = [
    tr.t("email.subscription.confirmed.thanks", { merchant: merchant.name, id: subscription.id }),
    ...whatParagraphs(tr, subscription),
    ...scheduleParagraphs(tr, subscription, merchant),
    collectionParagraph(tr, subscription, method, "your"),
    ...portalParagraphs(tr, portalUrl),
    ...supportLine(tr, merchant),
  ];
  return compose(tr, customer, title, paragraphs, merchant, invoiceTestNotice(merchant, tr));
}

/** The merchant's notice of a new subscription, in the merchant's words. */
export function newSubscriptionEmail(
  subscription: Subscription,
  customer: Pick<Customer, "email" | "name"> | undefined,
  merchant: Merchant,
  method: PaymentMethod | undefined,
): Mail {
  const tr = translator(merchant.locale);
  const who = customerLabel(tr, customer, subscription);
  const title = tr.t("email.subscription.new.subject", { who, amount: amountPerPeriod(subscription, tr) });
  const paragraphs = [
    tr.t("email.subscription.new.subscribed", {
      who: `${who}${customer?.name ? ` (${customer.email})` : ""}`,
      id: subscription.id,
    }),
    ...whatParagraphs(tr, subscription),
    ...scheduleParagraphs(tr, subscription, merchant),
    collectionParagraph(tr, subscription, method, "customer"),
  ];
  return compose(tr, merchant, title, paragraphs, undefined, invoiceTestNotice(merchant, tr));
}

export const subscriptionCreated: Notification<{ subscription: Subscription }> = {
  eventType: "subscription.created",
  data: lazy(() => z.object({ subscription: subscriptionRecord() })),
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
