/**
 * The customer portal: the buyer's own page (public, reached by the unguessable, expiring link in every
 * subscription email) with its form actions, and the merchant's route making a fresh link.
 */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { idOf, idParams } from "./common.ts";
import { hostedParams } from "./common.ts";
import { lazy } from "../lazy.ts";

const expired = {
  description: "The link is past its week: a page saying how to get a new one",
  content: ["text/html"],
} as const;

const form = {
  contentType: "application/x-www-form-urlencoded",
  schema: () => z.object({ formToken: z.string().describe("The portal's form token (it expires)") }),
} as const;

const refused = {
  description:
    "The merchant's `portal` setting does not allow this (a problem naming the setting; nothing changes), or the portal again: the form expired",
  content: ["problem", "text/html"],
} as const;

export const customerPortalPage = defineOperation({
  id: "getCustomerPortal",
  method: "GET",
  path: "/c/{token}",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "The customer portal: the buyer's subscriptions (with the actions the merchant allows), open invoices (pay) and past ones (PDF); `?done=` confirms an action",
  params: hostedParams,
  query: () => z.object({ done: z.enum(["canceled", "paused", "resumed"]).optional() }),
  produces: "text/html",
  status: 200,
  otherResponses: { 410: expired },
});

const subscriptionParams = lazy(() => hostedParams().extend({ subscriptionId: idOf("subscription") }));

const subscriptionAction = (id: string, action: string, summary: string) =>
  defineOperation({
    id,
    method: "POST",
    path: `/c/{token}/subscriptions/{subscriptionId}/${action}`,
    auth: "public",
    tag: "Hosted pages",
    summary,
    params: subscriptionParams,
    rawBody: form,
    produces: "text/html",
    status: 200,
    maxBodyBytes: 8 * 1024,
    otherResponses: {
      303: {
        description: "See other: `Location` is the portal, confirming the change",
        content: ["none"],
        headers: { Location: "The portal" },
      },
      403: refused,
      409: {
        description: "The portal again: the subscription's state does not allow it (the API's 409)",
        content: ["text/html"],
      },
      410: expired,
    },
  });

export const portalCancel = subscriptionAction(
  "portalCancelSubscription",
  "cancel",
  "Cancels one of the buyer's subscriptions at the end of its period (setting `portal.cancel`: `at_period_end`)",
);
export const portalPause = subscriptionAction(
  "portalPauseSubscription",
  "pause",
  "Pauses one of the buyer's subscriptions at the end of the period already billed (setting `portal.pause`)",
);
export const portalResume = subscriptionAction(
  "portalResumeSubscription",
  "resume",
  "Resumes one of the buyer's paused subscriptions now, or calls off a pending pause (setting `portal.pause`)",
);

export const portalUpdateCard = defineOperation({
  id: "portalUpdateCard",
  method: "POST",
  path: "/c/{token}/update-card",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "On to a fresh update-card page for the buyer (setting `portal.updatePaymentMethod`): 303 to `/c/{token}/payment-method`",
  params: hostedParams,
  rawBody: form,
  produces: "text/html",
  status: 200,
  maxBodyBytes: 8 * 1024,
  otherResponses: {
    303: {
      description: "See other: `Location` is the buyer's update-card page",
      content: ["none"],
      headers: { Location: "The update-card page" },
    },
    403: refused,
    410: expired,
  },
});

export const portalRenewPage = defineOperation({
  id: "getPortalRenew",
  method: "GET",
  path: "/c/{token}/renew",
  auth: "public",
  tag: "Hosted pages",
  summary:
    'Renew early: the upcoming renewal of one of the buyer\'s subscriptions (the next period, its lines, its total as billing will price it), a discount-code field and "Renew now"; without `subscription`, the one renewable subscription, else the list to choose from',
  params: hostedParams,
  query: () =>
    z.object({
      subscription: idOf("subscription")
        .optional()
        .describe("The subscription to renew (the renewal reminder names it)"),
    }),
  produces: "text/html",
  status: 200,
  otherResponses: { 410: expired },
});

export const portalRenew = defineOperation({
  id: "portalRenewEarly",
  method: "POST",
  path: "/c/{token}/renew",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "Bills the subscription's next period now, under the same period key billing uses (the period is never billed again), with the discount code on that invoice only; then charges the saved card off-session, or sends the buyer to the invoice's hosted page",
  params: hostedParams,
  rawBody: {
    contentType: "application/x-www-form-urlencoded",
    schema: () =>
      z.object({
        formToken: z.string().describe("The page's form token (it expires)"),
        subscription: idOf("subscription"),
        code: z.string().max(64).optional().describe("A discount code for this renewal's invoice"),
      }),
  },
  produces: "text/html",
  status: 200,
  maxBodyBytes: 8 * 1024,
  otherResponses: {
    303: {
      description:
        "See other: `Location` is the renew page saying the period is renewed, or the invoice's hosted page to pay it",
      content: ["none"],
      headers: { Location: "The renew page, or the invoice's hosted page" },
    },
    400: {
      description:
        "The page again: the discount code does not apply (unknown, expired, used up, another currency), nothing billed; or a problem naming a malformed `subscription`",
      content: ["text/html", "problem"],
    },
    402: {
      description: "The page again: the saved card was declined; the invoice is open to pay",
      content: ["text/html"],
    },
    403: { description: "The page again: the form expired", content: ["text/html"] },
    409: {
      description:
        "The page again: the subscription cannot renew early now (canceled, paused, past due…), saying why",
      content: ["text/html"],
    },
    410: expired,
    429: {
      description:
        "The page again after 10 failed discount codes on this link within 15 minutes, nothing billed: `Retry-After` says when the window ends",
      content: ["text/html"],
    },
  },
});

export const createPortalLink = defineOperation({
  id: "createPortalLink",
  method: "POST",
  path: "/v1/customers/{id}/portal-link",
  auth: "merchant",
  tag: "Customers",
  summary:
    "A fresh link to the customer's portal, for the merchant to send: valid for 7 days on the customer's clock",
  params: () => idParams("customer"),
  response: () =>
    z.object({
      url: z.string().describe("The portal: `{publicBaseUrl}/c/{token}`"),
      expiresAt: z.string().describe("When the link stops working (ISO 8601)"),
    }),
  status: 201,
});

export const portalOperations = [
  customerPortalPage,
  portalCancel,
  portalPause,
  portalResume,
  portalUpdateCard,
  portalRenewPage,
  portalRenew,
  createPortalLink,
];
