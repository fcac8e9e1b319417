/**
 * New subscriptions and changes to one. `/app/subscriptions/new`: a customer, products or ad-hoc
 * prices with quantities, the interval, start, trial, billing and taxes, as the body of
 * `POST /v1/subscriptions`. `/app/subscriptions/{id}/change`: the items and how to prorate them. A
 * change is previewed first by the service behind `POST /v1/subscriptions/{id}/preview-change` (the
 * proration lines, what is due now, the next invoice) — live while the form is typed in, or as a page
 * without the script — and applied only by the preview's confirm button, which carries the same
 * fields, through the use case behind `PATCH /v1/subscriptions/{id}`.
 */
import * as z from "zod";
import { currency as currencySchema, paymentTerms } from "../../../api/common.ts";
import { intervals } from "../../../api/products.ts";
import * as ops from "../../../api/subscriptions.ts";
import { customerPorts, subscriptionPorts, withSavedViews } from "../../../composition.ts";
import { listCustomers } from "../../../customers/service.ts";
import { StateConflictError, ValidationError } from "../../../domain/errors.ts";
import { formatMoney, formatQuantity, majorUnits } from "../../../domain/format.ts";
import { intervalWords, type Product } from "../../../products/product.ts";
import * as subscriptions from "../../../subscriptions/service.ts";
import { terminalSubscriptionStatuses } from "../../../subscriptions/subscription.ts";
import { permissionFor } from "../../../users/roles.ts";
import type { DashboardRequest, DashboardResult, DashboardRoute } from "../../context.ts";
import {
  csrfField,
  type Field,
  facts,
  field,
  type Html,
  html,
  money,
  pageHeader,
  section,
  table,
  when,
} from "../../ui.ts";
import { amountOf, bodyOf, merchantOf, once, onceField, words } from "../details/common.ts";
import {
  catalogOf,
  checkbox,
  checked,
  filledRows,
  given,
  group,
  namedByRow,
  productLabel,
  quantityOf,
  taxRateBoxes,
  textOf,
  wholeNumberOf,
} from "./form.ts";
import { lazy } from "../../../lazy.ts";

const subscriptionPath = (id: string) => `/app/subscriptions/${id}`;
const itemNames = ["productId", "description", "unitAmount", "quantity"];
/** Item rows of a new subscription, and the rows for new items a change offers. */
const newItemRows = 4;
const spareChangeRows = 2;
const item = (row: number, name: string) => `items.${row}.${name}`;

const intervalOptions = intervals.map((i) => [i, words(intervalWords[i].adverb)] as const);
const prorationOptions = [
  ["create_prorations", "Credit and charge the difference on the next invoice"],
  ["always_invoice", "Invoice the difference now"],
  ["none", "No prorations: the new items apply from the next period"],
] as const;

type Subscription = Awaited<ReturnType<typeof subscriptions.getSubscription>>;

/**
 * An ad-hoc price's fields: what it is and what it costs per period, in `currency` (a change's,
 * fixed), or in the currency the form names further down (a new subscription's).
 */
const adHocFields = (
  row: number,
  currency: string | undefined,
  values: { description: string; unitAmount: string },
) => [
  { name: item(row, "description"), label: "Description", value: values.description },
  {
    name: item(row, "unitAmount"),
    label: currency ? `Price (${currency})` : "Price",
    value: values.unitAmount,
    hint: currency
      ? `Per period, e.g. ${majorUnits(1250, currency)}`
      : "Per period, in the currency below, e.g. 12.50",
    attributes: { inputmode: "decimal", autocomplete: "off" },
  },
];

// ── New subscription ──

