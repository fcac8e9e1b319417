/**
 * A payment's receipt (`GET /v1/payments/{id}/receipt-pdf`): what it gathers — the payment, the
 * invoice it paid, who paid, the refunds so far — and the PDF as a response. The buyer is the paid
 * invoice's customer snapshot (what the invoice was billed to), else the customer record; the
 * receipt reads in their locale, else the merchant's. pdf-lib is loaded on first use, so the
 * payments function's other routes don't pay for it at cold start. A capability of its own: it reads
 * payments, invoices and customers, which `shared/payments/` keeps apart.
 */
import { pdfResponse } from "../documents/response.ts";
import { NotFoundError, StateConflictError } from "../domain/errors.ts";
import type { PageRequest } from "../domain/records.ts";
import type { HttpResponse } from "../http/api.ts";
import type { BilledCustomer, Invoice } from "../invoices/invoice.ts";
import type { InvoiceStore } from "../invoices/ports.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import type { Payment } from "../payments/payment.ts";
import type { PaymentStore } from "../payments/ports.ts";
import type { Refund } from "../payments/refund.ts";
import type { CustomerStore } from "../store/customers.ts";

export interface Receipt {
  payment: Payment;
  merchant: Merchant;
  /** The invoice the payment paid, when it paid one. */
  invoice?: Invoice | undefined;
  /** Who paid; absent when the payment names no invoice and its customer was deleted since. */
  buyer?: BilledCustomer | undefined;
  /** Every refund of the payment so far, newest first (failed ones included: they say so). */
  refunds: Refund[];
}

export interface ReceiptPorts {
  payments: Pick<PaymentStore, "read" | "listRefunds">;
  invoices: Pick<InvoiceStore, "read">;
  customers: Pick<CustomerStore, "read">;
  merchants: Pick<MerchantStore, "readMerchant">;
}

async function refundsOf(ports: ReceiptPorts, merchantId: string, paymentId: string): Promise<Refund[]> {
  const refunds: Refund[] = [];
  let after: PageRequest["after"];
  do {
    const page = await ports.payments.listRefunds(
      merchantId,
      { paymentId },
      { limit: 100, ...(after ? { after } : {}) },
    );
    refunds.push(...page.items);
    after = page.next;
  } while (after);
  return refunds;
}

/**
 * The receipt of the merchant's own payment (another merchant's id is a 404). Only money received
 * has a receipt: a payment still processing or failed is a 409.
 */
export async function paymentReceipt(
  ports: ReceiptPorts,
  merchantId: string,
  paymentId: string,
): Promise<Receipt> {
  const [found, merchant] = await Promise.all([
    ports.payments.read(merchantId, paymentId),
    ports.merchants.readMerchant(merchantId),
  ]);
  if (!found || !merchant) throw new NotFoundError("Payment");
  const payment = found.value;
  if (payment.status === "processing" || payment.status === "failed")
    throw new StateConflictError(`The payment is ${payment.status}: a receipt is made once it has succeeded`);
  const [invoice, refunds] = await Promise.all([
    payment.invoiceId ? ports.invoices.read(merchantId, payment.invoiceId) : undefined,
    refundsOf(ports, merchantId, payment.id),
  ]);
  const buyer =
    invoice?.value.customer ?? (await ports.customers.read(merchantId, payment.customerId))?.value;
  return { payment, merchant: merchant.value, invoice: invoice?.value, buyer, refunds };
}

export async function receiptPdfResponse(receipt: Receipt): Promise<HttpResponse> {
  const { renderReceiptPdf } = await import("./pdf.ts");
  return pdfResponse(await renderReceiptPdf(receipt), `receipt-${receipt.payment.id}.pdf`);
}
