/** The welcome email, sent to a new merchant. */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { compose } from "./compose.ts";
import type { Notification } from "./notification.ts";

type NewMerchant = Pick<Merchant, "id" | "name" | "email" | "locale">;

export function welcomeEmail(merchant: NewMerchant): Mail {
  const tr = translator(merchant.locale);
  const title = tr.t("email.welcome.subject", { merchant: merchant.name });
  const paragraphs = [tr.t("email.welcome.ready", { id: merchant.id }), tr.t("email.welcome.apiKey")];
  return compose(tr, merchant, title, paragraphs);
}

const newMerchant: z.ZodType<NewMerchant> = z.object({
  id: z.string(),
  name: z.string(),
  email: z.email(),
  // Absent on events written before merchants had one.
  locale: z.string().optional(),
});

export const welcome: Notification<{ merchant: NewMerchant }> = {
  eventType: "merchant.created",
  data: z.object({ merchant: newMerchant }),
  render: async ({ data }) => [welcomeEmail(data.merchant)],
};
