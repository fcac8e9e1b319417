/**
 * The quote itself, sent to the buyer when the merchant publishes it (`quote.published`): its number,
 * total, expiry and the link to read, sign or decline it. A revision's email says which quote it
 * replaces, when that one was addressed to the same buyer. In the buyer's words (the quote's
 * customer snapshot, else the merchant's).
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { readerLocale } from "../i18n/locale.ts";
import { translator } from "../i18n/translator.ts";
import type { Quote } from "../quotes/quote.ts";
import { compose } from "./compose.ts";
import { domainRecord, type Notification, withBuyerLocale } from "./notification.ts";
import { quoteTestNotice } from "./quote-countersign.ts";
import { lazy } from "../lazy.ts";

export const quotePublished: Notification<{ quote: Quote }> = {
  eventType: "quote.published",
  data: lazy(() =>
    z.object({
      quote: domainRecord<Quote>("quote", {
        id: "string",
        currency: "string",
        total: "integer",
        expiresAt: "string",
        hostedUrl: "string",
        customer: "object",
      }),
    }),
  ),
  render: async ({ merchantId, data }, ports): Promise<Mail[]> => {
    const { quote } = data;
    const [merchant, original, buyer] = await Promise.all([
      ports.merchant(merchantId),
      quote.revisionOf ? ports.quote(merchantId, quote.revisionOf) : undefined,
      withBuyerLocale(ports, merchantId, quote.customer),
    ]);
    if (!merchant) throw new Error(`Merchant ${merchantId} is missing`);
    const tr = translator(readerLocale(merchant, buyer));
    const number = quote.number ?? quote.id;
    const money = (amount: number) => tr.money(amount, quote.currency);
    const replaces = original?.customerId === quote.customerId ? original.number : undefined;
    const recurring = quote.recurringInterval
      ? tr.t("email.quote.recurring", {
          upfront: money(quote.upfrontTotal),
          recurring: money(quote.recurringTotal),
          interval: quote.recurringInterval,
        })
      : "";
    const signs = quote.requireSignature ? "sign" : "accept";
    return [
      compose(
        tr,
        buyer,
        replaces
          ? tr.t("email.quote.revisedSubject", { number, merchant: merchant.name, replaces })
          : tr.t("email.quote.subject", { number, merchant: merchant.name }),
        [
          tr.t("email.quote.sent", {
            merchant: merchant.name,
            number,
            title: quote.title ? ` (${quote.title})` : "",
            amount: money(quote.total),
            recurring,
          }),
          ...(replaces ? [tr.t("email.quote.replaces", { replaces, signs })] : []),
          tr.t("email.quote.validUntil", { date: tr.date(quote.expiresAt, merchant.timeZone) }),
          tr.t("email.quote.link", { signs, url: quote.hostedUrl ?? "" }),
        ],
        merchant,
        quoteTestNotice(merchant, tr),
      ),
    ];
  },
};
