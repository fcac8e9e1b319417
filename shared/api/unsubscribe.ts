/**
 * The buyer's unsubscribe page (public, reached by the link in every buyer-facing workflow email and
 * by its `List-Unsubscribe` header): a page with a button, and the POST the button or a mail client's
 * one-click (RFC 8058) sends.
 */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { hostedParams } from "./common.ts";

const expired = {
  description: "The link is past its year: a page saying how to get a new one",
  content: ["text/html"],
} as const;

export const unsubscribePage = defineOperation({
  id: "getUnsubscribePage",
  method: "GET",
  path: "/u/{token}",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "The buyer's unsubscribe page: an Unsubscribe button (a GET changes nothing), or that they are unsubscribed already",
  params: hostedParams,
  produces: "text/html",
  status: 200,
  otherResponses: { 410: expired },
});

export const submitUnsubscribe = defineOperation({
  id: "submitUnsubscribe",
  method: "POST",
  path: "/u/{token}",
  auth: "public",
  tag: "Hosted pages",
  summary:
    "Unsubscribes the buyer from workflow emails (sets the customer's unsubscribedAt; receipts still go): the page's form, or a one-click body `List-Unsubscribe=One-Click` (RFC 8058; url-encoded or multipart/form-data). Again: says already unsubscribed",
  params: hostedParams,
  rawBody: {
    contentType: "application/x-www-form-urlencoded",
    schema: () =>
      z.object({
        formToken: z.string().optional().describe("The page's form token (it expires)"),
        "List-Unsubscribe": z
          .literal("One-Click")
          .optional()
          .describe("A mail client's one-click unsubscribe"),
      }),
  },
  produces: "text/html",
  status: 200,
  maxBodyBytes: 8 * 1024,
  otherResponses: {
    403: { description: "The page again: the form expired (nothing changes)", content: ["text/html"] },
    410: expired,
  },
});

export const unsubscribeOperations = [unsubscribePage, submitUnsubscribe];
