/**
 * Golden emails: the same invoice mailed to a buyer in en-US and in nb-NO reads in the buyer's words,
 * dates and money format; a payment's receipt follows the buyer's locale while the merchant's notice
 * of the same payment follows the merchant's. Exact strings, with the NO-BREAK SPACE (U+00A0) where
 * Intl puts it.
 */
import { describe, expect, it } from "vitest";
import type { Customer } from "../../shared/customers/customer.ts";
import type { Invoice } from "../../shared/invoices/invoice.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import { invoiceEmail, invoiceSent } from "../../shared/notifications/invoice-email.ts";
import { invoiceReminderEmail } from "../../shared/notifications/invoice-reminder.ts";
import type { NotificationPorts } from "../../shared/notifications/ports.ts";
import { receipt } from "../../shared/notifications/receipt.ts";
import {
  newSubscriptionEmail,
  subscriptionConfirmationEmail,
} from "../../shared/notifications/subscription-created.ts";
import type { Payment } from "../../shared/payments/payment.ts";
import { presentSubscription } from "../../shared/subscriptions/subscription.ts";
import { storedSubscription } from "../helpers/subscription-record.ts";

/** The golden fixture every surface renders: Fjord Kaffe AS's open invoice INV-0042. */
const merchant = {
  id: "mer_fjord",
  name: "Fjord Kaffe AS",
  email: "post@fjordkaffe.test",
  timeZone: "Europe/Oslo",
  processor: "stripe",
  stripeLivemode: true,
  locale: "en-US",
} as Merchant;
const invoice = {
  id: "inv_0042",
  number: "INV-0042",
  status: "open",
  currency: "NOK",
  lines: [{ description: "Kaffebønner 1 kg", quantity: 3, unitAmount: 140_625, amount: 421_875 }],
  subtotal: 421_875,
  total: 421_875,
  amountRemaining: 421_875,
  issueDate: "2026-11-15",
  dueDate: "2026-12-15",
  hostedUrl: "https://pay.kassa.test/i/inv_0042",
  customer: { id: "cus_kari", email: "kari@kunde.test", name: "Kari Nordmann" },
} as unknown as Invoice;
const billedIn = (locale: string | undefined): Invoice => ({
  ...invoice,
  customer: { ...invoice.customer, ...(locale ? { locale } : {}) },
});

/** The amount as Intl writes it: en-US puts "NOK" first, nb-NO "kr" last (both after a NO-BREAK SPACE). */
const enAmount = "NOK\u00a04,218.75";
const nbAmount = "4\u00a0218,75\u00a0kr";

