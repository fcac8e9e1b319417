/**
 * The buyer's update-card page (`/c/{token}/payment-method`) in the hosted kit's branded frame: the
 * card on file and a form to save a new one. Like the pay form it has no scripts and posts to itself
 * with a signed form token, so only that POST ever saves a card; declined cards count against the
 * same window as the pay form's (card testing stops at the limit with a 429).
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { Clock } from "../domain/clock.ts";
import { PaymentDeclinedError, ValidationError } from "../domain/errors.ts";
import type { Take } from "../domain/limits.ts";
import { brandedPage } from "../hosted/branded.ts";
import { escapeHtml } from "../hosted/escape.ts";
import { formTokenValid, issueFormToken, sandboxCardRows } from "../hosted/pay-form.ts";
import { HttpResponse } from "../http/api.ts";
import { readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { processorKindOf, requireProcessorKind } from "../payments/mode.ts";
import type { PaymentMethod } from "./payment-method.ts";
import { attachPaymentMethod } from "./payment-methods.ts";
import {
  setupCheckout,
  type UpdateCardPorts,
  type UpdateCardSubject,
  updateCardLinkDays,
  updateCardPath,
  updateCardSubject,
} from "./update-card.ts";

/** Where the page lives and what guards its form. */
export interface UpdateCardContext {
  token: string;
  /** The deployment's public base URL (configuration, never the request's Host): Checkout's return links. */
  publicBaseUrl: string;
  clock: Clock;
  /** The customer's window of declined cards (shared/domain/limits.ts), as the pay form's is the invoice's. */
  cardAttempts(
    merchantId: string,
    customerId: string,
  ): {
    take(): Promise<Take>;
    retryAfter(): Promise<number | undefined>;
  };
}

type Valid = Extract<UpdateCardSubject, { state: "valid" }>;

/** The customer reads their pages in their locale, else the merchant's. */
const readerOf = ({ merchant, customer }: { merchant: Merchant; customer: { locale?: string | undefined } }) =>
  translator(readerLocale(merchant, customer));

const redirect = (location: string) =>
  new HttpResponse(303, undefined, { location, "cache-control": "no-store" }, { body: "" });

/** GET: the card on file and the form; a link past its week is a 410 page saying how to get a new one. */
export async function updateCardPage(
  ports: UpdateCardPorts,
  context: UpdateCardContext,
  saved: boolean,
): Promise<HttpResponse> {
  const subject = await updateCardSubject(ports, context.token);
  if (subject.state === "expired") return expiredPage(subject.merchant);
  const kind = processorKindOf(subject.merchant);
  const blocked =
    kind === "sandbox"
      ? await context.cardAttempts(subject.merchant.id, subject.customer.id).retryAfter()
      : undefined;
  if (blocked !== undefined) return tooManyDeclines(subject, context, blocked);
  return page(subject, context, 200, saved ? { saved } : {});
}

/**
 * POST: checks the form's token, then saves the card: the sandbox's test card entered, as the
 * customer's default (a decline shows the form again and saves nothing), or on to Stripe Checkout
 * in setup mode, whose completion attaches the card.
 */
