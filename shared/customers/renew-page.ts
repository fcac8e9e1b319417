/**
 * The renew-early page (`/c/{token}/renew`, issue 15 §2), opened by the portal's token (a renewal
 * reminder links it): the buyer's upcoming renewal — the next period, its lines and its total as
 * billing will price it — a discount-code field and "Renew now". Like the portal it has no script:
 * one plain form posting with the portal's signed form token; the POST bills the period now
 * (subscriptions/renew-early.ts) and sends the buyer on to the result.
 *
 * Codes are guessable, so failed ones are counted per link (`windowLimits.failedCodeAttempts`): at
 * the limit every code is refused with a 429 page until the window ends, nothing billed.
 */
import { createHash } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { Clock } from "../domain/clock.ts";
import { ConflictError, type FieldError, ValidationError } from "../domain/errors.ts";
import { isId } from "../domain/ids.ts";
import type { Take } from "../domain/limits.ts";
import { brandedPage } from "../hosted/branded.ts";
import { escapeHtml } from "../hosted/escape.ts";
import { formTokenValid, issueFormToken } from "../hosted/pay-form.ts";
import { HttpResponse } from "../http/api.ts";
import { readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import {
  customersSubscription,
  earlyRenewal,
  renewalPreview,
  type RenewEarlyPorts,
  renewEarly,
  type RenewOutcome,
} from "../subscriptions/renew-early.ts";
import type { StoredSubscription } from "../subscriptions/subscription.ts";
import { type PortalPorts, type PortalView, portalLinkDays, portalPath, portalView } from "./portal.ts";
import { subscriptionItems } from "../subscriptions/wording.ts";
import { linkExpiredPage } from "./update-card-page.ts";

export interface RenewPagePorts extends PortalPorts {
  /** Renewing early on the customer's clock (a test clock's time for a customer bound to one). */
  renewal(merchantId: string, customerId: string): Promise<RenewEarlyPorts>;
  /** A link's window of failed discount codes. */
  codeAttempts(
    merchantId: string,
    subject: string,
  ): { take(): Promise<Take>; retryAfter(): Promise<number | undefined> };
}

/** Where the page lives and what guards its form (the portal's token and the request's clock). */
export interface RenewPageContext {
  token: string;
  clock: Clock;
}

/** The renew page of a portal token, relative to the public base URL. */
export const renewPath = (token: string, subscriptionId?: string) =>
  `${portalPath(token)}/renew${subscriptionId ? `?subscription=${subscriptionId}` : ""}`;

/** Whose failed codes count together: one link (hashed: the table keeps no token). */
const codeSubject = (token: string) =>
  `renew:${createHash("sha256").update(token, "utf8").digest("base64url").slice(0, 22)}`;

const testModeNotice = (tr: Translator) => tr.t("page.renew.testMode");

const style = `
.sheet{max-width:620px;margin:0 auto;background:#fff;border:1px solid var(--line);border-top:4px solid var(--brand);border-radius:10px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:24px;line-height:1.2;margin:0 0 8px}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:24px 0 8px;font-weight:600}
.muted{color:var(--muted)}
.notice{margin:16px 0 0;padding:10px 14px;border-radius:8px;font-weight:600;background:#dcfce7;color:#166534}
.error{margin:16px 0 0;padding:10px 14px;border-radius:8px;background:#fef2f2;color:#991b1b;border:1px solid #fecaca}
table{width:100%;border-collapse:collapse}
th,td{padding:8px 4px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.total th,.total td{font-weight:700;border-bottom:0}
label{display:block;font-weight:600;margin:16px 0 6px}
input{width:100%;font-size:17px;padding:9px;border:1px solid #cbd5e1;border-radius:6px}
button{margin-top:16px;width:100%;font-size:17px;padding:12px;border:0;border-radius:8px;background:var(--brand);color:var(--on-brand);cursor:pointer;font-weight:600}
button:focus-visible,input:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
ul.choices{padding-left:20px}
@media (max-width:600px){.sheet{padding:18px 12px}}
`;

const formOf = (event: APIGatewayProxyEventV2) =>
  new URLSearchParams(
    event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? ""),
  );

