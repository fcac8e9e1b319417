/**
 * The Stripe adapter against a loopback fake: each port method is checked on the exact request the
 * real `stripe` SDK sends (method, path, form body, Connect / idempotency / version headers) and on
 * the result it maps. Webhook verification uses payloads signed by the SDK's own test-header helper.
 * No AWS and no network.
 */
import Stripe from "stripe";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type {
  ChargeRequest,
  CheckoutRequest,
  OutcomeUnknown,
  RefundRequest,
} from "../../shared/payments/processor.ts";
import {
  STRIPE_MAX_NETWORK_RETRIES,
  STRIPE_TIMEOUT_MS,
  loadStripeProcessor,
  stripeConnect,
  stripeEndpoint,
  stripeProcessor,
} from "../../shared/payments/stripe.ts";
import { verifyStripeWebhook, WebhookSignatureError } from "../../shared/payments/verification.ts";
import { STRIPE_API_VERSION } from "../../shared/payments/stripe-version.ts";
import {
  type RecordedRequest,
  type StripeFake,
  neverAnswer,
  startStripeFake,
  stripeFee,
  stripeFixture,
} from "../helpers/stripe-fake.ts";

const secretKey = "sk_test_kassa_adapter_0123456789";
const account = "acct_1KassaMerchant01";
const refs = { kassa_merchant_id: "mer_01", kassa_payment_id: "pay_01", kassa_invoice_id: "inv_01" };

let fake: StripeFake;
const client = () => ({ secretKey, host: "127.0.0.1", port: fake.port, protocol: "http" as const });

beforeAll(async () => {
  fake = await startStripeFake();
});
afterAll(() => fake.stop());
beforeEach(() => {
  fake.requests.length = 0;
  // Each case is its own scenario on the same payment ids and keys: as if a day apart.
  fake.forgetIdempotencyKeys();
});

/** A processor answer (not `unknown`), for the steps that follow it. */
function answered<T extends { status: string }>(result: T | OutcomeUnknown): T {
  if (result.status === "unknown") throw new Error(`Expected an answer, got ${JSON.stringify(result)}`);
  return result as T;
}

function only(): RecordedRequest {
  expect(fake.requests).toHaveLength(1);
  return fake.requests[0]!;
}

function expectStripeHeaders(
  request: RecordedRequest,
  expected: { account?: string; idempotencyKey?: string },
) {
  expect(request.headers.authorization).toBe(`Bearer ${secretKey}`);
  expect(request.headers["stripe-version"]).toBe(STRIPE_API_VERSION);
  expect(request.headers["stripe-account"]).toBe(expected.account);
  if (expected.idempotencyKey) expect(request.headers["idempotency-key"]).toBe(expected.idempotencyKey);
  if (request.method === "POST")
    expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
  expect(request.headers["x-stripe-client-telemetry"]).toBeUndefined();
}

const metadataForm = (prefix: string) => ({
  [`${prefix}[kassa_merchant_id]`]: "mer_01",
  [`${prefix}[kassa_payment_id]`]: "pay_01",
  [`${prefix}[kassa_invoice_id]`]: "inv_01",
});

describe("client configuration", () => {
  it("pins the API version the installed SDK ships", () => {
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
  });

  it("keeps a call and its one retry inside API Gateway's 29 s", () => {
    const firstRetryBackoffMs = 500;
    expect(STRIPE_MAX_NETWORK_RETRIES).toBe(1);
    expect(STRIPE_TIMEOUT_MS * (1 + STRIPE_MAX_NETWORK_RETRIES) + firstRetryBackoffMs).toBeLessThan(29_000);
  });
});

