/**
 * The hosted checkout page of a payment link (`/l/{slug}`), in the hosted kit's branded frame: no
 * external assets, one hashed inline style. A plain form posts to the page itself with a signed form
 * token (bound to the slug); the POST starts a checkout session and redirects to it
 * (POST/redirect/GET), so a reload never posts twice. The totals are the server's: the money engine
 * prices the link's quantities on the GET and the buyer's on the POST. One hashed inline script only
 * enhances the form: it asks the server to price changed quantities or a discount code
 * (`POST /l/{slug}/price`) and shows those totals; without it the page works the same.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { Clock } from "../domain/clock.ts";
import {
  ConflictError,
  type FieldError,
  NotFoundError,
  TooManyRequestsError,
  ValidationError,
} from "../domain/errors.ts";
import { brandedPage } from "../hosted/branded.ts";
import { escapeHtml } from "../hosted/escape.ts";
import { formTokenValid, issueFormToken, sandboxCardRows } from "../hosted/pay-form.ts";
import { HttpResponse } from "../http/api.ts";
import { canonicalLocale } from "../i18n/locale.ts";
import type { Translator } from "../i18n/translator.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { processorKindOf } from "../payments/mode.ts";
import {
  type CheckoutSession,
  type CheckoutTotals,
  checkoutReader,
  customField,
  discountCodeField,
  quantityField,
  recurringTerms,
} from "./checkout-session.ts";
import {
  type CheckoutPorts,
  defaultPricing,
  type Offer,
  offerOf,
  cancelProcessorCheckout,
  payCheckout,
  priceOrder,
  redirectCheckout,
  sessionOfOffer,
  startCheckout,
} from "./checkout.ts";
import { type PaymentLink, paymentLinkPath } from "./payment-link.ts";
import { perInterval } from "../subscriptions/wording.ts";

export interface CheckoutPageContext {
  slug: string;
  clock: Clock;
  /** The processor's checkout comes back to the page on it. */
  publicBaseUrl: string;
  /**
   * The buyer's choice of locale (`?locale=`, or the form's field carrying it on), as given: the
   * page reads in it when the platform can format it, else in the merchant's.
   */
  locale?: string | undefined;
}

type Open = Extract<Offer, { state: "open" }>;

const style = `
.sheet{max-width:560px;margin:0 auto;background:#fff;border:1px solid var(--line);border-top:4px solid var(--brand);border-radius:10px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:24px;line-height:1.2;margin:0 0 16px}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:24px 0 8px;font-weight:600}
.muted{color:var(--muted)}
.error{margin:16px 0;padding:10px 14px;border-radius:8px;background:#fef2f2;color:#991b1b;border:1px solid #fecaca}
.error ul{margin:6px 0 0;padding-left:20px}
.field-error{display:block;color:#991b1b;font-size:14px;margin-top:4px}
.notice{margin:16px 0;padding:10px 14px;border-radius:8px;background:#f1f5f9;color:#334155}
label{display:block;font-weight:600;margin:12px 0 6px}
input,select{width:100%;font-size:17px;padding:9px;border:1px solid #cbd5e1;border-radius:6px;background:#fff}
input.qty{width:5.5em}
fieldset{border:0;margin:0;padding:0;min-width:0}
legend{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:24px 0 0;font-weight:600;padding:0}
button{margin-top:20px;width:100%;font-size:17px;padding:12px;border:0;border-radius:8px;background:var(--brand);color:var(--on-brand);cursor:pointer;font-weight:600}
button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
table{width:100%;border-collapse:collapse}
th,td{padding:8px 4px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.total th,.total td{font-weight:700;border-bottom:0}
.cards td{overflow-wrap:anywhere}
@media (max-width:600px){.sheet{padding:18px 12px}}
`;

/**
 * The form page's live totals: on a changed quantity or discount code (debounced), the form's
 * quantities and code go to the price route; its amounts, formatted by the server, fill the cells of
 * the same `data-t` keys, and its problems go to the note, which the live region announces. A page
 * shown again with the buyer's answers (`data-reprice`) is priced at once.
 */