async function newSubscriptionPage(request: DashboardRequest) {
  const [merchant, customers, { products, taxRates }] = await Promise.all([
    merchantOf(request),
    listCustomers(withSavedViews(customerPorts(request.clock)), request.user.merchantId, { limit: 100 }),
    catalogOf(request, { recurring: true }),
  ]);
  const currency = merchant.defaultCurrency;
  const rows = Array.from({ length: newItemRows }, (_, row) =>
    group(
      `Item ${row + 1}${row === 0 ? "" : " (optional)"}`,
      (
        [
          {
            name: item(row, "productId"),
            label: "Product",
            options: [
              ["", "An ad-hoc price (below)"],
              ...products.map((p) => [p.id, productLabel(p)] as const),
            ],
          },
          ...adHocFields(row, undefined, { description: "", unitAmount: "" }),
          {
            name: item(row, "quantity"),
            label: "Quantity",
            hint: "1 when left empty",
            attributes: { inputmode: "decimal", autocomplete: "off" },
          },
        ] satisfies Field[]
      ).map((f) => field(f, "sub")),
    ),
  );
  const fields: Field[] = [
    {
      name: "customerId",
      label: "Customer",
      required: true,
      options: [
        ["", "Choose a customer"],
        ...customers.items.map((c) => [c.id, c.name ? `${c.name} (${c.email})` : c.email] as const),
      ],
      hint: "Your newest 100 customers",
    },
  ];
  const billing: Field[] = [
    {
      name: "currency",
      label: "Currency of ad-hoc prices",
      value: currency,
      hint: "Products bring their own",
      attributes: { maxlength: "3", autocomplete: "off" },
    },
    {
      name: "interval",
      label: "Billed",
      options: [["", "As the products are"], ...intervalOptions],
      hint: "Needed when no item is a product",
    },
    { name: "startDate", label: "Starts on", type: "date", hint: `Empty: today (${merchant.timeZone})` },
    {
      name: "trialDays",
      label: "Trial days",
      hint: "No invoice during the trial; empty: none",
      attributes: { inputmode: "numeric", autocomplete: "off" },
    },
    {
      name: "billingCycles",
      label: "Periods to bill",
      hint: "Empty: until canceled",
      attributes: { inputmode: "numeric", autocomplete: "off" },
    },
    {
      name: "collectionMethod",
      label: "Collection",
      options: [
        ["charge_automatically", "Charge the customer's saved card"],
        ["send_invoice", "Send an invoice each period"],
      ],
    },
    {
      name: "paymentTerms",
      label: "Payment terms of sent invoices",
      options: [
        ["", `Your default (${words(merchant.defaultPaymentTerms)})`],
        ...paymentTerms().options.map((t) => [t, words(t)] as const),
      ],
    },
    {
      name: "discounts.0.code",
      label: "Discount code",
      hint: "Optional: redeemed now, applies for its duration",
      attributes: { autocomplete: "off" },
    },
  ];
  const body = html`${pageHeader("New subscription", undefined, "A customer billed for the same items every period")}
${section(
  "Subscription",
  html`<form method="post" action="/app/subscriptions/new" class="stack-form">${csrfField(request.csrfToken)}<input type="hidden" name="once" value="${onceField().once}">${fields.map((f) => field(f, "sub"))}${rows}${group(
    "Billing",
    billing.map((f) => field(f, "sub")),
  )}${group("Taxes", taxRateBoxes(taxRates, [], "sub"))}<div class="form-actions"><button type="submit" class="button button-primary">Create subscription</button> <a class="button button-link" href="/app/subscriptions">Cancel</a></div></form>`,
)}`;
  return { kind: "page" as const, title: "New subscription", body: String(body) };
}

/** The new subscription form as the API's body. */
function newSubscriptionInput(form: URLSearchParams) {
  const rows = filledRows(form, "items", newItemRows, itemNames);
  const adHoc = rows.some((row) => textOf(form, item(row, "productId")) === "");
  let currency: string | undefined;
  if (adHoc) {
    // Checked first: ad-hoc prices are read in its minor unit.
    const parsed = currencySchema().safeParse(textOf(form, "currency"));
    if (!parsed.success)
      throw new ValidationError(parsed.error.issues.map((i) => ({ path: "currency", message: i.message })));
    currency = parsed.data;
  }
  const items = rows.map((row) => {
    const productId = textOf(form, item(row, "productId"));
    const quantity = quantityOf(form, item(row, "quantity"));
    if (productId || !currency) return { productId, quantity };
    return {
      description: textOf(form, item(row, "description")) || undefined,
      unitAmount: amountOf(form, item(row, "unitAmount"), currency),
      quantity,
    };
  });
  const code = textOf(form, "discounts.0.code");
  const taxRateIds = form.getAll("taxRateIds");
  const optional = (name: string) => textOf(form, name) || undefined;
  const input: Record<string, unknown> = {
    customerId: textOf(form, "customerId"),
    items,
    currency,
    interval: optional("interval"),
    startDate: optional("startDate"),
    trialDays: wholeNumberOf(form, "trialDays"),
    billingCycles: wholeNumberOf(form, "billingCycles"),
    collectionMethod: optional("collectionMethod"),
    paymentTerms: optional("paymentTerms"),
    discounts: code ? [{ code }] : undefined,
    taxRateIds: taxRateIds.length ? taxRateIds : undefined,
  };
  return { input: given(input), rows };
}