describe("the invoice email", () => {
  it("reads in English for an en-US buyer: words, date and money placement", () => {
    const mail = invoiceEmail(billedIn("en-US"), merchant);
    expect(mail.subject).toBe("Invoice INV-0042 from Fjord Kaffe AS");
    expect(mail.text.split("\n")).toEqual([
      "Invoice INV-0042 from Fjord Kaffe AS",
      "",
      "Fjord Kaffe AS sent you invoice INV-0042. The PDF is attached.",
      `Amount due: ${enAmount} (total ${enAmount}).`,
      "Due date: Dec 15, 2026.",
      "View and download it online: https://pay.kassa.test/i/inv_0042",
    ]);
    expect(mail.html).toContain('<html lang="en-US">');
    expect(mail.html).toContain("Sent by Fjord Kaffe AS with Kassa");
  });

  it("reads in Norwegian for an nb-NO buyer of an en-US merchant: Faktura, Å betale, Forfallsdato", () => {
    const mail = invoiceEmail(billedIn("nb-NO"), merchant);
    expect(mail.subject).toBe("Faktura INV-0042 fra Fjord Kaffe AS");
    expect(mail.text.split("\n")).toEqual([
      "Faktura INV-0042 fra Fjord Kaffe AS",
      "",
      "Fjord Kaffe AS har sendt deg faktura INV-0042. PDF-en er vedlagt.",
      `Å betale: ${nbAmount} (totalt ${nbAmount}).`,
      "Forfallsdato: 15. desember 2026.",
      "Se og last den ned på nett: https://pay.kassa.test/i/inv_0042",
    ]);
    expect(mail.html).toContain('<html lang="nb-NO">');
    expect(mail.html).toContain(`Å betale: ${nbAmount}`);
    expect(mail.html).toContain("Sendt av Fjord Kaffe AS med Kassa");
    expect(mail.html).not.toMatch(/Amount due|Due date|Sent by|NOK/);
  });

  it("follows the merchant's locale when the buyer has none, and the buyer's over the merchant's", () => {
    const norwegianMerchant = { ...merchant, locale: "nb-NO" };
    expect(invoiceEmail(billedIn(undefined), norwegianMerchant).subject).toBe(
      "Faktura INV-0042 fra Fjord Kaffe AS",
    );
    expect(invoiceEmail(billedIn("en-US"), norwegianMerchant).subject).toBe(
      "Invoice INV-0042 from Fjord Kaffe AS",
    );
    // A locale Kassa has no words for reads English words in its own formats.
    expect(invoiceEmail(billedIn("de-DE"), merchant).text).toContain(
      "Amount due: 4.218,75\u00a0NOK (total 4.218,75\u00a0NOK).",
    );
  });

  it("marks a test-mode merchant's mail in the buyer's words", () => {
    const mail = invoiceEmail(billedIn("nb-NO"), {
      ...merchant,
      processor: "sandbox",
      stripeLivemode: undefined,
    });
    expect(mail.subject).toBe("[TESTMODUS] Faktura INV-0042 fra Fjord Kaffe AS");
    expect(mail.text).toContain(
      "TESTMODUS: dette gjelder testpenger i sandkassen. Ingen ekte penger er overført.",
    );
  });

  it("counts days in the reminder with the buyer's plural rules", () => {
    const nb = billedIn("nb-NO");
    expect(invoiceReminderEmail(nb, merchant, -1).subject).toBe(
      "Påminnelse: faktura INV-0042 fra Fjord Kaffe AS forfaller om 1 dag",
    );
    expect(invoiceReminderEmail(nb, merchant, -3).subject).toBe(
      "Påminnelse: faktura INV-0042 fra Fjord Kaffe AS forfaller om 3 dager",
    );
    expect(invoiceReminderEmail(nb, merchant, 0).text).toContain(
      "Dette er en vennlig påminnelse om at faktura INV-0042 forfaller i dag.",
    );
    expect(invoiceReminderEmail(nb, merchant, 7).subject).toBe(
      "Påminnelse: faktura INV-0042 fra Fjord Kaffe AS er 7 dager over forfall",
    );
    expect(invoiceReminderEmail(billedIn("en-US"), merchant, 1).subject).toBe(
      "Reminder: invoice INV-0042 from Fjord Kaffe AS is 1 day overdue",
    );
  });
});

const payment = {
  id: "pay_0042",
  status: "succeeded",
  amount: 421_875,
  currency: "NOK",
  livemode: true,
  method: { type: "card", brand: "visa", last4: "4242" },
  paidAt: "2026-12-10T09:30:00.000Z",
  invoiceId: "inv_0042",
} as Payment;

/** Ports over the golden invoice (as `billed`) and merchant; the customer record holds `record`. */
const ports = (billed: Invoice, record?: Partial<Customer>): NotificationPorts =>
  ({
    invoice: async (merchantId: string, id: string) =>
      merchantId === merchant.id && id === invoice.id ? billed : undefined,
    merchant: async (id: string) => (id === merchant.id ? merchant : undefined),
    payment: async () => payment,
    customer: async (merchantId: string, id: string) =>
      merchantId === merchant.id && id === invoice.customer.id && record
        ? ({ id, email: invoice.customer.email, ...record } as Customer)
        : undefined,
    invoicePdf: async () => new Uint8Array([37, 80, 68, 70]),
  }) as unknown as NotificationPorts;

/** The invoice once the payment settled it. */
const settled = (billed: Invoice): Invoice => ({ ...billed, status: "paid", amountRemaining: 0 });

const paid = (p: NotificationPorts) =>
  receipt.render(
    {
      id: "evt_1",
      type: "payment.succeeded",
      merchantId: merchant.id,
      objectId: payment.id,
      data: { payment },
    },
    p,
  );

