/**
 * Golden hosted pages (issue 18): the same invoice's page for an en-US and an nb-NO buyer shows the
 * right words, dates, separators and currency placement, and says which language it is in
 * (`<html lang>`); the checkout page reads in the buyer's `?locale=` choice, and ignores one the
 * platform cannot format. Exact strings, with U+00A0 where Intl puts it.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../shared/domain/clock.ts";
import { renderHostedInvoicePage } from "../../shared/invoices/hosted-page.ts";
import type { Invoice } from "../../shared/invoices/invoice.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import { offerFormPage } from "../../shared/payment-links/checkout-page.ts";
import { largestOffer } from "../helpers/largest-offer.ts";

beforeAll(() => {
  process.env.CURSOR_SECRET ??= "test-cursor-secret-0123456789";
});

const at = "2026-11-01T09:00:00.000Z";

const merchant: Merchant = {
  id: "mer_01JQ3Z8Y5K2M4N6P8R0T2V4X6Z",
  name: "Fjord Kaffe AS",
  email: "faktura@fjordkaffe.example",
  timeZone: "Europe/Oslo",
  defaultCurrency: "NOK",
  invoiceNumberPrefix: "INV",
  defaultPaymentTerms: "net_30",
  branding: {},
  locale: "en-US",
  processor: "sandbox",
  createdAt: at,
  updatedAt: at,
};

/** The golden invoice: 3 × 1 406,25 kr of coffee beans, no tax, no discount, open and unpaid. */
const invoice = (locale?: string): Invoice => ({
  id: "inv_01JQ40A1B2C3D4E5F6G7H8J9K0",
  status: "open",
  number: "INV-0042",
  customerId: "cus_01JQ3ZZ9X8W7V6T5S4R3Q2P1N0",
  customer: {
    id: "cus_01JQ3ZZ9X8W7V6T5S4R3Q2P1N0",
    email: "innkjop@bryggeriet.example",
    name: "Bryggeriet Kafé",
    address: { line1: "Bryggen 1", city: "Bergen", postalCode: "5003", country: "NO" },
    ...(locale ? { locale } : {}),
  },
  currency: "NOK",
  lineItems: [
    {
      description: "Kaffebønner 1 kg",
      quantity: 3,
      unitAmount: 140625,
      taxRateIds: [],
      amountSubtotal: 421875,
      amountDiscount: 0,
      amountTax: 0,
      amountTotal: 421875,
    },
  ],
  discounts: [],
  fees: [],
  subtotal: 421875,
  discountTotal: 0,
  taxTotal: 0,
  taxBreakdown: [],
  feeTotal: 0,
  total: 421875,
  amountPaid: 0,
  amountRemaining: 421875,
  paymentTerms: "net_30",
  dueDate: "2026-12-15",
  issuedAt: "2026-11-15T10:00:00.000Z",
  metadata: {},
  createdAt: "2026-11-15T09:55:00.000Z",
  updatedAt: "2026-11-15T10:00:00.000Z",
});

const links = { pdfUrl: "/i/tok/pdf", payUrl: "/i/tok/pay" };
const now = new Date("2026-11-20T12:00:00.000Z");
const page = (locale: string | undefined, m: Partial<Merchant> = {}) =>
  renderHostedInvoicePage(invoice(locale), { ...merchant, ...m }, links, now).html;