async function createSubscription(request: DashboardRequest): Promise<DashboardResult> {
  const { input, rows } = newSubscriptionInput(request.form);
  const created = await namedByRow({ items: rows }, async () => {
    const body = bodyOf(ops.createSubscription, input);
    return once(request, () =>
      subscriptions.createSubscription(subscriptionPorts(request.clock), request.user.merchantId, body),
    );
  });
  return {
    kind: "redirect",
    location: subscriptionPath(created.id),
    notice: `Subscription created: ${words(created.status)}`,
  };
}

// ── Change, with its preview ──

const subscriptionOf = (request: DashboardRequest) =>
  subscriptions.getSubscription(
    subscriptionPorts(request.clock),
    request.user.merchantId,
    request.params.id ?? "",
  );

/** A field's value: as sent on a preview (the form shown again), else as the subscription has it. */
const shownValue = (request: DashboardRequest, name: string, current: string) =>
  request.method === "POST" ? textOf(request.form, name) : current;

function changeRows(request: DashboardRequest, subscription: Subscription, products: readonly Product[]) {
  const { currency } = subscription;
  const offered = products
    .filter((p) => p.currency === currency && p.recurring?.interval === subscription.interval)
    .map((p) => [p.id, productLabel(p)] as const);
  const value = (row: number, name: string, current = "") => shownValue(request, item(row, name), current);
  const current = subscription.items.map((it, row) => {
    const price = `${formatMoney(it.unitAmount, currency)}${it.quantity === 1 ? "" : ` × ${formatQuantity(it.quantity)}`}`;
    const fields: Field[] = [
      {
        name: item(row, "productId"),
        label: "Price",
        value: value(row, "productId"),
        options: [["", `Keep: ${it.description}, ${formatMoney(it.unitAmount, currency)}`], ...offered],
      },
      ...(it.productId
        ? []
        : adHocFields(row, currency, {
            description: value(row, "description", it.description),
            unitAmount: value(row, "unitAmount", majorUnits(it.unitAmount, currency)),
          })),
      {
        name: item(row, "quantity"),
        label: "Quantity",
        value: value(row, "quantity", String(it.quantity)),
        attributes: { inputmode: "decimal", autocomplete: "off" },
      },
    ];
    return group(`${it.description} (${price})`, [
      html`<input type="hidden" name="${item(row, "id")}" value="${it.id}">`,
      ...fields.map((f) => field(f, "change")),
      checkbox({
        id: `change-${item(row, "remove")}`,
        name: item(row, "remove"),
        label: "Remove this item",
        checked: request.method === "POST" && checked(request.form, item(row, "remove")),
      }),
    ]);
  });
  const spare = Array.from({ length: spareChangeRows }, (_, i) => {
    const row = subscription.items.length + i;
    const fields: Field[] = [
      {
        name: item(row, "productId"),
        label: "Product",
        value: value(row, "productId"),
        options: [["", "An ad-hoc price (below)"], ...offered],
      },
      ...adHocFields(row, currency, {
        description: value(row, "description"),
        unitAmount: value(row, "unitAmount"),
      }),
      {
        name: item(row, "quantity"),
        label: "Quantity",
        value: value(row, "quantity"),
        hint: "1 when left empty",
        attributes: { inputmode: "decimal", autocomplete: "off" },
      },
    ];
    return group(
      `New item ${i + 1} (optional)`,
      fields.map((f) => field(f, "change")),
    );
  });
  return [...current, ...spare];
}

