/**
 * The reminder about an unpaid invoice, before or after its due date. No domain event sends it: the
 * billing consumer does, when one of the invoice's reminder timers fires.
 */
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

export function invoiceReminderEmail(
  invoice: InvoiceForMail,
  merchant: InvoiceMerchant,
  daysAfterDue: number,
): Mail {
  const tr = translator(readerLocale(merchant, invoice.customer));
  const number = invoice.number ?? invoice.id;
  const when = tr.t("email.reminder.when", {
    status: daysAfterDue < 0 ? "upcoming" : daysAfterDue === 0 ? "today" : "overdue",
    days: Math.abs(daysAfterDue),
  });
  const title = tr.t("email.reminder.subject", { number, merchant: merchant.name, when });
  const paragraphs = invoiceParagraphs(tr, invoice, merchant, tr.t("email.reminder.lead", { number, when }));
  return compose(tr, invoice.customer, title, paragraphs, merchant, invoiceTestNotice(merchant, tr));
}
