/** Operations on payment links: a reusable offer behind one public URL (issue 13 §1). */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import {
  type AfterCompletion,
  type CustomField,
  maxCustomFields,
  maxDropdownOptions,
  maxLineItems,
  maxTrialDays,
  type NewPaymentLink,
  type PaymentLinkLineItem,
  type PaymentLinkPatch,
  quantityLimit,
} from "../payment-links/payment-link.ts";
import {
  country,
  idOf,
  idParams,
  isoDateTime,
  listQuery,
  metadata,
  page,
  parsesTo,
  viewAndFormat,
} from "./common.ts";
import { paymentLinkFilters } from "./list-filters.ts";
import { paymentLinkColumns } from "./csv-columns.ts";
import { intervals } from "./products.ts";
import { lazy } from "../lazy.ts";

const text = (max: number) => z.string().trim().min(1).max(max);
const count = (max: number) =>
  z.number().int("must be a whole number").min(1, "must be at least 1").max(max, `must be at most ${max}`);
/** Normalized to UTC so stored instants compare as strings. */
const instant = lazy(() => isoDateTime().transform((v) => new Date(v).toISOString()));

const lineItem = lazy(() =>
  parsesTo<PaymentLinkLineItem>()(
    z
      .strictObject({
        productId: idOf("product").describe("An active product of yours; one-time or recurring"),
        quantity: count(quantityLimit).default(1),
        adjustableQuantity: z
          .strictObject({ min: count(quantityLimit), max: count(quantityLimit) })
          .optional()
          .describe("The buyer picks a quantity in [min, max]; min ≤ quantity ≤ max"),
      })
      .superRefine((item, ctx) => {
        const range = item.adjustableQuantity;
        if (!range) return;
        if (range.min > range.max) {
          ctx.addIssue({
            code: "custom",
            path: ["adjustableQuantity", "min"],
            message: "must not exceed max",
          });
        } else if (item.quantity < range.min || item.quantity > range.max) {
          ctx.addIssue({
            code: "custom",
            path: ["quantity"],
            message: `must lie within adjustableQuantity (${range.min}–${range.max})`,
          });
        }
      }),
  ),
);

const lineItems = lazy(() =>
  z
    .array(lineItem())
    .min(1, "must have at least 1 item")
    .max(maxLineItems, `must have at most ${maxLineItems} items`)
    .describe("One currency; recurring items all on one interval"),
);

const customField = lazy(() =>
  parsesTo<CustomField>()(
    z
      .strictObject({
        key: z.string().regex(/^[A-Za-z0-9_]{1,40}$/, "must be 1–40 letters, digits or _"),
        label: text(80),
        type: z.enum(["text", "dropdown", "numeric"]),
        options: z
          .array(text(100))
          .max(maxDropdownOptions)
          .optional()
          .describe("Dropdowns only: 1–20 choices"),
        optional: z.boolean().default(false),
      })
      .superRefine((field, ctx) => {
        const issue = (message: string) => ctx.addIssue({ code: "custom", path: ["options"], message });
        if (field.type === "dropdown" && !field.options?.length) issue("are required for a dropdown (1–20)");
        if (field.type !== "dropdown" && field.options !== undefined) issue("are for dropdowns only");
      }),
  ),
);

const customFields = lazy(() =>
  z
    .array(customField())
    .max(maxCustomFields, `must have at most ${maxCustomFields} fields`)
    .superRefine((fields, ctx) => {
      const seen = new Set<string>();
      fields.forEach((field, i) => {
        if (seen.has(field.key))
          ctx.addIssue({ code: "custom", path: [i, "key"], message: "is already used by another field" });
        seen.add(field.key);
      });
    }),
);

const afterCompletion = lazy(() =>
  parsesTo<AfterCompletion>()(
    z.discriminatedUnion("type", [
      z.strictObject({ type: z.literal("message"), message: text(1000) }),
      z.strictObject({
        type: z.literal("redirect"),
        url: z.url({ protocol: /^https$/, error: "must be an https URL" }).max(2048),
      }),
    ]),
  ),
);

const shippingAddress = lazy(() =>
  z.strictObject({
    allowedCountries: z.array(country()).min(1).max(250).describe("ISO 3166-1 alpha-2 codes"),
  }),
);

const trialDays = lazy(() => count(maxTrialDays).describe("Days before the recurring items' first charge"));
const taxRateIds = lazy(() =>
  z.array(idOf("taxRate")).max(5).describe("Your active tax rates, on every line"),
);
const maxRedemptions = lazy(() =>
  count(Number.MAX_SAFE_INTEGER).describe("The most checkouts that may complete"),
);
const testClockId = lazy(() =>
  idOf("testClock").describe(
    "Test mode only: the customers the link's checkouts create are bound to this test clock",
  ),
);

export const newPaymentLink = lazy(() =>
  parsesTo<NewPaymentLink>()(
    z.strictObject({
      name: text(200),
      lineItems: lineItems(),
      allowDiscountCodes: z.boolean().default(false),
      collectBillingAddress: z.boolean().default(false),
      collectShippingAddress: shippingAddress().optional(),
      collectPhone: z.boolean().default(false),
      trialDays: trialDays().optional(),
      testClockId: testClockId().optional(),
      customFields: customFields().default([]),
      maxRedemptions: maxRedemptions().optional(),
      expiresAt: instant().optional().describe("Must lie in the future"),
      active: z.boolean().default(true),
      afterCompletion: afterCompletion().optional(),
      taxRateIds: taxRateIds().default([]),
      metadata: metadata().optional(),
    }),
  ),
);

