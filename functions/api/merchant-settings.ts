/** The authenticated merchant's settings. */
import * as ops from "../../shared/api/merchants.ts";
import { merchantPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { getMerchant, updateMerchant } from "../../shared/merchants/service.ts";

export const handler = apiHandler([
  route(ops.getMerchant, ({ principal, clock }) => getMerchant(ports(clock), principal.merchantId)),
  route(ops.updateMerchant, ({ principal, clock, body }) =>
    updateMerchant(ports(clock), principal.merchantId, body),
  ),
]);
