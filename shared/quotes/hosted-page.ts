/**
 * The buyer's quote page (`/q/{token}`) and a countersigner's (`/q/{token}/countersign/{signerToken}`)
 * in the hosted kit's branded frame: the quote as its PDF shows it (lines, totals, one-time and
 * recurring parts, the payment plan, terms, comments, expiry), a link to that PDF, what became of it,
 * and its forms. No scripts and no external assets: each action is a plain form posting to the page
 * with a signed form token (only a POST changes anything, never a GET a link preview follows), and
 * the sign form carries the `contentHash` of the PDF the page showed, which the server checks.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import type { Clock } from "../domain/clock.ts";
import { ConflictError, ValidationError } from "../domain/errors.ts";
import { brandedPage } from "../hosted/branded.ts";
import { escapeHtml } from "../hosted/escape.ts";
import { formTokenValid, issueFormToken } from "../hosted/pay-form.ts";
import { HttpResponse } from "../http/api.ts";
import { readerLocale } from "../i18n/locale.ts";
import { type Translator, translator } from "../i18n/translator.ts";
import { taxLabel } from "../invoices/hosted-page.ts";
import {
  buyerSignature,
  countersignerOf,
  countersignQuote,
  declineQuote,
  type HostedQuote,
  type HostedQuotePorts,
  hostedQuote,
  isLapsed,
  quotePath,
  type SignerContext,
  signQuote,
} from "./hosted.ts";
import type { StoredQuote } from "./ports.ts";
import { presentQuote, type Quote } from "./quote.ts";
import { brandedByTemplate, showsSection } from "./template.ts";

/** What the page confirms after the buyer's or a countersigner's action (`?done=`). */
export type QuotePageDone = "signed" | "accepted" | "declined" | "countersigned";

/** Where the page lives: its token, a countersigner's own token on their page, the request's clock. */
export interface QuotePageContext {
  token: string;
  signerToken?: string;
  clock: Clock;
}

const countersignPath = (token: string, signerToken: string) => `/q/${token}/countersign/${signerToken}`;

/** The form token is bound to the page it was issued on: a countersigner's form to their own link. */
const formScope = (context: QuotePageContext) => ({
  clock: context.clock,
  token: context.signerToken ? `${context.token}/${context.signerToken}` : context.token,
});

/**
 * Who reads the page: the buyer in their locale (else the merchant's); a countersigner signs for the
 * merchant, in the merchant's.
 */
const readerOf = ({ quote, merchant }: Pick<HostedQuote, "quote" | "merchant">, context: QuotePageContext) =>
  translator(context.signerToken ? readerLocale(merchant) : readerLocale(merchant, quote.customer));

const redirect = (location: string) =>
  new HttpResponse(303, undefined, { location, "cache-control": "no-store" }, { body: "" });

function formOf(event: APIGatewayProxyEventV2): URLSearchParams {
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? "", "base64").toString("utf8")
    : (event.body ?? "");
  return new URLSearchParams(raw);
}

const signerOf = (event: APIGatewayProxyEventV2): SignerContext => ({
  ip: event.requestContext.http.sourceIp,
  userAgent: (event.headers?.["user-agent"] ?? event.requestContext.http.userAgent ?? "").slice(0, 500),
});

/** GET: the buyer's page (`done`: what it confirms after a POST). */
export async function quotePage(
  ports: HostedQuotePorts,
  context: QuotePageContext,
  done: QuotePageDone | undefined,
  paid = false,
): Promise<HttpResponse> {
  const found = await hostedQuote(ports, context.token);
  if (context.signerToken) countersignerOf(found.quote, context.signerToken);
  const notice = paid ? (found.quote.invoiceId ? "paid" : "saved") : done;
  return page(found, context, 200, {
    ...(notice ? { notice } : {}),
    payment: await paymentSection(readerOf(found, context), ports, found, context),
  });
}

/**
 * An accepted quote's money, on the buyer's page: its first invoice to pay at once (a link to the
 * pay form, which posts without scripts), or what was paid or sent, and the plan's installments
 * with their due dates and states. Nothing on a countersigner's page.
 */
