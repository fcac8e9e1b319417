/**
 * The invoice editor: a new draft (`/app/invoices/new`) or a draft's edit (`/app/invoices/{id}/edit`)
 * with the customer (or a new one), products or ad-hoc lines, quantities, line and document discounts
 * (codes included), fees, taxes, payment terms or a due date, memo and footer. The form becomes the
 * body of `POST /v1/invoices` or `PATCH /v1/invoices/{id}`, checked by that operation's schema, and
 * the same use cases save it; "Save and finalize" then finalizes it as the invoice page's button does.
 *
 * Totals as you type: the form posts itself to `/app/invoices/preview`, which prices it with
 * `previewInvoice` (the create use case's own pricing, nothing written) and answers the totals
 * fragment; without scripts the totals show on the invoice's page after saving.
 */
import { paymentTerms } from "../../../api/common.ts";
import * as ops from "../../../api/invoices.ts";
import { invoicePorts } from "../../../composition.ts";
import { assertInvoiceCan } from "../../../domain/invoice-lifecycle.ts";
import { StateConflictError } from "../../../domain/errors.ts";
import * as invoices from "../../../invoices/service.ts";
import type { DashboardRequest, DashboardResult } from "../../context.ts";
import { csrfField, field, html, type Html, pageHeader } from "../../ui.ts";
import { bodyOf, may, merchantOf, onceField, words } from "../details/common.ts";
import { fitsTheEditor } from "./fits.ts";
import {
  contentFields,
  contentValues,
  customerFor,
  pickersFor,
  previewProblems,
  readContent,
  nextStep,
  saveThen,
  totals,
  withFormPaths,
  editorRoutes,
} from "./document-form.ts";

type Invoice = Awaited<ReturnType<typeof invoices.getInvoice>>;

const previewPath = "/app/invoices/preview";
const text = (form: URLSearchParams, name: string) => form.get(name)?.trim() ?? "";

/** The editor's page: the form beside its totals (the saved draft's, or none yet for a new one). */
async function editorPage(request: DashboardRequest, invoice?: Invoice): Promise<DashboardResult> {
  const [merchant, pickers] = await Promise.all([merchantOf(request), pickersFor(request)]);
  const action = invoice ? `/app/invoices/${invoice.id}/edit` : "/app/invoices/new";
  const title = invoice ? "Edit draft invoice" : "New invoice";
  const terms: Html = html`<fieldset class="card"><legend>Terms</legend>${[
    field(
      {
        name: "paymentTerms",
        label: "Payment terms",
        value: invoice?.paymentTerms ?? "",
        options: [
          ["", `Your default (${words(merchant.defaultPaymentTerms)})`],
          ...paymentTerms().options.map((t) => [t, words(t)] as const),
        ],
      },
      "invoice",
    ),
    field(
      {
        name: "dueDate",
        label: "Or a due date",
        type: "date",
        value: invoice?.dueDate ?? "",
        hint: "Instead of payment terms",
      },
      "invoice",
    ),
    field({ name: "memo", label: "Memo", type: "textarea", value: invoice?.memo ?? "" }, "invoice"),
    field({ name: "footer", label: "Footer", type: "textarea", value: invoice?.footer ?? "" }, "invoice"),
  ]}</fieldset>`;
  const values = invoice
    ? contentValues(invoice, pickers)
    : { currency: merchant.defaultCurrency, lineItems: [], discounts: [], fees: [] };
  const finalize = may(request, ops.finalizeInvoice)
    ? html` <button type="submit" name="step" value="next" class="button button-secondary">${invoice ? "Save and finalize" : "Create and finalize"}</button>`
    : "";
  const body = html`${pageHeader(title, undefined, "A draft until you finalize it: then it is numbered and can be sent")}
<div class="split"><form method="post" action="${action}" class="stack-form" data-preview="${previewPath}" data-preview-into="totals">${csrfField(request.csrfToken)}<input type="hidden" name="once" value="${onceField().once}">${contentFields(pickers, values, "invoice")}${terms}<div class="form-actions"><button type="submit" class="button button-primary">${invoice ? "Save draft" : "Create draft"}</button>${finalize} <a class="button button-link" href="${invoice ? `/app/invoices/${invoice.id}` : "/app/invoices"}">Cancel</a></div></form>
<section class="card split-aside" aria-labelledby="totals-title"><h2 id="totals-title">Totals</h2><div id="totals" aria-live="polite">${invoice ? totals(invoice) : html`<p class="muted">Choose a customer and add a line: the totals follow as you type.</p>`}</div></section></div>`;
  return { kind: "page", title, body: String(body) };
}

