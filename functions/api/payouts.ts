/** Payouts: list, get, and page a payout's balance transactions. */
import * as ops from "../../shared/api/payouts.ts";
import { payoutReadPorts } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as payouts from "../../shared/payouts/service.ts";

export const handler = apiHandler([
  route(ops.listPayouts, async (request) => {
    const { principal, query } = request;
    return pageResponse(
      request,
      await payouts.listPayouts(payoutReadPorts(), principal.merchantId, {
        ...query,
        ...(await pageRequest(request)),
      }),
    );
  }),
  route(ops.getPayout, ({ principal, params }) =>
    payouts.getPayout(payoutReadPorts(), principal.merchantId, params.id),
  ),
  route(ops.listPayoutBalanceTransactions, async (request) => {
    const { principal, params } = request;
    return pageResponse(
      request,
      await payouts.listPayoutBalanceTransactions(
        payoutReadPorts(),
        principal.merchantId,
        params.id,
        await pageRequest(request),
      ),
    );
  }),
]);