export const liveTotalsScript = `(()=>{const f=document.getElementById("checkout"),note=document.getElementById("totals-note");if(!f||!note||!window.fetch)return;const mine=(e)=>/^(quantity\\.\\d+|discountCode|locale)$/.test(e.name||"");let n=0,t;const price=async()=>{const i=++n,b=new URLSearchParams();for(const e of f.elements)if(mine(e))b.append(e.name,e.value);try{const r=await fetch(f.dataset.price,{method:"POST",body:b}),j=await r.json();if(i!==n)return;if(!r.ok){note.textContent=(j.errors||[]).map((e)=>e.message).join(" ")||j.detail||"";return}for(const[k,v]of Object.entries(j.display))for(const c of document.querySelectorAll('[data-t="'+k+'"]'))c.textContent=v;const d=document.getElementById("discount-row");if(d)d.hidden=!j.discountTotal;note.textContent=note.dataset.priced;}catch{}};f.addEventListener("input",(e)=>{if(mine(e.target)){clearTimeout(t);t=setTimeout(price,350)}});if(f.dataset.reprice)price()})();`;

const html = (
  tr: Translator,
  merchant: Merchant,
  title: string,
  main: string,
  status: number,
  script?: string,
) => {
  const page = brandedPage({
    merchant,
    locale: tr.locale,
    title: `${title} · ${merchant.name}`,
    testModeNotice: tr.t("page.checkout.testMode"),
    style,
    main,
    ...(script === undefined ? {} : { script }),
  });
  return new HttpResponse(
    status,
    undefined,
    { ...page.headers, "cache-control": "no-store" },
    { body: page.html },
  );
};

const redirect = (location: string) =>
  new HttpResponse(303, undefined, { location, "cache-control": "no-store" }, { body: "" });

/**
 * GET: the offer and its form, a session (`?session=cs_…`) as it was fixed, or why nothing is sold.
 * `&canceled={paymentId}` is the processor checkout's cancel URL: that checkout closes first.
 */
export async function checkoutPage(
  ports: CheckoutPorts,
  context: CheckoutPageContext,
  sessionId?: string,
  canceled?: string,
): Promise<HttpResponse> {
  const offer = await offerOf(ports, context.slug);
  if (offer.state === "missing") throw new NotFoundError("Payment link");
  if (sessionId) {
    if (canceled) await cancelProcessorCheckout(ports, offer, sessionId, canceled);
    const session = await sessionOfOffer(ports, offer, sessionId);
    if (session) return sessionPage(offer.merchant, offer.link, session, context, 200);
  }
  if (offer.state === "unavailable") return unavailablePage(offer, context.locale);
  return formPage(offer, context, 200, {});
}

const formOf = (event: APIGatewayProxyEventV2) =>
  new URLSearchParams(
    event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? ""),
  );

/**
 * The live totals: the form's quantities and discount code priced as a session started with them
 * would fix them, and the amounts as the page shows them. Writes nothing and needs no form token
 * (it starts nothing); a problem is a 400 naming the field, a link that no longer sells a 409.
 */
export async function priceCheckoutForm(
  ports: CheckoutPorts,
  context: CheckoutPageContext,
  event: APIGatewayProxyEventV2,
): Promise<CheckoutTotals & { display: Record<string, string> }> {
  const offer = await offerOf(ports, context.slug);
  if (offer.state === "missing") throw new NotFoundError("Payment link");
  const form = formOf(event);
  const tr = checkoutReader(offer.merchant, form.get("locale"));
  if (offer.state === "unavailable")
    throw new ConflictError(tr.t("page.checkout.unavailable", { reason: offer.reason }));
  const priced = await priceOrder(ports, offer, form, { sourceIp: event.requestContext.http.sourceIp });
  if ("tooManyCodes" in priced) throw tooManyCodesError(priced.retryAfterSeconds, tr);
  if ("errors" in priced) throw new ValidationError(priced.errors);
  return { ...priced.totals, display: displayedTotals(priced.totals, tr) };
}

/**
 * An open offer's form page exactly as `GET /l/{slug}` renders it, from the offer in hand: the page
 * weight test and the bench price and render it without the store.
 */
export const offerFormPage = (offer: Open, context: CheckoutPageContext) => formPage(offer, context, 200, {});

