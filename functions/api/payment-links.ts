/** Payment links: create, list, get, update (deactivate), and the link's QR code. */
import * as ops from "../../shared/api/payment-links.ts";
import { paymentLinkPorts as ports, withSavedViews } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { listResponse } from "../../shared/http/list.ts";
import * as paymentLinks from "../../shared/payment-links/service.ts";

export const handler = apiHandler([
  route(ops.createPaymentLink, ({ principal, clock, body }) =>
    paymentLinks.createPaymentLink(ports(clock), principal.merchantId, body),
  ),
  route(ops.listPaymentLinks, (request) =>
    listResponse(request, (filters, page) =>
      paymentLinks.listPaymentLinks(withSavedViews(ports(request.clock)), request.principal.merchantId, {
        ...filters,
        ...page,
      }),
    ),
  ),
  route(ops.getPaymentLink, ({ principal, clock, params }) =>
    paymentLinks.getPaymentLink(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updatePaymentLink, ({ principal, clock, params, body }) =>
    paymentLinks.updatePaymentLink(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.getPaymentLinkQrCode, async ({ principal, clock, params }) => {
    const link = await paymentLinks.getPaymentLink(ports(clock), principal.merchantId, params.id);
    // The encoder loads with the first QR code asked for: the link routes never need it.
    return (await import("../../shared/payment-links/qr.ts")).qrSvgResponse(link.url);
  }),
]);
