/** Operations on quotes: drafts, publish (number, frozen PDF, hosted page), revise, cancel, accept, PDF. */
import * as z from "zod";
import { quoteStatuses } from "../domain/quote-lifecycle.ts";
import { defineOperation } from "../http/operation.ts";
import type { NewQuote, QuotePatch } from "../quotes/quote.ts";
import {
  amount,
  calendarDate,
  currency,
  email,
  idOf,
  idParams,
  isoDateTime,
  listQuery,
  metadata,
  page,
  parsesTo,
  viewAndFormat,
} from "./common.ts";
import { quoteFilters } from "./list-filters.ts";
import { quoteColumns } from "./csv-columns.ts";
import { quoteTemplate } from "./quote-templates.ts";
import { documentContent, documentDiscounts, fee, invoice, lineItem } from "./invoices.ts";
import { lazy } from "../lazy.ts";

const countersigner = lazy(() => z.strictObject({ name: z.string().trim().min(1).max(200), email: email() }));

/** A percent of the one-time total, 0 < p ≤ 100, at most 2 decimals. */
const planPercent = lazy(() =>
  z
    .number()
    .positive()
    .max(100)
    .refine((v) => Math.abs(Math.round(v * 100) - v * 100) < 1e-6, {
      message: "must have at most 2 decimals",
    }),
);

const dueAfterDays = lazy(() => z.number().int().min(0).max(3650));

/**
 * The plan's shape (its sums against the quote's total are the plan module's: shared/quotes/plan.ts):
 * 2–12 installments all of one kind, the first due at acceptance, the others strictly later.
 */
const paymentPlan = lazy(() =>
  z
    .strictObject({
      installments: z
        .array(
          z.union([
            z.strictObject({ percent: planPercent(), dueAfterDays: dueAfterDays() }),
            z.strictObject({
              amount: amount().refine((v) => v >= 1, { message: "must be at least 1 minor unit" }),
              dueAfterDays: dueAfterDays(),
            }),
          ]),
        )
        .min(2)
        .max(12)
        .superRefine((installments, ctx) => {
          const kind = (i: object) => ("percent" in i ? "percent" : "amount");
          installments.forEach((installment, i) => {
            const first = installments[0];
            if (first && kind(installment) !== kind(first))
              ctx.addIssue({
                code: "custom",
                path: [i],
                message: `must be a ${kind(first)} like the first installment`,
              });
            const before = installments[i - 1];
            if (i === 0 && installment.dueAfterDays !== 0)
              ctx.addIssue({
                code: "custom",
                path: [i, "dueAfterDays"],
                message: "must be 0: the first installment is due at acceptance",
              });
            if (before && installment.dueAfterDays <= before.dueAfterDays)
              ctx.addIssue({
                code: "custom",
                path: [i, "dueAfterDays"],
                message: "must be later than the installment before",
              });
          });
        }),
      collection: z.enum(["charge_automatically", "send_invoice"]).default("charge_automatically"),
    })
    .describe("Installments of the one-time total; their amounts are worked out when the plan module lands"),
);

const text = (max: number) => z.string().trim().min(1).max(max);

const quoteFields = lazy(() => ({
  lineItems: z.array(lineItem()).min(1).max(250),
  discounts: documentDiscounts().optional(),
  fees: z.array(fee()).max(10).optional(),
  expiresAt: isoDateTime().optional().describe("Default: 30 days after creation, on the customer's clock"),
  title: text(200).optional(),
  terms: text(5_000).optional(),
  comments: text(2_000).optional(),
  requireSignature: z.boolean().optional().describe("Default true"),
  countersigners: z.array(countersigner()).max(3).optional().describe("The merchant's signers (0–3)"),
  collectPayment: z.boolean().optional().describe("Default true"),
  paymentPlan: paymentPlan().optional(),
  subscriptionStartDate: calendarDate().optional(),
  templateId: idOf("quoteTemplate")
    .optional()
    .describe(
      "One of the merchant's quote templates (default: its default template), frozen onto the quote at publish",
    ),
  metadata: metadata().optional(),
}));

export const newQuote = lazy(() =>
  parsesTo<NewQuote>()(
    z.strictObject({ customerId: idOf("customer"), currency: currency(), ...quoteFields() }),
  ),
);

