/**
 * A new invoice from the dashboard's form against DynamoDB Local, read back through `GET /v1/invoices`:
 * a member creates a draft for a customer of theirs or a new one (amounts typed in major units are
 * the API's minor units, lines and totals as the API computes them); a double submit creates one; a bad
 * quantity or amount is a 400 naming the form's field and writes nothing; a viewer sees no "New
 * invoice" link.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { ValidationError } from "../../shared/domain/errors.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { useTestAws } from "../helpers/aws.ts";
import { merchantPorts } from "../../shared/composition.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { getMerchant } from "../../shared/merchants/service.ts";
import { firstLoadBytes, openPage, pageBody, signedIn, testCsrfToken } from "../helpers/dashboard-pages.ts";

let shop: TestMerchant;
let customerId: string;

const unique = () => randomUUID().slice(0, 8);
const api = (handler: unknown, routeKey: string, options: Parameters<typeof merchantCall>[3] = {}) =>
  expectStatus(
    merchantCall(handler, routeKey, shop.secret, options),
    routeKey.startsWith("POST") ? 201 : 200,
  );
const invoiceCount = async () =>
  (await api(invoicesHandler, "GET /v1/invoices", { query: { limit: "100" } })).data.length as number;
const customerCount = async () =>
  (await api(customersHandler, "GET /v1/customers", { query: { limit: "100" } })).data.length as number;
const create = (form: Record<string, string>) =>
  openPage(signedIn(shop, "member"), "/app/invoices/new", {
    form: { csrf: testCsrfToken, once: unique(), currency: "USD", paymentTerms: "", ...form },
  });

beforeAll(async () => {
  await useTestAws([]);
  shop = await newMerchant("Dash Forms");
  customerId = (
    await api(customersHandler, "POST /v1/customers", {
      body: { email: `buyer-${unique()}@dash.test`, name: "Dana Buyer" },
    })
  ).id;
});

describe("the new invoice page", () => {
  it("offers the merchant's customers and its default currency; the invoices page links to it for a member, not a viewer", async () => {
    const page = await pageBody(openPage(signedIn(shop, "member"), "/app/invoices/new"));
    expect(page).toContain(`<option value="${customerId}">Dana Buyer (`);
    expect(page).toMatch(/name="currency"[^>]* value="USD"/);
    expect(page).toContain('name="lineItems.4.unitAmount"');
    expect(page).toContain('<option value="net_30">Net 30</option>');
    const index = await pageBody(openPage(signedIn(shop, "member"), "/app/invoices"));
    expect(index).toContain('href="/app/invoices/new"');
    const viewer = await pageBody(openPage(signedIn(shop, "viewer"), "/app/invoices"));
    expect(viewer).not.toContain('href="/app/invoices/new"');
  });

  it("keeps the first load (page in the shell, stylesheet, script; brotli) under 150 KB", async () => {
    const user = signedIn(shop, "member");
    const merchant = await getMerchant(merchantPorts(systemClock), shop.id);
    expect(firstLoadBytes(await openPage(user, "/app/invoices/new"), user, merchant)).toBeLessThan(
      150 * 1024,
    );
  });

  it("a member creates a draft whose lines and totals are what GET /v1/invoices/{id} shows; a double submit creates one", async () => {
    const form = {
      once: unique(),
      customerId,
      paymentTerms: "net_15",
      "lineItems.0.description": "Espresso beans",
      "lineItems.0.quantity": "2",
      "lineItems.0.unitAmount": "12.50",
      "lineItems.2.description": "Grinder service",
      "lineItems.2.unitAmount": "40",
    };
    const before = await invoiceCount();

    const result = await create(form);
    expect(await create(form)).toEqual(result);

    expect(result).toMatchObject({
      kind: "redirect",
      notice: expect.stringContaining("Draft invoice created"),
    });
    const id = result.kind === "redirect" ? (result.location.split("/").at(-1) ?? "") : "";
    expect(result).toMatchObject({ location: `/app/invoices/${id}` });
    expect(await invoiceCount()).toBe(before + 1);
    const invoice = await api(invoicesHandler, "GET /v1/invoices/{id}", { id });
    expect(invoice).toMatchObject({ status: "draft", customerId, currency: "USD", paymentTerms: "net_15" });
    expect(
      invoice.lineItems.map(
        (l: { description: string; quantity: number; unitAmount: number; amountTotal: number }) => [
          l.description,
          l.quantity,
          l.unitAmount,
          l.amountTotal,
        ],
      ),
    ).toEqual([
      ["Espresso beans", 2, 1250, 2500],
      ["Grinder service", 1, 4000, 4000],
    ]);
    expect([invoice.subtotal, invoice.total]).toEqual([6500, 6500]);
    const page = await pageBody(openPage(signedIn(shop, "member"), `/app/invoices/${id}`));
    expect(page).toContain("$65.00");
  });

  it("creates a new customer from an email with the invoice", async () => {
    const email = `new-${unique()}@dash.test`;
    const result = await create({
      customerEmail: email,
      "lineItems.0.description": "Tasting",
      "lineItems.0.unitAmount": "5",
    });
    const id = result.kind === "redirect" ? (result.location.split("/").at(-1) ?? "") : "";
    const invoice = await api(invoicesHandler, "GET /v1/invoices/{id}", { id });
    expect(invoice.customer.email).toBe(email);
    expect(invoice.total).toBe(500);
  });

  it.each([
    ["a quantity that is no number", { "lineItems.0.quantity": "two" }, "lineItems.0.quantity"],
    ["a negative quantity", { "lineItems.0.quantity": "-1" }, "lineItems.0.quantity"],
    ["a quantity in hexadecimal", { "lineItems.0.quantity": "0x10" }, "lineItems.0.quantity"],
    ["a quantity too large", { "lineItems.0.quantity": "1000000001" }, "lineItems.0.quantity"],
    ["a third decimal in USD", { "lineItems.0.unitAmount": "1.234" }, "lineItems.0.unitAmount"],
    [
      "a bad quantity on a later row",
      {
        "lineItems.3.description": "More",
        "lineItems.3.unitAmount": "1",
        "lineItems.3.quantity": "0.123456",
      },
      "lineItems.3.quantity",
    ],
    ["no customer", { customerId: "" }, "customerId"],
    ["an unknown currency", { currency: "XYZ" }, "currency"],
  ])("refuses %s with a 400 naming the field, writing nothing", async (_, change, path) => {
    const [invoices, customers] = [await invoiceCount(), await customerCount()];
    const refused = create({
      customerEmail: "",
      customerId,
      "lineItems.0.description": "Espresso beans",
      "lineItems.0.unitAmount": "12.50",
      ...change,
      ...(path === "customerId" ? { customerEmail: "" } : {}),
    });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({
      errors: expect.arrayContaining([expect.objectContaining({ path })]),
    });
    expect([await invoiceCount(), await customerCount()]).toEqual([invoices, customers]);
  });

  it("refuses another merchant's customer as the API does (400 naming customerId), writing nothing", async () => {
    const other = await newMerchant("Other Forms");
    const theirs = await expectStatus(
      merchantCall(customersHandler, "POST /v1/customers", other.secret, {
        body: { email: `theirs-${unique()}@dash.test` },
      }),
      201,
    );
    const invoices = await invoiceCount();
    const refused = create({
      customerId: theirs.id,
      "lineItems.0.description": "Espresso beans",
      "lineItems.0.unitAmount": "12.50",
    });
    await expect(refused).rejects.toMatchObject({
      errors: [
        expect.objectContaining({ path: "customerId", message: expect.stringContaining("not one of") }),
      ],
    });
    expect(await invoiceCount()).toBe(invoices);
  });

  it("a bad line with a new customer's email creates no customer either", async () => {
    const customers = await customerCount();
    const refused = create({
      customerEmail: `never-${unique()}@dash.test`,
      "lineItems.0.description": "Espresso beans",
      "lineItems.0.quantity": "0",
      "lineItems.0.unitAmount": "12.50",
    });
    await expect(refused).rejects.toMatchObject({
      errors: [expect.objectContaining({ path: "lineItems.0.quantity" })],
    });
    expect(await customerCount()).toBe(customers);
  });
});
