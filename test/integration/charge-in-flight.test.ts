/**
 * A charge caught in flight: the processor answered, but the process died before recording the
 * answer (kill -9), or the answer never arrived, and no webhook comes (the sandbox's event was on the
 * in-memory queue). Once the attempt's hold lapses, its planned check (`payment.check`, through the
 * billing queue's consumer as deployed) or the next attempt on the invoice asks the processor again
 * with the attempt's own request, and applies the answer: one charge at the processor, one outcome.
 */
import { randomUUID } from "node:crypto";
import type { SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { billingTimers } from "../../functions/billing/timers.ts";
import { handler as processHandler } from "../../functions/webhooks/stripe-process.ts";
import { billingTimerPorts, paymentPorts } from "../../shared/composition.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { StateConflictError } from "../../shared/domain/errors.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { type InvoicePayPorts, payInvoice } from "../../shared/invoices/pay.ts";
import { setStripeAccount } from "../../shared/merchants/service.ts";
import type { ChargeRequest, ChargeResult, PaymentProcessor } from "../../shared/payments/processor.ts";
import { stripeProcessor } from "../../shared/payments/stripe.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { intentSucceededWebhook, type StripeFake, startStripeFake } from "../helpers/stripe-fake.ts";

const webhookSecret = "whsec_test_secret_0123456789";
/** Past a charge's hold on the invoice (15 minutes). */
const holdLapses = 16 * 60_000;
const clock = fixedClock(new Date());
let aws: TestAws;
let fake: StripeFake;
let sandboxShop: TestMerchant;
let stripeShop: TestMerchant;
const stripeAccount = `acct_inflight${randomUUID().slice(0, 8)}`;

const sqsRecord = (body: string) => ({ messageId: randomUUID(), body }) as SQSRecord;

/** The billing queue's consumer as deployed, on the test's clock. */
const billing = billingTimers(() => billingTimerPorts(clock));

/** Fires the charge's check (its schedule as the local scheduler keeps it) through the billing consumer. */
async function fireCheck(paymentId: string) {
  const [schedule] = (await aws.scanAll()).filter(
    (i) =>
      i.type === "schedule" &&
      (i.payload as { kind?: string; paymentId?: string } | undefined)?.kind === "payment.check" &&
      (i.payload as { paymentId?: string }).paymentId === paymentId,
  );
  expect(schedule, `the check of ${paymentId}`).toBeDefined();
  const result = await billing({ Records: [sqsRecord(JSON.stringify(schedule?.payload))] });
  expect(result.batchItemFailures).toEqual([]);
}

async function openInvoice(shop: TestMerchant, unitAmount: number) {
  const customer = await expectStatus(
    merchantCall(customersHandler, "POST /v1/customers", shop.secret, {
      body: { email: `inflight-${randomUUID().slice(0, 8)}@buyer.test` },
    }),
    201,
  );
  const draft = await expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices", shop.secret, {
      body: { customerId: customer.id, currency: "USD", lineItems: [{ description: "Plan", unitAmount }] },
    }),
    201,
  );
  const open = await expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", shop.secret, { id: draft.id }),
  );
  return { id: String(open.id), total: Number(open.total) };
}

const readInvoice = (shop: TestMerchant, id: string) =>
  expectStatus(merchantCall(invoicesHandler, "GET /v1/invoices/{id}", shop.secret, { id }));

/** The invoice's payments as stored, and the events recorded about them. */
async function recorded(invoiceId: string) {
  const items = await aws.scanAll();
  const payments = items.filter(
    (i) => i.type === "payment" && (i.for as { id?: string } | undefined)?.id === invoiceId,
  );
  const ids = new Set(payments.map((p) => p.id));
  const events = items.filter((i) => i.type === "event" && ids.has(i.objectId));
  const invoiceEvents = items.filter((i) => i.type === "event" && i.objectId === invoiceId);
  return {
    payments,
    succeededEvents: events.filter((e) => e.eventType === "payment.succeeded"),
    failedEvents: events.filter((e) => e.eventType === "payment.failed"),
    paidEvents: invoiceEvents.filter((e) => e.eventType === "invoice.paid"),
  };
}

/**
 * The deployed payment ports, but the process "dies" right after the processor answered a charge:
 * nothing after the answer runs (its record, the response). Every charge request sent is kept.
 */
