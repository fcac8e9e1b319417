/**
 * A canceled subscription: the buyer's confirmation that nothing more will be billed, and the
 * merchant's notice. One notification, so one claim of the event covers both.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import type { Customer } from "../customers/customer.ts";
import { readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import { compose, invoiceTestNotice, supportLine } from "./compose.ts";
import type { Notification } from "./notification.ts";
import {
  customerLabel,
  portalParagraphs,
  subscriptionParties,
  subscriptionRecord,
} from "./subscription-mail.ts";
import { amountPerPeriod, subscriptionItems } from "../subscriptions/wording.ts";
import { lazy } from "../lazy.ts";

/** When it ended: at once (canceled now), or with the period it was in (canceled at period end). */
function endParagraph(
  tr: Translator,
  subscription: Subscription,
  merchant: Pick<Merchant, "timeZone">,
  billed: string,
): string {
  const date = tr.date(
    subscription.endedAt ?? subscription.canceledAt ?? subscription.updatedAt,
    merchant.timeZone,
  );
  return subscription.cancelAtPeriodEnd
    ? tr.t("email.subscription.endedWithPeriod", { date, billed })
    : tr.t("email.subscription.canceledNow", { date, billed });
}

/** What was subscribed to, in one line: "Pro plan × 2, Support ($60.00 per month)". */
function summary(tr: Translator, subscription: Subscription): string {
  const items = subscriptionItems(tr, subscription);
  return `${items} (${amountPerPeriod(subscription, tr)})`;
}

/** In the buyer's words. */
export function subscriptionCanceledEmail(
  subscription: Subscription,
  customer: Pick<Customer, "email" | "name" | "locale">,
  merchant: Merchant,
  portalUrl?: string,
): Mail {
  const tr = translator(readerLocale(merchant, customer));
  const title = tr.t("email.subscription.canceled.subject", { merchant: merchant.name });
  const paragraphs = [
    tr.t("email.subscription.canceled.summary", {
      id: subscription.id,
      merchant: merchant.name,
      summary: summary(tr, subscription),
    }),
    endParagraph(tr, subscription, merchant, tr.t("email.subscription.canceled.nothingBilled")),
    ...portalParagraphs(tr, portalUrl),
    ...supportLine(tr, merchant),
  ];
  return compose(tr, customer, title, paragraphs, merchant, invoiceTestNotice(merchant, tr));
}

/** In the merchant's words. */
export function subscriptionCanceledNoticeEmail(
  subscription: Subscription,
  customer: Pick<Customer, "email" | "name"> | undefined,
  merchant: Merchant,
): Mail {
  const tr = translator(merchant.locale);
  const who = customerLabel(tr, customer, subscription);
  const title = tr.t("email.subscription.canceledNotice.subject", {
    who,
    amount: amountPerPeriod(subscription, tr),
  });
  const paragraphs = [
    tr.t("email.subscription.canceledNotice.summary", {
      id: subscription.id,
      who,
      summary: summary(tr, subscription),
    }),
    endParagraph(tr, subscription, merchant, tr.t("email.subscription.canceledNotice.noInvoices")),
  ];
  return compose(tr, merchant, title, paragraphs, undefined, invoiceTestNotice(merchant, tr));
}

export const subscriptionCanceled: Notification<{ subscription: Subscription }> = {
  eventType: "subscription.canceled",
  data: lazy(() => z.object({ subscription: subscriptionRecord() })),
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
