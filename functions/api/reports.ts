/** Reports: revenue, customers, top customers and subscriptions (MRR), each read from its rollups; receivables from the open invoices. */
import * as ops from "../../shared/api/reports.ts";
import { receivablesPorts, reportReadPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { receivables } from "../../shared/reports/receivables.ts";
import * as reports from "../../shared/reports/service.ts";
import { subscriptionsReport } from "../../shared/reports/subscription-mrr.ts";

export const handler = apiHandler([
  route(ops.getRevenueReport, ({ principal, clock, query }) =>
    reports.revenueReport(ports(clock), principal.merchantId, query),
  ),
  route(ops.getCustomersReport, ({ principal, clock, query }) =>
    reports.customersReport(ports(clock), principal.merchantId, query),
  ),
  route(ops.getTopCustomersReport, ({ principal, clock, query }) =>
    reports.topCustomersReport(ports(clock), principal.merchantId, query),
  ),
  route(ops.getSubscriptionsReport, ({ principal, clock, query }) =>
    subscriptionsReport({ ...ports(clock), clock }, principal.merchantId, query),
  ),
  route(ops.getReceivablesReport, ({ principal, clock, query }) =>
    receivables(receivablesPorts(clock), principal.merchantId, query),
  ),
]);
