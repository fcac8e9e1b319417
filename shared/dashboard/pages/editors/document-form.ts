/**
 * What the invoice and quote editors share: the pickers (customers, products, tax rates), the form's
 * content part (customer or a new one by email, currency, lines, document discounts, fees) read as the
 * API's body, and the totals fragment the live preview swaps in.
 *
 * The form's rows are numbered as rendered and blank rows are no lines, so the API's body numbers them
 * differently: `withFormPaths` turns the API's and the services' error paths (`lineItems.1.quantity`
 * of the body) back into the form's field names (`lineItems.3.quantity`), so a 400 names what to fix.
 * Amounts are typed in major units and become the API's minor units; "10%" is a percent.
 */
import { currency as currencySchema } from "../../../api/common.ts";
import * as customerOps from "../../../api/customers.ts";
import { customerPorts, productPorts, taxRatePorts, withSavedViews } from "../../../composition.ts";
import * as customers from "../../../customers/service.ts";
import {
  type FieldError,
  ForbiddenError,
  StateConflictError,
  ValidationError,
} from "../../../domain/errors.ts";
import type { Operation } from "../../../http/operation.ts";
import { formatMoney, majorUnits } from "../../../domain/format.ts";
import { newId } from "../../../domain/ids.ts";
import type { FixedContent } from "../../../invoices/service.ts";
import { intervalWords } from "../../../products/product.ts";
import * as products from "../../../products/service.ts";
import * as taxRates from "../../../tax-rates/service.ts";
import { permissionFor } from "../../../users/roles.ts";
import type { DashboardRequest, DashboardResult, DashboardRoute } from "../../context.ts";
import { checkbox, type Field, field, html, type Html, money, table } from "../../ui.ts";
import { amountOf, bodyOf, may, once } from "../details/common.ts";
import { lines as linesTable } from "../details/invoice.ts";

/** The arrays a form spells in rows, each with the names of its row's fields. */
const rowFields = {
  lineItems: ["productId", "description", "quantity", "unitAmount", "discount"],
  discounts: ["value"],
  fees: ["description", "amount"],
  countersigners: ["name", "email"],
  "paymentPlan.installments": ["share", "dueAfterDays"],
} as const;
export type RowArray = keyof typeof rowFields;

/** Per array, the form rows that became the body's items, in order (item i is row `rows[i]`). */
export type Rows = Partial<Record<RowArray, number[]>>;

/** A body item's field whose form field has another name (one field for "10%" or "2.50"). */
const formNames: Partial<Record<RowArray, Record<string, string>>> = {
  discounts: { code: "value", percentOff: "value", amountOff: "value" },
  fees: { percent: "amount" },
  "paymentPlan.installments": { percent: "share", amount: "share" },
};

/** The field that answers for a whole item (the plan's kind rule names an installment, not a field). */
const wholeItemField: Partial<Record<RowArray, string>> = { "paymentPlan.installments": "share" };

export const rowField = (array: RowArray, row: number, name: string) => `${array}.${row}.${name}`;

/** The rows of `array` that are filled (any of its fields), numbered as the form has them. */
export function filledRows(form: URLSearchParams, array: RowArray): number[] {
  const pattern = new RegExp(`^${array.replace(".", "\\.")}\\.(\\d+)\\.`);
  const rows = new Set<number>();
  for (const [name, value] of form) {
    const row = Number(pattern.exec(name)?.[1] ?? Number.NaN);
    const fields: readonly string[] = rowFields[array];
    if (row < 250 && value.trim() && fields.includes(name.split(".").at(-1) ?? "")) rows.add(row);
  }
  return [...rows].sort((a, b) => a - b);
}

/** An error path of the body (or of a use case) as the form's field name; `renamed`: other top-level fields. */
export function formPath(path: string, rows: Rows, renamed: Record<string, string> = {}): string {
  const match =
    /^(lineItems|discounts|fees|countersigners|paymentPlan\.installments)\.(\d+)(?:\.(\w+))?/.exec(path);
  if (!match) return renamed[path] ?? path;
  const array = match[1] as RowArray;
  const item = Number(match[2]);
  const row = rows[array]?.[item] ?? item;
  const name = match[3];
  const formName = name === undefined ? wholeItemField[array] : (formNames[array]?.[name] ?? name);
  return formName === undefined ? `${array}.${row}` : rowField(array, row, formName);
}

