/**
 * The ledger: its entries (JSON or CSV) and trial balance, the merchant's mapping of Kassa's accounts
 * to a chart of accounts, and the journal exports for Xero and QuickBooks Online.
 */
import * as exportOps from "../../shared/api/ledger-exports.ts";
import * as ledgerOps from "../../shared/api/ledger.ts";
import { ledgerExportPorts, ledgerPorts } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { listResponse } from "../../shared/http/list.ts";
import * as exportsService from "../../shared/ledger/exports-service.ts";
import { ledgerBalances, listLedgerEntries } from "../../shared/ledger/service.ts";

export const handler = apiHandler([
  route(ledgerOps.listLedgerEntries, (request) =>
    listResponse(request, (filters, page) =>
      listLedgerEntries(ledgerPorts(request.clock), request.principal.merchantId, { ...filters, ...page }),
    ),
  ),
  route(ledgerOps.getLedgerBalances, ({ principal, clock, query }) =>
    ledgerBalances(ledgerPorts(clock), principal.merchantId, query),
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
