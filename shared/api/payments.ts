/** Operations on payments, refunds, the processor connection and the Stripe webhook endpoint. */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { amount, idParams, listQuery, page, viewAndFormat } from "./common.ts";
import { paymentFilters, refundFilters } from "./list-filters.ts";
import { paymentColumns, refundColumns } from "./csv-columns.ts";
import { invoice } from "./invoices.ts";
import { payment } from "./payment.ts";
import { lazy } from "../lazy.ts";

export { payment };

const money = lazy(() => z.number().int());

export const refund = lazy(() =>
  z.object({
    id: z.string(),
    paymentId: z.string(),
    invoiceId: z.string().optional(),
    customerId: z.string(),
    amount: money(),
    currency: z.string(),
    livemode: z.boolean().describe("The refunded payment's livemode"),
    reason: z.string().optional(),
    status: z.enum(["pending", "succeeded", "failed"]),
    processorRefundId: z.string().optional().describe("The processor's refund (Stripe: re_…)"),
    checks: z
      .number()
      .int()
      .optional()
      .meta({ deprecated: true })
      .describe("Internal bookkeeping (checks of a pending refund at the processor); do not rely on it"),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const payInvoice = defineOperation({
  id: "payInvoice",
  method: "POST",
  path: "/v1/invoices/{id}/pay",
  auth: "merchant",
  tag: "Payments",
  summary:
    "Charge the invoice's amount due to a payment method (sandbox: pm_card_visa, pm_card_chargeDeclined, …); 202 while the payment is processing (outcome not known yet), 402 with declineCode when declined",
  params: () => idParams("invoice"),
  body: () => z.strictObject({ paymentMethod: z.string().trim().min(3).max(100) }),
  response: () => invoice().extend({ payment: payment() }),
  status: 200,
  otherResponses: {
    202: {
      description: "Accepted: the payment is processing (e.g. a bank debit); its outcome arrives as events",
      content: ["success"],
    },
    402: {
      description:
        "Payment declined: the problem carries the processor's `declineCode` and the failed `paymentId`",
      content: ["problem"],
    },
  },
});

export const listPayments = defineOperation({
  id: "listPayments",
  method: "GET",
  path: "/v1/payments",
  auth: "merchant",
  tag: "Payments",
  summary:
    "List payments, newest first; filter by status, customer, invoice, amount range, creation time or a saved view",
  query: () => listQuery().extend({ ...paymentFilters().shape, ...viewAndFormat() }),
  response: () => page(payment()),
  csv: paymentColumns,
  status: 200,
});

export const getPayment = defineOperation({
  id: "getPayment",
  method: "GET",
  path: "/v1/payments/{id}",
  auth: "merchant",
  tag: "Payments",
  summary: "Get a payment with its history",
  params: () => idParams("payment"),
  response: payment,
  status: 200,
});

export const getPaymentReceiptPdf = defineOperation({
  id: "getPaymentReceiptPdf",
  method: "GET",
  path: "/v1/payments/{id}/receipt-pdf",
  auth: "merchant",
  tag: "Payments",
  summary:
    "The payment's receipt as a PDF, in the buyer's locale: amount and date paid, method, the invoice it paid, refunds so far; 409 while the payment is processing or after it failed",
  params: () => idParams("payment"),
  produces: "application/pdf",
  status: 200,
  otherResponses: {
    409: { description: "The payment is processing or failed: no money was received", content: ["problem"] },
  },
});

export const createRefund = defineOperation({
  id: "createRefund",
  method: "POST",
  path: "/v1/payments/{id}/refunds",
  auth: "merchant",
  tag: "Refunds",
  summary: "Refund all or part of a payment (never more than remains refundable)",
  params: () => idParams("payment"),
  body: () =>
    z.strictObject({
      amount: amount()
        .refine((v) => v > 0, { message: "must be more than 0" })
        .optional(),
      reason: z.enum(["duplicate", "fraudulent", "requested_by_customer"]).optional(),
    }),
  response: refund,
  status: 201,
});

export const listRefunds = defineOperation({
  id: "listRefunds",
  method: "GET",
  path: "/v1/refunds",
  auth: "merchant",
  tag: "Refunds",
  summary: "List refunds, newest first; filter by payment, creation time or a saved view; CSV on request",
  query: () => listQuery().extend({ ...refundFilters().shape, ...viewAndFormat() }),
  response: () => page(refund()),
  csv: refundColumns,
  status: 200,
});

export const getRefund = defineOperation({
  id: "getRefund",
  method: "GET",
  path: "/v1/refunds/{id}",
  auth: "merchant",
  tag: "Refunds",
  summary: "Get a refund",
  params: () => idParams("refund"),
  response: refund,
  status: 200,
});

export const connectStripe = defineOperation({
  id: "connectStripe",
  method: "POST",
  path: "/v1/processor/stripe/connect",
  auth: "merchant",
  tag: "Processor",
  summary:
    "Start connecting your Stripe account: answers the Stripe onboarding link; the account.updated webhook completes it",
  body: () =>
    z.strictObject({
      returnUrl: z
        .url({ protocol: /^https?$/ })
        .max(2048)
        .optional(),
      refreshUrl: z
        .url({ protocol: /^https?$/ })
        .max(2048)
        .optional(),
    }),
  response: () => z.object({ accountId: z.string(), url: z.string() }),
  status: 200,
});

export const paymentOperations = [
  payInvoice,
  listPayments,
  getPayment,
  getPaymentReceiptPdf,
  createRefund,
  listRefunds,
  getRefund,
];
