/** Checkout sessions: the merchant's list and reads. */
import * as ops from "../../shared/api/checkout-sessions.ts";
import { checkoutPorts as ports, withSavedViews } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { listResponse } from "../../shared/http/list.ts";
import * as checkout from "../../shared/payment-links/checkout.ts";

export const handler = apiHandler([
  route(ops.listCheckoutSessions, (request) =>
    listResponse(request, (filters, page) =>
      checkout.listCheckoutSessions(withSavedViews(ports(request.clock)), request.principal.merchantId, {
        ...filters,
        ...page,
      }),
    ),
  ),
  route(ops.getCheckoutSession, ({ principal, clock, params }) =>
    checkout.getCheckoutSession(ports(clock), principal.merchantId, params.id),
  ),
]);
