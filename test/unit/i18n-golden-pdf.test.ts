/**
 * Golden PDFs (issue 18): the same invoice rendered for an en-US and an nb-NO buyer, read back from
 * its bytes (test/helpers/pdf-text.ts), shows each reader's words, dates, separators and currency
 * placement exactly — the no-break spaces where Intl puts them. Then a quote and a receipt in
 * Norwegian, and the WinAnsi stand-ins for Intl's minus sign and narrow no-break space.
 */
import { PDFDocument } from "pdf-lib";
import { describe, expect, it } from "vitest";
import { encodable, embedFonts } from "../../shared/documents/layout.ts";
import { translator } from "../../shared/i18n/translator.ts";
import type { BilledCustomer, Invoice } from "../../shared/invoices/invoice.ts";
import { renderInvoicePdf } from "../../shared/invoices/pdf.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import type { Payment } from "../../shared/payments/payment.ts";
import { renderReceiptPdf } from "../../shared/receipts/pdf.ts";
import type { Refund } from "../../shared/payments/refund.ts";
import { renderQuotePdf } from "../../shared/quotes/pdf.ts";
import type { Quote } from "../../shared/quotes/quote.ts";
import { renderSignedQuotePdf } from "../../shared/quotes/signed-pdf.ts";
import { pdfPages, pdfText } from "../helpers/pdf-text.ts";

const merchant: Merchant = {
  id: "mer_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
  name: "Fjord Kaffe AS",
  email: "faktura@fjordkaffe.test",
  timeZone: "Europe/Oslo",
  defaultCurrency: "NOK",
  locale: "nb-NO",
  branding: {},
  invoiceNumberPrefix: "INV",
  defaultPaymentTerms: "net_30",
  processor: "stripe",
  stripeAccountId: "acct_1",
  stripeChargesEnabled: true,
  stripeLivemode: true,
  createdAt: "2026-11-01T09:00:00.000Z",
  updatedAt: "2026-11-01T09:00:00.000Z",
};

const buyer = (locale?: string): BilledCustomer => ({
  id: "cus_01KQA0000000000000000000001",
  email: "kari@example.test",
  name: "Kari Nordmann",
  address: { line1: "Storgata 1", city: "Oslo", postalCode: "0155", country: "NO" },
  ...(locale ? { locale } : {}),
});

const line = {
  description: "Kaffebønner 1 kg",
  quantity: 3,
  unitAmount: 140_625,
  taxRateIds: [],
  amountSubtotal: 421_875,
  amountDiscount: 0,
  amountTax: 0,
  amountTotal: 421_875,
};

const invoiceFor = (customer: BilledCustomer, overrides: Partial<Invoice> = {}): Invoice => ({
  id: "inv_01KQA0000000000000000000042",
  status: "open",
  number: "INV-0042",
  customerId: customer.id,
  customer,
  currency: "NOK",
  lineItems: [line],
  discounts: [],
  fees: [],
  subtotal: 421_875,
  discountTotal: 0,
  taxTotal: 0,
  taxBreakdown: [],
  feeTotal: 0,
  total: 421_875,
  amountPaid: 0,
  amountRemaining: 421_875,
  paymentTerms: "net_30",
  dueDate: "2026-12-15",
  issuedAt: "2026-11-15T09:00:00.000Z",
  metadata: {},
  createdAt: "2026-11-15T08:00:00.000Z",
  updatedAt: "2026-11-15T09:00:00.000Z",
  ...overrides,
});

/** Every text run on its own line, so a whole run is matched exactly. */
const runsOf = async (pdf: Uint8Array) => (await pdfText(pdf)).split("\n");

