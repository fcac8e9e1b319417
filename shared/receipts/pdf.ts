/**
 * The receipt PDF of a payment, in the buyer's locale: the merchant, who paid, the receipt number
 * (the payment's id), the amount and date paid, how, what it paid (the invoice and its lines) and
 * the refunds so far. One user of the documents layout (`shared/documents/`), like the invoice PDF.
 */
import { beginDocument, drawLineTable, left, lineColumns, muted, right, rule } from "../documents/layout.ts";
import { readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { PaymentMethod } from "../payments/payment.ts";
import type { Receipt } from "./receipt.ts";

const columns = lineColumns;

/** How the buyer paid, in their words: a card's brand and last digits, else the kind of payment. */
function methodText(tr: Translator, method: PaymentMethod): string {
  if (method.type === "card")
    return tr.t("common.cardEnding", {
      brand: method.brand.charAt(0).toLocaleUpperCase(tr.locale) + method.brand.slice(1),
      last4: method.last4,
    });
  if (method.type === "bank_debit" && method.last4)
    return tr.t("common.bankAccountEnding", { last4: method.last4 });
  const kind = tr.t("document.receipt.method", { type: method.type });
  return "reference" in method && method.reference
    ? tr.t("document.receipt.reference", { method: kind, reference: method.reference })
    : kind;
}

export async function renderReceiptPdf({
  payment,
  merchant,
  invoice,
  buyer,
  refunds,
}: Receipt): Promise<Uint8Array> {
  const tr = translator(readerLocale(merchant, buyer));
  // The payment's own mode, not the merchant's today: a sandbox payment stays a sandbox receipt.
  const testMode = !payment.livemode;
  const heading = tr.t("document.receipt.title", { number: payment.id });
  const paidAt = payment.paidAt ?? payment.createdAt;
  const { doc, out, title } = await beginDocument({
    tr,
    merchant,
    heading,
    testModeBanner: testMode ? tr.t("document.receipt.testModeBanner") : undefined,
    customerName: buyer?.name ?? buyer?.companyName ?? buyer?.email,
    created: new Date(paidAt),
    modified: new Date(payment.updatedAt),
  });
  const money = (amount: number) => tr.money(amount, payment.currency);

  // Header: merchant on the left; the receipt and its facts on the right.
  out.text(tr.t("common.receipt"), right, { size: 16, bold: true, align: "right" });
  out.y -= 16;
  out.text(merchant.supportEmail ?? merchant.email, left, { size: 9, color: muted });
  const facts: [string, string][] = [
    [tr.t("common.receiptNumber"), payment.id],
    [tr.t("common.datePaid"), tr.date(paidAt, merchant.timeZone)],
    [tr.t("common.paymentMethod"), methodText(tr, payment.method)],
  ];
  if (invoice?.number) facts.push([tr.t("common.invoiceNumber"), invoice.number]);
  const headerTop = out.y;
  for (const [label, value] of facts) {
    out.text(label, right - 170, { size: 9, color: muted, align: "right" });
    out.text(value, right, { size: 9, bold: true, align: "right", maxWidth: 165 });
    out.y -= 13;
  }
  const factsBottom = out.y;

  if (buyer) {
    out.y = headerTop - 36;
    out.party(tr.t("document.receipt.paidBy"), buyer);
  }
  out.y = Math.min(out.y, factsBottom) - 24;

  // The amount paid, large: what the receipt is for.
  out.text(tr.t("common.amountPaid"), left, { size: 12, bold: true });
  out.text(money(payment.amount), right, { size: 16, bold: true, align: "right", maxWidth: 200 });
  out.y -= 12;
  out.hr(rule);
  out.y -= 22;

  if (invoice) {
    if (invoice.number) {
      out.text(tr.t("document.receipt.forInvoice", { number: invoice.number }), left, { bold: true });
      out.y -= 20;
    }
    drawLineTable(
      out,
      invoice.lineItems.map((line) => ({
        description: line.description,
        quantity: tr.quantity(line.quantity),
        unitPrice: tr.money(line.unitAmount, invoice.currency),
        amount: tr.money(line.amountSubtotal, invoice.currency),
      })),
    );
    out.y -= 4;
    out.need(18);
    out.text(tr.t("document.receipt.invoiceTotal"), columns.unitPrice, { bold: true, align: "right" });
    out.text(tr.money(invoice.total, invoice.currency), columns.amount, {
      bold: true,
      align: "right",
      maxWidth: 105,
    });
    out.y -= 16;
  }

  if (refunds.length) {
    out.y -= 14;
    out.need(30 + refunds.length * 16);
    out.heading(tr.t("document.receipt.refunds"));
    out.y -= 16;
    for (const refund of refunds) {
      out.need(16);
      const label = tr.t("document.receipt.refund", {
        date: tr.date(refund.createdAt, merchant.timeZone),
        status: refund.status,
      });
      out.text(label, left);
      out.text(money(refund.amount), columns.amount, { align: "right", maxWidth: 105 });
      out.y -= 16;
    }
    out.text(tr.t("document.receipt.refunded"), columns.unitPrice, { bold: true, align: "right" });
    out.text(money(payment.amountRefunded), columns.amount, { bold: true, align: "right", maxWidth: 105 });
    out.y -= 16;
  }

  out.y -= 18;
  out.need(24);
  out.paragraph(tr.t("document.receipt.thanks"), left, right - left);
  if (merchant.branding.footerText) {
    out.y -= 10;
    out.paragraph(merchant.branding.footerText, left, right - left, { size: 8, color: muted });
  }

  out.numberPages(`${merchant.name} · ${title}`);
  return doc.save({ useObjectStreams: false });
}
