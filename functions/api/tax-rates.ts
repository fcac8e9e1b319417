/** Tax rates: create, list, get, update (rates are archived, never deleted). */
import * as ops from "../../shared/api/tax-rates.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import { dynamoTaxRateStore as store } from "../../shared/store/tax-rates.ts";
import * as taxRates from "../../shared/tax-rates/service.ts";

export const handler = apiHandler([
  route(ops.createTaxRate, ({ principal, clock, body }) =>
    taxRates.createTaxRate({ store, clock }, principal.merchantId, body),
  ),
  route(ops.listTaxRates, async (request) => {
    const { principal, clock, query } = request;
    const page = await taxRates.listTaxRates({ store, clock }, principal.merchantId, {
      ...query,
      ...(await pageRequest(request)),
    });
    return pageResponse(request, page);
  }),
  route(ops.getTaxRate, ({ principal, clock, params }) =>
    taxRates.getTaxRate({ store, clock }, principal.merchantId, params.id),
  ),
  route(ops.updateTaxRate, ({ principal, clock, params, body }) =>
    taxRates.updateTaxRate({ store, clock }, principal.merchantId, params.id, body),
  ),
]);
