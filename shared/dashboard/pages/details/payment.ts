/**
 * The payment page: its facts (refunded so far, the dispute if any), its status history, refunds and
 * timeline; a full or partial refund through the API's use case, run once however often its form is
 * sent, and the receipt PDF the API serves.
 */
import * as ops from "../../../api/payments.ts";
import {
  invoicePorts,
  paymentClock,
  paymentListPorts,
  paymentPorts,
  receiptPorts,
} from "../../../composition.ts";
import { NotFoundError } from "../../../domain/errors.ts";
import { formatMoney } from "../../../domain/format.ts";
import * as invoices from "../../../invoices/service.ts";
import { listRefunds } from "../../../payments/list.ts";
import { type PaymentMethod, presentPayment } from "../../../payments/payment.ts";
import type { Refund } from "../../../payments/refund.ts";
import { refundableAmount, refundPayment } from "../../../payments/refunds.ts";
import { paymentReceipt, receiptPdfResponse } from "../../../receipts/receipt.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import { badge, facts, html, money, pageHeader, postForm, section, table, timeline, when } from "../../ui.ts";
import {
  amountOf,
  bodyOf,
  download,
  may,
  merchantOf,
  objectLink,
  once,
  onceField,
  possible,
  words,
} from "./common.ts";
import { eventsOf } from "./timeline.ts";

const pathOf = (id: string) => `/app/payments/${id}`;

/** The payment as `GET /v1/payments/{id}` shows it. */
async function getPayment(request: DashboardRequest) {
  const found = await paymentListPorts().payments.read(request.user.merchantId, request.params.id ?? "");
  if (!found) throw new NotFoundError("Payment");
  return presentPayment(found.value);
}

type Payment = Awaited<ReturnType<typeof getPayment>>;

export function methodText(method: PaymentMethod): string {
  switch (method.type) {
    case "card":
      return `${method.brand} •••• ${method.last4}`;
    case "bank_debit":
      return ["Bank debit", method.bankName, method.last4 ? `•••• ${method.last4}` : undefined]
        .filter(Boolean)
        .join(" ");
    default:
      return [method.type.replaceAll("_", " "), method.reference].filter(Boolean).join(" · ");
  }
}

const reasons = ops.createRefund.body.shape.reason.unwrap().options;

function refundForm(request: DashboardRequest, payment: Payment, refundable: number) {
  return section(
    "Refund",
    postForm({
      action: `${pathOf(payment.id)}/refund`,
      csrfToken: request.csrfToken,
      idPrefix: "refund",
      submit: "Refund",
      confirm: "Refund this payment? The money goes back to the customer.",
      fields: [
        {
          name: "amount",
          label: `Amount (${payment.currency})`,
          hint: `Leave empty to refund all that remains: ${formatMoney(refundable, payment.currency)}`,
          attributes: { inputmode: "decimal", autocomplete: "off" },
        },
        {
          name: "reason",
          label: "Reason",
          options: [["", "None given"], ...reasons.map((r) => [r, words(r)] as const)],
        },
      ],
      hidden: onceField(),
    }),
  );
}

