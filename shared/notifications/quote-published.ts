/**
 * The quote itself, sent to the buyer when the merchant publishes it (`quote.published`): its number,
 * total, expiry and the link to read, sign or decline it. A revision's email says which quote it
 * replaces, when that one was addressed to the same buyer.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { formatDate, formatMoney } from "../domain/format.ts";
import { intervalWords } from "../products/product.ts";
import type { Quote } from "../quotes/quote.ts";
import { compose } from "./compose.ts";
import { domainRecord, type Notification } from "./notification.ts";
import { quoteTestNotice } from "./quote-countersign.ts";

export const quotePublished: Notification<{ quote: Quote }> = {
  eventType: "quote.published",
  data: z.object({
    quote: domainRecord<Quote>("quote", {
      id: "string",
      currency: "string",
      total: "integer",
      expiresAt: "string",
      hostedUrl: "string",
      customer: "object",
    }),
  }),
  render: async ({ merchantId, data }, ports): Promise<Mail[]> => {
    const { quote } = data;
    const [merchant, original] = await Promise.all([
      ports.merchant(merchantId),
      quote.revisionOf ? ports.quote(merchantId, quote.revisionOf) : undefined,
    ]);
    if (!merchant) throw new Error(`Merchant ${merchantId} is missing`);
    const number = quote.number ?? quote.id;
    const money = (amount: number) => formatMoney(amount, quote.currency);
    const replaces = original?.customerId === quote.customerId ? original.number : undefined;
    const recurring = quote.recurringInterval
      ? ` (${money(quote.upfrontTotal)} due once, then ${money(quote.recurringTotal)} ${intervalWords[quote.recurringInterval].adverb})`
      : "";
    const signs = quote.requireSignature ? "sign" : "accept";
    return [
      compose(
        quote.customer,
        replaces
          ? `Revised quote ${number} from ${merchant.name} (replaces ${replaces})`
          : `Quote ${number} from ${merchant.name}`,
        [
          `${merchant.name} sent you quote ${number}${quote.title ? ` (${quote.title})` : ""} for ${money(quote.total)}${recurring}.`,
          ...(replaces
            ? [`It replaces quote ${replaces}, which you received earlier and can no longer ${signs}.`]
            : []),
          `It is valid until ${formatDate(quote.expiresAt, merchant.timeZone)}.`,
          `Read it, download its PDF, and ${signs} or decline it here: ${quote.hostedUrl}`,
        ],
        merchant,
        quoteTestNotice(merchant),
      ),
    ];
  },
};
