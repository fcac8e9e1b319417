/** A merchant's API keys: list, create (secret shown once), revoke. */
import * as ops from "../../shared/api/merchants.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import { createApiKey, revokeApiKey } from "../../shared/merchants/service.ts";
import { dynamoMerchantStore as store } from "../../shared/store/merchants.ts";

export const handler = apiHandler([
  route(ops.listApiKeys, async (request) =>
    pageResponse(request, await store.listApiKeys(request.principal.merchantId, await pageRequest(request))),
  ),
  route(ops.createApiKey, ({ principal, clock, body }) =>
    createApiKey({ store, clock }, principal.merchantId, body.name),
  ),
  route(ops.revokeApiKey, ({ principal, clock, params }) =>
    revokeApiKey({ store, clock }, principal.merchantId, params.id),
  ),
]);
