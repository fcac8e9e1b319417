/** A customer's saved payment methods: attach, list, remove. */
import * as ops from "../../shared/api/payment-methods.ts";
import { paymentMethodPorts as ports } from "../../shared/composition.ts";
import * as methods from "../../shared/customers/payment-methods.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";

export const handler = apiHandler([
  route(ops.attachPaymentMethod, ({ principal, clock, params, body }) =>
    methods.attachPaymentMethod(ports(clock), principal.merchantId, params.id, body.paymentMethod),
  ),
  route(ops.listPaymentMethods, async (request) => {
    const { principal, clock, params } = request;
    const page = await methods.listPaymentMethods(
      ports(clock),
      principal.merchantId,
      params.id,
      await pageRequest(request),
    );
    return pageResponse(request, page);
  }),
  route(ops.detachPaymentMethod, ({ principal, clock, params }) =>
    methods.detachPaymentMethod(ports(clock), principal.merchantId, params.id, params.pmId),
  ),
]);
