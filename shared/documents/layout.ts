/**
 * The layout of every PDF document Kassa renders for a merchant (invoices, quotes, receipts): A4
 * pages with the brand colour across the top, the TEST MODE band of a sandbox merchant's document on
 * every page, a text cursor that flows onto new pages, word wrap, and page numbers — its own words in
 * the reader's language (the document's translator).
 *
 * pdf-lib with the standard Helvetica fonts: nothing to load from disk or network, so a function
 * bundles into a single esbuild file. Those fonts are WinAnsi-encoded; characters outside WinAnsi
 * (emoji, CJK…) are drawn as "?" instead of failing the whole document.
 */
import { type PDFFont, type PDFPage, PDFDocument, type RGB, rgb, StandardFonts } from "pdf-lib";
import { channelsOf, validBrandColor } from "../hosted/theme.ts";
import type { Translator } from "../i18n/translator.ts";
import type { BilledCustomer } from "../invoices/invoice.ts";

const A4: [number, number] = [595.28, 841.89];
const margin = 48;
export const left = margin;
export const right = A4[0] - margin;
/** Nothing but the page number goes below this. */
const bottom = margin + 28;

export const ink = rgb(0.12, 0.16, 0.22);
export const muted = rgb(0.42, 0.45, 0.5);
export const rule = rgb(0.85, 0.87, 0.9);
const defaultAccent = rgb(0.07, 0.09, 0.15);
const testBand = rgb(0.996, 0.953, 0.78);
const testInk = rgb(0.57, 0.25, 0.05);

/** `#rrggbb` → RGB; anything else gives the default. */
export function parseBrandColor(color: string | undefined): RGB {
  const hex = validBrandColor(color);
  return hex ? rgb(...channelsOf(hex)) : defaultAccent;
}

/**
 * Spaces WinAnsi lacks but has a stand-in for: Intl groups digits with a narrow no-break space in
 * some locales (fr-FR: "4\u202f218,75\u00a0€"), which must stay unbreakable.
 */
const spaceLike = /[\u2007\u2009\u202f]/g;

/** Intl's MINUS SIGN in negative amounts of some locales (nb-NO: "−30,00\u00a0kr"); WinAnsi has only "-". */
const minusSign = /\u2212/g;

/**
 * Text the font can encode: NFC, whitespace flattened, Intl's minus sign and narrow spaces as their
 * WinAnsi stand-ins, every other unencodable character as "?". Every string a document draws passes
 * through here (`Layout.text`, `Layout.paragraph`, the line table), so this is the one place.
 */
export function encodable(text: string, charset: ReadonlySet<number>): string {
  let out = "";
  for (const char of text
    .normalize("NFC")
    .replace(/[\t\r\n\v\f]/g, " ")
    .replace(spaceLike, "\u00a0")
    .replace(minusSign, "-")) {
    out += charset.has(char.codePointAt(0) ?? 0) ? char : "?";
  }
  return out;
}

export interface Fonts {
  regular: PDFFont;
  bold: PDFFont;
  charset: ReadonlySet<number>;
}

