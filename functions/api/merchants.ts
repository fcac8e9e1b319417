/** Platform admin: create and list merchants. */
import * as ops from "../../shared/api/merchants.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import { createMerchant } from "../../shared/merchants/service.ts";
import { dynamoMerchantStore as store } from "../../shared/store/merchants.ts";

export const handler = apiHandler([
  route(ops.createMerchant, async ({ body, clock }) => {
    const { merchant, apiKey } = await createMerchant({ store, clock }, body);
    return { merchant, apiKey: { id: apiKey.id, secret: apiKey.secret } };
  }),
  route(ops.listMerchants, async (request) =>
    pageResponse(request, await store.listMerchants(await pageRequest(request))),
  ),
]);
