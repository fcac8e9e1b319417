/**
 * An accepted quote's signed PDF (`quote.accepted`), with its audit-trail page, to everyone who is a
 * party to it: the buyer (with a link to download it again), each countersigner, and the merchant.
 * The PDF is the one kept for the quote (`shared/quotes/signed-pdf.ts`): made at its first need, so
 * a redelivered event attaches the same bytes. The buyer reads their words; countersigners and the
 * merchant read the merchant's.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { Quote } from "../quotes/quote.ts";
import { compose } from "./compose.ts";
import { domainRecord, type Notification, withBuyerLocale } from "./notification.ts";
import { quoteTestNotice } from "./quote-countersign.ts";
import { lazy } from "../lazy.ts";

export const quoteAccepted: Notification<{ quote: Quote }> = {
  eventType: "quote.accepted",
  data: lazy(() =>
    z.object({
      quote: domainRecord<Quote>("quote", {
        id: "string",
        currency: "string",
        total: "integer",
        customer: "object",
        countersigners: "array",
      }),
    }),
  ),
  render: async ({ merchantId, data }, ports): Promise<Mail[]> => {
    const { quote } = data;
    const [merchant, pdf, buyerCustomer] = await Promise.all([
      ports.merchant(merchantId),
      ports.signedQuotePdf(merchantId, quote.id),
      withBuyerLocale(ports, merchantId, quote.customer),
    ]);
    if (!merchant) throw new Error(`Merchant ${merchantId} is missing`);
    const number = quote.number ?? quote.id;
    const customer = quote.customer.companyName ?? quote.customer.name ?? quote.customer.email;
    const words = (tr: Translator) => ({
      what: tr.t("email.quote.what", {
        number,
        title: quote.title ? ` (${quote.title})` : "",
        amount: tr.money(quote.total, quote.currency),
      }),
      attached: tr.t("email.quote.attached", { hash: quote.contentHash ?? "" }),
      testNotice: quoteTestNotice(merchant, tr),
    });
    const buyerTr = translator(readerLocale(merchant, buyerCustomer));
    const merchantTr = translator(merchant.locale);
    const buyerWords = words(buyerTr);
    const merchantWords = words(merchantTr);
    const attachments = [{ filename: `${number}-signed.pdf`, contentType: "application/pdf", content: pdf }];
    const sent = new Set<string>();
    const once = (mail: Mail): Mail[] => {
      const email = mail.to.email.toLowerCase();
      if (sent.has(email)) return [];
      sent.add(email);
      return [{ ...mail, attachments }];
    };
    return [
      ...once(
        compose(
          buyerTr,
          buyerCustomer,
          buyerTr.t("email.quote.accepted.subject", { number, merchant: merchant.name }),
          [
            buyerTr.t("email.quote.accepted.buyer", {
              what: buyerWords.what,
              customer,
              merchant: merchant.name,
            }),
            buyerWords.attached,
            ...(quote.hostedUrl
              ? [buyerTr.t("email.quote.accepted.downloadAgain", { url: `${quote.hostedUrl}/signed-pdf` })]
              : []),
          ],
          merchant,
          buyerWords.testNotice,
        ),
      ),
      ...quote.countersigners.flatMap((signer) =>
        once(
          compose(
            merchantTr,
            signer,
            merchantTr.t("email.quote.accepted.countersignerSubject", { number, customer }),
            [
              merchantTr.t("email.quote.accepted.countersigner", {
                what: merchantWords.what,
                merchant: merchant.name,
              }),
              merchantWords.attached,
            ],
            merchant,
            merchantWords.testNotice,
          ),
        ),
      ),
      ...once(
        compose(
          merchantTr,
          { email: merchant.email, name: merchant.name },
          merchantTr.t("email.quote.accepted.merchantSubject", { number, customer }),
          [
            merchantTr.t("email.quote.accepted.merchant", {
              what: merchantWords.what,
              customer,
              offline: quote.acceptance
                ? merchantTr.t("email.quote.accepted.offline", { name: quote.acceptance.name })
                : "",
            }),
            merchantWords.attached,
            merchantTr.t("email.quote.accepted.served", { path: `GET /v1/quotes/${quote.id}/signed-pdf` }),
          ],
          undefined,
          merchantWords.testNotice,
        ),
      ),
    ];
  },
};
