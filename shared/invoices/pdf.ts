/**
 * The invoice PDF: A4, branded with the merchant's name and colour, every amount formatted by
 * `formatMoney` from the invoice's own totals (so the PDF shows the API's numbers, never recomputed).
 *
 * pdf-lib with the standard Helvetica fonts: nothing to load from disk or network, so the function
 * bundles into a single esbuild file. Those fonts are WinAnsi-encoded; characters outside WinAnsi
 * (emoji, CJK…) are drawn as "?" instead of failing the whole document. The logo is not drawn: that
 * would mean fetching `logoUrl` at render time.
 */
import { type PDFFont, type PDFPage, PDFDocument, type RGB, rgb, StandardFonts } from "pdf-lib";
import { formatDate, formatMoney, formatPercentage, formatQuantity } from "../domain/format.ts";
import { channelsOf, validBrandColor } from "../hosted/theme.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
import type { Invoice, InvoiceLine } from "./invoice.ts";

const A4: [number, number] = [595.28, 841.89];
const margin = 48;
const left = margin;
const right = A4[0] - margin;
/** Nothing but the page number goes below this. */
const bottom = margin + 28;

const ink = rgb(0.12, 0.16, 0.22);
const muted = rgb(0.42, 0.45, 0.5);
const rule = rgb(0.85, 0.87, 0.9);
const defaultAccent = rgb(0.07, 0.09, 0.15);
const testBand = rgb(0.996, 0.953, 0.78);
const testInk = rgb(0.57, 0.25, 0.05);

/** Table columns: description from the left edge, the numbers right-aligned at these x positions. */
const columns = { description: left, descriptionWidth: 238, quantity: 335, unitPrice: 435, amount: right };

const statusLabels: Record<Invoice["status"], string> = {
  draft: "Draft",
  open: "Open",
  paid: "Paid",
  void: "Void",
  uncollectible: "Uncollectible",
};

/** `#rrggbb` → RGB; anything else gives the default. */
export function parseBrandColor(color: string | undefined): RGB {
  const hex = validBrandColor(color);
  return hex ? rgb(...channelsOf(hex)) : defaultAccent;
}

/** Spaces WinAnsi lacks but has a stand-in for (Intl puts narrow no-break spaces in some locales). */
const spaceLike = /[\u2007\u2009\u202f]/g;

/** Text the font can encode: NFC, whitespace flattened, every other unencodable character as "?". */
function encodable(text: string, charset: ReadonlySet<number>): string {
  let out = "";
  for (const char of text
    .normalize("NFC")
    .replace(/[\t\r\n\v\f]/g, " ")
    .replace(spaceLike, "\u00a0")) {
    out += charset.has(char.codePointAt(0) ?? 0) ? char : "?";
  }
  return out;
}

interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  charset: ReadonlySet<number>;
}

/** Greedy word wrap of one paragraph to `width`; words wider than a line are split between characters. */
function wrap(paragraph: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of paragraph.split(/ +/)) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = "";
    for (const char of word) {
      if (line && font.widthOfTextAtSize(line + char, size) > width) {
        lines.push(line);
        line = "";
      }
      line += char;
    }
  }
  lines.push(line);
  return lines;
}

/** Draws the invoice page by page, moving a cursor down and starting a new page when one is full. */
class Layout {
  readonly pages: PDFPage[] = [];
  private page!: PDFPage;
  y = 0;
  /** Redrawn at the top of each continuation page while the line table is being drawn. */
  onNewPage: (() => void) | undefined;

  constructor(
    private readonly doc: PDFDocument,
    readonly fonts: Fonts,
    private readonly accent: RGB,
    private readonly continuationTitle: string,
    /** Drawn as a band across the top of every page (a sandbox invoice). */
    private readonly testBanner?: string,
  ) {
    this.addPage();
  }

  private addPage(): void {
    this.page = this.doc.addPage(A4);
    this.pages.push(this.page);
    this.page.drawRectangle({ x: 0, y: A4[1] - 10, width: A4[0], height: 10, color: this.accent });
    this.y = A4[1] - margin;
    if (this.testBanner) {
      this.page.drawRectangle({ x: 0, y: A4[1] - 34, width: A4[0], height: 24, color: testBand });
      this.y = A4[1] - 27;
      this.text(this.testBanner, A4[0] / 2, { size: 11, bold: true, color: testInk, align: "center" });
      this.y = A4[1] - margin - 14;
    }
    if (this.pages.length > 1) {
      this.text(`${this.continuationTitle} (continued)`, left, { size: 9, color: muted });
      this.y -= 20;
      this.onNewPage?.();
    }
  }

  /** Makes room for `height` points, starting a new page if this one has less left. */
  need(height: number): void {
    if (this.y - height < bottom) this.addPage();
  }