/** Greedy word wrap of one paragraph to `width`; words wider than a line are split between characters. */
export function wrap(paragraph: string, font: PDFFont, size: number, width: number): string[] {
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

/** Draws a document page by page, moving a cursor down and starting a new page when one is full. */
/** Who a document names: a billed customer's snapshot or a customer record. */
export type Party = Pick<BilledCustomer, "name" | "companyName" | "email" | "address">;

export class Layout {
  readonly pages: PDFPage[] = [];
  private page!: PDFPage;
  y = 0;
  /** Redrawn at the top of each continuation page while the line table is being drawn. */
  onNewPage: (() => void) | undefined;

  constructor(
    private readonly doc: PDFDocument,
    readonly fonts: Fonts,
    /** The reader's: the layout's own words (continued, page numbers, the table's header). */
    readonly tr: Translator,
    private readonly accent: RGB,
    private readonly continuationTitle: string,
    /** Drawn as a band across the top of every page (a test-mode merchant's document). */
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
      this.text(this.tr.t("document.continued", { title: this.continuationTitle }), left, {
        size: 9,
        color: muted,
      });
      this.y -= 20;
      this.onNewPage?.();
    }
  }

  /** A section's small capitals heading at the cursor ("BILL TO", "FAKTURERES TIL"). */
  heading(label: string, x = left, align: "left" | "right" = "left"): void {
    this.text(label.toLocaleUpperCase(this.tr.locale), x, { size: 8, bold: true, color: muted, align });
  }

  /**
   * A party under its heading (bill to, prepared for, paid by): its name in bold, company, email and
   * address, the country named in the reader's language; the cursor ends below it.
   */
  party(heading: string, party: Party): void {
    this.heading(heading);
    this.y -= 14;
    const a = party.address;
    const lines = [
      party.name,
      party.companyName,
      party.email,
      ...(a
        ? [
            a.line1,
            a.line2,
            [a.city, a.state, a.postalCode].filter(Boolean).join(", "),
            a.country && this.tr.country(a.country),
          ]
        : []),
    ];
    lines
      .filter((l): l is string => Boolean(l))
      .forEach((l, i) => {
        this.paragraph(l, left, 260, { bold: i === 0 });
      });
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
      const text = encodable(
        this.tr.t("document.pageOf", { label, page: i + 1, pages: this.pages.length }),
        this.fonts.charset,
      );
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

/**
 * A merchant's document begun: its title (marked TEST MODE when `testModeBanner` is given), its
 * metadata, and the first page laid out — the brand band, the test band and the merchant's name as
 * the header's first line. Every document starts the same way, so none can forget its test marking.
 */
export async function beginDocument(input: {
  tr: Translator;
  merchant: { name: string; branding: { brandColor?: string | undefined } };
  heading: string;
  /** The band's words, when the document is a test-mode one. */
  testModeBanner: string | undefined;
  /** Who it is for, in its subject line (a receipt may have no one). */
  customerName: string | undefined;
  created: Date;
  modified: Date;
}): Promise<{ doc: PDFDocument; out: Layout; accent: RGB; title: string }> {
  const { tr, merchant, heading } = input;
  const title = input.testModeBanner ? tr.t("document.testModeTitle", { title: heading }) : heading;
  const { doc, fonts } = await newDocument({
    title,
    locale: tr.locale,
    author: merchant.name,
    subject: input.customerName
      ? tr.t("document.subject", { title, merchant: merchant.name, customer: input.customerName })
      : title,
    created: input.created,
    modified: input.modified,
  });
  const accent = parseBrandColor(merchant.branding.brandColor);
  const out = new Layout(doc, fonts, tr, accent, `${merchant.name} · ${title}`, input.testModeBanner);
  out.text(merchant.name, left, { size: 18, bold: true, color: accent, maxWidth: 300 });
  return { doc, out, accent, title };
}

/** A new document with its metadata set and the standard fonts embedded. */
export async function newDocument(meta: {
  title: string;
  /** The reader's locale: the document's language for viewers and screen readers. */
  locale: string;
  author: string;
  subject: string;
  created: Date;
  modified: Date;
}): Promise<{ doc: PDFDocument; fonts: Fonts }> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(meta.title);
  doc.setAuthor(meta.author);
  doc.setSubject(meta.subject);
  doc.setCreator("Kassa");
  doc.setProducer("Kassa (pdf-lib)");
  doc.setLanguage(meta.locale);
  doc.setCreationDate(meta.created);
  doc.setModificationDate(meta.modified);
  return { doc, fonts: await embedFonts(doc) };
}

/** The standard fonts embedded in `doc` (a new one, or a loaded one a page is added to). */
export async function embedFonts(doc: PDFDocument): Promise<Fonts> {
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  return { regular, bold, charset: new Set(regular.getCharacterSet()) };
}

/** A tax row's label: its rate's name (else "Tax"), percentage and whether it is included. */
export function taxLabel(
  tr: Translator,
  tax: { name?: string | undefined; percentage: number; inclusive: boolean },
): string {
  return tr.t("document.taxRow", {
    name: tax.name ?? tr.t("common.tax"),
    percentage: tr.percentage(tax.percentage),
    inclusive: tax.inclusive ? "yes" : "no",
  });
}

/** The line table's columns: description from the left edge, the numbers right-aligned at these x positions. */
export const lineColumns = {
  description: left,
  descriptionWidth: 238,
  quantity: 335,
  unitPrice: 435,
  amount: right,
};

/** A document line as its table draws it: a note (a line discount) goes small under the description. */
export interface TableLine {
  description: string;
  quantity: string;
  unitPrice: string;
  amount: string;
  note?: string | undefined;
}

/**
 * The documents' line table (invoices, quotes): its header, drawn again at the top of each
 * continuation page while the lines run over, then each line with its wrapped description.
 */
export function drawLineTable(out: Layout, lines: readonly TableLine[]): void {
  const columns = lineColumns;
  const tableHeader = () => {
    out.need(24);
    out.heading(out.tr.t("common.description"), columns.description);
    out.heading(out.tr.t("common.quantity"), columns.quantity, "right");
    out.heading(out.tr.t("common.unitPrice"), columns.unitPrice, "right");
    out.heading(out.tr.t("common.amount"), columns.amount, "right");
    out.y -= 7;
    out.hr(ink, 0.75);
    out.y -= 14;
  };
  tableHeader();
  out.onNewPage = tableHeader;
  for (const line of lines) {
    const description = wrap(
      encodable(line.description, out.fonts.charset),
      out.fonts.regular,
      10,
      columns.descriptionWidth,
    );
    out.need(Math.min(description.length, 3) * 14);
    out.text(line.quantity, columns.quantity, { align: "right", maxWidth: 60 });
    out.text(line.unitPrice, columns.unitPrice, { align: "right", maxWidth: 95 });
    out.text(line.amount, columns.amount, { align: "right", maxWidth: 105 });
    description.forEach((text, i) => {
      if (i > 0) out.need(14);
      out.text(text, columns.description);
      out.y -= 14;
    });
    if (line.note) {
      out.need(12);
      out.text(line.note, columns.description, { size: 8, color: muted });
      out.y -= 12;
    }
    out.y += 4;
    out.hr();
    out.y -= 14;
  }
  out.onNewPage = undefined;
}
