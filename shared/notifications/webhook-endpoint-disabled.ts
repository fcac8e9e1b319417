/**
 * A webhook endpoint Kassa disabled after three days of failed deliveries
 * (`webhook_endpoint.disabled`): the merchant is told which one, since when it failed, and how to
 * turn it back on and catch up.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { translator } from "../i18n/translator.ts";
import type { WebhookEndpoint } from "../webhooks/endpoint.ts";
import { compose } from "./compose.ts";
import { domainRecord, type Notification } from "./notification.ts";
import { lazy } from "../lazy.ts";

export const webhookEndpointDisabled: Notification<{ webhookEndpoint: WebhookEndpoint }> = {
  eventType: "webhook_endpoint.disabled",
  data: lazy(() =>
    z.object({
      webhookEndpoint: domainRecord<WebhookEndpoint>("webhook endpoint", { id: "string", url: "string" }),
    }),
  ),
  render: async ({ merchantId, data }, ports): Promise<Mail[]> => {
    const endpoint = data.webhookEndpoint;
    const merchant = await ports.merchant(merchantId);
    if (!merchant) throw new Error(`Merchant ${merchantId} is missing`);
    const tr = translator(merchant.locale);
    const which = { id: endpoint.id, url: endpoint.url };
    // The API's requests are passed as arguments: their braces are not the message's.
    return [
      compose(tr, { email: merchant.email, name: merchant.name }, tr.t("email.webhookDisabled.subject"), [
        endpoint.failingSince
          ? tr.t("email.webhookDisabled.failingSince", { ...which, since: endpoint.failingSince })
          : tr.t("email.webhookDisabled.failing", which),
        tr.t("email.webhookDisabled.stopped", { deliveries: "GET /v1/webhook-endpoints/{id}/deliveries" }),
        tr.t("email.webhookDisabled.reenable", {
          enable: `PATCH /v1/webhook-endpoints/${endpoint.id} { "active": true }`,
          replay: `POST /v1/webhook-endpoints/${endpoint.id}/replay { "from", "to" }`,
        }),
      ]),
    ];
  },
};
