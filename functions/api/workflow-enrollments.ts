/** A workflow's enrollments: list, get, cancel. */
import * as ops from "../../shared/api/workflow-enrollments.ts";
import { workflowEnrollmentPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as enrollments from "../../shared/workflows/enrollments.ts";

export const handler = apiHandler([
  route(ops.listEnrollments, async (request) => {
    const { principal, clock, params, query } = request;
    const page = await enrollments.listEnrollments(ports(clock), principal.merchantId, params.id, {
      status: query.status,
      customerId: query.customerId,
      ...(await pageRequest(request)),
    });
    return pageResponse(request, page);
  }),
  route(ops.getEnrollment, ({ principal, clock, params }) =>
    enrollments.getEnrollment(ports(clock), principal.merchantId, params.id, params.eid),
  ),
  route(ops.cancelEnrollment, ({ principal, clock, params }) =>
    enrollments.cancelEnrollment(ports(clock), principal.merchantId, params.id, params.eid),
  ),
]);
