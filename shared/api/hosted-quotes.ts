/**
 * The buyer's quote page (public: reached by the unguessable hostedUrl) and its countersigners',
 * apart from the merchant's quote operations so the hosted function builds only its own schemas.
 */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { hostedParams, idOf } from "./common.ts";
import { invoicePayFormSpec, invoicePaySpec } from "./hosted-invoices.ts";
import { lazy } from "../lazy.ts";

const seeOther = {
  description: "See other: `Location` is the page again, saying what happened",
  content: ["none"],
  headers: { Location: "Where to go next" },
} as const;

const htmlPage = { auth: "public", tag: "Hosted pages", produces: "text/html", status: 200 } as const;

/** A countersigner's link: the quote's token and their own. */
const countersignParams = lazy(() =>
  hostedParams().extend({
    signerToken: z.string().regex(/^[A-Za-z0-9_-]{32}$/, "is not a countersigner token"),
  }),
);

const signBody = {
  contentType: "application/x-www-form-urlencoded",
  schema: () =>
    z.object({
      formToken: z.string().describe("The page's form token (it expires)"),
      name: z.string().describe("The signer's full name, typed"),
      consent: z
        .enum(["yes"])
        .optional()
        .describe(
          "The box agreeing the typed name is an electronic signature (not asked when only accepting)",
        ),
      contentHash: z.string().describe("The contentHash of the quote the page showed"),
    }),
} as const;

const signResponses = {
  303: seeOther,
  400: { description: "The page again: no name, or the consent box unticked", content: ["text/html"] },
  403: { description: "The page again: the form expired", content: ["text/html"] },
  409: {
    description:
      "the page again, nothing written: the quote changed since the page was shown (contentHash), or is no longer open",
    content: ["text/html"],
  },
} as const;

const done = lazy(() =>
  z.object({ done: z.enum(["signed", "accepted", "declined", "countersigned"]).optional() }),
);
/** The buyer's page also says the first invoice was paid, or closes the Checkout session its cancel URL names. */
const buyerPageQuery = lazy(() =>
  done().extend({
    paid: z.literal("1").optional(),
    canceled: idOf("payment").optional(),
  }),
);

export const hostedQuotePage = defineOperation({
  ...htmlPage,
  id: "getHostedQuotePage",
  method: "GET",
  path: "/q/{token}",
  summary:
    "The buyer's quote page: the quote, its PDF, and forms to sign (or accept) and to decline; once accepted, paying its first invoice; `?done=` says what the last form did, `?paid=1` that the payment went through, `?canceled={paymentId}` is Stripe Checkout's cancel URL",
  params: hostedParams,
  query: buyerPageQuery,
});

export const hostedQuotePdf = defineOperation({
  id: "getHostedQuotePdf",
  method: "GET",
  path: "/q/{token}/pdf",
  auth: "public",
  tag: "Hosted pages",
  summary: "The quote's PDF as stored at publish, byte for byte (its SHA-256 is contentHash)",
  params: hostedParams,
  produces: "application/pdf",
  status: 200,
});

export const hostedQuoteSignedPdf = defineOperation({
  id: "getHostedQuoteSignedPdf",
  method: "GET",
  path: "/q/{token}/signed-pdf",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "The accepted quote's signed PDF: its published pages and the audit trail (409 until the quote is accepted)",
  params: hostedParams,
  produces: "application/pdf",
  status: 200,
  otherResponses: {
    409: { description: "The quote is not accepted (yet)", content: ["problem"] },
  },
});

export const hostedQuoteSign = defineOperation({
  ...htmlPage,
  id: "signHostedQuote",
  method: "POST",
  path: "/q/{token}/sign",
  summary:
    "The buyer signs (or, without requireSignature, accepts) the open quote: its signature recorded with name, email, time, IP, user agent and contentHash; accepted at once without countersigners",
  params: hostedParams,
  rawBody: signBody,
  maxBodyBytes: 8 * 1024,
  otherResponses: signResponses,
});

export const hostedQuoteDecline = defineOperation({
  ...htmlPage,
  id: "declineHostedQuote",
  method: "POST",
  path: "/q/{token}/decline",
  summary: "The buyer declines the open quote, with an optional reason",
  params: hostedParams,
  rawBody: {
    contentType: "application/x-www-form-urlencoded",
    schema: () =>
      z.object({
        formToken: z.string().describe("The page's form token (it expires)"),
        reason: z.string().optional().describe("Why, in the buyer's words (at most 1000 characters)"),
      }),
  },
  maxBodyBytes: 8 * 1024,
  otherResponses: {
    303: seeOther,
    400: { description: "The page again: the reason is too long", content: ["text/html"] },
    403: { description: "The page again: the form expired", content: ["text/html"] },
    409: { description: "The page again: the quote is no longer open", content: ["text/html"] },
  },
});

export const hostedQuoteCountersignPage = defineOperation({
  ...htmlPage,
  id: "getHostedQuoteCountersignPage",
  method: "GET",
  path: "/q/{token}/countersign/{signerToken}",
  summary:
    "A countersigner's page (their own link, mailed once the buyer signed): the quote and a countersign form",
  params: countersignParams,
  query: done,
});

export const hostedQuoteCountersign = defineOperation({
  ...htmlPage,
  id: "countersignHostedQuote",
  method: "POST",
  path: "/q/{token}/countersign/{signerToken}",
  summary: "A countersigner signs the quote the buyer signed; the last signature accepts it",
  params: countersignParams,
  rawBody: signBody,
  maxBodyBytes: 8 * 1024,
  otherResponses: signResponses,
});

export const hostedQuotePayForm = defineOperation({
  ...invoicePayFormSpec,
  id: "getHostedQuotePayForm",
  path: "/q/{token}/pay",
  summary:
    "An accepted quote's pay page for its first invoice (installment 1, or the one-time amount): the sandbox's card form, or the button to Stripe Checkout (it starts nothing)",
});

export const hostedQuotePay = defineOperation({
  ...invoicePaySpec,
  id: "submitHostedQuotePayment",
  path: "/q/{token}/pay",
  summary:
    "Pays an accepted quote's first invoice (form-encoded `formToken`, and `card` in the sandbox): 303 to the quote page when paid (the card saved when more installments or a subscription follow), or to Stripe Checkout",
});

export const hostedQuoteOperations = [
  hostedQuotePayForm,
  hostedQuotePay,
  hostedQuotePage,
  hostedQuotePdf,
  hostedQuoteSignedPdf,
  hostedQuoteSign,
  hostedQuoteDecline,
  hostedQuoteCountersignPage,
  hostedQuoteCountersign,
];
