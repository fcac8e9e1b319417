/**
 * The buyer's public invoice page: content and amounts (exactly as `formatMoney` prints them, the
 * same strings as the PDF), escaping, the CSP style hash, URL filtering, the overdue badge in the
 * merchant's time zone, and when the pay button shows.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { formatDate, formatMoney, formatPercentage, formatQuantity } from "../../shared/domain/format.ts";
import { computeTotals } from "../../shared/domain/totals.ts";
import { safeUrl } from "../../shared/hosted/theme.ts";
import { renderHostedInvoicePage } from "../../shared/invoices/hosted-page.ts";
import type { Invoice } from "../../shared/invoices/invoice.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import { escapeHtml } from "../../shared/hosted/escape.ts";

const merchant: Merchant = {
  id: "mer_01JQ3Z8Y5K2M4N6P8R0T2V4X6Z",
  name: "Northwind Studio",
  email: "billing@northwind.example",
  timeZone: "Pacific/Auckland",
  defaultCurrency: "USD",
  branding: { brandColor: "#0f766e", footerText: "Northwind Studio Ltd · 12 Quay St, Auckland 1010" },
  invoiceNumberPrefix: "NWS",
  defaultPaymentTerms: "net_15",
  createdAt: "2025-11-02T09:00:00.000Z",
  updatedAt: "2025-11-02T09:00:00.000Z",
};

const salesTax = { taxRateId: "txr_sales", name: "Sales tax", percentage: 8.875, inclusive: false };
const vat = { taxRateId: "txr_vat", name: "VAT", percentage: 20, inclusive: true };

/**
 * Three lines (one with a fractional quantity and its own 10% discount), a 5% discount code, an
 * exclusive and an inclusive tax, a fixed fee, and a partial payment. Amounts are the money engine's
 * (checked below).
 */
const invoice: Invoice = {
  id: "inv_01JQ40A1B2C3D4E5F6G7H8J9K0",
  status: "open",
  number: "NWS-0042",
  customerId: "cus_01JQ3ZZ9X8W7V6T5S4R3Q2P1N0",
  customer: {
    id: "cus_01JQ3ZZ9X8W7V6T5S4R3Q2P1N0",
    email: "ap@contoso.example",
    name: "Dana Whitfield",
    companyName: "Contoso Outdoor Co.",
    address: {
      line1: "500 Pine Street",
      line2: "Suite 300",
      city: "Seattle",
      state: "WA",
      postalCode: "98101",
      country: "US",
    },
  },
  currency: "USD",
  lineItems: [
    {
      description: "Discovery workshop (on site, 1 day)",
      quantity: 1,
      unitAmount: 120000,
      taxRateIds: ["txr_sales"],
      amountSubtotal: 120000,
      amountDiscount: 6000,
      amountTax: 10118,
      amountTotal: 124118,
    },
    {
      description: "Product design, hourly",
      quantity: 12.5,
      unitAmount: 9500,
      discount: { percentOff: 10 },
      taxRateIds: ["txr_sales"],
      amountSubtotal: 118750,
      amountDiscount: 17219,
      amountTax: 9011,
      amountTotal: 110542,
    },
    {
      description: "Premium support, monthly (VAT included)",
      quantity: 3,
      unitAmount: 4999,
      taxRateIds: ["txr_vat"],
      amountSubtotal: 14997,
      amountDiscount: 750,
      amountTax: 2375,
      amountTotal: 14247,
    },
  ],
  discounts: [{ percentOff: 5, code: "SPRING5", amount: 12094 }],
  fees: [{ description: "Card processing fee", amount: 350, taxable: false, amountTotal: 350 }],
  subtotal: 253747,
  discountTotal: 23969,
  taxTotal: 21504,
  taxBreakdown: [
    { ...salesTax, taxableAmount: 215531, amount: 19129 },
    { ...vat, taxableAmount: 11872, amount: 2375 },
  ],
  feeTotal: 350,
  total: 249257,
  amountPaid: 100000,
  amountRemaining: 149257,
  paymentTerms: "net_15",
  dueDate: "2026-03-10",
  issuedAt: "2026-02-23T20:15:00.000Z",
  sentAt: "2026-02-23T20:16:00.000Z",
  hostedUrl: "https://pay.northwind.example/i/inv_01JQ40A1B2C3D4E5F6G7H8J9K0",
  memo: "Thanks for working with us! Milestone 1 of 3.",
  footer: "Payment by bank transfer: see the PDF for account details.",
  metadata: { project: "contoso-web" },
  createdAt: "2026-02-23T20:00:00.000Z",
  updatedAt: "2026-03-01T18:00:00.000Z",
};

