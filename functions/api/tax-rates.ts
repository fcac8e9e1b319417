/** Tax rates: create, list, get, update (rates are archived, never deleted). */
import * as ops from "../../shared/api/tax-rates.ts";
import { taxRatePorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as taxRates from "../../shared/tax-rates/service.ts";

export const handler = apiHandler([
  route(ops.createTaxRate, ({ principal, clock, body }) =>
    taxRates.createTaxRate(ports(clock), principal.merchantId, body),
  ),
  route(ops.listTaxRates, async (request) => {
    const { principal, clock, query } = request;
    const page = await taxRates.listTaxRates(ports(clock), principal.merchantId, {
      ...query,
      ...(await pageRequest(request)),
    });
    return pageResponse(request, page);
  }),
  route(ops.getTaxRate, ({ principal, clock, params }) =>
    taxRates.getTaxRate(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updateTaxRate, ({ principal, clock, params, body }) =>
    taxRates.updateTaxRate(ports(clock), principal.merchantId, params.id, body),
  ),
]);
