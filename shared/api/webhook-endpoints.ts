/**
 * Outbound webhooks: endpoints (URL, subscribed events, a signing secret shown once), their
 * deliveries, redelivering an event and replaying a range of events.
 */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import type { EndpointPatch, NewEndpointInput } from "../webhooks/endpoint.ts";
import { isWebhookEventName } from "../webhooks/event-types.ts";
import { maxEndpoints } from "../webhooks/ports.ts";
import { idOf, idParams, isoDateTime, listQuery, page, parsesTo } from "./common.ts";
import { lazy } from "../lazy.ts";

const url = lazy(() =>
  z
    .string()
    .trim()
    .min(1)
    .max(2048)
    .describe("https (a loopback http URL only on a developer's local runtime)"),
);

const eventName = lazy(() =>
  z.string().max(100).refine(isWebhookEventName, {
    message: "must be an event type Kassa sends (e.g. invoice.paid) or a prefix wildcard (e.g. payment.*)",
  }),
);

const events = lazy(() =>
  z
    .array(eventName())
    .min(1)
    .max(100)
    .describe('Event types and `prefix.*` wildcards from the catalog (see README "Outbound webhooks")'),
);

const description = lazy(() => z.string().trim().min(1).max(500));

export const webhookEndpoint = lazy(() =>
  z.object({
    id: z.string(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().nullable(),
    active: z.boolean(),
    disabledAt: z
      .string()
      .nullable()
      .describe("When Kassa disabled it after three days of failed deliveries"),
    failingSince: z
      .string()
      .nullable()
      .describe("Since when every delivery attempt failed; null when the last one succeeded"),
    previousSecretExpiresAt: z
      .string()
      .nullable()
      .describe(
        "Until when the previous secret still signs (its v1 second in Kassa-Signature), after a rotation",
      ),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

const withSecret = lazy(() =>
  webhookEndpoint().extend({
    secret: z.string().describe("whsec_…: shown in this response only; verify Kassa-Signature with it"),
  }),
);

export const webhookDelivery = lazy(() =>
  z.object({
    id: z.string(),
    endpointId: z.string(),
    eventId: z.string(),
    eventType: z.string(),
    status: z.enum(["pending", "succeeded", "failed"]),
    cause: z.enum(["event", "redeliver", "replay"]),
    attempts: z.array(
      z.object({
        at: z.string(),
        status: z
          .number()
          .int()
          .optional()
          .describe("The endpoint's HTTP status; absent when it did not answer"),
        error: z
          .string()
          .optional()
          .describe("Why there was no answer (timeout, connection, refused address)"),
        responseBody: z
          .string()
          .describe("The first 1 KiB of the answer, as sent (escape it wherever you show it)"),
        durationMs: z.number().int(),
      }),
    ),
    nextAttemptAt: z.string().nullable(),
    createdAt: z.string(),
    completedAt: z.string().nullable(),
  }),
);

export const createWebhookEndpoint = defineOperation({
  id: "createWebhookEndpoint",
  method: "POST",
  path: "/v1/webhook-endpoints",
  auth: "merchant",
  tag: "Webhook endpoints",
  summary: `Create a webhook endpoint (at most ${maxEndpoints}); its signing secret is in this response only`,
  body: () =>
    parsesTo<NewEndpointInput>()(
      z.strictObject({
        url: url(),
        events: events(),
        description: description().optional(),
        active: z.boolean().optional(),
      }),
    ),
  response: withSecret,
  responseCarriesSecret: true,
  status: 201,
});

export const listWebhookEndpoints = defineOperation({
  id: "listWebhookEndpoints",
  method: "GET",
  path: "/v1/webhook-endpoints",
  auth: "merchant",
  tag: "Webhook endpoints",
  summary: "List webhook endpoints, newest first",
  query: listQuery,
  response: () => page(webhookEndpoint()),
  status: 200,
});

export const getWebhookEndpoint = defineOperation({
  id: "getWebhookEndpoint",
  method: "GET",
  path: "/v1/webhook-endpoints/{id}",
  auth: "merchant",
  tag: "Webhook endpoints",
  summary: "Get a webhook endpoint",
  params: () => idParams("webhookEndpoint"),
  response: webhookEndpoint,
  status: 200,
});

export const updateWebhookEndpoint = defineOperation({
  id: "updateWebhookEndpoint",
  method: "PATCH",
  path: "/v1/webhook-endpoints/{id}",
  auth: "merchant",
  tag: "Webhook endpoints",
  summary:
    "Update a webhook endpoint's URL, events, description or active flag; active: true re-enables one Kassa disabled",
  params: () => idParams("webhookEndpoint"),
  body: () =>
    parsesTo<EndpointPatch>()(
      z.strictObject({
        url: url().optional(),
        events: events().optional(),
        description: description().nullable().optional(),
        active: z.boolean().optional(),
      }),
    ),
  response: webhookEndpoint,
  status: 200,
});

export const deleteWebhookEndpoint = defineOperation({
  id: "deleteWebhookEndpoint",
  method: "DELETE",
  path: "/v1/webhook-endpoints/{id}",
  auth: "merchant",
  tag: "Webhook endpoints",
  summary: "Delete a webhook endpoint: nothing more is delivered to it",
  params: () => idParams("webhookEndpoint"),
  status: 204,
});

export const rotateWebhookSecret = defineOperation({
  id: "rotateWebhookSecret",
  method: "POST",
  path: "/v1/webhook-endpoints/{id}/rotate-secret",
  auth: "merchant",
  tag: "Webhook endpoints",
  summary:
    "Replace the signing secret (the new one is in this response only); the old one keeps signing beside it for expireOldAfterHours (default 24, 0 = at once)",
  params: () => idParams("webhookEndpoint"),
  body: () => z.strictObject({ expireOldAfterHours: z.number().int().min(0).max(168).default(24) }),
  bodyOptional: true,
  response: withSecret,
  responseCarriesSecret: true,
  status: 200,
});

export const listWebhookDeliveries = defineOperation({
  id: "listWebhookDeliveries",
  method: "GET",
  path: "/v1/webhook-endpoints/{id}/deliveries",
  auth: "merchant",
  tag: "Webhook endpoints",
  summary:
    "An endpoint's deliveries, newest first: status and every attempt (response status, first 1 KiB of the body, duration)",
  params: () => idParams("webhookEndpoint"),
  query: listQuery,
  response: () => page(webhookDelivery()),
  status: 200,
});

export const redeliverEvent = defineOperation({
  id: "redeliverEvent",
  method: "POST",
  path: "/v1/events/{id}/redeliver",
  auth: "merchant",
  tag: "Webhook endpoints",
  summary: "Deliver an event to one of your endpoints again, as a new delivery",
  params: () => idParams("event"),
  body: () => z.strictObject({ endpointId: idOf("webhookEndpoint") }),
  response: webhookDelivery,
  status: 201,
});

export const replayWebhookEvents = defineOperation({
  id: "replayWebhookEvents",
  method: "POST",
  path: "/v1/webhook-endpoints/{id}/replay",
  auth: "merchant",
  tag: "Webhook endpoints",
  summary:
    "Replay the endpoint's events created in [from, to) that are still retained (90 days), oldest first, as new deliveries; accepted (202) and run in the background, at most 5 per endpoint and hour",
  params: () => idParams("webhookEndpoint"),
  body: () => z.strictObject({ from: isoDateTime(), to: isoDateTime() }),
  response: () =>
    z.object({
      id: z.string().describe("whr_…: names the replay's deliveries' claims"),
      endpointId: z.string(),
      from: z.string(),
      to: z.string(),
      status: z.literal("accepted"),
    }),
  status: 202,
});

export const webhookEndpointOperations = [
  createWebhookEndpoint,
  listWebhookEndpoints,
  getWebhookEndpoint,
  updateWebhookEndpoint,
  deleteWebhookEndpoint,
  rotateWebhookSecret,
  listWebhookDeliveries,
  redeliverEvent,
  replayWebhookEvents,
];
