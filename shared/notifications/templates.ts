/**
 * Email templates, rendered by Kassa itself: every message has an HTML part (escaped) and a text part.
 */
import type { Mail } from "../aws/mailer.ts";
import type { Branding, Merchant } from "../merchants/merchant.ts";
import { formatDate, formatMoney } from "../domain/format.ts";
import type { Payout } from "../payouts/payout.ts";
import { merchantLivemode } from "../payments/mode.ts";
import { escapeHtml } from "./html.ts";

/** Whose look a buyer-facing email wears: the merchant's name, colour, logo and footer. */
type Brand = Pick<Merchant, "name"> & { branding?: Branding };

/** What mail about sandbox money says first, so it is never taken for real money. */
export const testModeNotice = "TEST MODE: this is about test money in the sandbox. No real money moved.";
const simulatedPayoutNotice =
  "TEST MODE: this payout is simulated. The sandbox sends no money to any bank account.";

/**
 * A message whose title is its subject and first line, and whose paragraphs form both parts. Mail to
 * buyers carries the merchant's branding; mail to merchants carries Kassa's. Mail about test money
 * (`testNotice`) says TEST MODE in its subject and opens with the notice.
 */
function compose(
  to: { email: string; name?: string | undefined },
  subject: string,
  paragraphs: string[],
  brand?: Brand,
  testNotice?: string,
): Mail {
  const title = testNotice ? `[TEST MODE] ${subject}` : subject;
  return {
    to: { email: to.email, ...(to.name ? { name: to.name } : {}) },
    subject: title,
    text: [
      title,
      "",
      ...(testNotice ? [testNotice, ""] : []),
      ...paragraphs,
      ...(brand?.branding?.footerText ? ["", brand.branding.footerText] : []),
    ].join("\n"),
    html: layout(title, paragraphs, brand, testNotice),
  };
}

function layout(title: string, paragraphs: string[], brand?: Brand, testNotice?: string): string {
  const colour = /^#[0-9a-fA-F]{6}$/.test(brand?.branding?.brandColor ?? "")
    ? (brand?.branding?.brandColor as string)
    : "#334155";
  const logo = /^https:\/\//.test(brand?.branding?.logoUrl ?? "")
    ? `<img src="${escapeHtml(brand?.branding?.logoUrl ?? "")}" alt="" height="32" style="height:32px;vertical-align:middle;margin-right:12px">`
    : "";
  const header = brand
    ? `<div style="background:${colour};color:#fff;padding:16px 32px;border-radius:8px 8px 0 0;font-weight:600;font-size:16px">${logo}${escapeHtml(brand.name)}</div>`
    : "";
  const footer = brand ? (brand.branding?.footerText ?? `Sent by ${brand.name} with Kassa`) : "Sent by Kassa";
  const banner = testNotice
    ? `<div style="background:#fef3c7;color:#92400e;border:2px solid #f59e0b;padding:12px 32px;font-weight:700;letter-spacing:.04em">${escapeHtml(testNotice)}</div>`
    : "";
  const body = paragraphs.map((p) => `<p style="margin:0 0 16px">${escapeHtml(p)}</p>`).join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;color:#1f2937;background:#f9fafb;padding:24px">
<div style="max-width:560px;margin:auto;background:#fff;border-radius:8px">${header}${banner}<div style="padding:32px">
<h1 style="font-size:20px;margin:0 0 24px">${escapeHtml(title)}</h1>${body}
<p style="margin:32px 0 0;color:#6b7280;font-size:12px">${escapeHtml(footer)}</p></div></div></body></html>`;
}

export function welcomeEmail(merchant: Pick<Merchant, "name" | "email" | "id">): Mail {
  const title = `Welcome to Kassa, ${merchant.name}`;
  const paragraphs = [
    `Your merchant account ${merchant.id} is ready.`,
    "Use the API key you were given to create customers, products and invoices. Keep it secret: it is shown only once.",
  ];
  return compose(merchant, title, paragraphs);
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

function invoiceParagraphs(
  invoice: InvoiceForMail,
  merchant: Pick<Merchant, "timeZone">,
  lead: string,
): string[] {
  return [
    lead,
    `Amount due: ${formatMoney(invoice.amountRemaining, invoice.currency)} (total ${formatMoney(invoice.total, invoice.currency)}).`,
    ...(invoice.dueDate ? [`Due date: ${formatDate(invoice.dueDate, merchant.timeZone)}.`] : []),
    ...(invoice.hostedUrl ? [`View and download it online: ${invoice.hostedUrl}`] : []),
  ];
}

/** Whose invoices an email is about: a merchant in test mode sends test invoices. */
type InvoiceMerchant = Pick<Merchant, "name" | "timeZone" | "processor" | "stripeLivemode"> & Brand;

const invoiceTestNotice = (merchant: InvoiceMerchant) =>
  merchantLivemode(merchant) ? undefined : testModeNotice;

/** The invoice itself, sent to the customer; the caller attaches the PDF. */
export function invoiceEmail(invoice: InvoiceForMail, merchant: InvoiceMerchant): Mail {
  const title = `Invoice ${invoice.number ?? invoice.id} from ${merchant.name}`;
  const paragraphs = invoiceParagraphs(
    invoice,
    merchant,
    `${merchant.name} sent you invoice ${invoice.number ?? invoice.id}. The PDF is attached.`,
  );
  return compose(invoice.customer, title, paragraphs, merchant, invoiceTestNotice(merchant));
}

/** A reminder about an unpaid invoice, before or after its due date. */
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

/** What the payout email shows: the day's totals. */
type PayoutForMail = Omit<Payout, "balanceTransactionCount" | "createdAt" | "updatedAt">;

const count = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;

/** The daily payout summary, sent to the merchant: what the day's money added up to and when it arrives. */
export function payoutEmail(
  merchant: Pick<Merchant, "name" | "email" | "timeZone">,
  payout: PayoutForMail,
): Mail {
  const money = (amount: number) => formatMoney(amount, payout.currency);
  const day = formatDate(payout.date, merchant.timeZone);
  const title =
    payout.status === "paid"
      ? `Payout of ${money(payout.amount)} for ${day}`
      : payout.status === "failed"
        ? `Payout of ${money(payout.amount)} for ${day} failed`
        : `No payout for ${day}: the net was ${money(payout.amount)}`;
  const breakdown =
    payout.source === "sandbox"
      ? [
          `Charges: ${count(payout.chargeCount, "charge")}, ${money(payout.grossAmount)}.`,
          `Fees: ${money(-payout.feeTotal)}.`,
          `Refunds: ${count(payout.refundCount, "refund")}, ${money(-payout.refundTotal)}.`,
          `Disputes: ${count(payout.disputeCount, "lost dispute")}, ${money(-payout.disputeTotal)}.`,
          `Net: ${money(payout.amount)}.`,
        ]
      : [`Net: ${money(payout.amount)}. Stripe's dashboard lists the transactions this payout contains.`];
  const paragraphs = [
    `Hello ${merchant.name}, here is the ${payout.currency} summary for ${day}.`,
    ...breakdown,
    ...(payout.status === "paid" && payout.arrivalDate
      ? [`Expected in your bank account on ${formatDate(payout.arrivalDate, merchant.timeZone)}.`]
      : []),
    ...(payout.status === "failed"
      ? ["The payout failed; check your bank account details with your processor."]
      : []),
    `Payout reference: ${payout.id}.`,
  ];
  return compose(merchant, title, paragraphs, undefined, payout.livemode ? undefined : simulatedPayoutNotice);
}

