/** The ledger: its entries (JSON or CSV) and the trial balance. */
import * as ops from "../../shared/api/ledger.ts";
import { ledgerPorts } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { listResponse } from "../../shared/http/list.ts";
import { ledgerBalances, listLedgerEntries } from "../../shared/ledger/service.ts";

export const handler = apiHandler([
  route(ops.listLedgerEntries, (request) =>
    listResponse(request, (filters, page) =>
      listLedgerEntries(ledgerPorts(request.clock), request.principal.merchantId, { ...filters, ...page }),
    ),
  ),
  route(ops.getLedgerBalances, ({ principal, clock, query }) =>
    ledgerBalances(ledgerPorts(clock), principal.merchantId, query),
  ),
]);
