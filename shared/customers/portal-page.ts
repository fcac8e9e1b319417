/**
 * The customer portal's page (`/c/{token}`) in the hosted kit's branded frame, and its forms. Like the
 * other hosted pages it has no scripts: each action is a plain form posting to the portal with a
 * signed form token, so only that POST ever changes anything (never a GET a link preview follows).
 * Only the actions the merchant's `portal` setting allows are shown; the server refuses the others.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { Clock } from "../domain/clock.ts";
import { ConflictError } from "../domain/errors.ts";
import { brandedPage } from "../hosted/branded.ts";
import { escapeHtml } from "../hosted/escape.ts";
import { formTokenValid, issueFormToken } from "../hosted/pay-form.ts";
import { HttpResponse } from "../http/api.ts";
import { readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { Invoice } from "../invoices/invoice.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { processorKindOf } from "../payments/mode.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import { linkExpiredPage, methodLine } from "./update-card-page.ts";
import {
  type PortalAction,
  type PortalPorts,
  type PortalView,
  portalAllows,
  portalLinkDays,
  portalPath,
  portalSubscriptionAction,
  portalUpdateCard,
  portalView,
} from "./portal.ts";
import { amountPerPeriod, subscriptionItems } from "../subscriptions/wording.ts";

/** Where the portal lives and what guards its forms. */
export interface PortalContext {
  token: string;
  clock: Clock;
}

/** What the page confirms after an action (`?done=`). */
export type PortalDone = "canceled" | "paused" | "resumed";

const testModeNotice = (tr: Translator) => tr.t("page.portal.testMode");

const redirect = (location: string) =>
  new HttpResponse(303, undefined, { location, "cache-control": "no-store" }, { body: "" });

/** GET: the portal; a link past its week is a 410 page saying how to get a new one. */
export async function portalPage(
  ports: PortalPorts,
  context: PortalContext,
  done: PortalDone | undefined,
): Promise<HttpResponse> {
  const subject = await portalView(ports, context.token);
  if (subject.state === "expired") return expiredPage(subject.merchant);
  return page(subject.view, context, 200, done ? { done } : {});
}

/** Whether the posted form carries the page's valid form token. */
async function formIsValid(context: PortalContext, event: APIGatewayProxyEventV2): Promise<boolean> {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64").toString("utf8")
    : (event.body ?? "");
  const presented = new URLSearchParams(raw).get("formToken") ?? "";
  return formTokenValid(context, presented, Math.floor(context.clock.now().getTime() / 1000));
}

/**
 * The portal again with `error` (a stale form, a use case's conflict: in the customer's words, or
 * the use case's own); a link past its week, the 410 page.
 */
async function again(
  ports: PortalPorts,
  context: PortalContext,
  status: number,
  error: string | ((tr: Translator) => string),
): Promise<HttpResponse> {
  const subject = await portalView(ports, context.token);
  if (subject.state === "expired") return expiredPage(subject.merchant);
  return page(subject.view, context, status, { error });
}

const actionDone: Record<Exclude<PortalAction, "updateCard">, PortalDone> = {
  cancel: "canceled",
  pause: "paused",
  resume: "resumed",
};

/**
 * POST: cancel at period end, pause or resume one of the buyer's subscriptions, then 303 back to the
 * portal saying so. A disallowed action is a 403 problem (before the form is even read), another
 * customer's subscription a 404, a conflict with its state the portal again with a 409.
 */
export async function submitPortalAction(
  ports: PortalPorts,
  context: PortalContext,
  subscriptionId: string,
  action: Exclude<PortalAction, "updateCard">,
  event: APIGatewayProxyEventV2,
): Promise<HttpResponse> {
  if (!(await formIsValid(context, event))) {
    return again(ports, context, 403, (tr) => tr.t("page.formExpired"));
  }
  try {
    const outcome = await portalSubscriptionAction(ports, context.token, subscriptionId, action);
    if (outcome.state === "expired") return expiredPage(outcome.merchant);
  } catch (error) {
    if (error instanceof ConflictError) return again(ports, context, 409, error.message);
    throw error;
  }
  return redirect(`${portalPath(context.token)}?done=${actionDone[action]}`);
}