export async function submitUpdateCard(
  ports: UpdateCardPorts,
  context: UpdateCardContext,
  event: APIGatewayProxyEventV2,
): Promise<HttpResponse> {
  const subject = await updateCardSubject(ports, context.token);
  if (subject.state === "expired") return expiredPage(subject.merchant);
  const { merchant, customer } = subject;
  const tr = readerOf(subject);
  // Without a processor there is nothing to save a card with: a 409 naming the fix.
  const kind = requireProcessorKind(merchant);
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64").toString("utf8")
    : (event.body ?? "");
  const form = new URLSearchParams(raw);
  const now = Math.floor(context.clock.now().getTime() / 1000);
  if (!(await formTokenValid(context, form.get("formToken") ?? "", now))) {
    return page(subject, context, 403, { error: tr.t("page.formExpired") });
  }
  const here = updateCardPath(context.token);
  if (kind === "stripe") {
    const back = `${context.publicBaseUrl}${here}`;
    const session = await setupCheckout(ports, merchant.id, customer, {
      successUrl: `${back}?saved=1`,
      cancelUrl: back,
    });
    return redirect(session.url);
  }
  const card = (form.get("card") ?? "").replace(/[\s-]+/g, "");
  if (!/^[0-9]{8,19}$|^pm_[A-Za-z0-9_]+$/.test(card)) {
    return page(subject, context, 400, { error: tr.t("page.pay.enterCard") });
  }
  const attempts = context.cardAttempts(merchant.id, customer.id);
  const attempt = await attempts.take();
  if (!attempt.taken) return tooManyDeclines(subject, context, attempt.retryAfterSeconds);
  try {
    await attachPaymentMethod(ports, merchant.id, customer.id, card, { makeDefault: true });
  } catch (error) {
    // A declined or unknown card keeps its slot: both are what card testing looks like.
    if (error instanceof PaymentDeclinedError)
      return page(subject, context, 402, {
        error: tr.t("page.pay.declined", { code: error.declineCode }),
      });
    if (error instanceof ValidationError)
      return page(subject, context, 400, { error: tr.t("page.card.cannotSave") });
    await attempt.slot.giveBack();
    throw error;
  }
  await attempt.slot.giveBack();
  return redirect(`${here}?saved=1`);
}

async function tooManyDeclines(
  subject: Valid,
  context: UpdateCardContext,
  retryAfterSeconds: number,
): Promise<HttpResponse> {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const tr = readerOf(subject);
  const shown = await page(subject, context, 429, {
    error: `${tr.t("page.checkout.tooManyDeclines")} ${tr.t("page.tryAgainIn", { minutes })}`,
  });
  return new HttpResponse(
    429,
    undefined,
    { ...shown.headers, "retry-after": String(retryAfterSeconds) },
    shown.raw,
  );
}

const style = `
.sheet{max-width:520px;margin:0 auto;background:#fff;border:1px solid var(--line);border-top:4px solid var(--brand);border-radius:10px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:24px;line-height:1.2;margin:0 0 8px}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:24px 0 8px;font-weight:600}
.muted{color:var(--muted)}
.on-file{margin:0;font-size:17px;font-weight:600}
.notice{margin:16px 0 0;padding:10px 14px;border-radius:8px;font-weight:600;background:#dcfce7;color:#166534}
.error{margin:16px 0 0;padding:10px 14px;border-radius:8px;background:#fef2f2;color:#991b1b;border:1px solid #fecaca}
label{display:block;font-weight:600;margin:0 0 6px}
input{width:100%;font-size:18px;padding:10px;border:1px solid #cbd5e1;border-radius:6px}
button{margin-top:16px;width:100%;font-size:17px;padding:12px;border:0;border-radius:8px;background:var(--brand);color:var(--on-brand);cursor:pointer;font-weight:600}
button:focus-visible,input:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
table{width:100%;border-collapse:collapse;margin-top:24px;font-size:13px}
caption{text-align:left;font-weight:600;margin-bottom:4px}
td{padding:4px 6px 4px 0;border-top:1px solid var(--line)}
@media (max-width:600px){.sheet{padding:18px 14px}}
`;

/** The card on file in one line: "Visa •••• 4242 · expires 12/2034". */
export function methodLine(tr: Translator, method: PaymentMethod | undefined): string {
  if (!method) return tr.t("page.card.none");
  if (!method.card) return tr.t("page.card.usBankAccount");
  const { brand, last4, expMonth, expYear } = method.card;
  const name = brand.charAt(0).toUpperCase() + brand.slice(1);
  return tr.t("page.card.line", {
    brand: name,
    last4,
    expires: `${String(expMonth).padStart(2, "0")}/${expYear}`,
  });
}

