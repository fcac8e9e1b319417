/** POST /v1/processor/stripe/connect — start connecting the merchant's Stripe account. */
import { connectStripe } from "../../shared/api/payments.ts";
import { getSecret } from "../../shared/aws/secrets.ts";
import { config } from "../../shared/config.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { publicBaseUrl } from "../../shared/http/public-url.ts";
import { getMerchant, setStripeAccount } from "../../shared/merchants/service.ts";
import { stripeConnect, stripeEndpoint } from "../../shared/payments/stripe.ts";
import { isLiveStripeKey } from "../../shared/payments/stripe-mode.ts";
import { dynamoMerchantStore as store } from "../../shared/store/merchants.ts";

export const handler = apiHandler([
  route(connectStripe, async ({ principal, clock, body, event }) => {
    const apiBase = config.stripeApiBase();
    const secretKey = await getSecret("stripeSecretKey");
    const stripe = stripeConnect({ secretKey, ...(apiBase ? stripeEndpoint(apiBase) : {}) });
    const merchant = await getMerchant({ store, clock }, principal.merchantId);
    const accountId =
      merchant.stripeAccountId ??
      (await stripe.createConnectedAccount(merchant.email, {
        merchantId: merchant.id,
        idempotencyKey: `connect-${merchant.id}`,
      }));
    await setStripeAccount({ store, clock }, merchant.id, accountId, isLiveStripeKey(secretKey));
    const docs = `${publicBaseUrl(event)}/docs`;
    const url = await stripe.accountLink(accountId, body.refreshUrl ?? docs, body.returnUrl ?? docs);
    return { accountId, url };
  }),
]);
