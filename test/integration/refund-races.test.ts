/**
 * Refunds and charges whose answer never arrives, against the emulators and the loopback Stripe fake
 * driven by the real `stripe` SDK: a timeout, a lost answer or a 5xx leaves the refund `pending` with
 * its amount reserved, the planned check (fired here through the billing consumer) settles it, and
 * the processor ends with exactly one refund whatever happened. Also: a payment's status follows its
 * settled refunds only, and a charge without an answer stays `processing` and locked.
 */
import { randomUUID } from "node:crypto";
import type { SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { billingTimers } from "../../functions/billing/timers.ts";
import type { OneTimeSchedule, SchedulerPort } from "../../shared/aws/scheduler.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { setStripeAccount } from "../../shared/merchants/service.ts";
import { payInvoice } from "../../shared/invoices/pay.ts";
import type { InvoicePayPorts } from "../../shared/invoices/pay.ts";
import { refundPayment } from "../../shared/payments/refunds.ts";
import { handleStripeEvent } from "../../shared/payments/stripe-events-handler.ts";
import { paymentIntentEvent } from "../../shared/stripe-shapes/payment-intents.ts";
import { type RefundEventType, refundEvent } from "../../shared/stripe-shapes/refunds.ts";
import { stripeProcessor } from "../../shared/payments/stripe.ts";
import { billingTimerPorts, paymentPorts, stripeEventPorts } from "../../shared/composition.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { dynamoPaymentStore } from "../../shared/store/payments.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { type StripeFake, startStripeFake } from "../helpers/stripe-fake.ts";

const hour = 3_600_000;
let aws: TestAws;
let fake: StripeFake;
let shop: TestMerchant;
let customerId: string;
const stripeAccount = `acct_races${randomUUID().slice(0, 8)}`;
const clock = fixedClock(new Date());
const planned: OneTimeSchedule[] = [];
const recordingScheduler: SchedulerPort = {
  scheduleOnce: async (schedule) => {
    planned.push(schedule);
  },
  cancel: async () => {},
};

/** The deployed payment ports, with Stripe at the loopback fake (short timeouts) and a scheduler that records. */
function ports(at: StripeFake = fake): InvoicePayPorts {
  const stripe = stripeProcessor({
    secretKey: "sk_test_refund_races_0123456789",
    host: "127.0.0.1",
    port: at.port,
    protocol: "http",
    timeoutMs: 200,
  });
  return { ...paymentPorts(clock), processorFor: async () => stripe, scheduler: recordingScheduler };
}

/** Fires a planned schedule the way the scheduler would: its payload on the billing queue's consumer. */
async function fire(schedule: OneTimeSchedule) {
  expect(await deliver(schedule)).toEqual({ batchItemFailures: [] });
}

function deliver(schedule: OneTimeSchedule) {
  const consumer = billingTimers(() => ({
    ...billingTimerPorts(clock),
    invoices: dynamoInvoiceStore,
    merchants: undefined as never,
    mailer: undefined as never,
    scheduler: () => recordingScheduler,
    once: undefined as never,
    sandbox: undefined as never,
    payouts: undefined as never,
    payments: () => ports(),
    subscriptionTimers: undefined as never,
    clock,
  }));
  const record = { messageId: randomUUID(), body: JSON.stringify(schedule.payload) } as SQSRecord;
  return consumer({ Records: [record] });
}

const checksOf = (refundId: string) => planned.filter((s) => s.name.startsWith(`${refundId}-check-`));

async function openInvoice(amount = 10_000) {
  const draft = await expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices", shop.secret, {
      body: {
        customerId,
        currency: "USD",
        lineItems: [{ description: "Refundable work", unitAmount: amount }],
      },
    }),
    201,
  );
  return expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", shop.secret, { id: draft.id }),
  );
}

/** A Stripe payment of 100.00 that succeeded. */
async function paidPayment() {
  const invoice = await openInvoice();
  const paid = await payInvoice(ports(), shop.id, invoice.id, "pm_card_visa");
  expect(paid.payment).toMatchObject({ status: "succeeded", processor: "stripe" });
  return paid.payment;
}

const readPayment = async (id: string) => (await dynamoPaymentStore.read(shop.id, id))!.value;
const readRefund = async (id: string) => (await dynamoPaymentStore.readRefund(shop.id, id))!.value;
const tableItems = async (type: string) =>
  (await aws.scanAll()).filter((i) => i.type === type && String(i.PK).includes(shop.id));
const balanceOf = async (sourceId: string) =>
  (await tableItems("balanceTransaction")).filter((t) => t.sourceId === sourceId);
