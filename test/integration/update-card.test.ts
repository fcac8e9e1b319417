/**
 * The buyer's update-card page against DynamoDB Local, through its handler: the per-customer link
 * (unguessable, a week long on the customer's clock, then a 410 page), the page (merchant branding,
 * TEST MODE, the card on file), saving a new card as the default in the sandbox (declines save
 * nothing), and unknown tokens. Stripe: the Checkout session in setup mode against the loopback
 * fake, and its completion attaching the card.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as paymentMethodsHandler } from "../../functions/api/payment-methods.ts";
import { handler as hostedInvoiceHandler } from "../../functions/hosted/invoice.ts";
import { handler as pageHandler } from "../../functions/hosted/update-card.ts";
import { updateCardLinkPorts } from "../../shared/composition.ts";
import { updateCardLink } from "../../shared/customers/update-card.ts";
import { fixedClock, systemClock } from "../../shared/domain/clock.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { keys } from "../../shared/store/keys.ts";
import { dynamoPaymentMethodStore } from "../../shared/store/payment-methods.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
let shop: TestMerchant;

const day = 86_400_000;

async function newCustomer(m: TestMerchant = shop): Promise<string> {
  const body = { email: `card-${randomUUID().slice(0, 8)}@update.test`, name: "Uma" };
  return (await expectStatus(merchantCall(customersHandler, "POST /v1/customers", m.secret, { body }), 201)).id;
}
const getCustomer = (id: string, m: TestMerchant = shop) =>
  expectStatus(merchantCall(customersHandler, "GET /v1/customers/{id}", m.secret, { id }));
const attach = (customerId: string, paymentMethod: string) =>
  expectStatus(
    call(paymentMethodsHandler as never, "POST /v1/customers/{id}/payment-methods", {
      token: shop.secret,
      pathParameters: { id: customerId },
      body: { paymentMethod },
    }),
    201,
  );
const methodsOf = async (customerId: string) =>
  (await dynamoPaymentMethodStore.listOfCustomer(shop.id, customerId, { limit: 100 })).items;

/** Every item but the declined-cards window's counters, which a decline moves by design. */
const itemsBesidesLimits = async () => (await aws.scanAll()).filter((i) => !String(i.PK).startsWith("RATE#")).length;

const link = (customerId: string, m: TestMerchant = shop, clock = systemClock) =>
  updateCardLink(updateCardLinkPorts(clock), m.id, customerId);
const tokenOf = (url: string) => /\/c\/([A-Za-z0-9_-]{32})\/payment-method$/.exec(url)?.[1] ?? "";

const page = (token: string, query?: Record<string, string>) =>
  call(pageHandler as never, "GET /c/{token}/payment-method", {
    pathParameters: { token },
    ...(query ? { query } : {}),
  });
