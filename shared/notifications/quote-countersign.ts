/**
 * The countersigners' emails, once the buyer signed a quote (`quote.signed`): each gets their own
 * link to countersign it. The links are read from the quote as stored (the event, like the API,
 * never carries them), so only the countersigner they were made for receives one.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { formatMoney } from "../domain/format.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
import type { Quote } from "../quotes/quote.ts";
import { compose } from "./compose.ts";
import { domainRecord, type Notification } from "./notification.ts";

/** What every quote email of a sandbox merchant opens with. */
export const quoteTestNotice = (merchant: Merchant): string | undefined =>
  merchantLivemode(merchant)
    ? undefined
    : "TEST MODE: this is a sandbox quote. No real money is charged or paid.";

export const quoteCountersign: Notification<{ quote: Quote }> = {
  eventType: "quote.signed",
  data: z.object({
    quote: domainRecord<Quote>("quote", { id: "string", currency: "string", total: "integer" }),
  }),
  render: async ({ merchantId, data }, ports): Promise<Mail[]> => {
    const [merchant, links] = await Promise.all([
      ports.merchant(merchantId),
      ports.quoteCountersignLinks(merchantId, data.quote.id),
    ]);
    if (!merchant) throw new Error(`Merchant ${merchantId} is missing`);
    const { quote } = data;
    const number = quote.number ?? quote.id;
    const buyer = quote.signatures?.find((s) => s.role === "buyer");
    const customer = quote.customer.companyName ?? quote.customer.name ?? quote.customer.email;
    const testNotice = quoteTestNotice(merchant);
    return links.map((signer) =>
      compose(
        signer,
        `Quote ${number} is signed by ${customer}: please countersign`,
        [
          `${buyer?.name ?? customer} signed quote ${number}${quote.title ? ` (${quote.title})` : ""} for ${formatMoney(quote.total, quote.currency)} on behalf of ${customer}.`,
          `As a countersigner for ${merchant.name}, review and countersign it here (this link is yours alone): ${signer.url}`,
          "The quote is accepted once every countersigner has signed.",
        ],
        undefined,
        testNotice,
      ),
    );
  },
};
