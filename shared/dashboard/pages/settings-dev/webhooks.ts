/**
 * Webhook endpoints: the list with a form to add one (its signing secret shown once, on the answer to
 * the form), and an endpoint's page — its delivery log with every attempt (the receiver's status,
 * error and first KiB of its answer, shown escaped), sending one event again, replaying a range of
 * days, editing it, rotating its secret (shown once) and deleting it. Each action is the use case
 * `/v1/webhook-endpoints` runs, its body checked by that operation's schema (a 400 names the field).
 */
import * as ops from "../../../api/webhook-endpoints.ts";
import { webhookPorts } from "../../../composition.ts";
import { addDays, localDate, startOfLocalDay } from "../../../domain/calendar.ts";
import { ValidationError } from "../../../domain/errors.ts";
import { permissionFor } from "../../../users/roles.ts";
import type { WebhookDelivery, WebhookEndpoint } from "../../../webhooks/endpoint.ts";
import { webhookEventPrefixes } from "../../../webhooks/event-types.ts";
import * as webhooks from "../../../webhooks/service.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import {
  actionButton,
  badge,
  choices,
  csrfField,
  facts,
  field,
  type Html,
  html,
  pageHeader,
  section,
  table,
  when,
} from "../../ui.ts";
import { bodyOf, may, merchantOf, once, onceField } from "../details/common.ts";
import { secretPage } from "./secret.ts";

const path = "/app/settings/webhooks";
const endpointPath = (id: string) => `${path}/${id}`;
/** Deliveries an endpoint's page shows, newest first (the API pages through all of them). */
const deliveriesShown = 50;
const wildcards = webhookEventPrefixes.map((prefix) => `${prefix}.*`);

/** The events a form names: the ticked wildcards and the types typed (space- or comma-separated). */
const eventsOf = (form: URLSearchParams) =>
  form.getAll("events").flatMap((value) => value.split(/[\s,]+/).filter(Boolean));

/** The URL, description and events controls the new-endpoint and edit forms share. */
function endpointFields(idPrefix: string, endpoint?: WebhookEndpoint): Html {
  const chosen = endpoint?.events ?? [];
  const typed = endpoint?.events.filter((e) => !wildcards.includes(e)).join(" ") ?? "";
  return html`${field({ name: "url", label: "URL", required: true, value: endpoint?.url ?? "", hint: "https://… where Kassa POSTs each event, signed (Kassa-Signature)", attributes: { inputmode: "url", autocomplete: "off", spellcheck: "false" } }, idPrefix)}
${field({ name: "description", label: "Description", value: endpoint?.description ?? "", hint: "Optional: what receives it" }, idPrefix)}
${choices({ type: "checkbox", name: "events", legend: "Every event of", options: wildcards.map((w) => [w, w] as const), checked: chosen, idPrefix, columns: true })}
${field({ name: "events", label: "Single event types", value: typed, hint: "Optional, separated by spaces, e.g. invoice.paid payment.failed", attributes: { autocomplete: "off", spellcheck: "false" } }, `${idPrefix}-types`)}`;
}

function status(endpoint: WebhookEndpoint, zone: string): Html {
  if (!endpoint.active)
    return endpoint.disabledAt
      ? html`${badge("failed", "disabled by Kassa")} <span class="muted">after three days of failures, ${when(endpoint.disabledAt, zone)}</span>`
      : badge("paused", "disabled");
  if (endpoint.failingSince)
    return html`${badge("past_due", "failing")} <span class="muted">since ${when(endpoint.failingSince, zone)}</span>`;
  return badge("active");
}

