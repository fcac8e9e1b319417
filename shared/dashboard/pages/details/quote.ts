/**
 * The quote page: its facts and lines, the signers and their signatures, the audit trail exactly as
 * the signed PDF lists it (the same `auditTrail`), its timeline, and the published and signed PDFs
 * the API serves.
 */
import * as ops from "../../../api/quotes.ts";
import { quotePorts } from "../../../composition.ts";
import { translator } from "../../../i18n/translator.ts";
import { quotePdfResponse, signedQuotePdfs } from "../../../quotes/pdf-response.ts";
import * as quotes from "../../../quotes/service.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import { badge, facts, html, money, pageHeader, section, table, timeline, when } from "../../ui.ts";
import { download, may, merchantOf, objectLink } from "./common.ts";
import { lines } from "./invoice.ts";
import { eventsOf } from "./timeline.ts";

const pathOf = (id: string) => `/app/quotes/${id}`;

/** The dashboard reads in English; the audit trail's words come from the same catalog as the PDF's. */
const dashboardWords = translator("en-US");

async function quotePage(request: DashboardRequest) {
  const { merchantId } = request.user;
  const quote = await quotes.getQuote(quotePorts(request.clock), merchantId, request.params.id ?? "");
  const [merchant, events, { auditTrail }] = await Promise.all([
    merchantOf(request),
    eventsOf(merchantId, quote.id),
    signedQuotePdfs(),
  ]);
  const zone = merchant.timeZone;
  const { currency } = quote;
  const accepted = quote.status === "accepted";
  const title = quote.number ? `Quote ${quote.number}` : "Draft quote";
  const downloads = html`${quote.status === "draft" && may(request, ops.updateQuote) ? html`<a class="button button-primary" href="${pathOf(quote.id)}/edit">Edit</a>` : ""}
${quote.status === "draft" ? "" : html`<a class="button button-secondary" href="${pathOf(quote.id)}/pdf">Download PDF</a>`}
${accepted ? html`<a class="button button-secondary" href="${pathOf(quote.id)}/signed-pdf">Download signed PDF</a>` : ""}`;
  const body = html`${pageHeader(html`${title} ${badge(quote.status)}`, downloads, quote.title ?? quote.customer.email)}
${section(
  "Details",
  facts([
    ["Customer", objectLink("customers", quote.customerId, quote.customer.name ?? quote.customer.email)],
    ["Currency", currency],
    ["Total", money(quote.total, currency)],
    ["One-time", money(quote.upfrontTotal, currency)],
    [
      "Recurring",
      quote.recurringInterval
        ? html`${money(quote.recurringTotal, currency)} per ${quote.recurringInterval.replaceAll("_", " ")}`
        : undefined,
    ],
    ["Expires", when(quote.expiresAt, zone)],
    ["Published", quote.publishedAt ? when(quote.publishedAt, zone) : undefined],
    ["Accepted", quote.acceptedAt ? when(quote.acceptedAt, zone) : undefined],
    [
      "Declined",
      quote.declinedAt ? html`${when(quote.declinedAt, zone)} ${quote.declineReason ?? ""}` : undefined,
    ],
    ["Signature", quote.requireSignature ? "Required" : "Not required"],
    [
      "Buyer's page",
      quote.hostedUrl ? html`<a href="${quote.hostedUrl}">Open the customer's page</a>` : undefined,
    ],
    ["Invoice", quote.invoiceId ? objectLink("invoices", quote.invoiceId) : undefined],
    ["Subscription", quote.subscriptionId ? objectLink("subscriptions", quote.subscriptionId) : undefined],
  ]),
)}
${section("Lines", lines(quote))}
${section(
  "Signers",
  html`${table({
    caption: "Signatures",
    rows: quote.signatures ?? [],
    empty: quote.requireSignature ? "Not signed yet." : "No signatures: the quote needs none.",
    columns: [
      { header: "Name", cell: (s) => s.name },
      { header: "Email", cell: (s) => s.email },
      { header: "Role", cell: (s) => s.role },
      { header: "Signed", cell: (s) => when(s.signedAt, zone) },
    ],
  })}
${
  quote.countersigners.length > 0
    ? html`<p class="muted">Countersigners: ${quote.countersigners.map((c, i) => html`${i > 0 ? ", " : ""}${c.name} (${c.email})`)}</p>`
    : ""
}`,
)}
${section(
  "Audit trail",
  table({
    caption: "Audit trail",
    rows: auditTrail(quote, merchant, dashboardWords),
    empty: "Nothing recorded yet: the trail starts when the quote is published.",
    columns: [
      { header: "Event", cell: (e) => e.event },
      { header: "When", cell: (e) => when(e.at, zone) },
      { header: "By", cell: (e) => [e.actor.name, e.actor.email, e.actor.role].filter(Boolean).join(" · ") },
      { header: "IP address", cell: (e) => e.ip },
      { header: "User agent", cell: (e) => e.userAgent },
    ],
  }),
)}
${section("Timeline", timeline(events, zone))}`;
  return { kind: "page" as const, title, body: String(body) };
}

export const quoteRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: "/app/quotes/{id}", permission: "read", handle: quotePage },
  {
    method: "GET",
    path: "/app/quotes/{id}/pdf",
    permission: "read",
    async handle(request) {
      const ports = quotePorts(request.clock);
      return download(
        quotePdfResponse(await quotes.getQuotePdf(ports, request.user.merchantId, request.params.id ?? "")),
      );
    },
  },
  {
    method: "GET",
    path: "/app/quotes/{id}/signed-pdf",
    permission: "read",
    async handle(request) {
      const { getSignedQuotePdf } = await signedQuotePdfs();
      const ports = quotePorts(request.clock);
      const signed = await getSignedQuotePdf(ports, request.user.merchantId, request.params.id ?? "");
      return download(quotePdfResponse(signed, true));
    },
  },
];
