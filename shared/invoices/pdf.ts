/**
 * The invoice PDF: A4, branded with the merchant's name and colour, every amount formatted from the
 * invoice's own totals (so the PDF shows the API's numbers, never recomputed), in the buyer's locale
 * (the invoice's customer snapshot, else the merchant's): their words, dates and number formats.
 * One user of the documents layout (`shared/documents/`). The logo is not drawn: that would mean
 * fetching `logoUrl` at render time.
 */
import {
  beginDocument,
  drawLineTable,
  left,
  lineColumns,
  muted,
  right,
  rule,
  taxLabel,
} from "../documents/layout.ts";
import { readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
import { balanceRows } from "./balance.ts";
import { statusLabel } from "./wording.ts";
import type { Invoice, InvoiceLine } from "./invoice.ts";

const columns = lineColumns;

function lineDiscountNote(tr: Translator, line: InvoiceLine, currency: string): string | undefined {
  if (!line.discount) return undefined;
  const amount =
    "percentOff" in line.discount
      ? tr.percentage(line.discount.percentOff)
      : tr.money(line.discount.amountOff, currency);
  return tr.t("document.invoice.lineDiscount", { amount });
}

/**
 * The fees as shown in the totals: their pre-tax amounts (their tax is in the tax rows). A percent
 * fee only stores its total with tax; its pre-tax amount is what `feeTotal` leaves for it when it is
 * the only such fee. Otherwise the fees are shown as one row of `feeTotal`.
 */
function feeRows(tr: Translator, invoice: Invoice): [string, number][] {
  const known = invoice.fees.map((f) => f.amount ?? (f.taxable ? undefined : f.amountTotal));
  const unknown = known.filter((a) => a === undefined).length;
  if (unknown > 1) return invoice.feeTotal ? [[tr.t("common.fees"), invoice.feeTotal]] : [];
  const rest = invoice.feeTotal - known.reduce<number>((sum, a) => sum + (a ?? 0), 0);
  return invoice.fees.map((fee, i) => {
    const label =
      fee.percent !== undefined ? `${fee.description} (${tr.percentage(fee.percent)})` : fee.description;
    return [label, known[i] ?? rest];
  });
}

/**
 * Renders the invoice as a PDF document (A4, as many pages as its lines need). The invoice of a
 * merchant in test mode says TEST MODE on every page and in its title.
 */
export async function renderInvoicePdf(invoice: Invoice, merchant: Merchant): Promise<Uint8Array> {
  const tr = translator(readerLocale(merchant, invoice.customer));
  const testMode = !merchantLivemode(merchant);
  const heading = invoice.number
    ? tr.t("document.invoice.title", { number: invoice.number })
    : tr.t("document.invoice.draftTitle");
  const { doc, out, accent, title } = await beginDocument({
    tr,
    merchant,
    heading,
    testModeBanner: testMode ? tr.t("document.invoice.testModeBanner") : undefined,
    customerName: invoice.customer.name ?? invoice.customer.companyName ?? invoice.customer.email,
    created: new Date(invoice.issuedAt ?? invoice.createdAt),
    modified: new Date(invoice.updatedAt),
  });
  const money = (amount: number) => tr.money(amount, invoice.currency);
  const date = (iso: string) => tr.date(iso, merchant.timeZone);

  // Header: merchant on the left; document title, status and dates on the right.
  out.text(invoice.number ? heading : tr.t("common.status.draft"), right, {
    size: 16,
    bold: true,
    align: "right",
  });
  out.y -= 16;
  out.text(merchant.email, left, { size: 9, color: muted });
  const facts: [string, string][] = [[tr.t("document.status"), statusLabel(tr, invoice.status)]];
  if (invoice.issuedAt) facts.push([tr.t("common.issueDate"), date(invoice.issuedAt)]);
  if (invoice.dueDate) facts.push([tr.t("common.dueDate"), date(invoice.dueDate)]);
  if (invoice.paidAt) facts.push([tr.t("document.invoice.paidOn"), date(invoice.paidAt)]);
  const headerTop = out.y;
  for (const [label, value] of facts) {
    out.text(label, right - 110, { size: 9, color: muted, align: "right" });
    out.text(value, right, { size: 9, bold: true, align: "right" });
    out.y -= 13;
  }
  const factsBottom = out.y;

  // Bill to.
  out.y = headerTop - 36;
  out.party(tr.t("common.billTo"), invoice.customer);
  out.y = Math.min(out.y, factsBottom) - 18;

  // Lines.
  drawLineTable(
    out,
    invoice.lineItems.map((line) => {
      const note = lineDiscountNote(tr, line, invoice.currency);
      return {
        description: line.description,
        quantity: tr.quantity(line.quantity),
        unitPrice: money(line.unitAmount),
        amount: money(line.amountSubtotal),
        ...(note ? { note } : {}),
      };
    }),
  );

  // Totals, right-aligned under the amount column.
  const rows: { label: string; value: string; strong?: boolean; ruleAbove?: boolean; size?: number }[] = [
    { label: tr.t("common.subtotal"), value: money(invoice.subtotal) },
  ];
  for (const d of invoice.discounts) {
    const what = [d.code, d.percentOff !== undefined ? tr.percentage(d.percentOff) : undefined].filter(
      Boolean,
    );
    const label = what.length
      ? tr.t("document.invoice.discountWith", { details: what.join(", ") })
      : tr.t("common.discount");
    rows.push({ label, value: money(-d.amount) });
  }
  const lineDiscounts = invoice.discountTotal - invoice.discounts.reduce((sum, d) => sum + d.amount, 0);
  if (lineDiscounts)
    rows.push({ label: tr.t("document.invoice.lineDiscounts"), value: money(-lineDiscounts) });
  for (const tax of invoice.taxBreakdown) rows.push({ label: taxLabel(tr, tax), value: money(tax.amount) });
  for (const [label, amount] of feeRows(tr, invoice)) rows.push({ label, value: money(amount) });
  rows.push({ label: tr.t("common.total"), value: money(invoice.total), strong: true, ruleAbove: true });
  for (const [label, amount] of balanceRows(invoice, tr)) rows.push({ label, value: money(amount) });
  rows.push({ label: tr.t("common.amountPaid"), value: money(invoice.amountPaid) });
  rows.push({
    label: tr.t("common.amountDue"),
    value: money(invoice.amountRemaining),
    strong: true,
    size: 12,
  });

  out.y -= 4;
  for (const row of rows) {
    out.need(18);
    if (row.ruleAbove) {
      out.y += 4;
      out.hr(rule, 0.75, columns.quantity - 40);
      out.y -= 12;
    }
    const size = row.size ?? 10;
    out.text(row.label, columns.unitPrice, { size, bold: row.strong, align: "right", maxWidth: 220 });
    out.text(row.value, columns.amount, { size, bold: row.strong, align: "right", maxWidth: 105 });
    out.y -= size + 6;
  }

  // Pay link, memo and footers flow after the totals.
  if (invoice.hostedUrl && invoice.status === "open") {
    out.y -= 10;
    out.paragraph(tr.t("document.invoice.payOnline", { url: invoice.hostedUrl }), left, right - left, {
      size: 9,
      color: accent,
    });
  }
  if (invoice.memo) {
    out.y -= 14;
    out.need(30);
    out.heading(tr.t("document.notes"));
    out.y -= 14;
    out.paragraph(invoice.memo, left, right - left);
  }
  const footers = [invoice.footer, merchant.branding.footerText].filter((f): f is string => Boolean(f));
  if (footers.length) {
    out.y -= 14;
    out.need(24);
    out.hr();
    out.y -= 14;
    for (const footer of footers) {
      out.paragraph(footer, left, right - left, { size: 8, color: muted });
      out.y -= 4;
    }
  }

  out.numberPages(`${merchant.name} · ${title}`);
  return doc.save({ useObjectStreams: false });
}
