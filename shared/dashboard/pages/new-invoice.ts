/**
 * A new draft invoice from a form: a customer of the merchant's (or a new one by email), the currency,
 * up to five lines typed in major units and the payment terms. The form becomes the body of
 * `POST /v1/invoices`, checked by that operation's schema (a 400 names the form's field), and the same
 * use case creates the draft. The full editor (products, discounts, taxes, fees) is part 2's.
 */
import { currency as currencySchema, paymentTerms } from "../../api/common.ts";
import * as customerOps from "../../api/customers.ts";
import * as ops from "../../api/invoices.ts";
import { customerPorts, invoicePorts, withSavedViews } from "../../composition.ts";
import * as customers from "../../customers/service.ts";
import { ValidationError } from "../../domain/errors.ts";
import { newId } from "../../domain/ids.ts";
import * as invoices from "../../invoices/service.ts";
import { permissionFor } from "../../users/roles.ts";
import type { DashboardRequest, DashboardRoute } from "../context.ts";
import { csrfField, type Field, field, html, pageHeader, section } from "../ui.ts";
import { amountOf, bodyOf, merchantOf, once, onceField, words } from "./details/common.ts";

const path = "/app/invoices/new";
/** Lines the form offers; more, and discounts, taxes and fees, are the editor's (part 2). */
const lineRows = 5;
const lineField = (row: number, name: string) => `lineItems.${row}.${name}`;

async function newInvoicePage(request: DashboardRequest) {
  const [merchant, recent] = await Promise.all([
    merchantOf(request),
    customers.listCustomers(withSavedViews(customerPorts(request.clock)), request.user.merchantId, {
      limit: 100,
    }),
  ]);
  const lines = Array.from(
    { length: lineRows },
    (_, row) =>
      html`<fieldset class="card"><legend>Line ${row + 1}${row === 0 ? "" : " (optional)"}</legend>${[
        field({ name: lineField(row, "description"), label: "Description", required: row === 0 }, "new"),
        field(
          {
            name: lineField(row, "quantity"),
            label: "Quantity",
            hint: "1 when left empty",
            attributes: { inputmode: "decimal", autocomplete: "off" },
          },
          "new",
        ),
        field(
          {
            name: lineField(row, "unitAmount"),
            label: "Unit price",
            required: row === 0,
            hint: "In the invoice's currency, e.g. 12.50",
            attributes: { inputmode: "decimal", autocomplete: "off" },
          },
          "new",
        ),
      ]}</fieldset>`,
  );
  const fields: Field[] = [
    {
      name: "customerId",
      label: "Customer",
      options: [
        ["", "A new customer (enter their email below)"],
        ...recent.items.map((c) => [c.id, c.name ? `${c.name} (${c.email})` : c.email] as const),
      ],
      hint: "Your newest 100 customers",
    },
    {
      name: "customerEmail",
      label: "New customer's email",
      type: "email",
      hint: "Only for a new customer: they are created with the invoice",
      attributes: { autocomplete: "off" },
    },
    {
      name: "currency",
      label: "Currency",
      value: merchant.defaultCurrency,
      required: true,
      attributes: { maxlength: "3", autocomplete: "off" },
    },
    {
      name: "paymentTerms",
      label: "Payment terms",
      options: [
        ["", `Your default (${words(merchant.defaultPaymentTerms)})`],
        ...paymentTerms.options.map((t) => [t, words(t)] as const),
      ],
    },
  ];
  const { once: onceValue } = onceField();
  const body = html`${pageHeader("New invoice", undefined, "A draft: finalize it on its page to number and send it")}
${section(
  "Invoice",
  html`<form method="post" action="${path}" class="stack-form">${csrfField(request.csrfToken)}<input type="hidden" name="once" value="${onceValue}">${fields.map((f) => field(f, "new"))}${lines}<div class="form-actions"><button type="submit" class="button button-primary">Create draft</button> <a class="button button-link" href="/app/invoices">Cancel</a></div></form>`,
)}`;
  return { kind: "page" as const, title: "New invoice", body: String(body) };
}

