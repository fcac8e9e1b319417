/**
 * The payment link editor: a new link (`/app/payment-links/new`) and changes to one
 * (`/app/payment-links/{id}/edit`) from one form — items with adjustable quantities, discount codes,
 * addresses, custom fields, the redemption limit, the expiry and what the buyer sees after paying.
 * The form becomes the body of `POST` / `PATCH /v1/payment-links`, checked by that operation's schema
 * and saved by the same use case. The link's page then shares it (`shareSection`): the URL, its QR
 * code (the API's encoder) and the embed snippet, each to copy or download.
 */
import * as ops from "../../../api/payment-links.ts";
import { paymentLinkPorts } from "../../../composition.ts";
import { addDays, localDate, startOfLocalDay } from "../../../domain/calendar.ts";
import { ValidationError } from "../../../domain/errors.ts";
import { formatQuantity } from "../../../domain/format.ts";
import {
  maxCustomFields,
  maxLineItems,
  type PresentedPaymentLink,
} from "../../../payment-links/payment-link.ts";
import * as paymentLinks from "../../../payment-links/service.ts";
import type { Product } from "../../../products/product.ts";
import { permissionFor } from "../../../users/roles.ts";
import type { DashboardRequest, DashboardRoute } from "../../context.ts";
import { csrfField, type Field, field, type Html, html, pageHeader, section, table } from "../../ui.ts";
import { bodyOf, merchantOf, once, onceField } from "../details/common.ts";
import {
  catalogOf,
  checkbox,
  checked,
  filledRows,
  given,
  group,
  namedByRow,
  productLabel,
  taxRateBoxes,
  textOf,
  wholeNumberOf,
} from "./form.ts";

const linkPath = (id: string) => `/app/payment-links/${id}`;
const itemNames = ["productId", "quantity", "adjustableQuantity.min", "adjustableQuantity.max"];
const customFieldNames = ["key", "label", "options"];
/** Empty item rows the form offers besides the link's own. */
const spareItemRows = 3;
const afterTypes = [
  ["", "The checkout's own confirmation"],
  ["message", "A message of yours"],
  ["redirect", "Send the buyer to a page of yours"],
] as const;

/** How many item rows the form has: the link's items and a few spare, within the API's limit. */
const itemRowsOf = (link: PresentedPaymentLink | undefined) =>
  Math.min(maxLineItems, (link?.lineItems.length ?? 0) + spareItemRows);

/** Line items are frozen once a checkout completed: the form then shows them and sends none. */
const frozen = (link: PresentedPaymentLink | undefined) => (link?.timesRedeemed ?? 0) > 0;

/** The last day a link sells, in the merchant's zone: the day before the instant it expires. */
const lastDayOf = (expiresAt: string | undefined, zone: string) =>
  expiresAt ? localDate(new Date(Date.parse(expiresAt) - 1), zone) : "";

function itemRow(row: number, products: readonly Product[], link: PresentedPaymentLink | undefined): Html {
  const item = link?.lineItems[row];
  const name = (n: string) => `lineItems.${row}.${n}`;
  // An archived product stays the link's until it is changed, so the select can show it.
  const offered = products.map((p) => [p.id, productLabel(p)] as const);
  const options =
    item && !products.some((p) => p.id === item.productId)
      ? [[item.productId, item.productId] as const, ...offered]
      : offered;
  const fields: Field[] = [
    {
      name: name("productId"),
      label: "Product",
      value: item?.productId ?? "",
      options: [["", row === 0 ? "Choose a product" : "None"], ...options],
    },
    {
      name: name("quantity"),
      label: "Quantity",
      value: item ? String(item.quantity) : "",
      hint: "1 when left empty",
      attributes: { inputmode: "numeric", autocomplete: "off" },
    },
    {
      name: name("adjustableQuantity.min"),
      label: "Buyer may choose from",
      value: item?.adjustableQuantity ? String(item.adjustableQuantity.min) : "",
      attributes: { inputmode: "numeric", autocomplete: "off" },
    },
    {
      name: name("adjustableQuantity.max"),
      label: "Buyer may choose up to",
      value: item?.adjustableQuantity ? String(item.adjustableQuantity.max) : "",
      hint: "Both empty: the quantity is fixed",
      attributes: { inputmode: "numeric", autocomplete: "off" },
    },
  ];
  return group(
    `Item ${row + 1}${row === 0 ? "" : " (optional)"}`,
    fields.map((f) => field(f, "link")),
  );
}