/** POST: on to a fresh update-card page for the buyer (303), when the merchant allows it. */
export async function submitPortalUpdateCard(
  ports: PortalPorts,
  context: PortalContext,
  event: APIGatewayProxyEventV2,
): Promise<HttpResponse> {
  if (!(await formIsValid(context, event))) {
    return again(ports, context, 403, (tr) => tr.t("page.formExpired"));
  }
  const outcome = await portalUpdateCard(ports, context.token);
  if (outcome.state === "expired") return expiredPage(outcome.merchant);
  return redirect(outcome.result);
}

const style = `
.sheet{max-width:720px;margin:0 auto;background:#fff;border:1px solid var(--line);border-top:4px solid var(--brand);border-radius:10px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:24px;line-height:1.2;margin:0 0 8px}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:28px 0 8px;font-weight:600}
h3{font-size:17px;margin:0 0 4px}
.muted{color:var(--muted)}
.notice{margin:16px 0 0;padding:10px 14px;border-radius:8px;font-weight:600;background:#dcfce7;color:#166534}
.error{margin:16px 0 0;padding:10px 14px;border-radius:8px;background:#fef2f2;color:#991b1b;border:1px solid #fecaca}
.subscription{border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:0 0 12px}
.subscription p{margin:2px 0}
.amount{font-weight:600}
.state{font-weight:600}
.actions{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px}
.actions form{margin:0}
button{font-size:15px;padding:8px 14px;border:1px solid var(--brand);border-radius:6px;background:var(--brand);color:var(--on-brand);cursor:pointer;font-weight:600}
button.secondary{background:#fff;color:var(--accent)}
button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
.on-file{margin:0 0 8px;font-size:16px;font-weight:600}
table{width:100%;border-collapse:collapse;font-size:14px}
th{text-align:left;font-weight:600;color:var(--muted);padding:6px 8px 6px 0;border-bottom:1px solid var(--line)}
td{padding:6px 8px 6px 0;border-bottom:1px solid var(--line)}
td.money,th.money{text-align:right;white-space:nowrap}
@media (max-width:600px){.sheet{padding:18px 14px}}
`;

/** Where the subscription stands and what comes next, in one line. */
function stateLine(tr: Translator, subscription: Subscription, merchant: Merchant): string {
  const date = (iso: string) => tr.date(iso, merchant.timeZone);
  const { status, nextBillingAt, currentPeriodEnd, cancelAtPeriodEnd, pauseAt, resumesAt } = subscription;
  if (cancelAtPeriodEnd) {
    const end = currentPeriodEnd ?? subscription.trialEnd;
    return end ? tr.t("page.portal.cancelsOn", { date: date(end) }) : tr.t("page.portal.cancelsAtPeriodEnd");
  }
  if (status === "paused")
    return resumesAt
      ? tr.t("page.portal.pausedUntil", { date: date(resumesAt) })
      : tr.t("page.portal.paused");
  if (pauseAt) return tr.t("page.portal.pausesOn", { date: date(pauseAt) });
  if (status === "trialing" && subscription.trialEnd)
    return tr.t("page.portal.trialUntil", { date: date(subscription.trialEnd) });
  return nextBillingAt
    ? tr.t("page.portal.nextBilling", { date: date(nextBillingAt) })
    : tr.t("page.portal.noNextBilling");
}

/** A one-button form posting to the portal. */
const actionForm = (action: string, formToken: string, label: string, className = "") =>
  `<form method="post" action="${escapeHtml(action)}"><input type="hidden" name="formToken" value="${escapeHtml(formToken)}"><button type="submit"${className ? ` class="${className}"` : ""}>${escapeHtml(label)}</button></form>`;