describe("golden invoice PDF", () => {
  it("reads in American English for an en-US buyer of a Norwegian merchant", async () => {
    const runs = await runsOf(await renderInvoicePdf(invoiceFor(buyer("en-US")), merchant));

    expect(runs).toContain("Invoice INV-0042");
    expect(runs).toContain("Due date");
    expect(runs).toContain("Dec 15, 2026");
    expect(runs).toContain("Nov 15, 2026");
    expect(runs).toContain("NOK\u00a04,218.75");
    expect(runs).toContain("NOK\u00a01,406.25");
    expect(runs).toContain("Amount due");
    expect(runs[runs.indexOf("Amount due") + 1]).toBe("NOK\u00a04,218.75");
    expect(runs).toContain("BILL TO");
    expect(runs).toContain("Norway");
    expect(runs).toContain("Kaffebønner 1 kg");
    expect(runs).not.toContain("Faktura INV-0042");
  });

  it("reads in Norwegian for an nb-NO buyer, and for a buyer without a locale of a Norwegian merchant", async () => {
    for (const customer of [buyer("nb-NO"), buyer()]) {
      const bytes = await renderInvoicePdf(invoiceFor(customer), merchant);
      const runs = await runsOf(bytes);

      expect(runs).toContain("Faktura INV-0042");
      expect(runs).toContain("Forfallsdato");
      expect(runs).toContain("15. desember 2026");
      expect(runs).toContain("Fakturadato");
      expect(runs).toContain("15. november 2026");
      expect(runs).toContain("4\u00a0218,75\u00a0kr");
      expect(runs).toContain("1\u00a0406,25\u00a0kr");
      expect(runs).toContain("Å betale");
      expect(runs[runs.indexOf("Å betale") + 1]).toBe("4\u00a0218,75\u00a0kr");
      expect(runs).toContain("FAKTURERES TIL");
      expect(runs).toContain("BESKRIVELSE");
      expect(runs).toContain("ANTALL");
      expect(runs).toContain("Åpen");
      expect(runs).toContain("Norge");
      expect(runs).toContain("Fjord Kaffe AS · Faktura INV-0042 · Side 1 av 1");
      expect(runs).not.toContain("Due date");
      const doc = await PDFDocument.load(bytes, { updateMetadata: false });
      expect(doc.getTitle()).toBe("Faktura INV-0042");
    }
  });

  it("draws a Norwegian negative amount with WinAnsi's hyphen for Intl's minus sign", async () => {
    // A 20 % discount: the totals as the money engine gives them (421 875 − 84 375).
    const invoice = invoiceFor(buyer("nb-NO"), {
      discounts: [{ percentOff: 20, amount: 84_375 }],
      discountTotal: 84_375,
      total: 337_500,
      amountRemaining: 337_500,
    });
    expect(translator("nb-NO").money(-84_375, "NOK")).toBe("\u2212843,75\u00a0kr");

    const runs = await runsOf(await renderInvoicePdf(invoice, merchant));

    expect(runs[runs.indexOf("Rabatt (20\u00a0%)") + 1]).toBe("-843,75\u00a0kr");
    expect(runs).toContain("3\u00a0375,00\u00a0kr");
  });

  it("draws French amounts' narrow no-break spaces as no-break spaces", async () => {
    expect(translator("fr-FR").money(421_875, "NOK")).toBe("4\u202f218,75\u00a0NOK");

    const runs = await runsOf(await renderInvoicePdf(invoiceFor(buyer("fr-FR")), merchant));

    // No catalog for French: English words, French numbers and dates.
    expect(runs[runs.indexOf("Amount due") + 1]).toBe("4\u00a0218,75\u00a0NOK");
    expect(runs).toContain("15 déc. 2026");
  });
});

describe("encodable", () => {
  it("maps exactly Intl's minus sign to '-' and its narrow no-break space to a no-break space", async () => {
    const { charset } = await embedFonts(await PDFDocument.create());

    expect(encodable("\u2212843,75\u00a0kr", charset)).toBe("-843,75\u00a0kr");
    expect(encodable("4\u202f218,75\u00a0€", charset)).toBe("4\u00a0218,75\u00a0€");
    // Norwegian letters are WinAnsi already; what has no stand-in is still "?".
    expect(encodable("Å betale ÆØÅ æøå", charset)).toBe("Å betale ÆØÅ æøå");
    expect(encodable("\u2213 ☕", charset)).toBe("? ?");
  });
});

