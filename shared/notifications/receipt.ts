/**
 * A successful payment on an invoice: the buyer's receipt, and the merchant's "payment received"
 * notice. One notification, so one claim of the event covers both.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { readerLocale } from "../i18n/locale.ts";
import { translator } from "../i18n/translator.ts";
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
import { lazy } from "../lazy.ts";

/** The buyer's receipt, in the buyer's words. */
export function receiptEmail(
  payment: PaymentForMail,
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
): Mail {
  const tr = translator(readerLocale(merchant, invoice.customer));
  const amount = tr.money(payment.amount, payment.currency);
  const method = methodText(tr, payment.method);
  const title = tr.t("email.receipt.subject", { merchant: merchant.name, amount });
  const paragraphs = [
    tr.t("email.receipt.thanks", { amount, number: invoice.number ?? invoice.id }),
    payment.paidAt
      ? tr.t("email.receipt.paidWithOn", { method, date: tr.date(payment.paidAt, merchant.timeZone) })
      : tr.t("email.receipt.paidWith", { method }),
    tr.t("email.receipt.number", { id: payment.id }),
    ...(invoice.amountRemaining > 0
      ? [tr.t("email.receipt.stillDue", { amount: tr.money(invoice.amountRemaining, invoice.currency) })]
      : []),
    ...(invoice.hostedUrl ? [tr.t("email.receipt.invoice", { url: invoice.hostedUrl })] : []),
    ...supportLine(tr, merchant),
  ];
  return compose(tr, invoice.customer, title, paragraphs, merchant, moneyTestNotice(payment, tr));
}

/** The merchant's notice of a payment received, in the merchant's words. */
export function paymentReceivedEmail(
  payment: PaymentForMail,
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
): Mail {
  const tr = translator(merchant.locale);
  const amount = tr.money(payment.amount, payment.currency);
  const title = tr.t("email.paymentReceived.subject", { amount, number: invoice.number ?? invoice.id });
  const paragraphs = [
    tr.t("email.paymentReceived.paid", {
      customer: invoice.customer.name ?? invoice.customer.email,
      amount,
      method: methodText(tr, payment.method),
    }),
    tr.t("email.paymentReceived.stillDue", {
      id: payment.id,
      amount: tr.money(invoice.amountRemaining, invoice.currency),
    }),
  ];
  return compose(tr, merchant, title, paragraphs, undefined, moneyTestNotice(payment, tr));
}

export const receipt: Notification<{ payment: Payment }> = {
  eventType: "payment.succeeded",
  data: lazy(() => z.object({ payment: paymentRecord() })),
  async render(event, ports) {
    const found = await paymentOnInvoice(ports, event);
    if (!found) return [];
    const { payment, invoice, merchant } = found;
    return [receiptEmail(payment, invoice, merchant), paymentReceivedEmail(payment, invoice, merchant)];
  },
};
