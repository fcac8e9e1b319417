/**
 * The home page: the last 30 days' gross and net volume (the revenue report's daily rows), MRR (the
 * subscriptions report), open and overdue receivables (the receivables report) in one currency — the
 * merchant's default, or the one picked from those it has figures in — with the latest payments, the
 * renewals of the next 14 days and the open tasks. Every figure comes from the service behind the API's
 * own report or list, so the page and `GET /v1/reports/…` cannot disagree.
 */
import * as z from "zod";
import { currency as currencySchema } from "../../api/common.ts";
import {
  merchantPorts,
  paymentListPorts,
  receivablesPorts,
  reportReadPorts,
  subscriptionPorts,
  taskPorts,
  withSavedViews,
} from "../../composition.ts";
import { addDays, localDate } from "../../domain/calendar.ts";
import { ValidationError } from "../../domain/errors.ts";
import { formatMoney } from "../../domain/format.ts";
import { fieldErrors } from "../../http/validation.ts";
import { getMerchant } from "../../merchants/service.ts";
import { listPayments } from "../../payments/list.ts";
import { presentPayment } from "../../payments/payment.ts";
import { periodsOf } from "../../reports/periods.ts";
import { receivables } from "../../reports/receivables.ts";
import { revenueReport } from "../../reports/service.ts";
import { subscriptionsReport } from "../../reports/subscription-mrr.ts";
import { listSubscriptions } from "../../subscriptions/service.ts";
import { listTasks } from "../../tasks/service.ts";
import type { DashboardRequest, DashboardResult, DashboardRoute } from "../context.ts";
import { volumeSection } from "./reports-workflows/reports.ts";
import { badge, filterBar, html, money, pageHeader, section, stat, table, when, withQuery } from "../ui.ts";
import { lazy } from "../../lazy.ts";

/** The chart's days, today included. */
export const volumeDays = 30;
/** Renewals shown: those whose period ends within this many days. */
export const renewalDays = 14;
const shown = 5;
/** Active and trialing subscriptions read for renewals (newest first): a merchant with more sees those of the newest. */
const renewalScan = 100;

const invoices = (count: number, kind: string) => `${count} ${kind} ${count === 1 ? "invoice" : "invoices"}`;

const homeQuery = lazy(() => z.strictObject({ currency: currencySchema().optional() }));