const post = (token: string, form: Record<string, string>) =>
  call(pageHandler as never, "POST /c/{token}/payment-method", {
    pathParameters: { token },
    body: new URLSearchParams(form).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
const formTokenIn = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1] ?? "";
/** Posts the page's own form with `card`. */
const submit = async (token: string, card: string) =>
  post(token, { formToken: formTokenIn((await page(token)).raw), card });

beforeAll(async () => {
  aws = await useTestAws(["stripe-events", "billing"]);
  shop = await newMerchant("Card Shop");
});

describe("the update-card link", () => {
  it("is an unguessable token per call, kept for a week with the table's TTL", async () => {
    const customerId = await newCustomer();
    const now = new Date();
    const first = await link(customerId, shop, fixedClock(now));
    const second = await link(customerId, shop, fixedClock(now));

    expect(first).toMatch(/^https?:\/\/[^/]+\/c\/[A-Za-z0-9_-]{32}\/payment-method$/);
    expect(second).not.toBe(first);
    const item = (await aws.scanAll()).find((i) => i.PK === keys.hostedPage(tokenOf(first)).PK);
    expect(item).toMatchObject({
      kind: "updateCard",
      merchantId: shop.id,
      customerId,
      validUntil: new Date(now.getTime() + 7 * day).toISOString(),
      expiresAt: Math.ceil((now.getTime() + 7 * day) / 1000),
    });
  });

  it("refuses a customer the merchant does not have", async () => {
    const strangers = await newCustomer(await newMerchant("Other Card Shop"));
    await expect(link(strangers)).rejects.toMatchObject({ name: "NotFoundError" });
  });

  it("opens the page for 7 days, then answers 410 with a page saying how to get a new link", async () => {
    const customerId = await newCustomer();
    const eightDaysAgo = new Date(Date.now() - 8 * day);
    const sixDaysAgo = new Date(Date.now() - 6 * day);

    expect((await page(tokenOf(await link(customerId, shop, fixedClock(sixDaysAgo))))).status).toBe(200);
    const stale = tokenOf(await link(customerId, shop, fixedClock(eightDaysAgo)));
    const expired = await page(stale);
    expect(expired.status).toBe(410);
    expect(expired.headers["content-type"]).toMatch(/^text\/html/);
    expect(expired.raw).toContain("This link has expired");
    expect(expired.raw).not.toContain("<form");
    const before = await aws.countItems();
    expect((await post(stale, { formToken: "x", card: "4242424242424242" })).status).toBe(410);
    expect(await aws.countItems()).toBe(before);
  });
});

describe("the update-card page (sandbox)", () => {
  it("shows the merchant's page in TEST MODE with the card on file and the form", async () => {
    const customerId = await newCustomer();
    await attach(customerId, "pm_card_mastercard");

    const r = await page(tokenOf(await link(customerId)));

    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/^text\/html/);
    expect(r.headers["content-security-policy"]).toContain("form-action 'self'");
    expect(r.raw).toContain("TEST MODE");
    expect(r.raw).toContain("Card Shop");
    expect(r.raw).toContain("Mastercard •••• 4444 · expires 12/2034");
    expect(r.raw).toContain('<input id="card" name="card"');
    expect(r.raw).toContain("4000000000000341");
    expect(formTokenIn(r.raw)).toMatch(/^\d+\.[A-Za-z0-9_-]+$/);
  });

  it("says when there is no card on file", async () => {
    const r = await page(tokenOf(await link(await newCustomer())));
    expect(r.raw).toContain("No card on file");
  });

  it("saves the card entered as the customer's new default and shows it", async () => {
    const customerId = await newCustomer();
    const old = await attach(customerId, "pm_card_visa");
    const token = tokenOf(await link(customerId));

    const r = await submit(token, "5555 5555 5555 4444");

    expect(r.status).toBe(303);
    expect(r.headers.location).toBe(`/c/${token}/payment-method?saved=1`);
    const customer = await getCustomer(customerId);
    expect(customer.defaultPaymentMethodId).not.toBe(old.id);
    const saved = (await methodsOf(customerId)).find((m) => m.id === customer.defaultPaymentMethodId);
    expect(saved).toMatchObject({ processorId: "pm_card_mastercard", card: { brand: "mastercard", last4: "4444" } });
    expect((await methodsOf(customerId)).map((m) => m.id)).toContain(old.id);
    const after = await page(token, { saved: "1" });
    expect(after.raw).toContain("your new card is saved");
    expect(after.raw).toContain("Mastercard •••• 4444");
  });

  it("saves 4000 0000 0000 0341 (it attaches; its later charges are declined) as the default", async () => {
    const customerId = await newCustomer();
    const r = await submit(tokenOf(await link(customerId)), "4000 0000 0000 0341");
    expect(r.status).toBe(303);
    const customer = await getCustomer(customerId);
    const [saved] = await methodsOf(customerId);
    expect(saved).toMatchObject({ id: customer.defaultPaymentMethodId, processorId: "pm_card_chargeCustomerFail" });
  });

  it.each([
    ["4000 0000 0000 0002", 402, "Your card was declined (generic_decline)"],
    ["4000 0000 0000 9995", 402, "Your card was declined (insufficient_funds)"],
    ["4111 1111 1111 1111", 400, "This card cannot be saved"],
    ["", 400, "Enter a card number."],
  ])("shows %s refused (%i) with the error, and saves nothing", async (card, status, message) => {
    const customerId = await newCustomer();
    const old = await attach(customerId, "pm_card_visa");
    const token = tokenOf(await link(customerId));
    const formToken = formTokenIn((await page(token)).raw);
    const before = await itemsBesidesLimits();

    const r = await post(token, { formToken, card });

    expect(r.status).toBe(status);
    expect(r.raw).toContain('role="alert"');
    expect(r.raw).toContain(message);
    expect(formTokenIn(r.raw)).not.toBe("");
    expect(await itemsBesidesLimits()).toBe(before);
    expect((await getCustomer(customerId)).defaultPaymentMethodId).toBe(old.id);
    expect(await methodsOf(customerId)).toHaveLength(1);
  });

  it("refuses a forged, absent or other page's form token with 403 and saves nothing", async () => {
    const customerId = await newCustomer();
    const token = tokenOf(await link(customerId));
    const otherToken = formTokenIn((await page(tokenOf(await link(await newCustomer())))).raw);
    const forms: Record<string, string>[] = [{}, { formToken: "" }, { formToken: `${Math.floor(Date.now() / 1000)}.forged` }, { formToken: otherToken }];
    for (const form of forms) {
      const r = await post(token, { card: "4242424242424242", ...form });
      expect(r.status, JSON.stringify(form)).toBe(403);
      expect(r.raw).toContain("This form has expired");
    }
    expect(await methodsOf(customerId)).toEqual([]);
  });

  it("stops card testing: after 10 declined cards the page answers 429 with Retry-After", async () => {
    const customerId = await newCustomer();
    const token = tokenOf(await link(customerId));
    for (let i = 0; i < 10; i++) expect((await submit(token, "4000000000000002")).status).toBe(402);
    const blocked = await submit(token, "4242424242424242");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    expect((await page(token)).status).toBe(429);
    expect(await methodsOf(customerId)).toEqual([]);
  });

  it("answers an unknown token and a deleted customer's link with 404, a malformed one with 400", async () => {
    const customerId = await newCustomer();
    const token = tokenOf(await link(customerId));
    await expectStatus(merchantCall(customersHandler, "DELETE /v1/customers/{id}", shop.secret, { id: customerId }), 204);
    for (const t of [token, "A".repeat(32)]) {
      expect((await page(t)).status).toBe(404);
      expect((await post(t, { formToken: "x", card: "4242424242424242" })).status).toBe(404);
    }
    expect((await page("short")).status).toBe(400);
  });
});