/** Runs `check` (a body's validation, a use case), naming its field errors as the form's fields. */
export async function withFormPaths<T>(
  rows: Rows,
  check: () => T | Promise<T>,
  renamed: Record<string, string> = {},
): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(error.errors.map((e) => ({ ...e, path: formPath(e.path, rows, renamed) })));
  }
}

const text = (form: URLSearchParams, name: string) => form.get(name)?.trim() ?? "";

/** A quantity as typed (`2`, `1.5`) for the API's schema to judge; `Number` alone would take `0x10` or `1e3`. */
export function quantityOf(form: URLSearchParams, name: string): number | undefined {
  const typed = text(form, name);
  if (typed === "") return undefined;
  if (!/^\d+(\.\d+)?$/.test(typed))
    throw new ValidationError([{ path: name, message: "must be a number like 2 or 1.5" }]);
  return Number(typed);
}

/** A whole number of days as typed. */
export function daysOf(form: URLSearchParams, name: string): number | undefined {
  const typed = text(form, name);
  if (typed === "") return undefined;
  if (!/^\d{1,5}$/.test(typed))
    throw new ValidationError([{ path: name, message: "must be a number of days" }]);
  return Number(typed);
}

/**
 * A share typed as a percent ("10%") or an amount in major units ("2.50"), as the API's pair of
 * fields (`percentOff`/`amountOff`, `percent`/`amount`); blank is `undefined`.
 */
export function shareOf<P extends string, A extends string>(
  form: URLSearchParams,
  name: string,
  currency: string,
  keys: { percent: P; amount: A },
): Record<P, number> | Record<A, number> | undefined {
  const typed = text(form, name);
  if (typed === "") return undefined;
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(typed);
  if (percent) return { [keys.percent]: Number(percent[1]) } as Record<P, number>;
  const amount = amountOf(form, name, currency);
  if (amount === undefined) return undefined;
  return { [keys.amount]: amount } as Record<A, number>;
}

/** A percent as typed, with or without its sign ("10", "12.5%"). */
function percentOf(form: URLSearchParams, name: string): number | undefined {
  const typed = text(form, name).replace(/\s*%$/, "");
  if (typed === "") return undefined;
  if (!/^\d+(\.\d+)?$/.test(typed))
    throw new ValidationError([{ path: name, message: "must be a percent like 10 or 12.5" }]);
  return Number(typed);
}

/** The currency first: the amounts are read in its minor unit. */
export function currencyOf(form: URLSearchParams): string {
  const parsed = currencySchema().safeParse(text(form, "currency"));
  if (!parsed.success)
    throw new ValidationError(
      parsed.error.issues.map((issue) => ({ path: "currency", message: issue.message })),
    );
  return parsed.data;
}

/** The content part of an invoice's or a quote's body, as typed, with the rows it came from. */
export interface FormContent {
  body: {
    customerId: string;
    currency: string;
    lineItems: Record<string, unknown>[];
    discounts: Record<string, unknown>[];
    fees: Record<string, unknown>[];
  };
  rows: Rows;
  /** A customer to create first (their id is not known yet: `body.customerId` is a well-formed stand-in). */
  newCustomer?: { email: string };
}

/**
 * The form's customer, currency, lines, discounts and fees as the API's body (not yet validated by
 * its schema: the caller's operation does that, through `withFormPaths`). The first line row always
 * counts, so an empty form names its fields.
 */