/** The change form as the API's body (a PATCH's fields): the full new item list, and how to prorate. */
function changeInput(form: URLSearchParams, subscription: Subscription) {
  const { currency } = subscription;
  const kept = subscription.items.flatMap((_, row) => (checked(form, item(row, "remove")) ? [] : [row]));
  const added = filledRows(form, "items", subscription.items.length + spareChangeRows, itemNames).filter(
    (row) => row >= subscription.items.length,
  );
  const rows = [...kept, ...added];
  const items = rows.map((row) => {
    const before = subscription.items[row];
    const productId = textOf(form, item(row, "productId")) || undefined;
    const quantity = quantityOf(form, item(row, "quantity"));
    if (!before)
      return productId
        ? { productId, quantity }
        : {
            description: textOf(form, item(row, "description")) || undefined,
            unitAmount: amountOf(form, item(row, "unitAmount"), currency),
            quantity,
          };
    // An item keeps its price unless another product or an ad-hoc one is chosen: an unchanged entry
    // changes nothing, so the product's price today does not reprice it.
    const description = textOf(form, item(row, "description"));
    const unitAmount = before.productId ? undefined : amountOf(form, item(row, "unitAmount"), currency);
    return given({
      id: before.id,
      productId,
      description: !productId && description && description !== before.description ? description : undefined,
      unitAmount: !productId && unitAmount !== before.unitAmount ? unitAmount : undefined,
      quantity,
    });
  });
  const input = given({ items, prorationBehavior: textOf(form, "prorationBehavior") || undefined });
  return { input, rows };
}

const previewedInvoices = lazy(() => z.array(ops.invoicePreview()));
type PreviewedInvoice = z.output<ReturnType<typeof ops.invoicePreview>>;

const lineTable = (caption: string, invoice: PreviewedInvoice) =>
  table({
    caption,
    rows: invoice.lineItems,
    empty: "No lines.",
    columns: [
      { header: "Description", cell: (line) => line.description },
      { header: "Amount", numeric: true, cell: (line) => money(line.amountTotal, invoice.currency) },
    ],
  });

/**
 * The change as the service previews it — proration lines, what is due now, the next invoice — and
 * the button that applies it, carrying the same fields; a mistake or a state that forbids the change
 * is said instead (with its status), and no button shows.
 */
async function previewFragment(
  request: DashboardRequest,
  subscription: Subscription,
): Promise<{ body: Html; status: number }> {
  const zone = (await merchantOf(request)).timeZone;
  let invoices: PreviewedInvoice[];
  try {
    const { input, rows } = changeInput(request.form, subscription);
    const previewed = await namedByRow({ items: rows }, async () => {
      const body = bodyOf(ops.previewChange, input);
      return subscriptions.previewChange(
        subscriptionPorts(request.clock),
        request.user.merchantId,
        subscription.id,
        body,
      );
    });
    invoices = previewedInvoices().parse(previewed.invoices);
  } catch (error) {
    if (error instanceof ValidationError)
      return {
        status: 400,
        body: html`<div class="error"><p>This change cannot be made as it is:</p><ul>${error.errors.map((e) => html`<li>${e.path} ${e.message}</li>`)}</ul></div>`,
      };
    if (error instanceof StateConflictError)
      return { status: 409, body: html`<p class="error">${error.message}</p>` };
    throw error;
  }
  const { currency } = subscription;
  const now = invoices.find((i) => i.billingReason === "subscription_update");
  const next = invoices.find((i) => i !== now);
  const prorations = invoices.flatMap((i) => i.lineItems.filter((line) => line.proration));
  const fields = [...request.form].filter(([name]) => name !== "csrf" && name !== "once");
  const confirm = html`<form method="post" action="${subscriptionPath(subscription.id)}/change" class="inline-form">${csrfField(request.csrfToken)}<input type="hidden" name="once" value="${onceField().once}">${fields.map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}<button type="submit" class="button button-primary">Confirm change</button></form>`;
  const body = html`<h3>Prorations</h3>
${table({
  caption: "Proration lines",
  rows: prorations,
  empty: "No prorations: nothing is credited or charged for the current period.",
  columns: [
    { header: "Description", cell: (line) => line.description },
    { header: "Amount", numeric: true, cell: (line) => money(line.amountTotal, currency) },
  ],
})}
${facts([
  ["Due now", money(now?.amountDue ?? 0, currency)],
  ["Next invoice", next ? when(next.billingAt, zone) : "None planned"],
  ["Next invoice's amount due", next ? money(next.amountDue, currency) : undefined],
])}
${next ? html`<h3>Next invoice</h3>${lineTable("Lines of the next invoice", next)}` : ""}
${now ? html`<h3>Invoiced now</h3>${lineTable("Lines invoiced now", now)}` : ""}
<div class="form-actions">${confirm}</div>`;
  return { status: 200, body };
}