const eventsOf = async (eventType: string, objectId: string) =>
  (await tableItems("event")).filter((e) => e.eventType === eventType && e.objectId === objectId);
const stripeRefundsOf = (refundId: string) =>
  fake.refunds.filter((r) => (r.metadata as Record<string, string>).kassa_refund_id === refundId);
const requestsSince = (from: number) => fake.requests.slice(from).map((r) => `${r.method} ${r.path}`);

beforeAll(async () => {
  aws = await useTestAws(["billing"]);
  // The events consumer checks an event's livemode against the platform key's.
  process.env.STRIPE_SECRET_KEY = "sk_test_refund_races_0123456789";
  fake = await startStripeFake();
  shop = await newMerchant("Refund Races");
  // Stripe's events for the shop come from its connected account.
  await setStripeAccount({ store: dynamoMerchantStore, clock }, shop.id, stripeAccount, false);
  customerId = (
    await expectStatus(
      merchantCall(customersHandler, "POST /v1/customers", shop.secret, {
        body: { email: `buyer-${randomUUID().slice(0, 8)}@races.test`, name: "Rae" },
      }),
      201,
    )
  ).id;
});
afterAll(() => fake.stop());
beforeEach(() => {
  planned.length = 0;
});

describe("refunds and charges without an answer", () => {
  it("refund timeout then retry (one refund at the processor)", async () => {
    const payment = await paidPayment();
    // Stripe refunds, but neither the answer nor the SDK's retry's answer comes back.
    fake.fault("POST", "/v1/refunds", "lost", 2);

    const refund = await refundPayment(ports(), shop.id, payment.id, { amount: 4_000 });

    expect(refund).toMatchObject({ status: "pending", amount: 4_000 });
    expect(stripeRefundsOf(refund.id)).toHaveLength(1);
    expect(await readPayment(payment.id)).toMatchObject({
      status: "succeeded",
      amountRefunded: 4_000,
      amountRefundedSettled: 0,
    });
    expect(await balanceOf(refund.id)).toEqual([]);
    // Still reserved: the rest can be refunded, not a cent more.
    await expect(refundPayment(ports(), shop.id, payment.id, { amount: 6_001 })).rejects.toThrow(/amount/);
    const [first] = checksOf(refund.id);
    expect(first).toMatchObject({ name: `${refund.id}-check-1`, queue: "billing" });
    expect(first!.at.getTime() - clock.now().getTime()).toBe(5 * 60_000);

    // A day later Stripe has forgotten the idempotency key: a blind retry would refund again.
    clock.advance(23.5 * hour);
    fake.forgetIdempotencyKeys();
    const before = fake.requests.length;
    await fire(first!);

    expect(requestsSince(before)).toEqual(["GET /v1/refunds"]);
    expect(stripeRefundsOf(refund.id)).toHaveLength(1);
    const settled = await readRefund(refund.id);
    expect(settled).toMatchObject({
      status: "succeeded",
      processorRefundId: stripeRefundsOf(refund.id)[0]!.id,
    });
    expect(await readPayment(payment.id)).toMatchObject({
      status: "partially_refunded",
      amountRefunded: 4_000,
      amountRefundedSettled: 4_000,
    });
    expect(await balanceOf(refund.id)).toEqual([expect.objectContaining({ kind: "refund", amount: -4_000 })]);
    expect(await eventsOf("refund.succeeded", refund.id)).toHaveLength(1);

    // The check delivered again, and the next one planned, find the refund settled and do nothing.
    const after = fake.requests.length;
    for (const schedule of [first!, ...checksOf(refund.id).slice(1)]) await fire(schedule);
    expect(fake.requests.length).toBe(after);
    expect(await readRefund(refund.id)).toEqual(settled);
    expect(await balanceOf(refund.id)).toHaveLength(1);
  });

  it("asks again with the same idempotency key when the processor has no such refund, once under duplicate checks", async () => {
    const payment = await paidPayment();
    fake.fault("POST", "/v1/refunds", "timeout", 2);

    const refund = await refundPayment(ports(), shop.id, payment.id, { amount: 2_500 });

    expect(refund.status).toBe("pending");
    expect(stripeRefundsOf(refund.id)).toEqual([]);
    const [first] = checksOf(refund.id);
    fake.forgetIdempotencyKeys();
    const before = fake.requests.length;
    // Delivered twice at once: only the delivery that claims the check asks Stripe.
    await Promise.all([fire(first!), fire(first!)]);

    expect(requestsSince(before)).toEqual(["GET /v1/refunds", "POST /v1/refunds"]);
    expect(fake.requests.at(-1)!.headers["idempotency-key"]).toBe(refund.id);
    expect(stripeRefundsOf(refund.id)).toHaveLength(1);
    expect(await readRefund(refund.id)).toMatchObject({ status: "succeeded", checks: 1 });
    expect(await readPayment(payment.id)).toMatchObject({
      status: "partially_refunded",
      amountRefunded: 2_500,
      amountRefundedSettled: 2_500,
    });
    expect(await balanceOf(refund.id)).toHaveLength(1);
  });

  it("keeps a refund pending through a 5xx and plans the next check while Stripe still has none", async () => {
    const payment = await paidPayment();
    fake.fault("POST", "/v1/refunds", "server_error", 2);
    const refund = await refundPayment(ports(), shop.id, payment.id, { amount: 1_000 });
    expect(refund.status).toBe("pending");

    fake.fault("POST", "/v1/refunds", "server_error", 2);
    await fire(checksOf(refund.id)[0]!);

    expect(await readRefund(refund.id)).toMatchObject({ status: "pending", checks: 1 });
    expect(await readPayment(payment.id)).toMatchObject({ amountRefunded: 1_000, status: "succeeded" });
    const next = checksOf(refund.id)[1]!;
    expect(next.name).toBe(`${refund.id}-check-2`);
    expect(next.at.getTime() - clock.now().getTime()).toBe(15 * 60_000);

    await fire(next);
    expect(stripeRefundsOf(refund.id)).toHaveLength(1);
    expect(await readRefund(refund.id)).toMatchObject({ status: "succeeded", checks: 2 });
  });

  it("never takes a look-up that fails for an answer: the refund stays pending until the next check", async () => {
    const payment = await paidPayment();
    fake.fault("POST", "/v1/refunds", "timeout", 2);
    const refund = await refundPayment(ports(), shop.id, payment.id, { amount: 1_500 });
    fake.fault("GET", "/v1/refunds", "server_error", 2);
    const before = fake.requests.length;

    const result = await deliver(checksOf(refund.id)[0]!);

    expect(result.batchItemFailures).toHaveLength(1);
    expect(requestsSince(before)).toEqual(["GET /v1/refunds", "GET /v1/refunds"]);
    expect(await readRefund(refund.id)).toMatchObject({ status: "pending" });
    expect(await readPayment(payment.id)).toMatchObject({ status: "succeeded", amountRefunded: 1_500 });
    expect(checksOf(refund.id).map((c) => c.name)).toEqual([`${refund.id}-check-1`, `${refund.id}-check-2`]);

    await fire(checksOf(refund.id)[1]!);
    expect(stripeRefundsOf(refund.id)).toHaveLength(1);
    expect(await readRefund(refund.id)).toMatchObject({ status: "succeeded" });
  });

  it("releases the amount only on a definite refusal", async () => {
    const payment = await paidPayment();
    const refusing = await startStripeFake();
    refusing.respond("POST", "/v1/refunds", () => ({
      status: 400,
      body: {
        error: { type: "invalid_request_error", code: "charge_disputed", message: "Charge is disputed." },
      },
    }));
    try {
      await expect(refundPayment(ports(refusing), shop.id, payment.id, { amount: 3_000 })).rejects.toThrow(
        /disputed/,
      );
    } finally {
      await refusing.stop();
    }
    const [failed] = (await tableItems("refund")).filter((r) => r.paymentId === payment.id);
    expect(failed).toMatchObject({ status: "failed", amount: 3_000 });
    expect(await readPayment(payment.id)).toMatchObject({ status: "succeeded", amountRefunded: 0 });
  });
});

