/**
 * What every email shares, rendered by Kassa itself: the layout (an escaped HTML part and a text
 * part), the TEST MODE marking, and the paragraphs several notifications say alike — all in the
 * reader's words: a buyer's mail in `translator(readerLocale(merchant, customer))`, a merchant's in
 * `translator(merchant.locale)`.
 */
import type { Mail } from "../aws/mailer.ts";
import type { Translator } from "../i18n/translator.ts";
import type { BilledCustomer, Invoice } from "../invoices/invoice.ts";
import type { Branding, Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
import type { Payment } from "../payments/payment.ts";
import { escapeHtml } from "./html.ts";

/** Whose look a buyer-facing email wears: the merchant's name, colour, logo and footer. */
type Brand = Pick<Merchant, "name"> & { branding?: Branding };

/**
 * The notice mail about a payment or refund opens with, unless its money is real: sandbox money is
 * never taken for real money.
 */
export const moneyTestNotice = (money: { livemode: boolean }, tr: Translator): string | undefined =>
  money.livemode ? undefined : tr.t("email.testMode.money");

/**
 * A message whose title is its subject and first line, and whose paragraphs form both parts. Mail to
 * buyers carries the merchant's branding; mail to merchants carries Kassa's. Mail about test money
 * (`testNotice`) says TEST MODE in its subject and opens with the notice.
 */
export function compose(
  tr: Translator,
  to: { email: string; name?: string | undefined },
  subject: string,
  paragraphs: string[],
  brand?: Brand,
  testNotice?: string,
): Mail {
  const html = paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join("");
  return composeRendered(to, subject, { html, text: paragraphs.join("\n") }, brand, testNotice, true, tr);
}

/**
 * A message whose body the sender rendered itself (a workflow's template: its HTML part escaped as
 * it was rendered, its text part plain), in the same frame, marking and footer as `compose`'s;
 * `headed`: the text part opens with the subject, as Kassa's own notifications do. `tr` words the
 * frame (TEST MODE marking, footer) for the reader.
 */
export function composeRendered(
  to: { email: string; name?: string | undefined },
  subject: string,
  body: { html: string; text: string },
  brand: Brand | undefined,
  testNotice: string | undefined,
  headed: boolean,
  tr: Translator,
): Mail {
  const title = testNotice ? tr.t("email.testMode.subject", { subject }) : subject;
  return {
    to: { email: to.email, ...(to.name ? { name: to.name } : {}) },
    subject: title,
    text: [
      ...(headed ? [title, ""] : []),
      ...(testNotice ? [testNotice, ""] : []),
      body.text,
      ...(brand?.branding?.footerText ? ["", brand.branding.footerText] : []),
    ].join("\n"),
    html: layout(tr, title, body.html, brand, testNotice),
  };
}

function layout(tr: Translator, title: string, bodyHtml: string, brand?: Brand, testNotice?: string): string {
  const colour = /^#[0-9a-fA-F]{6}$/.test(brand?.branding?.brandColor ?? "")
    ? (brand?.branding?.brandColor as string)
    : "#334155";
  const logo = /^https:\/\//.test(brand?.branding?.logoUrl ?? "")
    ? `<img src="${escapeHtml(brand?.branding?.logoUrl ?? "")}" alt="" height="32" style="height:32px;vertical-align:middle;margin-right:12px">`
    : "";
  const header = brand
    ? `<div style="background:${colour};color:#fff;padding:16px 32px;border-radius:8px 8px 0 0;font-weight:600;font-size:16px">${logo}${escapeHtml(brand.name)}</div>`
    : "";
  const footer = brand
    ? (brand.branding?.footerText ?? tr.t("email.footer.merchant", { merchant: brand.name }))
    : tr.t("email.footer.kassa");
  const banner = testNotice
    ? `<div style="background:#fef3c7;color:#92400e;border:2px solid #f59e0b;padding:12px 32px;font-weight:700;letter-spacing:.04em">${escapeHtml(testNotice)}</div>`
    : "";
  return `<!doctype html><html lang="${escapeHtml(tr.locale)}"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;color:#1f2937;background:#f9fafb;padding:24px">
<div style="max-width:560px;margin:auto;background:#fff;border-radius:8px">${header}${banner}<div style="padding:32px">
<h1 style="font-size:20px;margin:0 0 24px">${escapeHtml(title)}</h1>${bodyHtml}
<p style="margin:32px 0 0;color:#6b7280;font-size:12px">${escapeHtml(footer)}</p></div></div></body></html>`;
}

/** What mail shows of an invoice: the API's numbers, and who it is billed to. */
export type InvoiceForMail = Pick<
  Invoice,
  | "id"
  | "number"
  | "currency"
  | "total"
  | "appliedBalance"
  | "amountRemaining"
  | "dueDate"
  | "hostedUrl"
  | "periodStart"
  | "periodEnd"
> & { customer: Pick<BilledCustomer, "email" | "name" | "locale"> };

/** The amount due, the due date and the link: what mail about an unpaid invoice says after its lead. */
export function invoiceParagraphs(
  tr: Translator,
  invoice: InvoiceForMail,
  merchant: Pick<Merchant, "timeZone">,
  lead: string,
): string[] {
  const money = (amount: number) => tr.money(amount, invoice.currency);
  const due = { amount: money(invoice.amountRemaining), total: money(invoice.total) };
  const balance = invoice.appliedBalance ?? 0;
  return [
    lead,
    balance > 0
      ? tr.t("email.invoice.amountDueLessBalance", { ...due, balance: money(balance) })
      : tr.t("email.invoice.amountDue", due),
    ...(invoice.dueDate
      ? [tr.t("email.invoice.dueDate", { date: tr.date(invoice.dueDate, merchant.timeZone) })]
      : []),
    ...(invoice.hostedUrl ? [tr.t("email.invoice.online", { url: invoice.hostedUrl })] : []),
  ];
}

/** Whose invoices an email is about: a merchant in test mode sends test invoices. */
export type InvoiceMerchant = Pick<
  Merchant,
  "name" | "timeZone" | "processor" | "stripeLivemode" | "locale"
> &
  Brand;

/** The notice mail about a test-mode merchant's invoices opens with (English unless told the reader). */
export const invoiceTestNotice = (
  merchant: InvoiceMerchant,
  tr: Translator,
): string | undefined => (merchantLivemode(merchant) ? undefined : tr.t("email.testMode.money"));

/** What mail shows of a payment. */
export type PaymentForMail = Pick<
  Payment,
  "id" | "amount" | "currency" | "method" | "paidAt" | "failure" | "livemode"
>;

/** The merchant as mail about its buyers' money names it. */
export type MerchantForMail = Pick<
  Merchant,
  "name" | "email" | "timeZone" | "branding" | "supportEmail" | "locale"
>;

/** How the buyer paid; events are checked only structurally, so a card's details may be missing. */
export function methodText(tr: Translator, method: PaymentForMail["method"]): string {
  if (method.type === "card")
    return tr.t("common.cardEnding", {
      brand: method.brand ?? tr.t("email.method.card"),
      last4: method.last4 ?? "????",
    });
  if (method.type === "bank_debit")
    return tr.t("email.method.bankAccount", { last4: method.last4 ?? "????" });
  return method.type.replace(/_/g, " ");
}

export function supportLine(tr: Translator, merchant: MerchantForMail): string[] {
  return [tr.t("email.support", { merchant: merchant.name, email: merchant.supportEmail ?? merchant.email })];
}