const links = {
  pdfUrl: "/i/inv_01JQ40A1B2C3D4E5F6G7H8J9K0/pdf",
  payUrl: "/i/inv_01JQ40A1B2C3D4E5F6G7H8J9K0/pay",
};
/** Before the due date everywhere. */
const early = new Date("2026-03-01T00:00:00Z");
const usd = (n: number) => formatMoney(n, "USD");
const render = (
  inv: Partial<Invoice> = {},
  m: Partial<Merchant> = {},
  l: typeof links | { pdfUrl: string } = links,
  now = early,
) => renderHostedInvoicePage({ ...invoice, ...inv }, { ...merchant, ...m }, l, now);
const payButton = /<a [^>]*class="button button-primary"[^>]*>Pay /;

describe("hosted invoice page", () => {
  it("uses a fixture the money engine agrees with", () => {
    const sales = { id: "txr_sales", name: "Sales tax", percentage: 8.875, inclusive: false };
    const vatRate = { id: "txr_vat", name: "VAT", percentage: 20, inclusive: true };
    const totals = computeTotals({
      currency: "USD",
      lines: [
        { quantity: 1, unitAmount: 120000, taxRates: [sales] },
        { quantity: 12.5, unitAmount: 9500, discount: { percentOff: 10 }, taxRates: [sales] },
        { quantity: 3, unitAmount: 4999, taxRates: [vatRate] },
      ],
      discounts: [{ percentOff: 5 }],
      fees: [{ description: "Card processing fee", amount: 350 }],
    });
    expect(totals).toMatchObject({
      subtotal: invoice.subtotal,
      discountTotal: invoice.discountTotal,
      taxTotal: invoice.taxTotal,
      taxBreakdown: invoice.taxBreakdown,
      feeTotal: invoice.feeTotal,
      total: invoice.total,
      discounts: [{ amount: 12094 }],
    });
    expect(invoice.total - invoice.amountPaid).toBe(invoice.amountRemaining);
  });

  it("shows the invoice: number, parties, lines and every amount as formatMoney prints it", () => {
    const { html } = render();
    expect(html.startsWith('<!doctype html>\n<html lang="en-US">')).toBe(true);
    expect(html).toContain('<h1 id="invoice-title">Invoice NWS-0042</h1>');
    expect(html).toContain(">Open</span>");
    expect(html).toContain("Northwind Studio");
    expect(html).toContain(">NS</span>"); // initials, no logo fetched
    expect(html).toContain("Contoso Outdoor Co.");
    expect(html).toContain("Dana Whitfield");
    expect(html).toContain("ap@contoso.example");
    expect(html).toContain("Seattle, WA 98101");
    expect(html).toContain("United States");
    for (const line of invoice.lineItems) {
      expect(html).toContain(escapeHtml(line.description));
      expect(html).toContain(`<td class="num">${formatQuantity(line.quantity)}</td>`);
      expect(html).toContain(`<td class="num">${usd(line.unitAmount)}</td>`);
      expect(html).toContain(`<td class="num">${usd(line.amountSubtotal)}</td>`);
    }
    expect(html).toContain(">12.5</td>");
    expect(html).toContain("10% discount");

    const summary = (label: string, amount: number) =>
      `<th scope="row">${escapeHtml(label)}</th><td>${usd(amount)}</td>`;
    expect(html).toContain(summary("Subtotal", 253747));
    expect(html).toContain(summary("Discount (code SPRING5, 5% off)", -12094));
    expect(html).toContain(summary("Line discounts", -(23969 - 12094)));
    expect(html).toContain(summary("Card processing fee", 350));
    expect(html).toContain(summary(`Sales tax (${formatPercentage(8.875)})`, 19129));
    expect(html).toContain(summary("VAT (20% incl.)", 2375));
    expect(html).toContain(summary("Total", invoice.total));
    expect(html).toContain(summary("Amount paid", -100000));
    expect(html).toContain(summary("Amount due", invoice.amountRemaining));
    expect(usd(invoice.total)).toBe("$2,492.57");
    expect(usd(invoice.amountRemaining)).toBe("$1,492.57");
    expect(html).toContain(`<p class="due-amount">$1,492.57</p>`);

    expect(html).toContain(`<dd>${formatDate("2026-02-23T20:15:00.000Z", "Pacific/Auckland")}</dd>`);
    expect(html).toContain("<dd>Feb 24, 2026</dd>"); // issued the next morning in Auckland
    expect(html).toContain("<dd>Mar 10, 2026</dd>");
    expect(html).toContain(escapeHtml(invoice.memo!));
    expect(html).toContain(escapeHtml(invoice.footer!));
    expect(html).toContain(escapeHtml(merchant.branding.footerText!));
    expect(html).toContain(`href="${links.pdfUrl}" download>Download PDF</a>`);
    expect(html).toContain('<th scope="col">Description</th>');
  });

  it("returns the security headers", () => {
    const { headers } = render();
    expect(headers).toMatchObject({
      "content-type": "text/html; charset=utf-8",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      "cache-control": "no-store",
    });
    expect(headers["content-security-policy"]).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'$/,
    );
  });

  it("allows its one style element by hash, and loads nothing external", () => {
    for (const brandColor of ["#0f766e", "#fde047", undefined]) {
      const { html, headers } = render({}, { branding: { ...merchant.branding, brandColor } });
      const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)];
      expect(styles).toHaveLength(1);
      expect(html.match(/<style/g)).toHaveLength(1);
      const hash = createHash("sha256").update(styles[0]![1]!, "utf8").digest("base64");
      expect(headers["content-security-policy"]).toContain(`style-src 'sha256-${hash}'`);
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/\sstyle=/i); // a hash does not cover style attributes
      expect(html).not.toMatch(/\son[a-z]+=/i);
      expect(html).not.toMatch(/<(img|link|iframe|object|embed|form)\b/i);
      expect(html).not.toMatch(/url\(|@import|@font-face/i);
    }
  });

  it("escapes every interpolated value", () => {
    const evil = `<script>alert(1)</script>" onmouseover="x`;
    const { html } = render(
      {
        customer: { ...invoice.customer, name: evil, companyName: evil },
        memo: evil,
        footer: evil,
        number: evil,
        lineItems: invoice.lineItems.map((l) => ({ ...l, description: evil })),
        taxBreakdown: invoice.taxBreakdown.map((t) => ({ ...t, name: evil })),
        fees: invoice.fees.map((f) => ({ ...f, description: evil })),
        discounts: invoice.discounts.map((d) => ({ ...d, code: evil })),
      },
      {
        name: evil,
        email: evil,
        branding: { footerText: evil, brandColor: "#fff;}</style><script>alert(1)</script>" },
      },
    );
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;x");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toContain('" onmouseover="');
    expect(html).not.toContain("</style><script>");
    expect(html).toContain("--brand:#334155"); // malformed colour → neutral
  });

  it("renders only relative and http(s) links", () => {
    for (const bad of [
      "javascript:alert(1)",
      "JaVaScRiPt:alert(1)",
      " javascript:alert(1)",
      "java\tscript:alert(1)",
      "java\nscript:alert(1)",
      "data:text/html,<script>alert(1)</script>",
      "vbscript:msgbox(1)",
      "//evil.example/x",
      "/\\evil.example/x",
      "https://exa mple.com",
    ]) {
      expect(safeUrl(bad), bad).toBeUndefined();
      const { html } = render({}, {}, { pdfUrl: bad, payUrl: bad });
      expect(html).not.toMatch(/javascript|vbscript|data:text|evil\.example/i);
      expect(html).not.toContain("Download PDF");
      expect(html).not.toMatch(payButton);
      expect(html).not.toMatch(/<a\s/);
    }
    for (const good of [
      "/i/abc/pdf",
      "i/abc/pdf",
      "?download=1",
      "https://pay.example.com/i/abc",
      "http://localhost:3000/pay",
    ]) {
      expect(safeUrl(good), good).toBe(good);
    }
    const { html } = render(
      {},
      {},
      { pdfUrl: "https://x.example/a.pdf?x=1&y=2", payUrl: "https://x.example/pay" },
    );
    expect(html).toContain('href="https://x.example/a.pdf?x=1&amp;y=2"');
    expect(html).toContain('href="https://x.example/pay"');
  });

  describe("overdue, in the merchant's time zone", () => {
    // Due 2026-03-10. Auckland is UTC+13 (NZDT) and Los Angeles UTC−7 (PDT) that week.
    const overdueIn = (timeZone: string, at: string) =>
      render({}, { timeZone }, links, new Date(at)).html.includes(">Overdue</span>");

    it("Pacific/Auckland turns overdue at its own midnight", () => {
      expect(overdueIn("Pacific/Auckland", "2026-03-10T10:59:59Z")).toBe(false); // Mar 10, 23:59:59
      expect(overdueIn("Pacific/Auckland", "2026-03-10T11:00:00Z")).toBe(true); // Mar 11, 00:00
    });

    it("America/Los_Angeles is still on the due date then", () => {
      expect(overdueIn("America/Los_Angeles", "2026-03-10T11:00:00Z")).toBe(false); // Mar 10, 04:00
      expect(overdueIn("America/Los_Angeles", "2026-03-11T06:59:59Z")).toBe(false); // Mar 10, 23:59:59
      expect(overdueIn("America/Los_Angeles", "2026-03-11T07:00:00Z")).toBe(true); // Mar 11, 00:00
    });

    it("shows the badge and the due note instead of Open", () => {
      const { html } = render({}, {}, links, new Date("2026-03-12T00:00:00Z"));
      expect(html).toContain('<span class="badge badge-overdue">Overdue</span>');
      expect(html).not.toContain(">Open</span>");
      expect(html).toContain("Was due Mar 10, 2026");
      expect(html).toMatch(payButton);
    });

    it("is never shown once paid, void or uncollectible", () => {
      const late = new Date("2026-04-01T00:00:00Z");
      const paid = render(
        { status: "paid", amountPaid: invoice.total, amountRemaining: 0, paidAt: "2026-03-20T01:00:00Z" },
        {},
        links,
        late,
      );
      expect(paid.html).not.toContain("Overdue");
      expect(paid.html).toContain(">Paid</span>");
      for (const status of ["void", "uncollectible"] as const) {
        expect(render({ status }, {}, links, late).html).not.toContain("Overdue");
      }
    });
  });

  describe("credit balance and proration credits", () => {
    it("shows the applied balance under the total, and the amount due after it", () => {
      const { html } = render({ appliedBalance: 50_000, amountDue: invoice.total - 50_000, amountPaid: 0, amountRemaining: invoice.total - 50_000 });
      expect(html).toContain(`<tr><th scope="row">Applied balance</th><td>${usd(-50_000)}</td></tr>`);
      expect(html).toContain(`<tr class="amount-due"><th scope="row">Amount due</th><td>${usd(invoice.total - 50_000)}</td></tr>`);
      expect(render({ appliedBalance: 0 }).html).not.toContain("Applied balance");
    });

    it("shows a credit line's negative amounts, and what went to the customer's balance", () => {
      const credit = {
        description: "Unused time on Pro",
        quantity: 1,
        unitAmount: -4000,
        taxRateIds: [],
        amountSubtotal: -4000,
        amountDiscount: 0,
        amountTax: 0,
        amountTotal: -4000,
        proration: true as const,
      };
      const { html } = render({ lineItems: [credit], subtotal: -4000, discountTotal: 0, taxTotal: 0, taxBreakdown: [], discounts: [], fees: [], feeTotal: 0, total: 0, creditedToBalance: 4000, amountPaid: 0, amountRemaining: 0 });
      expect(usd(-4000)).toBe("-$40.00");
      expect(html).toContain(`<td class="num">-$40.00</td>\n<td class="num">-$40.00</td>`);
      expect(html).toContain(`<tr><th scope="row">Credited to your balance</th><td>$40.00</td></tr>`);
    });

    it("shows a taxable percent fee as 0 when credits outweigh the charges, as the money engine prices it", () => {
      const fee = { description: "Service", percent: 10, taxable: true, amountTotal: 0 };
      const { html } = render({ subtotal: -4000, discountTotal: 0, fees: [fee], feeTotal: 0, total: 0 });
      expect(html).toContain(`<tr><th scope="row">Service</th><td>${usd(0)}</td></tr>`);
    });
  });

  describe("pay button", () => {
    it("is shown for an open invoice with an amount due", () => {
      const { html } = render();
      expect(html).toContain(`<a class="button button-primary" href="${links.payUrl}">Pay $1,492.57</a>`);
    });

    it("is shown for an uncollectible invoice with an amount due", () => {
      const { html } = render({ status: "uncollectible" });
      expect(html).toContain(">Uncollectible</span>");
      expect(html).toMatch(payButton);
    });

    it("is absent without a pay URL, and the page says how to pay otherwise", () => {
      const { html } = render({}, { supportEmail: "pay@northwind.example" }, { pdfUrl: links.pdfUrl });
      expect(html).not.toMatch(payButton);
      expect(html).toContain("To pay, contact Northwind Studio at pay@northwind.example.");
      expect(html).toContain("Download PDF");
    });

    it("is replaced by a paid note on a paid invoice", () => {
      const paidAt = "2026-03-09T22:30:00Z"; // Mar 10 in Auckland
      const { html } = render({ status: "paid", amountPaid: invoice.total, amountRemaining: 0, paidAt });
      expect(html).not.toMatch(payButton);
      expect(html).not.toContain(">Pay ");
      expect(html).toContain(`Paid on ${formatDate(paidAt, "Pacific/Auckland")}`);
      expect(html).toContain("Paid on Mar 10, 2026");
      expect(html).toContain(`<th scope="row">Amount due</th><td>${usd(0)}</td>`);
      expect(html).toContain("Download PDF");
    });

    it("is absent on a void invoice, which says nothing is due", () => {
      const { html } = render({ status: "void", voidedAt: "2026-03-02T03:00:00Z" });
      expect(html).not.toMatch(payButton);
      expect(html).toContain(">Void</span>");
      expect(html).toContain("This invoice was voided on Mar 2, 2026.");
      expect(html).toContain("Nothing is due.");
      expect(html).toContain(`<th scope="row">Amount due</th><td>${usd(0)}</td>`);
      expect(html).not.toContain("$1,492.57");
    });
  });

  describe("test mode", () => {
    const banner = '<p class="test-mode" role="note">TEST MODE · This is a sandbox invoice: no real money is charged or paid.</p>';

    it("says TEST MODE above everything on the invoice of a merchant without a live processor", () => {
      for (const testMerchant of [{ processor: undefined }, { processor: "sandbox" as const }]) {
        const { html } = render({}, { ...testMerchant, stripeLivemode: undefined });
        expect(html).toContain(banner);
        expect(html.indexOf(banner)).toBeLessThan(html.indexOf('<header class="masthead">'));
      }
    });

    it("says TEST MODE while the connected Stripe account is a test account", () => {
      expect(render({}, { processor: "stripe", stripeLivemode: false }).html).toContain(banner);
    });

    it("says nothing of test mode for a merchant taking live Stripe payments", () => {
      expect(render({}, { processor: "stripe", stripeLivemode: true }).html).not.toContain("TEST MODE");
    });
  });

  it("formats other currencies exactly as formatMoney does", () => {
    const { html } = render({ currency: "JPY" });
    expect(html).toContain(formatMoney(invoice.total, "JPY"));
    expect(html).toContain(`Pay ${formatMoney(invoice.amountRemaining, "JPY")}`);
  });
});