interface PaymentForMail {
  id: string;
  amount: number;
  currency: string;
  method: { type: string; brand?: string; last4?: string };
  paidAt?: string;
  failure?: { declineCode: string; message: string };
  livemode: boolean;
}

/** The notice mail about a payment or refund opens with, unless its money is real. */
const moneyTestNotice = (money: { livemode: boolean }) => (money.livemode ? undefined : testModeNotice);

type MerchantForMail = Pick<Merchant, "name" | "email" | "timeZone" | "branding" | "supportEmail">;

function methodText(method: PaymentForMail["method"]): string {
  if (method.type === "card") return `${method.brand ?? "card"} ending in ${method.last4 ?? "????"}`;
  if (method.type === "bank_debit") return `bank account ending in ${method.last4 ?? "????"}`;
  return method.type.replace(/_/g, " ");
}

function supportLine(merchant: MerchantForMail): string[] {
  return [`Questions? Contact ${merchant.name} at ${merchant.supportEmail ?? merchant.email}.`];
}

/** The buyer's receipt for a successful payment. */
export function receiptEmail(
  payment: PaymentForMail,
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
): Mail {
  const title = `Receipt from ${merchant.name}: ${formatMoney(payment.amount, payment.currency)} paid`;
  const paragraphs = [
    `Thank you! We received your payment of ${formatMoney(payment.amount, payment.currency)} for invoice ${invoice.number ?? invoice.id}.`,
    `Paid with ${methodText(payment.method)}${payment.paidAt ? ` on ${formatDate(payment.paidAt, merchant.timeZone)}` : ""}.`,
    `Receipt number: ${payment.id}.`,
    ...(invoice.amountRemaining > 0
      ? [`Still due on this invoice: ${formatMoney(invoice.amountRemaining, invoice.currency)}.`]
      : []),
    ...(invoice.hostedUrl ? [`Your invoice: ${invoice.hostedUrl}`] : []),
    ...supportLine(merchant),
  ];
  return compose(invoice.customer, title, paragraphs, merchant, moneyTestNotice(payment));
}

/** The merchant's notice of a payment received. */
export function paymentReceivedEmail(
  payment: PaymentForMail,
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
): Mail {
  const title = `Payment received: ${formatMoney(payment.amount, payment.currency)} for invoice ${invoice.number ?? invoice.id}`;
  const paragraphs = [
    `${invoice.customer.name ?? invoice.customer.email} paid ${formatMoney(payment.amount, payment.currency)} with ${methodText(payment.method)}.`,
    `Payment ${payment.id}. Amount still due: ${formatMoney(invoice.amountRemaining, invoice.currency)}.`,
  ];
  return compose(merchant, title, paragraphs, undefined, moneyTestNotice(payment));
}

/**
 * The merchant's notice that a payment brought more than its invoice still owed (a second payment,
 * or one after the invoice was paid another way or voided) and the excess went back to the buyer.
 */
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
  return compose(merchant, title, paragraphs);
}

/** The buyer's notice of a failed payment, with a way to try again. */
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

/** The buyer's refund confirmation. */
export function refundEmail(
  refund: { id: string; amount: number; currency: string; livemode: boolean },
  invoice: InvoiceForMail,
  merchant: MerchantForMail,
): Mail {
  const title = `Refund from ${merchant.name}: ${formatMoney(refund.amount, refund.currency)}`;
  const paragraphs = [
    `${merchant.name} refunded ${formatMoney(refund.amount, refund.currency)} for invoice ${invoice.number ?? invoice.id}. It can take 5–10 business days to appear on your statement.`,
    `Refund number: ${refund.id}.`,
    ...supportLine(merchant),
  ];
  return compose(invoice.customer, title, paragraphs, merchant, moneyTestNotice(refund));
}
