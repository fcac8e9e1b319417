/** The events feed: every domain event of the merchant (the outbox items), newest first, kept 90 days. */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { idParams, listQuery, page } from "./common.ts";

export const event = z.object({
  id: z.string(),
  type: z.string().describe("e.g. customer.created, discount_code.updated"),
  objectId: z.string().optional().describe("The object the event is about (cus_…, dc_…)"),
  occurredAt: z.string(),
  livemode: z
    .boolean()
    .describe(
      "true when the event reports real money (a live payment, refund or payout, or the invoice it paid); false for the sandbox and for events that move no money",
    ),
  data: z.record(z.string(), z.unknown()),
});

const eventType = z
  .string()
  .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/, "must be an event type like customer.created");

export const listEvents = defineOperation({
  id: "listEvents",
  method: "GET",
  path: "/v1/events",
  auth: "merchant",
  tag: "Events",
  summary: "List events, newest first; filter by type or by the object they are about",
  query: listQuery.extend({ type: eventType.optional(), objectId: z.string().min(1).max(64).optional() }),
  response: page(event),
  status: 200,
});

export const getEvent = defineOperation({
  id: "getEvent",
  method: "GET",
  path: "/v1/events/{id}",
  auth: "merchant",
  tag: "Events",
  summary: "Get an event",
  params: idParams("event"),
  response: event,
  status: 200,
});

export const eventOperations = [listEvents, getEvent];