describe("golden quote PDF", () => {
  const quote = {
    ...invoiceFor(buyer("nb-NO")),
    id: "quo_01KQA0000000000000000000007",
    status: "open",
    number: "Q-0007",
    upfrontTotal: 421_875,
    recurringTotal: 0,
    requireSignature: true,
    countersigners: [{ name: "Ola Fjord", email: "ola@fjordkaffe.test" }],
    collectPayment: false,
    paymentPlan: {
      installments: [
        { percent: 50, dueAfterDays: 0 },
        { percent: 50, dueAfterDays: 30 },
      ],
    },
    terms: "Levering innen 14 dager.",
    expiresAt: "2026-12-15T23:00:00.000Z",
    publishedAt: "2026-11-15T09:00:00.000Z",
    contentHash: "a".repeat(64),
    hostedUrl: "https://pay.kassa.test/q/abc",
  } as unknown as Quote;

  it("reads in Norwegian for an nb-NO buyer", async () => {
    const runs = await runsOf(await renderQuotePdf(quote, merchant));

    expect(runs).toContain("Tilbud Q-0007");
    expect(runs).toContain("Gyldig til");
    expect(runs).toContain("16. desember 2026"); // 23:00 UTC on Dec 15 is Dec 16 in Oslo
    expect(runs).toContain("Utstedt");
    expect(runs).toContain("15. november 2026");
    expect(runs).toContain("UTARBEIDET FOR");
    expect(runs).toContain("Kaffebønner 1 kg");
    expect(runs).toContain("Delsum");
    expect(runs[runs.indexOf("Totalt") + 1]).toBe("4\u00a0218,75\u00a0kr");
    expect(runs).toContain("BETALINGSPLAN");
    expect(runs).toContain("1. 50\u00a0%, forfaller ved aksept");
    expect(runs).toContain("2. 50\u00a0%, forfaller 30 dager etter aksept");
    expect(runs).toContain("VILKÅR");
    expect(runs).toContain("SE GJENNOM OG GODTA PÅ NETT");
    expect(runs).toContain("Kjøper: Kari Nordmann");
    expect(runs).toContain("For Fjord Kaffe AS: Ola Fjord <ola@fjordkaffe.test>");
  });

  it("adds a Norwegian audit trail to the signed PDF, its times exact UTC", async () => {
    const signedAt = "2026-11-20T12:00:00.000Z";
    const accepted = {
      ...quote,
      status: "accepted",
      acceptedAt: signedAt,
      signatures: [
        {
          name: "Kari Nordmann",
          email: "kari@example.test",
          role: "buyer",
          signedAt,
          ip: "198.51.100.4",
          userAgent: "Firefox/130",
          contentHash: quote.contentHash,
        },
      ],
    } as Quote;

    const pages = await pdfPages(
      await renderSignedQuotePdf(await renderQuotePdf(quote, merchant), accepted, merchant),
    );
    const trail = (pages.at(-1) ?? "").split("\n");

    expect(trail).toContain("Revisjonsspor");
    expect(trail).toContain("Tilbud Q-0007 fra Fjord Kaffe AS til Kari Nordmann");
    expect(trail).toContain("SHA-256 AV DEN OPPRINNELIGE PDF-EN (contentHash)");
    expect(trail).toContain(`${signedAt} · Signert av kjøperen på tilbudets side`);
    expect(trail).toContain("Aktør: Kari Nordmann <kari@example.test> (kjøper)");
    expect(trail).toContain("IP-adresse: 198.51.100.4");
    expect(trail).toContain(`${signedAt} · Tilbudet er godtatt`);
    expect(trail.some((run) => run.startsWith("Fjord Kaffe AS · Tilbud Q-0007 · Revisjonsspor · Side"))).toBe(
      true,
    );
  });
});

