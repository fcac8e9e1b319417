/** Operations on subscriptions: a customer billed for the same items every period (issue 11). */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import type { NewSubscription, SubscriptionPatch } from "../subscriptions/subscription.ts";
import {
  amount,
  currency,
  idOf,
  idParams,
  listQuery,
  metadata,
  page,
  parsesTo,
  paymentTerms,
  viewAndFormat,
} from "./common.ts";
import { subscriptionFilters, subscriptionStatuses as statuses } from "./list-filters.ts";
import { subscriptionColumns } from "./csv-columns.ts";
import { documentContent, documentDiscounts, invoice, quantity } from "./invoices.ts";
import { intervals } from "./products.ts";
import { lazy } from "../lazy.ts";

const collectionMethod = lazy(() => z.enum(["charge_automatically", "send_invoice"]));

/**
 * A product's price or an ad-hoc one, never both; `required` (the words saying when): an ad-hoc
 * price needs its description and amount.
 */
function checkPrice(
  i: { productId?: string | undefined; description?: string | undefined; unitAmount?: number | undefined },
  ctx: z.RefinementCtx,
  required: string | undefined,
) {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (i.productId !== undefined) {
    if (i.description !== undefined) issue("description", "must not be given with productId");
    if (i.unitAmount !== undefined)
      issue("unitAmount", "must not be given with productId (the product's price is used)");
    return;
  }
  if (!required) return;
  if (i.description === undefined) issue("description", `is required ${required}`);
  if (i.unitAmount === undefined) issue("unitAmount", `is required ${required}`);
}

/** A recurring product (its price copied at creation), or an ad-hoc price with its description. */
const item = lazy(() =>
  z
    .strictObject({
      productId: idOf("product").optional().describe("A recurring product: its price is copied"),
      description: z.string().trim().min(1).max(500).optional().describe("An ad-hoc price's text"),
      unitAmount: amount().optional().describe("An ad-hoc price, in the currency's minor unit"),
      quantity: quantity().default(1),
    })
    .superRefine((i, ctx) => checkPrice(i, ctx, "without a productId")),
);

export const newSubscription = lazy(() =>
  parsesTo<NewSubscription>()(
    z.strictObject({
      customerId: idOf("customer"),
      items: z.array(item()).min(1).max(20).describe("1–20 items, all in one currency and one interval"),
      currency: currency().optional().describe("Required only when no item is a product"),
      interval: z.enum(intervals).optional().describe("Required only when no item is a product"),
      startDate: z.iso
        .date("must be a date like 2026-12-31")
        .optional()
        .describe(
          "A day in the merchant's time zone, not in the past; default today (on the customer's clock)",
        ),
      billingAnchorDay: z
        .number()
        .int("must be a whole day of the month")
        .min(1)
        .max(31)
        .optional()
        .describe(
          "Day of the month periods start on (clamped in short months); default the start date's day",
        ),
      collectionMethod: collectionMethod().default("charge_automatically"),
      defaultPaymentMethodId: idOf("paymentMethod")
        .optional()
        .describe(
          "One of the customer's saved methods; absent: the customer's default at the time of each charge",
        ),
      paymentTerms: paymentTerms().optional().describe("send_invoice only; default the merchant's"),
      billingCycles: z
        .number()
        .int("must be a whole number")
        .min(1, "must be at least 1")
        .optional()
        .describe("Periods to bill in all (period 0 counts); absent: until canceled"),
      discounts: documentDiscounts()
        .optional()
        .describe(
          "percentOff / amountOff apply to every period; a code is redeemed once, now, and applies for its duration",
        ),
      taxRateIds: z.array(idOf("taxRate")).max(5).optional(),
      metadata: metadata().optional(),
      trialDays: z
        .number()
        .int("must be a whole number of days")
        .min(1)
        .max(730)
        .optional()
        .describe(
          "A trial of so many days from the start date: no invoice for it, the first period starts at its end",
        ),
      trialEnd: z.iso
        .date("must be a date like 2026-12-31")
        .optional()
        .describe("Instead of trialDays: the trial ends at the start of this day (merchant's time zone)"),
      trialSettings: z
        .strictObject({ missingPaymentMethod: z.enum(["cancel", "create_invoice"]) })
        .optional()
        .describe(
          "missingPaymentMethod cancel: a charge_automatically trial needs no card now and is canceled at its end without one",
        ),
    }),
  ),
);

export const pauseRequest = lazy(() =>
  z.strictObject({
    resumesAt: z.iso
      .date("must be a date like 2026-12-31")
      .optional()
      .describe("Resume by itself at the start of this day (merchant's time zone); absent: when resumed"),
  }),
);

