/** Customers: create, list, get, update, delete. */
import * as ops from "../../shared/api/customers.ts";
import * as customers from "../../shared/customers/service.ts";
import { customerPorts as ports, segmentPorts } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import { listSegmentCustomers } from "../../shared/segments/service.ts";

export const handler = apiHandler([
  route(ops.createCustomer, ({ principal, clock, body }) =>
    customers.createCustomer(ports(clock), principal.merchantId, body),
  ),
  route(ops.listCustomers, async (request) => {
    const { principal, clock, query } = request;
    const { segmentId, ...filters } = query;
    const position = await pageRequest(request);
    const page = segmentId
      ? await listSegmentCustomers(segmentPorts(clock), principal.merchantId, segmentId, position, "400")
      : await customers.listCustomers(ports(clock), principal.merchantId, { ...filters, ...position });
    return pageResponse(request, page);
  }),
  route(ops.getCustomer, ({ principal, clock, params }) =>
    customers.getCustomer(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updateCustomer, ({ principal, clock, params, body }) =>
    customers.updateCustomer(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.deleteCustomer, ({ principal, clock, params }) =>
    customers.deleteCustomer(ports(clock), principal.merchantId, params.id),
  ),
]);
