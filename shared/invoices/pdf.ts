/**
 * The invoice PDF: A4, branded with the merchant's name and colour, every amount formatted by
 * `formatMoney` from the invoice's own totals (so the PDF shows the API's numbers, never recomputed).
 * One user of the documents layout (`shared/documents/`). The logo is not drawn: that would mean
 * fetching `logoUrl` at render time.
 */
import { formatDate, formatMoney, formatPercentage, formatQuantity } from "../domain/format.ts";
import {
  drawLineTable,
  lineColumns,
  Layout,
  left,
  muted,
  newDocument,
  parseBrandColor,
  right,
  rule,
} from "../documents/layout.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
import { balanceRows } from "./balance.ts";
import type { Invoice, InvoiceLine } from "./invoice.ts";

const columns = lineColumns;

const statusLabels: Record<Invoice["status"], string> = {
  draft: "Draft",
  open: "Open",
  paid: "Paid",
  void: "Void",
  uncollectible: "Uncollectible",
};

function lineDiscountNote(line: InvoiceLine, currency: string): string | undefined {
  if (!line.discount) return undefined;
  return "percentOff" in line.discount
    ? `${formatPercentage(line.discount.percentOff)} off`
    : `${formatMoney(line.discount.amountOff, currency)} off`;
}

/**
 * The fees as shown in the totals: their pre-tax amounts (their tax is in the tax rows). A percent
 * fee only stores its total with tax; its pre-tax amount is what `feeTotal` leaves for it when it is
 * the only such fee. Otherwise the fees are shown as one row of `feeTotal`.
 */
function feeRows(invoice: Invoice): [string, number][] {
  const known = invoice.fees.map((f) => f.amount ?? (f.taxable ? undefined : f.amountTotal));
  const unknown = known.filter((a) => a === undefined).length;
  if (unknown > 1) return invoice.feeTotal ? [["Fees", invoice.feeTotal]] : [];
  const rest = invoice.feeTotal - known.reduce<number>((sum, a) => sum + (a ?? 0), 0);
  return invoice.fees.map((fee, i) => {
    const label =
      fee.percent !== undefined ? `${fee.description} (${formatPercentage(fee.percent)})` : fee.description;
    return [label, known[i] ?? rest];
  });
}

/** What every page of a test-mode merchant's invoice says across its top. */
export const testModeBanner = "TEST MODE · sandbox invoice: no real money is charged or paid";

/**
 * Renders the invoice as a PDF document (A4, as many pages as its lines need). The invoice of a
 * merchant in test mode says TEST MODE on every page and in its title.
 */
export async function renderInvoicePdf(invoice: Invoice, merchant: Merchant): Promise<Uint8Array> {
  const testMode = !merchantLivemode(merchant);
  const title = `${invoice.number ? `Invoice ${invoice.number}` : "Draft invoice"}${testMode ? " (TEST MODE)" : ""}`;
  const customerName = invoice.customer.name ?? invoice.customer.companyName ?? invoice.customer.email;
  const { doc, fonts } = await newDocument({
    title,
    author: merchant.name,
    subject: `${title} from ${merchant.name} to ${customerName}`,
    created: new Date(invoice.issuedAt ?? invoice.createdAt),
    modified: new Date(invoice.updatedAt),
  });
  const accent = parseBrandColor(merchant.branding.brandColor);
  const out = new Layout(
    doc,
    fonts,
    accent,
    `${merchant.name} · ${title}`,
    testMode ? testModeBanner : undefined,
  );
  const money = (amount: number) => formatMoney(amount, invoice.currency);
  const date = (iso: string) => formatDate(iso, merchant.timeZone);

  // Header: merchant on the left; document title, status and dates on the right.
  out.text(merchant.name, left, { size: 18, bold: true, color: accent, maxWidth: 300 });
  out.text(invoice.number ? `Invoice ${invoice.number}` : "Draft", right, {
    size: 16,
    bold: true,
    align: "right",
  });
  out.y -= 16;
  out.text(merchant.email, left, { size: 9, color: muted });
  const facts: [string, string][] = [["Status", statusLabels[invoice.status]]];
  if (invoice.issuedAt) facts.push(["Issue date", date(invoice.issuedAt)]);
  if (invoice.dueDate) facts.push(["Due date", date(invoice.dueDate)]);
  if (invoice.paidAt) facts.push(["Paid on", date(invoice.paidAt)]);
  const headerTop = out.y;
  for (const [label, value] of facts) {
    out.text(label, right - 110, { size: 9, color: muted, align: "right" });
    out.text(value, right, { size: 9, bold: true, align: "right" });
    out.y -= 13;
  }
  const factsBottom = out.y;

  // Bill to.
  out.y = headerTop - 36;
  out.text("BILL TO", left, { size: 8, bold: true, color: muted });
  out.y -= 14;
  const { customer } = invoice;
  const billTo = [customer.name, customer.companyName, customer.email];
  if (customer.address) {
    const a = customer.address;
    billTo.push(a.line1, a.line2, [a.city, a.state, a.postalCode].filter(Boolean).join(", "), a.country);
  }
  billTo
    .filter((l): l is string => Boolean(l))
    .forEach((l, i) => {
      out.paragraph(l, left, 260, { bold: i === 0 });
    });
  out.y = Math.min(out.y, factsBottom) - 18;

  // Lines.
  drawLineTable(
    out,
    invoice.lineItems.map((line) => {
      const note = lineDiscountNote(line, invoice.currency);
      return {
        description: line.description,
        quantity: formatQuantity(line.quantity),
        unitPrice: money(line.unitAmount),
        amount: money(line.amountSubtotal),
        ...(note ? { note: `Discount: ${note}` } : {}),
      };
    }),
  );

  // Totals, right-aligned under the amount column.
  const rows: { label: string; value: string; strong?: boolean; ruleAbove?: boolean; size?: number }[] = [
    { label: "Subtotal", value: money(invoice.subtotal) },
  ];
  for (const d of invoice.discounts) {
    const what = [d.code, d.percentOff !== undefined ? formatPercentage(d.percentOff) : undefined].filter(
      Boolean,
    );
    rows.push({ label: what.length ? `Discount (${what.join(", ")})` : "Discount", value: money(-d.amount) });
  }
  const lineDiscounts = invoice.discountTotal - invoice.discounts.reduce((sum, d) => sum + d.amount, 0);
  if (lineDiscounts) rows.push({ label: "Line discounts", value: money(-lineDiscounts) });
  for (const tax of invoice.taxBreakdown) {
    const label = `${tax.name ?? "Tax"} ${formatPercentage(tax.percentage)}${tax.inclusive ? " (incl.)" : ""}`;
    rows.push({ label, value: money(tax.amount) });
  }
  for (const [label, amount] of feeRows(invoice)) rows.push({ label, value: money(amount) });
  rows.push({ label: "Total", value: money(invoice.total), strong: true, ruleAbove: true });
  for (const [label, amount] of balanceRows(invoice)) rows.push({ label, value: money(amount) });
  rows.push({ label: "Amount paid", value: money(invoice.amountPaid) });
  rows.push({ label: "Amount due", value: money(invoice.amountRemaining), strong: true, size: 12 });

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
    out.paragraph(`Pay online: ${invoice.hostedUrl}`, left, right - left, { size: 9, color: accent });
  }
  if (invoice.memo) {
    out.y -= 14;
    out.need(30);
    out.text("NOTES", left, { size: 8, bold: true, color: muted });
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
