/**
 * The reports pages: revenue by day, week or month; MRR and its movements; receivables by age; top
 * customers — each a chart and a table over a range of the merchant's local days and one currency,
 * picked in a GET form, and the same rows as CSV (`?format=csv`). The query is checked by the API
 * operation's own schema (a 400 names the field) and the rows come from the service behind
 * `GET /v1/reports/…`, so a page, its CSV and the API cannot disagree.
 */
import type * as z from "zod";
import * as ops from "../../../api/reports.ts";
import { receivablesPorts, reportReadPorts } from "../../../composition.ts";
import { addDays, localDate } from "../../../domain/calendar.ts";
import type { FieldError } from "../../../domain/errors.ts";
import { formatMoney } from "../../../domain/format.ts";
import {
  amountColumn as amount,
  type CsvColumn,
  numberColumn as number,
  textColumn as text,
} from "../../../http/csv.ts";
import type { Operation } from "../../../http/operation.ts";
import { fieldErrors } from "../../../http/validation.ts";
import type { Merchant } from "../../../merchants/merchant.ts";
import { periodsOf } from "../../../reports/periods.ts";
import { type AgingBucket, receivables } from "../../../reports/receivables.ts";
import type { RevenueRow } from "../../../reports/rollups.ts";
import { revenueReport, type TopCustomerRow, topCustomersReport } from "../../../reports/service.ts";
import { subscriptionsReport } from "../../../reports/subscription-mrr.ts";
import { permissionFor } from "../../../users/roles.ts";
import type { DashboardRequest, DashboardResult, DashboardRoute } from "../../context.ts";
import {
  barChart,
  type Field,
  fieldProblems,
  filterBar,
  type Html,
  html,
  money,
  pageHeader,
  section,
  stat,
  table,
  tabs,
  withQuery,
} from "../../ui.ts";
import { merchantOf, words } from "../details/common.ts";

const base = "/app/reports";

/** Days a range covers when the form leaves `from` empty (revenue, top customers): today and the 29 before. */
const defaultDays = 30;
/** Months the MRR page covers when `from` is empty: this one and the 11 before. */
const defaultMonths = 12;

type MrrRow = Awaited<ReturnType<typeof subscriptionsReport>>["data"][number];
type ReceivablesRow = Awaited<ReturnType<typeof receivables>>["data"][number];

const bucketLabels: Record<AgingBucket, string> = {
  current: "Not yet due",
  "1_30": "1–30 days",
  "31_60": "31–60 days",
  "61_90": "61–90 days",
  over_90: "Over 90 days",
};

/** The CSV columns of each report: the API's field names, amounts in major units beside their currency. */
const revenueColumns: CsvColumn<RevenueRow>[] = [
  text("period", "YYYY-MM-DD (a day, or a week's Monday) or YYYY-MM", (r) => r.period),
  text("currency", "ISO 4217 code of the amounts", (r) => r.currency),
  amount("grossVolume", "Σ charges", (r) => r.grossVolume),
  amount("refunds", "Σ refunds", (r) => r.refunds),
  amount("disputesLost", "Σ lost disputes", (r) => r.disputesLost),
  amount("fees", "Σ processor fees", (r) => r.fees),
  amount("netVolume", "Net volume", (r) => r.netVolume),
  number("paymentCount", "Payments", (r) => r.paymentCount),
  number("refundCount", "Refunds", (r) => r.refundCount),
];
const mrrColumns: CsvColumn<MrrRow>[] = [
  text("period", "YYYY-MM", (r) => r.period),
  text("currency", "ISO 4217 code of the amounts", (r) => r.currency),
  amount("mrr", "MRR at the month's end", (r) => r.mrr),
  amount("arr", "12 × MRR", (r) => r.arr),
  number("activeSubscriptions", "Subscriptions in MRR", (r) => r.activeSubscriptions),
  amount("newMrr", "New MRR", (r) => r.newMrr),
  amount("expansionMrr", "Expansion MRR", (r) => r.expansionMrr),
  amount("contractionMrr", "Contraction MRR", (r) => r.contractionMrr),
  amount("churnedMrr", "Churned MRR", (r) => r.churnedMrr),
  amount("reactivationMrr", "Reactivation MRR", (r) => r.reactivationMrr),
  number("churnRate", "Churned ÷ MRR at the month's start", (r) => r.churnRate),
];
const receivablesColumns: CsvColumn<ReceivablesRow>[] = [
  text("currency", "ISO 4217 code of the amounts", (r) => r.currency),
  text("bucket", "Days past due", (r) => r.bucket),
  number("count", "Open invoices", (r) => r.count),
  amount("amount", "Σ amount remaining", (r) => r.amount),
];
const topColumns: CsvColumn<TopCustomerRow>[] = [
  text("customerId", "The customer's id", (r) => r.customerId),
  text("name", "Name", (r) => r.name),
  text("email", "Email", (r) => r.email),
  text("currency", "ISO 4217 code of the amounts", (r) => r.currency),
  amount("netPaid", "Net paid", (r) => r.netPaid),
  amount("grossPaid", "Gross paid", (r) => r.grossPaid),
  amount("refunded", "Refunded", (r) => r.refunded),
  number("paymentCount", "Payments", (r) => r.paymentCount),
];