async function paymentSection(
  tr: Translator,
  ports: HostedQuotePorts,
  { quote, merchant }: HostedQuote,
  context: QuotePageContext,
): Promise<string> {
  if (quote.status !== "accepted" || context.signerToken) return "";
  const invoice = quote.invoiceId
    ? (await ports.invoices.read(merchant.id, quote.invoiceId))?.value
    : undefined;
  const money = (amount: number) => tr.money(amount, quote.currency);
  const p = (text: string) => `<p>${escapeHtml(text)}</p>`;
  const progress = quote.planProgress?.installments ?? [];
  const schedule = progress.length
    ? `<ul class="installments">${progress
        .map((i, k) => {
          const line = tr.t("page.quote.installmentLine", {
            number: k + 1,
            of: progress.length,
            amount: money(quote.plannedPayments?.installments[k]?.amount ?? 0),
            date: i.dueDate ? tr.date(i.dueDate, merchant.timeZone) : "",
            status: i.status ?? "upcoming",
          });
          return `<li>${escapeHtml(line)}</li>`;
        })
        .join("")}</ul>`
    : "";
  const later = tr.t("page.quote.laterInstallments", {
    invoiced: quote.paymentPlan?.collection === "send_invoice" || !quote.collectPayment ? "yes" : "no",
  });
  const payPath = `${quotePath(context.token)}/pay`;
  let body: string;
  if (!invoice) {
    // Issued by the billing queue right after acceptance; a quote of recurring lines only has none.
    if (quote.upfrontTotal > 0) body = p(tr.t("page.quote.invoicePreparing"));
    else if (!quote.collectPayment || !quote.recurringInterval) return "";
    else if (quote.paymentMethodId) body = p(tr.t("page.quote.cardSaved"));
    else
      body = `${p(tr.t("page.quote.nothingDueToday"))}
<p><a class="button primary" href="${escapeHtml(payPath)}">${escapeHtml(tr.t("page.saveCardAndStart"))}</a></p>`;
  } else if (invoice.status === "paid") {
    body = `${p(tr.t("page.quote.paid", { amount: money(invoice.amountPaid) }))}${progress.length > 1 ? p(later) : ""}`;
  } else if (!quote.collectPayment) {
    body = p(
      tr.t("page.quote.invoiceSent", {
        number: invoice.number ?? "",
        amount: money(invoice.amountRemaining),
        email: quote.customer.email,
      }),
    );
  } else if (invoice.status === "open" && invoice.amountRemaining > 0) {
    const dueNow = `<strong>${escapeHtml(money(invoice.amountRemaining))}</strong>`;
    const installment = invoice.installment
      ? escapeHtml(tr.t("page.quote.firstInstallment", { of: invoice.installment.of }))
      : "";
    body = `<p>${escapeHtml(tr.t("page.quote.dueNow"))} ${dueNow}${installment}.</p>
${invoice.savesCard ? `<p class="muted">${escapeHtml(progress.length > 1 ? later : tr.t("page.quote.cardWillBeSaved"))}</p>` : ""}
<p><a class="button primary" href="${escapeHtml(payPath)}">${escapeHtml(tr.t("page.quote.payNow", { amount: money(invoice.amountRemaining) }))}</a></p>`;
  } else body = "";
  return `<section aria-labelledby="payment-title"><h2 id="payment-title">${escapeHtml(tr.t("page.invoice.payment"))}</h2>
${body}
${schedule}
</section>`;
}

/**
 * POST: the buyer's signature (or acceptance), or a countersigner's; then 303 to the page saying so.
 * A stale form is a 403, a missing name or consent a 400 naming it, a quote that changed or is no
 * longer open a 409: each the page again, nothing written.
 */
export async function submitSignature(
  ports: HostedQuotePorts,
  context: QuotePageContext,
  event: APIGatewayProxyEventV2,
): Promise<HttpResponse> {
  const form = formOf(event);
  const input = {
    ...signerOf(event),
    name: form.get("name") ?? "",
    consent: form.get("consent") === "yes",
    contentHash: form.get("contentHash") ?? "",
  };
  return act(ports, context, form, async () => {
    if (context.signerToken) {
      await countersignQuote(ports, context.token, context.signerToken, input);
      return redirect(`${countersignPath(context.token, context.signerToken)}?done=countersigned`);
    }
    const quote = await signQuote(ports, context.token, input);
    return redirect(
      `${quotePath(context.token)}?done=${quote.status === "accepted" ? "accepted" : "signed"}`,
    );
  });
}

