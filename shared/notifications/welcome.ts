/** The welcome email, sent to a new merchant. */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { compose } from "./compose.ts";
import type { Notification } from "./notification.ts";

export function welcomeEmail(merchant: Pick<Merchant, "name" | "email" | "id">): Mail {
  const title = `Welcome to Kassa, ${merchant.name}`;
  const paragraphs = [
    `Your merchant account ${merchant.id} is ready.`,
    "Use the API key you were given to create customers, products and invoices. Keep it secret: it is shown only once.",
  ];
  return compose(merchant, title, paragraphs);
}

const newMerchant: z.ZodType<Pick<Merchant, "id" | "name" | "email">> = z.object({
  id: z.string(),
  name: z.string(),
  email: z.email(),
});

export const welcome: Notification<{ merchant: Pick<Merchant, "id" | "name" | "email"> }> = {
  eventType: "merchant.created",
  data: z.object({ merchant: newMerchant }),
  render: async ({ data }) => [welcomeEmail(data.merchant)],
};
