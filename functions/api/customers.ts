/** Customers: create, list, get, update, delete. */
import * as ops from "../../shared/api/customers.ts";
import * as customers from "../../shared/customers/service.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import { dynamoCustomerStore as store } from "../../shared/store/customers.ts";

export const handler = apiHandler([
  route(ops.createCustomer, ({ principal, clock, body }) =>
    customers.createCustomer({ store, clock }, principal.merchantId, body),
  ),
  route(ops.listCustomers, async (request) => {
    const { principal, clock, query } = request;
    const page = await customers.listCustomers({ store, clock }, principal.merchantId, {
      ...query,
      ...(await pageRequest(request)),
    });
    return pageResponse(request, page);
  }),
  route(ops.getCustomer, ({ principal, clock, params }) =>
    customers.getCustomer({ store, clock }, principal.merchantId, params.id),
  ),
  route(ops.updateCustomer, ({ principal, clock, params, body }) =>
    customers.updateCustomer({ store, clock }, principal.merchantId, params.id, body),
  ),
  route(ops.deleteCustomer, ({ principal, clock, params }) =>
    customers.deleteCustomer({ store, clock }, principal.merchantId, params.id),
  ),
]);
