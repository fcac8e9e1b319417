/**
 * The invoice PDF, read back from its bytes (test/helpers/pdf-text.ts): it names the merchant, the
 * invoice and the buyer, lists every line, and shows exactly the money strings `formatMoney` gives for
 * the invoice's own totals. The fixture's totals come from the money engine, as the API's do.
 */
import { PDFDocument } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { formatMoney } from "../../shared/domain/format.ts";
import { computeTotals, type LineInput, type TaxRateInput } from "../../shared/domain/totals.ts";
import type { Invoice, InvoiceLine } from "../../shared/invoices/invoice.ts";
import { parseBrandColor } from "../../shared/documents/layout.ts";
import { renderInvoicePdf } from "../../shared/invoices/pdf.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import { decodeWinAnsi, pdfPages, pdfText, textRuns } from "../helpers/pdf-text.ts";

const merchant: Merchant = {
  id: "mer_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
  name: "Acme Coffee Roasters",
  email: "billing@acme.test",
  timeZone: "America/Los_Angeles",
  defaultCurrency: "USD",
  branding: { brandColor: "#8b5a2b", footerText: "Acme Coffee Roasters · 1 Bean St · Portland" },
  invoiceNumberPrefix: "INV",
  defaultPaymentTerms: "net_30",
  // Live: takes payments through a Stripe account connected with a live key.
  processor: "stripe",
  stripeAccountId: "acct_1",
  stripeChargesEnabled: true,
  stripeLivemode: true,
  createdAt: "2026-11-01T09:00:00.000Z",
  updatedAt: "2026-11-01T09:00:00.000Z",
};

const vat: TaxRateInput = { id: "txr_vat", name: "VAT", percentage: 20, inclusive: true };
const stateTax: TaxRateInput = { id: "txr_state", name: "State tax", percentage: 8.875, inclusive: false };

type LineSpec = { description: string; discount?: InvoiceLine["discount"] } & LineInput;

/** An invoice as the API would return it: totals from the money engine, then a partial payment. */
function invoiceOf(lines: LineSpec[], overrides: Partial<Invoice> = {}): Invoice {
  const documentDiscount = { percentOff: 10 };
  const fee = { description: "Shipping", amount: 995 };
  const totals = computeTotals({ currency: "USD", lines, discounts: [documentDiscount], fees: [fee] });
  const amountPaid = 5000;
  return {
    id: "inv_01KQA0000000000000000000001",
    status: "open",
    number: "INV-0001",
    customerId: "cus_01KQA0000000000000000000001",
    customer: {
      id: "cus_01KQA0000000000000000000001",
      email: "jo@example.test",
      name: "Jo Müller",
      companyName: "Müller & Söhne GmbH",
      address: { line1: "Hauptstraße 5", city: "Berlin", postalCode: "10115", country: "DE" },
    },
    currency: "USD",
    lineItems: lines.map((line, i): InvoiceLine => {
      const t = totals.lines[i]!;
      return {
        description: line.description,
        quantity: line.quantity,
        unitAmount: line.unitAmount,
        ...(line.discount ? { discount: line.discount } : {}),
        taxRateIds: (line.taxRates ?? []).map((r) => r.id),
        amountSubtotal: t.amountSubtotal,
        amountDiscount: t.amountDiscount,
        amountTax: t.amountTax,
        amountTotal: t.amountTotal,
      };
    }),
    discounts: [{ ...documentDiscount, code: "WELCOME10", amount: totals.discounts[0]!.amount }],
    fees: [{ ...fee, taxable: false, amountTotal: totals.fees[0]!.amountTotal }],
    subtotal: totals.subtotal,
    discountTotal: totals.discountTotal,
    taxTotal: totals.taxTotal,
    taxBreakdown: totals.taxBreakdown,
    feeTotal: totals.feeTotal,
    total: totals.total,
    amountPaid,
    amountRemaining: totals.total - amountPaid,
    paymentTerms: "net_30",
    dueDate: "2027-01-07",
    issuedAt: "2026-12-08T07:30:00.000Z",
    sentAt: "2026-12-08T07:30:01.000Z",
    hostedUrl: "https://pay.kassa.test/i/7d0c0b6e9a",
    memo: "Thank you for your order!\nBeans are roasted to order and ship within 2 days.",
    footer: "Payment by bank transfer: IBAN DE89 3704 0044 0532 0130 00",
    metadata: {},
    createdAt: "2026-12-07T18:00:00.000Z",
    updatedAt: "2026-12-08T07:30:01.000Z",
    ...overrides,
  };
}