async function endpointsPage(request: DashboardRequest) {
  const { merchantId } = request.user;
  const [merchant, endpoints] = await Promise.all([
    merchantOf(request),
    webhooks.listEndpoints(webhookPorts(request.clock), merchantId, { limit: 100 }),
  ]);
  const zone = merchant.timeZone;
  const body = html`${pageHeader("Webhooks", html`<a class="button button-link" href="/app/settings">All settings</a>`, "Where Kassa sends your events as they happen")}
${section(
  "Endpoints",
  table({
    caption: "Webhook endpoints",
    rows: endpoints.items,
    empty: "No endpoints yet.",
    columns: [
      {
        header: "URL",
        cell: (e) =>
          html`<a href="${endpointPath(e.id)}">${e.url}</a>${e.description ? html`<br><span class="muted">${e.description}</span>` : ""}`,
      },
      { header: "Events", cell: (e) => e.events.join(", ") },
      { header: "Status", cell: (e) => status(e, zone) },
      { header: "Created", cell: (e) => when(e.createdAt, zone) },
    ],
  }),
)}
${may(request, ops.createWebhookEndpoint) ? section("Add an endpoint", html`<form method="post" action="${path}" class="stack-form">${csrfField(request.csrfToken)}<input type="hidden" name="once" value="${onceField().once}">${endpointFields("new")}<div class="form-actions"><button type="submit" class="button button-primary">Add endpoint</button></div></form>`) : ""}`;
  return { kind: "page" as const, title: "Webhooks", body: String(body) };
}

/** A delivery's attempts, newest last: the receiver's status or why it did not answer, and what it said. */
function attempts(delivery: WebhookDelivery, zone: string): Html {
  if (delivery.attempts.length === 0) return html`<span class="muted">Not attempted yet</span>`;
  return html`<ol>${delivery.attempts.map(
    (a) =>
      html`<li>${when(a.at, zone)}: ${a.status === undefined ? html`no answer (${a.error ?? "unknown"})` : html`HTTP ${a.status}`}, ${a.durationMs} ms${a.responseBody ? html`<details><summary>Answer</summary><pre>${a.responseBody}</pre></details>` : ""}</li>`,
  )}</ol>`;
}