export const paymentLinkPatch = lazy(() =>
  parsesTo<PaymentLinkPatch>()(
    z.strictObject({
      name: text(200).optional(),
      lineItems: lineItems().optional().describe("Frozen once a checkout completed (409)"),
      allowDiscountCodes: z.boolean().optional(),
      collectBillingAddress: z.boolean().optional(),
      collectShippingAddress: shippingAddress().nullable().optional(),
      collectPhone: z.boolean().optional(),
      trialDays: trialDays().nullable().optional(),
      testClockId: testClockId().nullable().optional(),
      customFields: customFields().optional(),
      maxRedemptions: maxRedemptions()
        .nullable()
        .optional()
        .describe("Never below timesRedeemed; null removes it"),
      expiresAt: instant().nullable().optional().describe("Must lie in the future; null removes the expiry"),
      active: z.boolean().optional().describe("false deactivates the link (payment_link.deactivated)"),
      afterCompletion: afterCompletion().nullable().optional(),
      taxRateIds: taxRateIds().optional(),
      /** Keys given are set; a key set to null is removed. */
      metadata: z.record(z.string().min(1).max(40), z.string().max(500).nullable()).optional(),
    }),
  ),
);

export const paymentLink = lazy(() =>
  z.object({
    id: z.string(),
    url: z.string().describe("The link's public page: {public base}/l/{slug}"),
    name: z.string(),
    lineItems: z.array(
      z.object({
        productId: z.string(),
        quantity: z.number().int(),
        adjustableQuantity: z.object({ min: z.number().int(), max: z.number().int() }).optional(),
      }),
    ),
    currency: z.string(),
    interval: z.enum(intervals).optional().describe("The recurring items' interval, if any"),
    allowDiscountCodes: z.boolean(),
    collectBillingAddress: z.boolean(),
    collectShippingAddress: z.object({ allowedCountries: z.array(z.string()) }).optional(),
    collectPhone: z.boolean(),
    trialDays: z.number().int().optional(),
    testClockId: z.string().optional(),
    customFields: z.array(
      z.object({
        key: z.string(),
        label: z.string(),
        type: z.enum(["text", "dropdown", "numeric"]),
        options: z.array(z.string()).optional(),
        optional: z.boolean(),
      }),
    ),
    maxRedemptions: z.number().int().optional(),
    expiresAt: z.string().optional(),
    active: z.boolean(),
    afterCompletion: z
      .discriminatedUnion("type", [
        z.object({ type: z.literal("message"), message: z.string() }),
        z.object({ type: z.literal("redirect"), url: z.string() }),
      ])
      .optional(),
    taxRateIds: z.array(z.string()),
    timesRedeemed: z.number().int().describe("Completed checkouts, whatever their quantities"),
    embed: z.object({
      buttonHtml: z.string().describe("A self-contained <a> button (inline styles, no external assets)"),
    }),
    metadata: z.record(z.string(), z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

const tag = "Payment links";

export const createPaymentLink = defineOperation({
  id: "createPaymentLink",
  method: "POST",
  path: "/v1/payment-links",
  auth: "merchant",
  tag,
  summary: "Create a payment link: products, quantities and what to collect, behind one public URL",
  body: newPaymentLink,
  response: paymentLink,
  status: 201,
});

export const listPaymentLinks = defineOperation({
  id: "listPaymentLinks",
  method: "GET",
  path: "/v1/payment-links",
  auth: "merchant",
  tag,
  summary: "List payment links, newest first; filter by active or creation time",
  query: () => listQuery().extend({ ...paymentLinkFilters().shape, ...viewAndFormat() }),
  csv: paymentLinkColumns,
  response: () => page(paymentLink()),
  status: 200,
});

export const getPaymentLink = defineOperation({
  id: "getPaymentLink",
  method: "GET",
  path: "/v1/payment-links/{id}",
  auth: "merchant",
  tag,
  summary: "Get a payment link",
  params: () => idParams("paymentLink"),
  response: paymentLink,
  status: 200,
});

export const updatePaymentLink = defineOperation({
  id: "updatePaymentLink",
  method: "PATCH",
  path: "/v1/payment-links/{id}",
  auth: "merchant",
  tag,
  summary:
    "Update a payment link (line items frozen once a checkout completed); active: false deactivates it",
  params: () => idParams("paymentLink"),
  body: paymentLinkPatch,
  response: paymentLink,
  status: 200,
});

export const getPaymentLinkQrCode = defineOperation({
  id: "getPaymentLinkQrCode",
  method: "GET",
  path: "/v1/payment-links/{id}/qr.svg",
  auth: "merchant",
  tag,
  summary: "The link's URL as a QR code (SVG)",
  params: () => idParams("paymentLink"),
  produces: "image/svg+xml",
  status: 200,
});

export const paymentLinkOperations = [
  createPaymentLink,
  listPaymentLinks,
  getPaymentLink,
  updatePaymentLink,
  getPaymentLinkQrCode,
];
