/** The buyer's confirmation of a refund on an invoice. */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { readerLocale } from "../i18n/locale.ts";
import { translator } from "../i18n/translator.ts";
import type { Refund } from "../payments/refund.ts";
import {
  compose,
  type InvoiceForMail,
  type MerchantForMail,
  moneyTestNotice,
  supportLine,
} from "./compose.ts";
import { invoiceWithMerchant, moneyRecord, type Notification } from "./notification.ts";
import { lazy } from "../lazy.ts";

/** In the buyer's words. */
export function refundEmail(
  refund: Pick<Refund, "id" | "amount" | "currency" | "livemode">,
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
): Mail {
  const tr = translator(readerLocale(merchant, invoice.customer));
  const amount = tr.money(refund.amount, refund.currency);
  const title = tr.t("email.refund.subject", { merchant: merchant.name, amount });
  const paragraphs = [
    tr.t("email.refund.refunded", { merchant: merchant.name, amount, number: invoice.number ?? invoice.id }),
    tr.t("email.refund.number", { id: refund.id }),
    ...supportLine(tr, merchant),
  ];
  return compose(tr, invoice.customer, title, paragraphs, merchant, moneyTestNotice(refund, tr));
}

const refundRecord = lazy(() =>
  moneyRecord<Refund>("refund", { id: "string", amount: "integer", currency: "string" }),
);

export const refund: Notification<{ refund: Refund }> = {
  eventType: "refund.succeeded",
  data: lazy(() => z.object({ refund: refundRecord() })),
  async render(event, ports) {
    const { invoiceId } = event.data.refund;
    if (!invoiceId) return [];
    const { invoice, merchant } = await invoiceWithMerchant(ports, event.merchantId, invoiceId);
    return [refundEmail(event.data.refund, invoice, merchant)];
  },
};