/** POST: checks the form token, then starts a checkout session (or shows the form again with every problem). */
export async function submitCheckout(
  ports: CheckoutPorts,
  page: CheckoutPageContext,
  event: APIGatewayProxyEventV2,
): Promise<HttpResponse> {
  const offer = await offerOf(ports, page.slug);
  if (offer.state === "missing") throw new NotFoundError("Payment link");
  const form = formOf(event);
  // The form carries the buyer's choice of locale on: a page shown again reads in it too.
  const context: CheckoutPageContext = { ...page, locale: form.get("locale") ?? undefined };
  if (offer.state === "unavailable") return unavailablePage(offer, context.locale);
  const tr = checkoutReader(offer.merchant, context.locale);
  const now = Math.floor(context.clock.now().getTime() / 1000);
  if (
    !(await formTokenValid({ clock: context.clock, token: context.slug }, form.get("formToken") ?? "", now))
  ) {
    return formPage(offer, context, 403, { form, notice: tr.t("page.formExpired") });
  }
  const sessionId = form.get("session");
  if (sessionId) {
    const kind = processorKindOf(offer.merchant);
    if (kind === "stripe") return toProcessor(ports, offer, context, sessionId);
    if (kind === "sandbox") return pay(ports, offer, context, sessionId, form.get("card") ?? "");
    const session = await sessionOfOffer(ports, offer, sessionId);
    if (!session) throw new NotFoundError("Checkout session");
    return sessionPage(offer.merchant, offer.link, session, context, 409, tr.t("page.checkout.noPayment"));
  }
  const started = await startCheckout(ports, offer, form, { sourceIp: event.requestContext.http.sourceIp });
  if ("errors" in started) return formPage(offer, context, 400, { form, errors: started.errors });
  if ("tooManyCodes" in started) {
    const shown = await formPage(offer, context, 429, {
      form,
      notice: tooManyCodesError(started.retryAfterSeconds, tr).message,
    });
    return new HttpResponse(
      429,
      undefined,
      { ...shown.headers, "retry-after": String(started.retryAfterSeconds) },
      shown.raw,
    );
  }
  if ("tooFast" in started) {
    const minutes = Math.ceil(started.retryAfterSeconds / 60);
    const shown = await formPage(offer, context, 429, {
      form,
      notice: `${tr.t("page.checkout.tooFast")} ${tr.t("page.tryAgainIn", { minutes })}`,
    });
    return new HttpResponse(
      429,
      undefined,
      { ...shown.headers, "retry-after": String(started.retryAfterSeconds) },
      shown.raw,
    );
  }
  return redirect(`${paymentLinkPath(context.slug)}?session=${started.session.id}`);
}

/** Too many discount codes that did not apply: the buyer's message, with when to try again. */
const tooManyCodesError = (retryAfterSeconds: number, tr: Translator) => {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return new TooManyRequestsError(
    `${tr.t("page.checkout.tooManyCodes")} ${tr.t("page.tryAgainIn", { minutes })}`,
    retryAfterSeconds,
  );
};

const pricePath = (slug: string) => `${paymentLinkPath(slug)}/price`;

const sessionPath = (slug: string, sessionId: string) => `${paymentLinkPath(slug)}?session=${sessionId}`;

const soldOut = (offer: Open, locale: string | undefined) =>
  unavailablePage(
    { ...offer, state: "unavailable", status: 410, reason: "sold_out" },
    locale,
  );

/**
 * The session's pay button posted, for a merchant on Stripe: to Stripe Checkout, which comes back to
 * the session's page (paid: it shows the payment being confirmed until the webhook completes it) or
 * to its cancel URL. Both are absolute, on the deployment's public base URL.
 */
async function toProcessor(
  ports: CheckoutPorts,
  offer: Open,
  context: CheckoutPageContext,
  sessionId: string,
): Promise<HttpResponse> {
  const back = `${context.publicBaseUrl}${sessionPath(context.slug, sessionId)}`;
  let result: Awaited<ReturnType<typeof redirectCheckout>>;
  try {
    result = await redirectCheckout(ports, offer, sessionId, {
      successUrl: back,
      cancelUrl: (paymentId) => `${back}&canceled=${paymentId}`,
    });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const session = await sessionOfOffer(ports, offer, sessionId);
    if (!session) throw new NotFoundError("Checkout session");
    return sessionPage(
      offer.merchant,
      offer.link,
      session,
      context,
      409,
      checkoutReader(offer.merchant, session.locale).t("page.checkout.inProgress"),
    );
  }
  switch (result.state) {
    case "redirect":
      return redirect(result.url);
    case "closed":
      if (!result.session) throw new NotFoundError("Checkout session");
      return redirect(sessionPath(context.slug, sessionId));
    case "sold_out":
      return soldOut(offer, context.locale);
  }
}

