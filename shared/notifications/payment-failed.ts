/**
 * The buyer's notice of a failed payment on an invoice, with a way to try again; for a subscription's
 * charge of its saved card, the link to the page where the buyer replaces that card.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { localDate } from "../domain/calendar.ts";
import { windowLimits } from "../domain/limits.ts";
import { readerLocale } from "../i18n/locale.ts";
import { translator } from "../i18n/translator.ts";
import type { Invoice } from "../invoices/invoice.ts";
import type { Merchant } from "../merchants/merchant.ts";
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
import type { NotificationPorts } from "./ports.ts";
import { portalParagraphs } from "./subscription-mail.ts";
import { lazy } from "../lazy.ts";

/**
 * A failed charge of a subscription's saved method (its first period's or a renewal's): where the
 * buyer replaces the card the subscription is charged to.
 */
export interface SubscriptionCharge {
  renewal: boolean;
  updateCardUrl: string;
  /** The buyer's customer portal, as in every subscription email. */
  portalUrl?: string;
}

/** In the buyer's words. */
export function paymentFailedEmail(
  payment: PaymentForMail,
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
  subscriptionCharge?: SubscriptionCharge,
): Mail {
  const tr = translator(readerLocale(merchant, invoice.customer));
  const amount = tr.money(payment.amount, payment.currency);
  const number = invoice.number ?? invoice.id;
  // The processor's own message is its words, not ours: only the fallback is translated.
  const reason = `${payment.failure?.message ?? tr.t("email.paymentFailed.declined")} (${payment.failure?.declineCode ?? "declined"})`;
  const testNotice = moneyTestNotice(payment, tr);
  if (subscriptionCharge) {
    const what = subscriptionCharge.renewal ? "renewal" : "first";
    const period =
      invoice.periodStart && invoice.periodEnd
        ? tr.t("email.paymentFailed.charge.period", {
            start: tr.date(invoice.periodStart, merchant.timeZone),
            end: tr.date(invoice.periodEnd, merchant.timeZone),
          })
        : "";
    const title = tr.t("email.paymentFailed.charge.subject", { what, merchant: merchant.name });
    const paragraphs = [
      tr.t("email.paymentFailed.charge.failed", {
        what,
        merchant: merchant.name,
        amount,
        period,
        number,
        reason,
      }),
      tr.t("email.paymentFailed.charge.updateCard", { url: subscriptionCharge.updateCardUrl }),
      ...(invoice.hostedUrl ? [tr.t("email.paymentFailed.charge.payNow", { url: invoice.hostedUrl })] : []),
      ...portalParagraphs(tr, subscriptionCharge.portalUrl),
      ...supportLine(tr, merchant),
    ];
    return compose(tr, invoice.customer, title, paragraphs, merchant, testNotice);
  }
  const title = tr.t("email.paymentFailed.subject", { merchant: merchant.name });
  const paragraphs = [
    tr.t("email.paymentFailed.failed", { amount, number, reason }),
    invoice.hostedUrl
      ? tr.t("email.paymentFailed.retry", { url: invoice.hostedUrl })
      : tr.t("email.paymentFailed.contact"),
    ...supportLine(tr, merchant),
  ];
  return compose(tr, invoice.customer, title, paragraphs, merchant, testNotice);
}

/**
 * The subscription charge a failed payment was, if any: only an invoice of a subscription that
 * charges a saved method. A one-off invoice, or one a `send_invoice` subscription emails, is paid on
 * its page like any invoice: no saved card to update.
 */
async function subscriptionChargeOf(
  ports: NotificationPorts,
  merchantId: string,
  invoice: Invoice,
  merchant: Merchant,
): Promise<SubscriptionCharge | undefined> {
  if (!invoice.subscriptionId) return undefined;
  const subscription = await ports.subscription(merchantId, invoice.subscriptionId);
  if (subscription?.collectionMethod !== "charge_automatically") return undefined;
  // The first period starts with the subscription, or at its trial's end.
  const firstPeriod =
    invoice.periodStart !== undefined &&
    (subscription.trialEnd
      ? invoice.periodStart === subscription.trialEnd
      : localDate(new Date(invoice.periodStart), merchant.timeZone) === subscription.startDate);
  return {
    renewal: !firstPeriod,
    updateCardUrl: await ports.updateCardLink(merchantId, invoice.customer.id),
    portalUrl: await ports.portalLink(merchantId, invoice.customer.id),
  };
}

export const paymentFailed: Notification<{ payment: Payment }> = {
  eventType: "payment.failed",
  data: lazy(() => z.object({ payment: paymentRecord() })),
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
    const { payment, invoice, merchant } = found;
    try {
      const charge = await subscriptionChargeOf(ports, event.merchantId, invoice, merchant);
      return [paymentFailedEmail(payment, invoice, merchant, charge)];
    } catch (error) {
      // The event is retried: its email must still find the hour's slot free.
      await take.slot.giveBack();
      throw error;
    }
  },
};
