/** The events feed: list and get the merchant's domain events. */
import * as ops from "../../shared/api/events.ts";
import * as events from "../../shared/events/service.ts";
import { eventPorts } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";

export const handler = apiHandler([
  route(ops.listEvents, async (request) => {
    const { principal, query } = request;
    return pageResponse(
      request,
      await events.listEvents(eventPorts(), principal.merchantId, {
        ...query,
        ...(await pageRequest(request)),
      }),
    );
  }),
  route(ops.getEvent, ({ principal, params }) =>
    events.getEvent(eventPorts(), principal.merchantId, params.id),
  ),
]);
