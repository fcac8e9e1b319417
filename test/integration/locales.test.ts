/**
 * Issue 18's locale fields against DynamoDB Local, through the handlers: a merchant created with a
 * locale (else en-US) and its PATCH, a customer's create, patch and null (the merchant's again),
 * tags stored canonical (`nb-no` → `nb-NO`), a malformed or unformattable tag refused with a
 * problem document naming `locale` and nothing written, an invoice snapshotting its customer's
 * locale (and keeping it when the customer changes theirs), and another merchant's key meeting a
 * 404 on the customer.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as settingsHandler } from "../../functions/api/merchant-settings.ts";
import { handler as merchantsHandler } from "../../functions/api/merchants.ts";
import {
  type ApiResult,
  call,
  expectStatus,
  type Handler,
  merchantCall,
  newMerchant,
  type TestMerchant,
} from "../helpers/api.ts";
import { adminToken, type TestAws, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
let shop: TestMerchant;

const unique = () => Math.random().toString(36).slice(2, 10);
const createMerchant = (body: object) =>
  call(merchantsHandler as Handler, "POST /v1/merchants", { token: adminToken, body });
const settings = (m: TestMerchant) =>
  expectStatus(merchantCall(settingsHandler, "GET /v1/merchant", m.secret));
const patchSettings = (m: TestMerchant, body: object) =>
  merchantCall(settingsHandler, "PATCH /v1/merchant", m.secret, { body });
const createCustomer = (body: object, m: TestMerchant = shop) =>
  merchantCall(customersHandler, "POST /v1/customers", m.secret, {
    body: { email: `buyer-${unique()}@locales.test`, name: "Kari Nordmann", ...body },
  });
const patchCustomer = (id: string, body: object, m: TestMerchant = shop) =>
  merchantCall(customersHandler, "PATCH /v1/customers/{id}", m.secret, { id, body });
const getCustomer = (id: string) =>
  expectStatus(merchantCall(customersHandler, "GET /v1/customers/{id}", shop.secret, { id }));
const createInvoice = (customerId: string) =>
  expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices", shop.secret, {
      body: {
        customerId,
        currency: "NOK",
        lineItems: [{ description: "Kaffebønner 1 kg", quantity: 3, unitAmount: 140625 }],
      },
    }),
    201,
  );

/** A 400 problem document whose only error names `locale`, and a table no request wrote to. */
async function expectLocaleRefused(request: () => Promise<ApiResult>) {
  const before = await aws.countItems();
  const r = await request();
  expect(r.status, r.raw).toBe(400);
  expect(r.headers["content-type"]).toBe("application/problem+json");
  expect(r.body.errors).toEqual([
    { path: "locale", message: "must be a BCP 47 locale such as en-US or nb-NO" },
  ]);
  expect(await aws.countItems()).toBe(before);
}

beforeAll(async () => {
  aws = await useTestAws([]);
  shop = await newMerchant("Fjord Kaffe AS");
});

describe("the merchant's locale", () => {
  it("is en-US when created without one, and canonical when created with one", async () => {
    expect(shop.merchant.locale).toBe("en-US");
    expect((await settings(shop)).locale).toBe("en-US");

    const created = await expectStatus(
      createMerchant({ name: "Oslo Bakeri", email: `owner-${unique()}@locales.test`, locale: "nb-no" }),
      201,
    );
    expect(created.merchant.locale).toBe("nb-NO");
  });

  it("changes by PATCH /v1/merchant, canonical, and shows on the next read", async () => {
    const m = await newMerchant("Patch Kaffe");
    expect((await expectStatus(patchSettings(m, { locale: "nb-no" }))).locale).toBe("nb-NO");
    expect((await settings(m)).locale).toBe("nb-NO");
    expect((await expectStatus(patchSettings(m, { locale: "de-ch" }))).locale).toBe("de-CH");
    expect((await settings(m)).locale).toBe("de-CH");
  });

  it.each(["en_US", "zz-ZZ", ""])(
    "refuses %j on create and on PATCH, naming locale and writing nothing",
    async (tag) => {
      const email = `owner-${unique()}@locales.test`;
      await expectLocaleRefused(() => createMerchant({ name: "Bad Locale", email, locale: tag }));
      const m = await newMerchant("Bad Patch Kaffe");
      await expectLocaleRefused(() => patchSettings(m, { locale: tag }));
      expect((await settings(m)).locale).toBe("en-US");
    },
  );
});

describe("the customer's locale", () => {
  it("is null without one (the merchant's), canonical with one, and changes and clears by PATCH", async () => {
    const plain = await expectStatus(createCustomer({}), 201);
    expect(plain.locale).toBeNull();

    const norwegian = await expectStatus(createCustomer({ locale: "nb-no" }), 201);
    expect(norwegian.locale).toBe("nb-NO");
    expect((await getCustomer(norwegian.id)).locale).toBe("nb-NO");

    expect((await expectStatus(patchCustomer(norwegian.id, { locale: "EN-gb" }))).locale).toBe("en-GB");
    expect((await getCustomer(norwegian.id)).locale).toBe("en-GB");
    expect((await expectStatus(patchCustomer(norwegian.id, { locale: null }))).locale).toBeNull();
    expect((await getCustomer(norwegian.id)).locale).toBeNull();
  });

  it.each(["en_US", "zz-ZZ"])(
    "refuses %j on create and on PATCH, naming locale and writing nothing",
    async (tag) => {
      await expectLocaleRefused(() => createCustomer({ locale: tag }));
      const customer = await expectStatus(createCustomer({ locale: "nb-NO" }), 201);
      await expectLocaleRefused(() => patchCustomer(customer.id, { locale: tag }));
      expect(await getCustomer(customer.id)).toEqual(customer);
    },
  );

  it("is not another merchant's to read or change", async () => {
    const customer = await expectStatus(createCustomer({ locale: "nb-NO" }), 201);
    const stranger = await newMerchant("Annen Kaffe");
    const before = await aws.countItems();
    const r = await patchCustomer(customer.id, { locale: "en-US" }, stranger);
    expect(r.status, r.raw).toBe(404);
    expect(await aws.countItems()).toBe(before);
    expect((await getCustomer(customer.id)).locale).toBe("nb-NO");
  });
});

describe("an invoice's billed customer", () => {
  it("carries the customer's locale when it had one, and keeps it when the customer changes theirs", async () => {
    const customer = await expectStatus(createCustomer({ locale: "nb-no" }), 201);
    const invoice = await createInvoice(customer.id);
    expect(invoice.total).toBe(421875);
    expect(invoice.customer).toMatchObject({ id: customer.id, locale: "nb-NO" });

    const finalized = await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", shop.secret, { id: invoice.id }),
    );
    await expectStatus(patchCustomer(customer.id, { locale: "en-US" }));
    const read = await expectStatus(
      merchantCall(invoicesHandler, "GET /v1/invoices/{id}", shop.secret, { id: invoice.id }),
    );
    expect(read.customer.locale).toBe("nb-NO");
    expect(read.customer).toEqual(finalized.customer);
  });

  it("carries no locale for a customer without one: the merchant's is read when rendered", async () => {
    const customer = await expectStatus(createCustomer({}), 201);
    const invoice = await createInvoice(customer.id);
    expect(invoice.customer.id).toBe(customer.id);
    expect(invoice.customer).not.toHaveProperty("locale");
  });
});