describe("a payment's status follows its settled refunds", () => {
  let pendingStripe: StripeFake;
  /** The payment intent the reports name: the refunded payment's own. */
  let reportedIntent: string;
  const events = () => ({ ...stripeEventPorts(clock), ...ports(pendingStripe) });
  const report = (
    type: RefundEventType,
    refundId: string,
    processorRefundId: string,
    status: "pending" | "succeeded" | "failed",
    amount: number,
  ) =>
    handleStripeEvent(
      events(),
      refundEvent(type, {
        refund: {
          id: processorRefundId,
          amount,
          status,
          ...(status === "failed" ? { failureReason: "expired_or_canceled_card" } : {}),
          metadata: { kassa_merchant_id: shop.id, kassa_refund_id: refundId },
        },
        chargeId: "ch_races",
        paymentIntentId: reportedIntent,
        currency: "usd",
        created: Math.floor(clock.now().getTime() / 1000),
        accountId: stripeAccount,
      }),
    );

  beforeAll(async () => {
    // Stripe answers every refund `pending` (as for some payment methods): its events settle them.
    pendingStripe = await startStripeFake();
    pendingStripe.respond("POST", "/v1/refunds", ({ body }) => ({
      body: {
        id: `re_${randomUUID().slice(0, 12)}`,
        object: "refund",
        amount: Number(body.amount),
        currency: "usd",
        metadata: body.metadata,
        status: "pending",
      },
    }));
  });
  afterAll(() => pendingStripe.stop());

  it("is not refunded while a refund is pending, and is recomputed when refunds fail", async () => {
    const payment = await paidPayment();
    reportedIntent = payment.processorPaymentId!;
    const a = await refundPayment(ports(pendingStripe), shop.id, payment.id, { amount: 6_000 });
    const b = await refundPayment(ports(pendingStripe), shop.id, payment.id, { amount: 4_000 });
    expect([a.status, b.status]).toEqual(["pending", "pending"]);
    expect(a.processorRefundId).toMatch(/^re_/);
    expect(await readPayment(payment.id)).toMatchObject({
      status: "succeeded",
      amountRefunded: 10_000,
      amountRefundedSettled: 0,
    });

    await report("refund.updated", a.id, a.processorRefundId!, "succeeded", 6_000);
    // B is still pending: the payment is partially refunded, not refunded.
    expect(await readPayment(payment.id)).toMatchObject({
      status: "partially_refunded",
      amountRefunded: 10_000,
      amountRefundedSettled: 6_000,
    });

    await report("refund.failed", b.id, b.processorRefundId!, "failed", 4_000);
    expect(await readPayment(payment.id)).toMatchObject({
      status: "partially_refunded",
      amountRefunded: 6_000,
      amountRefundedSettled: 6_000,
    });
    expect(await balanceOf(b.id)).toEqual([]);

    // A stale `pending` report changes nothing; A failing after it succeeded gives the money back.
    await report("refund.created", a.id, a.processorRefundId!, "pending", 6_000);
    await report("charge.refund.updated", a.id, a.processorRefundId!, "failed", 6_000);
    const after = await readPayment(payment.id);
    expect(after).toMatchObject({ status: "succeeded", amountRefunded: 0, amountRefundedSettled: 0 });
    expect(after.history.map((h) => [h.status, h.note ?? ""])).toEqual([
      ["processing", "Sent to the stripe processor"],
      ["succeeded", ""],
      ["partially_refunded", "Refunded 6000"],
      ["succeeded", "Refund of 6000 failed"],
    ]);
    expect((await balanceOf(a.id)).map((t) => t.amount).sort()).toEqual([-6_000, 6_000]);
    expect(await readRefund(a.id)).toMatchObject({ status: "failed" });
    // Failed is final: a late success report is stale.
    await report("refund.updated", a.id, a.processorRefundId!, "succeeded", 6_000);
    expect(await readPayment(payment.id)).toEqual(after);
  });
});

