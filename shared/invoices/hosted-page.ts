/**
 * The buyer's public invoice page: its content inside the hosted kit's branded frame (the merchant's
 * name, colour and footer; `shared/hosted/branded.ts`), one self-contained HTML document with no
 * external assets (no fonts, images, scripts or CDNs) and no scripts at all.
 *
 * Security: every interpolated value goes through `escapeHtml`; links are rendered only when they are
 * relative paths or `http:`/`https:` URLs; the single inline `<style>` element is allowed by its CSP
 * hash (there are no `style` attributes, which a hash would not cover). Words, amounts and dates are
 * the buyer's translator's (the customer's locale, else the merchant's), so they read as on the PDF.
 */
import { localDate } from "../domain/calendar.ts";
import { isPayable } from "../domain/invoice-lifecycle.ts";
import { divRound, DECIMAL_SCALE, toTenThousandths } from "../domain/money.ts";
import { readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { escapeHtml } from "../hosted/escape.ts";
import { brandedPage } from "../hosted/branded.ts";
import type { Page } from "../hosted/page.ts";
import { safeUrl } from "../hosted/theme.ts";
import { balanceRows } from "./balance.ts";
import { statusLabel } from "./wording.ts";
import type { Invoice, InvoiceFee, InvoiceLine } from "./invoice.ts";

export interface HostedPageLinks {
  pdfUrl: string;
  /**
   * The payment page; the button is shown only for an open or uncollectible invoice with an amount
   * due. Absent when the merchant cannot take card payments: the page says how to pay otherwise.
   */
  payUrl?: string;
}

/** True when the invoice is open and its due date is before today in the merchant's time zone. */
export function isOverdue(invoice: Invoice, timeZone: string, now: Date): boolean {
  if (invoice.status !== "open" || !invoice.dueDate || invoice.amountRemaining <= 0) return false;
  return invoice.dueDate < localDate(now, timeZone);
}

// --- styles -----------------------------------------------------------------------------------------

/** The invoice's own styles, inside the branded frame. */
const style = `
.sheet{background:#fff;border:1px solid var(--line);border-top:4px solid var(--brand);border-radius:10px;padding:32px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
.title-row{display:flex;flex-wrap:wrap;align-items:center;gap:12px;margin:0 0 24px}
h1{font-size:26px;line-height:1.2;margin:0}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:0 0 8px;font-weight:600}
.badge{display:inline-block;padding:3px 10px;border-radius:999px;font-size:13px;font-weight:600;border:1px solid transparent}
.badge-open{background:#dbeafe;color:#1e40af;border-color:#bfdbfe}
.badge-paid{background:#dcfce7;color:#166534;border-color:#bbf7d0}
.badge-void,.badge-draft{background:#f1f5f9;color:#334155;border-color:#e2e8f0}
.badge-uncollectible{background:#fef3c7;color:#92400e;border-color:#fde68a}
.badge-overdue{background:#fee2e2;color:#991b1b;border-color:#fecaca}
.due-panel{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:16px;background:#f9fafb;border:1px solid var(--line);border-radius:8px;padding:20px 24px;margin:0 0 28px}
.due-label{margin:0;color:var(--muted);font-size:14px}
.due-amount{margin:2px 0 0;font-size:30px;font-weight:700;font-variant-numeric:tabular-nums;line-height:1.2}
.due-note{margin:4px 0 0;color:var(--muted);font-size:14px}
.due-note.overdue{color:#991b1b;font-weight:600}
.actions{display:flex;flex-wrap:wrap;gap:10px}
.button{display:inline-block;padding:11px 20px;border-radius:8px;font-weight:600;text-decoration:none;border:1px solid var(--line);background:#fff;color:var(--text)}
.button:hover{background:#f3f4f6}
.button-primary{background:var(--brand);border-color:var(--brand);color:var(--on-brand)}
.button-primary:hover{background:var(--brand);filter:brightness(.92)}
.notice{margin:0;padding:10px 14px;border-radius:8px;font-weight:600}
.notice-paid{background:#dcfce7;color:#166534}
.notice-void{background:#f1f5f9;color:#334155}
.details{display:grid;grid-template-columns:repeat(auto-fit,minmax(200px,1fr));gap:24px;margin:0 0 28px}
.details p,.details address{margin:0;font-style:normal}
.muted{color:var(--muted)}
dl.dates{margin:0;display:grid;grid-template-columns:auto 1fr;gap:4px 16px}
dl.dates dt{color:var(--muted)}
dl.dates dd{margin:0;white-space:nowrap;font-variant-numeric:tabular-nums}
.table-wrap{overflow-x:auto;margin:0 0 8px}
table{width:100%;border-collapse:collapse}
.lines th{font-size:13px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);font-weight:600;text-align:left;border-bottom:2px solid var(--line);padding:8px 10px}
.lines td{padding:12px 10px;border-bottom:1px solid var(--line);vertical-align:top}
.lines .num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.lines th.num{text-align:right}
.line-note{display:block;color:var(--muted);font-size:13px}
.totals{width:auto;min-width:320px;margin:8px 0 0 auto}
.totals th{text-align:left;font-weight:400;color:var(--muted);padding:6px 10px 6px 0}
.totals td{text-align:right;padding:6px 0 6px 24px;white-space:nowrap;font-variant-numeric:tabular-nums}
.totals .total th,.totals .total td{border-top:1px solid var(--line);color:var(--text);font-weight:600;padding-top:10px}
.totals .amount-due th,.totals .amount-due td{border-top:2px solid var(--text);color:var(--text);font-weight:700;font-size:17px;padding-top:10px}
.notes{margin:28px 0 0;padding-top:20px;border-top:1px solid var(--line)}
.notes p{margin:0 0 12px;white-space:pre-line}
@media (max-width:600px){
.sheet{padding:20px 14px}
h1{font-size:22px}
.due-panel{padding:16px}
.due-amount{font-size:26px}
.actions,.button{width:100%;text-align:center}
.totals{width:100%;min-width:0}
.lines th{font-size:11px;letter-spacing:0}
.lines th,.lines td{padding-left:4px;padding-right:4px}
.lines td:first-child,.lines th:first-child{padding-left:0}
.lines td:last-child,.lines th:last-child{padding-right:0}
.totals th{padding-right:8px}
.totals td{padding-left:8px}
}
@media print{
.sheet{border:0;box-shadow:none;padding:0}
.actions{display:none}
.due-panel{border:1px solid #999;background:none}
tr{break-inside:avoid}
}
`;

// --- content ----------------------------------------------------------------------------------------


function countryName(tr: Translator, code: string): string {
  try {
    return tr.country(code);
  } catch {
    return code;
  }
}

function billTo(tr: Translator, invoice: Invoice): string {
  const c = invoice.customer;
  const lines: string[] = [];
  if (c.companyName) lines.push(`<strong>${escapeHtml(c.companyName)}</strong>`);
  if (c.name) lines.push(c.companyName ? escapeHtml(c.name) : `<strong>${escapeHtml(c.name)}</strong>`);
  const a = c.address;
  if (a) {
    lines.push(escapeHtml(a.line1));
    if (a.line2) lines.push(escapeHtml(a.line2));
    const cityLine = [a.city, [a.state, a.postalCode].filter(Boolean).join(" ")].filter(Boolean).join(", ");
    if (cityLine) lines.push(escapeHtml(cityLine));
    if (a.country) lines.push(escapeHtml(countryName(tr, a.country)));
  }
  lines.push(`<span class="muted">${escapeHtml(c.email)}</span>`);
  return `<address>${lines.join("<br>")}</address>`;
}

function lineNote(tr: Translator, line: InvoiceLine, currency: string): string {
  const d = line.discount;
  if (!d) return "";
  const amount = "percentOff" in d ? tr.percentage(d.percentOff) : tr.money(d.amountOff, currency);
  return `<span class="line-note">${escapeHtml(tr.t("page.invoice.lineDiscount", { amount }))}</span>`;
}

function lineRows(tr: Translator, invoice: Invoice): string {
  return invoice.lineItems
    .map(
      (line) => `<tr>
<td>${escapeHtml(line.description)}${lineNote(tr, line, invoice.currency)}</td>
<td class="num">${escapeHtml(tr.quantity(line.quantity))}</td>
<td class="num">${escapeHtml(tr.money(line.unitAmount, invoice.currency))}</td>
<td class="num">${escapeHtml(tr.money(line.amountSubtotal, invoice.currency))}</td>
</tr>`,
    )
    .join("\n");
}

/** A fee before its own exclusive tax (which the tax breakdown already lists). */
function feeAmount(fee: InvoiceFee, invoice: Invoice): number {
  if (fee.amount !== undefined) return fee.amount;
  if (!fee.taxable) return fee.amountTotal;
  const percent = toTenThousandths(fee.percent);
  if (percent === undefined) return fee.amountTotal;
  // As the money engine: a percentage of nothing when credits outweigh the charges.
  const base = BigInt(Math.max(0, invoice.subtotal - invoice.discountTotal));
  return Number(divRound(base * percent, 100n * DECIMAL_SCALE));
}

function row(label: string, value: string, className?: string): string {
  const cls = className ? ` class="${className}"` : "";
  return `<tr${cls}><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`;
}

/** A tax's row label: its name (else "Tax"), its rate, and whether prices include it. */
export const taxLabel = (tr: Translator, tax: { name?: string; percentage: number; inclusive?: boolean }) =>
  tr.t("page.taxLine", {
    name: tax.name || tr.t("common.tax"),
    percent: tr.percentage(tax.percentage),
    inclusive: tax.inclusive ? "yes" : "no",
  });

function totalsRows(tr: Translator, invoice: Invoice, amountDue: number): string {
  const money = (n: number) => tr.money(n, invoice.currency);
  const rows: string[] = [row(tr.t("common.subtotal"), money(invoice.subtotal))];

  let documentDiscounts = 0;
  for (const d of invoice.discounts) {
    documentDiscounts += d.amount;
    const what = [
      d.code ? tr.t("page.invoice.discountCode", { code: d.code }) : undefined,
      d.percentOff !== undefined
        ? tr.t("page.invoice.off", { amount: tr.percentage(d.percentOff) })
        : undefined,
      d.percentOff === undefined && d.amountOff !== undefined
        ? tr.t("page.invoice.off", { amount: money(d.amountOff) })
        : undefined,
    ].filter(Boolean);
    rows.push(
      row(
        what.length
          ? tr.t("page.invoice.discountWith", { details: what.join(", ") })
          : tr.t("common.discount"),
        money(-d.amount),
      ),
    );
  }
  const lineDiscounts = invoice.discountTotal - documentDiscounts;
  if (lineDiscounts > 0) rows.push(row(tr.t("page.invoice.lineDiscounts"), money(-lineDiscounts)));

  for (const fee of invoice.fees) {
    const label =
      fee.description ||
      (fee.percent !== undefined
        ? tr.t("page.invoice.feePercent", { percent: tr.percentage(fee.percent) })
        : tr.t("page.invoice.fee"));
    rows.push(row(label, money(feeAmount(fee, invoice))));
  }

  for (const tax of invoice.taxBreakdown) rows.push(row(taxLabel(tr, tax), money(tax.amount)));

  rows.push(row(tr.t("common.total"), money(invoice.total), "total"));
  for (const [label, amount] of balanceRows(invoice, tr)) rows.push(row(label, money(amount)));
  if (invoice.amountPaid > 0) rows.push(row(tr.t("common.amountPaid"), money(-invoice.amountPaid)));
  rows.push(row(tr.t("common.amountDue"), money(amountDue), "amount-due"));
  return rows.join("\n");
}

function dateOr(tr: Translator, iso: string | undefined, timeZone: string): string | undefined {
  if (!iso) return undefined;
  try {
    return tr.date(iso, timeZone);
  } catch {
    return undefined;
  }
}

/**
 * Renders the public page of `invoice` in its buyer's locale. `now` (the request's clock) decides
 * whether an open invoice is overdue: its due date is before today in the merchant's time zone.
 * The invoice of a merchant in test mode says TEST MODE at the top.
 */
export function renderHostedInvoicePage(
  invoice: Invoice,
  merchant: Merchant,
  links: HostedPageLinks,
  now: Date,
): Page {
  const tr = translator(readerLocale(merchant, invoice.customer));
  const tz = merchant.timeZone;
  const currency = invoice.currency;
  const money = (n: number) => tr.money(n, currency);

  const overdue = isOverdue(invoice, tz, now);
  const isVoid = invoice.status === "void";
  const isPaid = invoice.status === "paid";
  const amountDue = isVoid ? 0 : Math.max(0, invoice.amountRemaining);
  const title = invoice.number
    ? tr.t("page.invoice.title", { number: invoice.number })
    : tr.t("page.invoice.draftTitle");
  const statusKey = overdue ? "overdue" : invoice.status;
  const status = overdue ? tr.t("page.invoice.overdue") : statusLabel(tr, invoice.status);

  const issued = dateOr(tr, invoice.issuedAt ?? invoice.createdAt, tz);
  const due = dateOr(tr, invoice.dueDate, tz);
  const paidOn = dateOr(tr, invoice.paidAt, tz);
  const voidedOn = dateOr(tr, invoice.voidedAt, tz);

  // The amount-due panel: what to pay and how, or why nothing is due.
  const pdfUrl = safeUrl(links.pdfUrl);
  const payUrl = safeUrl(links.payUrl);
  const payable = isPayable(invoice);
  const actions: string[] = [];
  if (payable && payUrl) {
    actions.push(
      `<a class="button button-primary" href="${escapeHtml(payUrl)}">${escapeHtml(tr.t("common.payAmount", { amount: money(amountDue) }))}</a>`,
    );
  }
  if (pdfUrl) {
    actions.push(
      `<a class="button" href="${escapeHtml(pdfUrl)}" download>${escapeHtml(tr.t("common.downloadPdf"))}</a>`,
    );
  }
  let panelMain: string;
  if (isPaid) {
    panelMain = `<p class="notice notice-paid">${escapeHtml(paidOn ? tr.t("page.invoice.paidOn", { date: paidOn }) : tr.t("common.paid"))}</p>
<p class="due-note">${escapeHtml(tr.t("page.invoice.paidThanks", { amount: money(invoice.amountPaid) }))}</p>`;
  } else if (isVoid) {
    panelMain = `<p class="notice notice-void">${escapeHtml(voidedOn ? tr.t("page.invoice.voidedOn", { date: voidedOn }) : tr.t("page.invoice.void"))}</p>
<p class="due-note">${escapeHtml(tr.t("page.invoice.nothingDue"))}</p>`;
  } else {
    const note = due
      ? `<p class="due-note${overdue ? " overdue" : ""}">${escapeHtml(overdue ? tr.t("page.invoice.wasDue", { date: due }) : tr.t("page.invoice.due", { date: due }))}</p>`
      : "";
    const saves =
      payable && payUrl && invoice.subscriptionId
        ? `<p class="due-note">${escapeHtml(tr.t("page.pay.savesCard", { for: "subscription" }))}</p>`
        : "";
    const otherwise =
      payable && !payUrl
        ? `<p class="due-note">${escapeHtml(tr.t("page.invoice.contactToPay", { merchant: merchant.name, email: merchant.supportEmail ?? merchant.email }))}</p>`
        : "";
    panelMain = `<p class="due-label">${escapeHtml(tr.t("common.amountDue"))}</p>
<p class="due-amount">${escapeHtml(money(amountDue))}</p>
${note}${saves}${otherwise}`;
  }

  const term = (label: string, value: string) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`;
  const dates: string[] = [];
  if (invoice.number) dates.push(term(tr.t("common.invoiceNumber"), invoice.number));
  if (issued) dates.push(term(tr.t("common.issueDate"), issued));
  if (due) dates.push(term(tr.t("common.dueDate"), due));
  if (isPaid && paidOn) dates.push(term(tr.t("common.paid"), paidOn));

  const notes: string[] = [];
  if (invoice.memo) notes.push(`<p>${escapeHtml(invoice.memo)}</p>`);
  if (invoice.footer) notes.push(`<p class="muted">${escapeHtml(invoice.footer)}</p>`);
  const heading = (key: Parameters<Translator["t"]>[0]) => escapeHtml(tr.t(key));

  return brandedPage({
    merchant,
    locale: tr.locale,
    title: tr.t("page.documentTitle", { title, merchant: merchant.name }),
    testModeNotice: tr.t("page.invoice.testMode"),
    style,
    main: `<article class="sheet" aria-labelledby="invoice-title">
<div class="title-row">
<h1 id="invoice-title">${escapeHtml(title)}</h1>
<span class="badge badge-${statusKey}">${escapeHtml(status)}</span>
</div>
<section class="due-panel" aria-label="${heading("page.invoice.payment")}">
<div>
${panelMain}
</div>
${actions.length ? `<div class="actions">${actions.join("\n")}</div>` : ""}
</section>
<div class="details">
<section aria-labelledby="bill-to">
<h2 id="bill-to">${heading("common.billTo")}</h2>
${billTo(tr, invoice)}
</section>
<section aria-labelledby="from">
<h2 id="from">${heading("common.from")}</h2>
<address><strong>${escapeHtml(merchant.name)}</strong><br><span class="muted">${escapeHtml(merchant.email)}</span></address>
</section>
<section aria-labelledby="invoice-details">
<h2 id="invoice-details">${heading("page.details")}</h2>
<dl class="dates">${dates.join("")}</dl>
</section>
</div>
<div class="table-wrap">
<table class="lines">
<caption class="visually-hidden">${heading("page.lineItems")}</caption>
<thead><tr><th scope="col">${heading("common.description")}</th><th scope="col" class="num">${heading("common.quantity")}</th><th scope="col" class="num">${heading("common.unitPrice")}</th><th scope="col" class="num">${heading("common.amount")}</th></tr></thead>
<tbody>
${lineRows(tr, invoice)}
</tbody>
</table>
</div>
<table class="totals">
<caption class="visually-hidden">${heading("page.invoice.summary")}</caption>
<tbody>
${totalsRows(tr, invoice, amountDue)}
</tbody>
</table>
${notes.length ? `<section class="notes" aria-label="${heading("page.invoice.notes")}">\n${notes.join("\n")}\n</section>` : ""}
</article>`,
  });
}
