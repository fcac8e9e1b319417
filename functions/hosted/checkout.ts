/** A payment link's public checkout page: the offer and the buyer's form, its live totals, and starting a checkout. */
import * as ops from "../../shared/api/checkout-sessions.ts";
import { checkoutPorts, publicBaseUrl } from "../../shared/composition.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { checkoutPage, priceCheckoutForm, submitCheckout } from "../../shared/payment-links/checkout-page.ts";

const context = (slug: string, clock: Clock, locale?: string) => ({
  slug,
  clock,
  publicBaseUrl: publicBaseUrl(),
  locale,
});

export const handler = apiHandler([
  route(ops.checkoutPage, ({ clock, params, query }) =>
    checkoutPage(
      checkoutPorts(clock),
      context(params.slug, clock, query.locale),
      query.session,
      query.canceled,
    ),
  ),
  route(ops.checkoutSubmit, ({ clock, params, event }) =>
    submitCheckout(checkoutPorts(clock), context(params.slug, clock), event),
  ),
  route(ops.checkoutPrice, ({ clock, params, event }) =>
    priceCheckoutForm(checkoutPorts(clock), context(params.slug, clock), event),
  ),
]);