describe("a charge without an answer", () => {
  it("stays processing with the invoice locked, answers without charging again, and settles from the events", async () => {
    const invoice = await openInvoice(5_000);
    fake.fault("POST", "/v1/payment_intents", "timeout", 2);

    const paid = await payInvoice(ports(), shop.id, invoice.id, "pm_card_visa");

    expect(paid).toMatchObject({ status: "open", amountRemaining: 5_000, payment: { status: "processing" } });
    const stored = await dynamoInvoiceStore.read(shop.id, invoice.id);
    expect(stored?.value.paymentLock?.paymentId).toBe(paid.payment.id);
    // The caller retrying cannot start a second charge while the first may still be happening.
    const before = fake.requests.length;
    await expect(payInvoice(ports(), shop.id, invoice.id, "pm_card_visa")).rejects.toThrow(/in progress/);
    expect(fake.requests.length).toBe(before);

    await handleStripeEvent(
      { ...stripeEventPorts(clock), ...ports() },
      paymentIntentEvent("payment_intent.succeeded", {
        accountId: stripeAccount,
        id: "pi_racesLate01",
        amount: 5_000,
        currency: "usd",
        created: Math.floor(clock.now().getTime() / 1000),
        metadata: {
          kassa_merchant_id: shop.id,
          kassa_payment_id: paid.payment.id,
          kassa_invoice_id: invoice.id,
        },
        paymentMethodId: "pm_card_visa",
        latestCharge: {
          id: "ch_racesLate01",
          status: "succeeded",
          method: { type: "card", brand: "visa", last4: "4242" },
        },
      }),
    );
    expect(await readPayment(paid.payment.id)).toMatchObject({
      status: "succeeded",
      processorPaymentId: "pi_racesLate01",
    });
    expect((await dynamoInvoiceStore.read(shop.id, invoice.id))?.value).toMatchObject({
      status: "paid",
      amountRemaining: 0,
    });
  });
});
