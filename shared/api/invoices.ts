/** Operations on invoices: drafts, finalize, send, void, uncollectible, manual payments, PDF, views. */
import * as z from "zod";
import { repeatedCodePositions } from "../discount-codes/discount-code.ts";
import { toTenThousandths } from "../domain/money.ts";
import { defineOperation } from "../http/operation.ts";
import {
  amount,
  billedAddress,
  calendarDate,
  currency,
  idOf,
  idParams,
  isoDateTime,
  listQuery,
  metadata,
  page,
  parsesTo,
  paymentTerms,
  percentage,
  viewAndFormat,
} from "./common.ts";
import { invoiceFilters } from "./list-filters.ts";
import { invoiceColumns } from "./csv-columns.ts";
import { payment } from "./payment.ts";
import type { InvoicePatch, NewInvoice } from "../invoices/invoice.ts";
import { lazy } from "../lazy.ts";

/** The largest quantity a line takes (in ten-thousandths it stays far inside the safe integers). */
export const maxQuantity = 1_000_000_000;

/**
 * A quantity: positive, at most 4 decimals, up to `maxQuantity`. The decimals are checked the way the
 * money engine reads them (`toTenThousandths`, exact), not with a float tolerance: above 10⁸ a
 * tolerance of any fixed size rejects valid quantities such as 123456789.1234.
 */
export const quantity = lazy(() =>
  z
    .number()
    .positive()
    .max(maxQuantity)
    .refine((v) => toTenThousandths(v) !== undefined, { message: "must have at most 4 decimals" }),
);

const percentOff = lazy(() => percentage().refine((v) => v > 0, { message: "must be more than 0" }));

const lineDiscount = lazy(() =>
  z.union([z.strictObject({ percentOff: percentOff() }), z.strictObject({ amountOff: amount() })]),
);

const documentDiscount = lazy(() =>
  z.union([
    z.strictObject({ percentOff: percentOff() }),
    z.strictObject({ amountOff: amount() }),
    z.strictObject({ code: z.string().min(1).max(40) }),
  ]),
);

/**
 * At most this many document discounts, so at most this many codes to redeem: it is part of the bound
 * on the finalize transaction (shared/store/invoices.ts). Line discounts take no codes.
 */
export const maxDocumentDiscounts = 5;

/** A document's discounts: each code at most once (a code given twice would be priced and redeemed twice). */
export const documentDiscounts = lazy(() =>
  z
    .array(documentDiscount())
    .max(maxDocumentDiscounts)
    .superRefine((discounts, ctx) => {
      for (const i of repeatedCodePositions(discounts)) {
        ctx.addIssue({ code: "custom", path: [i, "code"], message: "is already applied to this document" });
      }
    }),
);

export const lineItem = lazy(() =>
  z
    .strictObject({
      description: z.string().trim().min(1).max(500).optional(),
      quantity: quantity().default(1),
      unitAmount: amount().optional(),
      productId: idOf("product").optional(),
      discount: lineDiscount().optional(),
      taxRateIds: z.array(idOf("taxRate")).max(5).optional(),
    })
    .refine((l) => l.productId !== undefined || l.unitAmount !== undefined, {
      message: "needs unitAmount or productId",
      path: ["unitAmount"],
    })
    .refine((l) => l.productId !== undefined || l.description !== undefined, {
      message: "is required without a productId",
      path: ["description"],
    }),
);

export const fee = lazy(() =>
  z
    .strictObject({
      description: z.string().trim().min(1).max(200),
      amount: amount().optional(),
      percent: percentOff().optional(),
      taxable: z.boolean().default(false),
    })
    .refine((f) => (f.amount === undefined) !== (f.percent === undefined), {
      message: "needs exactly one of amount or percent",
      path: ["amount"],
    }),
);

const draftFields = lazy(() => ({
  lineItems: z.array(lineItem()).min(1).max(250),
  discounts: documentDiscounts().optional(),
  fees: z.array(fee()).max(10).optional(),
  paymentTerms: paymentTerms().optional(),
  dueDate: calendarDate().optional(),
  memo: z.string().max(2000).optional(),
  footer: z.string().max(2000).optional(),
  metadata: metadata().optional(),
}));

export const newInvoice = lazy(() =>
  parsesTo<NewInvoice>()(
    z
      .strictObject({ customerId: idOf("customer"), currency: currency(), ...draftFields() })
      .refine((i) => !(i.paymentTerms && i.dueDate), {
        message: "give paymentTerms or dueDate, not both",
        path: ["dueDate"],
      }),
  ),
);