/** The session's card form posted: paid (back to the session, now complete), or the page saying why not. */
async function pay(
  ports: CheckoutPorts,
  offer: Open,
  context: CheckoutPageContext,
  sessionId: string,
  card: string,
): Promise<HttpResponse> {
  const again = async (status: number, error: (tr: Translator) => string) => {
    const session = await sessionOfOffer(ports, offer, sessionId);
    if (!session) throw new NotFoundError("Checkout session");
    const tr = checkoutReader(offer.merchant, session.locale);
    return sessionPage(offer.merchant, offer.link, session, context, status, error(tr));
  };
  const number = card.replace(/[\s-]+/g, "");
  if (!/^[0-9]{8,19}$|^pm_[A-Za-z0-9_]+$/.test(number))
    return again(400, (tr) => tr.t("page.pay.enterCard"));
  let result: Awaited<ReturnType<typeof payCheckout>>;
  try {
    result = await payCheckout(ports, offer, sessionId, number);
  } catch (error) {
    // Another attempt on the same session (a double submit) holds it: it decides.
    if (error instanceof ConflictError) return again(409, (tr) => tr.t("page.checkout.inProgress"));
    // The session's discount code was used up, expired or deactivated since it was applied: the
    // invoice refuses it before anything is redeemed or charged.
    if (error instanceof ValidationError && error.errors.some((e) => e.path.startsWith("discounts.")))
      return again(409, (tr) => tr.t("page.checkout.codeUsedUp"));
    throw error;
  }
  switch (result.state) {
    case "paid": {
      // The merchant's own page when the link says so, else the session's confirmation.
      const after = offer.link.afterCompletion;
      return redirect(after?.type === "redirect" ? after.url : sessionPath(context.slug, sessionId));
    }
    case "closed":
      if (!result.session) throw new NotFoundError("Checkout session");
      return redirect(sessionPath(context.slug, sessionId));
    case "sold_out":
      return soldOut(offer, context.locale);
    case "too_many_declines": {
      const minutes = Math.ceil(result.retryAfterSeconds / 60);
      const shown = await again(
        429,
        (tr) => `${tr.t("page.checkout.tooManyDeclines")} ${tr.t("page.tryAgainIn", { minutes })}`,
      );
      return new HttpResponse(
        429,
        undefined,
        { ...shown.headers, "retry-after": String(result.retryAfterSeconds) },
        shown.raw,
      );
    }
    case "declined":
      return again(402, (tr) => tr.t("page.checkout.declined", { code: result.declineCode }));
  }
}

function unavailablePage(
  offer: Extract<Offer, { state: "unavailable" }>,
  locale: string | undefined,
): HttpResponse {
  const { merchant, link } = offer;
  const tr = checkoutReader(merchant, locale);
  return html(
    tr,
    merchant,
    link.name,
    `<section class="sheet" aria-labelledby="title">
<h1 id="title">${escapeHtml(link.name)}</h1>
<p>${escapeHtml(tr.t("page.checkout.unavailable", { reason: offer.reason }))}</p>
<p class="muted">${escapeHtml(tr.t("page.checkout.unavailableContact", { merchant: merchant.name, email: merchant.supportEmail ?? merchant.email }))}</p>
</section>`,
    offer.status,
  );
}

/** The totals' amounts as the page shows them, by the `data-t` key of the cell that shows each. */
export function displayedTotals(totals: CheckoutTotals, tr: Translator): Record<string, string> {
  const money = (n: number) => tr.money(n, totals.currency);
  return {
    ...Object.fromEntries(totals.lineItems.map((line, i) => [`line.${i}`, money(line.amountSubtotal)])),
    subtotal: money(totals.subtotal),
    discountLabel: tr.t("page.invoice.discountWith", { details: totals.discountCode ?? "" }),
    discount: tr.t("page.checkout.deduction", { amount: money(totals.discountTotal) }),
    tax: money(totals.taxTotal),
    total: money(totals.total),
    amountDueNow: money(totals.amountDueNow),
  };
}

/**
 * The order's lines and sums. A `live` table (the form's, with live totals) always has the discount
 * row, hidden while there is no discount, for the script to show.
 */