const redirect = (location: string) =>
  new HttpResponse(303, undefined, { location, "cache-control": "no-store" }, { body: "" });

const expiredPage = (merchant: Merchant) =>
  linkExpiredPage(merchant, { what: "account", days: portalLinkDays, testModeNotice, style });

interface Shown {
  /** In the customer's words (their translator), or a use case's own message. */
  error?: (tr: Translator) => string;
  code?: string;
  headers?: Record<string, string>;
}

/** GET: the renewal of `subscriptionId` (or of the one renewable subscription), else the list to choose from. */
export async function renewPage(
  ports: RenewPagePorts,
  context: RenewPageContext,
  subscriptionId: string | undefined,
): Promise<HttpResponse> {
  return show(ports, context, subscriptionId, 200, {});
}

/**
 * POST: renews `subscription` early with `code?`, then on to the result: the page again saying it is
 * paid, or the invoice's hosted page when the buyer pays there. A stale form is a 403 page, a code
 * that does not apply a 400 page (nothing billed), too many failed codes a 429 page, a subscription
 * that cannot renew early a 409 page.
 */
export async function submitRenew(
  ports: RenewPagePorts,
  context: RenewPageContext,
  event: APIGatewayProxyEventV2,
): Promise<HttpResponse> {
  const form = formOf(event);
  const subscriptionId = form.get("subscription") ?? undefined;
  const now = Math.floor(context.clock.now().getTime() / 1000);
  if (!(await formTokenValid(context, form.get("formToken") ?? "", now)))
    return show(ports, context, subscriptionId, 403, { error: (tr) => tr.t("page.formExpired") });
  const code = (form.get("code") ?? "").trim();
  const problems: FieldError[] = [];
  if (!subscriptionId || !isId("subscription", subscriptionId))
    problems.push({ path: "subscription", message: "must be a sub_… id" });
  if (code.length > 64) problems.push({ path: "code", message: "must be at most 64 characters" });
  if (problems.length > 0 || !subscriptionId) throw new ValidationError(problems);
  const subject = await portalView(ports, context.token);
  if (subject.state === "expired") return expiredPage(subject.merchant);
  const { merchant, customer } = subject.view;
  const attempts = ports.codeAttempts(merchant.id, codeSubject(context.token));
  const full = code ? await attempts.retryAfter() : undefined;
  if (full) return tooManyCodes(ports, context, subscriptionId, code, full);
  let outcome: RenewOutcome;
  try {
    outcome = await renewEarly(
      await ports.renewal(merchant.id, customer.id),
      merchant.id,
      customer.id,
      subscriptionId,
      code || undefined,
    );
  } catch (error) {
    if (error instanceof ValidationError && error.errors.some((e) => e.path === "code")) {
      const take = await attempts.take();
      if (!take.taken) return tooManyCodes(ports, context, subscriptionId, code, take.retryAfterSeconds);
      const message = error.errors.map((e) => e.message).join(" ");
      return show(ports, context, subscriptionId, 400, {
        error: (tr) => `${message} ${tr.t("page.renew.nothingBilled")}`,
        code,
      });
    }
    if (error instanceof ConflictError)
      return show(ports, context, subscriptionId, 409, { error: () => error.message });
    throw error;
  }
  const { invoice } = outcome;
  if (outcome.state === "to_pay" && !outcome.declined && invoice.hostedUrl)
    return redirect(invoice.hostedUrl);
  if (outcome.state === "to_pay")
    return show(ports, context, subscriptionId, 402, {
      error: (tr) => tr.t("page.renew.declined", { code: outcome.declined ?? "" }),
    });
  return redirect(renewPath(context.token, subscriptionId));
}