/** The form's rows that are lines: any field filled (the first always, so an empty form names its fields). */
function filledRows(form: URLSearchParams): number[] {
  const filled = (row: number) =>
    ["description", "quantity", "unitAmount"].some((name) => form.get(lineField(row, name))?.trim());
  return Array.from({ length: lineRows }, (_, row) => row).filter((row) => row === 0 || filled(row));
}

/** The rows as the API's line items, amounts typed in major units as minor units. */
function lineItemsOf(form: URLSearchParams, rows: readonly number[], currency: string) {
  const text = (row: number, name: string) => form.get(lineField(row, name))?.trim() ?? "";
  return rows.map((row) => ({
    description: text(row, "description") || undefined,
    quantity: quantityOf(text(row, "quantity"), lineField(row, "quantity")),
    unitAmount: amountOf(form, lineField(row, "unitAmount"), currency),
  }));
}

/** A quantity as typed (`2`, `1.5`) for the API's schema to judge; `Number` alone would take `0x10` or `1e3`. */
function quantityOf(text: string, name: string): number | undefined {
  if (text === "") return undefined;
  if (!/^\d+(\.\d+)?$/.test(text))
    throw new ValidationError([{ path: name, message: "must be a number like 2 or 1.5" }]);
  return Number(text);
}

/** `bodyOf`, with a line's problems named by its row in the form (blank rows are not lines). */
function invoiceBodyOf(input: Record<string, unknown>, rows: readonly number[]) {
  try {
    return bodyOf(ops.createInvoice, input);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      error.errors.map((e) => ({
        ...e,
        path: e.path.replace(/^lineItems\.(\d+)/, (_, i: string) => `lineItems.${rows[Number(i)] ?? i}`),
      })),
    );
  }
}

async function createInvoice(request: DashboardRequest) {
  const { form, clock } = request;
  const { merchantId } = request.user;
  const currency = currencySchema.safeParse(form.get("currency")?.trim() ?? "");
  // Checked first: the amounts are read in its minor unit.
  if (!currency.success)
    throw new ValidationError(
      currency.error.issues.map((issue) => ({ path: "currency", message: issue.message })),
    );
  const chosen = form.get("customerId")?.trim() ?? "";
  const email = form.get("customerEmail")?.trim() ?? "";
  if ((chosen === "") === (email === ""))
    throw new ValidationError([
      { path: "customerId", message: "choose a customer, or leave it and enter a new customer's email" },
    ]);
  const newCustomer = email ? bodyOf(customerOps.createCustomer, { email }) : undefined;
  const terms = form.get("paymentTerms") ?? "";
  // Checked whole before anything is written, so a bad line leaves no new customer behind; a new
  // customer's id is not known yet, and a well-formed stand-in passes the same check.
  const rows = filledRows(form);
  const input = invoiceBodyOf(
    {
      customerId: newCustomer ? newId("customer", clock.now()) : chosen,
      currency: currency.data,
      lineItems: lineItemsOf(form, rows, currency.data),
      ...(terms ? { paymentTerms: terms } : {}),
    },
    rows,
  );
  const invoice = await once(request, async () => {
    const customerId = newCustomer
      ? (await customers.createCustomer(customerPorts(clock), merchantId, newCustomer)).id
      : chosen;
    return invoices.createInvoice(invoicePorts(clock), merchantId, { ...input, customerId });
  });
  return {
    kind: "redirect" as const,
    location: `/app/invoices/${invoice.id}`,
    notice: "Draft invoice created: finalize it to number and send it",
  };
}

export const newInvoiceRoutes: readonly DashboardRoute[] = [
  { method: "GET", path, permission: permissionFor(ops.createInvoice), handle: newInvoicePage },
  { method: "POST", path, permission: permissionFor(ops.createInvoice), handle: createInvoice },
];
