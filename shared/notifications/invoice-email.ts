/** The invoice itself, sent to the customer with its PDF when the merchant sends it. */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { readerLocale } from "../i18n/locale.ts";
import { translator } from "../i18n/translator.ts";
import {
  compose,
  type InvoiceForMail,
  type InvoiceMerchant,
  invoiceParagraphs,
  invoiceTestNotice,
} from "./compose.ts";
import { invoiceWithMerchant, type Notification } from "./notification.ts";
import { lazy } from "../lazy.ts";

/** The email without its attachment, in the buyer's words. */
export function invoiceEmail(invoice: InvoiceForMail, merchant: InvoiceMerchant): Mail {
  const tr = translator(readerLocale(merchant, invoice.customer));
  const names = { number: invoice.number ?? invoice.id, merchant: merchant.name };
  const title = tr.t("email.invoice.subject", names);
  const paragraphs = invoiceParagraphs(tr, invoice, merchant, tr.t("email.invoice.lead", names));
  return compose(tr, invoice.customer, title, paragraphs, merchant, invoiceTestNotice(merchant, tr));
}

export const invoiceSent: Notification<Record<string, unknown>> = {
  eventType: "invoice.sent",
  // The invoice is read as it is now (its object id), not from the event.
  data: lazy(() => z.record(z.string(), z.unknown())),
  async render(event, ports) {
    const { invoice, merchant } = await invoiceWithMerchant(ports, event.merchantId, event.objectId ?? "");
    const pdf = await ports.invoicePdf(invoice, merchant);
    return [
      {
        ...invoiceEmail(invoice, merchant),
        attachments: [
          { filename: `${invoice.number ?? invoice.id}.pdf`, contentType: "application/pdf", content: pdf },
        ],
      },
    ];
  },
};
