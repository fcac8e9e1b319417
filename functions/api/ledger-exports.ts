/** Accounting exports: the ledger account mapping and the Xero / QuickBooks Online journal CSV. */
import * as ops from "../../shared/api/ledger-exports.ts";
import { ledgerExportPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import * as exportsService from "../../shared/ledger/exports-service.ts";

export const handler = apiHandler([
  route(ops.getAccountMapping, ({ principal, clock }) =>
    exportsService.getAccountMapping(ports(clock), principal.merchantId),
  ),
  route(ops.updateAccountMapping, ({ principal, clock, body }) =>
    exportsService.updateAccountMapping(ports(clock), principal.merchantId, body.accounts),
  ),
  route(ops.exportJournals, ({ principal, clock, params, query }) =>
    exportsService.exportJournals(ports(clock), principal.merchantId, params.format, query, `/v1/ledger/exports/${params.format}`),
  ),
]);
