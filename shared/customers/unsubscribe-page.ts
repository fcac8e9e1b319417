/**
 * The unsubscribe page (`/u/{token}`) in the hosted kit's branded frame. A GET only shows it (a link
 * scanner or preview following the email's link unsubscribes nobody); the "Unsubscribe" button posts
 * a plain form with the page's signed form token. A mail client's RFC 8058 one-click POST carries
 * `List-Unsubscribe=One-Click` instead: it cannot have a form token, and needs none, since only the
 * unguessable token in the email's own header names the customer (it is no cross-site forgery).
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { Clock } from "../domain/clock.ts";
import { brandedPage } from "../hosted/branded.ts";
import { escapeHtml } from "../hosted/escape.ts";
import { formTokenValid, issueFormToken } from "../hosted/pay-form.ts";
import { HttpResponse } from "../http/api.ts";
import { readerLocale } from "../i18n/locale.ts";
import { translator } from "../i18n/translator.ts";
import { linkExpiredPage } from "./update-card-page.ts";
import {
  type UnsubscribePorts,
  type UnsubscribeSubject,
  unsubscribe,
  unsubscribeLinkDays,
  unsubscribePath,
  unsubscribeView,
} from "./unsubscribe.ts";

/** Where the page lives and what guards its form. */
export interface UnsubscribeContext {
  token: string;
  clock: Clock;
}

const style = `
.sheet{max-width:560px;margin:0 auto;background:#fff;border:1px solid var(--line);border-top:4px solid var(--brand);border-radius:10px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:24px;line-height:1.2;margin:0 0 12px}
.muted{color:var(--muted)}
.notice{margin:16px 0 0;padding:10px 14px;border-radius:8px;font-weight:600;background:#dcfce7;color:#166534}
.error{margin:16px 0 0;padding:10px 14px;border-radius:8px;background:#fef2f2;color:#991b1b;border:1px solid #fecaca}
form{margin:20px 0 0}
button{font-size:15px;padding:8px 14px;border:1px solid var(--brand);border-radius:6px;background:var(--brand);color:var(--on-brand);cursor:pointer;font-weight:600}
button:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
`;

const rawBodyOf = (event: APIGatewayProxyEventV2) =>
  event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");

/** RFC 8058 asks for `multipart/form-data` (a part named List-Unsubscribe) and allows the url-encoded form. */
const multipartOneClick = /Content-Disposition: form-data; name="List-Unsubscribe"\r?\n\r?\nOne-Click\r?\n/i;

/** GET: the page with the button, or that the buyer is unsubscribed already; a past link is a 410. */
export async function unsubscribePage(ports: UnsubscribePorts, context: UnsubscribeContext) {
  return render(await unsubscribeView(ports, context.token), context, 200);
}

/**
 * POST: the form (with its valid form token) or a one-click body unsubscribes the buyer; anything
 * else is the page again with a 403, and changes nothing.
 */
export async function submitUnsubscribe(
  ports: UnsubscribePorts,
  context: UnsubscribeContext,
  event: APIGatewayProxyEventV2,
): Promise<HttpResponse> {
  const raw = rawBodyOf(event);
  const body = new URLSearchParams(raw);
  const oneClick =
    body.get("List-Unsubscribe") === "One-Click" ||
    (/^multipart\/form-data/i.test(event.headers?.["content-type"] ?? "") && multipartOneClick.test(raw));
  const now = Math.floor(context.clock.now().getTime() / 1000);
  if (!oneClick && !(await formTokenValid(context, body.get("formToken") ?? "", now))) {
    return render(await unsubscribeView(ports, context.token), context, 403, true);
  }
  return render(await unsubscribe(ports, context.token), context, 200);
}

async function render(
  subject: UnsubscribeSubject,
  context: UnsubscribeContext,
  status: number,
  formExpired = false,
): Promise<HttpResponse> {
  if (subject.state === "expired") {
    return linkExpiredPage(subject.merchant, {
      what: "unsubscribe",
      days: unsubscribeLinkDays,
      testModeNotice: (tr) => tr.t("page.unsubscribe.testMode"),
      style,
    });
  }
  const { merchant, customer, state } = subject;
  const tr = translator(readerLocale(merchant, customer));
  const message = tr.t("page.unsubscribe.message", { state, merchant: merchant.name });
  const button = tr.t("page.unsubscribe.button");
  const form =
    state === "subscribed"
      ? `<form method="post" action="${escapeHtml(unsubscribePath(context.token))}"><input type="hidden" name="formToken" value="${escapeHtml(await issueFormToken(context))}"><button type="submit">${escapeHtml(button)}</button></form>`
      : "";
  const html = brandedPage({
    merchant,
    locale: tr.locale,
    title: tr.t("page.unsubscribe.documentTitle", { merchant: merchant.name }),
    testModeNotice: tr.t("page.unsubscribe.testMode"),
    style,
    main: `<section class="sheet" aria-labelledby="title">
<h1 id="title">${escapeHtml(state === "subscribed" ? button : tr.t("page.unsubscribe.done"))}</h1>
<p class="muted">${escapeHtml(customer.email)}</p>
${formExpired ? `<div class="error" role="alert">${escapeHtml(tr.t("page.formExpired"))}</div>` : ""}
<p${state === "subscribed" ? "" : ` class="notice" role="status"`}>${escapeHtml(message)}</p>
${form}
</section>`,
  });
  return new HttpResponse(status, undefined, html.headers, { body: html.html });
}
