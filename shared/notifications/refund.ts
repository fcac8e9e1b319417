/** The buyer's confirmation of a refund on an invoice. */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { formatMoney } from "../domain/format.ts";
import type { Refund } from "../payments/refund.ts";
import {
  compose,
  type InvoiceForMail,
  type MerchantForMail,
  moneyTestNotice,
  supportLine,
} from "./compose.ts";
import { invoiceWithMerchant, moneyRecord, type Notification } from "./notification.ts";

export function refundEmail(
  refund: Pick<Refund, "id" | "amount" | "currency" | "livemode">,
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
): Mail {
  const title = `Refund from ${merchant.name}: ${formatMoney(refund.amount, refund.currency)}`;
  const paragraphs = [
    `${merchant.name} refunded ${formatMoney(refund.amount, refund.currency)} for invoice ${invoice.number ?? invoice.id}. It can take 5–10 business days to appear on your statement.`,
    `Refund number: ${refund.id}.`,
    ...supportLine(merchant),
  ];
  return compose(invoice.customer, title, paragraphs, merchant, moneyTestNotice(refund));
}

const refundRecord = moneyRecord<Refund>("refund", { id: "string", amount: "integer", currency: "string" });

export const refund: Notification<{ refund: Refund }> = {
  eventType: "refund.succeeded",
  data: z.object({ refund: refundRecord }),
  async render(event, ports) {
    const { invoiceId } = event.data.refund;
    if (!invoiceId) return [];
    const { invoice, merchant } = await invoiceWithMerchant(ports, event.merchantId, invoiceId);
    return [refundEmail(event.data.refund, invoice, merchant)];
  },
};