export function readContent(request: DashboardRequest): FormContent {
  const { form } = request;
  const currency = currencyOf(form);
  const chosen = text(form, "customerId");
  const email = text(form, "customerEmail");
  if ((chosen === "") === (email === ""))
    throw new ValidationError([
      { path: "customerId", message: "choose a customer, or leave it and enter a new customer's email" },
    ]);
  const newCustomer = email ? bodyOf(customerOps.createCustomer, { email }) : undefined;
  const lineRows = [...new Set([0, ...filledRows(form, "lineItems")])].sort((a, b) => a - b);
  const discountRows = filledRows(form, "discounts");
  const feeRows = filledRows(form, "fees");
  const line = (row: number) => {
    const name = (n: string) => rowField("lineItems", row, n);
    const taxRateIds = form.getAll(name("taxRateIds")).filter(Boolean);
    return {
      description: text(form, name("description")) || undefined,
      quantity: quantityOf(form, name("quantity")),
      unitAmount: amountOf(form, name("unitAmount"), currency),
      productId: text(form, name("productId")) || undefined,
      discount: shareOf(form, name("discount"), currency, { percent: "percentOff", amount: "amountOff" }),
      taxRateIds: taxRateIds.length ? taxRateIds : undefined,
    };
  };
  const discount = (row: number) => {
    const value = rowField("discounts", row, "value");
    const kind = text(form, rowField("discounts", row, "kind"));
    if (kind === "code") return { code: text(form, value) };
    if (kind === "percent") return { percentOff: percentOf(form, value) };
    return { amountOff: amountOf(form, value, currency) };
  };
  const fee = (row: number) => ({
    description: text(form, rowField("fees", row, "description")) || undefined,
    ...shareOf(form, rowField("fees", row, "amount"), currency, { percent: "percent", amount: "amount" }),
    taxable: form.has(rowField("fees", row, "taxable")),
  });
  return {
    body: {
      customerId: newCustomer ? newId("customer", request.clock.now()) : chosen,
      currency,
      lineItems: lineRows.map(line),
      discounts: discountRows.map(discount),
      fees: feeRows.map(fee),
    },
    rows: { lineItems: lineRows, discounts: discountRows, fees: feeRows },
    ...(newCustomer ? { newCustomer } : {}),
  };
}

/** The customer to bill: the chosen one, or the new one created now (after every check has passed). */
export async function customerFor(request: DashboardRequest, content: FormContent): Promise<string> {
  if (!content.newCustomer) return content.body.customerId;
  const created = await customers.createCustomer(
    customerPorts(request.clock),
    request.user.merchantId,
    content.newCustomer,
  );
  return created.id;
}

/** What the editor offers to pick: the newest customers, the active products and tax rates. */
export async function pickersFor(request: DashboardRequest) {
  const { merchantId } = request.user;
  const [recent, catalog, rates] = await Promise.all([
    customers.listCustomers(withSavedViews(customerPorts(request.clock)), merchantId, { limit: 100 }),
    products.listProducts(productPorts(request.clock), merchantId, { limit: 100, active: true }),
    taxRates.listTaxRates(taxRatePorts(request.clock), merchantId, { limit: 100, active: true }),
  ]);
  return { customers: recent.items, products: catalog.items, taxRates: rates.items };
}
export type Pickers = Awaited<ReturnType<typeof pickersFor>>;

/** A document line as the form shows it again (a product's name and price left blank: the product's). */
export interface LineValues {
  productId?: string | undefined;
  description?: string;
  quantity?: number;
  unitAmount?: number;
  discount?: { percentOff: number } | { amountOff: number } | undefined;
  taxRateIds?: string[];
}

/** What a saved document's content fills the form with. */
export interface ContentValues {
  customerId?: string;
  currency: string;
  lineItems: LineValues[];
  discounts: { percentOff?: number | undefined; amountOff?: number | undefined; code?: string | undefined }[];
  fees: {
    description: string;
    amount?: number | undefined;
    percent?: number | undefined;
    taxable: boolean;
  }[];
}

const shareText = (share: { percent?: number | undefined; amount?: number | undefined }, currency: string) =>
  share.percent !== undefined
    ? `${share.percent}%`
    : share.amount !== undefined
      ? majorUnits(share.amount, currency)
      : "";

/** Rows to offer: the filled ones and a few blank ones, at least `least`. */
const rowCount = (filled: number, least: number, spare: number) => Math.max(least, filled + spare);

