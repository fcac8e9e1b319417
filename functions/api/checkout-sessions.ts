/** Checkout sessions: the merchant's list and reads. */
import * as ops from "../../shared/api/checkout-sessions.ts";
import { checkoutPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as checkout from "../../shared/payment-links/checkout.ts";

export const handler = apiHandler([
  route(ops.listCheckoutSessions, async (request) => {
    const { principal, clock, query } = request;
    const page = await checkout.listCheckoutSessions(ports(clock), principal.merchantId, {
      ...query,
      ...(await pageRequest(request)),
    });
    return pageResponse(request, page);
  }),
  route(ops.getCheckoutSession, ({ principal, clock, params }) =>
    checkout.getCheckoutSession(ports(clock), principal.merchantId, params.id),
  ),
]);