/**
 * The page's query: the form's values over the defaults, checked by the API operation's schema
 * (`format` is the page's own); a 400 names the field as the API would.
 */
function readQuery<O extends Operation & { query: z.ZodType }>(
  request: DashboardRequest,
  operation: O,
  defaults: Record<string, string>,
): { given: Record<string, string>; query?: z.output<O["query"]>; csv: boolean; errors: FieldError[] } {
  const { format, ...rest } = Object.fromEntries(request.query);
  const given = { ...defaults, ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== "")) };
  const errors: FieldError[] =
    format === undefined || format === "csv"
      ? []
      : [{ path: "format", message: "must be csv (or left out)" }];
  const parsed = operation.query.safeParse(given);
  if (!parsed.success) errors.push(...fieldErrors(parsed.error.issues, given));
  return {
    given,
    csv: format === "csv",
    errors,
    ...(parsed.success ? { query: parsed.data as z.output<O["query"]> } : {}),
  };
}

const today = (request: DashboardRequest, merchant: Merchant) =>
  localDate(request.clock.now(), merchant.timeZone);

/** The first day of the month `months` before `date`'s. */
function monthsBefore(date: string, months: number): string {
  const [y, m] = date.split("-").map(Number) as [number, number];
  return new Date(Date.UTC(y, m - 1 - months, 1)).toISOString().slice(0, 10);
}

/** The currencies a picker offers: the merchant's default, those with figures, and the one asked. */
const currenciesOf = (merchant: Merchant, rows: readonly { currency: string }[], asked?: string) =>
  [...new Set([merchant.defaultCurrency, ...rows.map((r) => r.currency), ...(asked ? [asked] : [])])].sort();

const reportTabs = (path: string) =>
  tabs(
    "Reports",
    [
      { label: "Revenue", href: base },
      { label: "MRR", href: `${base}/mrr` },
      { label: "Receivables", href: `${base}/receivables` },
      { label: "Top customers", href: `${base}/top-customers` },
    ].map((t) => ({ ...t, current: t.href === path })),
  );

const rangeFields = (given: Record<string, string>): Field[] => [
  { name: "from", label: "From", type: "date", value: given.from ?? "", required: true },
  { name: "to", label: "To", type: "date", value: given.to ?? "", required: true },
];

const currencyField = (currencies: readonly string[], value: string): Field => ({
  name: "currency",
  label: "Currency",
  value,
  options: currencies.map((c) => [c, c] as const),
});

/** A report's rows as a CSV download named after the report and its range. */
async function csvFile<T>(
  name: string,
  columns: readonly CsvColumn<T>[],
  rows: readonly T[],
): Promise<DashboardResult> {
  const { csvHeader, csvLine } = await import("../../../http/csv-writer.ts");
  return {
    kind: "file",
    contentType: "text/csv; charset=utf-8",
    filename: `${name}.csv`,
    body: csvHeader(columns as readonly CsvColumn<never>[]) + rows.map((r) => csvLine(columns, r)).join(""),
  };
}

