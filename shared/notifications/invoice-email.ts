/** The invoice itself, sent to the customer with its PDF when the merchant sends it. */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import {
  compose,
  type InvoiceForMail,
  type InvoiceMerchant,
  invoiceParagraphs,
  invoiceTestNotice,
} from "./compose.ts";
import { invoiceWithMerchant, type Notification } from "./notification.ts";

/** The email without its attachment. */
export function invoiceEmail(invoice: InvoiceForMail, merchant: InvoiceMerchant): Mail {
  const title = `Invoice ${invoice.number ?? invoice.id} from ${merchant.name}`;
  const paragraphs = invoiceParagraphs(
    invoice,
    merchant,
    `${merchant.name} sent you invoice ${invoice.number ?? invoice.id}. The PDF is attached.`,
  );
  return compose(invoice.customer, title, paragraphs, merchant, invoiceTestNotice(merchant));
}

export const invoiceSent: Notification<Record<string, unknown>> = {
  eventType: "invoice.sent",
  // The invoice is read as it is now (its object id), not from the event.
  data: z.record(z.string(), z.unknown()),
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