describe("paying an invoice of a subscription on its hosted page (sandbox)", () => {
  /** An open invoice of `customerId`, written as a subscription's (the field the billing engine sets). */
  async function subscriptionInvoice(customerId: string, subscription = true) {
    const body = { customerId, currency: "USD", lineItems: [{ description: "Monthly plan", unitAmount: 2_500 }] };
    const draft = await expectStatus(merchantCall(invoicesHandler, "POST /v1/invoices", shop.secret, { body }), 201);
    const open = await expectStatus(merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", shop.secret, { id: draft.id }));
    if (subscription) {
      const { value, version } = (await dynamoInvoiceStore.read(shop.id, open.id))!;
      const next = { ...value, subscriptionId: `sub_${"0".repeat(26)}` };
      await dynamoInvoiceStore.replace(shop.id, next, version, [newEvent("invoice.updated", shop.id, open.id, new Date(), {})]);
    }
    return { id: open.id as string, token: String(open.hostedUrl).split("/").pop() ?? "" };
  }
  const invoicePage = (routeKey: string, token: string, form?: Record<string, string>) =>
    call(hostedInvoiceHandler as never, routeKey, {
      pathParameters: { token },
      ...(form ? { body: new URLSearchParams(form).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } } : {}),
    });
  const payOnPage = async (token: string, card: string) =>
    invoicePage("POST /i/{token}/pay", token, { card, formToken: formTokenIn((await invoicePage("GET /i/{token}/pay", token)).raw) });
  const notice = "Your card will be saved for future payments of this subscription.";

  it("says above the pay button that the card will be saved; other invoices do not", async () => {
    const customerId = await newCustomer();
    const kept = await subscriptionInvoice(customerId);
    const plain = await subscriptionInvoice(customerId, false);

    const form = (await invoicePage("GET /i/{token}/pay", kept.token)).raw;
    expect(form).toContain(notice);
    expect(form.indexOf(notice)).toBeLessThan(form.indexOf('<button type="submit">Pay'));
    expect((await invoicePage("GET /i/{token}", kept.token)).raw).toContain(notice);
    expect((await invoicePage("GET /i/{token}/pay", plain.token)).raw).not.toContain(notice);
    expect((await invoicePage("GET /i/{token}", plain.token)).raw).not.toContain(notice);
  });

  it("saves the card a successful payment used on the customer, as its default when it has none", async () => {
    const customerId = await newCustomer();
    const { id, token } = await subscriptionInvoice(customerId);

    const paid = await payOnPage(token, "5555 5555 5555 4444");

    expect(paid.status).toBe(303);
    expect((await expectStatus(merchantCall(invoicesHandler, "GET /v1/invoices/{id}", shop.secret, { id }))).status).toBe("paid");
    const [saved, ...others] = await methodsOf(customerId);
    expect(others).toEqual([]);
    expect(saved).toMatchObject({ processorId: "pm_card_mastercard", type: "card", card: { brand: "mastercard", last4: "4444" } });
    expect((await getCustomer(customerId)).defaultPaymentMethodId).toBe(saved!.id);
  });

  it("keeps the customer's default, and saves a card used twice once", async () => {
    const customerId = await newCustomer();
    const existing = await attach(customerId, "pm_card_mastercard");
    for (let i = 0; i < 2; i++) {
      const { token } = await subscriptionInvoice(customerId);
      expect((await payOnPage(token, "4242 4242 4242 4242")).status).toBe(303);
    }
    const methods = await methodsOf(customerId);
    expect(methods.map((m) => m.processorId).sort()).toEqual(["pm_card_mastercard", "pm_card_visa"]);
    expect((await getCustomer(customerId)).defaultPaymentMethodId).toBe(existing.id);
  });

  it("saves nothing when the card is declined, nor for an invoice that is no subscription's", async () => {
    const customerId = await newCustomer();
    const { token } = await subscriptionInvoice(customerId);
    expect((await payOnPage(token, "4000 0000 0000 0002")).status).toBe(402);
    const plain = await subscriptionInvoice(customerId, false);
    expect((await payOnPage(plain.token, "4242 4242 4242 4242")).status).toBe(303);
    expect(await methodsOf(customerId)).toEqual([]);
    expect((await getCustomer(customerId)).defaultPaymentMethodId).toBeUndefined();
  });
});