describe("createCheckout", () => {
  const checkout = (overrides: Partial<CheckoutRequest> = {}): CheckoutRequest => ({
    accountId: account,
    amount: 1500,
    currency: "EUR",
    description: "Invoice INV-0001",
    customerEmail: "buyer@example.com",
    savePaymentMethod: false,
    successUrl: "https://pay.kassa.test/i/inv_01/done",
    cancelUrl: "https://pay.kassa.test/i/inv_01",
    expiresAt: "2026-11-02T10:31:00.000Z",
    metadata: refs,
    idempotencyKey: "checkout-inv_01-1",
    ...overrides,
  });

  it("creates a one-line payment-mode session on the merchant's account", async () => {
    const session = await stripeProcessor(client()).createCheckout(checkout());

    const request = only();
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/checkout/sessions");
    expect(request.form).toEqual({
      mode: "payment",
      "line_items[0][price_data][currency]": "eur",
      "line_items[0][price_data][unit_amount]": "1500",
      "line_items[0][price_data][product_data][name]": "Invoice INV-0001",
      "line_items[0][quantity]": "1",
      customer_email: "buyer@example.com",
      success_url: "https://pay.kassa.test/i/inv_01/done",
      cancel_url: "https://pay.kassa.test/i/inv_01",
      expires_at: String(Date.parse("2026-11-02T10:31:00.000Z") / 1000),
      ...metadataForm("metadata"),
      ...metadataForm("payment_intent_data[metadata]"),
    });
    expectStripeHeaders(request, { account, idempotencyKey: "checkout-inv_01-1" });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session).toEqual({ id: session.id, url: `https://checkout.stripe.com/c/pay/${session.id}` });
  });

  it("saves the method for off-session use only when asked, on a Customer Checkout creates", async () => {
    await stripeProcessor(client()).createCheckout(
      checkout({ savePaymentMethod: true, idempotencyKey: "checkout-sub-1" }),
    );

    const request = only();
    expect(request.form["payment_intent_data[setup_future_usage]"]).toBe("off_session");
    expect(request.form.customer_creation).toBe("always");
    expect(request.body.payment_intent_data).toEqual({ metadata: refs, setup_future_usage: "off_session" });
    expectStripeHeaders(request, { account, idempotencyKey: "checkout-sub-1" });
  });
});

