/** Segments: create, list, get, update, delete; their customers; a static segment's picked members. */
import * as ops from "../../shared/api/segments.ts";
import { segmentPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as segments from "../../shared/segments/service.ts";

export const handler = apiHandler([
  route(ops.createSegment, ({ principal, clock, body }) =>
    segments.createSegment(ports(clock), principal.merchantId, body),
  ),
  route(ops.listSegments, async (request) =>
    pageResponse(
      request,
      await segments.listSegments(
        ports(request.clock),
        request.principal.merchantId,
        await pageRequest(request),
      ),
    ),
  ),
  route(ops.getSegment, ({ principal, clock, params }) =>
    segments.getSegment(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updateSegment, ({ principal, clock, params, body }) =>
    segments.updateSegment(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.deleteSegment, ({ principal, clock, params }) =>
    segments.deleteSegment(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.listSegmentCustomers, async (request) =>
    pageResponse(
      request,
      await segments.listSegmentCustomers(
        ports(request.clock),
        request.principal.merchantId,
        request.params.id,
        await pageRequest(request),
      ),
    ),
  ),
  route(ops.addSegmentMembers, ({ principal, clock, params, body }) =>
    segments.addSegmentMembers(ports(clock), principal.merchantId, params.id, body.customerIds),
  ),
  route(ops.removeSegmentMember, ({ principal, clock, params }) =>
    segments.removeSegmentMember(ports(clock), principal.merchantId, params.id, params.customerId),
  ),
]);
