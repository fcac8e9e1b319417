/** The buyer's update-card page (public, reached by the unguessable, expiring link Kassa mails). */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { hostedParams } from "./common.ts";

const expired = {
  description: "The link is past its week: a page saying how to get a new one",
  content: ["text/html"],
} as const;

export const updateCardPage = defineOperation({
  id: "getUpdateCardPage",
  method: "GET",
  path: "/c/{token}/payment-method",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "The buyer's update-card page: the card on file and a form to save a new one as the default (`?saved=1`: back from saving)",
  params: hostedParams,
  query: () => z.object({ saved: z.enum(["1"]).optional() }),
  produces: "text/html",
  status: 200,
  otherResponses: {
    410: expired,
    429: {
      description:
        "the page, saying so, after 10 declined cards for this customer within the hour: `Retry-After` says when the window ends",
      content: ["text/html"],
    },
  },
});

export const updateCardSubmit = defineOperation({
  id: "submitUpdateCard",
  method: "POST",
  path: "/c/{token}/payment-method",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "Saves a new card as the customer's default (form-encoded `formToken`, and `card` in the sandbox): 303 back to the page, or to Stripe Checkout in setup mode",
  params: hostedParams,
  rawBody: {
    contentType: "application/x-www-form-urlencoded",
    schema: () =>
      z.object({
        formToken: z.string().describe("The page's form token (it expires)"),
        card: z.string().optional().describe("Sandbox only: a test card number or pm_… test method"),
      }),
  },
  produces: "text/html",
  status: 200,
  maxBodyBytes: 8 * 1024,
  otherResponses: {
    303: {
      description: "See other: `Location` is the page again (`?saved=1`) or Stripe Checkout in setup mode",
      content: ["none"],
      headers: { Location: "Where to go next" },
    },
    400: {
      description: "the page again: no card number, or not one that can be saved",
      content: ["text/html"],
    },
    402: { description: "The page again: the card was declined, nothing saved", content: ["text/html"] },
    403: { description: "The page again: the form expired", content: ["text/html"] },
    409: { description: "The merchant has no payment processor", content: ["problem"] },
    410: expired,
    429: {
      description:
        "the page again after 10 declined cards for this customer within the hour: `Retry-After` says when the window ends",
      content: ["text/html"],
    },
  },
});

export const updateCardOperations = [updateCardPage, updateCardSubmit];
