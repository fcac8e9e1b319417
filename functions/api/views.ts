/** Saved views: named list filters. */
import * as ops from "../../shared/api/views.ts";
import { viewPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as views from "../../shared/views/service.ts";

export const handler = apiHandler([
  route(ops.createView, ({ principal, clock, body }) =>
    views.createView(ports(clock), principal.merchantId, body),
  ),
  route(ops.listViews, async (request) => {
    const { principal, clock, query } = request;
    return pageResponse(
      request,
      await views.listViews(ports(clock), principal.merchantId, {
        ...query,
        ...(await pageRequest(request)),
      }),
    );
  }),
  route(ops.getView, ({ principal, clock, params }) =>
    views.getView(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.deleteView, ({ principal, clock, params }) =>
    views.deleteView(ports(clock), principal.merchantId, params.id),
  ),
]);
