/** Products: create, list, get, update, delete (or archive). */
import * as ops from "../../shared/api/products.ts";
import { productPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as products from "../../shared/products/service.ts";

export const handler = apiHandler([
  route(ops.createProduct, ({ principal, clock, body }) =>
    products.createProduct(ports(clock), principal.merchantId, body),
  ),
  route(ops.listProducts, async (request) => {
    const { principal, clock, query } = request;
    const page = await products.listProducts(ports(clock), principal.merchantId, {
      ...query,
      ...(await pageRequest(request)),
    });
    return pageResponse(request, page);
  }),
  route(ops.getProduct, ({ principal, clock, params }) =>
    products.getProduct(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updateProduct, ({ principal, clock, params, body }) =>
    products.updateProduct(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.deleteProduct, ({ principal, clock, params }) =>
    products.deleteProduct(ports(clock), principal.merchantId, params.id),
  ),
]);
