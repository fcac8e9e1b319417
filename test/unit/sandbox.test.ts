/**
 * The sandbox processor: Stripe's test methods and their outcomes, fees (hand-worked and against an
 * independent exact computation), the Stripe-shaped events it emits, signatures made and checked by
 * the `stripe` SDK, refunds, bank debits that settle later, checkout, and the event builders.
 */
import { createHmac } from "node:crypto";
import fc from "fast-check";
import Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { fixedClock } from "../../shared/domain/clock.ts";
import type { ChargeRequest, CheckoutRequest, KassaRefs } from "../../shared/payments/processor.ts";
import {
  type BankDebitSettlement,
  parseSandboxPaymentIntentId,
  sandboxProcessor,
} from "../../shared/payments/sandbox.ts";
import {
  decideSandboxCharge,
  findTestMethod,
  sandboxFee,
  sandboxTestMethods,
} from "../../shared/payments/sandbox-cards.ts";
import { signEvent, signPayload } from "../../shared/payments/signing.ts";
import { isSignatureVerificationError, verifySignedEvent } from "../../shared/payments/verification.ts";
import { accountUpdatedEvent } from "../../shared/stripe-shapes/accounts.ts";
import { checkoutSessionCompletedEvent } from "../../shared/stripe-shapes/checkout-sessions.ts";
import { disputeEvent } from "../../shared/stripe-shapes/disputes.ts";
import { stripeLikeId } from "../../shared/stripe-shapes/ids.ts";
import { paymentIntentEvent } from "../../shared/stripe-shapes/payment-intents.ts";
import { payoutEvent } from "../../shared/stripe-shapes/payouts.ts";
import { chargeRefundedEvent } from "../../shared/stripe-shapes/refunds.ts";
import { STRIPE_API_VERSION } from "../../shared/payments/stripe-version.ts";

const start = new Date("2026-03-01T12:00:00Z");
const startSeconds = start.getTime() / 1000;
const refs: KassaRefs = { kassa_merchant_id: "mer_1", kassa_payment_id: "pay_1", kassa_invoice_id: "inv_1" };

function setup(extra: { sandboxPageUrl?: (id: string) => string; counterIds?: boolean } = {}) {
  const events: Stripe.Event[] = [];
  const settlements: BankDebitSettlement[] = [];
  const clock = fixedClock(start);
  let n = 0;
  const processor = sandboxProcessor({
    clock,
    events: async (event) => {
      events.push(event);
    },
    scheduleSettlement: async (settlement) => {
      settlements.push(settlement);
    },
    ...(extra.counterIds ? { newId: (prefix: string) => `${prefix}_${++n}` } : {}),
    ...(extra.sandboxPageUrl ? { sandboxPageUrl: extra.sandboxPageUrl } : {}),
  });
  return { processor, events, settlements, clock };
}

const chargeRequest = (paymentMethod: string, overrides: Partial<ChargeRequest> = {}): ChargeRequest => ({
  amount: 1000,
  currency: "USD",
  paymentMethod,
  description: "Invoice INV-0001",
  metadata: refs,
  idempotencyKey: `inv_1-attempt-${paymentMethod}`,
  offSession: false,
  ...overrides,
});

const onlyEvent = (events: Stripe.Event[]): Stripe.Event => {
  expect(events).toHaveLength(1);
  return events[0]!;
};

