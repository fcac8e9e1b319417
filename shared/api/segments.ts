/**
 * Operations on segments: named sets of filters over customers (HubSpot's lists). An active
 * segment's members follow its filters as events arrive and as time passes; a static one is a
 * snapshot plus hand-picked members.
 */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { normaliseFilter, type SegmentFilter } from "../segments/segment.ts";
import type { NewSegment, SegmentPatch } from "../segments/service.ts";
import { amount, currency, email, idOf, idParams, isoDateTime, listQuery, page, parsesTo } from "./common.ts";
import { customer } from "./customers.ts";
import { lazy } from "../lazy.ts";

const text = (max: number) => z.string().trim().min(1).max(max);
const days = lazy(() => z.number().int("must be a whole number of days").min(1).max(3650));
const day = lazy(() =>
  z.union([z.iso.date(), isoDateTime()], {
    error: "must be a date (YYYY-MM-DD, UTC) or an ISO 8601 date-time",
  }),
);

const filterBranches = lazy(
  () =>
    [
      z.strictObject({
        type: z.literal("emailDomain"),
        value: text(253).regex(/^[^@\s]+\.[^@\s]+$/, "must be a domain like example.com"),
      }),
      z.strictObject({
        type: z.literal("country"),
        value: z
          .string()
          .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 country code")
          .transform((v) => v.toUpperCase()),
      }),
      z.strictObject({ type: z.literal("metadata"), key: text(40), value: z.string().max(500) }),
      z
        .strictObject({ type: z.literal("createdAt"), after: day().optional(), before: day().optional() })
        .refine((f) => f.after !== undefined || f.before !== undefined, {
          message: "needs after or before",
          path: ["after"],
        }),
      z.strictObject({ type: z.literal("accountOwner"), value: email() }),
      z.strictObject({ type: z.literal("paidInLastDays"), days: days() }),
      z.strictObject({ type: z.literal("totalPaidGte"), amount: amount(), currency: currency() }),
      z.strictObject({ type: z.literal("hasActiveSubscription"), value: z.boolean() }),
      z.strictObject({ type: z.literal("hasOverdueInvoice"), value: z.boolean() }),
      z
        .strictObject({
          type: z.literal("lastPaymentBefore"),
          date: day().optional(),
          days: days().optional(),
        })
        .refine((f) => (f.date === undefined) !== (f.days === undefined), {
          message: "exactly one of date and days is required",
          path: ["days"],
        }),
      z.strictObject({ type: z.literal("subscribedToProduct"), productId: idOf("product") }),
    ] as const,
);

/**
 * One filter: canonical `{ type, … }`, or the shorthand `{ <type>: value }` (`{ paidInLastDays: 30 }`,
 * `{ emailDomain: "acme.com" }`, `{ totalPaidGte: { amount: 10000, currency: "EUR" } }`), which is
 * stored and shown canonical.
 */
const filter = lazy(
  () =>
    z
      .preprocess(normaliseFilter, z.discriminatedUnion("type", filterBranches()))
      .describe(
        "A filter over customers, canonical { type, … } or the shorthand { <type>: value }; a segment's filters must all hold",
      ) as unknown as z.ZodType<SegmentFilter>,
);

const filters = lazy(() => z.array(filter()).max(20));

const newSegment = lazy(() =>
  parsesTo<NewSegment>()(
    z.strictObject({
      name: text(100),
      type: z.enum(["active", "static"]),
      filters: filters()
        .default([])
        .describe(
          "All must hold (none: every customer for an active segment; a static one without filters starts empty)",
        ),
    }),
  ),
);

const segmentPatch = lazy(() =>
  parsesTo<SegmentPatch>()(
    z.strictObject({
      name: text(100).optional(),
      filters: filters()
        .optional()
        .describe("An active segment's new filters: it builds anew (status building)"),
    }),
  ),
);

export const segment = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    type: z.enum(["active", "static"]),
    filters: z.array(z.record(z.string(), z.unknown())).describe("Canonical { type, … } filters"),
    status: z
      .enum(["building", "ready"])
      .describe(
        "building while the merchant's customers are evaluated (a new active segment, changed filters)",
      ),
    memberCount: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

const memberParams = lazy(() =>
  z.strictObject({ id: z.string().min(1).max(64), customerId: z.string().min(1).max(64) }),
);

export const createSegment = defineOperation({
  id: "createSegment",
  method: "POST",
  path: "/v1/segments",
  auth: "merchant",
  tag: "Segments",
  summary:
    "Create a segment of customers (active: kept current by events and time; static: a snapshot plus picked members)",
  body: newSegment,
  response: segment,
  status: 201,
});

export const listSegments = defineOperation({
  id: "listSegments",
  method: "GET",
  path: "/v1/segments",
  auth: "merchant",
  tag: "Segments",
  summary: "List segments, newest first",
  query: listQuery,
  response: () => page(segment()),
  status: 200,
});

export const getSegment = defineOperation({
  id: "getSegment",
  method: "GET",
  path: "/v1/segments/{id}",
  auth: "merchant",
  tag: "Segments",
  summary: "Get a segment",
  params: () => idParams("segment"),
  response: segment,
  status: 200,
});

export const updateSegment = defineOperation({
  id: "updateSegment",
  method: "PATCH",
  path: "/v1/segments/{id}",
  auth: "merchant",
  tag: "Segments",
  summary:
    "Rename a segment, or change an active segment's filters (it builds anew); a static segment's filters are fixed (409)",
  params: () => idParams("segment"),
  body: segmentPatch,
  response: segment,
  status: 200,
});

export const deleteSegment = defineOperation({
  id: "deleteSegment",
  method: "DELETE",
  path: "/v1/segments/{id}",
  auth: "merchant",
  tag: "Segments",
  summary: "Delete a segment",
  params: () => idParams("segment"),
  status: 204,
});

export const listSegmentCustomers = defineOperation({
  id: "listSegmentCustomers",
  method: "GET",
  path: "/v1/segments/{id}/customers",
  auth: "merchant",
  tag: "Segments",
  summary: "List a segment's customers, newest first (the same as GET /v1/customers?segmentId=)",
  params: () => idParams("segment"),
  query: listQuery,
  response: () => page(customer()),
  status: 200,
});

export const addSegmentMembers = defineOperation({
  id: "addSegmentMembers",
  method: "POST",
  path: "/v1/segments/{id}/members",
  auth: "merchant",
  tag: "Segments",
  summary: "Add customers to a static segment (409 on an active one); members already in stay",
  params: () => idParams("segment"),
  body: () => z.strictObject({ customerIds: z.array(idOf("customer")).min(1).max(100) }),
  response: segment,
  status: 200,
});

export const removeSegmentMember = defineOperation({
  id: "removeSegmentMember",
  method: "DELETE",
  path: "/v1/segments/{id}/members/{customerId}",
  auth: "merchant",
  tag: "Segments",
  summary: "Remove a customer from a static segment (409 on an active one, 404 when not a member)",
  params: memberParams,
  status: 204,
});

export const segmentOperations = [
  createSegment,
  listSegments,
  getSegment,
  updateSegment,
  deleteSegment,
  listSegmentCustomers,
  addSegmentMembers,
  removeSegmentMember,
];