async function paymentPage(request: DashboardRequest) {
  const { merchantId } = request.user;
  const payment = await getPayment(request);
  const [merchant, refunds, invoice] = await Promise.all([
    merchantOf(request),
    listRefunds(paymentListPorts(), merchantId, { paymentId: payment.id }, { limit: 100 }),
    // An invoice with payments is never deleted (only drafts are); it names the buyer as billed.
    payment.invoiceId
      ? invoices.getInvoice(invoicePorts(request.clock), merchantId, payment.invoiceId)
      : undefined,
  ]);
  const events = await eventsOf(merchantId, payment.id, ...refunds.items.map((r) => r.id));
  const zone = merchant.timeZone;
  const { currency, dispute } = payment;
  const refundable = possible(() => refundableAmount(payment)) ? refundableAmount(payment) : 0;
  const title = `Payment of ${formatMoney(payment.amount, currency)}`;
  const body = html`${pageHeader(
    html`${title} ${badge(payment.status)}`,
    payment.status === "processing" || payment.status === "failed"
      ? ""
      : html`<a class="button button-secondary" href="${pathOf(payment.id)}/receipt-pdf">Download receipt</a>`,
    payment.id,
  )}
${section(
  "Details",
  facts([
    ["Amount", money(payment.amount, currency)],
    ["Status", badge(payment.status)],
    ["Method", methodText(payment.method)],
    ["Invoice", invoice ? objectLink("invoices", invoice.id, invoice.number ?? invoice.id) : undefined],
    [
      "Customer",
      objectLink("customers", payment.customerId, invoice?.customer.name ?? invoice?.customer.email),
    ],
    ["Refunded", money(payment.amountRefunded, currency)],
    ["Fee", money(payment.fee, currency)],
    ["Net", money(payment.net, currency)],
    ["Paid", payment.paidAt ? when(payment.paidAt, zone) : undefined],
    ["Failure", payment.failure ? payment.failure.message : undefined],
    [
      "Dispute",
      dispute
        ? html`${badge(dispute.closed ? "completed" : "disputed", dispute.status.replaceAll("_", " "))} ${money(dispute.amount, currency)}${dispute.reason ? ` · ${dispute.reason.replaceAll("_", " ")}` : ""}`
        : undefined,
    ],
  ]),
)}
${may(request, "money") && refundable > 0 ? refundForm(request, payment, refundable) : ""}
${section(
  "Refunds",
  table({
    caption: "Refunds of this payment",
    rows: refunds.items,
    empty: "No refunds.",
    columns: [
      { header: "Refund", cell: (r: Refund) => r.id },
      { header: "Status", cell: (r) => badge(r.status) },
      { header: "Reason", cell: (r) => (r.reason ? words(r.reason) : "") },
      { header: "Date", cell: (r) => when(r.createdAt, zone) },
      { header: "Amount", numeric: true, cell: (r) => money(r.amount, r.currency) },
    ],
  }),
)}
${section(
  "History",
  table({
    caption: "Status history",
    rows: [...payment.history].reverse(),
    empty: "No history.",
    columns: [
      { header: "Status", cell: (h) => badge(h.status) },
      { header: "When", cell: (h) => when(h.at, zone) },
      { header: "Note", cell: (h) => h.note },
    ],
  }),
)}
${section("Timeline", timeline(events, zone))}`;
  return { kind: "page" as const, title, body: String(body) };
}

async function refund(request: DashboardRequest) {
  const { merchantId } = request.user;
  const payment = await getPayment(request);
  const reason = request.form.get("reason") ?? "";
  const input = bodyOf(ops.createRefund, {
    ...(request.form.get("amount")?.trim()
      ? { amount: amountOf(request.form, "amount", payment.currency) }
      : {}),
    ...(reason ? { reason } : {}),
  });
  const made = await once(request, async () =>
    refundPayment(
      paymentPorts(await paymentClock(request.clock, merchantId, payment.id)),
      merchantId,
      payment.id,
      input,
    ),
  );
  const amount = formatMoney(made.amount, made.currency);
  return {
    kind: "redirect" as const,
    location: pathOf(payment.id),
    notice: made.status === "succeeded" ? `Refunded ${amount}` : `Refund of ${amount} requested`,
  };
}

export const paymentRoutes: readonly DashboardRoute[] = [
  { method: "GET", path: "/app/payments/{id}", permission: "read", handle: paymentPage },
  {
    method: "GET",
    path: "/app/payments/{id}/receipt-pdf",
    permission: "read",
    async handle(request) {
      return download(
        await receiptPdfResponse(
          await paymentReceipt(receiptPorts(), request.user.merchantId, request.params.id ?? ""),
        ),
      );
    },
  },
  { method: "POST", path: "/app/payments/{id}/refund", permission: "money", handle: refund },
];
