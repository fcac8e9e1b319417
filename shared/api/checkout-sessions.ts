/** Checkout sessions (the merchant's reads) and the link's public checkout page (issue 13 §2). */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { checkoutStatuses } from "../payment-links/checkout-status.ts";
import { slugPattern } from "../payment-links/payment-link.ts";
import { billedAddress, idOf, idParams, listQuery, page, viewAndFormat } from "./common.ts";
import { checkoutSessionFilters } from "./list-filters.ts";
import { checkoutSessionColumns } from "./csv-columns.ts";
import { intervals } from "./products.ts";
import { lazy } from "../lazy.ts";

const address = lazy(() => billedAddress());

export const checkoutSession = lazy(() =>
  z.object({
    id: z.string(),
    paymentLinkId: z.string(),
    status: z.enum(checkoutStatuses).describe("An open session past its expiresAt is expired"),
    currency: z.string(),
    lineItems: z
      .array(
        z.object({
          productId: z.string(),
          description: z.string(),
          quantity: z.number().int(),
          unitAmount: z.number().int(),
          amountSubtotal: z.number().int(),
          amountDiscount: z.number().int().describe("The line's share of the discount code's discount"),
          amountTax: z.number().int(),
          amountTotal: z.number().int(),
          interval: z
            .enum(intervals)
            .optional()
            .describe("A recurring item's: the subscription bills it every interval"),
        }),
      )
      .describe("The prices fixed when the session was created"),
    subtotal: z.number().int(),
    discountCode: z
      .string()
      .optional()
      .describe(
        "The discount code the buyer applied; the purchase's invoice redeems it when it is finalized",
      ),
    discountTotal: z.number().int().describe("Taken off the subtotal, before tax"),
    taxTotal: z.number().int(),
    total: z
      .number()
      .int()
      .describe("Every line's: the one-time items and the recurring items' first period"),
    amountDueNow: z
      .number()
      .int()
      .describe(
        "What the buyer pays at checkout: total, less the recurring items' first period when a trial comes first",
      ),
    recurring: z
      .object({
        interval: z.enum(intervals),
        amount: z.number().int().describe("Each period's charge for the recurring items, tax included"),
        trialDays: z.number().int().optional(),
      })
      .optional()
      .describe("Present when the link sells recurring items: the subscription the checkout starts"),
    taxRateIds: z.array(z.string()),
    locale: z
      .string()
      .optional()
      .describe(
        "The BCP 47 locale the buyer chose on the checkout page (`?locale=`); a customer the checkout creates gets it",
      ),
    email: z.string(),
    name: z.string().optional(),
    phone: z.string().optional(),
    billingAddress: address().optional(),
    shippingAddress: address().optional(),
    customFields: z
      .record(z.string(), z.string())
      .describe("The answers to the link's custom fields, by key"),
    expiresAt: z.string().describe("30 minutes after creation"),
    payingSince: z.string().optional().describe("A card payment of the session is under way since then"),
    customerId: z.string().optional(),
    invoiceId: z.string().optional(),
    paymentId: z.string().optional(),
    subscriptionId: z
      .string()
      .optional()
      .describe(
        "The subscription the recurring items start: fixed by the first payment attempt, written once paid",
      ),
    processorCheckout: z
      .object({ paymentId: z.string(), sessionId: z.string(), url: z.string() })
      .optional()
      .describe(
        "Stripe merchants: the Stripe Checkout session (mode payment) the buyer was sent to, its attempt's payment and URL",
      ),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

const tag = "Checkout sessions";

export const listCheckoutSessions = defineOperation({
  id: "listCheckoutSessions",
  method: "GET",
  path: "/v1/checkout-sessions",
  auth: "merchant",
  tag,
  summary: "List checkout sessions, newest first; filter by payment link, status or creation time",
  query: () => listQuery().extend({ ...checkoutSessionFilters().shape, ...viewAndFormat() }),
  response: () => page(checkoutSession()),
  csv: checkoutSessionColumns,
  status: 200,
});

export const getCheckoutSession = defineOperation({
  id: "getCheckoutSession",
  method: "GET",
  path: "/v1/checkout-sessions/{id}",
  auth: "merchant",
  tag,
  summary: "Get a checkout session",
  params: () => idParams("checkoutSession"),
  response: checkoutSession,
  status: 200,
});

const slugParams = lazy(() =>
  z.strictObject({ slug: z.string().regex(slugPattern, "is not a payment link") }),
);

const unavailable = {
  410: {
    description:
      "The link is inactive, expired or sold out (or its products are no longer sold): a page saying so",
    content: ["text/html"],
  },
  409: {
    description: "The link sells a subscription, which this page cannot check out yet: a page saying so",
    content: ["text/html"],
  },
} as const;

export const checkoutPage = defineOperation({
  id: "getCheckoutPage",
  method: "GET",
  path: "/l/{slug}",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "A payment link's checkout page: the items, priced on the server, and the buyer's form; `?session=cs_…` shows a started checkout; `&canceled={paymentId}` is Stripe Checkout's cancel URL: it expires that attempt's Stripe session and gives the redemption back",
  params: slugParams,
  query: () =>
    z.object({
      session: idOf("checkoutSession").optional(),
      canceled: idOf("payment").optional(),
      locale: z
        .string()
        .optional()
        .describe(
          "The buyer's language and formats (BCP 47, e.g. `nb-NO`): the page, the session and a customer it creates read in it; one the platform cannot format is ignored (the merchant's locale)",
        ),
    }),
  produces: "text/html",
  status: 200,
  otherResponses: unavailable,
});

export const checkoutSubmit = defineOperation({
  id: "submitCheckout",
  method: "POST",
  path: "/l/{slug}",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "Starts a checkout session from the buyer's form (form-encoded `formToken`, `email`, `quantity.{i}`, and the fields the link collects), or pays one (`formToken`, `session`, and `card` in the sandbox): 303 to the session's page, or to Stripe Checkout for a merchant on Stripe",
  params: slugParams,
  rawBody: {
    contentType: "application/x-www-form-urlencoded",
    schema: () =>
      z.object({
        formToken: z.string().describe("The page's form token (it expires)"),
        email: z
          .string()
          .optional()
          .describe("Starting a checkout: the buyer's email (and the link's other fields)"),
        discountCode: z
          .string()
          .optional()
          .describe(
            "Starting a checkout on a link with `allowDiscountCodes`: a discount code (case-insensitive); ignored on other links",
          ),
        session: z.string().optional().describe("Paying: the started session's id"),
        card: z.string().optional().describe("Paying, sandbox only: a test card number or pm_… test method"),
      }),
  },
  produces: "text/html",
  status: 200,
  maxBodyBytes: 16 * 1024,
  otherResponses: {
    303: {
      description:
        "See other: `Location` is the started (or paid) session's page, or Stripe Checkout's page for a merchant on Stripe",
      content: ["none"],
      headers: { Location: "Where to go next" },
    },
    400: {
      description:
        "The page again, naming each missing or invalid field (an unknown, expired, used-up or other-currency discount code on `discountCode`); nothing written",
      content: ["text/html"],
    },
    402: {
      description: "The session's page again: the card was declined, nothing charged",
      content: ["text/html"],
    },
    403: { description: "The page again: the form expired; nothing written", content: ["text/html"] },
    429: {
      description:
        "The session's page again after 10 declined cards on it within the hour, or the form again (nothing written) after 60 checkouts started on the link from one address within 10 minutes, or after 10 discount codes that did not apply on the link from one address within 15 minutes: `Retry-After` says when the window ends",
      content: ["text/html"],
    },
    ...unavailable,
    409: {
      description:
        "A payment of the session is already under way, the merchant has no processor, or the session's discount code can no longer be used: a page saying so",
      content: ["text/html"],
    },
  },
});

export const checkoutPricing = lazy(() =>
  checkoutSession()
    .pick({
      currency: true,
      lineItems: true,
      subtotal: true,
      discountCode: true,
      discountTotal: true,
      taxTotal: true,
      total: true,
      amountDueNow: true,
      recurring: true,
    })
    .extend({
      display: z
        .record(z.string(), z.string())
        .describe(
          "The amounts formatted as the page shows them, by cell: `line.{i}`, `subtotal`, `discountLabel`, `discount`, `tax`, `total`, `amountDueNow`",
        ),
    }),
);

export const checkoutPrice = defineOperation({
  id: "priceCheckoutForm",
  method: "POST",
  path: "/l/{slug}/price",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "The checkout page's live totals: the form's quantities and discount code priced by the money engine, as a session started with them would fix them; writes nothing",
  params: slugParams,
  rawBody: {
    contentType: "application/x-www-form-urlencoded",
    schema: () =>
      z
        .object({
          discountCode: z
            .string()
            .optional()
            .describe("A discount code (links with `allowDiscountCodes`; ignored on others)"),
        })
        .describe("The checkout form's `quantity.{i}` fields (adjustable lines) and `discountCode`"),
  },
  response: checkoutPricing,
  status: 200,
  maxBodyBytes: 4 * 1024,
  otherResponses: {
    400: {
      description:
        "A quantity out of its range (`quantity.{i}`) or a discount code that cannot apply (`discountCode`)",
      content: ["problem"],
    },
    409: { description: "The link no longer sells (inactive, expired, sold out…)", content: ["problem"] },
    429: {
      description:
        "After 10 discount codes that did not apply on the link from one address within 15 minutes, every code is refused until the window ends (`Retry-After`)",
      content: ["problem"],
    },
  },
});

export const checkoutSessionOperations = [listCheckoutSessions, getCheckoutSession];
export const checkoutPageOperations = [checkoutPage, checkoutSubmit, checkoutPrice];