/** An entry of a change's full item list: `id` updates that item, none adds one. */
const itemChange = lazy(() =>
  z
    .strictObject({
      id: idOf("subscriptionItem")
        .optional()
        .describe("An item of the subscription to update; absent: a new item"),
      productId: idOf("product")
        .optional()
        .describe("A recurring product (same interval and currency): its price is copied"),
      description: z.string().trim().min(1).max(500).optional().describe("An ad-hoc price's text"),
      unitAmount: amount().optional().describe("An ad-hoc price, in the currency's minor unit"),
      quantity: quantity().optional().describe("Default: the item's (1 for a new item)"),
    })
    // An update may keep the item's price; a new item needs one.
    .superRefine((i, ctx) =>
      checkPrice(i, ctx, i.id === undefined ? "for a new item without a productId" : undefined),
    ),
);

/** A change's fields (PATCH, and the preview of one). */
const changeFields = lazy(() => ({
  items: z
    .array(itemChange())
    .min(1)
    .max(20)
    .optional()
    .describe(
      "The full new list (1–20): an entry with an id updates that item, one without adds one, an item left out is removed",
    ),
  collectionMethod: collectionMethod().optional(),
  defaultPaymentMethodId: idOf("paymentMethod")
    .nullable()
    .optional()
    .describe(
      "One of the customer's saved methods; null: the customer's default at each charge. A new one retries a failed renewal at once",
    ),
  paymentTerms: paymentTerms().optional().describe("send_invoice only"),
  discounts: documentDiscounts()
    .optional()
    .describe(
      "The full new list: a code already on the subscription is kept as it is; a new one is redeemed now and applies from the next period",
    ),
  taxRateIds: z.array(idOf("taxRate")).max(5).optional(),
  cancelAtPeriodEnd: z
    .boolean()
    .optional()
    .describe("false undoes a cancel at period end; true schedules one"),
  /** Keys given are set; a key set to null is removed. */
  metadata: z.record(z.string().min(1).max(40), z.string().max(500).nullable()).optional(),
  prorationBehavior: z
    .enum(["none", "create_prorations", "always_invoice"])
    .optional()
    .describe(
      "How a change of items is billed: create_prorations (default) on the next invoice, always_invoice at once, none from the next period",
    ),
}));

export const subscriptionPatch = lazy(() => parsesTo<SubscriptionPatch>()(z.strictObject(changeFields())));

/** A change to preview: a PATCH body, and the instant to prorate at (default now). */
export const changePreviewRequest = lazy(() =>
  z.strictObject({
    ...changeFields(),
    prorationDate: z.iso
      .datetime({ offset: true, message: "must be an ISO 8601 instant like 2026-12-15T10:00:00Z" })
      .optional()
      .describe("The instant to prorate at, within the current period; default now"),
  }),
);

const instantOrNull = lazy(() => z.string().nullable());