const threeLines: LineSpec[] = [
  { description: "Espresso beans, 1 kg", quantity: 2.5, unitAmount: 2400, taxRates: [vat] },
  {
    description: "Burr grinder (refurbished)",
    quantity: 1,
    unitAmount: 12999,
    discount: { percentOff: 5 },
    taxRates: [stateTax],
  },
  { description: "Barista workshop", quantity: 3, unitAmount: 4500, taxRates: [vat, stateTax] },
];

/** Every run on its own line, so a whole run can be matched exactly. */
const runsOf = (text: string) => text.split("\n");

describe("renderInvoicePdf", () => {
  it("shows the merchant, the invoice, the buyer, every line and the API's totals", async () => {
    const invoice = invoiceOf(threeLines);
    // The fixture is what it claims: partial payment, both kinds of tax, a fee and a discount.
    expect(invoice.taxBreakdown.map((t) => t.inclusive).sort()).toEqual([false, true]);
    expect(invoice.amountPaid).toBeLessThan(invoice.total);
    expect(invoice.discountTotal).toBeGreaterThan(invoice.discounts[0]!.amount);

    const bytes = await renderInvoicePdf(invoice, merchant);

    expect(new TextDecoder().decode(bytes.slice(0, 5))).toBe("%PDF-");
    const text = await pdfText(bytes);
    const runs = runsOf(text);
    expect(text).toContain("Acme Coffee Roasters");
    expect(runs).toContain("Invoice INV-0001");
    expect(runs).toContain("Open");
    expect(runs).toContain("Dec 7, 2026"); // issued 07:30 UTC on Dec 8 is still Dec 7 in Los Angeles
    expect(runs).toContain("Jan 7, 2027");
    expect(runs).toContain("Jo Müller");
    expect(runs).toContain("Müller & Söhne GmbH");
    expect(runs).toContain("Hauptstraße 5");
    for (const line of threeLines) expect(runs).toContain(line.description);
    expect(runs).toContain("2.5");
    expect(runs).toContain("Discount: 5% off");

    const money = (amount: number) => formatMoney(amount, "USD");
    for (const amount of [
      invoice.subtotal,
      ...invoice.taxBreakdown.map((t) => t.amount),
      invoice.total,
      invoice.amountPaid,
      invoice.amountRemaining,
      ...invoice.lineItems.map((l) => l.amountSubtotal),
      -invoice.discounts[0]!.amount,
      invoice.fees[0]!.amountTotal,
    ]) {
      expect(runs).toContain(money(amount));
    }
    expect(runs).toContain("Discount (WELCOME10, 10%)");
    expect(runs).toContain(money(-(invoice.discountTotal - invoice.discounts[0]!.amount)));
    expect(runs).toContain("VAT 20% (incl.)");
    expect(runs).toContain("State tax 8.875%");
    expect(runs).toContain("Shipping");
    expect(runs).toContain("Thank you for your order!");
    expect(runs).toContain("Beans are roasted to order and ship within 2 days.");
    expect(runs).toContain(invoice.footer);
    expect(runs).toContain(merchant.branding.footerText);
    expect(runs).toContain("Pay online: https://pay.kassa.test/i/7d0c0b6e9a");
    // The totals appear in reading order.
    const order = ["Subtotal", "VAT 20% (incl.)", "Total", "Amount paid", "Amount due"].map((l) =>
      runs.indexOf(l),
    );
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(runs[runs.indexOf("Amount due") + 1]).toBe(money(invoice.amountRemaining));
  });

  it("shows a proration credit's negative amount, the applied balance and the amount due after it", async () => {
    const lines: LineSpec[] = [
      { description: "Pro (rest of period)", quantity: 1, unitAmount: 9000, proration: true },
      { description: "Unused time on Basic", quantity: 1, unitAmount: -3000, proration: true },
    ];
    const base = invoiceOf(lines);
    const invoice = invoiceOf(lines, {
      appliedBalance: 2000,
      amountDue: base.total - 2000,
      amountPaid: 0,
      amountRemaining: base.total - 2000,
    });
    const runs = runsOf(await pdfText(await renderInvoicePdf(invoice, merchant)));
    const money = (amount: number) => formatMoney(amount, "USD");
    expect(runs).toContain("Unused time on Basic");
    expect(money(-3000)).toBe("-$30.00");
    expect(runs.filter((r) => r === "-$30.00")).toHaveLength(2); // unit price and amount
    expect(runs[runs.indexOf("Applied balance") + 1]).toBe(money(-2000));
    expect(runs[runs.indexOf("Amount due") + 1]).toBe(money(invoice.amountRemaining));
    const order = ["Total", "Applied balance", "Amount due"].map((l) => runs.indexOf(l));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(runsOf(await pdfText(await renderInvoicePdf(base, merchant)))).not.toContain("Applied balance");
  });

  it("sets the document metadata", async () => {
    const doc = await PDFDocument.load(await renderInvoicePdf(invoiceOf(threeLines), merchant), {
      updateMetadata: false,
    });
    expect(doc.getTitle()).toBe("Invoice INV-0001");
    expect(doc.getAuthor()).toBe("Acme Coffee Roasters");
    expect(doc.getCreator()).toBe("Kassa");
    expect(doc.getPageCount()).toBe(1);
    const { width, height } = doc.getPage(0).getSize();
    expect([Math.round(width), Math.round(height)]).toEqual([595, 842]);
  });

  it("flows a long invoice onto further pages and keeps every line", async () => {
    const lines: LineSpec[] = Array.from({ length: 60 }, (_, i) => ({
      description: `Subscription seat #${String(i + 1).padStart(2, "0")} — monthly`,
      quantity: 1 + (i % 4) * 0.25,
      unitAmount: 1000 + i * 37,
      taxRates: [stateTax],
    }));
    const invoice = invoiceOf(lines);

    const pages = await pdfPages(await renderInvoicePdf(invoice, merchant));

    expect(pages.length).toBeGreaterThan(1);
    const runs = runsOf(pages.join("\n"));
    for (const line of lines) expect(runs.filter((r) => r === line.description)).toHaveLength(1);
    expect(runs).toContain(formatMoney(invoice.total, "USD"));
    expect(runs).toContain(formatMoney(invoice.amountRemaining, "USD"));
    // Continuation pages repeat the table header and every page is numbered.
    pages.forEach((page, i) => {
      expect(page).toContain(`Page ${i + 1} of ${pages.length}`);
      if (i > 0) expect(page).toContain("Invoice INV-0001 (continued)");
    });
    expect(pages[1]).toContain("DESCRIPTION");
  });

  it("draws markup as text and characters WinAnsi lacks as '?'", async () => {
    const lines: LineSpec[] = [
      { description: "Gift box <b>deluxe</b> 🎁 珈琲", quantity: 1, unitAmount: 2500 },
    ];
    const invoice = invoiceOf(lines, {
      memo: "Enjoy ☕",
      customer: { id: "cus_1", email: "k@example.test", name: "佐藤" },
    });

    const runs = runsOf(await pdfText(await renderInvoicePdf(invoice, merchant)));

    expect(runs).toContain("Gift box <b>deluxe</b> ? ??");
    expect(runs).toContain("Enjoy ?");
    expect(runs).toContain("??");
  });

  it("renders a draft without a number or dates, and any brand colour or none", async () => {
    const draft = invoiceOf(threeLines, {
      status: "draft",
      number: undefined,
      issuedAt: undefined,
      dueDate: undefined,
    });
    const plain = { ...merchant, branding: {} };

    const bytes = await renderInvoicePdf(draft, plain);

    const runs = runsOf(await pdfText(bytes));
    expect(runs).toContain("Draft");
    expect(runs).not.toContain("Issue date");
    expect((await PDFDocument.load(bytes)).getTitle()).toBe("Draft invoice");
    expect(parseBrandColor("#ff8000")).toEqual({ type: "RGB", red: 1, green: 128 / 255, blue: 0 });
    expect(parseBrandColor("orange")).toEqual(parseBrandColor(undefined));
  });
  it("says TEST MODE on every page and in the title of a test-mode merchant's invoice, and not on a live one", async () => {
    const lines: LineSpec[] = Array.from({ length: 60 }, (_, i) => ({
      description: `Seat #${i + 1}`,
      quantity: 1,
      unitAmount: 1000,
    }));
    const invoice = invoiceOf(lines);
    const sandboxMerchant: Merchant = { ...merchant, processor: "sandbox", stripeLivemode: undefined };

    const bytes = await renderInvoicePdf(invoice, sandboxMerchant);

    const pages = await pdfPages(bytes);
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages) {
      expect(runsOf(page)).toContain("TEST MODE · sandbox invoice: no real money is charged or paid");
    }
    expect((await PDFDocument.load(bytes)).getTitle()).toBe("Invoice INV-0001 (TEST MODE)");
    expect(await pdfText(await renderInvoicePdf(invoice, merchant))).not.toContain("TEST MODE");
  });
});

describe("pdfText helper", () => {
  it("decodes literal and hex strings, escapes, arrays and WinAnsi", () => {
    const content = new TextEncoder().encode(
      "BT /F1 12 Tf 10 20 Td (Caf\\351 \\(ok\\)) Tj <48C3A9> Tj [(A) -120 (B)] TJ (x) ' 1 2 (y) \" ET",
    );
    expect(textRuns(content)).toEqual(["Café (ok)", "HÃ©", "AB", "x", "y"]);
    expect(decodeWinAnsi([0x80, 0x93, 0x94, 0xe9])).toBe("€“”é");
  });
});