async function tooManyCodes(
  ports: RenewPagePorts,
  context: RenewPageContext,
  subscriptionId: string,
  code: string,
  retryAfterSeconds: number,
) {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return show(ports, context, subscriptionId, 429, {
    error: (tr) =>
      `${tr.t("page.checkout.tooManyCodes")} ${tr.t("page.tryAgainIn", { minutes })} ${tr.t("page.renew.nothingBilled")}`,
    code,
    headers: { "retry-after": String(retryAfterSeconds) },
  });
}

/** The page for the token's customer: one subscription's renewal, or the list to choose from. */
async function show(
  ports: RenewPagePorts,
  context: RenewPageContext,
  subscriptionId: string | undefined,
  status: number,
  shown: Shown,
): Promise<HttpResponse> {
  const subject = await portalView(ports, context.token);
  if (subject.state === "expired") return expiredPage(subject.merchant);
  const { view } = subject;
  const { merchant, customer } = view;
  const tr = translator(readerLocale(merchant, customer));
  const renewal = await ports.renewal(merchant.id, customer.id);
  const now = (await renewal.invoices.customerClock(merchant.id, customer.id)).now();
  const stored = await Promise.all(
    subscriptionId && isId("subscription", subscriptionId)
      ? [customersSubscription(renewal, merchant.id, customer.id, subscriptionId)]
      : view.subscriptions.map((s) => customersSubscription(renewal, merchant.id, customer.id, s.id)),
  );
  const renewable = stored.filter(({ value }) => "period" in earlyRenewal(value, now));
  const chosen = stored.length === 1 ? stored[0] : renewable.length === 1 ? renewable[0] : undefined;
  const main = chosen
    ? await renewalSection(tr, renewal, view, context, chosen.value, now, shown)
    : choices(
        tr,
        context,
        stored.map((s) => s.value),
        now,
      );
  const page = brandedPage({
    merchant,
    locale: tr.locale,
    title: tr.t("page.renew.documentTitle", { merchant: merchant.name }),
    testModeNotice: testModeNotice(tr),
    style,
    main: `<section class="sheet" aria-labelledby="title">
<h1 id="title">${escapeHtml(tr.t("page.renew.title"))}</h1>
<p class="muted">${escapeHtml(`${customer.name ? `${customer.name} · ` : ""}${customer.email}`)}</p>
${shown.error ? `<div class="error" role="alert">${escapeHtml(shown.error(tr))}</div>` : ""}
${main}
<p class="muted"><a href="${escapeHtml(portalPath(context.token))}">${escapeHtml(tr.t("page.renew.back"))}</a></p>
</section>`,
  });
  return new HttpResponse(
    status,
    undefined,
    { ...page.headers, "cache-control": "no-store", ...shown.headers },
    {
      body: page.html,
    },
  );
}

/** The buyer's subscriptions, each with its renew link or why it cannot renew early. */
function choices(tr: Translator, context: RenewPageContext, subscriptions: StoredSubscription[], now: Date) {
  if (subscriptions.length === 0) return `<p class="muted">${escapeHtml(tr.t("page.renew.none"))}</p>`;
  const rows = subscriptions.map((s) => {
    const offer = earlyRenewal(s, now);
    const what = `<strong>${escapeHtml(subscriptionItems(tr, s))}</strong>`;
    if ("period" in offer)
      return `<li data-subscription="${escapeHtml(s.id)}">${what} · <a href="${escapeHtml(renewPath(context.token, s.id))}">${escapeHtml(tr.t("page.renew.title"))}</a></li>`;
    const why = "renewed" in offer ? tr.t("page.renew.alreadyRenewed") : offer.refused;
    return `<li data-subscription="${escapeHtml(s.id)}">${what} · <span class="muted">${escapeHtml(why)}</span></li>`;
  });
  return `<h2>${escapeHtml(tr.t("page.renew.choose"))}</h2>\n<ul class="choices">${rows.join("\n")}</ul>`;
}