  /** Draws one line of text with its baseline at the cursor; `align: "right"` ends it at `x`. */
  text(
    value: string,
    x: number,
    options: {
      size?: number;
      bold?: boolean;
      color?: RGB;
      align?: "left" | "right" | "center";
      maxWidth?: number;
    } = {},
  ): void {
    const font = options.bold ? this.fonts.bold : this.fonts.regular;
    const safe = encodable(value, this.fonts.charset);
    let size = options.size ?? 10;
    // Very long amounts shrink to fit their column rather than overlap the next one.
    while (options.maxWidth && size > 5 && font.widthOfTextAtSize(safe, size) > options.maxWidth) size -= 0.5;
    const width = font.widthOfTextAtSize(safe, size);
    this.page.drawText(safe, {
      x: options.align === "right" ? x - width : options.align === "center" ? x - width / 2 : x,
      y: this.y,
      size,
      font,
      color: options.color ?? ink,
    });
  }

  /** Wrapped text at the cursor, moving it down; returns the number of lines drawn. */
  paragraph(
    value: string,
    x: number,
    width: number,
    options: { size?: number; bold?: boolean; color?: RGB } = {},
  ) {
    const size = options.size ?? 10;
    const font = options.bold ? this.fonts.bold : this.fonts.regular;
    const lines = value
      .split(/\r\n?|\n/)
      .flatMap((p) => wrap(encodable(p, this.fonts.charset), font, size, width));
    for (const line of lines) {
      this.need(size * 1.4);
      this.text(line, x, options);
      this.y -= size * 1.4;
    }
    return lines.length;
  }

  hr(color = rule, thickness = 0.75, from = left): void {
    this.page.drawLine({ start: { x: from, y: this.y }, end: { x: right, y: this.y }, thickness, color });
  }

  /** "Page n of m" at the foot of every page, once all pages exist. */
  numberPages(label: string): void {
    this.pages.forEach((page, i) => {
      const text = encodable(`${label} · Page ${i + 1} of ${this.pages.length}`, this.fonts.charset);
      const width = this.fonts.regular.widthOfTextAtSize(text, 8);
      page.drawText(text, {
        x: right - width,
        y: margin - 8,
        size: 8,
        font: this.fonts.regular,
        color: muted,
      });
    });
  }
}

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
  const doc = await PDFDocument.create({ updateMetadata: false });
  const testMode = !merchantLivemode(merchant);
  const title = `${invoice.number ? `Invoice ${invoice.number}` : "Draft invoice"}${testMode ? " (TEST MODE)" : ""}`;
  const customerName = invoice.customer.name ?? invoice.customer.companyName ?? invoice.customer.email;
  doc.setTitle(title);
  doc.setAuthor(merchant.name);
  doc.setSubject(`${title} from ${merchant.name} to ${customerName}`);
  doc.setCreator("Kassa");
  doc.setProducer("Kassa (pdf-lib)");
  doc.setLanguage("en-US");
  const created = new Date(invoice.issuedAt ?? invoice.createdAt);
  doc.setCreationDate(created);
  doc.setModificationDate(new Date(invoice.updatedAt));

  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const fonts: Fonts = { regular, bold, charset: new Set(regular.getCharacterSet()) };
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
  const tableHeader = () => {
    out.need(24);
    out.text("DESCRIPTION", columns.description, { size: 8, bold: true, color: muted });
    out.text("QTY", columns.quantity, { size: 8, bold: true, color: muted, align: "right" });
    out.text("UNIT PRICE", columns.unitPrice, { size: 8, bold: true, color: muted, align: "right" });
    out.text("AMOUNT", columns.amount, { size: 8, bold: true, color: muted, align: "right" });
    out.y -= 7;
    out.hr(ink, 0.75);
    out.y -= 14;
  };
  tableHeader();
  out.onNewPage = tableHeader;
  for (const line of invoice.lineItems) {
    const description = wrap(
      encodable(line.description, fonts.charset),
      regular,
      10,
      columns.descriptionWidth,
    );
    const note = lineDiscountNote(line, invoice.currency);
    out.need(Math.min(description.length, 3) * 14);
    out.text(formatQuantity(line.quantity), columns.quantity, { align: "right", maxWidth: 60 });
    out.text(money(line.unitAmount), columns.unitPrice, { align: "right", maxWidth: 95 });
    out.text(money(line.amountSubtotal), columns.amount, { align: "right", maxWidth: 105 });
    description.forEach((text, i) => {
      if (i > 0) out.need(14);
      out.text(text, columns.description);
      out.y -= 14;
    });
    if (note) {
      out.need(12);
      out.text(`Discount: ${note}`, columns.description, { size: 8, color: muted });
      out.y -= 12;
    }
    out.y += 4;
    out.hr();
    out.y -= 14;
  }
  out.onNewPage = undefined;

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