function customFieldRow(row: number, link: PresentedPaymentLink | undefined): Html {
  const custom = link?.customFields[row];
  const name = (n: string) => `customFields.${row}.${n}`;
  const fields: Field[] = [
    { name: name("label"), label: "Label", value: custom?.label ?? "", hint: "What the buyer is asked" },
    {
      name: name("key"),
      label: "Key",
      value: custom?.key ?? "",
      hint: "Names the answer on the checkout: letters, digits or _",
      attributes: { autocomplete: "off" },
    },
    {
      name: name("type"),
      label: "Answer",
      value: custom?.type ?? "text",
      options: [
        ["text", "Text"],
        ["dropdown", "A choice (dropdown)"],
        ["numeric", "A number"],
      ],
    },
    {
      name: name("options"),
      label: "Choices",
      value: custom?.options?.join(", ") ?? "",
      hint: "Dropdowns only: separated by commas",
    },
  ];
  return group(`Custom field ${row + 1} (optional)`, [
    ...fields.map((f) => field(f, "link")),
    checkbox({
      id: `link-${name("optional")}`,
      name: name("optional"),
      label: "The buyer may leave it empty",
      checked: custom?.optional ?? false,
    }),
  ]);
}

/** The custom fields, folded away (a native `<details>`, no script) until a link has one. */
const customFields = (link: PresentedPaymentLink | undefined) =>
  html`<details${link?.customFields.length ? html` open` : ""}><summary>Custom fields (up to ${maxCustomFields})</summary>${Array.from({ length: maxCustomFields }, (_, row) => customFieldRow(row, link))}</details>`;

async function editorPage(request: DashboardRequest, link?: PresentedPaymentLink) {
  const [merchant, { products, taxRates }] = await Promise.all([merchantOf(request), catalogOf(request)]);
  const zone = merchant.timeZone;
  const items = frozen(link)
    ? section(
        "Items",
        html`<p class="muted">${link?.timesRedeemed} checkouts completed with these items, so they can no longer change: create a new link to sell something else.</p>${table(
          {
            caption: "Items",
            rows: link?.lineItems ?? [],
            empty: "No items.",
            columns: [
              { header: "Product", cell: (item) => item.productId },
              { header: "Quantity", numeric: true, cell: (item) => formatQuantity(item.quantity) },
            ],
          },
        )}`,
      )
    : Array.from({ length: itemRowsOf(link) }, (_, row) => itemRow(row, products, link));
  const collect = group("What the buyer gives", [
    checkbox({
      id: "link-allowDiscountCodes",
      name: "allowDiscountCodes",
      label: "Discount codes may be entered",
      checked: link?.allowDiscountCodes ?? false,
    }),
    checkbox({
      id: "link-collectBillingAddress",
      name: "collectBillingAddress",
      label: "Billing address",
      checked: link?.collectBillingAddress ?? false,
    }),
    checkbox({
      id: "link-collectPhone",
      name: "collectPhone",
      label: "Phone number",
      checked: link?.collectPhone ?? false,
    }),
    field(
      {
        name: "collectShippingAddress.allowedCountries",
        label: "Shipping address in",
        value: link?.collectShippingAddress?.allowedCountries.join(", ") ?? "",
        hint: "Country codes separated by commas, e.g. US, CA; empty: no shipping address",
        attributes: { autocomplete: "off" },
      },
      "link",
    ),
  ]);
  const limits = group(
    "Limits",
    (
      [
        {
          name: "maxRedemptions",
          label: "Checkouts at most",
          value: link?.maxRedemptions === undefined ? "" : String(link.maxRedemptions),
          hint: "Empty: no limit",
          attributes: { inputmode: "numeric", autocomplete: "off" },
        },
        {
          name: "expiresAt",
          label: "Last day it sells",
          type: "date",
          value: lastDayOf(link?.expiresAt, zone),
          hint: `It stops at midnight at the end of that day (${zone}); empty: it does not expire`,
        },
        {
          name: "trialDays",
          label: "Trial days",
          value: link?.trialDays === undefined ? "" : String(link.trialDays),
          hint: "Recurring items only: days before their first charge",
          attributes: { inputmode: "numeric", autocomplete: "off" },
        },
      ] satisfies Field[]
    ).map((f) => field(f, "link")),
  );
  const after = link?.afterCompletion;
  const afterPayment = group(
    "After paying",
    (
      [
        {
          name: "afterCompletion.type",
          label: "The buyer sees",
          value: after?.type ?? "",
          options: afterTypes,
        },
        {
          name: "afterCompletion.message",
          label: "Message",
          type: "textarea",
          value: after?.type === "message" ? after.message : "",
        },
        {
          name: "afterCompletion.url",
          label: "Page (https)",
          type: "text",
          value: after?.type === "redirect" ? after.url : "",
          attributes: { inputmode: "url", autocomplete: "off" },
        },
      ] satisfies Field[]
    ).map((f) => field(f, "link")),
  );
  const action = link ? `${linkPath(link.id)}/edit` : "/app/payment-links/new";
  const title = link ? `Edit ${link.name}` : "New payment link";
  const body = html`${pageHeader(title, undefined, link ? link.id : "One URL to sell your products: share it, print its QR code or embed its button")}
${section(
  "Payment link",
  html`<form method="post" action="${action}" class="stack-form">${csrfField(request.csrfToken)}<input type="hidden" name="once" value="${onceField().once}">${field({ name: "name", label: "Name", value: link?.name ?? "", required: true, hint: "The buyer sees it on the checkout page" }, "link")}${items}${collect}${customFields(link)}${limits}${group("Taxes", taxRateBoxes(taxRates, link?.taxRateIds ?? [], "link"))}${afterPayment}${link ? checkbox({ id: "link-active", name: "active", label: "Active: buyers can check out", checked: link.active }) : ""}<div class="form-actions"><button type="submit" class="button button-primary">${link ? "Save changes" : "Create payment link"}</button> <a class="button button-link" href="${link ? linkPath(link.id) : "/app/payment-links"}">Cancel</a></div></form>`,
)}`;
  return { kind: "page" as const, title, body: String(body) };
}

