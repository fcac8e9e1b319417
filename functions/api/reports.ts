/** Reports: revenue, customers and top customers, each read from its rollups. */
import * as ops from "../../shared/api/reports.ts";
import { reportReadPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import * as reports from "../../shared/reports/service.ts";

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
]);
