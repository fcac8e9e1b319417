/**
 * The quote editor: a new draft (`/app/quotes/new`) or a draft's edit (`/app/quotes/{id}/edit`) with
 * the invoice editor's content (customer, lines, discounts, fees, taxes) and the quote's own terms:
 * title, expiry, terms and comments, signature and countersigners, payment collection and plan
 * (installments), the subscription's start and the template. The form becomes the body of
 * `POST /v1/quotes` or `PATCH /v1/quotes/{id}`, checked by that operation's schema, saved by the same
 * use cases; "Save and publish" then publishes it (number, PDF, the buyer's page).
 *
 * Totals as you type come from `/app/quotes/preview`: `previewQuote`, the pricing create and update
 * run (one-time and recurring parts, the plan's installments), nothing written.
 */
import * as ops from "../../../api/quotes.ts";
import { quotePorts, quoteTemplatePorts } from "../../../composition.ts";
import { addDays, localDate, startOfLocalDay } from "../../../domain/calendar.ts";
import { ValidationError } from "../../../domain/errors.ts";
import { majorUnits } from "../../../domain/format.ts";
import { assertQuoteCan } from "../../../domain/quote-lifecycle.ts";
import type { Merchant } from "../../../merchants/merchant.ts";
import * as quotes from "../../../quotes/service.ts";
import { listQuoteTemplates } from "../../../quotes/templates.ts";
import type { DashboardRequest, DashboardResult } from "../../context.ts";
import { checkbox, csrfField, field, html, pageHeader } from "../../ui.ts";
import { bodyOf, may, merchantOf, onceField } from "../details/common.ts";
import {
  contentFields,
  contentValues,
  customerFor,
  daysOf,
  filledRows,
  pickersFor,
  previewProblems,
  readContent,
  type Rows,
  rowField,
  nextStep,
  saveThen,
  shareOf,
  totals,
  withFormPaths,
  editorRoutes,
} from "./document-form.ts";

type Quote = Awaited<ReturnType<typeof quotes.getQuote>>;

const previewPath = "/app/quotes/preview";
const text = (form: URLSearchParams, name: string) => form.get(name)?.trim() ?? "";
const signer = (row: number, name: string) => rowField("countersigners", row, name);
const installment = (row: number, name: string) => rowField("paymentPlan.installments", row, name);

/** The plan's installments as the totals show them (a saved quote's, as the API presents them). */
const plannedOf = (quote: Quote) =>
  quote.paymentPlan
    ? {
        installments: quote.paymentPlan.installments.map((i, n) => ({
          number: n + 1,
          dueAfterDays: i.dueAfterDays,
          // The API shows each installment's amount, a percent plan's worked out (presentQuote).
          amount: "amount" in i ? i.amount : 0,
        })),
      }
    : undefined;

