/** The customer portal: the buyer's page and its actions, and the merchant's links to it. */
import * as ops from "../../shared/api/portal.ts";
import { portalLinkPorts, portalPorts, renewPagePorts } from "../../shared/composition.ts";
import { portalLink } from "../../shared/customers/portal.ts";
import {
  portalPage,
  submitPortalAction,
  submitPortalUpdateCard,
} from "../../shared/customers/portal-page.ts";
import { renewPage, submitRenew } from "../../shared/customers/renew-page.ts";
import { apiHandler, route } from "../../shared/http/api.ts";

/** A subscription action's form: the same use case behind each, named by the action. */
const portalAction = (op: typeof ops.portalCancel, action: "cancel" | "pause" | "resume") =>
  route(op, ({ clock, params, event }) =>
    submitPortalAction(
      portalPorts(clock),
      { token: params.token, clock },
      params.subscriptionId,
      action,
      event,
    ),
  );

export const handler = apiHandler([
  route(ops.customerPortalPage, ({ clock, params, query }) =>
    portalPage(portalPorts(clock), { token: params.token, clock }, query.done),
  ),
  portalAction(ops.portalCancel, "cancel"),
  portalAction(ops.portalPause, "pause"),
  portalAction(ops.portalResume, "resume"),
  route(ops.portalUpdateCard, ({ clock, params, event }) =>
    submitPortalUpdateCard(portalPorts(clock), { token: params.token, clock }, event),
  ),
  route(ops.portalRenewPage, ({ clock, params, query }) =>
    renewPage(renewPagePorts(clock), { token: params.token, clock }, query.subscription),
  ),
  route(ops.portalRenew, ({ clock, params, event }) =>
    submitRenew(renewPagePorts(clock), { token: params.token, clock }, event),
  ),
  route(ops.createPortalLink, ({ clock, principal, params }) =>
    portalLink(portalLinkPorts(clock), principal.merchantId, params.id),
  ),
]);
