/**
 * The merchant's notice that a payment brought more than its invoice still owed (a second payment,
 * or one after the invoice was paid another way or voided) and the excess went back to the buyer.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { formatMoney } from "../domain/format.ts";
import type { Payment } from "../payments/payment.ts";
import {
  compose,
  type InvoiceForMail,
  type MerchantForMail,
  methodText,
  moneyTestNotice,
  type PaymentForMail,
} from "./compose.ts";
import { invoiceWithMerchant, type Notification, paymentRecord } from "./notification.ts";

export function excessRefundedEmail(
  payment: PaymentForMail,
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
  excess: number,
): Mail {
  const money = (amount: number) => formatMoney(amount, payment.currency);
  const number = invoice.number ?? invoice.id;
  const title = `Refunded automatically: ${money(excess)} of a payment for invoice ${number}`;
  const paragraphs = [
    `${invoice.customer.name ?? invoice.customer.email} paid ${money(payment.amount)} with ${methodText(payment.method)} for invoice ${number}, which then owed only ${money(payment.amount - excess)}.`,
    `The ${money(excess)} beyond that was refunded to the buyer automatically; there is nothing to do. Payment ${payment.id}.`,
  ];
  return compose(merchant, title, paragraphs, undefined, moneyTestNotice(payment));
}

interface ExcessRefunded {
  payment: Payment;
  invoiceId: string;
  excessAmount: number;
}

export const excessRefunded: Notification<ExcessRefunded> = {
  eventType: "payment.duplicate_refunded",
  data: z.object({ payment: paymentRecord, invoiceId: z.string(), excessAmount: z.number().int() }),
  async render({ merchantId, data }, ports) {
    const { invoice, merchant } = await invoiceWithMerchant(ports, merchantId, data.invoiceId);
    return [excessRefundedEmail(data.payment, invoice, merchant, data.excessAmount)];
  },
};
