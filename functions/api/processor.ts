/** POST /v1/processor/stripe/connect — start connecting the merchant's Stripe account. */
import { connectStripe } from "../../shared/api/payments.ts";
import { merchantPorts, publicBaseUrl, stripePlatform } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { getMerchant, setStripeAccount } from "../../shared/merchants/service.ts";

export const handler = apiHandler([
  route(connectStripe, async ({ principal, clock, body }) => {
    const { connect: stripe, livemode } = await stripePlatform();
    const ports = merchantPorts(clock);
    const merchant = await getMerchant(ports, principal.merchantId);
    const accountId =
      merchant.stripeAccountId ??
      (await stripe.createConnectedAccount(merchant.email, {
        merchantId: merchant.id,
        idempotencyKey: `connect-${merchant.id}`,
      }));
    await setStripeAccount(ports, merchant.id, accountId, livemode);
    const docs = `${publicBaseUrl()}/docs`;
    const url = await stripe.accountLink(accountId, body.refreshUrl ?? docs, body.returnUrl ?? docs);
    return { accountId, url };
  }),
]);
