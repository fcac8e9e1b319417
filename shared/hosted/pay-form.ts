/**
 * The pay-form flow of any payable thing a buyer reaches by a hosted-page token (an invoice today;
 * a checkout link or an accepted quote next). In the sandbox the page is where a buyer "enters a card"
 * in test mode (it lists the test cards); for a processor with hosted checkout it is the button that
 * starts the attempt and leads there. A plain form (no scripts) posting to the same origin with a
 * signed anti-forgery token: only that POST ever starts a payment, never a GET (link previews,
 * prefetchers and crawlers follow GETs).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { freshSecret, verifyWithSecret } from "../aws/secrets.ts";
import type { Clock } from "../domain/clock.ts";
import { ConflictError, PaymentDeclinedError } from "../domain/errors.ts";
import type { Take } from "../domain/limits.ts";
import { HttpResponse } from "../http/api.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { requireProcessorKind } from "../payments/mode.ts";
import { sandboxTestMethods } from "../payments/sandbox-cards.ts";
import { escapeHtml } from "./escape.ts";
import { htmlPage, type Page } from "./page.ts";

/** What a buyer can pay through the form, and how a payment of it starts. */
export interface PayFormSubject {
  merchant: Merchant;
  /** The buyer's locale (`readerLocale`): the form's words, amount and `lang`. */
  locale: string;
  /** What the buyer pays, as the page names it: its kind and its number. */
  kind: "invoice" | "quote";
  number: string;
  amountDue: number;
  currency: string;
  /** Whether it can be paid now; when not, the form sends the buyer back to its page. */
  payable: boolean;
  /**
   * What paying also saves the buyer's card for, said above the button: a subscription's payments
   * (its invoice), a quote's later installments, or a subscription that charges nothing today.
   */
  savesCard?: "subscription" | "quote" | "subscriptionOnly";
  /** The button saves a card and charges nothing ("Save card and start"); else "Pay {amount}". */
  saveOnly?: boolean;
  /** Charges a card with the buyer present (the sandbox card page). */
  charge(paymentMethod: string): Promise<unknown>;
  /** Opens the processor's hosted checkout; the cancel URL names the attempt's payment. */
  checkout(urls: { successUrl: string; cancelUrl: (paymentId: string) => string }): Promise<{ url: string }>;
}

/** Where the form lives: the hosted-page token it belongs to and the page it returns to. */
export interface PayFormContext {
  token: string;
  backUrl: string;
  /** The deployment's public base URL (configuration, never the request's Host): the processor's return links. */
  publicBaseUrl: string;
  clock: Clock;
  /** The payable's window of declined card attempts (shared/domain/limits.ts). */
  cardAttempts: {
    /** A slot, taken before a card is charged; kept only when the card is declined. */
    take(): Promise<Take>;
    /** When the window is full, the seconds until it ends. */
    retryAfter(): Promise<number | undefined>;
  };
}

const formLifetimeSeconds = 30 * 60;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** A token binding the form to its hosted page and time: forged or stale posts are refused. */
export function formToken(secret: string, hostedToken: string, nowSeconds: number): string {
  const mac = createHmac("sha256", secret)
    .update(`sandbox-pay\n${hostedToken}\n${nowSeconds}`)
    .digest("base64url");
  return `${nowSeconds}.${mac}`;
}