/** The customer, currency, lines, discounts and fees fieldsets of an editor, filled with `values`. */
export function contentFields(pickers: Pickers, values: ContentValues, prefix: string): Html {
  const { currency } = values;
  const customerFields: Field[] = [
    {
      name: "customerId",
      label: "Customer",
      value: values.customerId ?? "",
      options: [
        ["", "A new customer (enter their email below)"],
        ...pickers.customers.map((c) => [c.id, c.name ? `${c.name} (${c.email})` : c.email] as const),
      ],
      hint: "Your newest 100 customers",
    },
    {
      name: "customerEmail",
      label: "New customer's email",
      type: "email",
      hint: "Only for a new customer: they are created when you save",
      attributes: { autocomplete: "off" },
    },
    {
      name: "currency",
      label: "Currency",
      value: currency,
      required: true,
      attributes: { maxlength: "3", autocomplete: "off" },
    },
  ];
  const productOptions = [
    ["", "None: describe and price the line below"] as const,
    ...pickers.products.map(
      (p) =>
        [
          p.id,
          `${p.name} — ${formatMoney(p.unitAmount, p.currency)}${p.recurring ? ` ${intervalWords[p.recurring.interval].per}` : ""}`,
        ] as const,
    ),
  ];
  const lineCount = rowCount(values.lineItems.length, 5, 2);
  const lineRows = Array.from({ length: lineCount }, (_, row) => {
    const line = values.lineItems[row] ?? {};
    const name = (n: string) => rowField("lineItems", row, n);
    const discount = line.discount
      ? shareText(
          "percentOff" in line.discount
            ? { percent: line.discount.percentOff }
            : { amount: line.discount.amountOff },
          currency,
        )
      : "";
    const rates = pickers.taxRates.map((rate, i) =>
      checkbox(
        name("taxRateIds"),
        `${rate.name} ${rate.percentage}%${rate.inclusive ? " (included)" : ""}`,
        line.taxRateIds?.includes(rate.id) ?? false,
        `${prefix}-${name("taxRateIds")}-${i}`,
        rate.id,
      ),
    );
    return html`<fieldset class="card"><legend>Line ${row + 1}${row === 0 ? "" : " (optional)"}</legend><div class="field-row">${[
      field(
        { name: name("productId"), label: "Product", value: line.productId ?? "", options: productOptions },
        prefix,
      ),
      field(
        {
          name: name("description"),
          label: "Description",
          value: line.description ?? "",
          hint: row === 0 ? "The product's name when left empty" : undefined,
        },
        prefix,
      ),
    ]}</div><div class="field-row">${[
      field(
        {
          name: name("quantity"),
          label: "Quantity",
          value: line.quantity === undefined ? "" : String(line.quantity),
          hint: row === 0 ? "1 when left empty" : undefined,
          attributes: { inputmode: "decimal", autocomplete: "off" },
        },
        prefix,
      ),
      field(
        {
          name: name("unitAmount"),
          label: "Unit price",
          value: line.unitAmount === undefined ? "" : majorUnits(line.unitAmount, currency),
          hint:
            row === 0
              ? "In the document's currency, e.g. 12.50; the product's price when left empty"
              : undefined,
          attributes: { inputmode: "decimal", autocomplete: "off" },
        },
        prefix,
      ),
      field(
        {
          name: name("discount"),
          label: "Line discount",
          value: discount,
          hint: row === 0 ? "A percent like 10% or an amount like 2.50" : undefined,
          attributes: { autocomplete: "off" },
        },
        prefix,
      ),
    ]}</div>${rates.length ? html`<fieldset class="checks"><legend>Taxes</legend>${rates}</fieldset>` : ""}</fieldset>`;
  });
  const discountRows = Array.from({ length: rowCount(values.discounts.length, 2, 1) }, (_, row) => {
    const d = values.discounts[row] ?? {};
    // A code's discount also carries the code's percent or amount: the code is what was given.
    const kind = d.code
      ? "code"
      : d.percentOff !== undefined
        ? "percent"
        : d.amountOff !== undefined
          ? "amount"
          : "code";
    return html`<div class="field-row">${[
      field(
        {
          name: rowField("discounts", row, "kind"),
          label: `Discount ${row + 1}`,
          value: kind,
          options: [
            ["code", "Discount code"],
            ["percent", "Percent off"],
            ["amount", "Amount off"],
          ],
        },
        prefix,
      ),
      field(
        {
          name: rowField("discounts", row, "value"),
          label: `Discount ${row + 1}: code, percent or amount`,
          value: d.code ?? shareText({ percent: d.percentOff, amount: d.amountOff }, currency),
          attributes: { autocomplete: "off" },
        },
        prefix,
      ),
    ]}</div>`;
  });
  const feeRows = Array.from({ length: rowCount(values.fees.length, 1, 1) }, (_, row) => {
    const fee = values.fees[row];
    return html`<div class="field-row">${[
      field(
        {
          name: rowField("fees", row, "description"),
          label: `Fee ${row + 1}`,
          value: fee?.description ?? "",
        },
        prefix,
      ),
      field(
        {
          name: rowField("fees", row, "amount"),
          label: `Fee ${row + 1}: amount or percent`,
          value: fee ? shareText(fee, currency) : "",
          hint: "e.g. 5.00, or 3% of the discounted subtotal",
          attributes: { autocomplete: "off" },
        },
        prefix,
      ),
      checkbox(
        rowField("fees", row, "taxable"),
        "Taxed",
        fee?.taxable ?? false,
        `${prefix}-fees-${row}-taxable`,
      ),
    ]}</div>`;
  });
  return html`<fieldset class="card"><legend>Customer</legend>${customerFields.map((f) => field(f, prefix))}</fieldset>
${lineRows}
<fieldset class="card"><legend>Document discounts</legend><p class="hint">Applied to the whole document after line discounts; a code is checked against your discount codes.</p>${discountRows}</fieldset>
<fieldset class="card"><legend>Fees</legend>${feeRows}</fieldset>`;
}

