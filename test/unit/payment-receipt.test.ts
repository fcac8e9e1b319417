/**
 * What a payment's receipt gathers (shared/receipts/receipt.ts): who paid — the paid invoice's
 * customer snapshot, else the customer record — every refund across pages, and nothing for money
 * not received.
 */
import { describe, expect, it } from "vitest";
import type { Customer } from "../../shared/customers/customer.ts";
import { NotFoundError, StateConflictError } from "../../shared/domain/errors.ts";
import type { Invoice } from "../../shared/invoices/invoice.ts";
import type { StoredInvoice } from "../../shared/invoices/ports.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";
import type { Payment } from "../../shared/payments/payment.ts";
import type { Refund } from "../../shared/payments/refund.ts";
import { paymentReceipt, type ReceiptPorts } from "../../shared/receipts/receipt.ts";

const merchantId = "mer_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9";
const merchant = { id: merchantId, name: "Fjord Kaffe AS", locale: "en-US" } as Merchant;
const payment = {
  id: "pay_1",
  status: "succeeded",
  customerId: "cus_1",
  invoiceId: "inv_1",
  amount: 421_875,
  currency: "NOK",
} as Payment;
const invoice = {
  id: "inv_1",
  number: "INV-0042",
  customer: { id: "cus_1", email: "kari@example.test", locale: "nb-NO" },
} as Invoice;
const customer = { id: "cus_1", email: "kari@example.test", name: "Kari", locale: "sv-SE" } as Customer;
const refund = (id: string) => ({ id, paymentId: "pay_1", amount: 100 }) as Refund;

function portsWith(found: { payment?: Payment; invoice?: Invoice; customer?: Customer }) {
  const refundPages: { after?: unknown }[] = [];
  const ports: ReceiptPorts = {
    payments: {
      read: async (m, id) =>
        m === merchantId && id === found.payment?.id ? { value: found.payment, version: 1 } : undefined,
      listRefunds: async (_m, filter, page) => {
        refundPages.push({ after: page.after });
        expect(filter).toEqual({ paymentId: "pay_1" });
        return page.after
          ? { items: [refund("re_3")] }
          : { items: [refund("re_1"), refund("re_2")], next: { PK: "x", SK: "re_2" } };
      },
    },
    invoices: {
      read: async (_m, id) =>
        found.invoice && id === found.invoice.id
          ? { value: found.invoice as StoredInvoice, version: 1 }
          : undefined,
    },
    customers: {
      read: async (_m, id) =>
        found.customer && id === found.customer.id ? { value: found.customer, version: 1 } : undefined,
    },
    merchants: { readMerchant: async () => ({ value: merchant, version: 1 }) },
  };
  return { ports, refundPages };
}

describe("paymentReceipt", () => {
  it("bills the paid invoice's customer snapshot and gathers every page of refunds", async () => {
    const { ports, refundPages } = portsWith({ payment, invoice, customer });

    const receipt = await paymentReceipt(ports, merchantId, "pay_1");

    expect(receipt.buyer).toBe(invoice.customer);
    expect(receipt.invoice).toBe(invoice);
    expect(receipt.refunds.map((r) => r.id)).toEqual(["re_1", "re_2", "re_3"]);
    expect(refundPages).toEqual([{ after: undefined }, { after: { PK: "x", SK: "re_2" } }]);
  });

  it("falls back to the customer record when the payment names no invoice, and to no buyer when that is gone", async () => {
    const { invoiceId: _, ...withoutInvoice } = payment;

    expect(
      (
        await paymentReceipt(
          portsWith({ payment: withoutInvoice as Payment, customer }).ports,
          merchantId,
          "pay_1",
        )
      ).buyer,
    ).toBe(customer);
    expect(
      (await paymentReceipt(portsWith({ payment: withoutInvoice as Payment }).ports, merchantId, "pay_1"))
        .buyer,
    ).toBeUndefined();
  });

  it.each(["processing", "failed"] as const)(
    "refuses a %s payment with a conflict, and another merchant's with not found",
    async (status) => {
      const { ports } = portsWith({ payment: { ...payment, status }, invoice });

      await expect(paymentReceipt(ports, merchantId, "pay_1")).rejects.toBeInstanceOf(StateConflictError);
      await expect(paymentReceipt(ports, "mer_other", "pay_1")).rejects.toBeInstanceOf(NotFoundError);
    },
  );
});
