/**
 * A trial ends in three days (`subscription.trial_will_end`): the buyer is told when, what the first
 * period will cost and how it is collected — or, for a trial that is canceled without a card, that
 * one is needed to go on.
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
  portalParagraphs,
  subscriptionParties,
  subscriptionRecord,
  whatParagraphs,
} from "./subscription-mail.ts";
import { amountPerPeriod } from "../subscriptions/wording.ts";
import { lazy } from "../lazy.ts";

/** In the buyer's words. */
export function trialWillEndEmail(
  subscription: Subscription,
  customer: Pick<Customer, "email" | "name" | "locale">,
  merchant: Merchant,
  method: PaymentMethod | undefined,
  portalUrl?: string,
): Mail {
  const tr = translator(readerLocale(merchant, customer));
  const date = tr.date(subscription.trialEnd ?? subscription.updatedAt, merchant.timeZone);
  const title = tr.t("email.trial.subject", { merchant: merchant.name, date });
  const needsCard =
    subscription.collectionMethod === "charge_automatically" &&
    !method &&
    subscription.trialSettings?.missingPaymentMethod === "cancel";
  const paragraphs = [
    tr.t("email.trial.ends", { id: subscription.id, date, amount: amountPerPeriod(subscription, tr) }),
    ...whatParagraphs(tr, subscription),
    needsCard ? tr.t("email.trial.needsCard") : collectionParagraph(tr, subscription, method, "your"),
    tr.t("email.trial.cancel", { merchant: merchant.name, date }),
    ...portalParagraphs(tr, portalUrl),
    ...supportLine(tr, merchant),
  ];
  return compose(tr, customer, title, paragraphs, merchant, invoiceTestNotice(merchant, tr));
}

export const trialWillEnd: Notification<{ subscription: Subscription }> = {
  eventType: "subscription.trial_will_end",
  data: lazy(() => z.object({ subscription: subscriptionRecord() })),
  async render(event, ports) {
    const { subscription, merchant, customer } = await subscriptionParties(ports, event);
    if (!customer) return [];
    const method = await chargedMethod(ports, event.merchantId, subscription, customer);
    const portalUrl = await ports.portalLink(event.merchantId, customer.id);
    return [trialWillEndEmail(subscription, customer, merchant, method, portalUrl)];
  },
};
