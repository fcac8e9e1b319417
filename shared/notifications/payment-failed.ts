/** The buyer's notice of a failed payment on an invoice, with a way to try again. */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { formatMoney } from "../domain/format.ts";
import { windowLimits } from "../domain/limits.ts";
import { checkoutExpiredCode, type Payment } from "../payments/payment.ts";
import {
  compose,
  type InvoiceForMail,
  type MerchantForMail,
  moneyTestNotice,
  type PaymentForMail,
  supportLine,
} from "./compose.ts";
import { type Notification, paymentOnInvoice, paymentRecord } from "./notification.ts";

export function paymentFailedEmail(
  payment: PaymentForMail,
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
): Mail {
  const title = `Your payment to ${merchant.name} did not go through`;
  const paragraphs = [
    `We could not take your payment of ${formatMoney(payment.amount, payment.currency)} for invoice ${invoice.number ?? invoice.id}: ${payment.failure?.message ?? "it was declined"} (${payment.failure?.declineCode ?? "declined"}).`,
    invoice.hostedUrl
      ? `You can try again with another card here: ${invoice.hostedUrl}`
      : "Please contact us to pay another way.",
    ...supportLine(merchant),
  ];
  return compose(invoice.customer, title, paragraphs, merchant, moneyTestNotice(payment));
}

export const paymentFailed: Notification<{ payment: Payment }> = {
  eventType: "payment.failed",
  data: z.object({ payment: paymentRecord }),
  async render(event, ports) {
    const found = await paymentOnInvoice(ports, event);
    // The buyer left Checkout (or let it lapse): nothing was declined, so no failure to report.
    if (!found || found.payment.failure?.declineCode === checkoutExpiredCode) return [];
    // One per invoice and hour: a buyer trying card after card gets one email, not one per decline.
    // The merchant's record of every failure is the payment.failed event (webhooks, feed), never limited.
    const take = await ports.limits.take(
      windowLimits.paymentFailedEmail,
      event.merchantId,
      found.invoice.id,
      ports.clock.now(),
    );
    if (!take.taken) return [];
    return [paymentFailedEmail(found.payment, found.invoice, found.merchant)];
  },
};
