/**
 * The payment link editor and the subscription forms against DynamoDB Local, every result read back
 * through the API's handlers: a member creates a link from the form (a double submit creates one) and
 * edits it; the link's page shares its URL, QR code and embed snippet; a member creates a subscription
 * and changes it only after the preview, which shows what `POST /v1/subscriptions/{id}/preview-change`
 * answers. Bad input is a 400 naming the form's row and field, writing nothing; a viewer may not use
 * the forms; another merchant's link or subscription is a 404; each page's first load is under 150 KB.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as paymentLinksHandler } from "../../functions/api/payment-links.ts";
import { handler as paymentMethodsHandler } from "../../functions/api/payment-methods.ts";
import { handler as productsHandler } from "../../functions/api/products.ts";
import { handler as subscriptionsHandler } from "../../functions/api/subscriptions.ts";
import { handler as taxRatesHandler } from "../../functions/api/tax-rates.ts";
import { merchantPorts } from "../../shared/composition.ts";
import type { DashboardResult } from "../../shared/dashboard/context.ts";
import { allPageRoutes } from "../../shared/dashboard/pages/index.ts";
import { dashboardRouter } from "../../shared/dashboard/router.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { NotFoundError, ValidationError } from "../../shared/domain/errors.ts";
import { formatMoney } from "../../shared/domain/format.ts";
import { getMerchant } from "../../shared/merchants/service.ts";
import { qrSvg } from "../../shared/payment-links/qr.ts";
import { can } from "../../shared/users/roles.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { useTestAws } from "../helpers/aws.ts";
import { firstLoadBytes, openPage, pageBody, signedIn, testCsrfToken } from "../helpers/dashboard-pages.ts";

const pageRoutes = await allPageRoutes();

let shop: TestMerchant;
let other: TestMerchant;
let customerId: string;
const products = { socks: "", pattern: "", basic: "", pro: "", theirs: "" };
let vat: string;

const unique = () => randomUUID().slice(0, 8);
const api = (
  handler: unknown,
  routeKey: string,
  options: Parameters<typeof merchantCall>[3] = {},
  m = shop,
) =>
  expectStatus(merchantCall(handler, routeKey, m.secret, options), routeKey.startsWith("POST") ? 201 : 200);
const member = () => signedIn(shop, "member");
const post = (url: string, form: Record<string, string>) =>
  openPage(member(), url, { form: { csrf: testCsrfToken, once: unique(), ...form } });
const linkCount = async () =>
  (await api(paymentLinksHandler, "GET /v1/payment-links", { query: { limit: "100" } })).data
    .length as number;
const idOf = (result: DashboardResult) =>
  result.kind === "redirect" ? (result.location.split("/").at(-1) ?? "") : "";
const product = async (name: string, unitAmount: number, recurring?: "month", m = shop) =>
  (
    await api(
      productsHandler,
      "POST /v1/products",
      {
        body: {
          name,
          unitAmount,
          currency: "USD",
          ...(recurring ? { recurring: { interval: recurring } } : {}),
        },
      },
      m,
    )
  ).id as string;

async function underBudget(url: string) {
  const user = member();
  const merchant = await getMerchant(merchantPorts(systemClock), shop.id);
  expect(firstLoadBytes(await openPage(user, url), user, merchant)).toBeLessThan(150 * 1024);
}

beforeAll(async () => {
  await useTestAws(["billing", "stripe-events", "notifications"]);
  [shop, other] = await Promise.all([newMerchant("Dash Links"), newMerchant("Other Links")]);
  customerId = (
    await api(customersHandler, "POST /v1/customers", {
      body: { email: `sub-${unique()}@dash.test`, name: "Sam Sub" },
    })
  ).id;
  await api(paymentMethodsHandler, "POST /v1/customers/{id}/payment-methods", {
    id: customerId,
    body: { paymentMethod: "pm_card_visa" },
  });
  products.socks = await product("Wool socks", 1_200);
  products.pattern = await product("Knitting pattern", 400);
  products.basic = await product("Basic", 3_100, "month");
  products.pro = await product("Pro", 6_200, "month");
  products.theirs = await product("Not yours", 100, undefined, other);
  vat = (
    await api(taxRatesHandler, "POST /v1/tax-rates", {
      body: { name: "VAT", percentage: 25, inclusive: false },
    })
  ).id;
});

/** The routes of this area a viewer may not use: each one's permission is beyond the viewer's role. */
describe("who may use the forms", () => {
  const route = dashboardRouter(pageRoutes);
  it.each([
    ["GET", "/app/payment-links/new"],
    ["POST", "/app/payment-links/new"],
    ["GET", "/app/payment-links/plink_x/edit"],
    ["POST", "/app/payment-links/plink_x/edit"],
    ["GET", "/app/subscriptions/new"],
    ["POST", "/app/subscriptions/new"],
    ["GET", "/app/subscriptions/sub_x/change"],
    ["POST", "/app/subscriptions/sub_x/change/preview"],
    ["POST", "/app/subscriptions/sub_x/change/live-preview"],
    ["POST", "/app/subscriptions/sub_x/change"],
  ] as const)("%s %s: a member, not a viewer", (method, path) => {
    const matched = route(method, path);
    if (typeof matched !== "object") throw new Error(`No route for ${method} ${path}`);
    expect(can("member", matched.route.permission)).toBe(true);
    expect(can("viewer", matched.route.permission)).toBe(false);
  });
});

