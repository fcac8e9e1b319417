/**
 * The frame of every dashboard page: the document (the hashed stylesheet and script, never an inline
 * one — the CSP allows neither), and for a signed-in user the header (merchant, user and role, sign
 * out), the navigation with the current page marked, a skip link, the one-time notice and the TEST
 * MODE badge. At 360 px the navigation is one row that scrolls sideways; no script is needed.
 */
import { escapeHtml } from "../hosted/escape.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
import { can, type Permission } from "../users/roles.ts";
import { assets } from "./assets.ts";
import type { DashboardUser } from "./sessions.ts";

interface NavItem {
  key: string;
  href: string;
  label: string;
  /** Who sees the entry: its page's permission (everyone when absent, every role may read). */
  permission?: Permission;
}

/** The sections of the navigation: key (a route's `nav`, or the path's first segment) → label. */
export const navigation: readonly NavItem[] = [
  { key: "home", href: "/app/", label: "Home" },
  { key: "invoices", href: "/app/invoices", label: "Invoices" },
  { key: "payments", href: "/app/payments", label: "Payments" },
  { key: "subscriptions", href: "/app/subscriptions", label: "Subscriptions" },
  { key: "quotes", href: "/app/quotes", label: "Quotes" },
  { key: "payment-links", href: "/app/payment-links", label: "Payment links" },
  { key: "customers", href: "/app/customers", label: "Customers" },
  { key: "payouts", href: "/app/payouts", label: "Payouts" },
  { key: "tasks", href: "/app/tasks", label: "Tasks" },
  { key: "reports", href: "/app/reports", label: "Reports" },
  { key: "workflows", href: "/app/workflows", label: "Workflows" },
  { key: "settings", href: "/app/settings", label: "Settings", permission: "money" },
  { key: "team", href: "/app/team", label: "Team", permission: "team" },
];

/** The section a path belongs to: `/app/invoices/inv_1` → `invoices`, `/app/` → `home`. */
export const sectionOf = (path: string): string => path.split("/").filter(Boolean)[1] ?? "home";

/** A whole HTML document around `body`: the one place pages get their `<head>`. */
export function documentHtml(input: { title: string; body: string; lang?: string }): string {
  return `<!doctype html>
<html lang="${escapeHtml(input.lang ?? "en")}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(input.title)} · Kassa</title>
<link rel="stylesheet" href="${assets.stylesheet.url}">
<script src="${assets.script.url}" defer></script>
</head>
<body>
${input.body}
</body>
</html>
`;
}

/** A hidden field with the session's CSRF token: every form a signed-in page renders carries it. */
export const csrfField = (token: string): string =>
  `<input type="hidden" name="csrf" value="${escapeHtml(token)}">`;

export interface ShellInput {
  title: string;
  /** The page's HTML, escaped by its maker. */
  body: string;
  /** The navigation key to mark current. */
  section: string;
  user: DashboardUser;
  merchant: Merchant;
  csrfToken: string;
  /** Shown once, above the page (plain text). */
  notice?: string | undefined;
}

export function shellHtml(input: ShellInput): string {
  const { user, merchant } = input;
  const nav = navigation
    .filter((item) => item.permission === undefined || can(user.role, item.permission))
    .map(
      (item) =>
        `<li><a href="${item.href}"${item.key === input.section ? ' aria-current="page"' : ""}>${item.label}</a></li>`,
    )
    .join("");
  const testMode = merchantLivemode(merchant) ? "" : '<span class="test-mode">TEST MODE</span>';
  const signOut = ["sign-out", "sign-out-everywhere"]
    .map(
      (action, i) =>
        `<form method="post" action="/app/${action}">${csrfField(input.csrfToken)}<button class="quiet">${i ? "Sign out everywhere" : "Sign out"}</button></form>`,
    )
    .join("");
  return documentHtml({
    title: input.title,
    lang: merchant.locale ?? "en",
    body: `<a class="skip" href="#main">Skip to content</a>
<header class="top">
<span class="brand">${escapeHtml(merchant.name)}</span>${testMode}
<span class="who">${escapeHtml(user.email)} · ${escapeHtml(user.role)}</span>
${signOut}
</header>
<nav class="nav" aria-label="Main"><ul>${nav}</ul></nav>
<main id="main" tabindex="-1">
${noticeHtml(input.notice)}${input.body}
</main>`,
  });
}

const noticeHtml = (notice: string | undefined) =>
  notice ? `<p class="notice" role="status">${escapeHtml(notice)}</p>\n` : "";

/** A page outside the signed-in frame (sign-in, errors before a session): a card in the middle. */
export function cardHtml(input: { title: string; body: string; notice?: string | undefined }): string {
  return documentHtml({
    title: input.title,
    body: `<main id="main"><div class="sign-in">
${noticeHtml(input.notice)}<h1>${escapeHtml(input.title)}</h1>
${input.body}
</div></main>`,
  });
}
