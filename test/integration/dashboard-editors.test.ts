/**
 * The invoice and quote editors against DynamoDB Local, read back through the API: the live preview's
 * totals (products, taxes, line and document discounts with a code, fees, a payment plan) are what the
 * saved document shows in `GET /v1/…/{id}`, and a preview writes nothing; a draft's edit saves through
 * the update use case and "Save and finalize/publish" takes the next step; a bad field is a 400 naming
 * the form's field (its row, not the body's index) and writes nothing; a viewer may not use the
 * editors; another merchant's draft is a 404; every editor page stays under the 150 KB first load.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as discountCodesHandler } from "../../functions/api/discount-codes.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as productsHandler } from "../../functions/api/products.ts";
import { handler as quotesHandler } from "../../functions/api/quotes.ts";
import { handler as taxRatesHandler } from "../../functions/api/tax-rates.ts";
import { merchantPorts } from "../../shared/composition.ts";
import { allPageRoutes } from "../../shared/dashboard/pages/index.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { NotFoundError, StateConflictError, ValidationError } from "../../shared/domain/errors.ts";
import { formatMoney } from "../../shared/domain/format.ts";
import { getMerchant } from "../../shared/merchants/service.ts";
import { can } from "../../shared/users/roles.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { useTestAws } from "../helpers/aws.ts";
import { firstLoadBytes, openPage, pageBody, signedIn, testCsrfToken } from "../helpers/dashboard-pages.ts";

const pageRoutes = await allPageRoutes();

let shop: TestMerchant;
let customerId: string;
let productId: string;
let taxRateId: string;
let code: string;

const unique = () => randomUUID().slice(0, 8);
const api = (handler: unknown, routeKey: string, options: Parameters<typeof merchantCall>[3] = {}) =>
  expectStatus(
    merchantCall(handler, routeKey, shop.secret, options),
    routeKey.startsWith("POST") ? 201 : 200,
  );
const count = async (handler: unknown, path: string) =>
  (await api(handler, `GET ${path}`, { query: { limit: "100" } })).data.length as number;
const member = () => signedIn(shop, "member");
const post = (path: string, form: Record<string, string>) =>
  openPage(member(), path, { form: { csrf: testCsrfToken, once: unique(), ...form } });
const idOf = (result: Awaited<ReturnType<typeof post>>) =>
  result.kind === "redirect" ? (result.location.split("/").at(-1) ?? "") : "";
/** A fragment's body; anything else fails with what came instead. */
const fragment = async (result: ReturnType<typeof post>) => {
  const r = await result;
  if (r.kind !== "fragment") throw new Error(`Expected a fragment, got ${JSON.stringify(r).slice(0, 300)}`);
  return r;
};
/** The figure the totals fragment shows as the total. */
const shownTotal = (body: string) => /<strong data-total>([^<]+)<\/strong>/.exec(body)?.[1];

/** A document with every kind of content the editors offer, as the form spells it. */
const richContent = () => ({
  customerId,
  currency: "USD",
  "lineItems.0.productId": productId,
  "lineItems.0.quantity": "3",
  "lineItems.0.taxRateIds": taxRateId,
  "lineItems.2.description": "Setup",
  "lineItems.2.unitAmount": "100",
  "lineItems.2.discount": "10%",
  "discounts.0.kind": "code",
  "discounts.0.value": code.toLowerCase(),
  "discounts.1.kind": "amount",
  "discounts.1.value": "",
  "fees.0.description": "Handling",
  "fees.0.amount": "2.50",
  "fees.0.taxable": "on",
});

beforeAll(async () => {
  await useTestAws([]);
  shop = await newMerchant("Dash Editors");
  customerId = (
    await api(customersHandler, "POST /v1/customers", {
      body: { email: `buyer-${unique()}@editors.test`, name: "Edda Buyer" },
    })
  ).id;
  productId = (
    await api(productsHandler, "POST /v1/products", {
      body: { name: "Widget", unitAmount: 1500, currency: "USD" },
    })
  ).id;
  taxRateId = (
    await api(taxRatesHandler, "POST /v1/tax-rates", {
      body: { name: "VAT", percentage: 19, inclusive: false },
    })
  ).id;
  code = `SAVE${unique()}`.toUpperCase();
  await api(discountCodesHandler, "POST /v1/discount-codes", {
    body: { code, percentOff: 5, duration: "once" },
  });
});