export const subscription = lazy(() =>
  z.object({
    id: z.string(),
    status: z.enum(statuses),
    customerId: z.string(),
    currency: z.string(),
    interval: z.enum(intervals),
    items: z.array(
      z.object({
        id: z.string(),
        productId: z.string().optional(),
        description: z.string(),
        unitAmount: z.number().int().describe("Kept from creation"),
        quantity: z.number(),
      }),
    ),
    startDate: z.string(),
    billingAnchorDay: z.number().int(),
    currentPeriodStart: instantOrNull().describe("The period billed last; null before the first"),
    currentPeriodEnd: instantOrNull(),
    nextBillingAt: instantOrNull().describe("When the next period is billed; null when none is left"),
    billingCycles: z.number().int().nullable().describe("null: until canceled"),
    cyclesBilled: z.number().int(),
    collectionMethod: collectionMethod(),
    defaultPaymentMethodId: z.string().nullable(),
    paymentTerms: paymentTerms().optional(),
    cancelAtPeriodEnd: z.boolean(),
    canceledAt: instantOrNull(),
    endedAt: instantOrNull(),
    latestInvoiceId: z.string().nullable(),
    discounts: z.array(
      z.object({
        percentOff: z.number().optional(),
        amountOff: z.number().int().optional(),
        code: z.string().optional(),
        duration: z.enum(["once", "forever", "repeating"]),
        durationInPeriods: z.number().int().optional(),
        fromPeriod: z
          .number()
          .int()
          .optional()
          .describe(
            "The first period (0 first) its duration counts from: a discount added by a change starts with the next period; absent: 0",
          ),
      }),
    ),
    taxRateIds: z.array(z.string()),
    metadata: z.record(z.string(), z.string()),
    testClockId: z.string().optional().describe("The customer's test clock (test mode)"),
    trialStart: instantOrNull().describe("The trial's start; null without a trial"),
    trialEnd: instantOrNull().describe(
      "The trial's end, where the first period starts; null without a trial",
    ),
    trialSettings: z.object({ missingPaymentMethod: z.enum(["cancel", "create_invoice"]) }).optional(),
    pauseAt: instantOrNull().describe(
      "A requested pause begins here (the end of the period billed); null: none",
    ),
    resumesAt: instantOrNull().describe("A paused subscription resumes by itself here; null: when resumed"),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

const byId = {
  params: lazy(() => idParams("subscription")),
  auth: "merchant",
  tag: "Subscriptions",
} as const;

export const createSubscription = defineOperation({
  id: "createSubscription",
  method: "POST",
  path: "/v1/subscriptions",
  auth: "merchant",
  tag: "Subscriptions",
  summary:
    "Start a subscription: scheduled when it starts later, else active, and a start today bills its first period at once",
  body: newSubscription,
  response: subscription,
  status: 201,
});

export const listSubscriptions = defineOperation({
  id: "listSubscriptions",
  method: "GET",
  path: "/v1/subscriptions",
  auth: "merchant",
  tag: "Subscriptions",
  summary: "List subscriptions, newest first; filter by status, customer, creation time, or a saved view",
  query: () => listQuery().extend({ ...subscriptionFilters().shape, ...viewAndFormat() }),
  csv: subscriptionColumns,
  response: () => page(subscription()),
  status: 200,
});

export const getSubscription = defineOperation({
  ...byId,
  id: "getSubscription",
  method: "GET",
  path: "/v1/subscriptions/{id}",
  summary: "Get a subscription",
  response: subscription,
  status: 200,
});

export const updateSubscription = defineOperation({
  ...byId,
  id: "updateSubscription",
  method: "PATCH",
  path: "/v1/subscriptions/{id}",
  summary:
    "Change items (prorated by prorationBehavior), terms, discounts, taxes, the default method, cancel at period end or metadata; 402 when an always_invoice charge is declined (nothing changed)",
  body: subscriptionPatch,
  response: subscription,
  status: 200,
  otherResponses: {
    402: {
      description:
        "always_invoice: the change's invoice was declined (the problem carries `declineCode` and `paymentId`); it is voided and nothing changed",
      content: ["problem"],
    },
  },
});

export const cancelSubscription = defineOperation({
  ...byId,
  id: "cancelSubscription",
  method: "POST",
  path: "/v1/subscriptions/{id}/cancel",
  summary:
    "Cancel now (no further invoices, nothing refunded) or at the period's end (atPeriodEnd: true); 409 once canceled or ended",
  body: () =>
    z.strictObject({
      atPeriodEnd: z.boolean().default(false).describe("false (the default, also without a body): now"),
    }),
  bodyOptional: true,
  response: subscription,
  status: 200,
});

export const pauseSubscription = defineOperation({
  ...byId,
  id: "pauseSubscription",
  method: "POST",
  path: "/v1/subscriptions/{id}/pause",
  summary:
    "Pause at the end of the period billed (no invoices while paused), until resumed or resumesAt; 409 unless active",
  body: pauseRequest,
  bodyOptional: true,
  response: subscription,
  status: 200,
});

export const resumeSubscription = defineOperation({
  ...byId,
  id: "resumeSubscription",
  method: "POST",
  path: "/v1/subscriptions/{id}/resume",
  summary:
    "Resume a paused subscription now (a prorated period to the next anchor date is billed at once), or call off a pending pause; else 409",
  response: subscription,
  status: 200,
});

/** An invoice as it would be billed (no id, number or status yet): its content and money, and when it is billed. */
export const invoicePreview = lazy(() =>
  invoice()
    .pick({
      ...documentContent,
      appliedBalance: true,
      amountDue: true,
      creditedToBalance: true,
      paymentTerms: true,
      subscriptionId: true,
      billingReason: true,
      periodStart: true,
      periodEnd: true,
      testClockId: true,
    })
    .extend({ billingAt: z.string().describe("When it is billed (now, for a change invoiced at once)") }),
);

export const getUpcomingInvoice = defineOperation({
  ...byId,
  id: "getUpcomingSubscriptionInvoice",
  method: "GET",
  path: "/v1/subscriptions/{id}/upcoming-invoice",
  summary:
    "Preview the next invoice exactly as it will be billed (prorations and credit balance included), writing nothing; 409 when none is planned",
  response: invoicePreview,
  status: 200,
});

export const previewChange = defineOperation({
  ...byId,
  id: "previewSubscriptionChange",
  method: "POST",
  path: "/v1/subscriptions/{id}/preview-change",
  summary:
    "Preview a change (a PATCH body, and prorationDate): the subscription after it and the invoices it would produce, writing nothing",
  body: changePreviewRequest,
  response: () =>
    z.object({
      subscription: subscription(),
      invoices: z
        .array(invoicePreview())
        .describe(
          "The invoice billed at once (always_invoice), then the next period's, each when there is one",
        ),
    }),
  status: 200,
});

export const subscriptionOperations = [
  createSubscription,
  listSubscriptions,
  getSubscription,
  updateSubscription,
  cancelSubscription,
  pauseSubscription,
  resumeSubscription,
  getUpcomingInvoice,
  previewChange,
];