/** The link's expiry from the last day typed; `undefined` on an edit that left the day as it was. */
function expiryOf(form: URLSearchParams, zone: string, link: PresentedPaymentLink | undefined) {
  const day = textOf(form, "expiresAt");
  if (link && day === lastDayOf(link.expiresAt, zone)) return undefined;
  if (day === "") return link ? null : undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))
    throw new ValidationError([{ path: "expiresAt", message: "must be a date like 2026-12-31" }]);
  return startOfLocalDay(addDays(day, 1), zone).toISOString();
}

/**
 * The form as the API's body (POST for a new link, PATCH for `link`): blank rows are no entries, an
 * emptied optional field on an edit removes it (null), and frozen items are not sent.
 */
function linkInput(form: URLSearchParams, zone: string, link: PresentedPaymentLink | undefined) {
  const cleared = link ? null : undefined;
  const rows = {
    lineItems: frozen(link) ? [] : filledRows(form, "lineItems", itemRowsOf(link), itemNames),
    customFields: filledRows(form, "customFields", maxCustomFields, customFieldNames),
  };
  const lineItems = rows.lineItems.map((row) => {
    const name = (n: string) => `lineItems.${row}.${n}`;
    const [min, max] = [name("adjustableQuantity.min"), name("adjustableQuantity.max")].map((n) =>
      wholeNumberOf(form, n),
    );
    return {
      productId: textOf(form, name("productId")),
      quantity: wholeNumberOf(form, name("quantity")),
      ...(min !== undefined || max !== undefined ? { adjustableQuantity: { min, max } } : {}),
    };
  });
  const customFields = rows.customFields.map((row) => {
    const name = (n: string) => `customFields.${row}.${n}`;
    const options = textOf(form, name("options"));
    return {
      key: textOf(form, name("key")),
      label: textOf(form, name("label")),
      type: textOf(form, name("type")),
      ...(options
        ? {
            options: options
              .split(",")
              .map((o) => o.trim())
              .filter(Boolean),
          }
        : {}),
      optional: checked(form, name("optional")),
    };
  });
  const countries = textOf(form, "collectShippingAddress.allowedCountries");
  const afterType = textOf(form, "afterCompletion.type");
  const trialDays = wholeNumberOf(form, "trialDays");
  const maxRedemptions = wholeNumberOf(form, "maxRedemptions");
  const expiresAt = expiryOf(form, zone, link);
  const input: Record<string, unknown> = {
    name: textOf(form, "name"),
    // An empty list is the schema's to refuse ("must have at least 1 item", naming `lineItems`).
    ...(frozen(link) ? {} : { lineItems }),
    allowDiscountCodes: checked(form, "allowDiscountCodes"),
    collectBillingAddress: checked(form, "collectBillingAddress"),
    collectPhone: checked(form, "collectPhone"),
    collectShippingAddress: countries
      ? {
          allowedCountries: countries
            .split(/[\s,]+/)
            .filter(Boolean)
            .map((c) => c.toUpperCase()),
        }
      : cleared,
    customFields,
    trialDays: trialDays ?? cleared,
    maxRedemptions: maxRedemptions ?? cleared,
    ...(expiresAt === undefined ? {} : { expiresAt }),
    afterCompletion:
      afterType === "message"
        ? { type: "message", message: textOf(form, "afterCompletion.message") }
        : afterType === "redirect"
          ? { type: "redirect", url: textOf(form, "afterCompletion.url") }
          : afterType === ""
            ? cleared
            : { type: afterType },
    taxRateIds: form.getAll("taxRateIds"),
    ...(link ? { active: checked(form, "active") } : {}),
  };
  return { input: given(input), rows };
}

