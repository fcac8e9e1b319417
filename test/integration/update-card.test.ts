/**
 * The buyer's update-card page against DynamoDB Local, through its handler: the per-customer link
 * (unguessable, a week long on the customer's clock, then a 410 page), the page (merchant branding,
 * TEST MODE, the card on file), saving a new card as the default in the sandbox (declines save
 * nothing), and unknown tokens. Stripe: the Checkout session in setup mode against the loopback
 * fake, and its completion attaching the card.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as paymentMethodsHandler } from "../../functions/api/payment-methods.ts";
import { handler as hostedInvoiceHandler } from "../../functions/hosted/invoice.ts";
import { handler as pageHandler } from "../../functions/hosted/update-card.ts";
import {
  paymentMethodPorts,
  paymentPorts,
  stripeEventPorts,
  updateCardLinkPorts,
} from "../../shared/composition.ts";
import { attachPaymentMethod } from "../../shared/customers/payment-methods.ts";
import { updateCardLink } from "../../shared/customers/update-card.ts";
import { checkoutInvoice } from "../../shared/invoices/pay.ts";
import { setStripeAccount } from "../../shared/merchants/service.ts";
import { handleStripeEvent } from "../../shared/payments/stripe-events-handler.ts";
import { checkoutSessionEvent } from "../../shared/stripe-shapes/checkout-sessions.ts";
import { paymentIntentEvent } from "../../shared/stripe-shapes/payment-intents.ts";
import { dynamoCustomerStore } from "../../shared/store/customers.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { fixedClock, systemClock } from "../../shared/domain/clock.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { keys } from "../../shared/store/keys.ts";
import { dynamoPaymentMethodStore } from "../../shared/store/payment-methods.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { type StripeFake, startStripeFake, stripeFixture, stripeId } from "../helpers/stripe-fake.ts";

let aws: TestAws;
let shop: TestMerchant;

const day = 86_400_000;

async function newCustomer(m: TestMerchant = shop): Promise<string> {
  const body = { email: `card-${randomUUID().slice(0, 8)}@update.test`, name: "Uma" };
  return (await expectStatus(merchantCall(customersHandler, "POST /v1/customers", m.secret, { body }), 201))
    .id;
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
const itemsBesidesLimits = async () =>
  (await aws.scanAll()).filter((i) => !String(i.PK).startsWith("RATE#")).length;

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
    expect(saved).toMatchObject({
      processorId: "pm_card_mastercard",
      card: { brand: "mastercard", last4: "4444" },
    });
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
    expect(saved).toMatchObject({
      id: customer.defaultPaymentMethodId,
      processorId: "pm_card_chargeCustomerFail",
    });
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
    const forms: Record<string, string>[] = [
      {},
      { formToken: "" },
      { formToken: `${Math.floor(Date.now() / 1000)}.forged` },
      { formToken: otherToken },
    ];
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
    await expectStatus(
      merchantCall(customersHandler, "DELETE /v1/customers/{id}", shop.secret, { id: customerId }),
      204,
    );
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
    const body = {
      customerId,
      currency: "USD",
      lineItems: [{ description: "Monthly plan", unitAmount: 2_500 }],
    };
    const draft = await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices", shop.secret, { body }),
      201,
    );
    const open = await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", shop.secret, { id: draft.id }),
    );
    if (subscription) {
      const { value, version } = (await dynamoInvoiceStore.read(shop.id, open.id))!;
      const next = { ...value, subscriptionId: `sub_${"0".repeat(26)}` };
      await dynamoInvoiceStore.replace(shop.id, next, version, [
        newEvent("invoice.updated", shop.id, open.id, new Date(), {}),
      ]);
    }
    return { id: open.id as string, token: String(open.hostedUrl).split("/").pop() ?? "" };
  }
  const invoicePage = (routeKey: string, token: string, form?: Record<string, string>) =>
    call(hostedInvoiceHandler as never, routeKey, {
      pathParameters: { token },
      ...(form
        ? {
            body: new URLSearchParams(form).toString(),
            headers: { "content-type": "application/x-www-form-urlencoded" },
          }
        : {}),
    });
  const payOnPage = async (token: string, card: string) =>
    invoicePage("POST /i/{token}/pay", token, {
      card,
      formToken: formTokenIn((await invoicePage("GET /i/{token}/pay", token)).raw),
    });
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
    expect(
      (await expectStatus(merchantCall(invoicesHandler, "GET /v1/invoices/{id}", shop.secret, { id })))
        .status,
    ).toBe("paid");
    const [saved, ...others] = await methodsOf(customerId);
    expect(others).toEqual([]);
    expect(saved).toMatchObject({
      processorId: "pm_card_mastercard",
      type: "card",
      card: { brand: "mastercard", last4: "4444" },
    });
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

describe("through Stripe (the loopback fake, driven by the real SDK)", () => {
  const clock = systemClock;
  let fake: StripeFake;
  let stripeShop: TestMerchant & { accountId: string };
  const seti = () => stripeId("seti");

  /** A merchant on Stripe: its connected account recorded and switched to Stripe. */
  async function stripeMerchant(name: string) {
    const m = await newMerchant(name);
    const accountId = `acct_${randomUUID().slice(0, 12)}`;
    await setStripeAccount({ store: dynamoMerchantStore, clock }, m.id, accountId, false);
    const found = (await dynamoMerchantStore.readMerchant(m.id))!;
    const merchant = { ...found.value, processor: "stripe" as const, stripeChargesEnabled: true };
    await dynamoMerchantStore.replaceMerchant(
      merchant,
      found.version,
      newEvent("merchant.updated", m.id, m.id, clock.now(), { merchant, changed: ["processor"] }),
    );
    return { ...m, accountId };
  }
  const stripeCustomer = async () => newCustomer(stripeShop);
  const storedCustomer = async (id: string) => (await dynamoCustomerStore.read(stripeShop.id, id))!.value;
  const stripeMethodsOf = async (customerId: string) =>
    (await dynamoPaymentMethodStore.listOfCustomer(stripeShop.id, customerId, { limit: 100 })).items;

  /** `checkout.session.completed` of a setup-mode session, as Stripe sends it from the merchant's account. */
  function setupCompleted(
    customerId: string,
    processorCustomerId: string,
    setupIntentId: string,
    accountId = stripeShop.accountId,
  ) {
    const event = checkoutSessionEvent("checkout.session.completed", {
      id: stripeId("cs_test"),
      paymentIntentId: null,
      amount: 0,
      currency: "usd",
      created: Math.floor(Date.now() / 1000),
      metadata: { kassa_merchant_id: stripeShop.id, kassa_customer_id: customerId } as never,
      paymentStatus: "no_payment_required",
      customerId: processorCustomerId,
      accountId,
    });
    Object.assign(event.data.object, {
      mode: "setup",
      setup_intent: setupIntentId,
      amount_total: null,
      currency: null,
    });
    return event;
  }

  beforeAll(async () => {
    fake = await startStripeFake();
    process.env.STRIPE_API_BASE = `http://127.0.0.1:${fake.port}`;
    process.env.STRIPE_SECRET_KEY = "sk_test_update_card_0123456789";
    stripeShop = await stripeMerchant("Card Stripe Shop");
    fake.respond("POST", "/v1/customers", ({ body }) => ({
      body: { id: stripeId("cus"), object: "customer", email: body.email, metadata: body.metadata },
    }));
    fake.respond("POST", "/v1/payment_methods/:id/attach", ({ body }, { id = "" }) => ({
      body: stripeFixture("payment_method", { id, customer: body.customer }),
    }));
    fake.respond("GET", "/v1/setup_intents/:id", (_request, { id = "" }) => ({
      // The fields Kassa reads of Stripe's SetupIntent (the committed fixtures have no setup_intent).
      body: {
        id,
        object: "setup_intent",
        status: "succeeded",
        usage: "off_session",
        payment_method: `pm_${id.slice(5)}`,
      },
    }));
  });
  afterAll(async () => {
    await fake.stop();
    delete process.env.STRIPE_API_BASE;
    delete process.env.STRIPE_SECRET_KEY;
  });

  it("shows a button to Stripe instead of a card field, and no sandbox test cards", async () => {
    const r = await page(tokenOf(await link(await stripeCustomer(), stripeShop)));
    expect(r.status).toBe(200);
    expect(r.raw).toContain("Add a new card");
    expect(r.raw).not.toContain('name="card"');
    expect(r.raw).not.toContain("Sandbox test cards");
  });

  it("opens a Checkout session in setup mode on the customer's Stripe Customer, made once", async () => {
    const customerId = await stripeCustomer();
    const token = tokenOf(await link(customerId, stripeShop));
    const from = fake.requests.length;

    const r = await submit(token, "");

    expect(r.status).toBe(303);
    expect(r.headers.location).toMatch(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/);
    const requests = fake.requests.slice(from);
    expect(requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      "POST /v1/customers",
      "POST /v1/checkout/sessions",
    ]);
    expect(requests.every((q) => q.headers["stripe-account"] === stripeShop.accountId)).toBe(true);
    expect(requests[0]!.headers["idempotency-key"]).toBe(`customer-${customerId}`);
    expect(requests[0]!.body).toMatchObject({
      email: expect.stringContaining("@update.test"),
      metadata: { kassa_customer_id: customerId },
    });
    const session = requests[1]!.body;
    expect(session).toEqual({
      mode: "setup",
      customer: expect.stringMatching(/^cus_/),
      allowed_payment_method_types: ["card"],
      success_url: expect.stringMatching(new RegExp(`/c/${token}/payment-method\\?saved=1$`)),
      cancel_url: expect.stringMatching(new RegExp(`/c/${token}/payment-method$`)),
      expires_at: expect.any(String),
      metadata: { kassa_merchant_id: stripeShop.id, kassa_customer_id: customerId },
      setup_intent_data: { metadata: { kassa_merchant_id: stripeShop.id, kassa_customer_id: customerId } },
    });
    // Nothing is saved until Stripe reports the session completed.
    expect(await stripeMethodsOf(customerId)).toEqual([]);
  });

  it("attaches the card of a completed setup session as the customer's default, once, and records its Stripe Customer", async () => {
    const customerId = await stripeCustomer();
    const old = await attachPaymentMethod(
      paymentMethodPorts(clock),
      stripeShop.id,
      customerId,
      "pm_card_visa",
    );
    const cus = (await storedCustomer(customerId)).processorCustomerId!;
    const setupIntentId = seti();
    const event = setupCompleted(customerId, cus, setupIntentId);

    await handleStripeEvent(stripeEventPorts(clock), event);
    await handleStripeEvent(stripeEventPorts(clock), event);

    const customer = await storedCustomer(customerId);
    const methods = await stripeMethodsOf(customerId);
    expect(methods).toHaveLength(2);
    const saved = methods.find((m) => m.processorId === `pm_${setupIntentId.slice(5)}`);
    expect(saved).toBeDefined();
    expect(customer.defaultPaymentMethodId).toBe(saved!.id);
    expect(customer.defaultPaymentMethodId).not.toBe(old.id);
    expect(customer.processorCustomerId).toBe(cus);
    expect(
      fake.requests.some(
        (q) =>
          q.path === `/v1/setup_intents/${setupIntentId}` &&
          q.headers["stripe-account"] === stripeShop.accountId,
      ),
    ).toBe(true);
  });

  it("records the Stripe Customer of a first card saved by a setup session", async () => {
    const customerId = await stripeCustomer();
    await handleStripeEvent(
      stripeEventPorts(clock),
      setupCompleted(customerId, "cus_made_for_setup", seti()),
    );
    const customer = await storedCustomer(customerId);
    expect(customer.processorCustomerId).toBe("cus_made_for_setup");
    expect(customer.defaultPaymentMethodId).toBe((await stripeMethodsOf(customerId))[0]?.id);
  });

  it("ignores a setup session reported from another Stripe account", async () => {
    const customerId = await stripeCustomer();
    const before = await aws.countItems();
    await handleStripeEvent(
      stripeEventPorts(clock),
      setupCompleted(customerId, "cus_x", seti(), "acct_someone_else"),
    );
    expect(await aws.countItems()).toBe(before);
    expect(await stripeMethodsOf(customerId)).toEqual([]);
  });

  describe("an invoice of a subscription paid through Checkout", () => {
    async function invoiceOf(customerId: string, subscription: boolean) {
      const body = {
        customerId,
        currency: "USD",
        lineItems: [{ description: "Monthly plan", unitAmount: 4_000 }],
      };
      const draft = await expectStatus(
        merchantCall(invoicesHandler, "POST /v1/invoices", stripeShop.secret, { body }),
        201,
      );
      const open = await expectStatus(
        merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", stripeShop.secret, { id: draft.id }),
      );
      if (subscription) {
        const { value, version } = (await dynamoInvoiceStore.read(stripeShop.id, open.id))!;
        const next = { ...value, subscriptionId: `sub_${"1".repeat(26)}` };
        await dynamoInvoiceStore.replace(stripeShop.id, next, version, [
          newEvent("invoice.updated", stripeShop.id, open.id, new Date(), {}),
        ]);
      }
      return open.id as string;
    }
    const startCheckout = async (invoiceId: string) => {
      const from = fake.requests.length;
      await checkoutInvoice(paymentPorts(clock), stripeShop.id, invoiceId, {
        successUrl: "https://shop.test/ok",
        cancelUrl: (paymentId) => `https://shop.test/cancel?canceled=${paymentId}`,
      });
      const session = fake.requests.slice(from).find((q) => q.path === "/v1/checkout/sessions")!;
      const paymentId = (await dynamoInvoiceStore.read(stripeShop.id, invoiceId))!.value.paymentLock!
        .paymentId;
      return { session: session.body, paymentId };
    };

    it("keeps the card for later: setup_future_usage off_session on the customer's Stripe Customer", async () => {
      const customerId = await stripeCustomer();
      const { session } = await startCheckout(await invoiceOf(customerId, true));
      expect(session).toMatchObject({
        mode: "payment",
        customer: expect.stringMatching(/^cus_/),
        payment_intent_data: { setup_future_usage: "off_session" },
      });
      expect(session).not.toHaveProperty("customer_email");
      expect(session).not.toHaveProperty("customer_creation");

      const plain = await startCheckout(await invoiceOf(customerId, false));
      expect(plain.session).toMatchObject({ customer_email: expect.stringContaining("@update.test") });
      expect(plain.session).not.toHaveProperty("customer");
      expect(plain.session.payment_intent_data).not.toHaveProperty("setup_future_usage");
    });

    it("attaches the payment's method to the customer when the payment succeeds (the default if it has none), once", async () => {
      const customerId = await stripeCustomer();
      const invoiceId = await invoiceOf(customerId, true);
      const { session, paymentId } = await startCheckout(invoiceId);
      const event = paymentIntentEvent("payment_intent.succeeded", {
        id: stripeId("pi"),
        amount: 4_000,
        currency: "usd",
        created: Math.floor(Date.now() / 1000),
        metadata: {
          kassa_merchant_id: stripeShop.id,
          kassa_payment_id: paymentId,
          kassa_invoice_id: invoiceId,
        },
        customerId: String(session.customer),
        paymentMethodId: "pm_kept_for_renewals",
        setupFutureUsage: "off_session",
        accountId: stripeShop.accountId,
      });

      await handleStripeEvent(stripeEventPorts(clock), event);
      await handleStripeEvent(stripeEventPorts(clock), event);

      expect((await dynamoInvoiceStore.read(stripeShop.id, invoiceId))!.value.status).toBe("paid");
      const methods = await stripeMethodsOf(customerId);
      expect(methods).toEqual([
        expect.objectContaining({ processorId: "pm_kept_for_renewals", type: "card" }),
      ]);
      const customer = await storedCustomer(customerId);
      expect(customer.defaultPaymentMethodId).toBe(methods[0]!.id);
      expect(customer.processorCustomerId).toBe(session.customer);
    });
  });
});