/** A saved document's content as the form's values. */
export function contentValues(document: FixedContent["content"], pickers: Pickers): ContentValues {
  const product = (id: string | undefined) => pickers.products.find((p) => p.id === id);
  return {
    customerId: document.customerId,
    currency: document.currency,
    lineItems: document.lineItems.map((l) => {
      const p = product(l.productId);
      return {
        productId: l.productId,
        ...(p && p.name === l.description ? {} : { description: l.description }),
        quantity: l.quantity,
        ...(p && p.unitAmount === l.unitAmount ? {} : { unitAmount: l.unitAmount }),
        discount: l.discount,
        taxRateIds: l.taxRateIds,
      };
    }),
    discounts: document.discounts,
    fees: document.fees,
  };
}

/** Extra figures a quote's totals show: its one-time and recurring parts and the plan's installments. */
export interface QuoteFigures {
  upfrontTotal: number;
  recurringTotal: number;
  recurringInterval?: keyof typeof intervalWords | undefined;
  plannedPayments?: { installments: { number: number; dueAfterDays: number; amount: number }[] } | undefined;
}

/** The totals fragment: lines, discounts, taxes, fees and total as the money engine priced them. */
export function totals(document: FixedContent["content"] & Partial<QuoteFigures>): Html {
  const { currency } = document;
  const breakdown = document.taxBreakdown.length
    ? table({
        caption: "Taxes",
        rows: document.taxBreakdown,
        empty: "No taxes.",
        columns: [
          {
            header: "Tax",
            cell: (t) => `${t.name ?? t.taxRateId} ${t.percentage}%${t.inclusive ? " (included)" : ""}`,
          },
          { header: "On", numeric: true, cell: (t) => money(t.taxableAmount, currency) },
          { header: "Tax", numeric: true, cell: (t) => money(t.amount, currency) },
        ],
      })
    : "";
  const discounts = document.discounts.length
    ? html`<ul>${document.discounts.map(
        (d) =>
          html`<li>${d.code ? `Code ${d.code}` : d.percentOff !== undefined ? `${d.percentOff}% off` : "Amount off"}: ${money(-d.amount, currency)}</li>`,
      )}</ul>`
    : "";
  const fees = document.fees.length
    ? html`<ul>${document.fees.map((f) => html`<li>${f.description}: ${money(f.amountTotal, currency)}</li>`)}</ul>`
    : "";
  const quote =
    document.upfrontTotal === undefined
      ? ""
      : html`<dl class="facts"><div><dt>One-time</dt><dd>${money(document.upfrontTotal, currency)}</dd></div>${
          document.recurringInterval
            ? html`<div><dt>Recurring</dt><dd>${money(document.recurringTotal ?? 0, currency)} ${intervalWords[document.recurringInterval].per}</dd></div>`
            : ""
        }</dl>${
          document.plannedPayments
            ? table({
                caption: "Installments",
                rows: document.plannedPayments.installments,
                empty: "No installments.",
                columns: [
                  { header: "Installment", cell: (i) => String(i.number) },
                  {
                    header: "Due",
                    cell: (i) => (i.dueAfterDays === 0 ? "At acceptance" : `${i.dueAfterDays} days after`),
                  },
                  {
                    header: "Amount",
                    numeric: true,
                    cell: (i) => html`<span data-installment>${money(i.amount, currency)}</span>`,
                  },
                ],
              })
            : ""
        }`;
  return html`${linesTable(document)}${discounts}${fees}${breakdown}${quote}<p class="stat-value">Total <strong data-total>${formatMoney(document.total, currency)}</strong></p>`;
}

