/**
 * The subscription page: its items, period, renewal and pause or cancel state, its invoices and its
 * timeline; cancel (now or at the period's end), pause and resume through the API's use cases. A
 * button shows when the subscription's own rules (subscriptions/subscription.ts) would accept it.
 */
import * as ops from "../../../api/subscriptions.ts";
import { invoiceListPorts, subscriptionPorts } from "../../../composition.ts";
import { requireFound } from "../../../domain/errors.ts";
import { formatQuantity } from "../../../domain/format.ts";
import { listInvoices } from "../../../invoices/list.ts";
import * as subscriptions from "../../../subscriptions/service.ts";
import {
  canceledNow,
  presentSubscription,
  type StoredSubscription,
  terminalSubscriptionStatuses,
  withCancelAtPeriodEnd,
  withPause,
  withResume,
} from "../../../subscriptions/subscription.ts";
import { permissionFor } from "../../../users/roles.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import {
  actionButton,
  badge,
  facts,
  html,
  money,
  pageHeader,
  postForm,
  section,
  table,
  timeline,
  when,
} from "../../ui.ts";
import { bodyOf, may, merchantOf, objectLink, possible } from "./common.ts";
import { eventsOf } from "./timeline.ts";

const pathOf = (id: string) => `/app/subscriptions/${id}`;

/** The write controls the subscription's state allows now (the same checks its use cases make). */
function controls(request: DashboardRequest, stored: StoredSubscription) {
  const now = request.clock.now();
  const { id } = stored;
  const { csrfToken } = request;
  // Already set to cancel at the period's end: the request would change nothing.
  const cancelLater = !stored.cancelAtPeriodEnd && possible(() => withCancelAtPeriodEnd(stored, true, now));
  const buttons = html`${possible(() => withResume(stored, now)) ? actionButton({ action: `${pathOf(id)}/resume`, label: stored.status === "paused" ? "Resume" : "Call off the pause", csrfToken, tone: "primary" }) : ""}
${cancelLater ? actionButton({ action: `${pathOf(id)}/cancel`, label: "Cancel at period end", csrfToken, fields: { atPeriodEnd: "true" } }) : ""}
${possible(() => canceledNow(stored, now)) ? actionButton({ action: `${pathOf(id)}/cancel`, label: "Cancel now", csrfToken, tone: "danger", fields: { atPeriodEnd: "false" }, confirm: "Cancel this subscription now? No further invoices are made; nothing is refunded." }) : ""}`;
  const pause = possible(() => withPause(stored, undefined, now))
    ? section(
        "Pause",
        postForm({
          action: `${pathOf(id)}/pause`,
          csrfToken,
          idPrefix: "pause",
          submit: "Pause",
          fields: [
            {
              name: "resumesAt",
              label: "Resume on",
              type: "date",
              hint: "The pause begins when the period billed ends; leave empty to resume by hand",
            },
          ],
        }),
      )
    : "";
  return { buttons, pause };
}