describe("expireCheckout", () => {
  const open = () =>
    stripeProcessor(client()).createCheckout({
      accountId: account,
      amount: 1500,
      currency: "EUR",
      description: "Invoice INV-0001",
      customerEmail: "buyer@example.com",
      savePaymentMethod: false,
      successUrl: "https://pay.kassa.test/i/tok?paid=1",
      cancelUrl: "https://pay.kassa.test/i/tok?canceled=pay_01",
      expiresAt: new Date(Date.now() + 31 * 60_000).toISOString(),
      metadata: refs,
      idempotencyKey: "checkout-inv_01-2",
    });
  const expiry = (sessionId: string) => ({ accountId: account, sessionId, amount: 1500, currency: "EUR", metadata: refs });

  it("expires an open session on the merchant's account and answers expired", async () => {
    const session = await open();
    fake.requests.length = 0;
    expect(await stripeProcessor(client()).expireCheckout(expiry(session.id))).toBe("expired");
    const request = only();
    expect(request.method).toBe("POST");
    expect(request.path).toBe(`/v1/checkout/sessions/${session.id}/expire`);
    expect(request.form).toEqual({});
    expectStripeHeaders(request, { account });
  });

  it("answers complete for a session the buyer already paid, and expired again for an expired one", async () => {
    const paid = await open();
    fake.completeSession(paid.id);
    const gone = await open();
    await stripeProcessor(client()).expireCheckout(expiry(gone.id));
    fake.requests.length = 0;

    expect(await stripeProcessor(client()).expireCheckout(expiry(paid.id))).toBe("complete");
    expect(await stripeProcessor(client()).expireCheckout(expiry(gone.id))).toBe("expired");
    // Stripe refuses to expire a closed session (400); the adapter then asks what the session is.
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /v1/checkout/sessions/${paid.id}/expire`,
      `GET /v1/checkout/sessions/${paid.id}`,
      `POST /v1/checkout/sessions/${gone.id}/expire`,
      `GET /v1/checkout/sessions/${gone.id}`,
    ]);
    for (const r of fake.requests) expectStripeHeaders(r, { account });
  });
});

describe("charge", () => {
  const charge = (overrides: Partial<ChargeRequest> = {}): ChargeRequest => ({
    accountId: account,
    amount: 1500,
    currency: "USD",
    paymentMethod: "pm_card_visa",
    description: "Invoice INV-0001",
    metadata: refs,
    idempotencyKey: "charge-inv_01-1",
    offSession: false,
    ...overrides,
  });

  it("confirms an on-session PaymentIntent and maps success, fee and card", async () => {
    const result = await stripeProcessor(client()).charge(charge());

    const request = only();
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/payment_intents");
    expect(request.form).toEqual({
      amount: "1500",
      currency: "usd",
      payment_method: "pm_card_visa",
      confirm: "true",
      off_session: "false",
      "automatic_payment_methods[enabled]": "true",
      "automatic_payment_methods[allow_redirects]": "never",
      description: "Invoice INV-0001",
      ...metadataForm("metadata"),
      "expand[0]": "latest_charge.balance_transaction",
      "expand[1]": "payment_method",
    });
    expectStripeHeaders(request, { account, idempotencyKey: "charge-inv_01-1" });
    expect(result).toEqual({
      status: "succeeded",
      paymentIntentId: expect.stringMatching(/^pi_/),
      chargeId: expect.stringMatching(/^ch_/),
      fee: stripeFee(1500),
      method: { type: "card", brand: "visa", last4: "4242" },
    });
  });

  it("charges a saved method off-session on its customer, without automatic methods", async () => {
    const result = await stripeProcessor(client()).charge(
      charge({
        offSession: true,
        processorCustomerId: "cus_Saved01",
        paymentMethod: "pm_card_mastercard",
        idempotencyKey: "sub_01-period-3-attempt-1",
      }),
    );

    const request = only();
    expect(request.form).toEqual({
      amount: "1500",
      currency: "usd",
      payment_method: "pm_card_mastercard",
      customer: "cus_Saved01",
      confirm: "true",
      off_session: "true",
      description: "Invoice INV-0001",
      ...metadataForm("metadata"),
      "expand[0]": "latest_charge.balance_transaction",
      "expand[1]": "payment_method",
    });
    expectStripeHeaders(request, { account, idempotencyKey: "sub_01-period-3-attempt-1" });
    expect(result).toMatchObject({
      status: "succeeded",
      method: { type: "card", brand: "mastercard", last4: "4444" },
    });
  });

  it("sends no Stripe-Account header without a connected account", async () => {
    const { accountId: _, ...platform } = charge();
    await stripeProcessor(client()).charge(platform);

    expect(only().headers).not.toHaveProperty("stripe-account");
  });

  it("maps a card decline (402) to failed with the issuer's decline code", async () => {
    const result = await stripeProcessor(client()).charge(
      charge({ paymentMethod: "pm_card_chargeDeclinedInsufficientFunds" }),
    );

    expect(result).toEqual({
      status: "failed",
      paymentIntentId: expect.stringMatching(/^pi_/),
      declineCode: "insufficient_funds",
      message: "Your card has insufficient funds.",
      method: { type: "card", brand: "visa", last4: "9995" },
    });
    expect(only().headers["idempotency-key"]).toBe("charge-inv_01-1");
    const declined = await stripeProcessor(client()).retrieve(answered(result).paymentIntentId, account);
    expect(declined.status).toBe("requires_payment_method");
  });

  it("takes the PaymentIntent id from the error's raw body and falls back to the error code", async () => {
    const local = await startStripeFake();
    try {
      local.respond("POST", "/v1/payment_intents", () => ({
        status: 402,
        body: {
          error: {
            type: "card_error",
            code: "expired_card",
            message: "Your card has expired.",
            payment_intent: { id: "pi_Raw01" },
          },
        },
      }));
      const result = await stripeProcessor({ ...client(), port: local.port }).charge(charge());

      expect(result).toEqual({
        status: "failed",
        paymentIntentId: "pi_Raw01",
        declineCode: "expired_card",
        message: "Your card has expired.",
      });
    } finally {
      await local.stop();
    }
  });

  it("maps requires_action (3-D Secure on-session)", async () => {
    const result = await stripeProcessor(client()).charge(
      charge({ paymentMethod: "pm_card_authenticationRequired" }),
    );

    expect(result).toEqual({
      status: "requires_action",
      paymentIntentId: expect.stringMatching(/^pi_/),
      message: expect.any(String),
      method: { type: "card", brand: "visa", last4: "3184" },
    });
  });

  it("maps authentication required off-session to failed: the customer must come back", async () => {
    const result = await stripeProcessor(client()).charge(
      charge({
        paymentMethod: "pm_card_authenticationRequired",
        offSession: true,
        processorCustomerId: "cus_Saved01",
      }),
    );

    expect(result).toMatchObject({ status: "failed", declineCode: "authentication_required" });
  });

  it("maps a bank debit that is still processing, with no fee yet", async () => {
    const result = await stripeProcessor(client()).charge(charge({ paymentMethod: "pm_usBankAccount" }));

    expect(result).toEqual({
      status: "processing",
      paymentIntentId: expect.stringMatching(/^pi_/),
      chargeId: expect.stringMatching(/^ch_/),
      fee: 0,
      method: { type: "bank_debit", bankName: "STRIPE TEST BANK", last4: "6789" },
    });
  });

  it("reports a fee of 0 when the balance transaction is not available", async () => {
    const local = await startStripeFake();
    try {
      local.respond("POST", "/v1/payment_intents", () => ({
        body: stripeFixture("payment_intent", {
          id: "pi_NoBalance01",
          status: "succeeded",
          amount: 1500,
          amount_received: 1500,
          latest_charge: stripeFixture("charge", { id: "ch_NoBalance01", balance_transaction: null }),
        }),
      }));
      const result = await stripeProcessor({ ...client(), port: local.port }).charge(charge());

      expect(result).toEqual({
        status: "succeeded",
        paymentIntentId: "pi_NoBalance01",
        chargeId: "ch_NoBalance01",
        fee: 0,
        method: { type: "card", brand: "visa", last4: "4242" },
      });
    } finally {
      await local.stop();
    }
  });

  it("lets errors other than declines through (the caller reconciles)", async () => {
    const local = await startStripeFake();
    try {
      local.respond("POST", "/v1/payment_intents", () => ({
        status: 400,
        body: {
          error: {
            type: "invalid_request_error",
            code: "resource_missing",
            message: "No such PaymentMethod: 'pm_gone'",
          },
        },
      }));
      await expect(
        stripeProcessor({ ...client(), port: local.port }).charge(charge()),
      ).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    } finally {
      await local.stop();
    }
  });

  it("gives up after the configured timeout, retrying once with the same idempotency key: outcome unknown", async () => {
    const local = await startStripeFake();
    try {
      local.respond("POST", "/v1/payment_intents", neverAnswer);
      const processor = stripeProcessor({ ...client(), port: local.port, timeoutMs: 300 });
      const started = Date.now();

      const result = await processor.charge(charge({ idempotencyKey: "charge-timeout-1" }));

      const elapsed = Date.now() - started;
      expect(result).toEqual({ status: "unknown", message: expect.stringMatching(/timeout/i) });
      expect(elapsed).toBeGreaterThanOrEqual(600);
      expect(elapsed).toBeLessThan(300 * 2 + 500 + 1_000);
      expect(local.requests).toHaveLength(2);
      expect(local.requests.map((request) => request.headers["idempotency-key"])).toEqual([
        "charge-timeout-1",
        "charge-timeout-1",
      ]);
    } finally {
      await local.stop();
    }
  });
});

describe("refund", () => {
  const refund = (overrides: Partial<RefundRequest> = {}): RefundRequest => ({
    accountId: account,
    paymentIntentId: "pi_Refund01",
    amount: 500,
    reason: "requested_by_customer",
    metadata: { ...refs, kassa_refund_id: "ref_01" },
    idempotencyKey: "refund-ref_01",
    ...overrides,
  });

  it("refunds part of a PaymentIntent on the merchant's account", async () => {
    const result = await stripeProcessor(client()).refund(refund());

    const request = only();
    expect(request.method).toBe("POST");
    expect(request.path).toBe("/v1/refunds");
    expect(request.form).toEqual({
      payment_intent: "pi_Refund01",
      amount: "500",
      reason: "requested_by_customer",
      ...metadataForm("metadata"),
      "metadata[kassa_refund_id]": "ref_01",
    });
    expectStripeHeaders(request, { account, idempotencyKey: "refund-ref_01" });
    expect(result).toEqual({ refundId: expect.stringMatching(/^re_/), status: "succeeded", amount: 500 });
  });

  it("omits an absent reason and maps a pending refund", async () => {
    const local = await startStripeFake();
    try {
      local.respond("POST", "/v1/refunds", ({ body }) => ({
        body: stripeFixture("refund", { id: "re_Pending01", amount: Number(body.amount), status: "pending" }),
      }));
      const { reason: _, ...noReason } = refund();
      const result = await stripeProcessor({ ...client(), port: local.port }).refund(noReason);

      expect(local.requests[0]!.form).not.toHaveProperty("reason");
      expect(result).toEqual({ refundId: "re_Pending01", status: "pending", amount: 500 });
    } finally {
      await local.stop();
    }
  });

  it.each([
    ["no answer", "timeout", /timeout/i],
    ["an answer lost after Stripe refunded", "lost", /timeout/i],
    ["a 500 from Stripe", "server_error", /unknown error/],
  ] as const)("reports %s as an unknown outcome, never as a failure", async (_, fault, message) => {
    const local = await startStripeFake();
    try {
      local.fault("POST", "/v1/refunds", fault, 2);
      const processor = stripeProcessor({ ...client(), port: local.port, timeoutMs: 200 });

      const result = await processor.refund(refund());

      expect(result).toEqual({ status: "unknown", message: expect.stringMatching(message) });
      expect(local.requests.map((r) => r.headers["idempotency-key"])).toEqual([
        "refund-ref_01",
        "refund-ref_01",
      ]);
      expect(local.refunds).toHaveLength(fault === "lost" ? 1 : 0);
    } finally {
      await local.stop();
    }
  });

  it("lets a definite refusal through as an error (the caller releases the amount)", async () => {
    const local = await startStripeFake();
    try {
      local.respond("POST", "/v1/refunds", () => ({
        status: 400,
        body: {
          error: {
            type: "invalid_request_error",
            code: "charge_already_refunded",
            message: "Charge ch_1 has already been refunded.",
          },
        },
      }));
      await expect(
        stripeProcessor({ ...client(), port: local.port }).refund(refund()),
      ).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    } finally {
      await local.stop();
    }
  });
});

describe("findRefund", () => {
  it("lists the payment intent's refunds on the merchant's account and finds Kassa's by metadata", async () => {
    const local = await startStripeFake();
    try {
      const processor = stripeProcessor({ ...client(), port: local.port });
      const refund = (kassaRefundId: string, amount: number) =>
        processor.refund({
          accountId: account,
          paymentIntentId: "pi_Find01",
          amount,
          metadata: { ...refs, kassa_refund_id: kassaRefundId },
          idempotencyKey: kassaRefundId,
        });
      await refund("ref_other", 100);
      const mine = answered(await refund("ref_mine", 300));
      local.requests.length = 0;

      const found = await processor.findRefund({
        accountId: account,
        paymentIntentId: "pi_Find01",
        refundId: "ref_mine",
      });

      const request = local.requests[0]!;
      expect(local.requests).toHaveLength(1);
      expect(request.method).toBe("GET");
      expect(request.path).toBe("/v1/refunds");
      expect(request.query).toEqual({ payment_intent: "pi_Find01", limit: "100" });
      expectStripeHeaders(request, { account });
      expect(found).toEqual({ refundId: mine.refundId, status: "succeeded", amount: 300 });
      expect(
        await processor.findRefund({
          accountId: account,
          paymentIntentId: "pi_Find01",
          refundId: "ref_none",
        }),
      ).toBeUndefined();
    } finally {
      await local.stop();
    }
  });
});

describe("retrieve", () => {
  it("reads the PaymentIntent on the merchant's account", async () => {
    const created = answered(
      await stripeProcessor(client()).charge({
        accountId: account,
        amount: 2500,
        currency: "usd",
        paymentMethod: "pm_card_visa",
        description: "x",
        metadata: refs,
        idempotencyKey: "charge-retrieve-1",
        offSession: false,
      }),
    );
    fake.requests.length = 0;

    const state = await stripeProcessor(client()).retrieve(created.paymentIntentId, account);

    const request = only();
    expect(request.method).toBe("GET");
    expect(request.path).toBe(`/v1/payment_intents/${created.paymentIntentId}`);
    expect(request.rawBody).toBe("");
    expect(request.query).toEqual({});
    expectStripeHeaders(request, { account });
    expect(state).toEqual({ status: "succeeded", amount: 2500, amountReceived: 2500 });
  });
});

describe("Connect onboarding", () => {
  it("creates a standard account tagged with the merchant", async () => {
    const accountId = await stripeConnect(client()).createConnectedAccount("owner@shop.example", {
      merchantId: "mer_01",
      idempotencyKey: "connect-mer_01",
    });

    const request = only();
    expect(request.path).toBe("/v1/accounts");
    expect(request.form).toEqual({
      type: "standard",
      email: "owner@shop.example",
      "metadata[kassa_merchant_id]": "mer_01",
    });
    expectStripeHeaders(request, { idempotencyKey: "connect-mer_01" });
    expect(accountId).toMatch(/^acct_/);
  });

  it("returns the hosted onboarding link for the account", async () => {
    const url = await stripeConnect(client()).accountLink(
      account,
      "https://kassa.test/connect/refresh",
      "https://kassa.test/connect/done",
    );

    const request = only();
    expect(request.path).toBe("/v1/account_links");
    expect(request.form).toEqual({
      account,
      refresh_url: "https://kassa.test/connect/refresh",
      return_url: "https://kassa.test/connect/done",
      type: "account_onboarding",
    });
    expectStripeHeaders(request, {});
    expect(request.headers["idempotency-key"]).toMatch(/^stripe-node-retry-/);
    expect(url).toMatch(new RegExp(`^https://connect\\.stripe\\.com/setup/s/${account}/`));
  });
});