function dyingPorts(sent: ChargeRequest[], answers: ChargeResult[]): InvoicePayPorts {
  const ports = paymentPorts(clock);
  return {
    ...ports,
    processorFor: async (merchant) => {
      const processor = await ports.processorFor(merchant);
      const dying: PaymentProcessor = {
        ...processor,
        async charge(request) {
          sent.push(request);
          const answer = await processor.charge(request);
          if (answer.status !== "unknown") answers.push(answer);
          throw new Error("kill -9 after the processor answered");
        },
      };
      return dying;
    },
  };
}

/** Pays with the process dying after the sandbox's answer: the payment is left `processing`, the invoice held. */
async function chargeCaughtInFlight(invoiceId: string, paymentMethod: string) {
  const sent: ChargeRequest[] = [];
  const answers: ChargeResult[] = [];
  await expect(
    payInvoice(dyingPorts(sent, answers), sandboxShop.id, invoiceId, paymentMethod),
  ).rejects.toThrow("kill -9");
  const [payment] = (await recorded(invoiceId)).payments;
  expect(payment?.status).toBe("processing");
  expect(await readInvoice(sandboxShop, invoiceId)).toMatchObject({ status: "open", amountPaid: 0 });
  return { paymentId: String(payment?.id), sent, answers };
}

/** Stripe's webhook for an intent it holds, through the stripe-events consumer. */
async function reportIntent(pi: Record<string, unknown>) {
  const body = intentSucceededWebhook(pi, stripeAccount, webhookSecret);
  expect((await processHandler({ Records: [sqsRecord(body)] })).batchItemFailures).toEqual([]);
}

/**
 * Pays a Stripe merchant's invoice while every answer to the charge is lost after Stripe charged (the
 * SDK's retry replays it, and that answer is lost too): the payment is left `processing`.
 */
async function stripeAnswerLost(invoiceId: string, paymentMethod: string) {
  const stripe = stripeProcessor({
    secretKey: "sk_test_inflight_0123456789",
    host: "127.0.0.1",
    port: fake.port,
    protocol: "http",
    timeoutMs: 300,
  });
  fake.fault("POST", "/v1/payment_intents", "lost", 2);
  const paid = await payInvoice(
    { ...paymentPorts(clock), processorFor: async () => stripe },
    stripeShop.id,
    invoiceId,
    paymentMethod,
  );
  expect(paid).toMatchObject({ status: "open", payment: { status: "processing" } });
  return String(paid.payment.id);
}

const intentsOf = (invoiceId: string) =>
  fake.intents().filter((pi) => (pi.metadata as Record<string, string>).kassa_invoice_id === invoiceId);

beforeAll(async () => {
  aws = await useTestAws(["stripe-events", "billing", "notifications"]);
  fake = await startStripeFake();
  // The consumers' own Stripe client (the check's, the webhook's look-ups) talks to the fake.
  process.env.STRIPE_API_BASE = `http://127.0.0.1:${fake.port}`;
  process.env.STRIPE_SECRET_KEY = "sk_test_inflight_0123456789";
  sandboxShop = await newMerchant("In-flight Sandbox Shop");
  stripeShop = await newMerchant("In-flight Stripe Shop");
  await setStripeAccount({ store: dynamoMerchantStore, clock }, stripeShop.id, stripeAccount, false);
  // Switched to Stripe, so the consumers' wiring charges it at Stripe (the fake), not in the sandbox.
  const found = (await dynamoMerchantStore.readMerchant(stripeShop.id))!;
  const merchant = { ...found.value, processor: "stripe" as const, stripeChargesEnabled: true };
  await dynamoMerchantStore.replaceMerchant(
    merchant,
    found.version,
    newEvent("merchant.updated", stripeShop.id, stripeShop.id, clock.now(), {
      merchant,
      changed: ["processor"],
    }),
  );
});
afterAll(async () => {
  await fake.stop();
  delete process.env.STRIPE_API_BASE;
  delete process.env.STRIPE_SECRET_KEY;
});