function subscriptionCard(
  tr: Translator,
  view: PortalView,
  subscription: Subscription,
  formToken: string,
  base: string,
): string {
  const { settings, merchant } = view;
  const to = (action: string) => `${base}/subscriptions/${subscription.id}/${action}`;
  const forms: string[] = [];
  const running = subscription.status !== "paused" && !subscription.pauseAt;
  if (
    portalAllows(settings, "pause") &&
    subscription.status === "active" &&
    running &&
    !subscription.cancelAtPeriodEnd
  )
    forms.push(actionForm(to("pause"), formToken, tr.t("page.portal.pause"), "secondary"));
  if (portalAllows(settings, "pause") && !running)
    forms.push(actionForm(to("resume"), formToken, tr.t("page.portal.resume")));
  if (portalAllows(settings, "cancel") && !subscription.cancelAtPeriodEnd)
    forms.push(actionForm(to("cancel"), formToken, tr.t("page.portal.cancel"), "secondary"));
  const status = tr.t("page.portal.status", { status: subscription.status });
  return `<article class="subscription" data-subscription="${escapeHtml(subscription.id)}">
<h3>${escapeHtml(subscriptionItems(tr, subscription))}</h3>
<p class="amount">${escapeHtml(amountPerPeriod(subscription, tr))}</p>
<p><span class="state">${escapeHtml(status)}</span> · <span class="next">${escapeHtml(stateLine(tr, subscription, merchant))}</span></p>
${forms.length > 0 ? `<div class="actions">${forms.join("")}</div>` : ""}
</article>`;
}

const invoiceLabel = (invoice: Invoice) => invoice.number ?? invoice.id;

function openInvoiceRows(tr: Translator, view: PortalView): string {
  const { timeZone } = view.merchant;
  return view.openInvoices
    .map(
      (invoice) =>
        `<tr data-invoice="${escapeHtml(invoice.id)}"><td>${escapeHtml(invoiceLabel(invoice))}</td><td>${escapeHtml(invoice.dueDate ? tr.t("page.invoice.due", { date: tr.date(invoice.dueDate, timeZone) }) : "")}</td><td class="money">${escapeHtml(tr.money(invoice.amountRemaining, invoice.currency))}</td><td>${invoice.hostedUrl ? `<a href="${escapeHtml(invoice.hostedUrl)}">${escapeHtml(tr.t("common.pay"))}</a>` : ""}</td></tr>`,
    )
    .join("\n");
}

function pastLabel(tr: Translator, status: Invoice["status"]): string {
  switch (status) {
    case "paid":
      return tr.t("common.status.paid");
    case "uncollectible":
      return tr.t("common.status.uncollectible");
    case "void":
      return tr.t("common.status.void");
    default:
      return status;
  }
}

function pastInvoiceRows(tr: Translator, view: PortalView): string {
  const { timeZone } = view.merchant;
  return view.pastInvoices
    .map((invoice) => {
      const on = invoice.paidAt ?? invoice.issuedAt ?? invoice.createdAt;
      // A paid invoice's PDF says so (status, date and amount paid): it is the buyer's receipt.
      const pdf = invoice.hostedUrl
        ? `<a href="${escapeHtml(`${invoice.hostedUrl}/pdf`)}">${escapeHtml(tr.t("page.portal.documentPdf", { paid: invoice.status === "paid" ? "yes" : "no" }))}</a>`
        : "";
      return `<tr data-invoice="${escapeHtml(invoice.id)}"><td>${escapeHtml(invoiceLabel(invoice))}</td><td>${escapeHtml(tr.date(on, timeZone))}</td><td class="money">${escapeHtml(tr.money(invoice.total, invoice.currency))}</td><td>${escapeHtml(pastLabel(tr, invoice.status))}</td><td>${pdf}</td></tr>`;
    })
    .join("\n");
}