export const invoicePatch = lazy(() =>
  parsesTo<InvoicePatch>()(
    z
      .strictObject({
        customerId: idOf("customer").optional(),
        currency: currency().optional(),
        ...draftFields(),
        lineItems: draftFields().lineItems.optional(),
        paymentTerms: paymentTerms().nullable().optional(),
        dueDate: calendarDate().nullable().optional(),
        memo: z.string().max(2000).nullable().optional(),
        footer: z.string().max(2000).nullable().optional(),
        metadata: z.record(z.string().min(1).max(40), z.string().max(500).nullable()).optional(),
      })
      .refine((i) => !(i.paymentTerms && i.dueDate), {
        message: "give paymentTerms or dueDate, not both",
        path: ["dueDate"],
      }),
  ),
);

const money = lazy(() => z.number().int());

/** An invoice's fields that any billed document shares (a quote, an invoice preview): to whom, what, and its money. */
export const documentContent = {
  customerId: true,
  customer: true,
  currency: true,
  lineItems: true,
  discounts: true,
  fees: true,
  subtotal: true,
  discountTotal: true,
  taxTotal: true,
  taxBreakdown: true,
  feeTotal: true,
  total: true,
} as const;

export const invoice = lazy(() =>
  z.object({
    id: z.string(),
    status: z.enum(["draft", "open", "paid", "void", "uncollectible"]),
    number: z.string().optional(),
    customerId: z.string(),
    customer: z.object({
      id: z.string(),
      email: z.string(),
      name: z.string().optional(),
      companyName: z.string().optional(),
      address: billedAddress().optional(),
      locale: z
        .string()
        .optional()
        .describe("The customer's locale when the document was built (absent: the merchant's)"),
    }),
    currency: z.string(),
    lineItems: z.array(
      z.object({
        description: z.string(),
        quantity: z.number(),
        unitAmount: money(),
        productId: z.string().optional(),
        discount: z
          .union([z.object({ percentOff: z.number() }), z.object({ amountOff: money() })])
          .optional()
          .describe("The line's own discount, as given"),
        taxRateIds: z.array(z.string()),
        amountSubtotal: money(),
        amountDiscount: money(),
        amountTax: money(),
        amountTotal: money(),
        period: z
          .object({ start: z.string(), end: z.string() })
          .optional()
          .describe("A subscription invoice's line: the period it bills (ISO instants)"),
        proration: z
          .literal(true)
          .optional()
          .describe("A subscription change's proration: the only line that may be negative (a credit)"),
      }),
    ),
    discounts: z
      .array(
        z.object({
          percentOff: z.number().optional(),
          amountOff: money().optional(),
          code: z.string().optional().describe("The discount code it came from"),
          amount: money().describe("What it took off"),
        }),
      )
      .describe("The document discounts, in the order given"),
    fees: z.array(
      z.object({
        description: z.string(),
        amount: money().optional().describe("A fixed fee…"),
        percent: z.number().optional().describe("…or a percentage of the discounted subtotal"),
        taxable: z.boolean(),
        amountTotal: money(),
      }),
    ),
    subtotal: money(),
    discountTotal: money(),
    taxTotal: money(),
    taxBreakdown: z.array(
      z.object({
        taxRateId: z.string(),
        name: z.string().optional(),
        percentage: z.number(),
        inclusive: z.boolean(),
        taxableAmount: money(),
        amount: money(),
      }),
    ),
    feeTotal: money(),
    total: money(),
    appliedBalance: money().describe(
      "The customer's credit balance applied at finalize (never taxed; 0 on drafts; given back if voided)",
    ),
    amountDue: money().describe(
      "total − appliedBalance: what the customer owes (payments are charged against it)",
    ),
    creditedToBalance: money().describe(
      "What the lines summed below zero, credited to the customer's balance at finalize (the total is then 0)",
    ),
    amountPaid: money(),
    amountRemaining: money(),
    overdue: z.boolean(),
    attemptCount: z
      .number()
      .int()
      .describe("Processor payment attempts so far (automatic charges and retries)"),
    nextPaymentAttemptAt: z
      .string()
      .nullable()
      .describe("When a failed subscription charge is retried next (dunning); null when no retry is planned"),
    paymentTerms: paymentTerms().optional(),
    dueDate: z.string().optional(),
    issuedAt: z.string().optional(),
    sentAt: z.string().optional(),
    paidAt: z.string().optional(),
    voidedAt: z.string().optional(),
    markedUncollectibleAt: z.string().optional(),
    amountWrittenOff: money()
      .optional()
      .describe("What remained when the invoice was marked uncollectible: the ledger's bad debt"),
    hostedUrl: z.string().optional(),
    memo: z.string().optional(),
    footer: z.string().optional(),
    metadata: z.record(z.string(), z.string()),
    subscriptionId: z.string().optional().describe("The subscription whose period this invoice bills"),
    billingReason: z
      .enum(["subscription_cycle", "subscription_update"])
      .optional()
      .describe("A subscription's invoice: a period, or a change invoiced at once"),
    periodStart: z.string().optional().describe("The billed period's start (ISO instant)"),
    periodEnd: z.string().optional().describe("The billed period's end (ISO instant)"),
    testClockId: z.string().optional().describe("The customer's test clock (test mode)"),
    quoteId: z
      .string()
      .optional()
      .describe("An accepted quote's invoice: its one-time amount, or one installment of its payment plan"),
    installment: z
      .object({ number: z.number().int(), of: z.number().int() })
      .optional()
      .describe("The installment of the quote's payment plan this invoice bills (`number` of `of`)"),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const createInvoice = defineOperation({
  id: "createInvoice",
  method: "POST",
  path: "/v1/invoices",
  auth: "merchant",
  tag: "Invoices",
  summary: "Create a draft invoice; totals are computed (line discounts → document discounts → taxes → fees)",
  body: newInvoice,
  response: invoice,
  status: 201,
});

export const listInvoices = defineOperation({
  id: "listInvoices",
  method: "GET",
  path: "/v1/invoices",
  auth: "merchant",
  tag: "Invoices",
  summary:
    "List invoices; filter by status (incl. overdue), number, customer, subscription, currency, due date, total, creation time, or a saved view",
  query: () =>
    listQuery().extend({
      ...invoiceFilters().shape,
      sort: z.enum(["createdAt", "dueDate"]).default("createdAt"),
      ...viewAndFormat(),
    }),
  response: () => page(invoice()),
  csv: invoiceColumns,
  status: 200,
});

const byId = { params: lazy(() => idParams("invoice")), auth: "merchant", tag: "Invoices" } as const;

export const getInvoice = defineOperation({
  ...byId,
  id: "getInvoice",
  method: "GET",
  path: "/v1/invoices/{id}",
  summary: "Get an invoice",
  response: invoice,
  status: 200,
});

export const updateInvoice = defineOperation({
  ...byId,
  id: "updateInvoice",
  method: "PATCH",
  path: "/v1/invoices/{id}",
  summary: "Edit a draft (409 once finalized); totals are recomputed",
  body: invoicePatch,
  response: invoice,
  status: 200,
});

export const deleteInvoice = defineOperation({
  ...byId,
  id: "deleteInvoice",
  method: "DELETE",
  path: "/v1/invoices/{id}",
  summary: "Delete a draft",
  status: 204,
});

const action = (id: string, path: string, summary: string) =>
  defineOperation({
    ...byId,
    id,
    method: "POST",
    path: `/v1/invoices/{id}/${path}`,
    summary,
    response: invoice,
    status: 200,
  });

export const finalizeInvoice = action(
  "finalizeInvoice",
  "finalize",
  "Finalize: assign the next number, issue date, due date and hosted page; content is frozen",
);
export const sendInvoice = action(
  "sendInvoice",
  "send",
  "Email the invoice to the customer with its PDF attached",
);
export const voidInvoice = action("voidInvoice", "void", "Void an open or uncollectible invoice");
export const markInvoiceUncollectible = action(
  "markInvoiceUncollectible",
  "mark-uncollectible",
  "Mark an open invoice uncollectible",
);

export const recordInvoicePayment = defineOperation({
  ...byId,
  id: "recordInvoicePayment",
  method: "POST",
  path: "/v1/invoices/{id}/payments",
  summary:
    "Record a payment made outside the processor; the last one marks the invoice paid (never more than is due)",
  body: () =>
    z.strictObject({
      amount: amount().refine((v) => v > 0, { message: "must be more than 0" }),
      method: z.enum(["bank_transfer", "cash", "check", "other"]),
      paidAt: isoDateTime().optional(),
      reference: z.string().max(200).optional(),
    }),
  response: () => invoice().extend({ payment: payment() }),
  status: 201,
});

export const getInvoicePdf = defineOperation({
  ...byId,
  id: "getInvoicePdf",
  method: "GET",
  path: "/v1/invoices/{id}/pdf",
  summary: "The invoice as a PDF",
  produces: "application/pdf",
  status: 200,
});

export const invoiceOperations = [
  createInvoice,
  listInvoices,
  getInvoice,
  updateInvoice,
  deleteInvoice,
  finalizeInvoice,
  sendInvoice,
  voidInvoice,
  markInvoiceUncollectible,
  recordInvoicePayment,
  getInvoicePdf,
];
