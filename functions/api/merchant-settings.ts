/** The authenticated merchant's settings. */
import * as ops from "../../shared/api/merchants.ts";
import { merchantPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { getMerchant, updateMerchant } from "../../shared/merchants/service.ts";
import { requirePermission } from "../../shared/users/roles.ts";

export const handler = apiHandler([
  route(ops.getMerchant, ({ principal, clock }) => getMerchant(ports(clock), principal.merchantId)),
  route(ops.updateMerchant, ({ principal, clock, body }) => {
    // Who takes the merchant's money is the owner's to choose, like connecting the processor.
    if (body.processor !== undefined) requirePermission(principal.role, "team", "Choosing the processor");
    return updateMerchant(ports(clock), principal.merchantId, body);
  }),
]);
