/**
 * The countersigners' emails, once the buyer signed a quote (`quote.signed`): each gets their own
 * link to countersign it. The links are read from the quote as stored (the event, like the API,
 * never carries them), so only the countersigner they were made for receives one.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
import type { Quote } from "../quotes/quote.ts";
import { compose } from "./compose.ts";
import { domainRecord, type Notification } from "./notification.ts";
import { lazy } from "../lazy.ts";

/** What every quote email of a sandbox merchant opens with. */
export const quoteTestNotice = (merchant: Merchant, tr: Translator): string | undefined =>
  merchantLivemode(merchant) ? undefined : tr.t("email.testMode.quote");

export const quoteCountersign: Notification<{ quote: Quote }> = {
  eventType: "quote.signed",
  data: lazy(() =>
    z.object({
      quote: domainRecord<Quote>("quote", { id: "string", currency: "string", total: "integer" }),
    }),
  ),
  render: async ({ merchantId, data }, ports): Promise<Mail[]> => {
    const [merchant, links] = await Promise.all([
      ports.merchant(merchantId),
      ports.quoteCountersignLinks(merchantId, data.quote.id),
    ]);
    if (!merchant) throw new Error(`Merchant ${merchantId} is missing`);
    // Countersigners sign for the merchant: they read its words.
    const tr = translator(merchant.locale);
    const { quote } = data;
    const number = quote.number ?? quote.id;
    const buyer = quote.signatures?.find((s) => s.role === "buyer");
    const customer = quote.customer.companyName ?? quote.customer.name ?? quote.customer.email;
    const testNotice = quoteTestNotice(merchant, tr);
    return links.map((signer) =>
      compose(
        tr,
        signer,
        tr.t("email.quote.countersign.subject", { number, customer }),
        [
          tr.t("email.quote.countersign.signed", {
            signer: buyer?.name ?? customer,
            number,
            title: quote.title ? ` (${quote.title})` : "",
            amount: tr.money(quote.total, quote.currency),
            customer,
          }),
          tr.t("email.quote.countersign.link", { merchant: merchant.name, url: signer.url }),
          tr.t("email.quote.countersign.once"),
        ],
        undefined,
        testNotice,
      ),
    );
  },
};
