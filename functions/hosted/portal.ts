/** The customer portal: the buyer's page and its actions, and the merchant's links to it. */
import * as ops from "../../shared/api/portal.ts";
import { portalLinkPorts, portalPorts } from "../../shared/composition.ts";
import { portalLink } from "../../shared/customers/portal.ts";
import {
  portalPage,
  submitPortalAction,
  submitPortalUpdateCard,
} from "../../shared/customers/portal-page.ts";
import { apiHandler, route } from "../../shared/http/api.ts";

export const handler = apiHandler([
  route(ops.customerPortalPage, ({ clock, params, query }) =>
    portalPage(portalPorts(clock), { token: params.token, clock }, query.done),
  ),
  route(ops.portalCancel, ({ clock, params, event }) =>
    submitPortalAction(
      portalPorts(clock),
      { token: params.token, clock },
      params.subscriptionId,
      "cancel",
      event,
    ),
  ),
  route(ops.portalPause, ({ clock, params, event }) =>
    submitPortalAction(
      portalPorts(clock),
      { token: params.token, clock },
      params.subscriptionId,
      "pause",
      event,
    ),
  ),
  route(ops.portalResume, ({ clock, params, event }) =>
    submitPortalAction(
      portalPorts(clock),
      { token: params.token, clock },
      params.subscriptionId,
      "resume",
      event,
    ),
  ),
  route(ops.portalUpdateCard, ({ clock, params, event }) =>
    submitPortalUpdateCard(portalPorts(clock), { token: params.token, clock }, event),
  ),
  route(ops.createPortalLink, ({ clock, principal, params }) =>
    portalLink(portalLinkPorts(clock), principal.merchantId, params.id),
  ),
]);
