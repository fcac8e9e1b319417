/**
 * The customer page: who they are, their credit balance, and everything of theirs — invoices,
 * payments, subscriptions and quotes, each the latest few through the list services with the
 * customer filter (the index page, filtered, has them all) — and their timeline.
 */
import {
  customerPorts,
  invoiceListPorts,
  paymentListPorts,
  quotePorts,
  subscriptionPorts,
} from "../../../composition.ts";
import { getCustomer } from "../../../customers/service.ts";
import { listInvoices } from "../../../invoices/list.ts";
import { listPayments } from "../../../payments/list.ts";
import { presentPayment } from "../../../payments/payment.ts";
import { listQuotes } from "../../../quotes/service.ts";
import { listSubscriptions } from "../../../subscriptions/service.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import {
  badge,
  facts,
  html,
  money,
  pageHeader,
  section,
  table,
  timeline,
  when,
  withQuery,
} from "../../ui.ts";
import { merchantOf, objectLink } from "./common.ts";
import { methodText } from "./payment.ts";
import { eventsOf } from "./timeline.ts";

/** Of each kind, the latest this many; the index page filtered by the customer lists them all. */
const latest = { limit: 10 };

const seeAll = (collection: string, customerId: string, more: boolean) =>
  more ? html`<a href="${withQuery(`/app/${collection}`, { customerId })}">See all</a>` : undefined;

async function customerPage(request: DashboardRequest) {
  const { merchantId } = request.user;
  const { clock } = request;
  const customer = await getCustomer(customerPorts(clock), merchantId, request.params.id ?? "");
  const filter = { customerId: customer.id };
  const [merchant, invoices, payments, subscriptions, quotes, events] = await Promise.all([
    merchantOf(request),
    listInvoices(invoiceListPorts(clock), merchantId, { ...filter, sort: "createdAt" }, latest),
    listPayments(paymentListPorts(), merchantId, filter, latest),
    listSubscriptions(subscriptionPorts(clock), merchantId, filter, latest),
    listQuotes(quotePorts(clock), merchantId, filter, latest),
    eventsOf(merchantId, customer.id),
  ]);
  const zone = merchant.timeZone;
  const title = customer.name ?? customer.email;
  const address = customer.address;
  const balances = Object.entries(customer.balance).filter(([, amount]) => amount !== 0);
  const body = html`${pageHeader(title, undefined, customer.companyName)}
${section(
  "Details",
  facts([
    ["Email", customer.email],
    ["Name", customer.name],
    ["Company", customer.companyName],
    ["Phone", customer.phone],
    [
      "Address",
      address
        ? [
            address.line1,
            address.line2,
            `${address.postalCode} ${address.city}`,
            address.state,
            address.country,
          ]
            .filter(Boolean)
            .join(", ")
        : undefined,
    ],
    [
      "Credit balance",
      balances.length > 0
        ? balances.map(([currency, amount], i) => html`${i > 0 ? ", " : ""}${money(amount, currency)}`)
        : undefined,
    ],
    ["Account owner", customer.accountOwner ? customer.accountOwner.email : undefined],
    ["Customer since", when(customer.createdAt, zone, false)],
  ]),
)}
${section(
  "Invoices",
  table({
    caption: "Invoices",
    rows: invoices.items,
    empty: "No invoices.",
    columns: [
      { header: "Invoice", cell: (i) => objectLink("invoices", i.id, i.number ?? "Draft") },
      { header: "Status", cell: (i) => badge(i.status) },
      { header: "Due", cell: (i) => i.dueDate },
      { header: "Total", numeric: true, cell: (i) => money(i.total, i.currency) },
    ],
  }),
  seeAll("invoices", customer.id, invoices.next !== undefined),
)}
${section(
  "Payments",
  table({
    caption: "Payments",
    rows: payments.items.map(presentPayment),
    empty: "No payments.",
    columns: [
      { header: "Payment", cell: (p) => objectLink("payments", p.id, methodText(p.method)) },
      { header: "Status", cell: (p) => badge(p.status) },
      { header: "Date", cell: (p) => when(p.paidAt ?? p.createdAt, zone) },
      { header: "Amount", numeric: true, cell: (p) => money(p.amount, p.currency) },
    ],
  }),
  seeAll("payments", customer.id, payments.next !== undefined),
)}
${section(
  "Subscriptions",
  table({
    caption: "Subscriptions",
    rows: subscriptions.items,
    empty: "No subscriptions.",
    columns: [
      {
        header: "Subscription",
        cell: (s) => objectLink("subscriptions", s.id, s.items.map((item) => item.description).join(", ")),
      },
      { header: "Status", cell: (s) => badge(s.status) },
      { header: "Interval", cell: (s) => s.interval.replaceAll("_", " ") },
      { header: "Next renewal", cell: (s) => when(s.nextBillingAt, zone, false) },
    ],
  }),
  seeAll("subscriptions", customer.id, subscriptions.next !== undefined),
)}
${section(
  "Quotes",
  table({
    caption: "Quotes",
    rows: quotes.items,
    empty: "No quotes.",
    columns: [
      { header: "Quote", cell: (q) => objectLink("quotes", q.id, q.number ?? "Draft") },
      { header: "Status", cell: (q) => badge(q.status) },
      { header: "Expires", cell: (q) => when(q.expiresAt, zone, false) },
      { header: "Total", numeric: true, cell: (q) => money(q.total, q.currency) },
    ],
  }),
  seeAll("quotes", customer.id, quotes.next !== undefined),
)}
${section("Timeline", timeline(events, zone))}`;
  return { kind: "page" as const, title, body: String(body) };
}

export const customerRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: "/app/customers/{id}", permission: "read", handle: customerPage },
];