/** The form's terms as the API's fields; blank ones are left out (`clear`: null, for a draft's edit). */
function termsOf(form: URLSearchParams, clear: boolean) {
  const value = (name: string) => text(form, name) || (clear ? null : undefined);
  return {
    paymentTerms: value("paymentTerms"),
    dueDate: value("dueDate"),
    memo: value("memo"),
    footer: value("footer"),
  };
}

async function draftFor(request: DashboardRequest): Promise<Invoice> {
  const invoice = await invoices.getInvoice(
    invoicePorts(request.clock),
    request.user.merchantId,
    request.params.id ?? "",
  );
  assertInvoiceCan("edit", invoice.status);
  if (!fitsTheEditor(invoice))
    throw new StateConflictError("This draft bills a subscription's periods: edit it through the API");
  return invoice;
}

async function save(request: DashboardRequest, id?: string): Promise<DashboardResult> {
  const { merchantId } = request.user;
  const ports = invoicePorts(request.clock);
  const content = readContent(request);
  // Checked whole before anything is written, so a bad line leaves no new customer behind.
  let write: (customerId: string) => Promise<{ id: string }>;
  if (id) {
    const patch = await withFormPaths(content.rows, () =>
      bodyOf(ops.updateInvoice, { ...content.body, ...termsOf(request.form, true) }),
    );
    write = (customerId) => invoices.updateInvoice(ports, merchantId, id, { ...patch, customerId });
  } else {
    const input = await withFormPaths(content.rows, () =>
      bodyOf(ops.createInvoice, { ...content.body, ...termsOf(request.form, false) }),
    );
    write = (customerId) => invoices.createInvoice(ports, merchantId, { ...input, customerId });
  }
  const saved = await saveThen(
    request,
    () => withFormPaths(content.rows, async () => write(await customerFor(request, content))),
    { operation: ops.finalizeInvoice, run: (draft) => invoices.finalizeInvoice(ports, merchantId, draft) },
  );
  const finalized = nextStep(request) && !saved.refused;
  return {
    kind: "redirect",
    location: `/app/invoices/${saved.id}`,
    notice: saved.refused
      ? `Draft saved, but not finalized: ${saved.refused}`
      : finalized
        ? "Invoice saved and finalized: send it when you are ready"
        : id
          ? "Draft invoice saved"
          : "Draft invoice created: finalize it to number and send it",
  };
}

/** The totals the form would save with: the create use case's pricing, nothing written. */
async function preview(request: DashboardRequest): Promise<DashboardResult> {
  try {
    const content = readContent(request);
    if (content.newCustomer)
      return {
        kind: "fragment",
        body: String(html`<p class="muted">A new customer's totals show once the draft is saved.</p>`),
      };
    const input = await withFormPaths(content.rows, () =>
      bodyOf(ops.createInvoice, { ...content.body, ...termsOf(request.form, false) }),
    );
    const priced = await withFormPaths(content.rows, () =>
      invoices.previewInvoice(invoicePorts(request.clock), request.user.merchantId, input),
    );
    return { kind: "fragment", body: String(totals(priced.content)) };
  } catch (error) {
    return previewProblems(error);
  }
}

export const invoiceEditorRoutes = editorRoutes({
  collection: "invoices",
  create: ops.createInvoice,
  update: ops.updateInvoice,
  page: editorPage,
  save,
  draftFor,
  preview,
});