describe("a charge caught in flight is settled once its hold lapses, without a webhook", () => {
  it("sandbox: the check asks again with the attempt's own request; the charge the sandbox made pays the invoice, once", async () => {
    const invoice = await openInvoice(sandboxShop, 4_200);
    // A card number, as the hosted page sends it: the payment keeps only the sandbox's token.
    const { paymentId, sent, answers } = await chargeCaughtInFlight(invoice.id, "4242 4242 4242 4242");
    expect(answers).toMatchObject([{ status: "succeeded" }]);
    const [stored] = (await recorded(invoice.id)).payments;
    expect(JSON.stringify(stored)).not.toMatch(/4242 ?4242/);

    clock.advance(holdLapses);
    await fireCheck(paymentId);
    // A redelivered check finds the payment settled and asks nothing.
    await fireCheck(paymentId);

    const after = await recorded(invoice.id);
    expect(after.payments).toMatchObject([
      { id: paymentId, status: "succeeded", processorPaymentId: answers[0]?.paymentIntentId },
    ]);
    expect(await readInvoice(sandboxShop, invoice.id)).toMatchObject({
      status: "paid",
      amountPaid: invoice.total,
    });
    expect(after.succeededEvents).toHaveLength(1);
    expect(after.paidEvents).toHaveLength(1);
    // The sandbox was asked once before the kill; the check's request was the same one.
    expect(sent).toHaveLength(1);
  });

  it("sandbox: a charge whose check could not be planned records nothing and holds nothing; paying again pays", async () => {
    const invoice = await openInvoice(sandboxShop, 4_250);
    const ports = paymentPorts(clock);
    const asked: ChargeRequest[] = [];
    // The scheduler fails slowly (throttled past its retries), so a write beside it would land first.
    const failing: InvoicePayPorts = {
      ...ports,
      scheduler: {
        ...ports.scheduler,
        scheduleOnce: () =>
          new Promise((_, reject) => setTimeout(() => reject(new Error("Scheduler throttled")), 300)),
      },
      processorFor: async (merchant) => {
        const processor = await ports.processorFor(merchant);
        return {
          ...processor,
          charge: (request) => {
            asked.push(request);
            return processor.charge(request);
          },
        };
      },
    };
    await expect(payInvoice(failing, sandboxShop.id, invoice.id, "pm_card_visa")).rejects.toThrow(
      "Scheduler throttled",
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    // Nothing was asked, recorded or held: a payment left processing would hold the invoice for good.
    expect(asked).toEqual([]);
    expect((await recorded(invoice.id)).payments).toEqual([]);
    expect((await readInvoice(sandboxShop, invoice.id)).paymentLock).toBeUndefined();
    const paid = await payInvoice(paymentPorts(clock), sandboxShop.id, invoice.id, "pm_card_visa");
    expect(paid).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
  });

  it("sandbox: a declined charge caught in flight fails the payment and opens the invoice to a new attempt", async () => {
    const invoice = await openInvoice(sandboxShop, 4_300);
    const { paymentId, answers } = await chargeCaughtInFlight(invoice.id, "pm_card_chargeDeclined");
    expect(answers).toMatchObject([{ status: "failed" }]);

    clock.advance(holdLapses);
    await fireCheck(paymentId);

    const after = await recorded(invoice.id);
    expect(after.payments).toMatchObject([
      { id: paymentId, status: "failed", failure: { declineCode: "generic_decline" } },
    ]);
    expect(after.failedEvents).toHaveLength(1);
    const open = await readInvoice(sandboxShop, invoice.id);
    expect(open).toMatchObject({ status: "open", amountPaid: 0 });
    expect(open.paymentLock).toBeUndefined();

    const paid = await payInvoice(paymentPorts(clock), sandboxShop.id, invoice.id, "pm_card_visa");
    expect(paid).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
  });

  it("sandbox: the buyer paying again after the hold lapsed is told it is paid, by the charge in flight, and not charged again", async () => {
    const invoice = await openInvoice(sandboxShop, 4_400);
    const { paymentId, sent } = await chargeCaughtInFlight(invoice.id, "pm_card_visa");

    clock.advance(holdLapses);
    const again: ChargeRequest[] = [];
    await expect(
      payInvoice(
        {
          ...paymentPorts(clock),
          processorFor: async (merchant) => {
            const processor = await paymentPorts(clock).processorFor(merchant);
            return {
              ...processor,
              charge: (request) => {
                again.push(request);
                return processor.charge(request);
              },
            };
          },
        },
        sandboxShop.id,
        invoice.id,
        "pm_card_mastercard",
      ),
    ).rejects.toBeInstanceOf(StateConflictError);

    // Asked once more, with the lapsed attempt's own request; no second attempt was charged.
    expect(again).toEqual(sent);
    const after = await recorded(invoice.id);
    expect(after.payments).toMatchObject([{ id: paymentId, status: "succeeded" }]);
    expect(after.succeededEvents).toHaveLength(1);
    expect(await readInvoice(sandboxShop, invoice.id)).toMatchObject({
      status: "paid",
      amountPaid: invoice.total,
    });
  });

  it("sandbox: a processor refusing the lapsed charge's request does not fail the buyer's new attempt; its check still fails loudly", async () => {
    const invoice = await openInvoice(sandboxShop, 4_450);
    const { paymentId, sent } = await chargeCaughtInFlight(invoice.id, "pm_card_chargeDeclined");
    clock.advance(holdLapses);

    // The processor now refuses that request (the account was closed, the key rotated), and answers others.
    const refusing = (asked: ChargeRequest[]): InvoicePayPorts => ({
      ...paymentPorts(clock),
      processorFor: async (merchant) => {
        const processor = await paymentPorts(clock).processorFor(merchant);
        return {
          ...processor,
          charge: async (request) => {
            asked.push(request);
            if (request.idempotencyKey === sent[0]?.idempotencyKey) throw new Error("No such account");
            return processor.charge(request);
          },
        };
      },
    });
    const asked: ChargeRequest[] = [];
    const paid = await payInvoice(refusing(asked), sandboxShop.id, invoice.id, "pm_card_visa");

    // Asked about the lapsed charge first, then the new attempt was charged and paid the invoice.
    expect(asked.map((r) => r.idempotencyKey)).toEqual([sent[0]?.idempotencyKey, expect.any(String)]);
    expect(asked[1]?.idempotencyKey).not.toBe(sent[0]?.idempotencyKey);
    expect(paid).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
    const after = await recorded(invoice.id);
    expect(after.payments.find((p) => p.id === paymentId)).toMatchObject({ status: "processing" });
    expect(after.succeededEvents).toHaveLength(1);
    // The check itself does not swallow the refusal: it fails, to be redelivered and reach the DLQ.
    const { askAgain } = await import("../../shared/payments/charges.ts");
    await expect(askAgain(refusing([]), sandboxShop.id, paymentId)).rejects.toThrow("No such account");
  });

  it("Stripe: the check's request replays the intent Stripe made (one charge at Stripe), and pays the invoice", async () => {
    const invoice = await openInvoice(stripeShop, 4_500);
    const paymentId = await stripeAnswerLost(invoice.id, "pm_card_visa");
    expect(intentsOf(invoice.id)).toMatchObject([{ status: "succeeded" }]);

    clock.advance(holdLapses);
    await fireCheck(paymentId);

    const [intent] = intentsOf(invoice.id);
    expect(intentsOf(invoice.id)).toHaveLength(1);
    const after = await recorded(invoice.id);
    expect(after.payments).toMatchObject([
      { id: paymentId, status: "succeeded", processorPaymentId: intent?.id },
    ]);
    expect(after.succeededEvents).toHaveLength(1);
    expect(await readInvoice(stripeShop, invoice.id)).toMatchObject({
      status: "paid",
      amountPaid: invoice.total,
    });
    const replays = fake.requests.filter(
      (r) =>
        r.method === "POST" &&
        r.path === "/v1/payment_intents" &&
        r.form["metadata[kassa_payment_id]"] === paymentId,
    );
    // The charge, the SDK's retry, the check: one key.
    expect(replays).toHaveLength(3);
    expect(new Set(replays.map((r) => r.headers["idempotency-key"])).size).toBe(1);
  });

  it("Stripe: a declined charge whose answer was lost fails once the check replays Stripe's decline", async () => {
    const invoice = await openInvoice(stripeShop, 4_600);
    const paymentId = await stripeAnswerLost(invoice.id, "pm_card_chargeDeclined");

    clock.advance(holdLapses);
    await fireCheck(paymentId);

    const after = await recorded(invoice.id);
    expect(after.payments).toMatchObject([{ id: paymentId, status: "failed" }]);
    expect(after.failedEvents).toHaveLength(1);
    expect(await readInvoice(stripeShop, invoice.id)).toMatchObject({ status: "open", amountPaid: 0 });
  });

  it("Stripe: a webhook racing the check's answer still makes one successful payment, paid once", async () => {
    const invoice = await openInvoice(stripeShop, 4_700);
    const paymentId = await stripeAnswerLost(invoice.id, "pm_card_visa");
    const [intent] = intentsOf(invoice.id);

    clock.advance(holdLapses);
    await Promise.all([
      fireCheck(paymentId),
      reportIntent(intent as Record<string, unknown>),
      fireCheck(paymentId),
      reportIntent(intent as Record<string, unknown>),
    ]);

    expect(intentsOf(invoice.id)).toHaveLength(1);
    const after = await recorded(invoice.id);
    expect(after.payments).toMatchObject([{ id: paymentId, status: "succeeded" }]);
    expect(after.succeededEvents).toHaveLength(1);
    expect(after.paidEvents).toHaveLength(1);
    expect(await readInvoice(stripeShop, invoice.id)).toMatchObject({
      status: "paid",
      amountPaid: invoice.total,
    });
  });
});