async function editorPage(request: DashboardRequest, quote?: Quote): Promise<DashboardResult> {
  const [merchant, pickers, templates] = await Promise.all([
    merchantOf(request),
    pickersFor(request),
    listQuoteTemplates(quoteTemplatePorts(request.clock), request.user.merchantId, { limit: 100 }),
  ]);
  const action = quote ? `/app/quotes/${quote.id}/edit` : "/app/quotes/new";
  const title = quote ? "Edit draft quote" : "New quote";
  const zone = merchant.timeZone;
  const signers = Array.from(
    { length: Math.max(2, (quote?.countersigners.length ?? 0) + 1) },
    (_, row) =>
      html`<div class="field-row">${[
        field(
          {
            name: signer(row, "name"),
            label: `Countersigner ${row + 1}: name`,
            value: quote?.countersigners[row]?.name ?? "",
          },
          "quote",
        ),
        field(
          {
            name: signer(row, "email"),
            label: `Countersigner ${row + 1}: email`,
            type: "email",
            value: quote?.countersigners[row]?.email ?? "",
            attributes: { autocomplete: "off" },
          },
          "quote",
        ),
      ]}</div>`,
  );
  const plan = quote?.paymentPlan;
  const installments = Array.from({ length: Math.max(4, (plan?.installments.length ?? 0) + 1) }, (_, row) => {
    const given = plan?.installments[row];
    const share = !given
      ? ""
      : "percent" in given && given.percent !== undefined
        ? `${given.percent}%`
        : "amount" in given
          ? majorUnits(given.amount, quote?.currency ?? merchant.defaultCurrency)
          : "";
    return html`<div class="field-row">${[
      field(
        {
          name: installment(row, "share"),
          label: `Installment ${row + 1}: share`,
          value: share,
          hint: row === 0 ? "A percent like 40% of the one-time total, or an amount" : undefined,
          attributes: { autocomplete: "off" },
        },
        "quote",
      ),
      field(
        {
          name: installment(row, "dueAfterDays"),
          label: `Installment ${row + 1}: due after (days)`,
          value: given ? String(given.dueAfterDays) : "",
          hint: row === 0 ? "0: at acceptance" : undefined,
          attributes: { inputmode: "numeric", autocomplete: "off" },
        },
        "quote",
      ),
    ]}</div>`;
  });
  const terms = html`<fieldset class="card"><legend>Quote</legend>${[
    field({ name: "title", label: "Title", value: quote?.title ?? "" }, "quote"),
    field(
      {
        name: "expiresOn",
        label: "Expires on",
        type: "date",
        value: quote ? localDate(new Date(Date.parse(quote.expiresAt) - 1), zone) : "",
        hint: "Open until the end of this day; 30 days from now when left empty",
      },
      "quote",
    ),
    field(
      {
        name: "terms",
        label: "Terms",
        type: "textarea",
        value: quote?.terms ?? "",
        hint: "The template's terms when left empty",
      },
      "quote",
    ),
    field({ name: "comments", label: "Comments", type: "textarea", value: quote?.comments ?? "" }, "quote"),
    field(
      {
        name: "templateId",
        label: "Template",
        value: quote?.templateId ?? "",
        options: [["", "Your default template"], ...templates.items.map((t) => [t.id, t.name] as const)],
      },
      "quote",
    ),
    field(
      {
        name: "subscriptionStartDate",
        label: "Subscription starts on",
        type: "date",
        value: quote?.subscriptionStartDate ?? "",
        hint: "For recurring lines; at acceptance when left empty",
      },
      "quote",
    ),
  ]}</fieldset>
<fieldset class="card"><legend>Signatures</legend>${checkbox("requireSignature", "The buyer signs to accept", quote?.requireSignature ?? true, "quote-requireSignature")}${signers}</fieldset>
<fieldset class="card"><legend>Payment</legend>${checkbox("collectPayment", "Collect payment at acceptance", quote?.collectPayment ?? true, "quote-collectPayment")}${field(
    {
      name: "paymentPlan.collection",
      label: "Installments are",
      value: plan?.collection ?? "charge_automatically",
      options: [
        ["charge_automatically", "Charged to the saved card"],
        ["send_invoice", "Invoiced"],
      ],
    },
    "quote",
  )}<p class="hint">A payment plan splits the one-time total: 2 to 12 installments, all percents or all amounts. Leave them empty for one payment.</p>${installments}</fieldset>`;
  const values = quote
    ? contentValues(quote, pickers)
    : { currency: merchant.defaultCurrency, lineItems: [], discounts: [], fees: [] };
  const publish = may(request, ops.publishQuote)
    ? html` <button type="submit" name="step" value="next" class="button button-secondary">${quote ? "Save and publish" : "Create and publish"}</button>`
    : "";
  const shown = quote
    ? totals({ ...quote, plannedPayments: plannedOf(quote) })
    : html`<p class="muted">Choose a customer and add a line: the totals follow as you type.</p>`;
  const body = html`${pageHeader(title, undefined, "A draft until you publish it: then it is numbered and its page is ready for the buyer")}
<div class="split"><form method="post" action="${action}" class="stack-form" data-preview="${previewPath}" data-preview-into="totals">${csrfField(request.csrfToken)}<input type="hidden" name="once" value="${onceField().once}">${contentFields(pickers, values, "quote")}${terms}<div class="form-actions"><button type="submit" class="button button-primary">${quote ? "Save draft" : "Create draft"}</button>${publish} <a class="button button-link" href="${quote ? `/app/quotes/${quote.id}` : "/app/quotes"}">Cancel</a></div></form>
<section class="card split-aside" aria-labelledby="totals-title"><h2 id="totals-title">Totals</h2><div id="totals" aria-live="polite">${shown}</div></section></div>`;
  return { kind: "page", title, body: String(body) };
}

