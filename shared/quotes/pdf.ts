/**
 * The quote PDF, rendered once when the quote is published and stored: its SHA-256 is the quote's
 * `contentHash`, the fingerprint a signature records, so it shows everything the buyer agrees to
 * (lines, totals, plan, terms, who signs) and nothing that changes afterwards (no status). In the
 * buyer's locale at publish (the quote's customer snapshot, else the merchant's), like the invoice PDF.
 * One user of the documents layout (`shared/documents/`).
 */
import {
  beginDocument,
  drawLineTable,
  left,
  lineColumns,
  muted,
  right,
  taxLabel,
} from "../documents/layout.ts";
import { readerLocale } from "../i18n/locale.ts";
import { translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
import type { Quote } from "./quote.ts";
import { brandedByTemplate, showsSection } from "./template.ts";

const columns = lineColumns;

export async function renderQuotePdf(quote: Quote, seller: Merchant): Promise<Uint8Array> {
  // The template frozen at publish: its colour and footer over the merchant's, the sections it shows.
  const merchant = brandedByTemplate(seller, quote.template);
  const shows = (section: Parameters<typeof showsSection>[1]) => showsSection(quote.template, section);
  const customer = quote.customer;
  const tr = translator(readerLocale(merchant, customer));
  const testMode = !merchantLivemode(merchant);
  const heading = tr.t("document.quote.title", { number: quote.number ?? quote.id });
  const { doc, out, title } = await beginDocument({
    tr,
    merchant,
    heading,
    testModeBanner: testMode ? tr.t("document.quote.testModeBanner") : undefined,
    customerName: customer.name ?? customer.companyName ?? customer.email,
    created: new Date(quote.publishedAt ?? quote.createdAt),
    modified: new Date(quote.publishedAt ?? quote.updatedAt),
  });
  const money = (amount: number) => tr.money(amount, quote.currency);
  const date = (iso: string) => tr.date(iso, merchant.timeZone);
  const section = (label: string, body: string) => {
    out.y -= 14;
    out.need(30);
    out.heading(label);
    out.y -= 14;
    out.paragraph(body, left, right - left);
  };

  out.text(quote.number ? heading : tr.t("common.quote"), right, { size: 16, bold: true, align: "right" });
  out.y -= 16;
  out.text(merchant.email, left, { size: 9, color: muted });
  const facts: [string, string][] = [];
  if (quote.publishedAt) facts.push([tr.t("document.quote.issued"), date(quote.publishedAt)]);
  facts.push([tr.t("document.quote.validUntil"), date(quote.expiresAt)]);
  const headerTop = out.y;
  for (const [label, value] of facts) {
    out.text(label, right - 110, { size: 9, color: muted, align: "right" });
    out.text(value, right, { size: 9, bold: true, align: "right" });
    out.y -= 13;
  }
  const factsBottom = out.y;

  out.y = headerTop - 36;
  out.party(tr.t("document.quote.preparedFor"), customer);
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
        quantity: tr.quantity(line.quantity),
        unitPrice: money(line.unitAmount),
        amount: money(line.amountSubtotal),
      })),
    );

  const rows: [string, string, boolean?][] = [[tr.t("common.subtotal"), money(quote.subtotal)]];
  if (quote.discountTotal) rows.push([tr.t("common.discounts"), money(-quote.discountTotal)]);
  for (const tax of quote.taxBreakdown) rows.push([taxLabel(tr, tax), money(tax.amount)]);
  if (quote.feeTotal) rows.push([tr.t("common.fees"), money(quote.feeTotal)]);
  rows.push([tr.t("common.total"), money(quote.total), true]);
  out.y -= 4;
  for (const [label, value, strong] of rows) {
    out.need(18);
    out.text(label, columns.unitPrice, { bold: strong, align: "right", maxWidth: 220 });
    out.text(value, columns.amount, { bold: strong, align: "right", maxWidth: 105 });
    out.y -= 16;
  }
  if (quote.recurringInterval)
    section(
      tr.t("document.quote.recurring"),
      tr.t("document.quote.recurringBilled", { interval: quote.recurringInterval }),
    );
  if (quote.paymentPlan && shows("paymentPlan"))
    section(
      tr.t("document.quote.paymentPlan"),
      quote.paymentPlan.installments
        .map((i, k) =>
          tr.t("document.quote.installment", {
            n: k + 1,
            amount: "percent" in i ? tr.percentage(i.percent) : money(i.amount),
            days: i.dueAfterDays,
          }),
        )
        .join("\n"),
    );
  if (quote.terms && shows("terms")) section(tr.t("document.quote.terms"), quote.terms);
  if (quote.comments && shows("comments")) section(tr.t("document.quote.comments"), quote.comments);
  if (quote.hostedUrl) section(tr.t("document.quote.reviewOnline"), quote.hostedUrl);
  if ((quote.requireSignature || quote.countersigners.length) && shows("signatureBlock"))
    section(
      tr.t("document.quote.signatures"),
      [
        ...(quote.requireSignature
          ? [tr.t("document.quote.buyerSigns", { name: customer.name ?? customer.email })]
          : []),
        ...quote.countersigners.map((c) =>
          tr.t("document.quote.countersigner", { merchant: merchant.name, name: c.name, email: c.email }),
        ),
      ].join("\n"),
    );
  if (merchant.branding.footerText) {
    out.y -= 14;
    out.paragraph(merchant.branding.footerText, left, right - left, { size: 8, color: muted });
  }

  out.numberPages(`${merchant.name} · ${title}`);
  return doc.save({ useObjectStreams: false });
}