/** POST: the buyer declines, with an optional reason; then 303 to the page saying so. */
export async function submitDecline(
  ports: HostedQuotePorts,
  context: QuotePageContext,
  event: APIGatewayProxyEventV2,
): Promise<HttpResponse> {
  const form = formOf(event);
  return act(ports, context, form, async () => {
    await declineQuote(ports, context.token, form.get("reason") ?? undefined);
    return redirect(`${quotePath(context.token)}?done=declined`);
  });
}

async function act(
  ports: HostedQuotePorts,
  context: QuotePageContext,
  form: URLSearchParams,
  run: () => Promise<HttpResponse>,
): Promise<HttpResponse> {
  // A refused form comes back as the buyer filled it: nobody retypes a name or a reason.
  const again = async (status: number, error: string | ((tr: Translator) => string)) =>
    page(await hostedQuote(ports, context.token), context, status, { error, typed: form });
  // Someone else's countersign link is a 404 before any form is read.
  if (context.signerToken)
    countersignerOf((await hostedQuote(ports, context.token)).quote, context.signerToken);
  const now = Math.floor(context.clock.now().getTime() / 1000);
  if (!(await formTokenValid(formScope(context), form.get("formToken") ?? "", now)))
    return again(403, (tr) => tr.t("page.formExpired"));
  try {
    return await run();
  } catch (error) {
    if (error instanceof ValidationError) return again(400, error.errors.map((e) => e.message).join(". "));
    if (error instanceof ConflictError) return again(409, error.message);
    throw error;
  }
}

// --- rendering --------------------------------------------------------------------------------------

const style = `
.sheet{background:#fff;border:1px solid var(--line);border-top:4px solid var(--brand);border-radius:10px;padding:28px;box-shadow:0 1px 3px rgba(0,0,0,.06)}
h1{font-size:24px;line-height:1.2;margin:0 0 4px}
h2{font-size:13px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:28px 0 8px;font-weight:600}
.muted{color:var(--muted)}
.notice{margin:16px 0 0;padding:10px 14px;border-radius:8px;font-weight:600;background:#f1f5f9;color:#334155}
.notice-good{background:#dcfce7;color:#166534}
.error{margin:16px 0 0;padding:10px 14px;border-radius:8px;background:#fef2f2;color:#991b1b;border:1px solid #fecaca}
.table-wrap{overflow-x:auto}
table{width:100%;border-collapse:collapse}
th,td{padding:8px 6px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
thead th{font-size:12px;text-transform:uppercase;color:var(--muted)}
.num{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}
.totals th{font-weight:400;color:var(--muted)}
.totals .total th,.totals .total td{font-weight:700;color:var(--text)}
.text{white-space:pre-line;margin:0}
dl{display:grid;grid-template-columns:auto 1fr;gap:4px 16px;margin:0}
dt{color:var(--muted)}
dd{margin:0}
form{margin:12px 0 0;padding:16px;border:1px solid var(--line);border-radius:8px}
label{display:block;font-weight:600;margin:0 0 6px}
.check{display:flex;gap:8px;align-items:flex-start;font-weight:400;margin:12px 0 0;overflow-wrap:anywhere}
input[type=text],textarea{width:100%;font:inherit;padding:10px;border:1px solid #9ca3af;border-radius:6px}
button,.button{display:inline-block;margin:12px 0 0;font:inherit;font-weight:600;padding:11px 20px;border-radius:8px;border:1px solid var(--line);background:#fff;color:var(--text);text-decoration:none;cursor:pointer}
.primary{background:var(--brand);border-color:var(--brand);color:var(--on-brand)}
@media (max-width:600px){.sheet{padding:16px 12px}button,.button{width:100%;text-align:center}th,td{padding:6px 3px}}
`;