async function page(
  view: PortalView,
  context: PortalContext,
  status: number,
  shown: { done?: PortalDone; error?: string | ((tr: Translator) => string) },
): Promise<HttpResponse> {
  const { merchant, customer, settings } = view;
  const tr = translator(readerLocale(merchant, customer));
  const h = (text: string) => escapeHtml(text);
  const base = portalPath(context.token);
  const formToken = await issueFormToken(context);
  const subscriptions =
    view.subscriptions.length > 0
      ? view.subscriptions.map((s) => subscriptionCard(tr, view, s, formToken, base)).join("\n")
      : `<p class="muted">${h(tr.t("page.portal.noSubscriptions"))}</p>`;
  const contact = merchant.supportEmail ?? merchant.email;
  const cardSection = portalAllows(settings, "updateCard")
    ? `<h2>${h(tr.t("common.paymentMethod"))}</h2>
<p class="on-file">${h(methodLine(tr, view.card))}</p>
${processorKindOf(merchant) ? actionForm(`${base}/update-card`, formToken, view.card ? tr.t("page.portal.updateCard") : tr.t("page.card.add"), "secondary") : `<p>${h(tr.t("page.card.contactToChange", { merchant: merchant.name, email: contact }))}</p>`}`
    : "";
  const open =
    view.openInvoices.length > 0
      ? `<table class="open-invoices"><thead><tr><th>${h(tr.t("common.invoice"))}</th><th>${h(tr.t("page.portal.due"))}</th><th class="money">${h(tr.t("common.amountDue"))}</th><th><span class="visually-hidden">${h(tr.t("common.pay"))}</span></th></tr></thead><tbody>
${openInvoiceRows(tr, view)}
</tbody></table>`
      : `<p class="muted">${h(tr.t("page.portal.nothingToPay"))}</p>`;
  const past =
    view.pastInvoices.length > 0
      ? `<table class="past-invoices"><thead><tr><th>${h(tr.t("common.invoice"))}</th><th>${h(tr.t("page.portal.date"))}</th><th class="money">${h(tr.t("common.total"))}</th><th>${h(tr.t("page.portal.statusHeading"))}</th><th><span class="visually-hidden">${h(tr.t("page.portal.document"))}</span></th></tr></thead><tbody>
${pastInvoiceRows(tr, view)}
</tbody></table>`
      : `<p class="muted">${h(tr.t("page.portal.noPastInvoices"))}</p>`;
  const error = typeof shown.error === "function" ? shown.error(tr) : shown.error;
  const html = brandedPage({
    merchant,
    locale: tr.locale,
    title: tr.t("page.portal.documentTitle", { merchant: merchant.name }),
    testModeNotice: testModeNotice(tr),
    style,
    main: `<section class="sheet" aria-labelledby="title">
<h1 id="title">${h(tr.t("page.portal.title"))}</h1>
<p class="muted">${h(`${customer.name ? `${customer.name} · ` : ""}${customer.email}`)}</p>
${shown.done ? `<p class="notice" role="status">${h(tr.t("page.portal.done", { done: shown.done }))}</p>` : ""}
${error ? `<div class="error" role="alert">${h(error)}</div>` : ""}
<h2>${h(tr.t("page.portal.subscriptions"))}</h2>
${subscriptions}
${cardSection}
<h2>${h(tr.t("page.portal.openInvoices"))}</h2>
${open}
<h2>${h(tr.t("page.portal.history"))}</h2>
${past}
<p class="muted">${h(tr.t("page.portal.questions", { merchant: merchant.name, email: contact }))}</p>
</section>`,
  });
  return new HttpResponse(status, undefined, html.headers, { body: html.html });
}

/** 410: the link is past its week; the page says how to get a new one (and nothing of the customer). */
const expiredPage = (merchant: Merchant) =>
  linkExpiredPage(merchant, { what: "account", days: portalLinkDays, testModeNotice, style });
