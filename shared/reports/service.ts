/**
 * The report reads: one Query per report over its rollup items (top customers: one per whole-month
 * run and per edge-day run), so a report costs O(periods), never a scan of payments.
 */
import { addDays } from "../domain/calendar.ts";
import { NotFoundError } from "../domain/errors.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
import { type Grain, monthsAndDays, periodOf, periodsOf } from "./periods.ts";
import type { ReportReadPorts, Rollup } from "./ports.ts";
import {
  type CustomersRow,
  type CustomerTotal,
  customersRows,
  type RevenueRow,
  reportKeys,
  revenueRows,
  topCustomers,
} from "./rollups.ts";

/** A report's range of the merchant's local days (`to` inclusive; checked by `rangeProblem`) and its mode. */
export interface ReportRange {
  from: string;
  to: string;
  /** The mode to read; the merchant's current one when absent. */
  livemode?: boolean | undefined;
}

export interface Report<Row> {
  livemode: boolean;
  data: Row[];
}

async function modeOf(
  ports: ReportReadPorts,
  merchantId: string,
  asked: boolean | undefined,
): Promise<boolean> {
  if (asked !== undefined) return asked;
  const merchant: Merchant | undefined = await ports.merchantOf(merchantId);
  if (!merchant) throw new NotFoundError("Merchant");
  return merchantLivemode(merchant);
}

const readGrain = (
  ports: ReportReadPorts,
  merchantId: string,
  report: string,
  livemode: boolean,
  grain: Grain,
  from: string,
  to: string,
): Promise<Rollup[]> =>
  ports.rollups.read(merchantId, {
    report,
    livemode,
    grain,
    fromPeriod: periodOf(from, grain),
    toPeriod: periodOf(to, grain),
  });

export async function revenueReport(
  ports: ReportReadPorts,
  merchantId: string,
  query: ReportRange & { groupBy: Grain; currency?: string | undefined },
): Promise<Report<RevenueRow>> {
  const livemode = await modeOf(ports, merchantId, query.livemode);
  const items = await readGrain(
    ports,
    merchantId,
    reportKeys.revenue,
    livemode,
    query.groupBy,
    query.from,
    query.to,
  );
  return { livemode, data: revenueRows(items, query.currency) };
}

export async function customersReport(
  ports: ReportReadPorts,
  merchantId: string,
  query: ReportRange & { groupBy: Grain },
): Promise<Report<CustomersRow>> {
  const livemode = await modeOf(ports, merchantId, query.livemode);
  const items = await readGrain(
    ports,
    merchantId,
    reportKeys.customers,
    livemode,
    query.groupBy,
    query.from,
    query.to,
  );
  return { livemode, data: customersRows(periodsOf(query.from, query.to, query.groupBy), items) };
}

export interface TopCustomerRow extends CustomerTotal {
  name: string | null;
  email: string | null;
}

/** Consecutive days as [first, last] runs: one Query each. */
function runs(days: readonly string[]): [string, string][] {
  const found: [string, string][] = [];
  for (const day of days) {
    const last = found.at(-1);
    if (last && addDays(last[1], 1) === day) last[1] = day;
    else found.push([day, day]);
  }
  return found;
}

/**
 * The customers who paid most over the range, per currency: the range's whole months are read from
 * month items and its loose edge days from day items (≤ 12 + 60 periods of customer tallies), never
 * the payments themselves. Names and emails are the customers' current ones.
 */
export async function topCustomersReport(
  ports: ReportReadPorts,
  merchantId: string,
  query: ReportRange & { limit: number; currency?: string | undefined },
): Promise<Report<TopCustomerRow>> {
  const livemode = await modeOf(ports, merchantId, query.livemode);
  const { months, days } = monthsAndDays(query.from, query.to);
  const reads = [
    ...runs(days).map(([first, last]) =>
      readGrain(ports, merchantId, reportKeys.top, livemode, "day", first, last),
    ),
    ...(months.length > 0
      ? [
          ports.rollups.read(merchantId, {
            report: reportKeys.top,
            livemode,
            grain: "month",
            fromPeriod: months[0] ?? "",
            toPeriod: months.at(-1) ?? "",
          }),
        ]
      : []),
  ];
  const totals = topCustomers((await Promise.all(reads)).flat(), query.limit, query.currency);
  const customers = new Map(
    (await ports.customersNamed(merchantId, [...new Set(totals.map((total) => total.customerId))])).map(
      (c) => [c.id, c],
    ),
  );
  return {
    livemode,
    data: totals.map(({ customerId, ...total }) => ({
      customerId,
      name: customers.get(customerId)?.name ?? null,
      email: customers.get(customerId)?.email ?? null,
      ...total,
    })),
  };
}