describe("the payment link editor", () => {
  const form = () => ({
    name: "Winter bundle",
    "lineItems.0.productId": products.socks,
    "lineItems.0.quantity": "2",
    "lineItems.0.adjustableQuantity.min": "1",
    "lineItems.0.adjustableQuantity.max": "5",
    "lineItems.2.productId": products.pattern,
    allowDiscountCodes: "true",
    collectBillingAddress: "true",
    "collectShippingAddress.allowedCountries": "us, ca",
    "customFields.1.label": "Sock size",
    "customFields.1.key": "size",
    "customFields.1.type": "dropdown",
    "customFields.1.options": "S, M , L",
    "customFields.1.optional": "true",
    maxRedemptions: "10",
    expiresAt: "2099-12-31",
    taxRateIds: vat,
    "afterCompletion.type": "message",
    "afterCompletion.message": "Thanks! Your socks ship on Monday.",
  });

  it("offers the merchant's products and tax rates; the index links to it for a member, not a viewer", async () => {
    const page = await pageBody(openPage(member(), "/app/payment-links/new"));
    expect(page).toContain(`<option value="${products.socks}">Wool socks — $12.00</option>`);
    expect(page).toContain(`<option value="${products.basic}">Basic — $31.00 per month</option>`);
    expect(page).not.toContain(products.theirs);
    expect(page).toContain(`value="${vat}"`);
    expect(page).toContain('name="customFields.2.type"');
    expect(await pageBody(openPage(member(), "/app/payment-links"))).toContain(
      'href="/app/payment-links/new"',
    );
    expect(await pageBody(openPage(signedIn(shop, "viewer"), "/app/payment-links"))).not.toContain(
      'href="/app/payment-links/new"',
    );
    await underBudget("/app/payment-links/new");
  });

  let linkId = "";
  it("a member creates a link that GET /v1/payment-links/{id} shows as typed; a double submit creates one", async () => {
    const before = await linkCount();
    const sent = { ...form(), once: unique() };
    const result = await post("/app/payment-links/new", sent);
    expect(await post("/app/payment-links/new", sent)).toEqual(result);
    expect(result).toMatchObject({
      kind: "redirect",
      notice: expect.stringContaining("Payment link created"),
    });
    linkId = idOf(result);
    expect(await linkCount()).toBe(before + 1);
    const link = await api(paymentLinksHandler, "GET /v1/payment-links/{id}", { id: linkId });
    expect(link).toMatchObject({
      name: "Winter bundle",
      currency: "USD",
      lineItems: [
        { productId: products.socks, quantity: 2, adjustableQuantity: { min: 1, max: 5 } },
        { productId: products.pattern, quantity: 1 },
      ],
      allowDiscountCodes: true,
      collectBillingAddress: true,
      collectPhone: false,
      collectShippingAddress: { allowedCountries: ["US", "CA"] },
      customFields: [
        { key: "size", label: "Sock size", type: "dropdown", options: ["S", "M", "L"], optional: true },
      ],
      maxRedemptions: 10,
      // The last day it sells, in the merchant's zone (UTC): it stops at that day's end.
      expiresAt: "2100-01-01T00:00:00.000Z",
      taxRateIds: [vat],
      afterCompletion: { type: "message", message: "Thanks! Your socks ship on Monday." },
      active: true,
    });
  });

  it("the link's page shares it: the URL and the embed snippet to copy, the QR code to download", async () => {
    const link = await api(paymentLinksHandler, "GET /v1/payment-links/{id}", { id: linkId });
    const page = await pageBody(openPage(member(), `/app/payment-links/${linkId}`));
    expect(page).toContain(`<input type="text" id="share-url" readonly value="${link.url}">`);
    expect(page).toContain('data-copy="share-url"');
    expect(page).toContain('data-copy="share-embed"');
    // The snippet as the API gives it, escaped once into the textarea.
    expect(page).toContain(`id="share-embed" readonly`);
    expect(page).toContain(`&lt;a href=&quot;${link.url}&quot;`);
    expect(page).toContain(`<img src="/app/payment-links/${linkId}/qr.svg"`);
    expect(page).toContain(`href="/app/payment-links/${linkId}/edit"`);
    expect(await pageBody(openPage(signedIn(shop, "viewer"), `/app/payment-links/${linkId}`))).not.toContain(
      `/app/payment-links/${linkId}/edit`,
    );
    const qr = await openPage(signedIn(shop, "viewer"), `/app/payment-links/${linkId}/qr.svg`);
    expect(qr).toMatchObject({ kind: "file", contentType: "image/svg+xml", body: qrSvg(link.url) });
    await underBudget(`/app/payment-links/${linkId}`);
  });

  it("a member edits the link: the form shows it as saved, and the API shows the change", async () => {
    const page = await pageBody(openPage(member(), `/app/payment-links/${linkId}/edit`));
    expect(page).toMatch(/name="name"[^>]* value="Winter bundle"/);
    expect(page).toMatch(/name="expiresAt"[^>]* value="2099-12-31"/);
    expect(page).toContain(`<option value="${products.pattern}" selected>`);
    expect(page).toMatch(/name="customFields.0.label"[^>]* value="Sock size"/);
    await underBudget(`/app/payment-links/${linkId}/edit`);

    const result = await post(`/app/payment-links/${linkId}/edit`, {
      ...form(),
      // The row left blank before is gone: the custom field now sits in row 0.
      "customFields.1.label": "",
      "customFields.1.key": "",
      "customFields.1.options": "",
      "customFields.0.label": "Sock size",
      "customFields.0.key": "size",
      "customFields.0.type": "dropdown",
      "customFields.0.options": "S, M, L",
      name: "Winter bundle 2",
      maxRedemptions: "",
      "afterCompletion.type": "",
      collectBillingAddress: "",
      active: "",
    });
    expect(result).toMatchObject({ kind: "redirect", location: `/app/payment-links/${linkId}` });
    const link = await api(paymentLinksHandler, "GET /v1/payment-links/{id}", { id: linkId });
    expect(link).toMatchObject({ name: "Winter bundle 2", collectBillingAddress: false, active: false });
    expect(link.expiresAt).toBe("2100-01-01T00:00:00.000Z");
    expect(link.maxRedemptions).toBeUndefined();
    expect(link.afterCompletion).toBeUndefined();
    expect(link.customFields).toEqual([
      { key: "size", label: "Sock size", type: "dropdown", options: ["S", "M", "L"], optional: false },
    ]);
  });

  it.each([
    ["another merchant's product, on row 2", { "lineItems.2.productId": "theirs" }, "lineItems.2.productId"],
    ["a quantity that is no number", { "lineItems.0.quantity": "two" }, "lineItems.0.quantity"],
    [
      "a range the wrong way round",
      { "lineItems.0.adjustableQuantity.min": "6" },
      "lineItems.0.adjustableQuantity.min",
    ],
    [
      "only one end of a range",
      { "lineItems.0.adjustableQuantity.max": "" },
      "lineItems.0.adjustableQuantity.max",
    ],
    [
      "no item",
      {
        "lineItems.0.productId": "",
        "lineItems.0.quantity": "",
        "lineItems.0.adjustableQuantity.min": "",
        "lineItems.0.adjustableQuantity.max": "",
        "lineItems.2.productId": "",
      },
      "lineItems",
    ],
    ["a dropdown without choices", { "customFields.1.options": "" }, "customFields.1.options"],
    [
      "a key used twice",
      { "customFields.2.label": "Size again", "customFields.2.key": "size", "customFields.2.type": "text" },
      "customFields.2.key",
    ],
    [
      "a page that is not https",
      { "afterCompletion.type": "redirect", "afterCompletion.url": "http://shop.test/thanks" },
      "afterCompletion.url",
    ],
    ["a last day in the past", { expiresAt: "2001-01-01" }, "expiresAt"],
    ["a last day that is no date", { expiresAt: "31/12/2099" }, "expiresAt"],
    ["a trial without a recurring item", { trialDays: "14" }, "trialDays"],
    ["a limit of 0", { maxRedemptions: "0" }, "maxRedemptions"],
  ])("refuses %s with a 400 naming the field, writing nothing", async (_, change, path) => {
    const before = await linkCount();
    const sent = { ...form(), ...change } as Record<string, string>;
    if (sent["lineItems.2.productId"] === "theirs") sent["lineItems.2.productId"] = products.theirs;
    const refused = post("/app/payment-links/new", sent);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({
      errors: expect.arrayContaining([expect.objectContaining({ path })]),
    });
    expect(await linkCount()).toBe(before);
  });

  it("another merchant's link is a 404 on every route", async () => {
    const theirs = await api(
      paymentLinksHandler,
      "POST /v1/payment-links",
      { body: { name: "Theirs", lineItems: [{ productId: products.theirs }] } },
      other,
    );
    for (const url of [`/app/payment-links/${theirs.id}/edit`, `/app/payment-links/${theirs.id}/qr.svg`])
      await expect(openPage(member(), url)).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      post(`/app/payment-links/${theirs.id}/edit`, { ...form(), active: "" }),
    ).rejects.toBeInstanceOf(NotFoundError);
    const still = await api(paymentLinksHandler, "GET /v1/payment-links/{id}", { id: theirs.id }, other);
    expect(still).toMatchObject({ name: "Theirs", active: true });
  });
});

