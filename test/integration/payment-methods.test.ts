/**
 * Saved payment methods against DynamoDB Local, through the handlers: attach (Kassa's own id, the
 * processor's token kept inside), list, the customer's default (first attached, settable, cleared
 * when its method goes), remove; refusals write nothing. The sandbox accepts every test method of the
 * pay page; like Stripe it declines the declining cards' verification at attach, except
 * `pm_card_chargeCustomerFail`, which attaches and then fails every charge.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler } from "../../functions/api/payment-methods.ts";
import { paymentMethodPorts, paymentPorts } from "../../shared/composition.ts";
import {
  attachPaymentMethod,
  detachPaymentMethod,
  type PaymentMethodPorts,
} from "../../shared/customers/payment-methods.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { PaymentDeclinedError } from "../../shared/domain/errors.ts";
import { setStripeAccount } from "../../shared/merchants/service.ts";
import { stripeProcessor } from "../../shared/payments/stripe.ts";
import { dynamoCustomerStore } from "../../shared/store/customers.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { charge } from "../../shared/payments/charges.ts";
import { sandboxTestMethods } from "../../shared/payments/sandbox-cards.ts";
import { dynamoPaymentMethodStore } from "../../shared/store/payment-methods.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { type StripeFake, startStripeFake, stripeFixture, stripeId } from "../helpers/stripe-fake.ts";

let aws: TestAws;
let shop: TestMerchant;
let other: TestMerchant;

const ulid = /^pm_[0-9A-HJKMNP-TV-Z]{26}$/;

async function newCustomer(m: TestMerchant = shop): Promise<string> {
  const body = { email: `saver-${randomUUID().slice(0, 8)}@methods.test`, name: "Sam" };
  return (await expectStatus(merchantCall(customersHandler, "POST /v1/customers", m.secret, { body }), 201))
    .id;
}

const attach = (customerId: string, paymentMethod: string, m: TestMerchant = shop) =>
  call(handler, "POST /v1/customers/{id}/payment-methods", {
    token: m.secret,
    pathParameters: { id: customerId },
    body: { paymentMethod },
  });
const list = (customerId: string, query: Record<string, string> = {}, m: TestMerchant = shop) =>
  call(handler, "GET /v1/customers/{id}/payment-methods", {
    token: m.secret,
    pathParameters: { id: customerId },
    query,
  });
const detach = (customerId: string, pmId: string, m: TestMerchant = shop) =>
  call(handler, "DELETE /v1/customers/{id}/payment-methods/{pmId}", {
    token: m.secret,
    pathParameters: { id: customerId, pmId },
  });
const getCustomer = async (id: string, m: TestMerchant = shop) =>
  expectStatus(merchantCall(customersHandler, "GET /v1/customers/{id}", m.secret, { id }));
const patchCustomer = (id: string, body: object) =>
  merchantCall(customersHandler, "PATCH /v1/customers/{id}", shop.secret, { id, body });

beforeAll(async () => {
  aws = await useTestAws(["stripe-events", "billing"]);
  shop = await newMerchant("Methods Shop");
  other = await newMerchant("Other Shop");
});

describe("saved payment methods in the sandbox", () => {
  it("attaches a card under Kassa's own id, shows only its summary, and makes the first the default", async () => {
    const customerId = await newCustomer();
    const before = await aws.countItems();

    const r = await attach(customerId, "pm_card_visa");

    expect(r.status).toBe(201);
    expect(r.body).toEqual({
      id: expect.stringMatching(ulid),
      type: "card",
      card: { brand: "visa", last4: "4242", expMonth: 12, expYear: 2034 },
      createdAt: expect.any(String),
    });
    expect(r.raw).not.toContain("pm_card_visa");
    // The method, its event; the customer rewritten in place with its new default.
    expect(await aws.countItems()).toBe(before + 2);
    expect((await getCustomer(customerId)).defaultPaymentMethodId).toBe(r.body.id);
    const stored = await dynamoPaymentMethodStore.read(shop.id, r.body.id as string);
    expect(stored?.value).toMatchObject({ customerId, processorId: "pm_card_visa" });
  });

  it("keeps the first default when more are attached, lists them newest first, paged", async () => {
    const customerId = await newCustomer();
    const first = (await attach(customerId, "pm_card_visa")).body.id;
    const second = (await attach(customerId, "4000 0000 0000 0341")).body.id;
    const bank = await attach(customerId, "pm_usBankAccount_success");
    expect(bank.body).toEqual({
      id: expect.stringMatching(ulid),
      type: "us_bank_account",
      createdAt: expect.any(String),
    });

    expect((await getCustomer(customerId)).defaultPaymentMethodId).toBe(first);
    const page1 = await list(customerId, { limit: "2" });
    expect(page1.status).toBe(200);
    expect(page1.body.data.map((m: { id: string }) => m.id)).toEqual([bank.body.id, second]);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    const page2 = await list(customerId, { limit: "2", cursor: page1.body.nextCursor });
    expect(page2.body).toEqual({ data: [expect.objectContaining({ id: first })], nextCursor: null });
    // Another customer's list is its own.
    expect((await list(await newCustomer())).body).toEqual({ data: [], nextCursor: null });
  });

  it.each(
    sandboxTestMethods
      .filter((m) => m.behaviour.kind !== "declines" || m.token === "pm_card_chargeCustomerFail")
      .map((m) => [m.token]),
  )("attaches the pay page's test method %s", async (token) => {
    expect((await attach(await newCustomer(), token)).status).toBe(201);
  });

  it.each([
    ["pm_card_chargeDeclined", "generic_decline"],
    ["pm_card_insufficientFunds", "insufficient_funds"],
  ])("declines %s at attach, as Stripe's verification does, and writes nothing", async (token, code) => {
    const customerId = await newCustomer();
    const before = await aws.countItems();
    const r = await attach(customerId, token);
    expect(r.status).toBe(402);
    expect(r.raw).toContain(code);
    expect(await aws.countItems()).toBe(before);
    expect((await getCustomer(customerId)).defaultPaymentMethodId).toBeUndefined();
  });

  it.each(["pm_card_unknown", "4111 1111 1111 1111"])(
    "refuses the unknown method %s with a 400 naming paymentMethod, writing nothing",
    async (token) => {
      const customerId = await newCustomer();
      const before = await aws.countItems();
      const r = await attach(customerId, token);
      expect(r.status).toBe(400);
      expect(r.body.errors).toEqual([expect.objectContaining({ path: "paymentMethod" })]);
      expect(await aws.countItems()).toBe(before);
    },
  );

  it("saves pm_card_chargeCustomerFail, whose every later charge is declined card_declined", async () => {
    const customerId = await newCustomer();
    const saved = await attach(customerId, "pm_card_chargeCustomerFail");
    expect(saved.status).toBe(201);
    expect(saved.body.card).toMatchObject({ brand: "visa", last4: "0341" });
    const body = { customerId, currency: "USD", lineItems: [{ description: "Plan", unitAmount: 2_000 }] };
    const draft = await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices", shop.secret, { body }),
      201,
    );
    await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", shop.secret, { id: draft.id }),
    );
    const method = (await dynamoPaymentMethodStore.read(shop.id, saved.body.id))!.value;

    const error = await charge(
      paymentPorts(fixedClock(new Date())),
      shop.id,
      { kind: "invoice", id: draft.id },
      { paymentMethod: method.processorId, offSession: true },
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect(error).toMatchObject({ declineCode: "generic_decline", message: "Your card was declined." });
  });

  it("sets the default by PATCH to one of the customer's methods only, and clears it with null", async () => {
    const customerId = await newCustomer();
    const first = (await attach(customerId, "pm_card_visa")).body.id;
    const second = (await attach(customerId, "pm_card_mastercard")).body.id;
    const strangers = (await attach(await newCustomer(), "pm_card_visa")).body.id;

    const set = await patchCustomer(customerId, { defaultPaymentMethodId: second });
    expect(set.status).toBe(200);
    expect(set.body.defaultPaymentMethodId).toBe(second);

    for (const wrong of [strangers, `pm_${"0".repeat(26)}`, customerId]) {
      const before = await aws.countItems();
      const refused = await patchCustomer(customerId, { defaultPaymentMethodId: wrong });
      expect(refused.status, wrong).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ path: "defaultPaymentMethodId" })]);
      expect(await aws.countItems()).toBe(before);
    }
    expect((await getCustomer(customerId)).defaultPaymentMethodId).toBe(second);

    const cleared = await patchCustomer(customerId, { defaultPaymentMethodId: null });
    expect(cleared.body.defaultPaymentMethodId).toBeUndefined();
    expect(first).not.toBe(second);
  });

  it("removes a method (204), clearing the default when it was the default", async () => {
    const customerId = await newCustomer();
    const first = (await attach(customerId, "pm_card_visa")).body.id;
    const second = (await attach(customerId, "pm_card_mastercard")).body.id;

    expect((await detach(customerId, second)).status).toBe(204);
    expect((await getCustomer(customerId)).defaultPaymentMethodId).toBe(first);
    expect((await detach(customerId, first)).status).toBe(204);
    expect((await getCustomer(customerId)).defaultPaymentMethodId).toBeUndefined();
    expect((await list(customerId)).body.data).toEqual([]);
    expect((await detach(customerId, first)).status).toBe(404);
  });

  it("walls off another merchant's customers and methods (404), and another customer's methods", async () => {
    const customerId = await newCustomer();
    const pm = (await attach(customerId, "pm_card_visa")).body.id;
    const otherCustomer = await newCustomer();
    const before = await aws.countItems();

    expect((await attach(customerId, "pm_card_visa", other)).status).toBe(404);
    expect((await list(customerId, {}, other)).status).toBe(404);
    expect((await detach(customerId, pm, other)).status).toBe(404);
    expect((await detach(otherCustomer, pm)).status).toBe(404);
    expect(await aws.countItems()).toBe(before);
    expect((await list(customerId)).body.data).toEqual([expect.objectContaining({ id: pm })]);
  });
});

describe("saved payment methods through Stripe (the loopback fake, driven by the real SDK)", () => {
  const clock = fixedClock(new Date());
  const account = `acct_methods${randomUUID().slice(0, 8)}`;
  let fake: StripeFake;
  let stripeShop: TestMerchant;

  beforeAll(async () => {
    fake = await startStripeFake();
    stripeShop = await newMerchant("Methods Stripe Shop");
    await setStripeAccount({ store: dynamoMerchantStore, clock }, stripeShop.id, account, false);
    fake.respond("POST", "/v1/customers", ({ body }) => ({
      body: { id: stripeId("cus"), object: "customer", email: body.email, metadata: body.metadata },
    }));
    fake.respond("POST", "/v1/payment_methods/:id/attach", ({ body }, { id = "" }) =>
      id === "pm_card_chargeDeclined"
        ? {
            status: 402,
            body: {
              error: {
                type: "card_error",
                code: "card_declined",
                decline_code: "generic_decline",
                message: "Your card was declined.",
              },
            },
          }
        : { body: stripeFixture("payment_method", { id: stripeId("pm"), customer: body.customer }) },
    );
    fake.respond("POST", "/v1/payment_methods/:id/detach", (_request, { id = "" }) => ({
      body: stripeFixture("payment_method", { id, customer: null }),
    }));
  });
  afterAll(() => fake.stop());

  function ports(): PaymentMethodPorts {
    const processor = stripeProcessor({
      secretKey: "sk_test_payment_methods_0123456789",
      host: "127.0.0.1",
      port: fake.port,
      protocol: "http",
      timeoutMs: 2_000,
    });
    return {
      ...paymentMethodPorts(clock),
      processorOf: async (merchantId) => ({
        merchant: (await dynamoMerchantStore.readMerchant(merchantId))!.value,
        processor,
      }),
    };
  }

  it("makes the customer's Stripe Customer on the merchant's account once, and attaches each method to it", async () => {
    const customerId = await newCustomer(stripeShop);
    const from = fake.requests.length;

    const first = await attachPaymentMethod(ports(), stripeShop.id, customerId, "pm_card_visa");
    const second = await attachPaymentMethod(ports(), stripeShop.id, customerId, "pm_card_mastercard");

    const requests = fake.requests.slice(from);
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "POST /v1/customers",
      "POST /v1/payment_methods/pm_card_visa/attach",
      "POST /v1/payment_methods/pm_card_mastercard/attach",
    ]);
    expect(requests.every((r) => r.headers["stripe-account"] === account)).toBe(true);
    expect(requests[0]!.headers["idempotency-key"]).toBe(`customer-${customerId}`);
    expect(requests[0]!.body).toMatchObject({
      email: expect.stringContaining("@methods.test"),
      metadata: { kassa_merchant_id: stripeShop.id, kassa_customer_id: customerId },
    });
    const stored = (await dynamoCustomerStore.read(stripeShop.id, customerId))!.value;
    expect(stored.processorCustomerId).toMatch(/^cus_/);
    expect(requests[1]!.form).toEqual({ customer: stored.processorCustomerId });
    expect(requests[2]!.form).toEqual({ customer: stored.processorCustomerId });
    expect(first).toEqual({
      id: expect.stringMatching(ulid),
      type: "card",
      card: { brand: "visa", last4: "4242", expMonth: 8, expYear: 2030 },
      createdAt: expect.any(String),
    });
    expect(stored.defaultPaymentMethodId).toBe(first.id);
    const saved = (await dynamoPaymentMethodStore.read(stripeShop.id, second.id))!.value;
    expect(saved.processorId).toMatch(/^pm_/);
    expect(saved.processorId).not.toBe(second.id);
    // The Stripe Customer stays inside Kassa.
    expect(await getCustomer(customerId, stripeShop)).not.toHaveProperty("processorCustomerId");
  });

  it("answers Stripe's decline at attach with a 402-kind error and saves nothing", async () => {
    const customerId = await newCustomer(stripeShop);
    const before = await aws.countItems();

    const error = await attachPaymentMethod(
      ports(),
      stripeShop.id,
      customerId,
      "pm_card_chargeDeclined",
    ).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(PaymentDeclinedError);
    expect(error).toMatchObject({ declineCode: "generic_decline" });
    expect(await aws.countItems()).toBe(before);
  });

  it("detaches a removed method at Stripe", async () => {
    const customerId = await newCustomer(stripeShop);
    const method = await attachPaymentMethod(ports(), stripeShop.id, customerId, "pm_card_visa");
    const { processorId } = (await dynamoPaymentMethodStore.read(stripeShop.id, method.id))!.value;
    const from = fake.requests.length;

    await detachPaymentMethod(ports(), stripeShop.id, customerId, method.id);

    expect(fake.requests.slice(from).map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /v1/payment_methods/${processorId}/detach`,
    ]);
    expect(await dynamoPaymentMethodStore.read(stripeShop.id, method.id)).toBeUndefined();
    expect((await getCustomer(customerId, stripeShop)).defaultPaymentMethodId).toBeUndefined();
  });
});