/** The change form; on a preview (POST, without the script), the form as sent and its preview. */
async function changePage(request: DashboardRequest) {
  const [subscription, { products }] = await Promise.all([
    subscriptionOf(request),
    catalogOf(request, { recurring: true }),
  ]);
  const title = `Change subscription ${subscription.id}`;
  const path = subscriptionPath(subscription.id);
  if (terminalSubscriptionStatuses.includes(subscription.status)) {
    const body = html`${pageHeader("Change subscription", undefined, subscription.id)}${section("Change", html`<p>The subscription is ${words(subscription.status)}: it can no longer be changed.</p>`)}`;
    return { kind: "page" as const, title, body: String(body), status: 409 };
  }
  const shown = request.method === "POST" ? await previewFragment(request, subscription) : undefined;
  const body = html`${pageHeader("Change subscription", html`<a class="button button-link" href="${path}">Back to the subscription</a>`, subscription.id)}
${section(
  "Items",
  html`<form method="post" action="${path}/change/preview" class="stack-form" data-preview="${path}/change/live-preview" data-preview-into="change-preview">${csrfField(request.csrfToken)}${changeRows(request, subscription, products)}${field({ name: "prorationBehavior", label: "For the current period", value: shownValue(request, "prorationBehavior", "create_prorations"), options: prorationOptions }, "change")}<div class="form-actions"><button type="submit" class="button button-secondary">Preview change</button></div></form>`,
)}
${section(
  "Preview",
  html`<div id="change-preview" aria-live="polite">${shown?.body ?? html`<p class="muted">The prorations and the next invoice show here before anything changes.</p>`}</div>`,
)}`;
  return { kind: "page" as const, title, body: String(body), ...(shown ? { status: shown.status } : {}) };
}

async function applyChange(request: DashboardRequest): Promise<DashboardResult> {
  const subscription = await subscriptionOf(request);
  const { input, rows } = changeInput(request.form, subscription);
  await namedByRow({ items: rows }, async () => {
    const body = bodyOf(ops.updateSubscription, input);
    return once(request, () =>
      subscriptions.updateSubscription(
        subscriptionPorts(request.clock),
        request.user.merchantId,
        subscription.id,
        body,
      ),
    );
  });
  return { kind: "redirect", location: subscriptionPath(subscription.id), notice: "Subscription changed" };
}

export const subscriptionEditorRoutes: readonly DashboardRoute[] = [
  {
    method: "GET",
    path: "/app/subscriptions/new",
    permission: permissionFor(ops.createSubscription),
    handle: newSubscriptionPage,
  },
  {
    method: "POST",
    path: "/app/subscriptions/new",
    permission: permissionFor(ops.createSubscription),
    handle: createSubscription,
  },
  {
    method: "GET",
    path: "/app/subscriptions/{id}/change",
    permission: permissionFor(ops.updateSubscription),
    handle: (request) => changePage(request),
  },
  {
    method: "POST",
    path: "/app/subscriptions/{id}/change/preview",
    permission: permissionFor(ops.previewChange),
    handle: (request) => changePage(request),
  },
  {
    method: "POST",
    path: "/app/subscriptions/{id}/change/live-preview",
    permission: permissionFor(ops.previewChange),
    async handle(request) {
      const { body, status } = await previewFragment(request, await subscriptionOf(request));
      return { kind: "fragment", body: String(body), status };
    },
  },
  {
    method: "POST",
    path: "/app/subscriptions/{id}/change",
    permission: permissionFor(ops.updateSubscription),
    handle: applyChange,
  },
];
