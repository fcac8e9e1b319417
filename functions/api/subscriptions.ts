/** Subscriptions: create, list, get, update (changes with prorations), cancel, pause, resume, previews. */
import * as ops from "../../shared/api/subscriptions.ts";
import { subscriptionPorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { listResponse } from "../../shared/http/list.ts";
import * as subscriptions from "../../shared/subscriptions/service.ts";

export const handler = apiHandler([
  route(ops.createSubscription, ({ principal, clock, body }) =>
    subscriptions.createSubscription(ports(clock), principal.merchantId, body),
  ),
  route(ops.listSubscriptions, (request) =>
    listResponse(request, (filters, page) =>
      subscriptions.listSubscriptions(ports(request.clock), request.principal.merchantId, filters, page),
    ),
  ),
  route(ops.getSubscription, ({ principal, clock, params }) =>
    subscriptions.getSubscription(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updateSubscription, ({ principal, clock, params, body }) =>
    subscriptions.updateSubscription(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.cancelSubscription, ({ principal, clock, params, body }) =>
    subscriptions.cancelSubscription(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.pauseSubscription, ({ principal, clock, params, body }) =>
    subscriptions.pauseSubscription(ports(clock), principal.merchantId, params.id, body ?? {}),
  ),
  route(ops.resumeSubscription, ({ principal, clock, params }) =>
    subscriptions.resumeSubscription(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.getUpcomingInvoice, ({ principal, clock, params }) =>
    subscriptions.upcomingInvoice(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.previewChange, ({ principal, clock, params, body }) =>
    subscriptions.previewChange(ports(clock), principal.merchantId, params.id, body),
  ),
]);
