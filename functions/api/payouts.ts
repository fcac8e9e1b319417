/** Payouts: list, get, and page a payout's balance transactions. */
import * as ops from "../../shared/api/payouts.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as payouts from "../../shared/payouts/service.ts";
import { dynamoPayoutStore } from "../../shared/store/payouts.ts";

const ports = { payouts: dynamoPayoutStore };

export const handler = apiHandler([
  route(ops.listPayouts, async (request) => {
    const { principal, query } = request;
    return pageResponse(
      request,
      await payouts.listPayouts(ports, principal.merchantId, { ...query, ...(await pageRequest(request)) }),
    );
  }),
  route(ops.getPayout, ({ principal, params }) => payouts.getPayout(ports, principal.merchantId, params.id)),
  route(ops.listPayoutBalanceTransactions, async (request) => {
    const { principal, params } = request;
    return pageResponse(
      request,
      await payouts.listPayoutBalanceTransactions(
        ports,
        principal.merchantId,
        params.id,
        await pageRequest(request),
      ),
    );
  }),
]);
