/**
 * The merchant's notice that a payment brought more than its invoice still owed (a second payment,
 * or one after the invoice was paid another way or voided) and the excess went back to the buyer.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { translator } from "../i18n/translator.ts";
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
import { lazy } from "../lazy.ts";

export function excessRefundedEmail(
  payment: PaymentForMail,
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
  excess: number,
): Mail {
  const tr = translator(merchant.locale);
  const money = (amount: number) => tr.money(amount, payment.currency);
  const number = invoice.number ?? invoice.id;
  const title = tr.t("email.excessRefunded.subject", { excess: money(excess), number });
  const paragraphs = [
    tr.t("email.excessRefunded.paid", {
      customer: invoice.customer.name ?? invoice.customer.email,
      amount: money(payment.amount),
      method: methodText(tr, payment.method),
      number,
      owed: money(payment.amount - excess),
    }),
    tr.t("email.excessRefunded.refunded", { excess: money(excess), id: payment.id }),
  ];
  return compose(tr, merchant, title, paragraphs, undefined, moneyTestNotice(payment, tr));
}

interface ExcessRefunded {
  payment: Payment;
  invoiceId: string;
  excessAmount: number;
}

export const excessRefunded: Notification<ExcessRefunded> = {
  eventType: "payment.duplicate_refunded",
  data: lazy(() =>
    z.object({ payment: paymentRecord(), invoiceId: z.string(), excessAmount: z.number().int() }),
  ),
  async render({ merchantId, data }, ports) {
    const { invoice, merchant } = await invoiceWithMerchant(ports, merchantId, data.invoiceId);
    return [excessRefundedEmail(data.payment, invoice, merchant, data.excessAmount)];
  },
};
