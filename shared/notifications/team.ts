/**
 * The team's own mail, in the merchant's locale: an invited user's invitation (`user.invited`, also
 * when an owner sends it again) and a requested sign-in link (`user.sign_in_requested`). The link is
 * minted here, as the mail is made: no event or message ever carries its token. A user removed
 * (or, for an invitation, signed in) since the event gets nothing.
 */
import * as z from "zod";
import type { Mail } from "../aws/mailer.ts";
import { translator } from "../i18n/translator.ts";
import { invitationDays, signInLinkMinutes } from "../users/sign-in.ts";
import type { User } from "../users/user.ts";
import { compose } from "./compose.ts";
import { domainRecord, type Notification } from "./notification.ts";
import type { NotificationPorts } from "./ports.ts";
import { lazy } from "../lazy.ts";

const userData = lazy(() =>
  z.object({ user: domainRecord<User>("user", { id: "string", email: "string" }) }),
);

/** The user as they are now, and their merchant, for a mail about them; none once removed. */
async function current(ports: NotificationPorts, merchantId: string, userId: string) {
  const [user, merchant] = await Promise.all([ports.user(merchantId, userId), ports.merchant(merchantId)]);
  if (!merchant) throw new Error(`Merchant ${merchantId} is missing`);
  return user && { user, merchant, tr: translator(merchant.locale) };
}

const to = (user: User) => ({ email: user.email, ...(user.name ? { name: user.name } : {}) });

export const invitation: Notification<{ user: User }> = {
  eventType: "user.invited",
  data: userData,
  render: async ({ merchantId, data }, ports): Promise<Mail[]> => {
    const found = await current(ports, merchantId, data.user.id);
    if (found?.user.status !== "invited") return [];
    const { user, merchant, tr } = found;
    const url = await ports.invitationLink(user);
    return [
      compose(tr, to(user), tr.t("email.invitation.subject", { merchant: merchant.name }), [
        tr.t("email.invitation.body", { merchant: merchant.name, role: user.role }),
        tr.t("email.invitation.link", { url }),
        tr.t("email.invitation.validity", { days: invitationDays }),
      ]),
    ];
  },
};

export const signInLink: Notification<{ user: User }> = {
  eventType: "user.sign_in_requested",
  data: userData,
  render: async ({ merchantId, data }, ports): Promise<Mail[]> => {
    const found = await current(ports, merchantId, data.user.id);
    if (!found) return [];
    const { user, merchant, tr } = found;
    const url = await ports.signInLink(user);
    return [
      compose(tr, to(user), tr.t("email.signIn.subject", { merchant: merchant.name }), [
        tr.t("email.signIn.body", { merchant: merchant.name, url }),
        tr.t("email.signIn.validity", { minutes: signInLinkMinutes }),
      ]),
    ];
  },
};
