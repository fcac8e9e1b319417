/** Saved views: named list filters for invoices, payments, subscriptions and quotes. */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { idParams, listQuery, page } from "./common.ts";
import { invoiceFilters } from "./invoices.ts";
import { paymentFilters } from "./payments.ts";
import { quoteFilters } from "./quotes.ts";
import { subscriptionFilters } from "./subscriptions.ts";

const objects = ["invoices", "payments", "subscriptions", "quotes"] as const;

const viewBody = z.discriminatedUnion("object", [
  z.strictObject({
    object: z.literal("invoices"),
    name: z.string().trim().min(1).max(100),
    filters: invoiceFilters,
  }),
  z.strictObject({
    object: z.literal("payments"),
    name: z.string().trim().min(1).max(100),
    filters: paymentFilters,
  }),
  z.strictObject({
    object: z.literal("subscriptions"),
    name: z.string().trim().min(1).max(100),
    filters: subscriptionFilters,
  }),
  z.strictObject({
    object: z.literal("quotes"),
    name: z.string().trim().min(1).max(100),
    filters: quoteFilters,
  }),
]);

export const view = z.object({
  id: z.string(),
  object: z.enum(objects),
  name: z.string(),
  filters: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});

export const createView = defineOperation({
  id: "createView",
  method: "POST",
  path: "/v1/views",
  auth: "merchant",
  tag: "Saved views",
  summary:
    "Save a named set of list filters for invoices, payments, subscriptions or quotes (use it with GET /v1/invoices?view={id}, GET /v1/payments?view={id}, GET /v1/subscriptions?view={id} or GET /v1/quotes?view={id})",
  body: viewBody,
  response: view,
  status: 201,
});

export const listViews = defineOperation({
  id: "listViews",
  method: "GET",
  path: "/v1/views",
  auth: "merchant",
  tag: "Saved views",
  summary: "List saved views",
  query: listQuery.extend({ object: z.enum(objects).optional() }),
  response: page(view),
  status: 200,
});

export const getView = defineOperation({
  id: "getView",
  method: "GET",
  path: "/v1/views/{id}",
  auth: "merchant",
  tag: "Saved views",
  summary: "Get a saved view",
  params: idParams("view"),
  response: view,
  status: 200,
});

export const deleteView = defineOperation({
  id: "deleteView",
  method: "DELETE",
  path: "/v1/views/{id}",
  auth: "merchant",
  tag: "Saved views",
  summary: "Delete a saved view",
  params: idParams("view"),
  status: 204,
});

export const viewOperations = [createView, listViews, getView, deleteView];