function totalsTable(
  tr: Translator,
  totals: CheckoutTotals,
  quantityCell: (i: number) => string,
  live = false,
): string {
  const shown = displayedTotals(totals, tr);
  const cell = (key: string) => `<td class="num" data-t="${key}">${escapeHtml(shown[key] ?? "")}</td>`;
  const label = (text: string) => `<th scope="row" colspan="2">${escapeHtml(text)}</th>`;
  const rows = totals.lineItems
    .map((line, i) => {
      const price = line.interval
        ? perInterval(tr, line.unitAmount, totals.currency, line.interval)
        : tr.t("page.checkout.each", { amount: tr.money(line.unitAmount, totals.currency) });
      return `<tr><td>${escapeHtml(line.description)}<br><span class="muted">${escapeHtml(price)}</span></td><td class="num">${quantityCell(i)}</td>${cell(`line.${i}`)}</tr>`;
    })
    .join("\n");
  const discount =
    totals.discountTotal > 0 || live
      ? `<tr id="discount-row"${totals.discountTotal > 0 ? "" : " hidden"}><th scope="row" colspan="2" data-t="discountLabel">${escapeHtml(shown.discountLabel ?? "")}</th>${cell("discount")}</tr>`
      : "";
  const tax = totals.taxTotal > 0 ? `<tr>${label(tr.t("common.tax"))}${cell("tax")}</tr>` : "";
  return `<table>
<caption class="visually-hidden">${escapeHtml(tr.t("page.checkout.yourOrder"))}</caption>
<thead><tr><th scope="col">${escapeHtml(tr.t("page.checkout.item"))}</th><th scope="col" class="num">${escapeHtml(tr.t("common.quantity"))}</th><th scope="col" class="num">${escapeHtml(tr.t("common.amount"))}</th></tr></thead>
<tbody>
${rows}
<tr>${label(tr.t("common.subtotal"))}${cell("subtotal")}</tr>
${discount}${tax}
<tr class="total">${label(tr.t("common.total"))}${cell("total")}</tr>
${totals.recurring ? `<tr class="total">${label(tr.t("page.checkout.dueToday"))}${cell("amountDueNow")}</tr>` : ""}
</tbody>
</table>
${totals.recurring ? `<p class="notice">${escapeHtml(recurringTerms(totals, tr) ?? "")}</p>` : ""}`;
}

interface Shown {
  tr: Translator;
  form?: URLSearchParams;
  errors?: FieldError[];
  notice?: string;
}