async function createLink(request: DashboardRequest) {
  const { merchantId } = request.user;
  const merchant = await merchantOf(request);
  const { input, rows } = linkInput(request.form, merchant.timeZone, undefined);
  const link = await namedByRow(rows, async () => {
    const body = bodyOf(ops.createPaymentLink, input);
    return once(request, () =>
      paymentLinks.createPaymentLink(paymentLinkPorts(request.clock), merchantId, body),
    );
  });
  return {
    kind: "redirect" as const,
    location: linkPath(link.id),
    notice: "Payment link created: share its URL, QR code or button below",
  };
}

const linkOf = (request: DashboardRequest) =>
  paymentLinks.getPaymentLink(
    paymentLinkPorts(request.clock),
    request.user.merchantId,
    request.params.id ?? "",
  );

async function updateLink(request: DashboardRequest) {
  const { merchantId } = request.user;
  const [merchant, link] = await Promise.all([merchantOf(request), linkOf(request)]);
  const { input, rows } = linkInput(request.form, merchant.timeZone, link);
  await namedByRow(rows, async () => {
    const body = bodyOf(ops.updatePaymentLink, input);
    return once(request, () =>
      paymentLinks.updatePaymentLink(paymentLinkPorts(request.clock), merchantId, link.id, body),
    );
  });
  return { kind: "redirect" as const, location: linkPath(link.id), notice: "Payment link saved" };
}

/**
 * Where a link is shared from, on its page: the URL and the embed snippet in read-only fields (to
 * select without the script; a button copies them with it) and the QR code to download.
 */
export function shareSection(link: PresentedPaymentLink): Html {
  const qr = `${linkPath(link.id)}/qr.svg`;
  return section(
    "Share",
    html`<div class="stack-form"><div class="field"><label for="share-url">Link</label><input type="text" id="share-url" readonly value="${link.url}"></div>
<div class="form-actions"><button type="button" class="button button-secondary" data-copy="share-url">Copy link</button> <a class="button button-link" href="${link.url}">Open the checkout</a></div>
<div class="field"><span class="hint">QR code, for a counter or a flyer</span><img src="${qr}" alt="QR code of ${link.url}" width="160" height="160"></div>
<div class="form-actions"><a class="button button-secondary" href="${qr}" download>Download QR code (SVG)</a></div>
<div class="field"><label for="share-embed">Embed snippet</label><textarea id="share-embed" readonly aria-describedby="share-embed-hint">${link.embed.buttonHtml}</textarea><p class="hint" id="share-embed-hint">A button for your website or emails: paste it where it should show</p></div>
<div class="form-actions"><button type="button" class="button button-secondary" data-copy="share-embed">Copy snippet</button></div></div>`,
  );
}

export const paymentLinkEditorRoutes: readonly DashboardRoute[] = [
  {
    method: "GET",
    path: "/app/payment-links/new",
    permission: permissionFor(ops.createPaymentLink),
    handle: (request) => editorPage(request),
  },
  {
    method: "POST",
    path: "/app/payment-links/new",
    permission: permissionFor(ops.createPaymentLink),
    handle: createLink,
  },
  {
    method: "GET",
    path: "/app/payment-links/{id}/edit",
    permission: permissionFor(ops.updatePaymentLink),
    handle: async (request) => editorPage(request, await linkOf(request)),
  },
  {
    method: "POST",
    path: "/app/payment-links/{id}/edit",
    permission: permissionFor(ops.updatePaymentLink),
    handle: updateLink,
  },
  {
    method: "GET",
    path: "/app/payment-links/{id}/qr.svg",
    permission: permissionFor(ops.getPaymentLinkQrCode),
    async handle(request) {
      const link = await linkOf(request);
      // The encoder loads with the first QR code asked for, as the API's route does.
      const { qrSvg } = await import("../../../payment-links/qr.ts");
      return {
        kind: "file",
        contentType: "image/svg+xml",
        filename: `qr-${link.id}.svg`,
        body: qrSvg(link.url),
      };
    },
  },
];
