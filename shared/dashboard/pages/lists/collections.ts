/**
 * The eight index pages' configurations: each list read as its API handler reads it (the same service
 * call with the same ports), its filter bar, search, columns and link text.
 */
import { listCustomers } from "../../../api/customers.ts";
import { createInvoice, listInvoices } from "../../../api/invoices.ts";
import {
  customerFilters,
  invoiceFilters,
  paymentFilters,
  paymentLinkFilters,
  payoutFilters,
  quoteFilters,
  subscriptionFilters,
  taskFilters,
} from "../../../api/list-filters.ts";
import { createPaymentLink, listPaymentLinks } from "../../../api/payment-links.ts";
import { listPayments } from "../../../api/payments.ts";
import { listPayouts } from "../../../api/payouts.ts";
import { createQuote, listQuotes } from "../../../api/quotes.ts";
import { createSubscription, listSubscriptions } from "../../../api/subscriptions.ts";
import { listTasks } from "../../../api/tasks.ts";
import {
  customerPorts,
  invoiceListPorts,
  paymentLinkPorts,
  paymentListPorts,
  payoutReadPorts,
  quotePorts,
  segmentPorts,
  subscriptionPorts,
  taskPorts,
  withSavedViews,
} from "../../../composition.ts";
import * as customers from "../../../customers/service.ts";
import { formatMoney } from "../../../domain/format.ts";
import * as invoices from "../../../invoices/list.ts";
import * as paymentLinks from "../../../payment-links/service.ts";
import * as payments from "../../../payments/list.ts";
import { presentPayment } from "../../../payments/payment.ts";
import * as payouts from "../../../payouts/service.ts";
import * as quotes from "../../../quotes/service.ts";
import { listSegmentCustomers } from "../../../segments/service.ts";
import * as subscriptions from "../../../subscriptions/service.ts";
import * as tasks from "../../../tasks/service.ts";
import { badge, type Html, html, money, when } from "../../ui.ts";
import { type IndexPage, indexRoutes, type ListOperation } from "./index-page.ts";
import { byCustomerEmail, byEmail, byNumberOrCustomerEmail } from "./search.ts";

const page = <O extends ListOperation>(config: IndexPage<O>) => indexRoutes(config);

/** A calendar date (YYYY-MM-DD) as it is: it has no time zone to convert from. */
const day = (date: string | null | undefined): Html =>
  date ? html`<time datetime="${date}">${date}</time>` : html`<span class="muted">—</span>`;

const currencyField = { name: "currency", label: "Currency", attributes: { maxlength: "3" } } as const;

export const invoicePage = page({
  collection: "invoices",
  object: "invoices",
  title: "Invoices",
  noun: "invoices",
  operation: listInvoices,
  filters: invoiceFilters(),
  filterFields: [
    { name: "status", label: "Status" },
    currencyField,
    { name: "dueAfter", label: "Due after", type: "date" },
    { name: "dueBefore", label: "Due before", type: "date" },
    {
      name: "sort",
      label: "Sort by",
      options: [
        ["createdAt", "Newest first"],
        ["dueDate", "Due date"],
      ],
    },
  ],
  search: byNumberOrCustomerEmail("INV-0042"),
  create: { label: "New invoice", operation: createInvoice },
  link: { header: "Number", text: (i) => i.number ?? "Draft" },
  columns: ({ timeZone }) => [
    { header: "Customer", cell: (i) => i.customer.name ?? i.customer.email },
    { header: "Status", cell: (i) => badge(i.overdue ? "overdue" : i.status) },
    { header: "Total", numeric: true, cell: (i) => money(i.total, i.currency) },
    { header: "Remaining", numeric: true, cell: (i) => money(i.amountRemaining, i.currency) },
    { header: "Due", cell: (i) => day(i.dueDate) },
    { header: "Created", cell: (i) => when(i.createdAt, timeZone) },
  ],
  list: (clock, merchantId, filters, at) =>
    invoices.listInvoices(invoiceListPorts(clock), merchantId, filters, at),
});

export const paymentPage = page({
  collection: "payments",
  object: "payments",
  title: "Payments",
  noun: "payments",
  operation: listPayments,
  filters: paymentFilters(),
  filterFields: [{ name: "status", label: "Status" }],
  search: byCustomerEmail("customerId"),
  link: { header: "Amount", text: (p) => formatMoney(p.amount, p.currency) },
  customerOf: (p) => p.customerId,
  columns: ({ timeZone, customer }) => [
    { header: "Status", cell: (p) => badge(p.status) },
    { header: "Customer", cell: (p) => customer(p.customerId) },
    { header: "Refunded", numeric: true, cell: (p) => money(p.amountRefunded, p.currency) },
    { header: "Net", numeric: true, cell: (p) => money(p.net, p.currency) },
    { header: "Created", cell: (p) => when(p.createdAt, timeZone) },
  ],
  list: async (_clock, merchantId, filters, at) => {
    const found = await payments.listPayments(paymentListPorts(), merchantId, filters, at);
    return { ...found, items: found.items.map(presentPayment) };
  },
});

