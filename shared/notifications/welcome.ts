/** The welcome email, sent to a new merchant: it carries its owner's invitation to the dashboard. */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { translator } from "../i18n/translator.ts";
import { invitationDays } from "../users/sign-in.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { compose } from "./compose.ts";
import type { Notification } from "./notification.ts";
import { lazy } from "../lazy.ts";

type NewMerchant = Pick<Merchant, "id" | "name" | "email" | "locale">;

/** `invitationUrl`: the owner's dashboard invitation (none for merchants made before users). */
export function welcomeEmail(merchant: NewMerchant, invitationUrl?: string): Mail {
  const tr = translator(merchant.locale);
  const title = tr.t("email.welcome.subject", { merchant: merchant.name });
  const paragraphs = [
    tr.t("email.welcome.ready", { id: merchant.id }),
    tr.t("email.welcome.apiKey"),
    ...(invitationUrl ? [tr.t("email.welcome.dashboard", { url: invitationUrl, days: invitationDays })] : []),
  ];
  return compose(tr, merchant, title, paragraphs);
}

const newMerchant: () => z.ZodType<NewMerchant> = lazy(() =>
  z.object({
    id: z.string(),
    name: z.string(),
    email: z.email(),
    // Absent on events written before merchants had one.
    locale: z.string().optional(),
  }),
);

export const welcome: Notification<{ merchant: NewMerchant; owner?: { id: string } | undefined }> = {
  eventType: "merchant.created",
  // `owner` is absent on events written before merchants had users.
  data: lazy(() => z.object({ merchant: newMerchant(), owner: z.object({ id: z.string() }).optional() })),
  render: async ({ data }, ports) => {
    const { merchant, owner } = data;
    const user = owner && (await ports.user(merchant.id, owner.id));
    const url = user?.status === "invited" ? await ports.invitationLink(user) : undefined;
    return [welcomeEmail(merchant, url)];
  },
};
