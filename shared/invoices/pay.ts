/**
 * Paying an invoice: the payments' generic charge and checkout on the invoice payable, answered with
 * the invoice as the API shows it and the payment (the response of POST /v1/invoices/{id}/pay).
 */
import { cancelCheckout, charge, checkout } from "../payments/charges.ts";
import { presentPayment } from "../payments/payment.ts";
import type { PaymentPorts } from "../payments/ports.ts";
import type { InvoiceStore, StoredInvoice } from "./ports.ts";
import { presentInvoice } from "./service.ts";

/** What paying an invoice runs on: the payments' ports (with the invoice payable) and the invoice store. */
export interface InvoicePayPorts extends PaymentPorts {
  invoices: Pick<InvoiceStore, "read">;
}

const invoice = (id: string) => ({ kind: "invoice" as const, id });

/** Charges an invoice's amount due to a payment method, with the buyer present. */
export async function payInvoice(
  ports: InvoicePayPorts,
  merchantId: string,
  invoiceId: string,
  paymentMethod: string,
) {
  const charged = await charge(ports, merchantId, invoice(invoiceId), { paymentMethod, offSession: false });
  // The invoice payable's own values. Re-read only when the outcome changed nothing of it here (a
  // report applied it first), so the answer shows the invoice as that left it.
  const held = charged.held as StoredInvoice;
  const after = charged.answered
    ? ((charged.after as StoredInvoice | undefined) ??
      (await ports.invoices.read(merchantId, invoiceId))?.value ??
      held)
    : held;
  return { ...presentInvoice(after, ports.clock.now()), payment: presentPayment(charged.payment) };
}

/** Sends the buyer to the processor's hosted checkout for an invoice. */
export const checkoutInvoice = (
  ports: PaymentPorts,
  merchantId: string,
  invoiceId: string,
  urls: { successUrl: string; cancelUrl: (paymentId: string) => string },
) => checkout(ports, merchantId, invoice(invoiceId), urls);

/** The buyer came back by Checkout's cancel URL (see `cancelCheckout`). */
export const cancelInvoiceCheckout = (
  ports: PaymentPorts,
  merchantId: string,
  invoiceId: string,
  paymentId: string,
) => cancelCheckout(ports, merchantId, invoice(invoiceId), paymentId);
