/** Customers: create, list, get, update, delete. */
import * as ops from "../../shared/api/customers.ts";
import * as customers from "../../shared/customers/service.ts";
import { customerPorts as ports, segmentPorts, withSavedViews } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { listResponse } from "../../shared/http/list.ts";
import { listSegmentCustomers } from "../../shared/segments/service.ts";

export const handler = apiHandler([
  route(ops.createCustomer, ({ principal, clock, body }) =>
    customers.createCustomer(ports(clock), principal.merchantId, body),
  ),
  route(ops.listCustomers, (request) =>
    listResponse(request, ({ segmentId, ...filters }, page) =>
      segmentId
        ? listSegmentCustomers(segmentPorts(request.clock), request.principal.merchantId, segmentId, page, "400")
        : customers.listCustomers(withSavedViews(ports(request.clock)), request.principal.merchantId, {
            ...filters,
            ...page,
          }),
    ),
  ),
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