export const quotePatch = lazy(() =>
  parsesTo<QuotePatch>()(
    z.strictObject({
      customerId: idOf("customer").optional(),
      currency: currency().optional(),
      ...quoteFields(),
      lineItems: quoteFields().lineItems.optional(),
      title: text(200).nullable().optional(),
      terms: text(5_000).nullable().optional(),
      comments: text(2_000).nullable().optional(),
      paymentPlan: paymentPlan().nullable().optional(),
      subscriptionStartDate: calendarDate().nullable().optional(),
      templateId: idOf("quoteTemplate")
        .nullable()
        .optional()
        .describe("null: the merchant's default at publish"),
      metadata: z.record(z.string().min(1).max(40), z.string().max(500).nullable()).optional(),
    }),
  ),
);

const planStatuses = ["pending", "active", "past_due", "paid"] as const;
const installmentStatuses = ["upcoming", "open", "paid", "past_due"] as const;

export const quote = lazy(() =>
  invoice()
    .pick({
      ...documentContent,
      creditedToBalance: true,
      metadata: true,
      testClockId: true,
      createdAt: true,
      updatedAt: true,
    })
    .extend({
      id: z.string(),
      status: z.enum(quoteStatuses),
      number: z.string().optional().describe("Set at publish: Q-0001; a revision Q-0001-2, Q-0001-3, …"),
      recurringInterval: z
        .enum(["month", "quarter", "half_year", "year"])
        .optional()
        .describe("The recurring lines' one interval"),
      upfrontTotal: z
        .number()
        .int()
        .describe(
          "The one-time lines' and fees' total (discounts and taxes included): what a payment plan splits",
        ),
      recurringTotal: z.number().int().describe("The recurring lines' total for one period, as quoted"),
      title: z.string().optional(),
      terms: z.string().optional(),
      comments: z.string().optional(),
      requireSignature: z.boolean(),
      countersigners: z.array(z.object({ name: z.string(), email: z.string() })),
      collectPayment: z.boolean(),
      paymentPlan: z
        .object({
          installments: z.array(
            z.object({
              percent: z.number().optional(),
              amount: z
                .number()
                .int()
                .optional()
                .describe("Each rounded half away from zero; the last is the total minus the others"),
              tax: z
                .number()
                .int()
                .optional()
                .describe("Its share of the one-time tax, by largest remainder"),
              dueAfterDays: z.number().int(),
              invoiceId: z.string().optional().describe("Its invoice, once issued (after acceptance)"),
              dueDate: z
                .string()
                .optional()
                .describe("YYYY-MM-DD: the acceptance's local day + dueAfterDays (set at acceptance)"),
              status: z
                .enum(installmentStatuses)
                .optional()
                .describe(
                  "After acceptance: upcoming, open (invoiced), paid, or past_due (its last retry failed)",
                ),
            }),
          ),
          collection: z.enum(["charge_automatically", "send_invoice"]).optional(),
          status: z
            .enum(planStatuses)
            .optional()
            .describe(
              "After acceptance: pending until installment 1 is paid, active while later ones are due, past_due while one stays open after its last retry, paid when all are",
            ),
        })
        .optional(),
      invoiceId: z
        .string()
        .optional()
        .describe("The acceptance's first invoice: installment 1 of the plan, else the one-time amount"),
      subscriptionStartDate: z.string().optional(),
      expiresAt: z.string(),
      revisionOf: z.string().optional().describe("The open quote this revision supersedes when published"),
      supersededBy: z.string().optional(),
      contentHash: z.string().optional().describe("SHA-256 (hex) of the PDF rendered at publish: GET …/pdf"),
      hostedUrl: z.string().optional(),
      templateId: z
        .string()
        .optional()
        .describe(
          "The quote template it is (or was) published with; a deleted one's drafts get the default at publish",
        ),
      template: quoteTemplate()
        .pick({
          id: true,
          name: true,
          sections: true,
          headerText: true,
          footerText: true,
          accentColor: true,
          logoUrl: true,
        })
        .optional()
        .describe("The template as it was at publish: what the quote's page and PDF follow"),
      publishedAt: z.string().optional(),
      acceptedAt: z.string().optional(),
      acceptance: z
        .object({
          name: z.string(),
          email: z.string().optional(),
          acceptedAt: z.string(),
          method: z.literal("offline"),
          recordedAt: z.string(),
        })
        .optional()
        .describe("An acceptance made outside Kassa, as the merchant recorded it"),
      canceledAt: z.string().optional(),
      expiredAt: z.string().optional(),
      signatures: z
        .array(
          z.object({
            name: z.string().describe("The name the signer typed"),
            email: z.string().describe("The buyer's (the quote customer's) or the countersigner's email"),
            role: z.enum(["buyer", "countersigner"]),
            signedAt: z.string(),
            ip: z.string(),
            userAgent: z.string(),
            contentHash: z.string().describe("The contentHash of the quote the page showed: the quote's own"),
          }),
        )
        .optional()
        .describe(
          "Signatures (or the buyer's acceptance) given on the quote's page: a simple electronic signature",
        ),
      declinedAt: z.string().optional(),
      declineReason: z.string().optional(),
      subscriptionId: z
        .string()
        .optional()
        .describe("The subscription its recurring lines started, once accepted"),
    }),
);

