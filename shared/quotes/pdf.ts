/**
 * The quote PDF, rendered once when the quote is published and stored: its SHA-256 is the quote's
 * `contentHash`, the fingerprint a signature records, so it shows everything the buyer agrees to
 * (lines, totals, plan, terms, who signs) and nothing that changes afterwards (no status).
 * One user of the documents layout (`shared/documents/`), like the invoice PDF.
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
} from "../documents/layout.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
import { intervalWords } from "../products/product.ts";
import type { Quote } from "./quote.ts";
import { brandedByTemplate, showsSection } from "./template.ts";

const columns = lineColumns;

export const quoteTestModeBanner = "TEST MODE · sandbox quote: no real money is charged or paid";

export async function renderQuotePdf(quote: Quote, seller: Merchant): Promise<Uint8Array> {
  // The template frozen at publish: its colour and footer over the merchant's, the sections it shows.
  const merchant = brandedByTemplate(seller, quote.template);
  const shows = (section: Parameters<typeof showsSection>[1]) => showsSection(quote.template, section);
  const testMode = !merchantLivemode(merchant);
  const title = `Quote ${quote.number ?? quote.id}${testMode ? " (TEST MODE)" : ""}`;
  const customer = quote.customer;
  const { doc, fonts } = await newDocument({
    title,
    author: merchant.name,
    subject: `${title} from ${merchant.name} to ${customer.name ?? customer.companyName ?? customer.email}`,
    created: new Date(quote.publishedAt ?? quote.createdAt),
    modified: new Date(quote.publishedAt ?? quote.updatedAt),
  });
  const accent = parseBrandColor(merchant.branding.brandColor);
  const out = new Layout(
    doc,
    fonts,
    accent,
    `${merchant.name} · ${title}`,
    testMode ? quoteTestModeBanner : undefined,
  );
  const money = (amount: number) => formatMoney(amount, quote.currency);
  const date = (iso: string) => formatDate(iso, merchant.timeZone);
  const section = (heading: string, body: string) => {
    out.y -= 14;
    out.need(30);
    out.text(heading, left, { size: 8, bold: true, color: muted });
    out.y -= 14;
    out.paragraph(body, left, right - left);
  };

  out.text(merchant.name, left, { size: 18, bold: true, color: accent, maxWidth: 300 });
  out.text(`Quote ${quote.number ?? ""}`.trim(), right, { size: 16, bold: true, align: "right" });
  out.y -= 16;
  out.text(merchant.email, left, { size: 9, color: muted });
  const facts: [string, string][] = [];
  if (quote.publishedAt) facts.push(["Issued", date(quote.publishedAt)]);
  facts.push(["Valid until", date(quote.expiresAt)]);
  const headerTop = out.y;
  for (const [label, value] of facts) {
    out.text(label, right - 110, { size: 9, color: muted, align: "right" });
    out.text(value, right, { size: 9, bold: true, align: "right" });
    out.y -= 13;
  }
  const factsBottom = out.y;

  out.y = headerTop - 36;
  out.text("PREPARED FOR", left, { size: 8, bold: true, color: muted });
  out.y -= 14;
  const to = [customer.name, customer.companyName, customer.email];
  if (customer.address) {
    const a = customer.address;
    to.push(a.line1, a.line2, [a.city, a.state, a.postalCode].filter(Boolean).join(", "), a.country);
  }
  to.filter((l): l is string => Boolean(l)).forEach((l, i) => {
    out.paragraph(l, left, 260, { bold: i === 0 });
  });
  out.y = Math.min(out.y, factsBottom) - 18;
  if (quote.title) {
    out.paragraph(quote.title, left, right - left, { size: 13, bold: true });
    out.y -= 8;
  }
  if (quote.template?.headerText) {
    out.paragraph(quote.template.headerText, left, right - left);
    out.y -= 8;
  }

  if (shows("lineItems"))
    drawLineTable(
      out,
      quote.lineItems.map((line) => ({
        description: line.description,
        quantity: formatQuantity(line.quantity),
        unitPrice: money(line.unitAmount),
        amount: money(line.amountSubtotal),
      })),
    );

  const rows: [string, string, boolean?][] = [["Subtotal", money(quote.subtotal)]];
  if (quote.discountTotal) rows.push(["Discounts", money(-quote.discountTotal)]);
  for (const tax of quote.taxBreakdown)
    rows.push([
      `${tax.name ?? "Tax"} ${formatPercentage(tax.percentage)}${tax.inclusive ? " (incl.)" : ""}`,
      money(tax.amount),
    ]);
  if (quote.feeTotal) rows.push(["Fees", money(quote.feeTotal)]);
  rows.push(["Total", money(quote.total), true]);
  out.y -= 4;
  for (const [label, value, strong] of rows) {
    out.need(18);
    out.text(label, columns.unitPrice, { bold: strong, align: "right", maxWidth: 220 });
    out.text(value, columns.amount, { bold: strong, align: "right", maxWidth: 105 });
    out.y -= 16;
  }
  if (quote.recurringInterval)
    section("RECURRING", `The recurring lines are billed ${intervalWords[quote.recurringInterval].adverb}.`);
  if (quote.paymentPlan && shows("paymentPlan"))
    section(
      "PAYMENT PLAN",
      quote.paymentPlan.installments
        .map(
          (i, k) =>
            `${k + 1}. ${"percent" in i ? formatPercentage(i.percent) : money(i.amount)}, due ${i.dueAfterDays === 0 ? "on acceptance" : `${i.dueAfterDays} days after acceptance`}`,
        )
        .join("\n"),
    );
  if (quote.terms && shows("terms")) section("TERMS", quote.terms);
  if (quote.comments && shows("comments")) section("COMMENTS", quote.comments);
  if (quote.hostedUrl) section("REVIEW AND ACCEPT ONLINE", quote.hostedUrl);
  if ((quote.requireSignature || quote.countersigners.length) && shows("signatureBlock"))
    section(
      "SIGNATURES",
      [
        ...(quote.requireSignature ? [`Buyer: ${customer.name ?? customer.email}`] : []),
        ...quote.countersigners.map((c) => `For ${merchant.name}: ${c.name} <${c.email}>`),
      ].join("\n"),
    );
  if (merchant.branding.footerText) {
    out.y -= 14;
    out.paragraph(merchant.branding.footerText, left, right - left, { size: 8, color: muted });
  }

  out.numberPages(`${merchant.name} · ${title}`);
  return doc.save({ useObjectStreams: false });
}