async function page(
  subject: Valid,
  context: UpdateCardContext,
  status: number,
  shown: { saved?: boolean; error?: string },
): Promise<HttpResponse> {
  const { merchant, customer, card } = subject;
  const tr = readerOf(subject);
  const kind = processorKindOf(merchant);
  const contact = merchant.supportEmail ?? merchant.email;
  let form: string;
  if (!kind) {
    form = `<p>${escapeHtml(tr.t("page.card.contactToChange", { merchant: merchant.name, email: contact }))}</p>`;
  } else {
    const formToken = await issueFormToken(context);
    const field =
      kind === "sandbox"
        ? `<label for="card">${escapeHtml(tr.t("page.pay.cardNumber"))}</label><input id="card" name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required maxlength="40">`
        : `<p class="muted">${escapeHtml(tr.t("page.card.providerPage"))}</p>`;
    form = `<form method="post"><input type="hidden" name="formToken" value="${escapeHtml(formToken)}">
${field}<button type="submit">${escapeHtml(kind === "sandbox" ? tr.t("page.card.save") : tr.t("page.card.addNew"))}</button></form>`;
  }
  const testCards =
    kind === "sandbox"
      ? `<table><caption>${escapeHtml(tr.t("page.testCards"))}</caption>${sandboxCardRows(tr)}</table>
<p class="muted">${escapeHtml(tr.t("page.card.decliningRefused"))}</p>`
      : "";
  const html = brandedPage({
    merchant,
    locale: tr.locale,
    title: tr.t("page.card.documentTitle", { merchant: merchant.name }),
    testModeNotice: tr.t("page.card.testMode"),
    style,
    main: `<section class="sheet" aria-labelledby="title">
<h1 id="title">${escapeHtml(tr.t("page.card.title"))}</h1>
<p class="muted">${escapeHtml(tr.t("page.card.intro", { merchant: merchant.name, email: customer.email }))}</p>
${shown.saved ? `<p class="notice" role="status">${escapeHtml(tr.t("page.card.saved"))}</p>` : ""}
${shown.error ? `<div class="error" role="alert">${escapeHtml(shown.error)}</div>` : ""}
<h2>${escapeHtml(tr.t("page.card.onFile"))}</h2>
<p class="on-file">${escapeHtml(methodLine(tr, card))}</p>
<h2>${escapeHtml(card ? tr.t("page.card.replace") : tr.t("page.card.add"))}</h2>
${form}
${testCards}
</section>`,
  });
  return new HttpResponse(status, undefined, html.headers, { body: html.html });
}

const expiredPage = (merchant: Merchant) =>
  linkExpiredPage(merchant, {
    what: "updateCard",
    days: updateCardLinkDays,
    testModeNotice: (tr) => tr.t("page.card.testMode"),
    style,
  });

/**
 * 410: a customer's link (`what`, valid `days`) is past; the page says how to get a new one (and
 * nothing of the customer: it reads in the merchant's locale).
 */
export function linkExpiredPage(
  merchant: Merchant,
  page: {
    what: "updateCard" | "account" | "unsubscribe";
    days: number;
    testModeNotice: (tr: Translator) => string;
    style: string;
  },
): HttpResponse {
  const tr = translator(readerLocale(merchant));
  const contact = merchant.supportEmail ?? merchant.email;
  const html = brandedPage({
    merchant,
    locale: tr.locale,
    title: tr.t("page.expired.documentTitle", { merchant: merchant.name }),
    testModeNotice: page.testModeNotice(tr),
    style: page.style,
    main: `<section class="sheet" aria-labelledby="title">
<h1 id="title">${escapeHtml(tr.t("page.expired.title"))}</h1>
<p>${escapeHtml(tr.t("page.expired.text", { what: page.what, days: page.days, merchant: merchant.name, email: contact }))}</p>
</section>`,
  });
  return new HttpResponse(410, undefined, html.headers, { body: html.html });
}
