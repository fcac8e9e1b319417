/** Discount codes: create, list, get, update. */
import * as ops from "../../shared/api/discount-codes.ts";
import * as discountCodes from "../../shared/discount-codes/service.ts";
import { discountCodePorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";

export const handler = apiHandler([
  route(ops.createDiscountCode, ({ principal, clock, body }) =>
    discountCodes.createDiscountCode(ports(clock), principal.merchantId, body),
  ),
  route(ops.listDiscountCodes, async (request) => {
    const { principal, clock, query } = request;
    const page = await discountCodes.listDiscountCodes(ports(clock), principal.merchantId, {
      ...query,
      ...(await pageRequest(request)),
    });
    return pageResponse(request, page);
  }),
  route(ops.getDiscountCode, ({ principal, clock, params }) =>
    discountCodes.getDiscountCode(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updateDiscountCode, ({ principal, clock, params, body }) =>
    discountCodes.updateDiscountCode(ports(clock), principal.merchantId, params.id, body),
  ),
]);