export const subscriptionPage = page({
  collection: "subscriptions",
  object: "subscriptions",
  title: "Subscriptions",
  noun: "subscriptions",
  operation: listSubscriptions,
  filters: subscriptionFilters(),
  filterFields: [{ name: "status", label: "Status" }],
  search: byCustomerEmail("customerId"),
  create: { label: "New subscription", operation: createSubscription },
  link: { header: "Subscription", text: (s) => s.items.map((i) => i.description).join(", ") || s.id },
  customerOf: (s) => s.customerId,
  columns: ({ timeZone, customer }) => [
    { header: "Customer", cell: (s) => customer(s.customerId) },
    { header: "Status", cell: (s) => badge(s.status) },
    { header: "Interval", cell: (s) => s.interval.replaceAll("_", " ") },
    { header: "Period ends", cell: (s) => when(s.currentPeriodEnd, timeZone) },
    { header: "Created", cell: (s) => when(s.createdAt, timeZone) },
  ],
  list: (clock, merchantId, filters, at) =>
    subscriptions.listSubscriptions(subscriptionPorts(clock), merchantId, filters, at),
});

export const quotePage = page({
  collection: "quotes",
  object: "quotes",
  title: "Quotes",
  noun: "quotes",
  operation: listQuotes,
  filters: quoteFilters(),
  filterFields: [{ name: "status", label: "Status" }],
  search: byNumberOrCustomerEmail("Q-0007"),
  create: { label: "New quote", operation: createQuote },
  link: { header: "Number", text: (q) => q.number ?? "Draft" },
  columns: ({ timeZone }) => [
    { header: "Title", cell: (q) => q.title },
    { header: "Customer", cell: (q) => q.customer.name ?? q.customer.email },
    { header: "Status", cell: (q) => badge(q.status) },
    { header: "Total", numeric: true, cell: (q) => money(q.total, q.currency) },
    { header: "Expires", cell: (q) => when(q.expiresAt, timeZone) },
    { header: "Created", cell: (q) => when(q.createdAt, timeZone) },
  ],
  list: (clock, merchantId, filters, at) => quotes.listQuotes(quotePorts(clock), merchantId, filters, at),
});

export const paymentLinkPage = page({
  collection: "payment-links",
  object: "payment_links",
  title: "Payment links",
  noun: "payment links",
  operation: listPaymentLinks,
  filters: paymentLinkFilters(),
  filterFields: [
    {
      name: "active",
      label: "Active",
      options: [
        ["", "Any"],
        ["true", "Active"],
        ["false", "Inactive"],
      ],
    },
  ],
  create: { label: "New payment link", operation: createPaymentLink },
  link: { header: "Name", text: (l) => l.name },
  columns: ({ timeZone }) => [
    {
      header: "Status",
      cell: (l) => badge(l.active ? "active" : "expired", l.active ? "active" : "inactive"),
    },
    { header: "Currency", cell: (l) => l.currency },
    { header: "Interval", cell: (l) => l.interval?.replaceAll("_", " ") ?? "one-time" },
    { header: "Redeemed", numeric: true, cell: (l) => l.timesRedeemed },
    { header: "Created", cell: (l) => when(l.createdAt, timeZone) },
  ],
  list: (clock, merchantId, filters, at) =>
    paymentLinks.listPaymentLinks(withSavedViews(paymentLinkPorts(clock)), merchantId, { ...filters, ...at }),
});

export const customerPage = page({
  collection: "customers",
  object: "customers",
  title: "Customers",
  noun: "customers",
  operation: listCustomers,
  filters: customerFilters(),
  filterFields: [],
  search: byEmail,
  link: { header: "Email", text: (c) => c.email },
  columns: ({ timeZone }) => [
    { header: "Name", cell: (c) => c.name },
    { header: "Company", cell: (c) => c.companyName },
    { header: "Country", cell: (c) => c.address?.country },
    { header: "Created", cell: (c) => when(c.createdAt, timeZone) },
  ],
  list: (clock, merchantId, { segmentId, ...filters }, at) =>
    segmentId
      ? listSegmentCustomers(segmentPorts(clock), merchantId, segmentId, at, "400")
      : customers.listCustomers(withSavedViews(customerPorts(clock)), merchantId, { ...filters, ...at }),
});

export const payoutPage = page({
  collection: "payouts",
  object: "payouts",
  title: "Payouts",
  noun: "payouts",
  operation: listPayouts,
  filters: payoutFilters(),
  filterFields: [{ name: "status", label: "Status" }, currencyField],
  link: { header: "Day", text: (p) => p.date },
  columns: ({ timeZone }) => [
    { header: "Status", cell: (p) => badge(p.status) },
    { header: "Amount", numeric: true, cell: (p) => money(p.amount, p.currency) },
    { header: "Gross", numeric: true, cell: (p) => money(p.grossAmount, p.currency) },
    { header: "Fees", numeric: true, cell: (p) => money(p.feeTotal, p.currency) },
    { header: "Created", cell: (p) => when(p.createdAt, timeZone) },
  ],
  list: (_clock, merchantId, filters, at) =>
    payouts.listPayouts(withSavedViews(payoutReadPorts()), merchantId, { ...filters, ...at }),
});

export const taskPage = page({
  collection: "tasks",
  object: "tasks",
  title: "Tasks",
  noun: "tasks",
  operation: listTasks,
  filters: taskFilters(),
  filterFields: [
    { name: "status", label: "Status" },
    { name: "dueBefore", label: "Due before", type: "date" },
  ],
  search: byCustomerEmail("relatedTo"),
  link: { header: "Title", text: (t) => t.title },
  customerOf: (t) => t.related.customerId,
  columns: ({ timeZone, customer }) => [
    { header: "Status", cell: (t) => badge(t.status) },
    { header: "Due", cell: (t) => day(t.dueDate) },
    { header: "Customer", cell: (t) => customer(t.related.customerId) },
    { header: "Created", cell: (t) => when(t.createdAt, timeZone) },
  ],
  list: (clock, merchantId, filters, at) =>
    tasks.listTasks(withSavedViews(taskPorts(clock)), merchantId, { ...filters, ...at }),
});