/** The quote's own fields as the API's, with the rows its signers and installments came from. */
function quoteTermsOf(form: URLSearchParams, currency: string, merchant: Merchant, clear: boolean) {
  const optional = (name: string) => text(form, name) || (clear ? null : undefined);
  const signerRows = filledRows(form, "countersigners");
  const installmentRows = filledRows(form, "paymentPlan.installments");
  const expiresOn = text(form, "expiresOn");
  if (expiresOn && !/^\d{4}-\d{2}-\d{2}$/.test(expiresOn))
    throw new ValidationError([{ path: "expiresOn", message: "must be a date like 2026-12-31" }]);
  const plan = installmentRows.length
    ? {
        installments: installmentRows.map((row) => ({
          ...shareOf(form, installment(row, "share"), currency, { percent: "percent", amount: "amount" }),
          dueAfterDays: daysOf(form, installment(row, "dueAfterDays")),
        })),
        collection: text(form, "paymentPlan.collection") || undefined,
      }
    : clear
      ? null
      : undefined;
  const fields = {
    title: optional("title"),
    terms: optional("terms"),
    comments: optional("comments"),
    // The end of the day it names, in the merchant's zone: the quote is open all of that day.
    expiresAt: expiresOn
      ? startOfLocalDay(addDays(expiresOn, 1), merchant.timeZone).toISOString()
      : undefined,
    requireSignature: form.has("requireSignature"),
    collectPayment: form.has("collectPayment"),
    countersigners: signerRows.map((row) => ({
      name: text(form, signer(row, "name")),
      email: text(form, signer(row, "email")),
    })),
    paymentPlan: plan,
    subscriptionStartDate: optional("subscriptionStartDate"),
    templateId: optional("templateId"),
  };
  const rows: Rows = { countersigners: signerRows, "paymentPlan.installments": installmentRows };
  return { fields, rows };
}

/** The form as the API's body, each problem named by the form's field (`expiresAt` is `expiresOn`). */
async function readQuote(request: DashboardRequest, clear: boolean) {
  const merchant = await merchantOf(request);
  const content = readContent(request);
  const own = quoteTermsOf(request.form, content.body.currency, merchant, clear);
  const rows: Rows = { ...content.rows, ...own.rows };
  // The expiry is typed as a day (`expiresOn`) and sent as the instant it ends (`expiresAt`).
  const named = <T>(check: () => T | Promise<T>) => withFormPaths(rows, check, { expiresAt: "expiresOn" });
  return { content, body: { ...content.body, ...own.fields }, named };
}

async function draftFor(request: DashboardRequest): Promise<Quote> {
  const quote = await quotes.getQuote(
    quotePorts(request.clock),
    request.user.merchantId,
    request.params.id ?? "",
  );
  assertQuoteCan("edit", quote.status);
  return quote;
}

async function save(request: DashboardRequest, id?: string): Promise<DashboardResult> {
  const { merchantId } = request.user;
  const ports = quotePorts(request.clock);
  const { content, body, named } = await readQuote(request, id !== undefined);
  // Checked whole before anything is written, so a bad line leaves no new customer behind.
  let write: (customerId: string) => Promise<{ id: string }>;
  if (id) {
    const patch = await named(() => bodyOf(ops.updateQuote, body));
    write = (customerId) => quotes.updateQuote(ports, merchantId, id, { ...patch, customerId });
  } else {
    const input = await named(() => bodyOf(ops.createQuote, body));
    write = (customerId) => quotes.createQuote(ports, merchantId, { ...input, customerId });
  }
  const saved = await saveThen(request, () => named(async () => write(await customerFor(request, content))), {
    operation: ops.publishQuote,
    run: (draft) => quotes.publishQuote(ports, merchantId, draft),
  });
  const published = nextStep(request) && !saved.refused;
  return {
    kind: "redirect",
    location: `/app/quotes/${saved.id}`,
    notice: saved.refused
      ? `Draft saved, but not published: ${saved.refused}`
      : published
        ? "Quote published: its page is ready for the buyer"
        : id
          ? "Draft quote saved"
          : "Draft quote created: publish it to number it and open its page",
  };
}

/** The totals the form would save with: the pricing create and update run, nothing written. */
async function preview(request: DashboardRequest): Promise<DashboardResult> {
  try {
    const { content, body, named } = await readQuote(request, false);
    if (content.newCustomer)
      return {
        kind: "fragment",
        body: String(html`<p class="muted">A new customer's totals show once the draft is saved.</p>`),
      };
    const input = await named(() => bodyOf(ops.createQuote, body));
    const priced = await named(() =>
      quotes.previewQuote(quotePorts(request.clock), request.user.merchantId, input, input.paymentPlan),
    );
    return { kind: "fragment", body: String(totals(priced)) };
  } catch (error) {
    return previewProblems(error);
  }
}

export const quoteEditorRoutes = editorRoutes({
  collection: "quotes",
  create: ops.createQuote,
  update: ops.updateQuote,
  page: editorPage,
  save,
  draftFor,
  preview,
});
