/**
 * A workflow's `send_email` step: whom it goes to (re-checked when it is sent: the customer may have
 * unsubscribed, the team changed), and the mail itself — the templates rendered over the enrollment's
 * context (the HTML part escaped, the text part plain), in the house frame, and for buyer-facing mail
 * an unsubscribe link and the RFC 8058 one-click headers. Each is written for its reader: a buyer
 * in their locale (the customer's, else the merchant's), the merchant's team in the merchant's.
 */
import type { Mail } from "../aws/mailer.ts";
import { readerLocale } from "../i18n/locale.ts";
import { translator } from "../i18n/translator.ts";
import { teamEmails } from "../merchants/merchant.ts";
import { composeRendered, invoiceTestNotice } from "../notifications/compose.ts";
import { escapeHtml } from "../notifications/html.ts";
import type { WorkflowCustomer, WorkflowMerchant } from "./ports.ts";
import { renderTemplate } from "./templating.ts";
import type { Recipient, WorkflowContext, WorkflowStep } from "./workflow.ts";

type SendEmail = Extract<WorkflowStep, { type: "send_email" }>;

/** Whom a mail goes to, and the locale its texts render in for them. */
export interface Reader {
  email: string;
  name?: string;
  locale: string;
}

/** Where a step's mail goes, or why it goes nowhere (the step is then `skipped` with that reason). */
export type Addressee =
  | (Reader & { buyer: boolean })
  | { skipped: "unsubscribed" | "no_recipient" | "not_in_team" };

export function addressee(
  to: Recipient,
  merchant: WorkflowMerchant,
  customer: WorkflowCustomer | undefined,
): Addressee {
  if (to === "customer") {
    if (!customer) return { skipped: "no_recipient" };
    if (customer.unsubscribedAt) return { skipped: "unsubscribed" };
    return {
      email: customer.email,
      ...(customer.name ? { name: customer.name } : {}),
      locale: readerLocale(merchant, customer),
      buyer: true,
    };
  }
  // Everyone else is the merchant's side (an account owner is one of its people): its locale.
  const locale = readerLocale(merchant);
  if (to === "account_owner") {
    const owner = customer?.accountOwner;
    return owner
      ? { email: owner.email, name: owner.name, locale, buyer: false }
      : { email: merchant.email, locale, buyer: false };
  }
  if (to === "merchant") return { email: merchant.email, locale, buyer: false };
  // Saved against the team; checked again here, as the team may have changed since.
  return teamEmails(merchant).includes(to.userEmail.toLowerCase())
    ? { email: to.userEmail, locale, buyer: false }
    : { skipped: "not_in_team" };
}

/** Rendered HTML text as paragraphs: a blank line separates them, a single line break stays one. */
const paragraphsHtml = (html: string) =>
  html
    .trim()
    .split(/\n\s*\n/)
    .map((p) => `<p style="margin:0 0 16px">${p.trim().replace(/\n/g, "<br>")}</p>`)
    .join("");

/** The mail of a `send_email` step, in its reader's locale; `unsubscribeUrl` for buyer-facing mail. */
export async function workflowMail(
  step: SendEmail,
  { locale, ...to }: Reader,
  context: WorkflowContext,
  merchant: WorkflowMerchant,
  unsubscribeUrl?: string,
): Promise<Mail> {
  const options = { timeZone: merchant.timeZone, locale };
  const [subject, html, text] = await Promise.all([
    renderTemplate(step.subject, context, "subject", options),
    renderTemplate(step.body, context, "html", options),
    renderTemplate(step.body, context, "text", options),
  ]);
  const words = translator(locale);
  const from = { merchant: merchant.name };
  const unsubscribe = unsubscribeUrl
    ? {
        html: `<p style="margin:24px 0 0;font-size:12px;color:#6b7280"><a href="${escapeHtml(unsubscribeUrl)}">${escapeHtml(words.t("workflow.unsubscribe.link"))}</a> ${escapeHtml(words.t("workflow.unsubscribe.afterLink", from))}</p>`,
        text: `\n\n${words.t("workflow.unsubscribe.text", { ...from, url: unsubscribeUrl })}`,
      }
    : { html: "", text: "" };
  const mail = composeRendered(
    to,
    subject,
    { html: paragraphsHtml(html) + unsubscribe.html, text: text.trim() + unsubscribe.text },
    // Buyers see the merchant's brand; mail to the merchant's team is Kassa's.
    unsubscribeUrl ? merchant : undefined,
    invoiceTestNotice(merchant, words),
    false,
    words,
  );
  return unsubscribeUrl
    ? {
        ...mail,
        headers: {
          "List-Unsubscribe": `<${unsubscribeUrl}>`,
          "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
      }
    : mail;
}