/** A report page: its tabs, its form, then the problems with the query (400) or the figures. */
function reportPage(input: {
  title: string;
  path: string;
  subtitle: string;
  fields: readonly Field[];
  given: Record<string, string>;
  errors: readonly FieldError[];
  figures?: () => Html;
}): DashboardResult {
  const csvLink = html`<a class="button button-secondary" href="${withQuery(input.path, { ...input.given, format: "csv" })}" download>Download CSV</a>`;
  const body = html`${pageHeader("Reports", input.errors.length === 0 ? csvLink : "", input.subtitle)}
${reportTabs(input.path)}
${filterBar({ action: input.path, fields: input.fields })}
${input.errors.length > 0 ? fieldProblems("This report can't be read with these values", input.errors) : input.figures?.()}`;
  return {
    kind: "page",
    title: `${input.title} · Reports`,
    body: String(body),
    ...(input.errors.length > 0 ? { status: 400 } : {}),
  };
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

async function revenuePage(request: DashboardRequest): Promise<DashboardResult> {
  const merchant = await merchantOf(request);
  const to = today(request, merchant);
  const read = readQuery(request, ops.getRevenueReport, {
    from: addDays(to, -(defaultDays - 1)),
    to,
    groupBy: "day",
    currency: merchant.defaultCurrency,
  });
  const { given, query } = read;
  const fields = (currencies: readonly string[]): Field[] => [
    ...rangeFields(given),
    {
      name: "groupBy",
      label: "Per",
      value: given.groupBy ?? "day",
      options: [
        ["day", "Day"],
        ["week", "Week (from Monday)"],
        ["month", "Month"],
      ],
    },
    currencyField(currencies, given.currency ?? merchant.defaultCurrency),
  ];
  const page = {
    title: "Revenue",
    path: base,
    subtitle: "Payments less refunds, lost disputes and fees",
    given,
  };
  if (!query) return reportPage({ ...page, fields: fields(currenciesOf(merchant, [])), errors: read.errors });
  const { currency: asked, ...all } = query;
  const report = await revenueReport(reportReadPorts(request.clock), merchant.id, all);
  const currency = asked ?? merchant.defaultCurrency;
  const rows = report.data.filter((r) => r.currency === currency);
  if (read.csv) return csvFile(`revenue-${currency}-${query.from}-${query.to}`, revenueColumns, rows);
  const periods = periodsOf(query.from, query.to, query.groupBy);
  const of = (period: string) => rows.find((r) => r.period === period);
  const gross = periods.map((p) => of(p)?.grossVolume ?? 0);
  const net = periods.map((p) => of(p)?.netVolume ?? 0);
  const format = (value: number) => formatMoney(value, currency);
  return reportPage({
    ...page,
    fields: fields(currenciesOf(merchant, report.data, currency)),
    errors: read.errors,
    figures: () => html`<div class="stats">
${stat("Gross volume", money(sum(gross), currency))}
${stat("Net volume", money(sum(net), currency))}
${stat("Payments", String(sum(rows.map((r) => r.paymentCount))))}
${stat("Refunded", money(sum(rows.map((r) => r.refunds)), currency))}
</div>
${volumeSection({ per: query.groupBy, from: query.from, to: query.to, currency, labels: periods, gross, net })}
${section(
  "By period",
  table({
    caption: `Revenue per ${query.groupBy} (${currency})`,
    rows,
    empty: "No payments, refunds or fees in this range.",
    columns: [
      { header: "Period", cell: (r) => r.period },
      { header: "Gross", numeric: true, cell: (r) => format(r.grossVolume) },
      { header: "Refunds", numeric: true, cell: (r) => format(r.refunds) },
      { header: "Disputes lost", numeric: true, cell: (r) => format(r.disputesLost) },
      { header: "Fees", numeric: true, cell: (r) => format(r.fees) },
      { header: "Net", numeric: true, cell: (r) => format(r.netVolume) },
      { header: "Payments", numeric: true, cell: (r) => r.paymentCount },
    ],
  }),
)}`,
  });
}

async function mrrPage(request: DashboardRequest): Promise<DashboardResult> {
  const merchant = await merchantOf(request);
  const to = today(request, merchant);
  const read = readQuery(request, ops.getSubscriptionsReport, {
    from: monthsBefore(to, defaultMonths - 1),
    to,
    currency: merchant.defaultCurrency,
  });
  const { given, query } = read;
  const fields = (currencies: readonly string[]) => [
    ...rangeFields(given),
    currencyField(currencies, given.currency ?? merchant.defaultCurrency),
  ];
  const page = {
    title: "MRR",
    path: `${base}/mrr`,
    subtitle: "Monthly recurring revenue at each month's end, and what moved it",
    given,
  };
  if (!query) return reportPage({ ...page, fields: fields(currenciesOf(merchant, [])), errors: read.errors });
  const { currency: asked, ...all } = query;
  const report = await subscriptionsReport(
    { ...reportReadPorts(request.clock), clock: request.clock },
    merchant.id,
    all,
  );
  const currency = asked ?? merchant.defaultCurrency;
  const rows = report.data.filter((r) => r.currency === currency);
  if (read.csv) return csvFile(`mrr-${currency}-${query.from}-${query.to}`, mrrColumns, rows);
  const months = periodsOf(query.from, query.to, "month");
  const of = (month: string) => rows.find((r) => r.period === month);
  const format = (value: number) => formatMoney(value, currency);
  const latest = rows.at(-1);
  return reportPage({
    ...page,
    fields: fields(currenciesOf(merchant, report.data, currency)),
    errors: read.errors,
    figures: () => html`<div class="stats">
${stat("MRR", money(latest?.mrr ?? 0, currency), latest?.period)}
${stat("ARR", money(latest?.arr ?? 0, currency))}
${stat("Active subscriptions", String(latest?.activeSubscriptions ?? 0))}
</div>
${section(
  "MRR movements",
  barChart({
    title: `MRR gained and lost per month, ${months[0]} to ${months.at(-1)} (${currency})`,
    summary: `gained ${format(sum(rows.map(gained)))}, lost ${format(sum(rows.map(lost)))}`,
    labels: months,
    labelHeader: "Month",
    series: [
      { name: "Gained (new, expansion, reactivation)", values: months.map((m) => gained(of(m))), tone: "a" },
      { name: "Lost (contraction, churn)", values: months.map((m) => lost(of(m))), tone: "b" },
    ],
    format,
  }),
)}
${section(
  "By month",
  table({
    caption: `MRR per month (${currency})`,
    rows,
    empty: "No subscriptions in MRR in this range.",
    columns: [
      { header: "Month", cell: (r) => r.period },
      { header: "MRR", numeric: true, cell: (r) => format(r.mrr) },
      { header: "Active", numeric: true, cell: (r) => r.activeSubscriptions },
      { header: "New", numeric: true, cell: (r) => format(r.newMrr) },
      { header: "Expansion", numeric: true, cell: (r) => format(r.expansionMrr) },
      { header: "Reactivation", numeric: true, cell: (r) => format(r.reactivationMrr) },
      { header: "Contraction", numeric: true, cell: (r) => format(r.contractionMrr) },
      { header: "Churned", numeric: true, cell: (r) => format(r.churnedMrr) },
      {
        header: "Churn rate",
        numeric: true,
        cell: (r) => (r.churnRate === null ? "—" : `${(r.churnRate * 100).toFixed(2)} %`),
      },
    ],
  }),
)}`,
  });
}

const gained = (r: MrrRow | undefined) => (r ? r.newMrr + r.expansionMrr + r.reactivationMrr : 0);
const lost = (r: MrrRow | undefined) => (r ? r.contractionMrr + r.churnedMrr : 0);

async function receivablesPage(request: DashboardRequest): Promise<DashboardResult> {
  const merchant = await merchantOf(request);
  const read = readQuery(request, ops.getReceivablesReport, { currency: merchant.defaultCurrency });
  const { given, query } = read;
  const fields = (currencies: readonly string[]) => [
    currencyField(currencies, given.currency ?? merchant.defaultCurrency),
  ];
  const page = {
    title: "Receivables",
    path: `${base}/receivables`,
    subtitle: "Open invoices as of now, by how long they are past due",
    given,
  };
  if (!query) return reportPage({ ...page, fields: fields(currenciesOf(merchant, [])), errors: read.errors });
  const { currency: asked, ...all } = query;
  const report = await receivables(receivablesPorts(request.clock), merchant.id, all);
  const currency = asked ?? merchant.defaultCurrency;
  const rows = report.data.filter((r) => r.currency === currency);
  if (read.csv)
    return csvFile(`receivables-${currency}-${report.asOf.slice(0, 10)}`, receivablesColumns, rows);
  const format = (value: number) => formatMoney(value, currency);
  const overdue = rows.filter((r) => r.bucket !== "current");
  return reportPage({
    ...page,
    fields: fields(currenciesOf(merchant, report.data, currency)),
    errors: read.errors,
    figures: () => html`<div class="stats">
${stat("Open", money(sum(rows.map((r) => r.amount)), currency), `${sum(rows.map((r) => r.count))} invoices`)}
${stat(
  "Overdue",
  money(sum(overdue.map((r) => r.amount)), currency),
  html`<a href="${withQuery("/app/invoices", { status: "overdue", currency })}">${sum(overdue.map((r) => r.count))} invoices</a>`,
)}
</div>
${section(
  "Aging",
  barChart({
    title: `Amount remaining by days past due (${currency})`,
    summary: `open ${format(sum(rows.map((r) => r.amount)))}, overdue ${format(sum(overdue.map((r) => r.amount)))}`,
    labels: rows.map((r) => bucketLabels[r.bucket]),
    labelHeader: "Past due",
    series: [{ name: "Amount remaining", values: rows.map((r) => r.amount), tone: "a" }],
    format,
  }),
)}
${section(
  "By age",
  table({
    caption: `Receivables by days past due (${currency})`,
    rows,
    empty: `No open invoices in ${currency}.`,
    columns: [
      { header: "Past due", cell: (r) => bucketLabels[r.bucket] },
      { header: "Invoices", numeric: true, cell: (r) => r.count },
      { header: "Amount remaining", numeric: true, cell: (r) => format(r.amount) },
    ],
  }),
)}`,
  });
}

async function topCustomersPage(request: DashboardRequest): Promise<DashboardResult> {
  const merchant = await merchantOf(request);
  const to = today(request, merchant);
  const read = readQuery(request, ops.getTopCustomersReport, {
    from: addDays(to, -(defaultDays - 1)),
    to,
    currency: merchant.defaultCurrency,
    limit: "10",
  });
  const { given, query } = read;
  const fields = (currencies: readonly string[]): Field[] => [
    ...rangeFields(given),
    currencyField(currencies, given.currency ?? merchant.defaultCurrency),
    {
      name: "limit",
      label: "Customers",
      type: "number",
      value: given.limit ?? "10",
      attributes: { min: "1", max: "100" },
    },
  ];
  const page = {
    title: "Top customers",
    path: `${base}/top-customers`,
    subtitle: "Who paid most over the range, net of refunds and lost disputes",
    given,
  };
  if (!query) return reportPage({ ...page, fields: fields(currenciesOf(merchant, [])), errors: read.errors });
  const { currency: asked, ...all } = query;
  const report = await topCustomersReport(reportReadPorts(request.clock), merchant.id, all);
  const currency = asked ?? merchant.defaultCurrency;
  const rows = report.data.filter((r) => r.currency === currency);
  if (read.csv) return csvFile(`top-customers-${currency}-${query.from}-${query.to}`, topColumns, rows);
  const format = (value: number) => formatMoney(value, currency);
  const named = (r: TopCustomerRow) => r.name ?? r.email ?? r.customerId;
  return reportPage({
    ...page,
    fields: fields(currenciesOf(merchant, report.data, currency)),
    errors: read.errors,
    figures: () => html`${section(
      "Net paid",
      barChart({
        title: `Net paid per customer, ${query.from} to ${query.to} (${currency})`,
        summary: `${rows.length} customers, ${format(sum(rows.map((r) => r.netPaid)))} in all`,
        labels: rows.map(named),
        labelHeader: "Customer",
        series: [{ name: "Net paid", values: rows.map((r) => r.netPaid), tone: "a" }],
        format,
      }),
    )}
${section(
  "Customers",
  table({
    caption: `Top customers (${currency})`,
    rows,
    empty: "No customer paid in this range.",
    columns: [
      {
        header: "Customer",
        cell: (r) => html`<a href="/app/customers/${encodeURIComponent(r.customerId)}">${named(r)}</a>`,
      },
      { header: "Net paid", numeric: true, cell: (r) => format(r.netPaid) },
      { header: "Gross paid", numeric: true, cell: (r) => format(r.grossPaid) },
      { header: "Refunded", numeric: true, cell: (r) => format(r.refunded) },
      { header: "Payments", numeric: true, cell: (r) => r.paymentCount },
    ],
  }),
)}`,
  });
}

export const reportRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: base, permission: permissionFor(ops.getRevenueReport), handle: revenuePage },
  {
    method: "GET",
    path: `${base}/mrr`,
    permission: permissionFor(ops.getSubscriptionsReport),
    handle: mrrPage,
  },
  {
    method: "GET",
    path: `${base}/receivables`,
    permission: permissionFor(ops.getReceivablesReport),
    handle: receivablesPage,
  },
  {
    method: "GET",
    path: `${base}/top-customers`,
    permission: permissionFor(ops.getTopCustomersReport),
    handle: topCustomersPage,
  },
];

/** Gross and net volume per period as bars: the revenue report's range, and the home page's last days. */
export function volumeSection(input: {
  per: string;
  from: string;
  to: string;
  currency: string;
  labels: readonly string[];
  gross: readonly number[];
  net: readonly number[];
}): Html {
  const format = (value: number) => formatMoney(value, input.currency);
  return section(
    "Volume",
    barChart({
      title: `Gross and net volume per ${input.per}, ${input.from} to ${input.to} (${input.currency})`,
      summary: `gross ${format(sum(input.gross))}, net ${format(sum(input.net))}`,
      labels: input.labels,
      labelHeader: words(input.per),
      series: [
        { name: "Gross", values: input.gross, tone: "a" },
        { name: "Net", values: input.net, tone: "b" },
      ],
      format,
    }),
  );
}
