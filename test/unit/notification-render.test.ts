import { describe, expect, it } from "vitest";
import type { Invoice } from "../../shared/invoices/invoice.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import { paymentFailed } from "../../shared/notifications/payment-failed.ts";
import type { NotificationPorts } from "../../shared/notifications/ports.ts";
import { receipt } from "../../shared/notifications/receipt.ts";
import type { Payment } from "../../shared/payments/payment.ts";

const merchant = { id: "mer_1", name: "Acme", email: "owner@acme.test", timeZone: "UTC" } as Merchant;
const invoice = {
  id: "inv_1",
  number: "ACME-0001",
  currency: "USD",
  total: 10_000,
  amountRemaining: 0,
  customer: { id: "cus_1", email: "buyer@shop.test", name: "Bea Buyer" },
} as Invoice;
const payment = {
  id: "pay_1",
  status: "processing",
  amount: 10_000,
  currency: "USD",
  livemode: true,
  method: { type: "card", brand: "unknown", last4: "????" },
  invoiceId: "inv_1",
} as Payment;

/** Ports over one invoice and merchant; the store holds `stored` as the payment now. */
const ports = (stored?: Payment): NotificationPorts => ({
  invoice: async (merchantId, id) => (merchantId === "mer_1" && id === "inv_1" ? invoice : undefined),
  merchant: async (id) => (id === "mer_1" ? merchant : undefined),
  payment: async (merchantId, id) => (merchantId === "mer_1" && id === stored?.id ? stored : undefined),
  invoicePdf: async () => new Uint8Array(),
  clock: { now: () => new Date("2026-03-01T12:00:00.000Z") },
  limits: { take: async () => ({ taken: true, slot: { giveBack: async () => {} } }), retryAfter: async () => undefined },
});
const event = (type: string, data: Payment) => ({ id: "evt_1", type, merchantId: "mer_1", objectId: data.id, data: { payment: data } });

describe("payment notifications", () => {
  it("send the buyer a receipt and the merchant a notice, with the card as a later report filled it in", async () => {
    const now = { ...payment, status: "succeeded", method: { type: "card", brand: "visa", last4: "4242" } } as Payment;

    const mails = await receipt.render(event("payment.succeeded", payment), ports(now));

    expect(mails.map((m) => [m.to.email, m.subject])).toEqual([
      ["buyer@shop.test", "Receipt from Acme: $100.00 paid"],
      ["owner@acme.test", "Payment received: $100.00 for invoice ACME-0001"],
    ]);
    expect(mails[0]?.text).toContain("Paid with visa ending in 4242.");
  });

  it("tell the buyer about a declined card, but not about a Checkout they left", async () => {
    const declined = { ...payment, status: "failed", failure: { declineCode: "card_declined", message: "Declined" } } as Payment;
    const lapsed = { ...payment, status: "failed", failure: { declineCode: "checkout_expired", message: "Expired" } } as Payment;

    const declinedMails = await paymentFailed.render(event("payment.failed", declined), ports(declined));
    expect(declinedMails.map((m) => [m.to.email, m.subject])).toEqual([
      ["buyer@shop.test", "Your payment to Acme did not go through"],
    ]);
    expect(await paymentFailed.render(event("payment.failed", lapsed), ports(lapsed))).toEqual([]);
  });

  it("send nothing about a payment on no invoice, and fail (to be retried) when its invoice is missing", async () => {
    const { invoiceId: _, ...loose } = payment;
    expect(await receipt.render(event("payment.succeeded", loose as Payment), ports())).toEqual([]);
    await expect(
      receipt.render(event("payment.succeeded", { ...payment, invoiceId: "inv_gone" }), ports()),
    ).rejects.toThrow("Invoice inv_gone or its merchant is missing");
  });
});
