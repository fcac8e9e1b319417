/** Payouts: list, get, and page a payout's balance transactions. */
import * as ops from "../../shared/api/payouts.ts";
import { payoutReadPorts, withSavedViews } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { listResponse, pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as payouts from "../../shared/payouts/service.ts";

export const handler = apiHandler([
  route(ops.listPayouts, (request) =>
    listResponse(request, (filters, page) =>
      payouts.listPayouts(withSavedViews(payoutReadPorts()), request.principal.merchantId, {
        ...filters,
        ...page,
      }),
    ),
  ),
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
