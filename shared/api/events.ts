/** The events feed: every domain event of the merchant (the outbox items), newest first, kept 90 days. */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { idParams, listQuery, page } from "./common.ts";
import { lazy } from "../lazy.ts";

export const event = lazy(() =>
  z.object({
    id: z.string(),
    type: z.string().describe("e.g. customer.created, discount_code.updated"),
    objectId: z.string().optional().describe("The object the event is about (cus_…, dc_…)"),
    occurredAt: z.string(),
    createdAt: z.string().describe("When the event happened (the same instant as occurredAt)"),
    sequence: z
      .number()
      .int()
      .optional()
      .describe(
        "The version of the object (objectId) after the change, increasing per object: a receiver keeps the highest it has applied and drops an event with a lower one. An event that reports no change of its object (invoice.overdue, subscription.renewal_upcoming) repeats the version the object stands at; events written before sequences existed have none",
      ),
    livemode: z
      .boolean()
      .describe(
        "true when the event reports real money (a live payment, refund or payout, or the invoice it paid); false for the sandbox and for events that move no money",
      ),
    data: z
      .object({
        object: z
          .object({ id: z.string() })
          .catchall(z.unknown())
          .optional()
          .describe(
            "A bounded snapshot of the object the event is about at event time (id = objectId); a deletion shows { id, deleted: true }. Large fields may be left out (truncated: true, omitted: { field: count }); re-read the object by id for all of it",
          ),
      })
      .catchall(z.unknown())
      .describe(
        "object, plus the named snapshots the event type always carried (e.g. invoice, customer); at most 64 KB",
      ),
  }),
);

const eventType = lazy(() =>
  z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/, "must be an event type like customer.created"),
);

export const listEvents = defineOperation({
  id: "listEvents",
  method: "GET",
  path: "/v1/events",
  auth: "merchant",
  tag: "Events",
  summary: "List events, newest first; filter by type or by the object they are about",
  query: () =>
    listQuery().extend({ type: eventType().optional(), objectId: z.string().min(1).max(64).optional() }),
  response: () => page(event()),
  status: 200,
});

export const getEvent = defineOperation({
  id: "getEvent",
  method: "GET",
  path: "/v1/events/{id}",
  auth: "merchant",
  tag: "Events",
  summary: "Get an event",
  params: () => idParams("event"),
  response: event,
  status: 200,
});

export const eventOperations = [listEvents, getEvent];
