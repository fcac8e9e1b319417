/** A payment link's public checkout page: the offer and the buyer's form, its live totals, and starting a checkout. */
import * as ops from "../../shared/api/checkout-sessions.ts";
import { checkoutPorts } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { checkoutPage, priceCheckoutForm, submitCheckout } from "../../shared/payment-links/checkout-page.ts";

export const handler = apiHandler([
  route(ops.checkoutPage, ({ clock, params, query }) =>
    checkoutPage(checkoutPorts(clock), { slug: params.slug, clock }, query.session),
  ),
  route(ops.checkoutSubmit, ({ clock, params, event }) =>
    submitCheckout(checkoutPorts(clock), { slug: params.slug, clock }, event),
  ),
  route(ops.checkoutPrice, ({ clock, params, event }) =>
    priceCheckoutForm(checkoutPorts(clock), { slug: params.slug, clock }, event),
  ),
]);
