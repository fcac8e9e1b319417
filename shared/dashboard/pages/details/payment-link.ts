/** The payment link page: what it sells, where it lives, how often it was used, and its timeline. */
import { updatePaymentLink } from "../../../api/payment-links.ts";
import { paymentLinkPorts } from "../../../composition.ts";
import { formatQuantity } from "../../../domain/format.ts";
import { getPaymentLink } from "../../../payment-links/service.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import { badge, facts, html, pageHeader, section, table, timeline, when } from "../../ui.ts";
import { shareSection } from "../links-subs/payment-links.ts";
import { may, merchantOf } from "./common.ts";
import { eventsOf } from "./timeline.ts";

async function paymentLinkPage(request: DashboardRequest) {
  const { merchantId } = request.user;
  const link = await getPaymentLink(paymentLinkPorts(request.clock), merchantId, request.params.id ?? "");
  const [merchant, events] = await Promise.all([merchantOf(request), eventsOf(merchantId, link.id)]);
  const zone = merchant.timeZone;
  const edit = may(request, updatePaymentLink)
    ? html`<a class="button button-secondary" href="/app/payment-links/${link.id}/edit">Edit</a>`
    : undefined;
  const body = html`${pageHeader(html`${link.name} ${badge(link.active ? "active" : "expired", link.active ? "active" : "inactive")}`, edit, link.id)}
${shareSection(link)}
${section(
  "Details",
  facts([
    ["Link", html`<a href="${link.url}">${link.url}</a>`],
    ["Currency", link.currency],
    ["Interval", link.interval?.replaceAll("_", " ")],
    ["Trial", link.trialDays ? `${link.trialDays} days` : undefined],
    ["Checkouts completed", String(link.timesRedeemed)],
    ["At most", link.maxRedemptions === undefined ? undefined : String(link.maxRedemptions)],
    ["Expires", link.expiresAt ? when(link.expiresAt, zone) : undefined],
    ["Discount codes", link.allowDiscountCodes ? "Allowed" : "Not allowed"],
    ["Created", when(link.createdAt, zone)],
  ]),
)}
${section(
  "Items",
  table({
    caption: "Items",
    rows: link.lineItems,
    empty: "No items.",
    columns: [
      { header: "Product", cell: (item) => item.productId },
      { header: "Quantity", numeric: true, cell: (item) => formatQuantity(item.quantity) },
      {
        header: "Buyer may choose",
        cell: (item) =>
          item.adjustableQuantity
            ? `${formatQuantity(item.adjustableQuantity.min)}–${formatQuantity(item.adjustableQuantity.max)}`
            : "",
      },
    ],
  }),
)}
${section("Timeline", timeline(events, zone))}`;
  return { kind: "page" as const, title: link.name, body: String(body) };
}

export const paymentLinkRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: "/app/payment-links/{id}", permission: "read", handle: paymentLinkPage },
];