function totalsRows(tr: Translator, quote: Quote): string {
  const money = (n: number) => tr.money(n, quote.currency);
  const row = (label: string, value: number, cls = "") =>
    `<tr${cls ? ` class="${cls}"` : ""}><th scope="row">${escapeHtml(label)}</th><td class="num">${escapeHtml(money(value))}</td></tr>`;
  const rows = [row(tr.t("common.subtotal"), quote.subtotal)];
  if (quote.discountTotal) rows.push(row(tr.t("common.discounts"), -quote.discountTotal));
  for (const tax of quote.taxBreakdown) rows.push(row(taxLabel(tr, tax), tax.amount));
  if (quote.feeTotal) rows.push(row(tr.t("common.fees"), quote.feeTotal));
  rows.push(row(tr.t("common.total"), quote.total, "total"));
  if (quote.recurringInterval) {
    rows.push(row(tr.t("page.quote.dueOnce"), quote.upfrontTotal));
    rows.push(row(tr.t("page.quote.recurring", { interval: quote.recurringInterval }), quote.recurringTotal));
  }
  return rows.join("\n");
}

/** The plan's installments with their amounts as worked out at publish (`plan.ts`). */
function planRows(tr: Translator, quote: StoredQuote): string {
  const installments = quote.paymentPlan?.installments ?? [];
  return installments
    .map(
      (i, k) =>
        `<tr><td>${escapeHtml(tr.t("page.quote.nOfM", { number: k + 1, of: installments.length }))}</td><td class="num">${escapeHtml(tr.money(quote.plannedPayments?.installments[k]?.amount ?? 0, quote.currency))}</td><td>${escapeHtml(tr.t("page.quote.dueAfter", { days: i.dueAfterDays }))}</td></tr>`,
    )
    .join("\n");
}

/** What became of the quote, in the buyer's words; none while it is open and unsigned. */
function statusNotice(tr: Translator, { quote, merchant, now }: HostedQuote): string | undefined {
  const date = (iso: string | undefined) => (iso ? tr.date(iso, merchant.timeZone) : "");
  const what = (status: string, on: string | undefined) =>
    tr.t("page.quote.statusNotice", { status, date: date(on), merchant: merchant.name });
  if (isLapsed(quote, now)) return what("expired", quote.expiresAt);
  switch (quote.status) {
    case "accepted":
      return what("accepted", quote.acceptedAt);
    case "declined":
      return what("declined", quote.declinedAt);
    case "expired":
      return what("expired", quote.expiredAt ?? quote.expiresAt);
    case "canceled":
      return what("canceled", quote.canceledAt);
    case "superseded":
      return tr.t("page.quote.superseded");
    default:
      return buyerSignature(quote)
        ? tr.t("page.quote.awaitingCountersignature", {
            date: date(buyerSignature(quote)?.signedAt),
            merchant: merchant.name,
          })
        : undefined;
  }
}

/** The template's signature block: who signs the quote, and who has. */
function signatureBlock(tr: Translator, { quote, merchant }: HostedQuote): string {
  if (!quote.requireSignature && !quote.countersigners.length) return "";
  const signed = (name: string, signedAt: string | undefined) =>
    signedAt
      ? tr.t("page.quote.signedOn", { name, date: tr.date(signedAt, merchant.timeZone) })
      : tr.t("page.quote.notSigned", { name });
  const buyer = buyerSignature(quote);
  const rows: [string, string][] = [];
  if (quote.requireSignature)
    rows.push([
      tr.t("page.quote.buyer"),
      signed(buyer?.name ?? quote.customer.name ?? quote.customer.email, buyer?.signedAt),
    ]);
  for (const c of quote.countersigners) {
    const signature = quote.signatures?.find((s) => s.role === "countersigner" && s.email === c.email);
    rows.push([tr.t("page.quote.forMerchant", { merchant: merchant.name }), signed(c.name, signature?.signedAt)]);
  }
  return `<section aria-labelledby="signatures-title"><h2 id="signatures-title">${escapeHtml(tr.t("page.quote.signatures"))}</h2>
<dl>${rows.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join("")}</dl></section>`;
}

