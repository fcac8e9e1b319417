/**
 * The invoice page: its facts, lines and totals as the API presents them (never recomputed), the
 * payments on it and its timeline; finalize, send, void and record a manual payment through the API's
 * use cases, and the PDF the API serves.
 */
import { calendarDate } from "../../../api/common.ts";
import * as ops from "../../../api/invoices.ts";
import { invoicePorts, paymentListPorts } from "../../../composition.ts";
import { startOfLocalDay } from "../../../domain/calendar.ts";
import { ValidationError } from "../../../domain/errors.ts";
import { formatMoney, formatQuantity } from "../../../domain/format.ts";
import { assertInvoiceCan, type InvoiceAction, isPayable } from "../../../domain/invoice-lifecycle.ts";
import { invoicePdfResponse } from "../../../invoices/pdf-response.ts";
import * as invoices from "../../../invoices/service.ts";
import { listPayments } from "../../../payments/list.ts";
import { presentPayment } from "../../../payments/payment.ts";
import type { Operation } from "../../../http/operation.ts";
import { permissionFor } from "../../../users/roles.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import {
  actionButton,
  badge,
  facts,
  html,
  money,
  pageHeader,
  postForm,
  section,
  table,
  timeline,
  when,
} from "../../ui.ts";
import {
  amountOf,
  bodyOf,
  calendarDay,
  download,
  may,
  merchantOf,
  objectLink,
  once,
  onceField,
  possible,
  words,
} from "./common.ts";
import { fitsTheEditor } from "../editors/fits.ts";
import { eventsOf } from "./timeline.ts";

type Invoice = Awaited<ReturnType<typeof invoices.getInvoice>>;

const pathOf = (id: string) => `/app/invoices/${id}`;
const getInvoice = (request: DashboardRequest) =>
  invoices.getInvoice(invoicePorts(request.clock), request.user.merchantId, request.params.id ?? "");

const can = (invoice: Invoice, action: InvoiceAction) =>
  possible(() => assertInvoiceCan(action, invoice.status));

function actions(request: DashboardRequest, invoice: Invoice) {
  const { id, status } = invoice;
  const csrfToken = request.csrfToken;
  const write = may(request, ops.finalizeInvoice);
  return html`${may(request, ops.updateInvoice) && can(invoice, "edit") && fitsTheEditor(invoice) ? html`<a class="button button-secondary" href="${pathOf(id)}/edit">Edit</a>` : ""}
${write && can(invoice, "finalize") ? actionButton({ action: `${pathOf(id)}/finalize`, label: "Finalize", csrfToken, tone: "primary" }) : ""}
${write && can(invoice, "send") ? actionButton({ action: `${pathOf(id)}/send`, label: "Send", csrfToken, tone: "primary" }) : ""}
${write && can(invoice, "void") ? actionButton({ action: `${pathOf(id)}/void`, label: "Void", csrfToken, tone: "danger", confirm: "Void this invoice? It can no longer be paid." }) : ""}
${status === "draft" ? "" : html`<a class="button button-secondary" href="${pathOf(id)}/pdf">Download PDF</a>`}`;
}

const methods = ops.recordInvoicePayment.body.shape.method.options;

function recordPaymentForm(request: DashboardRequest, invoice: Invoice) {
  return section(
    "Record a payment",
    postForm({
      action: `${pathOf(invoice.id)}/record-payment`,
      csrfToken: request.csrfToken,
      idPrefix: "payment",
      submit: "Record payment",
      fields: [
        {
          name: "amount",
          label: `Amount (${invoice.currency})`,
          required: true,
          hint: `At most ${formatMoney(invoice.amountRemaining, invoice.currency)}, what remains due`,
          attributes: { inputmode: "decimal", autocomplete: "off" },
        },
        {
          name: "method",
          label: "Method",
          options: methods.map((m) => [m, words(m)]),
        },
        { name: "paidAt", label: "Paid on", type: "date", hint: "Leave empty for today" },
        { name: "reference", label: "Reference", hint: "A transfer reference or check number" },
      ],
      hidden: onceField(),
    }),
  );
}