export function checkFormToken(
  secret: string,
  hostedToken: string,
  presented: string,
  nowSeconds: number,
): boolean {
  const [issued, mac] = presented.split(".");
  const at = Number(issued);
  if (!mac || !Number.isSafeInteger(at) || nowSeconds - at > formLifetimeSeconds || at > nowSeconds + 60)
    return false;
  const expected = Buffer.from(formToken(secret, hostedToken, at).split(".")[1] ?? "");
  const given = Buffer.from(mac);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

class RefusedFormToken extends Error {}

/**
 * The token checked with the secret, re-read once (at most once a minute) when it fails: a rotation.
 * Any hosted form bound to its page's token (the pay form, the update-card form) checks it here.
 */
export const formTokenValid = (
  context: Pick<PayFormContext, "clock" | "token">,
  presented: string,
  nowSeconds: number,
) =>
  verifyWithSecret(
    "cursorSecret",
    context.clock,
    (secret) => {
      if (!checkFormToken(secret, context.token, presented, nowSeconds)) throw new RefusedFormToken();
      return true;
    },
    (error) => error instanceof RefusedFormToken,
  ).catch((error: unknown) => {
    if (error instanceof RefusedFormToken) return false;
    throw error;
  });

const redirect = (location: string) =>
  new HttpResponse(303, undefined, { location, "cache-control": "no-store" }, { body: "" });

/** GET: the form, or back to the page when there is nothing to pay. Without a processor, a 409. */
export async function payFormPage(payable: PayFormSubject, context: PayFormContext): Promise<HttpResponse> {
  if (!payable.payable) return redirect(context.backUrl);
  const kind = requireProcessorKind(payable.merchant);
  const blocked = kind === "sandbox" ? await context.cardAttempts.retryAfter() : undefined;
  if (blocked !== undefined)
    return tooManyDeclines(payable, blocked, (status, error) =>
      payPage(payable, kind, context, status, error),
    );
  return payPage(payable, kind, context, 200);
}

/**
 * POST: checks the form's token, then starts the attempt: to the processor's Checkout, or a charge of
 * the sandbox card entered. A decline or an attempt already in flight shows the form again, saying so.
 */
export async function submitPayForm(
  payable: PayFormSubject,
  context: PayFormContext,
  event: APIGatewayProxyEventV2,
): Promise<HttpResponse> {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64").toString("utf8")
    : (event.body ?? "");
  const form = new URLSearchParams(raw);
  // Without a processor there is nothing to pay with: a 409 naming the fix, before any form.
  const kind = requireProcessorKind(payable.merchant);
  const render = (status: number, error: string) => payPage(payable, kind, context, status, error);
  const tr = translator(payable.locale);
  const now = seconds(context.clock.now());
  if (!(await formTokenValid(context, form.get("formToken") ?? "", now))) {
    return render(403, tr.t("page.formExpired"));
  }
  if (!payable.payable) return redirect(context.backUrl);
  try {
    if (kind === "stripe") {
      const back = `${context.publicBaseUrl}${context.backUrl}`;
      const session = await payable.checkout({
        successUrl: `${back}?paid=1`,
        cancelUrl: (paymentId) => `${back}?canceled=${paymentId}`,
      });
      return redirect(session.url);
    }
    const card = (form.get("card") ?? "").replace(/[\s-]+/g, "");
    if (!/^[0-9]{8,19}$|^pm_[A-Za-z0-9_]+$/.test(card)) return render(400, tr.t("page.pay.enterCard"));
    return await chargeCard(payable, context, card, render);
  } catch (error) {
    if (error instanceof ConflictError)
      return render(409, tr.t("page.pay.inProgress", { kind: payable.kind }));
    throw error;
  }
}

/**
 * Charges the card entered, within the window of declined attempts: card testing on one invoice
 * stops at the limit with a 429 until the window ends. Only a decline keeps its slot.
 */
async function chargeCard(
  payable: PayFormSubject,
  context: PayFormContext,
  card: string,
  render: (status: number, error: string) => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const attempt = await context.cardAttempts.take();
  if (!attempt.taken) return tooManyDeclines(payable, attempt.retryAfterSeconds, render);
  try {
    await payable.charge(card);
  } catch (error) {
    if (error instanceof PaymentDeclinedError)
      return render(402, translator(payable.locale).t("page.pay.declined", { code: error.declineCode }));
    await attempt.slot.giveBack();
    throw error;
  }
  await attempt.slot.giveBack();
  return redirect(`${context.backUrl}?paid=1`);
}

/** The pay page as a 429: the window of declined cards is full until `retryAfterSeconds` from now. */
async function tooManyDeclines(
  payable: PayFormSubject,
  retryAfterSeconds: number,
  render: (status: number, error: string) => Promise<HttpResponse>,
): Promise<HttpResponse> {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  const page = await render(
    429,
    translator(payable.locale).t("page.pay.tooManyDeclines", { kind: payable.kind, minutes }),
  );
  return new HttpResponse(
    429,
    undefined,
    { ...page.headers, "retry-after": String(retryAfterSeconds) },
    page.raw,
  );
}

/** A new form token for the hosted page of `context.token`, valid for half an hour. */
export const issueFormToken = async (context: Pick<PayFormContext, "clock" | "token">) =>
  formToken(await freshSecret("cursorSecret", context.clock), context.token, seconds(context.clock.now()));

async function payPage(
  payable: PayFormSubject,
  kind: "sandbox" | "stripe",
  context: PayFormContext,
  status: number,
  error?: string,
): Promise<HttpResponse> {
  const token = await issueFormToken(context);
  const page = renderPayPage(payable, {
    formToken: token,
    backUrl: context.backUrl,
    checkout: kind === "stripe",
    ...(error ? { error } : {}),
  });
  return new HttpResponse(status, undefined, page.headers, { body: page.html });
}

const style = `body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1f2937;margin:0;padding:24px}
main{max-width:440px;margin:0 auto;background:#fff;border-radius:10px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:20px;margin:0 0 4px}.amount{font-size:28px;font-weight:700;margin:12px 0 20px}
label{display:block;font-weight:600;margin-bottom:6px}input{width:100%;box-sizing:border-box;font-size:18px;padding:10px;border:1px solid #cbd5e1;border-radius:6px}
button{margin-top:16px;width:100%;font-size:17px;padding:12px;border:0;border-radius:6px;background:#1d4ed8;color:#fff;cursor:pointer}
.error{background:#fef2f2;color:#991b1b;border:1px solid #fecaca;padding:10px;border-radius:6px;margin-bottom:14px}
.save-note{margin:14px 0 0;color:#4b5563;font-size:14px}
.test-mode{margin:0 0 16px;padding:10px;background:#fef3c7;color:#92400e;border:2px solid #f59e0b;border-radius:6px;text-align:center;font-weight:700;letter-spacing:.04em}
table{width:100%;border-collapse:collapse;margin-top:20px;font-size:13px}td{padding:4px 0;border-top:1px solid #eee}
a{color:#1d4ed8}`;

/** The sandbox's test methods as table rows: number, token, what a charge of it does. */
export function sandboxCardRows(tr: Translator): string {
  return sandboxTestMethods
    .map((m) => {
      const outcome = tr.t("page.pay.testCardOutcome", {
        outcome: m.behaviour.kind,
        code: "declineCode" in m.behaviour ? m.behaviour.declineCode : "",
      });
      return `<tr><td><code>${escapeHtml(m.number)}</code></td><td>${escapeHtml(m.token)}</td><td>${escapeHtml(outcome)}</td></tr>`;
    })
    .join("");
}

/** The pay page: the sandbox's card form with its test cards, or the button to the processor's Checkout. */
function renderPayPage(
  payable: Pick<
    PayFormSubject,
    "merchant" | "locale" | "kind" | "number" | "amountDue" | "currency" | "savesCard" | "saveOnly"
  >,
  input: {
    formToken: string;
    backUrl: string;
    error?: string;
    /** The buyer pays on the processor's hosted checkout: no card field, no test cards. */
    checkout?: boolean;
  },
): Page {
  const tr = translator(payable.locale);
  const amount = tr.money(payable.amountDue, payable.currency);
  const card = input.checkout
    ? ""
    : `<label for="card">${escapeHtml(tr.t("page.pay.cardNumber"))}</label><input id="card" name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required maxlength="40">`;
  const saveNote = payable.savesCard
    ? `<p class="save-note">${escapeHtml(tr.t("page.pay.savesCard", { for: payable.savesCard }))}</p>`
    : "";
  const action = payable.saveOnly ? tr.t("page.saveCardAndStart") : tr.t("common.payAmount", { amount });
  return htmlPage({
    title: tr.t("page.pay.title", { number: payable.number }),
    lang: tr.locale,
    style,
    formAction: "self",
    body: `<main>${input.checkout ? "" : `<p class="test-mode" role="note">${escapeHtml(tr.t("page.pay.testMode"))}</p>`}<h1>${escapeHtml(payable.merchant.name)}</h1><div>${escapeHtml(tr.t("page.pay.what", { kind: payable.kind, number: payable.number }))}</div>
<div class="amount">${escapeHtml(amount)}</div>${input.error ? `<div class="error" role="alert">${escapeHtml(input.error)}</div>` : ""}
<form method="post"><input type="hidden" name="formToken" value="${escapeHtml(input.formToken)}">
${card}${saveNote}<button type="submit">${escapeHtml(action)}</button></form>
<p><a href="${escapeHtml(input.backUrl)}">${escapeHtml(tr.t("page.pay.back", { kind: payable.kind }))}</a></p>
${input.checkout ? "" : `<table><caption>${escapeHtml(tr.t("page.testCards"))}</caption>${sandboxCardRows(tr)}</table>`}</main>`,
  });
}
