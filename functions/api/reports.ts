/**
 * Reports: revenue, customers, top customers and subscriptions (MRR), each read from its rollups;
 * receivables from the open invoices. Also the accounting exports (the ledger account mapping and the
 * Xero / QuickBooks Online journal CSV), served here rather than by a function of their own: the
 * stack stays under CloudFormation's 500 resources.
 */
import * as exportOps from "../../shared/api/ledger-exports.ts";
import * as ops from "../../shared/api/reports.ts";
import { ledgerExportPorts, receivablesPorts, reportReadPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import * as exportsService from "../../shared/ledger/exports-service.ts";
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
  route(exportOps.getAccountMapping, ({ principal, clock }) =>
    exportsService.getAccountMapping(ledgerExportPorts(clock), principal.merchantId),
  ),
  route(exportOps.updateAccountMapping, ({ principal, clock, body }) =>
    exportsService.updateAccountMapping(ledgerExportPorts(clock), principal.merchantId, body.accounts),
  ),
  route(exportOps.exportJournals, ({ principal, clock, params, query }) =>
    exportsService.exportJournals(
      ledgerExportPorts(clock),
      principal.merchantId,
      params.format,
      query,
      `/v1/ledger/exports/${params.format}`,
    ),
  ),
]);