describe("sandbox fees", () => {
  it("are 2.9 % + 30 minor units, rounded half away from zero (hand-worked)", () => {
    expect(sandboxFee(1000, "USD")).toBe(59); // 29 + 30
    expect(sandboxFee(12345, "USD")).toBe(388); // 358.005 → 358, + 30
    expect(sandboxFee(0, "USD")).toBe(30);
    expect(sandboxFee(1000, "JPY")).toBe(59); // ¥29 + ¥30: the fixed part is literally 30 minor units
    expect(sandboxFee(50, "usd", { percent: 1, fixed: 0 })).toBe(1); // 0.5 rounds away from zero
    expect(sandboxFee(49, "usd", { percent: 1, fixed: 0 })).toBe(0); // 0.49
    expect(sandboxFee(1001, "EUR", { percent: 1.5, fixed: 25 })).toBe(40); // 15.015 → 15, + 25
    expect(sandboxFee(10_000, "EUR", { percent: 0 })).toBe(30);
  });

  it("reject what is not an amount, a currency or a percentage", () => {
    expect(() => sandboxFee(-1, "USD")).toThrow(RangeError);
    expect(() => sandboxFee(1.5, "USD")).toThrow(RangeError);
    expect(() => sandboxFee(100, "XXX")).toThrow(RangeError);
    expect(() => sandboxFee(100, "USD", { percent: 101 })).toThrow(RangeError);
    expect(() => sandboxFee(100, "USD", { percent: 2.12345 })).toThrow(RangeError);
    expect(() => sandboxFee(100, "USD", { fixed: -1 })).toThrow(RangeError);
  });

  // Everyday amounts, and any safe amount that leaves room for the fixed part.
  const amount = fc.oneof(
    fc.integer({ min: 0, max: 100_000_000 }),
    fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 10_000 }),
  );
  const percent = fc.integer({ min: 0, max: 1_000_000 }).map((tenThousandths) => tenThousandths / 10_000);
  const fixed = fc.integer({ min: 0, max: 10_000 });

  it("are never negative and never exceed the amount plus the fixed part", () => {
    fc.assert(
      fc.property(amount, percent, fixed, (a, p, f) => {
        const fee = sandboxFee(a, "USD", { percent: p, fixed: f });
        expect(Number.isSafeInteger(fee)).toBe(true);
        expect(fee).toBeGreaterThanOrEqual(0);
        expect(fee).toBeLessThanOrEqual(a + f);
      }),
      { numRuns: 500 },
    );
  });

  it("equal the exact rational a·p/100 rounded half away from zero, plus fixed", () => {
    fc.assert(
      fc.property(amount, fc.integer({ min: 0, max: 1_000_000 }), fixed, (a, p4, f) => {
        // a × (p4 / 10⁴) / 100 = a·p4 / 10⁶; half away from zero for non-negative values is floor(x + ½).
        const num = 2n * BigInt(a) * BigInt(p4) + 1_000_000n;
        const expected = Number(num / 2_000_000n) + f;
        expect(sandboxFee(a, "USD", { percent: p4 / 10_000, fixed: f })).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it("never fall when the amount grows", () => {
    fc.assert(
      fc.property(amount, amount, (x, y) => {
        const [lo, hi] = x <= y ? [x, y] : [y, x];
        expect(sandboxFee(lo, "USD")).toBeLessThanOrEqual(sandboxFee(hi, "USD"));
      }),
    );
  });
});

describe("sandbox test methods", () => {
  const expected = [
    ["pm_card_visa", "4242424242424242", { type: "card", brand: "visa", last4: "4242" }],
    ["pm_card_mastercard", "5555555555554444", { type: "card", brand: "mastercard", last4: "4444" }],
    ["pm_card_chargeDeclined", "4000000000000002", { type: "card", brand: "visa", last4: "0002" }],
    ["pm_card_insufficientFunds", "4000000000009995", { type: "card", brand: "visa", last4: "9995" }],
    ["pm_card_authenticationRequired", "4000002760003184", { type: "card", brand: "visa", last4: "3184" }],
    ["pm_card_chargeCustomerFail", "4000000000000341", { type: "card", brand: "visa", last4: "0341" }],
    [
      "pm_card_visa_chargeDeclinedLostCard",
      "4000000000009987",
      { type: "card", brand: "visa", last4: "9987" },
    ],
    [
      "pm_usBankAccount_success",
      "000123456789",
      { type: "bank_debit", bankName: "STRIPE TEST BANK", last4: "6789" },
    ],
  ] as const;

  it.each(expected)("%s / %s gives its brand and last 4", (token, number, details) => {
    expect(findTestMethod(token)?.details).toEqual(details);
    expect(findTestMethod(number)?.token).toBe(token);
  });

  it("accepts card numbers with spaces (and dashes), not mangled tokens", () => {
    expect(findTestMethod("4242 4242 4242 4242")?.token).toBe("pm_card_visa");
    expect(findTestMethod(" 4000-0000-0000-9995 ")?.token).toBe("pm_card_insufficientFunds");
    expect(findTestMethod("pm_card_VISA")).toBeUndefined();
    expect(findTestMethod("4111111111111111")).toBeUndefined();
    expect(sandboxTestMethods).toHaveLength(expected.length);
  });

  it("decides outcomes like Stripe's test cards", () => {
    expect(decideSandboxCharge("pm_card_visa", { offSession: true }).status).toBe("succeeded");
    expect(decideSandboxCharge("pm_usBankAccount_success", { offSession: true }).status).toBe("processing");
    expect(decideSandboxCharge("pm_card_authenticationRequired", { offSession: false }).status).toBe(
      "requires_action",
    );
    expect(decideSandboxCharge("pm_card_authenticationRequired", { offSession: true })).toMatchObject({
      status: "failed",
      code: "authentication_required",
      declineCode: "authentication_required",
    });
    expect(decideSandboxCharge("nope", { offSession: false })).toMatchObject({
      status: "failed",
      declineCode: "invalid_payment_method",
    });
  });
});

describe("sandbox charges", () => {
  it.each([
    ["pm_card_visa", "visa", "4242"],
    ["5555 5555 5555 4444", "mastercard", "4444"],
  ])("%s succeeds with a fee and emits payment_intent.succeeded", async (method, brand, last4) => {
    const { processor, events } = setup();
    const result = await processor.charge(chargeRequest(method));
    expect(result).toMatchObject({ status: "succeeded", fee: 59, method: { type: "card", brand, last4 } });
    if (result.status !== "succeeded") throw new Error("unreachable");
    expect(result.paymentIntentId).toMatch(/^pi_[A-Za-z0-9]{24}_s1000usd$/);
    expect(result.chargeId).toBe(`ch_${result.paymentIntentId.slice(3)}`);

    const event = onlyEvent(events);
    expect(event).toMatchObject({
      object: "event",
      type: "payment_intent.succeeded",
      api_version: STRIPE_API_VERSION,
      created: startSeconds,
      livemode: false,
    });
    expect(event.id).toMatch(/^evt_[A-Za-z0-9]{24}$/);
    expect(event.account).toBeUndefined();
    if (event.type !== "payment_intent.succeeded") throw new Error("unreachable");
    const pi = event.data.object;
    expect(pi).toMatchObject({
      object: "payment_intent",
      id: result.paymentIntentId,
      amount: 1000,
      amount_received: 1000,
      currency: "usd",
      status: "succeeded",
      metadata: refs,
      last_payment_error: null,
      payment_method: findTestMethod(method)!.token,
      description: "Invoice INV-0001",
    });
    const charge = pi.latest_charge as Stripe.Charge;
    expect(charge).toMatchObject({
      object: "charge",
      id: result.chargeId,
      status: "succeeded",
      paid: true,
      amount: 1000,
      currency: "usd",
      payment_intent: pi.id,
      metadata: refs,
      payment_method_details: { type: "card", card: { brand, last4 } },
      balance_transaction: {
        object: "balance_transaction",
        amount: 1000,
        fee: 59,
        net: 941,
        currency: "usd",
      },
    });
  });

  it.each([
    ["pm_card_chargeDeclined", "generic_decline", "Your card was declined.", "0002"],
    ["4000000000009995", "insufficient_funds", "Your card has insufficient funds.", "9995"],
  ])(
    "%s is declined with %s and emits payment_intent.payment_failed",
    async (method, declineCode, message, last4) => {
      const { processor, events } = setup();
      const result = await processor.charge(chargeRequest(method, { offSession: true }));
      expect(result).toMatchObject({
        status: "failed",
        declineCode,
        message,
        method: { type: "card", brand: "visa", last4 },
      });
      const event = onlyEvent(events);
      expect(event.type).toBe("payment_intent.payment_failed");
      if (event.type !== "payment_intent.payment_failed") throw new Error("unreachable");
      const pi = event.data.object;
      expect(pi).toMatchObject({
        object: "payment_intent",
        id: result.paymentIntentId,
        amount: 1000,
        amount_received: 0,
        currency: "usd",
        status: "requires_payment_method",
        metadata: { kassa_payment_id: "pay_1" },
        last_payment_error: { type: "card_error", code: "card_declined", decline_code: declineCode, message },
      });
      expect((pi.latest_charge as Stripe.Charge).status).toBe("failed");
      expect((pi.latest_charge as Stripe.Charge).outcome?.reason).toBe(declineCode);
      expect(pi.last_payment_error?.charge).toBe((pi.latest_charge as Stripe.Charge).id);
    },
  );

  it("asks for authentication when the buyer is present, fails with authentication_required when not", async () => {
    const present = setup();
    const onSession = await present.processor.charge(chargeRequest("pm_card_authenticationRequired"));
    expect(onSession).toMatchObject({ status: "requires_action", method: { brand: "visa", last4: "3184" } });
    const action = onlyEvent(present.events);
    expect(action.type).toBe("payment_intent.requires_action");
    expect(action.data.object).toMatchObject({
      status: "requires_action",
      latest_charge: null,
      next_action: { type: "use_stripe_sdk" },
    });

    const absent = setup();
    const offSession = await absent.processor.charge(
      chargeRequest("4000 0027 6000 3184", { offSession: true }),
    );
    expect(offSession).toMatchObject({ status: "failed", declineCode: "authentication_required" });
    const failed = onlyEvent(absent.events);
    expect(failed.type).toBe("payment_intent.payment_failed");
    expect(failed.data.object).toMatchObject({
      last_payment_error: { code: "authentication_required", decline_code: "authentication_required" },
    });
  });

  it("fails an unknown method with invalid_payment_method, without echoing what was typed", async () => {
    const { processor, events } = setup();
    const result = await processor.charge(
      chargeRequest("4111 1111 1111 1111", { idempotencyKey: "inv_1-attempt-1" }),
    );
    expect(result).toMatchObject({ status: "failed", declineCode: "invalid_payment_method" });
    expect("method" in result).toBe(false);
    const event = onlyEvent(events);
    expect(event.data.object).toMatchObject({
      object: "payment_intent",
      payment_method: null,
      latest_charge: null,
      last_payment_error: { type: "invalid_request_error", decline_code: "invalid_payment_method" },
    });
    expect(JSON.stringify(event)).not.toContain("4111");
  });

  it("gives a retried request the same ids and the same event ids (the consumer deduplicates)", async () => {
    const { processor, events } = setup();
    const first = await processor.charge(chargeRequest("pm_card_visa"));
    const second = await processor.charge(chargeRequest("pm_card_visa"));
    const other = await processor.charge(
      chargeRequest("pm_card_visa", { idempotencyKey: "inv_1-attempt-2" }),
    );
    expect(second).toEqual(first);
    expect(events[1]).toEqual(events[0]);
    expect(other.paymentIntentId).not.toBe(first.paymentIntentId);
    expect(events[2]!.id).not.toBe(events[0]!.id);
  });

  it("uses an injected id generator and names the connected account", async () => {
    const { processor, events } = setup({ counterIds: true });
    const result = await processor.charge(chargeRequest("pm_card_visa", { accountId: "acct_123" }));
    expect(result.paymentIntentId).toBe("pi_1_s1000usd");
    expect(events[0]).toMatchObject({ id: "evt_2", account: "acct_123" });
  });

  it("refuses amounts and currencies no network would take", async () => {
    const { processor, events } = setup();
    await expect(processor.charge(chargeRequest("pm_card_visa", { amount: 0 }))).rejects.toThrow(RangeError);
    await expect(processor.charge(chargeRequest("pm_card_visa", { currency: "ABC" }))).rejects.toThrow(
      RangeError,
    );
    expect(events).toHaveLength(0);
  });

  it("answers retrieve from the payment intent id", async () => {
    const { processor } = setup();
    const ok = await processor.charge(chargeRequest("pm_card_visa", { amount: 2500 }));
    const declined = await processor.charge(chargeRequest("pm_card_chargeDeclined", { amount: 2500 }));
    expect(await processor.retrieve(ok.paymentIntentId)).toEqual({
      status: "succeeded",
      amount: 2500,
      amountReceived: 2500,
    });
    expect(await processor.retrieve(declined.paymentIntentId)).toEqual({
      status: "requires_payment_method",
      amount: 2500,
      amountReceived: 0,
    });
    expect(await processor.retrieve("pi_3MtwBwLkdIwHu7ix28a3tqPa")).toEqual({
      status: "unknown",
      amount: 0,
      amountReceived: 0,
    });
  });
});

describe("sandbox bank debits", () => {
  it("are processing first, then settle to succeeded when the scheduled settlement runs", async () => {
    const { processor, events, settlements, clock } = setup();
    const result = await processor.charge(
      chargeRequest("pm_usBankAccount_success", { amount: 12345, accountId: "acct_9" }),
    );
    expect(result).toMatchObject({
      status: "processing",
      fee: 388,
      method: { type: "bank_debit", bankName: "STRIPE TEST BANK", last4: "6789" },
    });
    const processing = onlyEvent(events);
    expect(processing.type).toBe("payment_intent.processing");
    expect(processing.data.object).toMatchObject({
      status: "processing",
      amount: 12345,
      currency: "usd",
      payment_method_types: ["us_bank_account"],
      latest_charge: { status: "pending", paid: false, balance_transaction: null },
    });
    expect(settlements).toEqual([
      {
        paymentIntentId: result.paymentIntentId,
        metadata: refs,
        accountId: "acct_9",
        description: "Invoice INV-0001",
        settleAt: "2026-03-01T12:01:00.000Z",
      },
    ]);
    expect(await processor.retrieve(result.paymentIntentId)).toMatchObject({ status: "processing" });

    clock.advance(60_000);
    const settlement = settlements[0]!;
    const settled = await processor.settleBankDebit(settlement.paymentIntentId, settlement);
    expect(settled).toEqual({ ...result, status: "succeeded" });
    const succeeded = events[1]!;
    expect(succeeded).toMatchObject({
      type: "payment_intent.succeeded",
      account: "acct_9",
      created: startSeconds + 60,
    });
    if (succeeded.type !== "payment_intent.succeeded") throw new Error("unreachable");
    expect(succeeded.data.object).toMatchObject({
      id: result.paymentIntentId,
      status: "succeeded",
      amount_received: 12345,
      metadata: refs,
      latest_charge: {
        status: "succeeded",
        payment_method_details: {
          type: "us_bank_account",
          us_bank_account: { bank_name: "STRIPE TEST BANK", last4: "6789" },
        },
        balance_transaction: { fee: 388, net: 11957 },
      },
    });
  });

  it("refuses to settle what is not a sandbox bank debit", async () => {
    const { processor } = setup();
    const card = await processor.charge(chargeRequest("pm_card_visa"));
    await expect(processor.settleBankDebit(card.paymentIntentId, { metadata: refs })).rejects.toThrow(
      RangeError,
    );
    await expect(processor.settleBankDebit("pi_123", { metadata: refs })).rejects.toThrow(RangeError);
  });
});

describe("sandbox refunds", () => {
  const refundRefs = { ...refs, kassa_refund_id: "re_01KASSA" };

  it("succeed at once and emit charge.refunded with the cumulative amount_refunded", async () => {
    const { processor, events } = setup();
    const paid = await processor.charge(chargeRequest("pm_card_visa"));
    const result = await processor.refund({
      paymentIntentId: paid.paymentIntentId,
      amount: 300,
      previouslyRefunded: 200,
      reason: "requested_by_customer",
      metadata: refundRefs,
      idempotencyKey: "re_01KASSA",
    });
    expect(result).toMatchObject({ status: "succeeded", amount: 300 });
    expect(result.refundId).toMatch(/^re_[A-Za-z0-9]{24}$/);
    const event = events[1]!;
    expect(event.type).toBe("charge.refunded");
    if (event.type !== "charge.refunded") throw new Error("unreachable");
    const charge = event.data.object;
    expect(charge).toMatchObject({
      object: "charge",
      id: paid.status === "succeeded" ? paid.chargeId : "",
      payment_intent: paid.paymentIntentId,
      amount: 1000,
      amount_refunded: 500,
      refunded: false,
      currency: "usd",
      metadata: refs,
    });
    expect(charge.metadata).not.toHaveProperty("kassa_refund_id");
    expect(charge.refunds).toMatchObject({
      has_more: true,
      data: [{ object: "refund", id: result.refundId, amount: 300 }],
    });
    expect(charge.refunds?.data[0]).toMatchObject({
      status: "succeeded",
      reason: "requested_by_customer",
      metadata: refundRefs,
      charge: charge.id,
    });
  });

  it("mark the charge refunded when the last of it goes back", async () => {
    const { processor, events } = setup();
    const paid = await processor.charge(chargeRequest("pm_card_visa"));
    await processor.refund({
      paymentIntentId: paid.paymentIntentId,
      amount: 1000,
      metadata: refundRefs,
      idempotencyKey: "r",
    });
    expect(events[1]!.data.object).toMatchObject({
      amount_refunded: 1000,
      refunded: true,
      refunds: { has_more: false },
    });
  });

  it("fail without an event for a non-positive amount, more than remains, or a payment that never succeeded", async () => {
    const { processor, events } = setup();
    const paid = await processor.charge(chargeRequest("pm_card_visa"));
    const declined = await processor.charge(chargeRequest("pm_card_chargeDeclined"));
    const base = { metadata: refundRefs, idempotencyKey: "r" };
    const attempts = [
      { ...base, paymentIntentId: paid.paymentIntentId, amount: 0 },
      { ...base, paymentIntentId: paid.paymentIntentId, amount: -5 },
      { ...base, paymentIntentId: paid.paymentIntentId, amount: 1, previouslyRefunded: 1000 },
      { ...base, paymentIntentId: declined.paymentIntentId, amount: 100 },
      { ...base, paymentIntentId: "pi_3MtwBwLkdIwHu7ix28a3tqPa", amount: 100 },
    ];
    for (const attempt of attempts) expect((await processor.refund(attempt)).status).toBe("failed");
    expect(events).toHaveLength(2);
  });
});

describe("sandbox checkout", () => {
  const checkout: CheckoutRequest = {
    amount: 4200,
    currency: "EUR",
    description: "Invoice INV-0002",
    customerEmail: "buyer@example.com",
    savePaymentMethod: true,
    successUrl: "https://pay.example/ok",
    cancelUrl: "https://pay.example/cancel",
    expiresAt: new Date(start.getTime() + 30 * 60_000).toISOString(),
    metadata: refs,
    idempotencyKey: "inv_1-checkout-1",
  };

  it("points the buyer at the sandbox card page, the same session for the same request", async () => {
    const { processor, events } = setup({ sandboxPageUrl: (id) => `/sandbox/checkout/${id}` });
    const session = await processor.createCheckout(checkout);
    expect(session.id).toMatch(/^cs_test_[A-Za-z0-9]{24}$/);
    expect(session.url).toBe(`/sandbox/checkout/${session.id}`);
    expect(await processor.createCheckout(checkout)).toEqual(session);
    expect(events).toHaveLength(0);
  });

  it("expires a session like Stripe (checkout.session.expired), the same event when asked again", async () => {
    const { processor, events } = setup({ sandboxPageUrl: (id) => `/sandbox/checkout/${id}` });
    const session = await processor.createCheckout(checkout);
    const expiry = { sessionId: session.id, amount: 4200, currency: "EUR", metadata: refs };
    expect(await processor.expireCheckout(expiry)).toBe("expired");
    expect(await processor.expireCheckout(expiry)).toBe("expired");
    expect(events.map((e) => e.type)).toEqual(["checkout.session.expired", "checkout.session.expired"]);
    expect(events[1]!.id).toBe(events[0]!.id);
    expect(events[0]!.data.object).toMatchObject({
      object: "checkout.session",
      id: session.id,
      status: "expired",
      payment_status: "unpaid",
      payment_intent: null,
      amount_total: 4200,
      currency: "eur",
      metadata: refs,
    });
  });

  it("needs the sandbox page's address to start a checkout", async () => {
    const { processor } = setup();
    await expect(processor.createCheckout(checkout)).rejects.toThrow(/sandboxPageUrl/);
  });
});

describe("signing", () => {
  const secret = "whsec_test_secret";

  it("signs like Stripe and verifies sandbox and Stripe events alike", async () => {
    const { processor, events } = setup();
    await processor.charge(chargeRequest("pm_card_visa"));
    const { payload, signature } = signEvent(events[0]!, secret, startSeconds);
    const expectedHmac = createHmac("sha256", secret).update(`${startSeconds}.${payload}`).digest("hex");
    expect(signature).toBe(`t=${startSeconds},v1=${expectedHmac}`);
    expect(verifySignedEvent(payload, signature, secret, startSeconds + 299)).toEqual(events[0]);
    // A payload signed by the SDK's own helper, as Stripe would, passes the same check.
    const stripeSigned = Stripe.webhooks.generateTestHeaderString({
      payload,
      secret,
      timestamp: startSeconds,
    });
    expect(signature).toBe(stripeSigned);
    expect(verifySignedEvent(Buffer.from(payload), stripeSigned, secret, startSeconds).id).toBe(
      events[0]!.id,
    );
  });

  it("rejects a tampered payload, a wrong secret and a stale timestamp", () => {
    const payload = JSON.stringify({ id: "evt_1", object: "event", type: "payment_intent.succeeded" });
    const header = signPayload(payload, secret, startSeconds);
    const failures = [
      () => verifySignedEvent(payload.replace("evt_1", "evt_2"), header, secret, startSeconds),
      () => verifySignedEvent(payload, header, "whsec_other", startSeconds),
      () => verifySignedEvent(payload, header, secret, startSeconds + 301),
      () => verifySignedEvent(payload, header, secret, startSeconds + 61, 60),
      () => verifySignedEvent(payload, "t=1,v1=00", secret, startSeconds),
      () => verifySignedEvent(payload, header, "", startSeconds),
    ];
    for (const verify of failures) {
      let caught: unknown;
      try {
        verify();
      } catch (error) {
        caught = error;
      }
      expect(isSignatureVerificationError(caught)).toBe(true);
    }
    expect(verifySignedEvent(payload, header, secret, startSeconds + 300).id).toBe("evt_1");
  });

  it("accepts any one matching v1 signature of several, and compares the timestamp's age to the tolerance", () => {
    const payload = JSON.stringify({ id: "evt_1", object: "event", type: "payment_intent.succeeded" });
    const right = signPayload(payload, secret, startSeconds).split(",")[1];
    const wrong = signPayload(payload, "whsec_other", startSeconds).split(",")[1];
    expect(verifySignedEvent(payload, `t=${startSeconds},${wrong},${right}`, secret, startSeconds).id).toBe("evt_1");
    expect(() => verifySignedEvent(payload, `t=${startSeconds},${wrong}`, secret, startSeconds)).toThrow(
      /No signatures found matching/,
    );
    // Expired: one second past the tolerance, with the right signature.
    expect(() =>
      verifySignedEvent(payload, `t=${startSeconds},${right}`, secret, startSeconds + 301),
    ).toThrow(/Timestamp outside the tolerance zone/);
  });

  it("never signs at the wall clock by accident, nor verifies without an age limit", () => {
    expect(() => signPayload("{}", secret, 0)).toThrow(RangeError);
    expect(() => signPayload("{}", secret, 1.5)).toThrow(RangeError);
    expect(() => signPayload("{}", "", startSeconds)).toThrow(RangeError);
    const header = signPayload("{}", secret, startSeconds);
    expect(() => verifySignedEvent("{}", header, secret, startSeconds, 0)).toThrow(RangeError);
  });
});

describe("Stripe-shaped event builders", () => {
  const created = startSeconds;

  it("pin the SDK's API version and derive stable ids from their input", () => {
    expect(STRIPE_API_VERSION).toBe(Stripe.API_VERSION);
    expect(stripeLikeId("pi", "a")).toBe(stripeLikeId("pi", "a"));
    expect(stripeLikeId("pi", "a")).not.toBe(stripeLikeId("pi", "b"));
    const input = { id: "pi_1", amount: 500, currency: "GBP", metadata: refs, created, latestCharge: "ch_1" };
    const event = paymentIntentEvent("payment_intent.succeeded", input);
    expect(paymentIntentEvent("payment_intent.succeeded", input)).toEqual(event);
    expect(event.data.object).toMatchObject({ currency: "gbp", latest_charge: "ch_1", status: "succeeded" });
    expect(paymentIntentEvent("payment_intent.processing", input).id).not.toBe(event.id);
    expect(paymentIntentEvent("payment_intent.succeeded", { ...input, eventId: "evt_given" }).id).toBe(
      "evt_given",
    );
  });

  it("build charge.refunded and checkout.session.completed from inputs", () => {
    const refunded = chargeRefundedEvent({
      created,
      chargeId: "ch_1",
      paymentIntentId: "pi_1",
      amount: 1000,
      currency: "USD",
      amountRefunded: 1000,
      metadata: refs,
      refund: { id: "re_1", amount: 1000, metadata: { ...refs, kassa_refund_id: "re_k" } },
    });
    expect(refunded).toMatchObject({
      type: "charge.refunded",
      data: {
        object: { object: "charge", amount_refunded: 1000, refunded: true, refunds: { has_more: false } },
      },
    });
    const session = checkoutSessionCompletedEvent({
      created,
      id: "cs_test_1",
      paymentIntentId: "pi_1",
      amount: 700,
      currency: "JPY",
      metadata: refs,
    });
    expect(session.data.object).toMatchObject({
      object: "checkout.session",
      currency: "jpy",
      payment_status: "paid",
      amount_total: 700,
    });
  });

  it("build disputes, payouts and account updates with the connected account", () => {
    const dispute = disputeEvent("charge.dispute.created", {
      created,
      accountId: "acct_1",
      id: "dp_1",
      chargeId: "ch_1",
      paymentIntentId: "pi_1",
      amount: 1000,
      currency: "USD",
      reason: "fraudulent",
    });
    expect(dispute).toMatchObject({
      type: "charge.dispute.created",
      account: "acct_1",
      data: {
        object: {
          object: "dispute",
          id: "dp_1",
          status: "needs_response",
          reason: "fraudulent",
          payment_intent: "pi_1",
          currency: "usd",
        },
      },
    });
    const closed = disputeEvent("charge.dispute.closed", {
      created,
      id: "dp_1",
      chargeId: "ch_1",
      amount: 1000,
      currency: "usd",
      status: "won",
    });
    expect(closed.data.object.status).toBe("won");
    expect(closed.id).not.toBe(dispute.id);

    const paid = payoutEvent("payout.paid", {
      created,
      accountId: "acct_1",
      id: "po_1",
      amount: 9000,
      currency: "EUR",
      arrivalDate: created + 86_400,
    });
    expect(paid).toMatchObject({
      account: "acct_1",
      data: { object: { object: "payout", status: "paid", failure_code: null, currency: "eur" } },
    });
    const failed = payoutEvent("payout.failed", {
      created,
      accountId: "acct_1",
      id: "po_2",
      amount: 9000,
      currency: "EUR",
      arrivalDate: created,
      failure: { code: "account_closed", message: "The bank account has been closed." },
    });
    expect(failed.data.object).toMatchObject({ status: "failed", failure_code: "account_closed" });

    const account = accountUpdatedEvent({
      created,
      id: "acct_1",
      chargesEnabled: true,
      payoutsEnabled: false,
      detailsSubmitted: true,
      currentlyDue: ["external_account"],
    });
    expect(account).toMatchObject({
      type: "account.updated",
      account: "acct_1",
      livemode: false,
      data: {
        object: {
          object: "account",
          id: "acct_1",
          charges_enabled: true,
          payouts_enabled: false,
          requirements: { currently_due: ["external_account"], disabled_reason: null },
        },
      },
    });
  });
});

describe("sandbox payment intent ids", () => {
  it("round-trip the state, amount and currency", () => {
    expect(parseSandboxPaymentIntentId("pi_abc_p12345jpy")).toMatchObject({
      body: "abc_p12345jpy",
      state: "p",
      amount: 12345,
      currency: "jpy",
    });
    expect(parseSandboxPaymentIntentId("pi_abc")).toBeUndefined();
    expect(parseSandboxPaymentIntentId("ch_abc_s1usd")).toBeUndefined();
  });
});
