/** A merchant's API keys: list, create (secret shown once), revoke. */
import * as ops from "../../shared/api/merchants.ts";
import { merchantPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import { createApiKey, revokeApiKey } from "../../shared/merchants/service.ts";

export const handler = apiHandler([
  route(ops.listApiKeys, async (request) => {
    const { store } = ports(request.clock);
    return pageResponse(
      request,
      await store.listApiKeys(request.principal.merchantId, await pageRequest(request)),
    );
  }),
  route(ops.createApiKey, ({ principal, clock, body }) =>
    createApiKey(ports(clock), principal.merchantId, body.name, body.role),
  ),
  route(ops.revokeApiKey, ({ principal, clock, params }) =>
    revokeApiKey(ports(clock), principal.merchantId, params.id),
  ),
]);
