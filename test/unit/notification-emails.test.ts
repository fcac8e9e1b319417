import { describe, expect, it } from "vitest";
import { excessRefundedEmail } from "../../shared/notifications/excess-refunded.ts";
import { invoiceEmail } from "../../shared/notifications/invoice-email.ts";
import { paymentFailedEmail } from "../../shared/notifications/payment-failed.ts";
import { paymentReceivedEmail, receiptEmail } from "../../shared/notifications/receipt.ts";
import { refundEmail } from "../../shared/notifications/refund.ts";
import { welcomeEmail } from "../../shared/notifications/welcome.ts";

const invoice = {
  id: "inv_1",
  number: "ACME-0007",
  currency: "USD",
  total: 12_345,
  amountRemaining: 2_345,
  dueDate: "2026-12-31",
  hostedUrl: "https://pay.acme.test/i/abc",
  customer: { email: "buyer@shop.test", name: "Bea <Buyer>" },
};
const merchant = {
  name: "Acme & Sons",
  email: "owner@acme.test",
  timeZone: "Europe/Berlin",
  supportEmail: "help@acme.test",
  branding: { brandColor: "#123456", footerText: "Acme & Sons · Berlin", logoUrl: "https://cdn.acme.test/logo.png" },
  processor: "stripe" as const,
  stripeLivemode: true,
};
/** A merchant that has not connected a live processor: everything it issues is test mode. */
const testMerchant = { ...merchant, processor: "sandbox" as const, stripeLivemode: undefined };
const livePayment = {
  id: "pay_1",
  amount: 10_000,
  currency: "USD",
  method: { type: "card" as const, brand: "visa", last4: "4242" },
  paidAt: "2026-12-01T10:00:00Z",
  failure: { declineCode: "card_declined", message: "Declined" },
  livemode: true,
};
const sandboxPayment = { ...livePayment, livemode: false };

describe("email templates", () => {
  it("dress buyer-facing mail in the merchant's branding, escaped, with the API's numbers", () => {
    const mail = invoiceEmail(invoice, merchant);
    expect(mail.subject).toBe("Invoice ACME-0007 from Acme & Sons");
    expect(mail.to).toEqual({ email: "buyer@shop.test", name: "Bea <Buyer>" });
    expect(mail.html).toContain("background:#123456");
    expect(mail.html).toContain('<img src="https://cdn.acme.test/logo.png"');
    expect(mail.html).toContain("Acme &amp; Sons · Berlin");
    expect(mail.html).not.toContain("Acme & Sons");
    expect(mail.text).toContain("Amount due: $23.45 (total $123.45).");
    expect(mail.text).toContain("Due date: Dec 31, 2026.");
    expect(mail.text.endsWith("Acme & Sons · Berlin")).toBe(true);
  });

  it("say how much of the total the customer's credit balance paid", () => {
    const mail = invoiceEmail({ ...invoice, appliedBalance: 10_000 }, merchant);
    expect(mail.text).toContain("Amount due: $23.45 (total $123.45, less applied balance $100.00).");
    expect(invoiceEmail({ ...invoice, appliedBalance: 0 }, merchant).text).toContain(
      "Amount due: $23.45 (total $123.45).",
    );
  });

  it("leave out a logo that is not https and fall back to a neutral colour", () => {
    const mail = invoiceEmail(invoice, { ...merchant, branding: { brandColor: "red;x:y", logoUrl: "javascript:alert(1)" } });
    expect(mail.html).not.toContain("<img");
    expect(mail.html).toContain("background:#334155");
    expect(mail.html).toContain("Sent by Acme &amp; Sons with Kassa");
  });

  it("put the support contact on receipts, and keep Kassa's look on mail to merchants", () => {
    const receipt = receiptEmail(
      { id: "pay_1", amount: 10_000, currency: "USD", method: { type: "card", brand: "visa", last4: "4242" }, paidAt: "2026-12-01T10:00:00Z", livemode: true },
      invoice,
      merchant,
    );
    expect(receipt.text).toContain("Paid with visa ending in 4242 on Dec 1, 2026.");
    expect(receipt.text).toContain("Questions? Contact Acme & Sons at help@acme.test.");
    const welcome = welcomeEmail({ id: "mer_1", name: "Acme", email: "owner@acme.test" });
    expect(welcome.html).toContain("Sent by Kassa");
    expect(welcome.html).not.toContain("border-radius:8px 8px 0 0");
  });

  describe("TEST MODE", () => {
    const mails = (payment: typeof livePayment, from: typeof merchant | typeof testMerchant) => [
      receiptEmail(payment, invoice, from),
      paymentReceivedEmail(payment, invoice, from),
      paymentFailedEmail(payment, invoice, from),
      refundEmail({ id: "re_1", amount: 500, currency: "USD", livemode: payment.livemode }, invoice, from),
      excessRefundedEmail(payment, invoice, from, 500),
    ];

    it("mark every email about sandbox money in the subject, the first lines and a banner", () => {
      for (const mail of [...mails(sandboxPayment, merchant), invoiceEmail(invoice, testMerchant)]) {
        expect(mail.subject.startsWith("[TEST MODE] ")).toBe(true);
        expect(mail.text.split("\n")[2]).toBe(
          "TEST MODE: this is about test money in the sandbox. No real money moved.",
        );
        expect(mail.html).toContain(">TEST MODE: this is about test money in the sandbox.");
      }
    });

    it("leave mail about live money and a live merchant's invoices unmarked", () => {
      for (const mail of [...mails(livePayment, merchant), invoiceEmail(invoice, merchant)]) {
        expect(`${mail.subject}${mail.text}${mail.html}`).not.toContain("TEST MODE");
      }
    });
  });
});