/** One labelled input (or select), its value kept from the form and its error tied to it. */
function input(shown: Shown, name: string, label: string, attributes: string, options?: string[]): string {
  const id = `f-${name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
  const error = shown.errors?.find((e) => e.path === name);
  const value = shown.form?.get(name) ?? "";
  const described = error ? ` aria-invalid="true" aria-describedby="${id}-error"` : "";
  const control = options
    ? `<select id="${id}" name="${escapeHtml(name)}"${attributes}${described}><option value="">${escapeHtml(shown.tr.t("page.checkout.choose"))}</option>${options
        .map((o) => `<option${o === value ? " selected" : ""}>${escapeHtml(o)}</option>`)
        .join("")}</select>`
    : `<input id="${id}" name="${escapeHtml(name)}" value="${escapeHtml(value)}"${attributes}${described}>`;
  const message = error
    ? `<span class="field-error" id="${id}-error">${escapeHtml(error.message)}</span>`
    : "";
  return `<label for="${id}">${escapeHtml(label)}</label>${control}${message}`;
}

function addressFields(shown: Shown, prefix: string, legend: string, countries?: string[]): string {
  const { tr } = shown;
  const autocomplete = prefix === "billing" ? "billing" : "shipping";
  const field = (name: string, label: string, extra: string) =>
    input(shown, `${prefix}.${name}`, label, ` autocomplete="${autocomplete} ${extra}" maxlength="200"`);
  return `<fieldset><legend>${escapeHtml(legend)}</legend>
${field("line1", tr.t("page.checkout.address"), "address-line1")}
${field("line2", tr.t("page.checkout.addressLine2"), "address-line2")}
${field("city", tr.t("page.checkout.city"), "address-level2")}
${field("state", tr.t("page.checkout.state"), "address-level1")}
${field("postalCode", tr.t("page.checkout.postalCode"), "postal-code")}
${
  countries
    ? input(shown, `${prefix}.country`, tr.t("page.checkout.country"), ` autocomplete="${autocomplete} country"`, countries)
    : field("country", tr.t("page.checkout.countryCode"), "country")
}
</fieldset>`;
}

async function formPage(
  offer: Open,
  context: CheckoutPageContext,
  status: number,
  given: Omit<Shown, "tr">,
) {
  const { merchant, link } = offer;
  const tr = checkoutReader(merchant, context.locale);
  const shown: Shown = { ...given, tr };
  const formToken = await issueFormToken({ clock: context.clock, token: context.slug });
  const quantityCell = (i: number) => {
    const item = link.lineItems[i];
    const range = item?.adjustableQuantity;
    if (!item || !range) return escapeHtml(String(item?.quantity ?? 1));
    const name = quantityField(i);
    const value = shown.form?.get(name) ?? String(item.quantity);
    const invalid = shown.errors?.some((e) => e.path === name) ? ` aria-invalid="true"` : "";
    const what = tr.t("page.checkout.quantityOf", { item: offer.products[i]?.name ?? tr.t("page.checkout.item") });
    return `<label class="visually-hidden" for="q${i}">${escapeHtml(what)}</label><input class="qty" id="q${i}" name="${name}" type="number" inputmode="numeric" min="${range.min}" max="${range.max}" step="1" value="${escapeHtml(value)}"${invalid}>`;
  };
  const optional = (label: string) => tr.t("page.checkout.optional", { label });
  const custom = link.customFields
    .map((f) =>
      input(
        shown,
        customField(f.key),
        f.optional ? optional(f.label) : f.label,
        f.type === "numeric" ? ` inputmode="decimal" maxlength="40"` : ` maxlength="255"`,
        f.type === "dropdown" ? f.options : undefined,
      ),
    )
    .join("\n");
  const errors = shown.errors?.length
    ? `<div class="error" role="alert">${escapeHtml(tr.t("page.checkout.checkDetails"))}<ul>${shown.errors
        .map((e) => `<li>${escapeHtml(e.message)}</li>`)
        .join("")}</ul></div>`
    : "";
  const notice = shown.notice ? `<div class="error" role="alert">${escapeHtml(shown.notice)}</div>` : "";
  // Live totals only where the buyer can change them.
  const live = link.allowDiscountCodes || link.lineItems.some((item) => item.adjustableQuantity);
  // The buyer's choice of locale goes on with the form: into the session and the live totals.
  const chosen = context.locale ? canonicalLocale(context.locale) : undefined;
  const totalsNote = tr.t("page.checkout.totalsNote", { codes: link.allowDiscountCodes ? "yes" : "no" });
  return html(
    tr,
    merchant,
    link.name,
    `<section class="sheet" aria-labelledby="title">
<h1 id="title">${escapeHtml(link.name)}</h1>
${notice}${errors}
<form method="post"${live ? ` id="checkout" data-price="${escapeHtml(pricePath(context.slug))}"${shown.form ? ` data-reprice="1"` : ""}` : ""}>
<input type="hidden" name="formToken" value="${escapeHtml(formToken)}">
${chosen ? `<input type="hidden" name="locale" value="${escapeHtml(chosen)}">\n` : ""}<div aria-live="polite">
${totalsTable(tr, defaultPricing(offer), quantityCell, live)}
${
  live
    ? `<p class="muted" id="totals-note" data-priced="${escapeHtml(tr.t("page.checkout.priced"))}">${escapeHtml(totalsNote)}</p>`
    : ""
}
</div>
<fieldset><legend>${escapeHtml(tr.t("page.checkout.yourDetails"))}</legend>
${input(shown, "email", tr.t("page.checkout.email"), ` type="email" autocomplete="email" required maxlength="254"`)}
${input(shown, "name", optional(tr.t("page.checkout.name")), ` autocomplete="name" maxlength="200"`)}
${link.collectPhone ? input(shown, "phone", tr.t("page.checkout.phone"), ` type="tel" autocomplete="tel" required maxlength="40"`) : ""}
</fieldset>
${link.collectBillingAddress ? addressFields(shown, "billing", tr.t("page.checkout.billingAddress")) : ""}
${link.collectShippingAddress ? addressFields(shown, "shipping", tr.t("page.checkout.shippingAddress"), link.collectShippingAddress.allowedCountries) : ""}
${custom ? `<fieldset><legend>${escapeHtml(tr.t("page.checkout.moreInformation"))}</legend>\n${custom}\n</fieldset>` : ""}
${link.allowDiscountCodes ? input(shown, discountCodeField, optional(tr.t("page.checkout.discountCode")), ` autocomplete="off" autocapitalize="characters" maxlength="64"`) : ""}
<button type="submit">${escapeHtml(tr.t("page.checkout.continue"))}</button>
</form>
</section>`,
    status,
    live ? liveTotalsScript : undefined,
  );
}

/**
 * A session as it was fixed: what the buyer ordered, at the prices of its creation; the card form
 * while open. It reads in the locale the buyer chose when starting it.
 */
async function sessionPage(
  merchant: Merchant,
  link: Pick<PaymentLink, "name"> & { afterCompletion?: PaymentLink["afterCompletion"] | undefined },
  session: CheckoutSession,
  context: CheckoutPageContext,
  status: number,
  error?: string,
): Promise<HttpResponse> {
  const tr = checkoutReader(merchant, session.locale);
  let state: string;
  if (session.status === "complete")
    state = `<p class="notice" role="status">${escapeHtml(
      link.afterCompletion?.type === "message"
        ? `${link.afterCompletion.message} ${tr.t("page.checkout.receiptTo", { email: session.email })}`
        : session.amountDueNow > 0
          ? tr.t("page.checkout.paid", { email: session.email })
          : tr.t("page.checkout.subscriptionStarted", { email: session.email }),
    )}</p>`;
  else if (session.status === "expired")
    state = `<p class="notice" role="status">${escapeHtml(tr.t("page.checkout.expired"))}</p>`;
  else {
    const kind = processorKindOf(merchant);
    const formToken = await issueFormToken({ clock: context.clock, token: context.slug });
    const alert = error ? `<div class="error" role="alert">${escapeHtml(error)}</div>` : "";
    const action =
      session.amountDueNow > 0
        ? tr.t("common.payAmount", { amount: tr.money(session.amountDueNow, session.currency) })
        : tr.t("page.saveCardAndStart");
    const payButton = `${session.recurring ? `<p class="muted">${escapeHtml(tr.t("page.pay.savesCard", { for: "subscription" }))}</p>\n` : ""}<button type="submit">${escapeHtml(action)}</button>`;
    const sessionForm = (body: string) => `<form method="post">
<input type="hidden" name="formToken" value="${escapeHtml(formToken)}">
<input type="hidden" name="session" value="${escapeHtml(session.id)}">
${session.locale ? `<input type="hidden" name="locale" value="${escapeHtml(session.locale)}">\n` : ""}${body}
</form>`;
    if (session.processorCheckout)
      // Back from Stripe (or left it open): its payment's webhook completes the session. The button
      // returns to the same Stripe session, which cannot be paid twice.
      state = `${alert}<p class="notice" role="status">${escapeHtml(tr.t("page.checkout.confirming"))}</p>
${sessionForm(`<button type="submit">${escapeHtml(tr.t("page.checkout.returnToPayment"))}</button>`)}`;
    else if (kind === "stripe")
      state = `${alert}
${sessionForm(`<p class="muted">${escapeHtml(tr.t("page.checkout.payOnStripe"))}</p>\n${payButton}`)}`;
    else if (!kind)
      state = `<p class="notice" role="status">${escapeHtml(tr.t("page.checkout.noPayment"))}</p>`;
    else
      state = `${alert}
${sessionForm(`<label for="card">${escapeHtml(tr.t("page.pay.cardNumber"))}</label><input id="card" name="card" inputmode="numeric" autocomplete="cc-number" placeholder="4242 4242 4242 4242" required maxlength="40">\n${payButton}`)}
<table class="cards"><caption>${escapeHtml(tr.t("page.testCards"))}</caption>${sandboxCardRows(tr)}</table>`;
  }
  return html(
    tr,
    merchant,
    link.name,
    `<section class="sheet" aria-labelledby="title">
<h1 id="title">${escapeHtml(link.name)}</h1>
<h2>${escapeHtml(tr.t("page.checkout.yourOrder"))}</h2>
${totalsTable(tr, session, (i) => escapeHtml(String(session.lineItems[i]?.quantity ?? "")))}
<p class="muted">${escapeHtml(session.email)}</p>
${state}
</section>`,
    status,
  );
}