describe("golden receipt PDF", () => {
  const payment: Payment = {
    id: "pay_01KQA0000000000000000000042",
    status: "partially_refunded",
    amount: 421_875,
    currency: "NOK",
    fee: 0,
    net: 421_875,
    processor: "stripe",
    livemode: true,
    method: { type: "card", brand: "visa", last4: "4242" },
    customerId: "cus_01KQA0000000000000000000001",
    for: { kind: "invoice", id: "inv_01KQA0000000000000000000042" },
    invoiceId: "inv_01KQA0000000000000000000042",
    amountRefunded: 140_625,
    amountRefundedSettled: 140_625,
    paidAt: "2026-12-01T10:00:00.000Z",
    history: [],
    createdAt: "2026-12-01T10:00:00.000Z",
    updatedAt: "2026-12-03T10:00:00.000Z",
  };
  const refund: Refund = {
    id: "re_01KQA0000000000000000000001",
    paymentId: payment.id,
    customerId: payment.customerId,
    amount: 140_625,
    currency: "NOK",
    livemode: true,
    status: "succeeded",
    createdAt: "2026-12-03T10:00:00.000Z",
    updatedAt: "2026-12-03T10:00:00.000Z",
  };

  it("reads in Norwegian for the paid invoice's nb-NO buyer: amount, date, method, invoice and refunds", async () => {
    const invoice = invoiceFor(buyer("nb-NO"), {
      status: "paid",
      amountPaid: 421_875,
      amountRemaining: 0,
      paidAt: "2026-12-01T10:00:00.000Z",
    });

    const bytes = await renderReceiptPdf({
      payment,
      merchant: { ...merchant, locale: "en-US" },
      invoice,
      buyer: invoice.customer,
      refunds: [refund],
    });
    const runs = await runsOf(bytes);

    expect(runs).toContain("Kvittering");
    expect(runs).toContain("Kvitteringsnummer");
    expect(runs).toContain(payment.id);
    expect(runs).toContain("Betalt dato");
    expect(runs).toContain("1. desember 2026");
    expect(runs).toContain("Betalingsmåte");
    expect(runs).toContain("Visa som slutter på 4242");
    expect(runs).toContain("Fakturanummer");
    expect(runs).toContain("BETALT AV");
    expect(runs).toContain("Kari Nordmann");
    expect(runs[runs.indexOf("Betalt") + 1]).toBe("4\u00a0218,75\u00a0kr");
    expect(runs).toContain("Betaling av faktura INV-0042");
    expect(runs).toContain("Kaffebønner 1 kg");
    expect(runs[runs.indexOf("Fakturabeløp") + 1]).toBe("4\u00a0218,75\u00a0kr");
    expect(runs).toContain("REFUSJONER");
    expect(runs[runs.indexOf("Refusjon 3. desember 2026") + 1]).toBe("1\u00a0406,25\u00a0kr");
    expect(runs[runs.indexOf("Refundert") + 1]).toBe("1\u00a0406,25\u00a0kr");
    expect(runs).toContain("Takk for betalingen.");
    expect(runs).not.toContain("Receipt");
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(doc.getTitle()).toBe(`Kvittering ${payment.id}`);
  });

  it("reads in the merchant's locale when the buyer has none, and says TEST MODE for a sandbox payment", async () => {
    const runs = await runsOf(
      await renderReceiptPdf({
        payment: { ...payment, livemode: false, method: { type: "bank_transfer", reference: "KID 1234" } },
        merchant: { ...merchant, locale: "en-US" },
        buyer: buyer(),
        refunds: [{ ...refund, status: "pending" }],
      }),
    );

    expect(runs).toContain("Receipt");
    expect(runs).toContain("TEST MODE · sandbox receipt: no real money was charged or paid");
    expect(runs).toContain("Dec 1, 2026");
    expect(runs).toContain("Bank transfer, reference KID 1234");
    expect(runs[runs.indexOf("Amount paid") + 1]).toBe("NOK\u00a04,218.75");
    expect(runs).toContain("Refund Dec 3, 2026 (pending)");
    expect(runs).toContain("Thank you for your payment.");
  });
});
