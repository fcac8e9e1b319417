/**
 * The reminder about an unpaid invoice, before or after its due date. No domain event sends it: the
 * billing consumer does, when one of the invoice's reminder timers fires.
 */
import type { Mail } from "../aws/mailer.ts";
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
  const number = invoice.number ?? invoice.id;
  const when =
    daysAfterDue < 0
      ? `is due in ${-daysAfterDue} day${daysAfterDue === -1 ? "" : "s"}`
      : daysAfterDue === 0
        ? "is due today"
        : `is ${daysAfterDue} day${daysAfterDue === 1 ? "" : "s"} overdue`;
  const title = `Reminder: invoice ${number} from ${merchant.name} ${when}`;
  const paragraphs = invoiceParagraphs(
    invoice,
    merchant,
    `This is a friendly reminder that invoice ${number} ${when}.`,
  );
  return compose(invoice.customer, title, paragraphs, merchant, invoiceTestNotice(merchant));
}
