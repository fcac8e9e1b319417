/** Test clocks (test mode): create, list, get, advance, delete. */
import * as ops from "../../shared/api/test-clocks.ts";
import { testClockPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as testClocks from "../../shared/test-clocks/service.ts";

export const handler = apiHandler([
  route(ops.createTestClock, ({ principal, clock, body }) =>
    testClocks.createTestClock(ports(clock), principal.merchantId, body),
  ),
  route(ops.listTestClocks, async (request) => {
    const { principal, clock, query } = request;
    const page = await testClocks.listTestClocks(ports(clock), principal.merchantId, {
      ...query,
      ...(await pageRequest(request)),
    });
    return pageResponse(request, page);
  }),
  route(ops.getTestClock, ({ principal, clock, params }) =>
    testClocks.getTestClock(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.advanceTestClock, ({ principal, clock, params, body }) =>
    testClocks.advanceTestClock(ports(clock), principal.merchantId, params.id, body.frozenTime),
  ),
  route(ops.deleteTestClock, ({ principal, clock, params }) =>
    testClocks.deleteTestClock(ports(clock), principal.merchantId, params.id),
  ),
]);