describe("the hosted invoice page, golden", () => {
  it("reads in American English for an en-US buyer", () => {
    const html = page("en-US");
    expect(html.startsWith('<!doctype html>\n<html lang="en-US">')).toBe(true);
    expect(html).toContain("<title>Invoice INV-0042 from Fjord Kaffe AS</title>");
    expect(html).toContain('<h1 id="invoice-title">Invoice INV-0042</h1>');
    expect(html).toContain(
      '<p class="due-label">Amount due</p>\n<p class="due-amount">NOK\u00a04,218.75</p>',
    );
    expect(html).toContain('<p class="due-note">Due Dec 15, 2026</p>');
    expect(html).toContain("<dt>Issue date</dt><dd>Nov 15, 2026</dd><dt>Due date</dt><dd>Dec 15, 2026</dd>");
    expect(html).toContain(">Pay NOK\u00a04,218.75</a>");
    expect(html).toContain('<td class="num">3</td>\n<td class="num">NOK\u00a01,406.25</td>');
    expect(html).toContain(
      '<tr class="amount-due"><th scope="row">Amount due</th><td>NOK\u00a04,218.75</td></tr>',
    );
    expect(html).toContain("<br>Norway<br>");
  });

  it("reads in Norwegian Bokmål for an nb-NO buyer of an English-speaking merchant", () => {
    const html = page("nb-NO");
    expect(html.startsWith('<!doctype html>\n<html lang="nb-NO">')).toBe(true);
    expect(html).toContain("<title>Faktura INV-0042 fra Fjord Kaffe AS</title>");
    expect(html).toContain('<h1 id="invoice-title">Faktura INV-0042</h1>');
    expect(html).toContain('<span class="badge badge-open">Åpen</span>');
    expect(html).toContain(
      '<p class="due-label">Å betale</p>\n<p class="due-amount">4\u00a0218,75\u00a0kr</p>',
    );
    expect(html).toContain('<p class="due-note">Forfaller 15. desember 2026</p>');
    expect(html).toContain(
      "<dt>Fakturanummer</dt><dd>INV-0042</dd><dt>Fakturadato</dt><dd>15. november 2026</dd><dt>Forfallsdato</dt><dd>15. desember 2026</dd>",
    );
    expect(html).toContain(">Betal 4\u00a0218,75\u00a0kr</a>");
    expect(html).toContain(">Last ned PDF</a>");
    expect(html).toContain('<h2 id="bill-to">Faktureres til</h2>');
    expect(html).toContain("<br>Norge<br>");
    expect(html).toContain(
      '<th scope="col">Beskrivelse</th><th scope="col" class="num">Antall</th><th scope="col" class="num">Enhetspris</th><th scope="col" class="num">Beløp</th>',
    );
    expect(html).toContain('<td class="num">3</td>\n<td class="num">1\u00a0406,25\u00a0kr</td>');
    expect(html).toContain('<tr><th scope="row">Delsum</th><td>4\u00a0218,75\u00a0kr</td></tr>');
    expect(html).toContain(
      '<tr class="total"><th scope="row">Totalt</th><td>4\u00a0218,75\u00a0kr</td></tr>',
    );
    expect(html).toContain(
      '<tr class="amount-due"><th scope="row">Å betale</th><td>4\u00a0218,75\u00a0kr</td></tr>',
    );
    expect(html).toContain("TESTMODUS · Dette er en faktura i sandkassen");
    for (const english of ["Amount due", "Due date", "Invoice", "Dec 15", "NOK", "TEST MODE"])
      expect(html).not.toContain(english);
  });

  it("follows the merchant's locale when the buyer has none, and the buyer's over the merchant's", () => {
    expect(page(undefined, { locale: "nb-NO" })).toContain('<html lang="nb-NO">');
    expect(page(undefined, { locale: "nb-NO" })).toContain("Forfallsdato");
    expect(page(undefined, {})).toContain('<html lang="en-US">');
    const english = page("en-US", { locale: "nb-NO" });
    expect(english).toContain('<html lang="en-US">');
    expect(english).toContain("<dt>Due date</dt><dd>Dec 15, 2026</dd>");
  });

  it("says when it was overdue and paid in the buyer's words", () => {
    const overdue = renderHostedInvoicePage(
      invoice("nb-NO"),
      merchant,
      links,
      new Date("2026-12-20T12:00:00Z"),
    );
    expect(overdue.html).toContain('<span class="badge badge-overdue">Forfalt</span>');
    expect(overdue.html).toContain('<p class="due-note overdue">Forfalt 15. desember 2026</p>');
    const paid = renderHostedInvoicePage(
      {
        ...invoice("nb-NO"),
        status: "paid",
        amountPaid: 421875,
        amountRemaining: 0,
        paidAt: "2026-12-01T08:00:00Z",
      },
      merchant,
      links,
      now,
    );
    expect(paid.html).toContain('<p class="notice notice-paid">Betalt 1. desember 2026</p>');
    expect(paid.html).toContain("4\u00a0218,75\u00a0kr er betalt. Takk for betalingen!");
  });
});

describe("the checkout page, golden", () => {
  const offer = largestOffer();
  const form = (locale?: string) =>
    offerFormPage(offer, {
      slug: offer.link.slug,
      clock: fixedClock(new Date("2026-11-20T12:00:00.000Z")),
      publicBaseUrl: "https://pay.example",
      locale,
    }).then((r) => r.raw?.body ?? "");

  it("reads in the buyer's ?locale= and carries the choice on with the form", async () => {
    const html = await form("nb-no");
    expect(html.startsWith('<!doctype html>\n<html lang="nb-NO">')).toBe(true);
    expect(html).toContain('<input type="hidden" name="locale" value="nb-NO">');
    expect(html).toContain('<caption class="visually-hidden">Din bestilling</caption>');
    expect(html).toContain(
      '<thead><tr><th scope="col">Vare</th><th scope="col" class="num">Antall</th><th scope="col" class="num">Beløp</th></tr></thead>',
    );
    // 129,90 kr per 1 kg bag, as Intl places the Norwegian krone.
    expect(html).toContain('<span class="muted">129,90\u00a0kr per stk.</span>');
    expect(html).toContain('<tr><th scope="row" colspan="2">Delsum</th>');
    expect(html).toContain("<legend>Dine opplysninger</legend>");
    expect(html).toContain(">Navn (valgfritt)</label>");
    expect(html).toContain(">Rabattkode (valgfritt)</label>");
    expect(html).toContain('data-priced="Priset for bestillingen din."');
    expect(html).toContain('<button type="submit">Fortsett</button>');
    expect(html).toContain("TESTMODUS · Kasse i sandkassen");
    expect(html).not.toContain("Your order");
  });

  it("ignores a locale the platform cannot format: the merchant's, and nothing carried on", async () => {
    for (const bad of ["en_US", "zz-ZZ", ""]) {
      const html = await form(bad);
      expect(html).toContain('<html lang="en-US">');
      expect(html).not.toContain('name="locale"');
      expect(html).toContain('<caption class="visually-hidden">Your order</caption>');
      expect(html).toContain('<span class="muted">NOK\u00a0129.90 each</span>');
    }
  });
});
