/**
 * The buyer's invoice page (public: reached by the unguessable hostedUrl), apart from the merchant's
 * invoice operations so the hosted function builds only its own schemas.
 */
import * as z from "zod";
import { defineOperation, type OperationSpec } from "../http/operation.ts";
import { hostedParams, idOf } from "./common.ts";

/** Back to the invoice page: nothing to pay, paid, or on to the processor's Checkout. */
const seeOther = {
  description:
    "See other: `Location` is the invoice page (paid, or nothing left to pay) or the processor's Checkout",
  content: ["none"],
  headers: { Location: "Where to go next" },
} as const;

export const hostedInvoicePage = defineOperation({
  id: "getHostedInvoicePage",
  method: "GET",
  path: "/i/{token}",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "The buyer's invoice page (public, unguessable URL); `?canceled={paymentId}` is Stripe Checkout's cancel URL: it expires that attempt's session",
  params: hostedParams,
  query: () => z.object({ canceled: idOf("payment").optional() }),
  produces: "text/html",
  status: 200,
});

export const hostedInvoicePdf = defineOperation({
  id: "getHostedInvoicePdf",
  method: "GET",
  path: "/i/{token}/pdf",
  auth: "public",
  tag: "Hosted pages",
  summary: "The buyer's invoice PDF",
  params: hostedParams,
  produces: "application/pdf",
  status: 200,
});

/** Also the quote's pay page (hosted-quotes.ts), on its own path. */
export const invoicePayFormSpec = {
  id: "getHostedInvoicePayForm",
  method: "GET",
  path: "/i/{token}/pay",
  auth: "public",
  tag: "Hosted pages",
  summary: "The pay page: the sandbox's card form, or the button to Stripe Checkout (it starts nothing)",
  params: hostedParams,
  produces: "text/html",
  status: 200,
  otherResponses: {
    303: seeOther,
    409: { description: "The merchant has no payment processor", content: ["problem"] },
    429: {
      description:
        "the pay page, saying so, after 10 declined cards on this invoice within the hour: `Retry-After` says when the window ends",
      content: ["text/html"],
    },
  },
} as const satisfies OperationSpec;

export const hostedInvoicePayForm = defineOperation(invoicePayFormSpec);

/** Also the quote's pay submission (hosted-quotes.ts), on its own path. */
export const invoicePaySpec = {
  id: "submitHostedInvoicePayment",
  method: "POST",
  path: "/i/{token}/pay",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "Starts a payment (form-encoded `formToken`, and `card` in the sandbox): 303 to the invoice when paid, or to Stripe Checkout; 409 while another attempt is in flight",
  params: hostedParams,
  rawBody: {
    contentType: "application/x-www-form-urlencoded",
    schema: () =>
      z.object({
        formToken: z.string().describe("The pay page's form token (it expires)"),
        card: z.string().optional().describe("Sandbox only: a test card number or pm_… test method"),
      }),
  },
  produces: "text/html",
  status: 200,
  maxBodyBytes: 8 * 1024,
  otherResponses: {
    303: seeOther,
    400: { description: "the pay page again: no card number entered", content: ["text/html"] },
    402: { description: "The pay page again: the card was declined", content: ["text/html"] },
    403: { description: "The pay page again: the form expired", content: ["text/html"] },
    409: {
      description:
        "the pay page again while another attempt is in flight (a problem document when the merchant has no processor)",
      content: ["text/html"],
    },
    429: {
      description:
        "the pay page again after 10 declined cards on this invoice within the hour: `Retry-After` says when the window ends",
      content: ["text/html"],
    },
  },
} as const satisfies OperationSpec;

export const hostedInvoicePay = defineOperation(invoicePaySpec);

export const hostedInvoiceOperations = [
  hostedInvoicePage,
  hostedInvoicePdf,
  hostedInvoicePayForm,
  hostedInvoicePay,
];