async function subscriptionPage(request: DashboardRequest) {
  const { merchantId } = request.user;
  const ports = subscriptionPorts(request.clock);
  const found = requireFound(
    await ports.subscriptions.read(merchantId, request.params.id ?? ""),
    "Subscription",
  );
  const stored = found.value;
  const subscription = presentSubscription(stored);
  const [merchant, invoices, events] = await Promise.all([
    merchantOf(request),
    listInvoices(
      invoiceListPorts(request.clock),
      merchantId,
      { subscriptionId: subscription.id, sort: "createdAt" },
      { limit: 100 },
    ),
    eventsOf(merchantId, subscription.id),
  ]);
  const zone = merchant.timeZone;
  const { currency } = subscription;
  const write = may(request, ops.cancelSubscription) ? controls(request, stored) : { buttons: "", pause: "" };
  const change =
    may(request, ops.updateSubscription) && !terminalSubscriptionStatuses.includes(stored.status)
      ? html`<a class="button button-secondary" href="${pathOf(stored.id)}/change">Change items</a>`
      : "";
  const title = `Subscription ${subscription.id}`;
  const body = html`${pageHeader(html`Subscription ${badge(subscription.status)}`, html`${change}${write.buttons}`, subscription.id)}
${section(
  "Details",
  facts([
    ["Customer", objectLink("customers", subscription.customerId)],
    ["Status", badge(subscription.status)],
    ["Interval", subscription.interval.replaceAll("_", " ")],
    [
      "Collection",
      subscription.collectionMethod === "send_invoice" ? "Invoices sent" : "Charged automatically",
    ],
    [
      "Current period",
      subscription.currentPeriodStart
        ? html`${when(subscription.currentPeriodStart, zone, false)} – ${when(subscription.currentPeriodEnd, zone, false)}`
        : undefined,
    ],
    ["Next renewal", subscription.nextBillingAt ? when(subscription.nextBillingAt, zone) : undefined],
    ["Cancels at period end", subscription.cancelAtPeriodEnd ? "Yes" : "No"],
    ["Canceled", subscription.canceledAt ? when(subscription.canceledAt, zone) : undefined],
    ["Ended", subscription.endedAt ? when(subscription.endedAt, zone) : undefined],
    ["Pauses", subscription.pauseAt ? when(subscription.pauseAt, zone) : undefined],
    ["Resumes", subscription.resumesAt ? when(subscription.resumesAt, zone) : undefined],
    ["Trial ends", subscription.trialEnd ? when(subscription.trialEnd, zone) : undefined],
  ]),
)}
${section(
  "Items",
  table({
    caption: "Items",
    rows: subscription.items,
    empty: "No items.",
    columns: [
      { header: "Description", cell: (i) => i.description },
      { header: "Quantity", numeric: true, cell: (i) => formatQuantity(i.quantity) },
      { header: "Unit price", numeric: true, cell: (i) => money(i.unitAmount, currency) },
    ],
  }),
)}
${write.pause}
${section(
  "Invoices",
  table({
    caption: "Invoices of this subscription",
    rows: invoices.items,
    empty: "No invoices yet.",
    columns: [
      { header: "Invoice", cell: (i) => objectLink("invoices", i.id, i.number ?? "Draft") },
      { header: "Status", cell: (i) => badge(i.status) },
      { header: "Period", cell: (i) => (i.periodStart ? when(i.periodStart, zone, false) : "") },
      { header: "Total", numeric: true, cell: (i) => money(i.total, i.currency) },
    ],
  }),
)}
${section("Timeline", timeline(events, zone))}`;
  return { kind: "page" as const, title, body: String(body) };
}

const idOf = (request: DashboardRequest) => request.params.id ?? "";

export const subscriptionRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: "/app/subscriptions/{id}", permission: "read", handle: subscriptionPage },
  {
    method: "POST",
    path: "/app/subscriptions/{id}/cancel",
    permission: permissionFor(ops.cancelSubscription),
    async handle(request) {
      const input = bodyOf(ops.cancelSubscription, {
        atPeriodEnd: request.form.get("atPeriodEnd") === "true",
      });
      const id = idOf(request);
      const done = await subscriptions.cancelSubscription(
        subscriptionPorts(request.clock),
        request.user.merchantId,
        id,
        input,
      );
      return {
        kind: "redirect",
        location: pathOf(id),
        notice:
          done.status === "canceled"
            ? "Subscription canceled"
            : "The subscription cancels at the end of its period",
      };
    },
  },
  {
    method: "POST",
    path: "/app/subscriptions/{id}/pause",
    permission: permissionFor(ops.pauseSubscription),
    async handle(request) {
      const resumesAt = request.form.get("resumesAt")?.trim();
      const input = bodyOf(ops.pauseSubscription, resumesAt ? { resumesAt } : {});
      const id = idOf(request);
      await subscriptions.pauseSubscription(
        subscriptionPorts(request.clock),
        request.user.merchantId,
        id,
        input,
      );
      return {
        kind: "redirect",
        location: pathOf(id),
        notice: "The subscription pauses when the period billed ends",
      };
    },
  },
  {
    method: "POST",
    path: "/app/subscriptions/{id}/resume",
    permission: permissionFor(ops.resumeSubscription),
    async handle(request) {
      const id = idOf(request);
      await subscriptions.resumeSubscription(subscriptionPorts(request.clock), request.user.merchantId, id);
      return { kind: "redirect", location: pathOf(id), notice: "Subscription resumed" };
    },
  },
];