async function invoicePage(request: DashboardRequest) {
  const { merchantId } = request.user;
  const invoice = await getInvoice(request);
  const [merchant, payments] = await Promise.all([
    merchantOf(request),
    listPayments(paymentListPorts(), merchantId, { invoiceId: invoice.id }, { limit: 100 }),
  ]);
  const events = await eventsOf(merchantId, invoice.id, ...payments.items.map((p) => p.id));
  const zone = merchant.timeZone;
  const { currency } = invoice;
  const title = invoice.number ? `Invoice ${invoice.number}` : "Draft invoice";
  const body = html`${pageHeader(
    html`${title} ${badge(invoice.status)} ${invoice.overdue ? badge("overdue") : ""}`,
    actions(request, invoice),
    invoice.customer.name ?? invoice.customer.email,
  )}
${section(
  "Details",
  facts([
    [
      "Customer",
      objectLink("customers", invoice.customerId, invoice.customer.name ?? invoice.customer.email),
    ],
    ["Email", invoice.customer.email],
    ["Currency", currency],
    ["Total", money(invoice.total, currency)],
    ["Amount due", money(invoice.amountDue, currency)],
    ["Amount paid", money(invoice.amountPaid, currency)],
    ["Amount remaining", money(invoice.amountRemaining, currency)],
    ["Due date", calendarDay(invoice.dueDate)],
    ["Issued", invoice.issuedAt ? when(invoice.issuedAt, zone) : undefined],
    ["Sent", invoice.sentAt ? when(invoice.sentAt, zone) : undefined],
    ["Paid", invoice.paidAt ? when(invoice.paidAt, zone) : undefined],
    [
      "Hosted page",
      invoice.hostedUrl ? html`<a href="${invoice.hostedUrl}">Open the customer's page</a>` : undefined,
    ],
    [
      "Subscription",
      invoice.subscriptionId ? objectLink("subscriptions", invoice.subscriptionId) : undefined,
    ],
    ["Quote", invoice.quoteId ? objectLink("quotes", invoice.quoteId) : undefined],
  ]),
)}
${section("Lines", lines(invoice))}
${may(request, ops.recordInvoicePayment) && isPayable(invoice) ? recordPaymentForm(request, invoice) : ""}
${section(
  "Payments",
  table({
    caption: "Payments on this invoice",
    rows: payments.items.map(presentPayment),
    empty: "No payments yet.",
    columns: [
      { header: "Payment", cell: (p) => objectLink("payments", p.id) },
      { header: "Status", cell: (p) => badge(p.status) },
      { header: "Method", cell: (p) => p.method.type.replaceAll("_", " ") },
      { header: "Date", cell: (p) => when(p.paidAt ?? p.createdAt, zone) },
      { header: "Amount", numeric: true, cell: (p) => money(p.amount, p.currency) },
    ],
  }),
)}
${section("Timeline", timeline(events, zone))}`;
  return { kind: "page" as const, title, body: String(body) };
}

/** The lines and totals exactly as the invoice carries them. */
export function lines(
  document: Pick<
    Invoice,
    "lineItems" | "currency" | "subtotal" | "discountTotal" | "taxTotal" | "feeTotal" | "total"
  >,
) {
  const { currency } = document;
  return html`${table({
    caption: "Lines",
    rows: document.lineItems,
    empty: "No lines.",
    columns: [
      { header: "Description", cell: (l) => l.description },
      { header: "Quantity", numeric: true, cell: (l) => formatQuantity(l.quantity) },
      { header: "Unit price", numeric: true, cell: (l) => money(l.unitAmount, currency) },
      { header: "Amount", numeric: true, cell: (l) => money(l.amountTotal, currency) },
    ],
  })}
${facts([
  ["Subtotal", money(document.subtotal, currency)],
  ["Discounts", money(-document.discountTotal, currency)],
  ["Tax", money(document.taxTotal, currency)],
  ["Fees", money(document.feeTotal, currency)],
  ["Total", money(document.total, currency)],
])}`;
}

async function recordPayment(request: DashboardRequest) {
  const invoice = await getInvoice(request);
  const merchant = await merchantOf(request);
  const { form } = request;
  const paidOn = form.get("paidAt")?.trim() ?? "";
  if (paidOn !== "" && !calendarDate().safeParse(paidOn).success)
    throw new ValidationError([{ path: "paidAt", message: "must be a date like 2026-12-31" }]);
  const input = bodyOf(ops.recordInvoicePayment, {
    amount: amountOf(form, "amount", invoice.currency),
    method: form.get("method") ?? undefined,
    ...(paidOn ? { paidAt: startOfLocalDay(paidOn, merchant.timeZone).toISOString() } : {}),
    ...(form.get("reference")?.trim() ? { reference: form.get("reference")?.trim() } : {}),
  });
  const paid = await once(request, () =>
    invoices.recordInvoicePayment(invoicePorts(request.clock), request.user.merchantId, invoice.id, input),
  );
  const amount = formatMoney(paid.payment.amount, paid.currency);
  return {
    kind: "redirect" as const,
    location: pathOf(invoice.id),
    notice:
      paid.status === "paid"
        ? `Payment of ${amount} recorded: the invoice is paid`
        : `Payment of ${amount} recorded`,
  };
}

/** A lifecycle action: the API's use case, then back to the page with what happened. */
const lifecycle = (
  action: "finalize" | "send" | "void",
  operation: Operation,
  run: typeof invoices.finalizeInvoice,
  notice: (invoice: Invoice) => string,
): DashboardRoute => ({
  method: "POST",
  path: `/app/invoices/{id}/${action}`,
  permission: permissionFor(operation),
  async handle(request) {
    const id = request.params.id ?? "";
    const invoice = await run(invoicePorts(request.clock), request.user.merchantId, id);
    return { kind: "redirect", location: pathOf(id), notice: notice(invoice) };
  },
});

export const invoiceRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: "/app/invoices/{id}", permission: "read", handle: invoicePage },
  {
    method: "GET",
    path: "/app/invoices/{id}/pdf",
    permission: "read",
    async handle(request) {
      const [invoice, merchant] = await Promise.all([getInvoice(request), merchantOf(request)]);
      return download(await invoicePdfResponse(invoice, merchant));
    },
  },
  lifecycle(
    "finalize",
    ops.finalizeInvoice,
    invoices.finalizeInvoice,
    (i) => `Invoice ${i.number ?? i.id} finalized`,
  ),
  lifecycle("send", ops.sendInvoice, invoices.sendInvoice, (i) => `Invoice sent to ${i.customer.email}`),
  lifecycle("void", ops.voidInvoice, invoices.voidInvoice, () => "Invoice voided"),
  {
    method: "POST",
    path: "/app/invoices/{id}/record-payment",
    permission: permissionFor(ops.recordInvoicePayment),
    handle: recordPayment,
  },
];