/** The sign (or accept) form and the decline form of an open quote, or a countersigner's form. */
async function forms(
  tr: Translator,
  found: HostedQuote,
  context: QuotePageContext,
  typed: URLSearchParams | undefined,
): Promise<string> {
  const { quote, now } = found;
  if (quote.status !== "open" || isLapsed(quote, now)) return "";
  const countersigner = context.signerToken ? countersignerOf(quote, context.signerToken) : undefined;
  if (countersigner?.signed || (!countersigner && buyerSignature(quote))) return "";
  const formToken = escapeHtml(await issueFormToken(formScope(context)));
  const hidden = `<input type="hidden" name="formToken" value="${formToken}">
<input type="hidden" name="contentHash" value="${escapeHtml(quote.contentHash ?? "")}">`;
  const signs = quote.requireSignature || countersigner !== undefined;
  const consent = signs
    ? `<label class="check" for="consent"><input type="checkbox" id="consent" name="consent" value="yes" required${typed?.get("consent") === "yes" ? " checked" : ""}> ${escapeHtml(tr.t("page.quote.consent", { hash: quote.contentHash ?? "" }))}</label>`
    : "";
  const heading = countersigner
    ? tr.t("page.quote.countersignAs", { name: countersigner.signer.name })
    : signs
      ? tr.t("page.quote.sign")
      : tr.t("page.quote.accept");
  const signForm = `<section aria-labelledby="sign-title">
<h2 id="sign-title">${escapeHtml(heading)}</h2>
<form method="post" action="${escapeHtml(context.signerToken ? countersignPath(context.token, context.signerToken) : `${quotePath(context.token)}/sign`)}">
${hidden}
<label for="name">${escapeHtml(tr.t("page.quote.fullName"))}</label>
<input type="text" id="name" name="name" autocomplete="name" required maxlength="200" value="${escapeHtml(typed?.get("name") ?? "")}">
${consent}
<button type="submit" class="primary">${escapeHtml(tr.t("page.quote.signButton", { signs: signs ? "yes" : "no" }))}</button>
</form>
</section>`;
  if (countersigner) return signForm;
  return `${signForm}
<section aria-labelledby="decline-title">
<h2 id="decline-title">${escapeHtml(tr.t("page.quote.decline"))}</h2>
<form method="post" action="${escapeHtml(quotePath(context.token))}/decline">
<input type="hidden" name="formToken" value="${formToken}">
<label for="reason">${escapeHtml(tr.t("page.quote.reason"))}</label>
<textarea id="reason" name="reason" rows="3" maxlength="1000">${escapeHtml(typed?.get("reason") ?? "")}</textarea>
<button type="submit">${escapeHtml(tr.t("page.quote.declineButton"))}</button>
</form>
</section>`;
}

