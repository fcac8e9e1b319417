/** POST /v1/processor/stripe/connect — start connecting the merchant's Stripe account. */
import { connectStripe } from "../../shared/api/payments.ts";
import { merchantPorts, publicBaseUrl, stripePlatform } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { startStripeConnect } from "../../shared/merchants/service.ts";

export const handler = apiHandler([
  route(connectStripe, async ({ principal, clock, body }) => {
    const { connect: stripe, livemode } = await stripePlatform();
    const docs = `${publicBaseUrl()}/docs`;
    return startStripeConnect({ ...merchantPorts(clock), stripe, livemode }, principal.merchantId, {
      refreshUrl: body.refreshUrl ?? docs,
      returnUrl: body.returnUrl ?? docs,
    });
  }),
]);