describe("the invoice editor", () => {
  it("offers the products, tax rates and terms; previews totals equal to the saved draft's; a preview writes nothing", async () => {
    const page = await pageBody(openPage(member(), "/app/invoices/new"));
    expect(page).toContain(`<option value="${productId}">Widget — $15.00</option>`);
    expect(page).toContain(`value="${taxRateId}"`);
    expect(page).toContain('data-preview="/app/invoices/preview" data-preview-into="totals"');
    expect(page).toContain('id="totals" aria-live="polite"');

    const before = await count(invoicesHandler, "/v1/invoices");
    const preview = await fragment(post("/app/invoices/preview", richContent()));
    expect(await count(invoicesHandler, "/v1/invoices")).toBe(before);

    const saved = await post("/app/invoices/new", {
      ...richContent(),
      memo: "Thanks",
      dueDate: "2031-01-31",
    });
    const invoice = await api(invoicesHandler, "GET /v1/invoices/{id}", { id: idOf(saved) });
    expect(invoice).toMatchObject({ status: "draft", memo: "Thanks", dueDate: "2031-01-31" });
    expect(invoice.lineItems.map((l: { description: string }) => l.description)).toEqual(["Widget", "Setup"]);
    expect(invoice.lineItems[1].discount).toEqual({ percentOff: 10 });
    expect(invoice.discounts).toEqual([expect.objectContaining({ code, percentOff: 5 })]);
    expect(invoice.fees).toEqual([expect.objectContaining({ amount: 250, taxable: true })]);
    expect(invoice.taxTotal).toBeGreaterThan(0);
    expect(shownTotal(preview.body)).toBe(formatMoney(invoice.total, "USD"));
    for (const figure of [invoice.subtotal, invoice.taxTotal, invoice.feeTotal])
      expect(preview.body).toContain(formatMoney(figure, "USD"));
  });

  it("edits a draft through the update use case, then saves and finalizes it", async () => {
    const id = idOf(await post("/app/invoices/new", richContent()));
    const page = await pageBody(openPage(member(), `/app/invoices/${id}/edit`));
    expect(page).toMatch(/name="lineItems.1.description"[^>]* value="Setup"/);
    expect(page).toMatch(/name="lineItems.1.discount"[^>]* value="10%"/);
    expect(page).toMatch(/name="discounts.0.kind"[^>]*><option value="code" selected>/);
    expect(page).toContain(`value="${code}"`);
    expect(page).toContain(`<strong data-total>`);
    const detail = await pageBody(openPage(member(), `/app/invoices/${id}`));
    expect(detail).toContain(`href="/app/invoices/${id}/edit"`);

    const edited = await post(`/app/invoices/${id}/edit`, {
      customerId,
      currency: "USD",
      "lineItems.0.description": "Consulting",
      "lineItems.0.quantity": "2",
      "lineItems.0.unitAmount": "80",
      paymentTerms: "net_30",
      step: "next",
    });
    expect(edited).toMatchObject({ kind: "redirect", location: `/app/invoices/${id}` });
    const invoice = await api(invoicesHandler, "GET /v1/invoices/{id}", { id });
    expect(invoice).toMatchObject({
      status: "open",
      total: 16000,
      paymentTerms: "net_30",
      discounts: [],
      fees: [],
    });
    expect(invoice.number).toMatch(/-0001$/);
    await expect(pageBody(openPage(member(), `/app/invoices/${id}/edit`))).rejects.toBeInstanceOf(
      StateConflictError,
    );
  });

  it.each([
    [
      "an unknown discount code, on its row",
      { "discounts.1.kind": "code", "discounts.1.value": "NOPE-123" },
      "discounts.1.value",
    ],
    [
      "another merchant's product id, on its row",
      { "lineItems.3.productId": "prod_01JAAAAAAAAAAAAAAAAAAAAAAA" },
      "lineItems.3.productId",
    ],
    ["a fee without a description", { "fees.0.description": "" }, "fees.0.description"],
    ["a line discount that is no amount", { "lineItems.2.discount": "lots" }, "lineItems.2.discount"],
    ["payment terms and a due date", { paymentTerms: "net_15", dueDate: "2031-01-01" }, "dueDate"],
  ])(
    "refuses %s with a 400 naming the form's field, writing nothing (preview too)",
    async (_, change, path) => {
      const before = await count(invoicesHandler, "/v1/invoices");
      const form = { ...richContent(), ...change };
      const refused = post("/app/invoices/new", form);
      await expect(refused).rejects.toBeInstanceOf(ValidationError);
      await expect(refused).rejects.toMatchObject({
        errors: expect.arrayContaining([expect.objectContaining({ path })]),
      });
      const preview = await fragment(post("/app/invoices/preview", form));
      expect(preview.status).toBe(400);
      expect(preview.body).toContain(path);
      expect(await count(invoicesHandler, "/v1/invoices")).toBe(before);
    },
  );

  it("answers another merchant's draft with a 404", async () => {
    const other = await newMerchant("Other Editors");
    await expect(
      pageBody(
        openPage(
          signedIn(other, "member"),
          `/app/invoices/${idOf(await post("/app/invoices/new", richContent()))}/edit`,
        ),
      ),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe("the quote editor", () => {
  const planned = () => ({
    ...richContent(),
    title: "Shop fit-out",
    terms: "Net 30",
    requireSignature: "on",
    collectPayment: "on",
    "countersigners.0.name": "Sam Seller",
    "countersigners.0.email": `sam-${unique()}@editors.test`,
    "paymentPlan.collection": "send_invoice",
    "paymentPlan.installments.0.share": "40%",
    "paymentPlan.installments.0.dueAfterDays": "0",
    "paymentPlan.installments.1.share": "30%",
    "paymentPlan.installments.1.dueAfterDays": "30",
    "paymentPlan.installments.2.share": "30%",
    "paymentPlan.installments.2.dueAfterDays": "60",
  });

  it("previews the totals and installments the API then shows; saves and publishes with a 3-installment plan", async () => {
    const page = await pageBody(openPage(member(), "/app/quotes/new"));
    expect(page).toContain('data-preview="/app/quotes/preview"');
    expect(page).toContain('name="paymentPlan.installments.3.share"');
    const index = await pageBody(openPage(member(), "/app/quotes"));
    expect(index).toContain('href="/app/quotes/new"');

    const before = await count(quotesHandler, "/v1/quotes");
    const preview = await fragment(post("/app/quotes/preview", planned()));
    expect(await count(quotesHandler, "/v1/quotes")).toBe(before);

    const saved = await post("/app/quotes/new", { ...planned(), expiresOn: "2040-06-30", step: "next" });
    const quote = await api(quotesHandler, "GET /v1/quotes/{id}", { id: idOf(saved) });
    expect(quote).toMatchObject({ status: "open", title: "Shop fit-out", requireSignature: true });
    expect(quote.countersigners).toHaveLength(1);
    expect(quote.paymentPlan.installments.map((i: { percent: number }) => i.percent)).toEqual([40, 30, 30]);
    expect(shownTotal(preview.body)).toBe(formatMoney(quote.total, "USD"));
    const installments = [...preview.body.matchAll(/<span data-installment><span class="num">([^<]+)</g)].map(
      (m) => m[1],
    );
    expect(installments).toEqual(
      quote.paymentPlan.installments.map((i: { amount: number }) => formatMoney(i.amount, "USD")),
    );
    expect(quote.expiresAt.slice(0, 10)).toBe("2040-07-01");
  });

  it("edits a draft (clearing its plan) through the update use case", async () => {
    const id = idOf(await post("/app/quotes/new", planned()));
    const page = await pageBody(openPage(member(), `/app/quotes/${id}/edit`));
    expect(page).toMatch(/name="paymentPlan.installments.2.share"[^>]* value="30%"/);
    expect(await pageBody(openPage(member(), `/app/quotes/${id}`))).toContain(
      `href="/app/quotes/${id}/edit"`,
    );
    await post(`/app/quotes/${id}/edit`, {
      customerId,
      currency: "USD",
      "lineItems.0.description": "Design",
      "lineItems.0.unitAmount": "500",
      collectPayment: "on",
    });
    const quote = await api(quotesHandler, "GET /v1/quotes/{id}", { id });
    expect(quote).toMatchObject({
      status: "draft",
      total: 50000,
      requireSignature: false,
      countersigners: [],
    });
    expect(quote.paymentPlan).toBeUndefined();
    expect(quote.title).toBeUndefined();
  });

  it.each([
    [
      "installments that do not make 100%",
      { "paymentPlan.installments.2.share": "20%" },
      /^paymentPlan\.installments\.\d\.share$|^paymentPlan\.installments$/,
    ],
    ["a countersigner without an email", { "countersigners.0.email": "" }, /^countersigners\.0\.email$/],
    ["an expiry that has passed", { expiresOn: "2001-01-01" }, /^expiresOn$/],
  ])("refuses %s with a 400 naming the form's field, writing nothing", async (_, change, path) => {
    const before = await count(quotesHandler, "/v1/quotes");
    const refused = post("/app/quotes/new", { ...planned(), ...change });
    await expect(refused).rejects.toMatchObject({
      errors: expect.arrayContaining([expect.objectContaining({ path: expect.stringMatching(path) })]),
    });
    expect(await count(quotesHandler, "/v1/quotes")).toBe(before);
  });
});

describe("every editor", () => {
  const pages = async () => {
    const invoice = idOf(await post("/app/invoices/new", richContent()));
    const quote = idOf(await post("/app/quotes/new", richContent()));
    return [
      "/app/invoices/new",
      `/app/invoices/${invoice}/edit`,
      "/app/quotes/new",
      `/app/quotes/${quote}/edit`,
    ];
  };

  it("keeps the first load (page in the shell, stylesheet, script; brotli) under 150 KB", async () => {
    const merchant = await getMerchant(merchantPorts(systemClock), shop.id);
    for (const path of await pages())
      expect(firstLoadBytes(await openPage(member(), path), member(), merchant)).toBeLessThan(150 * 1024);
  });

  it("is closed to a viewer: every editor route needs a permission a viewer lacks", () => {
    const editors = pageRoutes.filter((r) =>
      /^\/app\/(invoices|quotes)\/(new|preview|\{id\}\/edit)$/.test(r.path),
    );
    expect(editors).toHaveLength(10);
    for (const route of editors) {
      expect(can("viewer", route.permission)).toBe(false);
      expect(can("member", route.permission)).toBe(true);
    }
  });
});
