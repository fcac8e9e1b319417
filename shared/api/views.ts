/** Saved views: named list filters for every list that takes `?view=` (and exports CSV). */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { viewObjects } from "../views/ports.ts";
import { idParams, listQuery, page } from "./common.ts";
import {
  checkoutSessionFilters,
  customerFilters,
  invoiceFilters,
  paymentFilters,
  paymentLinkFilters,
  payoutFilters,
  quoteFilters,
  refundFilters,
  subscriptionFilters,
  taskFilters,
} from "./list-filters.ts";
import { lazy } from "../lazy.ts";

/** A view's body: its list (`object`), a name, and that list's own filter schema. */
const viewOf = <O extends (typeof viewObjects)[number], F extends z.ZodType>(object: O, filters: F) =>
  z.strictObject({ object: z.literal(object), name: z.string().trim().min(1).max(100), filters });

const viewBody = lazy(() =>
  z.discriminatedUnion("object", [
    viewOf("invoices", invoiceFilters()),
    viewOf("payments", paymentFilters()),
    viewOf("subscriptions", subscriptionFilters()),
    viewOf("quotes", quoteFilters()),
    viewOf("customers", customerFilters()),
    viewOf("payment_links", paymentLinkFilters()),
    viewOf("checkout_sessions", checkoutSessionFilters()),
    viewOf("refunds", refundFilters()),
    viewOf("payouts", payoutFilters()),
    viewOf("tasks", taskFilters()),
  ]),
);

export const view = lazy(() =>
  z.object({
    id: z.string(),
    object: z.enum(viewObjects),
    name: z.string(),
    filters: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  }),
);

export const createView = defineOperation({
  id: "createView",
  method: "POST",
  path: "/v1/views",
  auth: "merchant",
  tag: "Saved views",
  summary:
    "Save a named set of a list's filters (customers, invoices, payments, subscriptions, quotes, payment_links, checkout_sessions, refunds, payouts or tasks); use it with that list's ?view={id}, in JSON or CSV",
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
  query: () => listQuery().extend({ object: z.enum(viewObjects).optional() }),
  response: () => page(view()),
  status: 200,
});

export const getView = defineOperation({
  id: "getView",
  method: "GET",
  path: "/v1/views/{id}",
  auth: "merchant",
  tag: "Saved views",
  summary: "Get a saved view",
  params: () => idParams("view"),
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
  params: () => idParams("view"),
  status: 204,
});

export const viewOperations = [createView, listViews, getView, deleteView];
