/**
 * What the payment link and subscription forms share: a list the form offers as rows (blank rows are
 * no entries, and a problem is named by the form's row, not by the entry's place in the API body),
 * whole numbers and checkboxes read as the API's types, and the merchant's products and tax rates to
 * pick from. The rules themselves stay the API schema's and the use case's.
 */
import { productPorts, taxRatePorts } from "../../../composition.ts";
import { ValidationError } from "../../../domain/errors.ts";
import { formatMoney } from "../../../domain/format.ts";
import { intervalWords, type Product } from "../../../products/product.ts";
import { listProducts } from "../../../products/service.ts";
import { listTaxRates } from "../../../tax-rates/service.ts";
import type { TaxRate } from "../../../tax-rates/tax-rate.ts";
import type { DashboardRequest } from "../../context.ts";
import { type Html, html, checkbox as uiCheckbox } from "../../ui.ts";

/** The text of a form field, trimmed; empty when absent. */
export const textOf = (form: URLSearchParams, name: string): string => form.get(name)?.trim() ?? "";

/** Rows `0…count-1` of `list` in which any of `names` is filled (`list.3.quantity` …). */
export function filledRows(
  form: URLSearchParams,
  list: string,
  count: number,
  names: readonly string[],
): number[] {
  return Array.from({ length: count }, (_, row) => row).filter((row) =>
    names.some((name) => textOf(form, `${list}.${row}.${name}`) !== ""),
  );
}

/**
 * Runs `check` (a schema's or a use case's) with a problem of `list.i…` renamed to the form's row
 * `list.rows[i]…`, so a 400 points at the row the person filled, whichever blank rows came before.
 */
export async function namedByRow<T>(
  lists: Readonly<Record<string, readonly number[]>>,
  check: () => T | Promise<T>,
): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      error.errors.map((e) => {
        const [list, index, ...rest] = e.path.split(".");
        const rows = list === undefined ? undefined : lists[list];
        const row = rows?.[Number(index)];
        return row === undefined || !/^\d+$/.test(index ?? "")
          ? e
          : { ...e, path: [list, String(row), ...rest].join(".") };
      }),
    );
  }
}

/** `undefined` is "not given": left out, so a strict schema and a PATCH see only what the form sets. */
export const given = (input: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined));

/** A whole number as typed, for the API's schema to judge its range; blank is `undefined`. */
export function wholeNumberOf(form: URLSearchParams, name: string): number | undefined {
  const text = textOf(form, name);
  if (text === "") return undefined;
  // `Number` alone would take `0x10`, `1e3` or `2.5`.
  if (!/^\d{1,15}$/.test(text))
    throw new ValidationError([{ path: name, message: "must be a whole number" }]);
  return Number(text);
}

/** A quantity as typed (`2`, `1.5`), for the API's schema to judge; blank is `undefined`. */
export function quantityOf(form: URLSearchParams, name: string): number | undefined {
  const text = textOf(form, name);
  if (text === "") return undefined;
  if (!/^\d{1,15}(\.\d{1,15})?$/.test(text))
    throw new ValidationError([{ path: name, message: "must be a number like 2 or 1.5" }]);
  return Number(text);
}

/** A checkbox's value: checked sends `true`. */
export const checked = (form: URLSearchParams, name: string): boolean => form.get(name) === "true";

/** ui.ts's checkbox sending `true` when checked; `value` for one of several boxes of one name. */
export const checkbox = (input: {
  name: string;
  label: string;
  checked: boolean;
  value?: string;
  id: string;
}): Html => uiCheckbox(input.name, input.label, input.checked, input.id, input.value ?? "true");

/** A group of controls with its legend (a form's section). */
export const group = (legend: string, body: Html | readonly Html[]): Html =>
  html`<fieldset class="card"><legend>${legend}</legend>${body}</fieldset>`;

/** A product as a picker names it: its name, price and interval. */
export const productLabel = (p: Product): string =>
  `${p.name} — ${formatMoney(p.unitAmount, p.currency)}${p.recurring ? ` ${intervalWords[p.recurring.interval].per}` : ""}`;

/** The merchant's active products (a recurring price only, when `recurring`) and active tax rates, newest 100 each. */
export async function catalogOf(request: DashboardRequest, options: { recurring?: boolean } = {}) {
  const { merchantId } = request.user;
  const [products, taxRates] = await Promise.all([
    listProducts(productPorts(request.clock), merchantId, { limit: 100, active: true, ...options }),
    listTaxRates(taxRatePorts(request.clock), merchantId, { limit: 100, active: true }),
  ]);
  return { products: products.items, taxRates: taxRates.items };
}

/** The tax rates as checkboxes of `taxRateIds`, those in `chosen` checked. */
export function taxRateBoxes(
  taxRates: readonly Pick<TaxRate, "id" | "name" | "percentage" | "inclusive">[],
  chosen: readonly string[],
  idPrefix: string,
): Html {
  if (taxRates.length === 0) return html`<p class="muted">No active tax rates.</p>`;
  return html`${taxRates.map((rate, i) =>
    checkbox({
      id: `${idPrefix}-tax-${i}`,
      name: "taxRateIds",
      value: rate.id,
      checked: chosen.includes(rate.id),
      label: `${rate.name} (${rate.percentage} %${rate.inclusive ? ", included in prices" : ""})`,
    }),
  )}`;
}