async function page(
  found: HostedQuote,
  context: QuotePageContext,
  status: number,
  message: {
    /** What the page confirms: the buyer's or a countersigner's action, a payment, a saved card. */
    notice?: QuotePageDone | "paid" | "saved";
    /** In the reader's words, or a use case's own message. */
    error?: string | ((tr: Translator) => string);
    typed?: URLSearchParams;
    payment?: string;
  },
): Promise<HttpResponse> {
  const { merchant } = found;
  const tr = readerOf(found, context);
  const quote = presentQuote(found.quote);
  // The template frozen at publish: its colour and footer over the merchant's, the sections it shows.
  const shows = (section: Parameters<typeof showsSection>[1]) => showsSection(quote.template, section);
  const tz = merchant.timeZone;
  const title = tr.t("page.quote.title", { number: quote.number ?? "" }).trim();
  // Absolute paths: the page is also rendered at its forms' URLs (a refused POST shows it again).
  const pdfUrl = `${quotePath(context.token)}/pdf`;
  const notice = statusNotice(tr, found);
  const error = typeof message.error === "function" ? message.error(tr) : message.error;
  const words = (key: Parameters<Translator["t"]>[0]) => escapeHtml(tr.t(key));
  const details = [
    ...(quote.publishedAt ? [[tr.t("page.quote.issued"), tr.date(quote.publishedAt, tz)]] : []),
    [tr.t("page.quote.validUntil"), tr.date(quote.expiresAt, tz)],
    [tr.t("page.quote.preparedFor"), quote.customer.name ?? quote.customer.email],
  ]
    .map(([k, v]) => `<dt>${escapeHtml(k ?? "")}</dt><dd>${escapeHtml(v ?? "")}</dd>`)
    .join("");
  const lines = quote.lineItems
    .map(
      (line) =>
        `<tr><td>${escapeHtml(line.description)}</td><td class="num">${escapeHtml(tr.quantity(line.quantity))}</td><td class="num">${escapeHtml(tr.money(line.unitAmount, quote.currency))}</td><td class="num">${escapeHtml(tr.money(line.amountSubtotal, quote.currency))}</td></tr>`,
    )
    .join("\n");
  const text = (heading: string, id: string, body: string | undefined) =>
    body
      ? `<section aria-labelledby="${id}"><h2 id="${id}">${escapeHtml(heading)}</h2><p class="text">${escapeHtml(body)}</p></section>`
      : "";
  const rendered = brandedPage({
    merchant: brandedByTemplate(merchant, quote.template),
    locale: tr.locale,
    title: tr.t("page.documentTitle", { title, merchant: merchant.name }),
    testModeNotice: tr.t("page.quote.testMode"),
    style,
    main: `<article class="sheet" aria-labelledby="quote-title">
<h1 id="quote-title">${escapeHtml(title)}</h1>
${quote.title ? `<p class="muted">${escapeHtml(quote.title)}</p>` : ""}
${quote.template?.headerText ? `<p class="text">${escapeHtml(quote.template.headerText)}</p>` : ""}
${message.notice ? `<p class="notice notice-good" role="status">${escapeHtml(tr.t("page.quote.done", { done: message.notice }))}</p>` : ""}
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ""}
${notice ? `<p class="notice" role="note">${escapeHtml(notice)}</p>` : ""}
${found.newerPath ? `<p><a class="button primary" href="${escapeHtml(found.newerPath)}">${words("page.quote.newerVersion")}</a></p>` : ""}
<h2>${words("page.details")}</h2>
<dl>${details}</dl>
<p><a class="button" href="${escapeHtml(pdfUrl)}" download>${words("page.quote.downloadPdf")}</a></p>
${quote.status === "accepted" ? `<p><a class="button" href="${escapeHtml(`${quotePath(context.token)}/signed-pdf`)}" download>${words("page.quote.downloadSignedPdf")}</a></p>` : ""}
${
  shows("lineItems")
    ? `<div class="table-wrap">
<table>
<caption class="visually-hidden">${words("page.lineItems")}</caption>
<thead><tr><th scope="col">${words("common.description")}</th><th scope="col" class="num">${words("common.quantity")}</th><th scope="col" class="num">${words("common.unitPrice")}</th><th scope="col" class="num">${words("common.amount")}</th></tr></thead>
<tbody>
${lines}
</tbody>
</table>
</div>`
    : ""
}
<table class="totals">
<caption class="visually-hidden">${words("page.quote.totals")}</caption>
<tbody>
${totalsRows(tr, quote)}
</tbody>
</table>
${
  quote.paymentPlan && shows("paymentPlan")
    ? `<section aria-labelledby="plan-title"><h2 id="plan-title">${words("page.quote.paymentPlan")}</h2><div class="table-wrap"><table>
<thead><tr><th scope="col">${words("page.quote.installment")}</th><th scope="col" class="num">${words("common.amount")}</th><th scope="col">${words("page.portal.due")}</th></tr></thead>
<tbody>
${planRows(tr, found.quote)}
</tbody></table></div></section>`
    : ""
}
${text(tr.t("page.quote.terms"), "terms-title", shows("terms") ? quote.terms : undefined)}
${text(tr.t("page.quote.comments"), "comments-title", shows("comments") ? quote.comments : undefined)}
${shows("signatureBlock") ? signatureBlock(tr, found) : ""}
${message.payment ?? ""}
${await forms(tr, found, context, message.typed)}
</article>`,
  });
  return new HttpResponse(status, undefined, rendered.headers, { body: rendered.html });
}
