/** The authenticated merchant's settings. */
import * as ops from "../../shared/api/merchants.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { getMerchant, updateMerchant } from "../../shared/merchants/service.ts";
import { dynamoMerchantStore as store } from "../../shared/store/merchants.ts";

export const handler = apiHandler([
  route(ops.getMerchant, ({ principal, clock }) => getMerchant({ store, clock }, principal.merchantId)),
  route(ops.updateMerchant, ({ principal, clock, body }) =>
    updateMerchant({ store, clock }, principal.merchantId, body),
  ),
]);