describe("subscriptions: new, and changed after the proration preview", () => {
  const read = (id: string) => api(subscriptionsHandler, "GET /v1/subscriptions/{id}", { id });
  let subscriptionId = "";

  it("offers recurring products only; the index links to it for a member, not a viewer", async () => {
    const page = await pageBody(openPage(member(), "/app/subscriptions/new"));
    expect(page).toContain(`<option value="${products.basic}">Basic — $31.00 per month</option>`);
    expect(page).not.toContain(products.socks);
    expect(page).toContain(`<option value="${customerId}">Sam Sub (`);
    expect(await pageBody(openPage(member(), "/app/subscriptions"))).toContain(
      'href="/app/subscriptions/new"',
    );
    expect(await pageBody(openPage(signedIn(shop, "viewer"), "/app/subscriptions"))).not.toContain(
      'href="/app/subscriptions/new"',
    );
    await underBudget("/app/subscriptions/new");
  });

  it("a member creates a subscription of a product and an ad-hoc price, charged at once; a double submit creates one", async () => {
    const sent = {
      once: unique(),
      customerId,
      "items.0.productId": products.basic,
      "items.2.description": "Support",
      "items.2.unitAmount": "9.50",
      "items.2.quantity": "2",
      currency: "usd",
      collectionMethod: "charge_automatically",
      taxRateIds: vat,
    };
    const result = await post("/app/subscriptions/new", sent);
    expect(await post("/app/subscriptions/new", sent)).toEqual(result);
    subscriptionId = idOf(result);
    expect(result).toMatchObject({
      location: `/app/subscriptions/${subscriptionId}`,
      notice: "Subscription created: Active",
    });
    const subscription = await read(subscriptionId);
    expect(subscription).toMatchObject({
      status: "active",
      currency: "USD",
      interval: "month",
      taxRateIds: [vat],
    });
    expect(
      subscription.items.map((i: { description: string; unitAmount: number; quantity: number }) => [
        i.description,
        i.unitAmount,
        i.quantity,
      ]),
    ).toEqual([
      ["Basic", 3_100, 1],
      ["Support", 950, 2],
    ]);
    const list = await api(subscriptionsHandler, "GET /v1/subscriptions", {
      query: { customerId, limit: "100" },
    });
    expect(list.data).toHaveLength(1);
  });

  it.each([
    ["no customer", { customerId: "" }, "customerId"],
    ["a one-time product", { "items.0.productId": "socks" }, "items.0.productId"],
    ["an ad-hoc price without an amount, on row 3", { "items.3.description": "Extra" }, "items.3.unitAmount"],
    ["a price with a third decimal", { "items.2.unitAmount": "1.005" }, "items.2.unitAmount"],
    ["a quantity in hexadecimal", { "items.2.quantity": "0x10" }, "items.2.quantity"],
    ["an unknown currency with an ad-hoc price", { currency: "XYZ" }, "currency"],
    ["a start in the past", { startDate: "2001-01-01" }, "startDate"],
    ["trial days that are no number", { trialDays: "two weeks" }, "trialDays"],
    ["an unknown discount code", { "discounts.0.code": "NOPE" }, "discounts.0.code"],
  ])("refuses %s with a 400 naming the field, writing nothing", async (_, change, path) => {
    const before = (await api(subscriptionsHandler, "GET /v1/subscriptions", { query: { limit: "100" } }))
      .data.length;
    const sent = {
      customerId,
      "items.0.productId": products.basic,
      "items.2.description": "Support",
      "items.2.unitAmount": "9.50",
      currency: "USD",
      ...change,
    } as Record<string, string>;
    if (sent["items.0.productId"] === "socks") sent["items.0.productId"] = products.socks;
    const refused = post("/app/subscriptions/new", sent);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({
      errors: expect.arrayContaining([expect.objectContaining({ path })]),
    });
    expect(
      (await api(subscriptionsHandler, "GET /v1/subscriptions", { query: { limit: "100" } })).data.length,
    ).toBe(before);
  });

  /** The change: Basic → Pro, Support removed, invoiced at once. */
  const change = () => ({
    "items.0.productId": products.pro,
    "items.0.quantity": "1",
    "items.1.description": "Support",
    "items.1.unitAmount": "9.50",
    "items.1.quantity": "2",
    "items.1.remove": "true",
    prorationBehavior: "always_invoice",
  });

  it("the change page shows the items; its preview is the API's preview-change, and nothing changes before the confirm", async () => {
    const path = `/app/subscriptions/${subscriptionId}`;
    expect(await pageBody(openPage(member(), path))).toContain(`href="${path}/change"`);
    const page = await pageBody(openPage(member(), `${path}/change`));
    expect(page).toContain(`data-preview="${path}/change/live-preview"`);
    expect(page).toContain('id="change-preview" aria-live="polite"');
    expect(page).toMatch(/name="items.1.unitAmount"[^>]* value="9.50"/);
    expect(page).toContain(`<option value="${products.pro}">Pro — $62.00 per month</option>`);
    await underBudget(`${path}/change`);

    // What the API's preview-change answers for the same change, asked first.
    const itemId = (await read(subscriptionId)).items[0].id;
    const raw = await expectStatus(
      merchantCall(subscriptionsHandler, "POST /v1/subscriptions/{id}/preview-change", shop.secret, {
        id: subscriptionId,
        body: {
          items: [{ id: itemId, productId: products.pro, quantity: 1 }],
          prorationBehavior: "always_invoice",
        },
      }),
      200,
    );
    const [now] = raw.invoices;
    expect(now.billingReason).toBe("subscription_update");

    const fragment = await openPage(member(), `${path}/change/live-preview`, {
      form: { csrf: testCsrfToken, once: "", ...change() },
    });
    expect(fragment).toMatchObject({ kind: "fragment", status: 200 });
    const shown = fragment.kind === "fragment" ? fragment.body : "";
    const lines = now.lineItems as { description: string; proration?: true; amountTotal: number }[];
    expect(lines.filter((l) => l.proration)).toHaveLength(3);
    for (const line of lines) {
      expect(shown).toContain(line.description);
      expect(shown).toContain(formatMoney(line.amountTotal, "USD"));
    }
    expect(shown).toContain(formatMoney(now.amountDue, "USD"));
    expect(shown).toContain(`action="${path}/change"`);
    expect(shown).toContain('name="items.1.remove" value="true"');

    // Without the script: the form posted to the preview page, which shows the same and the form as sent.
    const previewPage = await pageBody(post(`${path}/change/preview`, change()));
    expect(previewPage).toContain("Confirm change");
    expect(previewPage).toMatch(/id="change-items.1.remove"[^>]* checked/);
    expect(await read(subscriptionId)).toMatchObject({
      items: [
        expect.objectContaining({ productId: products.basic }),
        expect.objectContaining({ description: "Support" }),
      ],
    });
  });

  it("a preview that the API refuses says why, with its status, and offers no confirm", async () => {
    const path = `/app/subscriptions/${subscriptionId}`;
    const fragment = await openPage(member(), `${path}/change/live-preview`, {
      form: { csrf: testCsrfToken, ...change(), "items.0.quantity": "-1" },
    });
    expect(fragment).toMatchObject({ kind: "fragment", status: 400 });
    const body = fragment.kind === "fragment" ? fragment.body : "";
    expect(body).toContain("items.0.quantity");
    expect(body).not.toContain("Confirm change");
    const page = await openPage(member(), `${path}/change/preview`, {
      form: { csrf: testCsrfToken, ...change(), "items.3.productId": products.socks },
    });
    expect(page).toMatchObject({ kind: "page", status: 400 });
    expect(page.kind === "page" ? page.body : "").toContain("items.3.productId");
  });

  it("the confirm applies the change through the API's use case: GET /v1/subscriptions/{id} shows it", async () => {
    const path = `/app/subscriptions/${subscriptionId}`;
    const result = await post(`${path}/change`, change());
    expect(result).toMatchObject({ kind: "redirect", location: path, notice: "Subscription changed" });
    const subscription = await read(subscriptionId);
    expect(subscription.items).toHaveLength(1);
    expect(subscription.items[0]).toMatchObject({
      productId: products.pro,
      description: "Pro",
      unitAmount: 6_200,
    });
    expect(subscription.latestInvoiceId).not.toBeNull();
  });

  it("another merchant's subscription is a 404, and a viewer's subscription page has no change link", async () => {
    const theirCustomer = await api(
      customersHandler,
      "POST /v1/customers",
      { body: { email: `o-${unique()}@dash.test` } },
      other,
    );
    const theirs = await api(
      subscriptionsHandler,
      "POST /v1/subscriptions",
      {
        body: {
          customerId: theirCustomer.id,
          items: [{ description: "Theirs", unitAmount: 100 }],
          currency: "USD",
          interval: "month",
          collectionMethod: "send_invoice",
        },
      },
      other,
    );
    await expect(openPage(member(), `/app/subscriptions/${theirs.id}/change`)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      post(`/app/subscriptions/${theirs.id}/change`, { "items.0.quantity": "2" }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      openPage(member(), `/app/subscriptions/${theirs.id}/change/live-preview`, {
        form: { csrf: testCsrfToken },
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(
      await pageBody(openPage(signedIn(shop, "viewer"), `/app/subscriptions/${subscriptionId}`)),
    ).not.toContain("/change");
  });
});