describe("verifyStripeWebhook", () => {
  const secret = "whsec_kassa_test_0123456789abcdef";
  const now = 1_790_000_000;
  const event = stripeFixture("event", {
    id: "evt_Kassa01",
    type: "payment_intent.succeeded",
    api_version: STRIPE_API_VERSION,
    account,
    created: now - 5,
    data: {
      object: stripeFixture("payment_intent", {
        id: "pi_Webhook01",
        status: "succeeded",
        amount: 1500,
        amount_received: 1500,
        metadata: refs,
      }),
    },
  });
  const payload = JSON.stringify(event, null, 2);
  const sign = (body: string, options: { secret?: string; timestamp?: number } = {}) =>
    Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: options.secret ?? secret,
      timestamp: options.timestamp ?? now,
    });

  it("returns the event when the signature matches", () => {
    expect(verifyStripeWebhook(payload, sign(payload), secret, now)).toEqual(event);
  });

  it("accepts a signature within 5 minutes, using the clock when no time is given", () => {
    expect(verifyStripeWebhook(payload, sign(payload, { timestamp: now - 299 }), secret, now).id).toBe(
      "evt_Kassa01",
    );
    const fresh = Math.floor(Date.now() / 1000);
    expect(verifyStripeWebhook(payload, sign(payload, { timestamp: fresh }), secret).id).toBe("evt_Kassa01");
  });

  it.each([
    [
      "a wrong secret",
      () => [payload, sign(payload, { secret: "whsec_someone_else_0123456789" })],
      /No signatures found matching/,
    ],
    [
      "a tampered body",
      () => [payload.replace('"amount": 1500', '"amount": 1'), sign(payload)],
      /No signatures found matching/,
    ],
    [
      "a timestamp older than 5 minutes",
      () => [payload, sign(payload, { timestamp: now - 301 })],
      /tolerance/,
    ],
    ["a malformed header", () => [payload, "not-a-signature"], /Unable to extract timestamp/],
  ] satisfies [string, () => [string, string], RegExp][])(
    "rejects %s with a 400-mapped error",
    (_, input, reason) => {
      const [body, header] = input();
      const attempt = () => verifyStripeWebhook(body, header, secret, now);

      expect(attempt).toThrow(WebhookSignatureError);
      expect(attempt).toThrow(reason);
      try {
        attempt();
      } catch (error) {
        expect((error as Error).name).toBe("ValidationError");
        expect((error as Error).message).not.toContain("\n");
      }
    },
  );

  it("rejects a missing or empty signature header", () => {
    expect(() => verifyStripeWebhook(payload, undefined, secret, now)).toThrow(WebhookSignatureError);
    expect(() => verifyStripeWebhook(payload, "", secret, now)).toThrow(/missing Stripe-Signature header/);
  });

  it("accepts a header with several v1 signatures when one is right (a secret being rolled)", () => {
    const right = sign(payload);
    const wrong = sign(payload, { secret: "whsec_old_secret_0123456789" });
    const v1 = (header: string) => header.split(",").find((part) => part.startsWith("v1="));
    const rolled = `t=${now},${v1(wrong)},${v1(right)}`;
    expect(verifyStripeWebhook(payload, rolled, secret, now).id).toBe("evt_Kassa01");
    expect(() => verifyStripeWebhook(payload, `t=${now},${v1(wrong)},${v1(wrong)}`, secret, now)).toThrow(
      /No signatures found matching/,
    );
    // The signature binds the timestamp: a fresh t= with an old v1 does not match.
    expect(() => verifyStripeWebhook(payload, `t=${now + 1},${v1(right)}`, secret, now + 1)).toThrow(
      /No signatures found matching/,
    );
  });

  it("rejects a header with no v1 signature", () => {
    expect(() => verifyStripeWebhook(payload, `t=${now},v0=abc`, secret, now)).toThrow(
      /No signatures found with expected scheme/,
    );
  });

  it("treats a missing endpoint secret as a configuration fault, never as unverified input", () => {
    const attempt = () => verifyStripeWebhook(payload, sign(payload), "  ", now);

    expect(attempt).toThrow(/endpoint secret is not configured/);
    expect(attempt).not.toThrow(WebhookSignatureError);
  });
});

describe("loadStripeProcessor", () => {
  it("reads the platform key from the environment and honours an API base", async () => {
    process.env.STRIPE_SECRET_KEY = secretKey;
    try {
      const processor = await loadStripeProcessor(`http://127.0.0.1:${fake.port}`);
      await processor.refund({
        paymentIntentId: "pi_Loaded01",
        amount: 100,
        metadata: { ...refs, kassa_refund_id: "ref_02" },
        idempotencyKey: "refund-ref_02",
      });

      expect(processor.name).toBe("stripe");
      expect(await loadStripeProcessor(`http://127.0.0.1:${fake.port}`)).toBe(processor);
      expectStripeHeaders(only(), { idempotencyKey: "refund-ref_02" });
    } finally {
      delete process.env.STRIPE_SECRET_KEY;
    }
  });

  it("parses an API base into the SDK's host, port and protocol", () => {
    expect(stripeEndpoint("http://127.0.0.1:4010")).toEqual({
      host: "127.0.0.1",
      port: 4010,
      protocol: "http",
    });
    expect(stripeEndpoint("https://api.stripe.com")).toEqual({ host: "api.stripe.com", protocol: "https" });
  });
});
