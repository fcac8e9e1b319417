/** Webhook endpoints: create, list, get, update, delete, rotate the secret; deliveries, redeliver, replay. */
import * as ops from "../../shared/api/webhook-endpoints.ts";
import { webhookPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as webhooks from "../../shared/webhooks/service.ts";

export const handler = apiHandler([
  route(ops.createWebhookEndpoint, ({ principal, clock, body }) =>
    webhooks.createEndpoint(ports(clock), principal.merchantId, body),
  ),
  route(ops.listWebhookEndpoints, async (request) =>
    pageResponse(
      request,
      await webhooks.listEndpoints(ports(request.clock), request.principal.merchantId, await pageRequest(request)),
    ),
  ),
  route(ops.getWebhookEndpoint, ({ principal, clock, params }) =>
    webhooks.getEndpoint(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updateWebhookEndpoint, ({ principal, clock, params, body }) =>
    webhooks.updateEndpoint(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.deleteWebhookEndpoint, ({ principal, clock, params }) =>
    webhooks.deleteEndpoint(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.rotateWebhookSecret, ({ principal, clock, params, body }) =>
    webhooks.rotateSecret(ports(clock), principal.merchantId, params.id, body ?? { expireOldAfterHours: 24 }),
  ),
  route(ops.listWebhookDeliveries, async (request) =>
    pageResponse(
      request,
      await webhooks.listDeliveries(
        ports(request.clock),
        request.principal.merchantId,
        request.params.id,
        await pageRequest(request),
      ),
    ),
  ),
  route(ops.redeliverEvent, ({ principal, clock, params, body }) =>
    webhooks.redeliver(ports(clock), principal.merchantId, params.id, body.endpointId),
  ),
  route(ops.replayWebhookEvents, ({ principal, clock, params, body }) =>
    webhooks.replay(ports(clock), principal.merchantId, params.id, body),
  ),
]);
