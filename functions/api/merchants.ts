/** Platform admin: create and list merchants. */
import * as ops from "../../shared/api/merchants.ts";
import { merchantPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import { createMerchant, presentMerchant } from "../../shared/merchants/service.ts";

export const handler = apiHandler([
  route(ops.createMerchant, async ({ body, clock }) => {
    const { merchant, apiKey } = await createMerchant(ports(clock), body);
    return { merchant, apiKey: { id: apiKey.id, secret: apiKey.secret } };
  }),
  route(ops.listMerchants, async (request) => {
    const page = await ports(request.clock).store.listMerchants(await pageRequest(request));
    return pageResponse(request, { ...page, items: page.items.map(presentMerchant) });
  }),
]);