/** What the preview answers when the form cannot be priced yet: the problems, each naming its field. */
export function previewProblems(error: unknown): DashboardResult {
  if (!(error instanceof ValidationError)) throw error;
  // As the error page and the API's problem name them: the form's field, then what is wrong with it.
  const label = (e: FieldError) => `${e.path} ${e.message}`;
  return {
    kind: "fragment",
    status: 400,
    body: String(
      html`<p class="muted">The totals show once the form can be priced:</p><ul>${error.errors.map((e) => html`<li>${label(e)}</li>`)}</ul>`,
    ),
  };
}

/** Whether the form was sent by its "Save and finalize/publish" button (`name="step" value="next"`). */
export const nextStep = (request: DashboardRequest): boolean => request.form.get("step") === "next";

/** What a save did: the document, and whether the next step the form asked for (finalize, publish) ran. */
export interface Saved {
  id: string;
  /** The next step's refusal (a 409 or 400 of its use case), when it was refused: the draft stays saved. */
  refused?: string;
}

/**
 * Saves once per rendered form (`once`: a double submit replays the first answer), then runs `next`
 * when the form's button asked for it (`nextStep`); a `next` the document's state or content refuses
 * keeps the saved draft and says why, instead of failing a save that happened.
 */
export function saveThen(
  request: DashboardRequest,
  save: () => Promise<{ id: string }>,
  next: { operation: Operation; run: (id: string) => Promise<unknown> },
): Promise<Saved> {
  if (nextStep(request) && !may(request, next.operation))
    throw new ForbiddenError("Your role may save this draft but not take the next step");
  return once(request, async () => {
    const { id } = await save();
    if (!nextStep(request)) return { id };
    try {
      await next.run(id);
      return { id };
    } catch (error) {
      if (!(error instanceof ValidationError || error instanceof StateConflictError)) throw error;
      const detail =
        error instanceof ValidationError
          ? error.errors.map((e) => `${e.path} ${e.message}`).join("; ")
          : error.message;
      return { id, refused: detail };
    }
  });
}

/**
 * The routes of a document's editor: a new draft's page and its save, a draft's edit page and its
 * save, and the live totals; permissions those of the API's create and update operations.
 */
export function editorRoutes<D extends { id: string }>(editor: {
  collection: "invoices" | "quotes";
  create: Operation;
  update: Operation;
  page(request: DashboardRequest, draft?: D): Promise<DashboardResult>;
  save(request: DashboardRequest, id?: string): Promise<DashboardResult>;
  draftFor(request: DashboardRequest): Promise<D>;
  preview(request: DashboardRequest): Promise<DashboardResult>;
}): readonly DashboardRoute[] {
  const base = `/app/${editor.collection}`;
  const create = permissionFor(editor.create);
  const update = permissionFor(editor.update);
  return [
    { method: "GET", path: `${base}/new`, permission: create, handle: (r) => editor.page(r) },
    { method: "POST", path: `${base}/new`, permission: create, handle: (r) => editor.save(r) },
    {
      method: "GET",
      path: `${base}/{id}/edit`,
      permission: update,
      handle: async (r) => editor.page(r, await editor.draftFor(r)),
    },
    {
      method: "POST",
      path: `${base}/{id}/edit`,
      permission: update,
      handle: async (r) => editor.save(r, (await editor.draftFor(r)).id),
    },
    { method: "POST", path: `${base}/preview`, permission: create, handle: editor.preview },
  ];
}
