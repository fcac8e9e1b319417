/** Payments: charge an invoice, list and read payments and their receipts, refund them. */
import * as ops from "../../shared/api/payments.ts";
import {
  invoicePayPorts,
  paymentClock,
  paymentListPorts,
  paymentPorts,
  receiptPorts,
} from "../../shared/composition.ts";
import { NotFoundError } from "../../shared/domain/errors.ts";
import { apiHandler, HttpResponse, route } from "../../shared/http/api.ts";
import { listResponse } from "../../shared/http/list.ts";
import { listPayments, listRefunds } from "../../shared/payments/list.ts";
import { payInvoice } from "../../shared/invoices/pay.ts";
import { presentPayment } from "../../shared/payments/payment.ts";
import { refundPayment } from "../../shared/payments/refunds.ts";
import { paymentReceipt, receiptPdfResponse } from "../../shared/receipts/receipt.ts";

export const handler = apiHandler([
  route(ops.payInvoice, async ({ principal, clock, params, body }) => {
    const ports = await invoicePayPorts(clock, principal.merchantId, params.id);
    const paid = await payInvoice(ports, principal.merchantId, params.id, body.paymentMethod);
    // Accepted, not done: a bank debit settling, or a charge the processor has not answered yet.
    return paid.payment.status === "processing" ? new HttpResponse(202, paid) : paid;
  }),
  route(ops.listPayments, (request) =>
    listResponse(request, async (filters, page) => {
      const found = await listPayments(paymentListPorts(), request.principal.merchantId, filters, page);
      return { ...found, items: found.items.map(presentPayment) };
    }),
  ),
  route(ops.getPayment, async ({ principal, params }) => {
    const found = await paymentListPorts().payments.read(principal.merchantId, params.id);
    if (!found) throw new NotFoundError("Payment");
    return presentPayment(found.value);
  }),
  route(ops.getPaymentReceiptPdf, async ({ principal, params }) =>
    receiptPdfResponse(await paymentReceipt(receiptPorts(), principal.merchantId, params.id)),
  ),
  route(ops.createRefund, async ({ principal, clock, params, body }) =>
    refundPayment(
      paymentPorts(await paymentClock(clock, principal.merchantId, params.id)),
      principal.merchantId,
      params.id,
      body,
    ),
  ),
  route(ops.listRefunds, (request) =>
    listResponse(request, (filters, page) =>
      listRefunds(paymentListPorts(), request.principal.merchantId, filters, page),
    ),
  ),
  route(ops.getRefund, async ({ principal, params }) => {
    const found = await paymentListPorts().payments.readRefund(principal.merchantId, params.id);
    if (!found) throw new NotFoundError("Refund");
    return found.value;
  }),
]);