export const createQuote = defineOperation({
  id: "createQuote",
  method: "POST",
  path: "/v1/quotes",
  auth: "merchant",
  tag: "Quotes",
  summary: "Create a draft quote, priced like an invoice of the same lines",
  body: newQuote,
  response: quote,
  status: 201,
});

export const listQuotes = defineOperation({
  id: "listQuotes",
  method: "GET",
  path: "/v1/quotes",
  auth: "merchant",
  tag: "Quotes",
  summary: "List quotes, newest first; filter by status, number, customer, creation time, or a saved view",
  query: () => listQuery().extend({ ...quoteFilters().shape, ...viewAndFormat() }),
  csv: quoteColumns,
  response: () => page(quote()),
  status: 200,
});

const byId = { params: lazy(() => idParams("quote")), auth: "merchant", tag: "Quotes" } as const;

export const getQuote = defineOperation({
  ...byId,
  id: "getQuote",
  method: "GET",
  path: "/v1/quotes/{id}",
  summary: "Get a quote",
  response: quote,
  status: 200,
});

export const updateQuote = defineOperation({
  ...byId,
  id: "updateQuote",
  method: "PATCH",
  path: "/v1/quotes/{id}",
  summary: "Edit a draft (409 once published); totals are recomputed",
  body: quotePatch,
  response: quote,
  status: 200,
});

export const deleteQuote = defineOperation({
  ...byId,
  id: "deleteQuote",
  method: "DELETE",
  path: "/v1/quotes/{id}",
  summary: "Delete a draft",
  status: 204,
});

const action = (id: string, path: string, summary: string) =>
  defineOperation({
    ...byId,
    id,
    method: "POST",
    path: `/v1/quotes/{id}/${path}`,
    summary,
    response: quote,
    status: 200,
  });

export const publishQuote = action(
  "publishQuote",
  "publish",
  "Publish a draft: its number, the PDF rendered once (contentHash = its SHA-256), the hosted page; a revision supersedes the quote it revises (409 if that one is no longer open)",
);
export const cancelQuote = action("cancelQuote", "cancel", "Cancel an open quote");
export const reviseQuote = defineOperation({
  ...byId,
  id: "reviseQuote",
  method: "POST",
  path: "/v1/quotes/{id}/revise",
  summary: "A new draft revising an open quote, numbered on publish as its next revision (Q-0001-2, …)",
  response: quote,
  status: 201,
});

export const acceptQuote = defineOperation({
  ...byId,
  id: "acceptQuote",
  method: "POST",
  path: "/v1/quotes/{id}/accept",
  summary: "Record an acceptance made outside Kassa (on paper): who accepted, and when",
  body: () =>
    z.strictObject({
      name: z.string().trim().min(1).max(200),
      email: email().optional(),
      acceptedAt: isoDateTime().optional().describe("Default: now; never in the future"),
    }),
  response: quote,
  status: 200,
});

export const getQuotePdf = defineOperation({
  ...byId,
  id: "getQuotePdf",
  method: "GET",
  path: "/v1/quotes/{id}/pdf",
  summary:
    "The PDF rendered when the quote was published, byte for byte (its SHA-256 is contentHash; 409 for a draft)",
  produces: "application/pdf",
  status: 200,
  otherResponses: {
    409: { description: "A draft: it has no PDF until it is published", content: ["problem"] },
  },
});

export const getQuoteSignedPdf = defineOperation({
  ...byId,
  id: "getQuoteSignedPdf",
  method: "GET",
  path: "/v1/quotes/{id}/signed-pdf",
  summary:
    "An accepted quote's signed PDF: the published PDF's pages, then an audit-trail page (each event's UTC time, actor, IP, user agent and the contentHash signed; the original's SHA-256). 409 before acceptance",
  produces: "application/pdf",
  status: 200,
  otherResponses: {
    409: {
      description: "The quote is not accepted (yet): its signed PDF is made at acceptance",
      content: ["problem"],
    },
  },
});

export const quoteOperations = [
  createQuote,
  listQuotes,
  getQuote,
  updateQuote,
  deleteQuote,
  publishQuote,
  reviseQuote,
  cancelQuote,
  acceptQuote,
  getQuotePdf,
  getQuoteSignedPdf,
];
