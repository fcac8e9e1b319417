/**
 * A webhook endpoint Kassa disabled after three days of failed deliveries
 * (`webhook_endpoint.disabled`): the merchant is told which one, since when it failed, and how to
 * turn it back on and catch up.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import type { WebhookEndpoint } from "../webhooks/endpoint.ts";
import { compose } from "./compose.ts";
import { domainRecord, type Notification } from "./notification.ts";

export const webhookEndpointDisabled: Notification<{ webhookEndpoint: WebhookEndpoint }> = {
  eventType: "webhook_endpoint.disabled",
  data: z.object({
    webhookEndpoint: domainRecord<WebhookEndpoint>("webhook endpoint", { id: "string", url: "string" }),
  }),
  render: async ({ merchantId, data }, ports): Promise<Mail[]> => {
    const endpoint = data.webhookEndpoint;
    const merchant = await ports.merchant(merchantId);
    if (!merchant) throw new Error(`Merchant ${merchantId} is missing`);
    return [
      compose({ email: merchant.email, name: merchant.name }, "Webhook endpoint disabled", [
        `Kassa disabled your webhook endpoint ${endpoint.id} (${endpoint.url}): every delivery to it has failed since ${endpoint.failingSince ?? "three days ago"}.`,
        "Nothing more is sent to it. Its deliveries list (GET /v1/webhook-endpoints/{id}/deliveries) shows what it answered.",
        `Once it answers again, turn it back on with PATCH /v1/webhook-endpoints/${endpoint.id} { "active": true }, and catch up with POST /v1/webhook-endpoints/${endpoint.id}/replay { "from", "to" }.`,
      ]),
    ];
  },
};
