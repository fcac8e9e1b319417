/**
 * Email templates, rendered by Kassa itself: every message has an HTML part (escaped) and a text part.
 */
import type { Mail } from "../aws/mailer.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { formatDate, formatMoney } from "../domain/format.ts";
import { escapeHtml } from "./html.ts";

function layout(title: string, paragraphs: string[]): string {
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;color:#1f2937;background:#f9fafb;padding:24px">
<div style="max-width:560px;margin:auto;background:#fff;border-radius:8px;padding:32px">
<h1 style="font-size:20px;margin:0 0 24px">${escapeHtml(title)}</h1>${body}
<p style="margin:32px 0 0;color:#6b7280;font-size:12px">Sent by Kassa</p></div></body></html>`;
}

export function welcomeEmail(merchant: Pick<Merchant, "name" | "email" | "id">): Mail {
  const title = `Welcome to Kassa, ${merchant.name}`;
  const paragraphs = [
    `Your merchant account ${merchant.id} is ready.`,
    "Use the API key you were given to create customers, products and invoices. Keep it secret: it is shown only once.",
  ];
  return {
    to: { email: merchant.email, name: merchant.name },
    subject: title,
    text: [title, "", ...paragraphs].join("\n"),
    html: layout(title, paragraphs),
  };
}

interface InvoiceForMail {
  number?: string;
  id: string;
  currency: string;
  total: number;
  amountRemaining: number;
  dueDate?: string;
  hostedUrl?: string;
  customer: { email: string; name?: string };
}

function invoiceParagraphs(invoice: InvoiceForMail, merchant: Pick<Merchant, "timeZone">, lead: string): string[] {
  return [
    lead,
    `Amount due: ${formatMoney(invoice.amountRemaining, invoice.currency)} (total ${formatMoney(invoice.total, invoice.currency)}).`,
    ...(invoice.dueDate ? [`Due date: ${formatDate(invoice.dueDate, merchant.timeZone)}.`] : []),
    ...(invoice.hostedUrl ? [`View and download it online: ${invoice.hostedUrl}`] : []),
  ];
}

/** The invoice itself, sent to the customer; the caller attaches the PDF. */
export function invoiceEmail(invoice: InvoiceForMail, merchant: Pick<Merchant, "name" | "timeZone">): Mail {
  const title = `Invoice ${invoice.number ?? invoice.id} from ${merchant.name}`;
  const paragraphs = invoiceParagraphs(invoice, merchant, `${merchant.name} sent you invoice ${invoice.number ?? invoice.id}. The PDF is attached.`);
  return {
    to: { email: invoice.customer.email, ...(invoice.customer.name ? { name: invoice.customer.name } : {}) },
    subject: title,
    text: [title, "", ...paragraphs].join("\n"),
    html: layout(title, paragraphs),
  };
}

/** A reminder about an unpaid invoice, before or after its due date. */
export function invoiceReminderEmail(invoice: InvoiceForMail, merchant: Pick<Merchant, "name" | "timeZone">, daysAfterDue: number): Mail {
  const number = invoice.number ?? invoice.id;
  const when =
    daysAfterDue < 0
      ? `is due in ${-daysAfterDue} day${daysAfterDue === -1 ? "" : "s"}`
      : daysAfterDue === 0
        ? "is due today"
        : `is ${daysAfterDue} day${daysAfterDue === 1 ? "" : "s"} overdue`;
  const title = `Reminder: invoice ${number} from ${merchant.name} ${when}`;
  const paragraphs = invoiceParagraphs(invoice, merchant, `This is a friendly reminder that invoice ${number} ${when}.`);
  return {
    to: { email: invoice.customer.email, ...(invoice.customer.name ? { name: invoice.customer.name } : {}) },
    subject: title,
    text: [title, "", ...paragraphs].join("\n"),
    html: layout(title, paragraphs),
  };
}