/** One subscription: its renewal priced with the form, its early renewal's invoice, or why it cannot renew. */
async function renewalSection(
  tr: Translator,
  ports: RenewEarlyPorts,
  view: PortalView,
  context: RenewPageContext,
  subscription: StoredSubscription,
  now: Date,
  shown: Shown,
): Promise<string> {
  const { merchant } = view;
  const date = (iso: string) => tr.date(iso, merchant.timeZone);
  const heading = `<h2>${escapeHtml(subscriptionItems(tr, subscription))}</h2>`;
  const offer = earlyRenewal(subscription, now);
  if ("refused" in offer)
    return `${heading}<p data-refused="${escapeHtml(subscription.id)}">${escapeHtml(offer.refused)}</p>`;
  if ("renewed" in offer) {
    const invoice = (await ports.invoices.invoices.read(merchant.id, offer.renewed))?.value;
    const period =
      invoice?.periodStart && invoice.periodEnd
        ? ` (${tr.t("common.period", { start: date(invoice.periodStart), end: date(invoice.periodEnd) })})`
        : "";
    const paid = invoice?.status === "paid";
    const link = invoice?.hostedUrl
      ? `<p><a href="${escapeHtml(paid ? `${invoice.hostedUrl}/pdf` : invoice.hostedUrl)}">${escapeHtml(paid ? tr.t("page.portal.documentPdf", { paid: "yes" }) : tr.t("page.renew.payInvoice"))}</a></p>`
      : "";
    return `${heading}<p class="notice" role="status" data-renewed="${escapeHtml(subscription.id)}">${escapeHtml(
      tr.t("page.renew.renewed", { period, paid: paid ? "yes" : "no" }),
    )}</p>${link}`;
  }
  const preview = (await renewalPreview(ports, merchant.id, subscription, offer.period)) as {
    currency: string;
    lineItems: { description: string; amountSubtotal: number }[];
    discountTotal: number;
    taxTotal: number;
    total: number;
    amountDue: number;
    periodStart: string;
    periodEnd: string;
  };
  const money = (amount: number) => escapeHtml(tr.money(amount, preview.currency));
  const words = (key: Parameters<Translator["t"]>[0]) => escapeHtml(tr.t(key));
  const lines = preview.lineItems
    .map(
      (l) => `<tr><td>${escapeHtml(l.description)}</td><td class="num">${money(l.amountSubtotal)}</td></tr>`,
    )
    .join("\n");
  const formToken = await issueFormToken(context);
  return `${heading}
<p>${escapeHtml(tr.t("page.renew.nextPeriod", { start: date(preview.periodStart), end: date(preview.periodEnd) }))}</p>
<table><tbody>
${lines}
${preview.discountTotal ? `<tr><td>${words("common.discount")}</td><td class="num">${escapeHtml(tr.t("page.checkout.deduction", { amount: tr.money(preview.discountTotal, preview.currency) }))}</td></tr>` : ""}
${preview.taxTotal ? `<tr><td>${words("common.tax")}</td><td class="num">${money(preview.taxTotal)}</td></tr>` : ""}
<tr class="total"><th>${words("common.total")}</th><td class="num" data-total>${money(preview.total)}</td></tr>
${preview.amountDue !== preview.total ? `<tr><td>${words("page.renew.dueAfterCredit")}</td><td class="num">${money(preview.amountDue)}</td></tr>` : ""}
</tbody></table>
<form method="post" action="${escapeHtml(renewPath(context.token))}">
<input type="hidden" name="formToken" value="${escapeHtml(formToken)}">
<input type="hidden" name="subscription" value="${escapeHtml(subscription.id)}">
<label for="code">${escapeHtml(tr.t("page.checkout.optional", { label: tr.t("page.checkout.discountCode") }))}</label>
<input id="code" name="code" autocomplete="off" maxlength="64" value="${escapeHtml(shown.code ?? "")}">
<button type="submit">${words("page.renew.now")}</button>
</form>`;
}
