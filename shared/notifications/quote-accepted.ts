/**
 * An accepted quote's signed PDF (`quote.accepted`), with its audit-trail page, to everyone who is a
 * party to it: the buyer (with a link to download it again), each countersigner, and the merchant.
 * The PDF is the one kept for the quote (`shared/quotes/signed-pdf.ts`): made at its first need, so
 * a redelivered event attaches the same bytes.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { formatMoney } from "../domain/format.ts";
import type { Quote } from "../quotes/quote.ts";
import { compose } from "./compose.ts";
import { domainRecord, type Notification } from "./notification.ts";
import { quoteTestNotice } from "./quote-countersign.ts";

export const quoteAccepted: Notification<{ quote: Quote }> = {
  eventType: "quote.accepted",
  data: z.object({
    quote: domainRecord<Quote>("quote", {
      id: "string",
      currency: "string",
      total: "integer",
      customer: "object",
      countersigners: "array",
    }),
  }),
  render: async ({ merchantId, data }, ports): Promise<Mail[]> => {
    const { quote } = data;
    const [merchant, pdf] = await Promise.all([
      ports.merchant(merchantId),
      ports.signedQuotePdf(merchantId, quote.id),
    ]);
    if (!merchant) throw new Error(`Merchant ${merchantId} is missing`);
    const number = quote.number ?? quote.id;
    const customer = quote.customer.companyName ?? quote.customer.name ?? quote.customer.email;
    const what = `Quote ${number}${quote.title ? ` (${quote.title})` : ""} for ${formatMoney(quote.total, quote.currency)}`;
    const attached = `The signed PDF is attached: the quote as published, then its audit trail — who signed or accepted it, when (UTC), from which IP address and browser, and the SHA-256 of the original PDF (${quote.contentHash}) that each signature binds.`;
    const testNotice = quoteTestNotice(merchant);
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
          quote.customer,
          `Quote ${number} from ${merchant.name} is accepted`,
          [
            `${what} between you (${customer}) and ${merchant.name} is accepted.`,
            attached,
            ...(quote.hostedUrl ? [`You can download it again here: ${quote.hostedUrl}/signed-pdf`] : []),
          ],
          merchant,
          testNotice,
        ),
      ),
      ...quote.countersigners.flatMap((signer) =>
        once(
          compose(
            signer,
            `Quote ${number} to ${customer} is accepted`,
            [`${what}, which you countersigned for ${merchant.name}, is accepted.`, attached],
            merchant,
            testNotice,
          ),
        ),
      ),
      ...once(
        compose(
          { email: merchant.email, name: merchant.name },
          `Quote ${number} accepted by ${customer}`,
          [
            `${what} to ${customer} is accepted${quote.acceptance ? ` (recorded offline: ${quote.acceptance.name})` : ""}.`,
            attached,
            `It is also served at GET /v1/quotes/${quote.id}/signed-pdf.`,
          ],
          undefined,
          testNotice,
        ),
      ),
    ];
  },
};