async function endpointPage(request: DashboardRequest) {
  const { merchantId } = request.user;
  const ports = webhookPorts(request.clock);
  const id = request.params.id ?? "";
  const endpoint = await webhooks.getEndpoint(ports, merchantId, id);
  const [merchant, deliveries] = await Promise.all([
    merchantOf(request),
    webhooks.listDeliveries(ports, merchantId, id, { limit: deliveriesShown }),
  ]);
  const zone = merchant.timeZone;
  const { csrfToken } = request;
  const action = (name: string) => `${endpointPath(id)}/${name}`;
  const canResend = endpoint.active && may(request, ops.redeliverEvent);
  const today = localDate(request.clock.now(), zone);
  const body = html`${pageHeader(endpoint.url, html`<a class="button button-link" href="${path}">All endpoints</a>`, endpoint.description ?? endpoint.id)}
${section(
  "Details",
  facts([
    ["Status", status(endpoint, zone)],
    ["Events", endpoint.events.join(", ")],
    [
      "Previous secret signs until",
      endpoint.previousSecretExpiresAt ? when(endpoint.previousSecretExpiresAt, zone) : undefined,
    ],
    ["Created", when(endpoint.createdAt, zone)],
    ["Id", endpoint.id],
  ]),
)}
${section(
  "Deliveries",
  html`<p class="muted">The newest ${deliveriesShown}; each retried for up to three days until the endpoint answers 2xx.</p>${table(
    {
      caption: "Deliveries",
      rows: deliveries.items,
      empty: "Nothing delivered yet.",
      columns: [
        { header: "Created", cell: (d) => when(d.createdAt, zone) },
        { header: "Event", cell: (d) => html`${d.eventType}<br><span class="muted">${d.eventId}</span>` },
        {
          header: "Why",
          cell: (d) => ({ event: "The event", redeliver: "Sent again", replay: "Replay" })[d.cause],
        },
        {
          header: "Status",
          cell: (d) =>
            html`${badge(d.status)}${d.nextAttemptAt ? html`<br><span class="muted">next ${when(d.nextAttemptAt, zone)}</span>` : ""}`,
        },
        { header: "Attempts", cell: (d) => attempts(d, zone) },
        ...(canResend
          ? [
              {
                header: "Actions",
                cell: (d: WebhookDelivery) =>
                  actionButton({
                    action: action("redeliver"),
                    label: "Send again",
                    csrfToken,
                    fields: { eventId: d.eventId, ...onceField() },
                  }),
              },
            ]
          : []),
      ],
    },
  )}`,
)}
${
  may(request, ops.replayWebhookEvents) && endpoint.active
    ? section(
        "Replay",
        html`<form method="post" action="${action("replay")}" class="stack-form">${csrfField(csrfToken)}<input type="hidden" name="once" value="${onceField().once}"><p class="muted">Sends the endpoint's events of these days (your time zone, ${zone}) again, oldest first, as new deliveries. Events are kept 90 days; at most 5 replays an hour.</p>${field({ name: "from", label: "From", type: "date", required: true, value: addDays(today, -1) }, "replay")}${field({ name: "to", label: "To (inclusive)", type: "date", required: true, value: today }, "replay")}<div class="form-actions"><button type="submit" class="button button-secondary">Replay</button></div></form>`,
      )
    : ""
}
${
  may(request, ops.updateWebhookEndpoint)
    ? html`${section(
        "Edit",
        html`<form method="post" action="${endpointPath(id)}" class="stack-form">${csrfField(csrfToken)}${endpointFields("edit", endpoint)}${field(
          {
            name: "active",
            label: "Deliveries",
            options: [
              ["true", "On"],
              ["false", "Off"],
            ],
            value: String(endpoint.active),
            hint: "Turning a disabled endpoint on gives it three fresh days",
          },
          "edit",
        )}<div class="form-actions"><button type="submit" class="button button-primary">Save</button></div></form>`,
      )}
${section(
  "Signing secret",
  html`<form method="post" action="${action("rotate-secret")}" class="stack-form">${csrfField(csrfToken)}<input type="hidden" name="once" value="${onceField().once}"><p class="muted">A new secret, shown once. The old one keeps signing beside it (the second signature in Kassa-Signature) for the time you choose, so your receiver can switch without missing a delivery.</p>${field(
    {
      name: "expireOldAfterHours",
      label: "The old secret stops signing",
      options: [
        ["0", "At once"],
        ["1", "In 1 hour"],
        ["24", "In 24 hours"],
        ["72", "In 3 days"],
        ["168", "In 7 days"],
      ],
      value: "24",
    },
    "rotate",
  )}<div class="form-actions"><button type="submit" class="button button-secondary">Rotate secret</button></div></form>`,
)}
${section("Delete", html`<p class="muted">Nothing more is delivered to it, and it cannot be undone.</p>${actionButton({ action: action("delete"), label: "Delete endpoint", csrfToken, tone: "danger", confirm: `Delete the endpoint ${endpoint.url}? Nothing more is delivered to it.` })}`)}`
    : ""
}`;
  return { kind: "page" as const, title: `Webhook ${endpoint.url}`, body: String(body) };
}

async function create(request: DashboardRequest) {
  const { form } = request;
  const description = form.get("description")?.trim();
  const input = bodyOf(ops.createWebhookEndpoint, {
    url: form.get("url") ?? "",
    events: eventsOf(form),
    ...(description ? { description } : {}),
  });
  const endpoint = await once(
    request,
    () => webhooks.createEndpoint(webhookPorts(request.clock), request.user.merchantId, input),
    { carriesSecret: true },
  );
  return secretPage({
    title: "Endpoint added",
    what: endpoint.url,
    secret: endpoint.secret,
    next: { href: endpointPath(endpoint.id), label: "Go to the endpoint" },
    about: html`<p class="muted">Your receiver verifies each delivery's <code>Kassa-Signature</code> header with it (README "Outbound webhooks").</p>`,
  });
}

async function update(request: DashboardRequest) {
  const { form } = request;
  const description = form.get("description")?.trim() ?? "";
  const active = form.get("active");
  const patch = bodyOf(ops.updateWebhookEndpoint, {
    url: form.get("url") ?? "",
    events: eventsOf(form),
    // Emptied: no description any more.
    description: description === "" ? null : description,
    ...(active === null ? {} : { active: active === "true" ? true : active === "false" ? false : active }),
  });
  const id = request.params.id ?? "";
  await webhooks.updateEndpoint(webhookPorts(request.clock), request.user.merchantId, id, patch);
  return { kind: "redirect" as const, location: endpointPath(id), notice: "Endpoint saved" };
}