async function home(request: DashboardRequest): Promise<DashboardResult> {
  const { clock } = request;
  const { merchantId } = request.user;
  const given = Object.fromEntries(request.query);
  const parsed = homeQuery().safeParse(given);
  if (!parsed.success) throw new ValidationError(fieldErrors(parsed.error.issues, given));

  const merchant = await getMerchant(merchantPorts(clock), merchantId);
  const tz = merchant.timeZone;
  const now = clock.now();
  const to = localDate(now, tz);
  const from = addDays(to, -(volumeDays - 1));
  const renewBy = new Date(now.getTime() + renewalDays * 86_400_000);

  const [revenue, mrr, owed, payments, renewing, tasks] = await Promise.all([
    revenueReport(reportReadPorts(clock), merchantId, { from, to, groupBy: "day" }),
    subscriptionsReport({ ...reportReadPorts(clock), clock }, merchantId, { from: to, to }),
    receivables(receivablesPorts(clock), merchantId, {}),
    listPayments(paymentListPorts(), merchantId, {}, { limit: shown }),
    Promise.all(
      (["active", "trialing"] as const).map((status) =>
        listSubscriptions(subscriptionPorts(clock), merchantId, { status }, { limit: renewalScan }),
      ),
    ),
    listTasks(withSavedViews(taskPorts(clock)), merchantId, { status: "open", limit: shown }),
  ]);

  const currencies = [
    ...new Set([
      merchant.defaultCurrency,
      ...revenue.data.map((r) => r.currency),
      ...mrr.data.map((r) => r.currency),
      ...owed.data.map((r) => r.currency),
    ]),
  ].sort();
  const currency = parsed.data.currency ?? merchant.defaultCurrency;

  const days = periodsOf(from, to, "day");
  const ofCurrency = revenue.data.filter((r) => r.currency === currency);
  const onDay = (day: string) => ofCurrency.find((r) => r.period === day);
  const gross = days.map((day) => onDay(day)?.grossVolume ?? 0);
  const net = days.map((day) => onDay(day)?.netVolume ?? 0);
  const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
  const monthMrr = mrr.data.find((r) => r.currency === currency)?.mrr ?? 0;
  const buckets = owed.data.filter((r) => r.currency === currency);
  const overdue = buckets.filter((r) => r.bucket !== "current");

  const upcoming = renewing
    .flatMap((page) => page.items)
    // A subscription set to cancel at its period's end does not renew.
    .filter(
      (s) =>
        !s.cancelAtPeriodEnd && s.currentPeriodEnd && Date.parse(s.currentPeriodEnd) <= renewBy.getTime(),
    )
    .sort((a, b) => Date.parse(a.currentPeriodEnd ?? "") - Date.parse(b.currentPeriodEnd ?? ""))
    .slice(0, shown);
  const latest = payments.items.map(presentPayment);
  const names = new Map(
    (
      await reportReadPorts(clock).customersNamed(merchantId, [
        ...new Set([...latest.map((p) => p.customerId), ...upcoming.map((s) => s.customerId)]),
      ])
    ).map((c) => [c.id, c.name ?? c.email]),
  );
  const customer = (id: string) => names.get(id) ?? id;

  const body = html`${pageHeader("Home", undefined, merchant.name)}
${
  currencies.length > 1
    ? filterBar({
        action: "/app/",
        fields: [
          {
            name: "currency",
            label: "Currency",
            value: currency,
            options: currencies.map((c) => [c, c] as const),
          },
        ],
      })
    : ""
}
<div class="stats">
${stat(`Gross volume, last ${volumeDays} days`, money(sum(gross), currency))}
${stat(`Net volume, last ${volumeDays} days`, money(sum(net), currency))}
${stat("MRR", money(monthMrr, currency), "This month")}
${stat(
  "Open receivables",
  money(sum(buckets.map((r) => r.amount)), currency),
  html`<a href="${withQuery("/app/invoices", { status: "open", currency })}">${invoices(sum(buckets.map((r) => r.count)), "open")}</a>`,
)}
${stat(
  "Overdue",
  money(sum(overdue.map((r) => r.amount)), currency),
  html`<a href="${withQuery("/app/invoices", { status: "overdue", currency })}">${invoices(sum(overdue.map((r) => r.count)), "overdue")}</a>`,
)}
</div>
${volumeSection({ per: "day", from, to, currency, labels: days, gross, net })}
${section(
  "Latest payments",
  table({
    caption: "Latest payments",
    columns: [
      {
        header: "Amount",
        cell: (p) =>
          html`<a href="/app/payments/${encodeURIComponent(p.id)}">${formatMoney(p.amount, p.currency)}</a>`,
      },
      { header: "Status", cell: (p) => badge(p.status) },
      { header: "Customer", cell: (p) => customer(p.customerId) },
      { header: "Date", cell: (p) => when(p.createdAt, tz) },
    ],
    rows: latest,
    empty: "No payments yet.",
  }),
  html`<a href="/app/payments">All payments</a>`,
)}
${section(
  "Upcoming renewals",
  table({
    caption: `Renewals in the next ${renewalDays} days`,
    columns: [
      {
        header: "Subscription",
        cell: (s) =>
          html`<a href="/app/subscriptions/${encodeURIComponent(s.id)}">${s.items.map((i) => i.description).join(", ") || s.id}</a>`,
      },
      { header: "Customer", cell: (s) => customer(s.customerId) },
      { header: "Status", cell: (s) => badge(s.status) },
      { header: "Renews", cell: (s) => when(s.currentPeriodEnd, tz) },
    ],
    rows: upcoming,
    empty: `No renewals in the next ${renewalDays} days.`,
  }),
  html`<a href="/app/subscriptions">All subscriptions</a>`,
)}
${section(
  "Open tasks",
  table({
    caption: "Open tasks",
    columns: [
      { header: "Task", cell: (t) => html`<a href="/app/tasks/${encodeURIComponent(t.id)}">${t.title}</a>` },
      {
        header: "Due",
        cell: (t) =>
          t.dueDate
            ? html`<time datetime="${t.dueDate}">${t.dueDate}</time>`
            : html`<span class="muted">—</span>`,
      },
    ],
    rows: tasks.items,
    empty: "No open tasks.",
  }),
  html`<a href="/app/tasks?status=open">All open tasks</a>`,
)}`;
  return { kind: "page", title: "Home", body: String(body) };
}

export const homeRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: "/app/", permission: "read", handle: home },
];
