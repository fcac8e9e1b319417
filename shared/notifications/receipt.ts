/**
 * A successful payment on an invoice: the buyer's receipt, and the merchant's "payment received"
 * notice. One notification, so one claim of the event covers both.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { formatDate, formatMoney } from "../domain/format.ts";
import type { Payment } from "../payments/payment.ts";
import {
  compose,
  type InvoiceForMail,
  type MerchantForMail,
  methodText,
  moneyTestNotice,
  type PaymentForMail,
  supportLine,
} from "./compose.ts";
import { type Notification, paymentOnInvoice, paymentRecord } from "./notification.ts";

/** The buyer's receipt. */
export function receiptEmail(
  payment: PaymentForMail,
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
): Mail {
  const title = `Receipt from ${merchant.name}: ${formatMoney(payment.amount, payment.currency)} paid`;
  const paragraphs = [
    `Thank you! We received your payment of ${formatMoney(payment.amount, payment.currency)} for invoice ${invoice.number ?? invoice.id}.`,
    `Paid with ${methodText(payment.method)}${payment.paidAt ? ` on ${formatDate(payment.paidAt, merchant.timeZone)}` : ""}.`,
    `Receipt number: ${payment.id}.`,
    ...(invoice.amountRemaining > 0
      ? [`Still due on this invoice: ${formatMoney(invoice.amountRemaining, invoice.currency)}.`]
      : []),
    ...(invoice.hostedUrl ? [`Your invoice: ${invoice.hostedUrl}`] : []),
    ...supportLine(merchant),
  ];
  return compose(invoice.customer, title, paragraphs, merchant, moneyTestNotice(payment));
}

/** The merchant's notice of a payment received. */
export function paymentReceivedEmail(
  payment: PaymentForMail,
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
): Mail {
  const title = `Payment received: ${formatMoney(payment.amount, payment.currency)} for invoice ${invoice.number ?? invoice.id}`;
  const paragraphs = [
    `${invoice.customer.name ?? invoice.customer.email} paid ${formatMoney(payment.amount, payment.currency)} with ${methodText(payment.method)}.`,
    `Payment ${payment.id}. Amount still due: ${formatMoney(invoice.amountRemaining, invoice.currency)}.`,
  ];
  return compose(merchant, title, paragraphs, undefined, moneyTestNotice(payment));
}

export const receipt: Notification<{ payment: Payment }> = {
  eventType: "payment.succeeded",
  data: z.object({ payment: paymentRecord }),
  async render(event, ports) {
    const found = await paymentOnInvoice(ports, event);
    if (!found) return [];
    const { payment, invoice, merchant } = found;
    return [receiptEmail(payment, invoice, merchant), paymentReceivedEmail(payment, invoice, merchant)];
  },
};
