/**
 * The settings index (`/app/settings`): every settings page with what it holds now — branding,
 * invoices, subscriptions and quote templates (here), the processor, webhooks and API keys (the
 * developer settings) and the team — each shown only to a role that may open it. Also the route of
 * the live preview the settings forms frame (./preview.ts).
 */
import type { Merchant } from "../../../merchants/merchant.ts";
import { defaultDunning, renewalRemindersOf } from "../../../merchants/merchant.ts";
import { can, type Permission } from "../../../users/roles.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import { html, type Html, pageHeader } from "../../ui.ts";
import { merchantOf, words } from "../details/common.ts";
import { billingRoutes } from "./billing.ts";
import { brandingRoutes } from "./branding.ts";
import { daysText, settingsPath, settingsPermission } from "./common.ts";
import { type PreviewView, previewDocument, previewPath, previewViews, withUnsaved } from "./preview.ts";
import { quoteTemplateRoutes } from "./quote-templates.ts";

interface SettingsEntry {
  href: string;
  title: string;
  about: string;
  /** Who may open the page (its GET route's permission). */
  permission: Permission;
  /** What it holds now, in a few words. */
  now?: (merchant: Merchant) => string;
}

const orNone = (days: readonly number[]) => (days.length ? daysText(days) : "none");

const entries: readonly SettingsEntry[] = [
  {
    href: `${settingsPath}/branding`,
    title: "Branding",
    about: "Logo, brand colour and footer of your hosted pages, PDFs and emails, with a live preview",
    permission: settingsPermission,
    now: (m) =>
      `${m.branding.brandColor ? `Colour ${m.branding.brandColor}` : "No brand colour (a neutral slate)"}${m.branding.logoUrl ? ", logo set" : ""}`,
  },
  {
    href: `${settingsPath}/invoices`,
    title: "Invoices",
    about: "Number prefix, default payment terms and reminder emails",
    permission: settingsPermission,
    now: (m) =>
      `${m.invoiceNumberPrefix}-0001…, ${words(m.defaultPaymentTerms).toLowerCase()}, reminders on days: ${orNone((m.invoiceReminders ?? []).map((r) => r.daysAfterDue))}`,
  },
  {
    href: `${settingsPath}/subscriptions`,
    title: "Subscriptions",
    about: "Retries of failed renewal charges (dunning) and renewal reminders",
    permission: settingsPermission,
    now: (m) => {
      const dunning = m.dunning ?? defaultDunning;
      const renewals = renewalRemindersOf(m);
      return `Retries on days ${daysText(dunning.retryDays)}, then ${words(dunning.finalAction).toLowerCase()}; reminders ${renewals.daysBefore} days before`;
    },
  },
  {
    href: `${settingsPath}/quote-templates`,
    title: "Quote templates",
    about: "The sections, texts, default terms and look of your quotes",
    permission: settingsPermission,
  },
  {
    href: `${settingsPath}/processor`,
    title: "Processor",
    about: "Take payments in the sandbox or through your connected Stripe account",
    permission: "team",
  },
  {
    href: `${settingsPath}/webhooks`,
    title: "Webhooks",
    about: "Endpoints that hear of events, their signing secrets and delivery logs",
    permission: "money",
  },
  {
    href: `${settingsPath}/api-keys`,
    title: "API keys",
    about: "Keys for the API, each with a role",
    permission: "team",
  },
  { href: "/app/team", title: "Team", about: "Users, their roles and invitations", permission: "team" },
];

function entry(e: SettingsEntry, merchant: Merchant): Html {
  return html`<li class="card"><h2><a href="${e.href}">${e.title}</a></h2><p class="muted">${e.about}</p>${e.now ? html`<p>${e.now(merchant)}</p>` : ""}</li>`;
}

async function settingsIndex(request: DashboardRequest) {
  const merchant = await merchantOf(request);
  const shown = entries.filter((e) => can(request.user.role, e.permission));
  const body = html`${pageHeader("Settings", undefined, `How ${merchant.name} bills, looks and connects`)}
<ul class="settings-list">${shown.map((e) => entry(e, merchant))}</ul>`;
  return { kind: "page" as const, title: "Settings", body: String(body) };
}

const isView = (view: string | null): view is PreviewView => previewViews.some(([v]) => v === view);

export const settingsRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: settingsPath, permission: settingsPermission, handle: settingsIndex },
  {
    method: "GET",
    path: previewPath,
    permission: settingsPermission,
    async handle(request) {
      const view = request.query.get("view");
      const merchant = withUnsaved(await merchantOf(request), request.query);
      return previewDocument(request, merchant, isView(view) ? view : "invoice");
    },
  },
  ...brandingRoutes,
  ...billingRoutes,
  ...quoteTemplateRoutes,
];