async function rotate(request: DashboardRequest) {
  const hours = request.form.get("expireOldAfterHours") ?? "";
  const input = bodyOf(ops.rotateWebhookSecret, {
    expireOldAfterHours: /^\d+$/.test(hours) ? Number(hours) : hours,
  });
  const id = request.params.id ?? "";
  const endpoint = await once(
    request,
    () => webhooks.rotateSecret(webhookPorts(request.clock), request.user.merchantId, id, input),
    { carriesSecret: true },
  );
  return secretPage({
    title: "New signing secret",
    what: endpoint.url,
    secret: endpoint.secret,
    next: { href: endpointPath(id), label: "Back to the endpoint" },
    about: endpoint.previousSecretExpiresAt
      ? html`<p class="muted">The old secret keeps signing beside it until ${endpoint.previousSecretExpiresAt}.</p>`
      : html`<p class="muted">The old secret no longer signs.</p>`,
  });
}

async function remove(request: DashboardRequest) {
  await webhooks.deleteEndpoint(
    webhookPorts(request.clock),
    request.user.merchantId,
    request.params.id ?? "",
  );
  return {
    kind: "redirect" as const,
    location: path,
    notice: "Endpoint deleted: nothing more is delivered to it",
  };
}

async function redeliver(request: DashboardRequest) {
  const id = request.params.id ?? "";
  const { endpointId } = bodyOf(ops.redeliverEvent, { endpointId: id });
  const eventId = request.form.get("eventId") ?? "";
  // Once per rendered button: a double click sends the event again once.
  await once(request, () =>
    webhooks.redeliver(webhookPorts(request.clock), request.user.merchantId, eventId, endpointId),
  );
  return { kind: "redirect" as const, location: endpointPath(id), notice: `Sending ${eventId} again` };
}

/** A calendar day typed in the form, checked before it becomes an instant. */
function dayOf(form: URLSearchParams, name: string): string {
  const day = form.get(name)?.trim() ?? "";
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
    throw new ValidationError([{ path: name, message: "must be a date like 2026-03-01" }]);
  return day;
}

async function replay(request: DashboardRequest) {
  const { form } = request;
  const zone = (await merchantOf(request)).timeZone;
  // The days are the merchant's: from the first one's local midnight to the one after the last day.
  const range = bodyOf(ops.replayWebhookEvents, {
    from: startOfLocalDay(dayOf(form, "from"), zone).toISOString(),
    to: startOfLocalDay(addDays(dayOf(form, "to"), 1), zone).toISOString(),
  });
  const id = request.params.id ?? "";
  // Once per rendered form: a double submit does not spend a second of the hour's replays.
  await once(request, () => webhooks.replay(webhookPorts(request.clock), request.user.merchantId, id, range));
  return {
    kind: "redirect" as const,
    location: endpointPath(id),
    notice: `Replaying the events of ${form.get("from")} to ${form.get("to")}: they show below as they go out`,
  };
}

export const webhookRoutes: readonly DashboardRoute[] = [
  { method: "GET", path, permission: permissionFor(ops.listWebhookEndpoints), handle: endpointsPage },
  { method: "POST", path, permission: permissionFor(ops.createWebhookEndpoint), handle: create },
  {
    method: "GET",
    path: `${path}/{id}`,
    permission: permissionFor(ops.getWebhookEndpoint),
    handle: endpointPage,
  },
  {
    method: "POST",
    path: `${path}/{id}`,
    permission: permissionFor(ops.updateWebhookEndpoint),
    handle: update,
  },
  {
    method: "POST",
    path: `${path}/{id}/rotate-secret`,
    permission: permissionFor(ops.rotateWebhookSecret),
    handle: rotate,
  },
  {
    method: "POST",
    path: `${path}/{id}/delete`,
    permission: permissionFor(ops.deleteWebhookEndpoint),
    handle: remove,
  },
  {
    method: "POST",
    path: `${path}/{id}/redeliver`,
    permission: permissionFor(ops.redeliverEvent),
    handle: redeliver,
  },
  {
    method: "POST",
    path: `${path}/{id}/replay`,
    permission: permissionFor(ops.replayWebhookEvents),
    handle: replay,
  },
];