describe("a payment's mail", () => {
  it("sends an nb-NO buyer a Norwegian receipt and the en-US merchant an English notice", async () => {
    const [buyer, owner] = await paid(ports(settled(billedIn("nb-NO"))));
    expect(buyer?.to.email).toBe("kari@kunde.test");
    expect(buyer?.subject).toBe(`Kvittering fra Fjord Kaffe AS: ${nbAmount} betalt`);
    expect(buyer?.text.split("\n")).toEqual([
      `Kvittering fra Fjord Kaffe AS: ${nbAmount} betalt`,
      "",
      `Takk for betalingen! Vi har mottatt ${nbAmount} for faktura INV-0042.`,
      "Betalt 10. desember 2026 med visa som slutter på 4242.",
      "Kvitteringsnummer: pay_0042.",
      "Fakturaen din: https://pay.kassa.test/i/inv_0042",
      "Spørsmål? Kontakt Fjord Kaffe AS på post@fjordkaffe.test.",
    ]);
    expect(owner?.to.email).toBe("post@fjordkaffe.test");
    expect(owner?.subject).toBe(`Payment received: ${enAmount} for invoice INV-0042`);
    expect(owner?.text).toContain(`Kari Nordmann paid ${enAmount} with visa ending in 4242.`);
    expect(owner?.html).toContain('<html lang="en-US">');
  });

  it("reads the buyer's locale from their customer record when the invoice was built before they chose one", async () => {
    const [buyer, owner] = await paid(ports(settled(billedIn(undefined)), { locale: "nb-NO" }));
    expect(buyer?.subject).toBe(`Kvittering fra Fjord Kaffe AS: ${nbAmount} betalt`);
    expect(owner?.subject).toBe(`Payment received: ${enAmount} for invoice INV-0042`);
  });

  it("mails the invoice itself in the buyer's words, with its PDF", async () => {
    const [mail] = await invoiceSent.render(
      { id: "evt_2", type: "invoice.sent", merchantId: merchant.id, objectId: invoice.id, data: {} },
      ports(billedIn("nb-NO")),
    );
    expect(mail?.subject).toBe("Faktura INV-0042 fra Fjord Kaffe AS");
    expect(mail?.text).toContain("Forfallsdato: 15. desember 2026.");
    expect(mail?.attachments?.[0]?.filename).toBe("INV-0042.pdf");
  });
});

describe("a subscription's mail", () => {
  /** Fjord Kaffe's monthly beans: 3 × 1 406,25 kr on day 31, 12 periods, charged to a saved Visa. */
  const subscription = presentSubscription(
    storedSubscription("cus_kari", new Date("2026-01-31T09:00:00Z"), {
      id: "sub_kaffe",
      currency: "NOK",
      items: [{ id: "si_1", description: "Kaffebønner 1 kg", unitAmount: 140_625, quantity: 3 }],
      startDate: "2026-01-31",
      billingCycles: 12,
      timeZone: "Europe/Oslo",
      nextBillingAt: "2026-01-30T23:00:00.000Z",
    }),
  );
  const kari = {
    id: "cus_kari",
    email: "kari@kunde.test",
    name: "Kari Nordmann",
    locale: "nb-NO",
  } as Customer;
  const visa = {
    id: "pm_1",
    customerId: "cus_kari",
    type: "card",
    card: { brand: "visa", last4: "4242", expMonth: 12, expYear: 2030 },
    processorId: "pm_card_visa",
    createdAt: "2026-01-01T00:00:00.000Z",
  } as const;

  it("confirms it to an nb-NO buyer in Norwegian, with plurals and dates in their forms", () => {
    const mail = subscriptionConfirmationEmail(subscription, kari, merchant, visa);
    expect(mail.subject).toBe("Abonnementet ditt hos Fjord Kaffe AS er bekreftet");
    expect(mail.text.split("\n").slice(2)).toEqual([
      "Takk for at du abonnerer hos Fjord Kaffe AS. Abonnement sub_kaffe:",
      `Kaffebønner 1 kg × 3: ${nbAmount} per måned.`,
      `Totalt: ${nbAmount} per måned.`,
      "Startet 31. januar 2026; den første perioden faktureres nå.",
      "Neste faktureringsdato: 28. februar 2026.",
      "Faktureres månedlig den 31. (siste dag i kortere måneder), i 12 måneder i alt, til og med 31. januar 2027.",
      "Hver faktura belastes automatisk på ditt visa-kort som slutter på 4242.",
      "Spørsmål? Kontakt Fjord Kaffe AS på post@fjordkaffe.test.",
    ]);
  });

  it("tells the en-US merchant about the same subscription in English", () => {
    const mail = newSubscriptionEmail(subscription, kari, merchant, visa);
    expect(mail.subject).toBe(`New subscription: Kari Nordmann, ${enAmount} per month`);
    expect(mail.text).toContain(
      "Billed monthly on day 31 (the last day of shorter months), for 12 months in all",
    );
    expect(mail.text).toContain(
      "Each invoice is charged automatically to the customer's visa card ending in 4242.",
    );
  });
});
