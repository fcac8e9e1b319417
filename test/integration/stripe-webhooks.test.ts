/**
 * Stripe-shaped webhooks end to end against the emulators: POST /webhooks/stripe verifies and
 * queues, the stripe-events consumer verifies again and applies each event once. Covers bad
 * signatures (400, nothing queued), duplicate deliveries (one effect), out-of-order outcomes (the
 * same final records either way), poison messages (DLQ, nothing blocked), disputes in either order,
 * and events that do not belong to the payment they name (forged by another connected account, the
 * wrong mode, other money: nothing changes and a platform-level processor_event.rejected is kept).
 */
import { randomUUID } from "node:crypto";
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
} from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type Stripe from "stripe";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { handler as notificationsHandler } from "../../functions/notifications/send.ts";
import { handler as ingestHandler } from "../../functions/webhooks/stripe-ingest.ts";
import { handler as processHandler } from "../../functions/webhooks/stripe-process.ts";
import { loadHandler } from "../../infra/local/invoke-lambda.ts";
import { type Poller, pollQueue } from "../../infra/local/sqs-poller.ts";
import { functionNamed } from "../../infra/manifest.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { setStripeAccount } from "../../shared/merchants/service.ts";
import type { PaymentProcessor } from "../../shared/payments/processor.ts";
import { checkoutInvoice } from "../../shared/invoices/pay.ts";
import type { PaymentPorts } from "../../shared/payments/ports.ts";
import { refundPayment } from "../../shared/payments/refunds.ts";
import { signEvent, signPayload } from "../../shared/payments/signing.ts";
import { checkoutSessionCompletedEvent } from "../../shared/stripe-shapes/checkout-sessions.ts";
import { disputeEvent } from "../../shared/stripe-shapes/disputes.ts";
import { type PaymentIntentInput, paymentIntentEvent } from "../../shared/stripe-shapes/payment-intents.ts";
import { chargeRefundedEvent } from "../../shared/stripe-shapes/refunds.ts";
import { paymentPorts } from "../../shared/composition.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { dynamoPaymentStore } from "../../shared/store/payments.ts";
import { processorRefs } from "../../shared/store/processor-refs.ts";
import { eventFromItem } from "../../shared/store/outbox.ts";
import { type ApiResult, call, expectStatus, merchantCall, newMerchant } from "../helpers/api.ts";
import { eventually, type TestAws, useTestAws } from "../helpers/aws.ts";
import { sampleEvent } from "../helpers/events.ts";

type Handler = Parameters<typeof call>[0];
type Merchant = { id: string; secret: string; email: string; name: string };

const webhookSecret = "whsec_test_secret_0123456789";
/** Kassa's Stripe key in these tests: a test-mode key, so genuine Stripe events have livemode false. */
const stripeTestKey = "sk_test_kassa_0123456789abcdef";
let aws: TestAws;
let shop: Merchant;
let customer: { id: string; email: string };
const pollers: Poller[] = [];

const nowSeconds = () => Math.floor(Date.now() / 1000);
const unique = () => randomUUID().slice(0, 8);

const api = merchantCall;

/** A finalized invoice of `amount` USD cents. */
async function openInvoice(m: Merchant, amount = 10_000) {
  const draft = await expectStatus(
    api(invoicesHandler, "POST /v1/invoices", m.secret, {
      body: { customerId: customer.id, currency: "USD", lineItems: [{ description: "Webhook widget", unitAmount: amount }] },
    }),
    201,
  );
  return expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/finalize", m.secret, { id: draft.id }));
}

/** Starts a Stripe Checkout-style attempt: the payment stays `processing` until the events arrive. */
async function startCheckout(m: Merchant, invoiceId: string) {
  const ports = paymentPorts(systemClock, (id) => `https://pay.kassa.test/${id}`);
  const session = await checkoutInvoice(ports, m.id, invoiceId, {
    successUrl: "https://shop.test/ok",
    cancelUrl: (paymentId) => `https://shop.test/cancel?canceled=${paymentId}`,
  });
  const invoice = await dynamoInvoiceStore.read(m.id, invoiceId);
  const paymentId = invoice?.value.paymentLock?.paymentId;
  if (!paymentId) throw new Error("The checkout did not lock the invoice to a payment");
  const piId = `pi_${unique()}${unique()}`;
  return { sessionId: session.id, paymentId, piId };
}

const refs = (m: Merchant, invoiceId: string, paymentId: string) => ({
  kassa_merchant_id: m.id,
  kassa_payment_id: paymentId,
  kassa_invoice_id: invoiceId,
});

function succeededInput(m: Merchant, invoiceId: string, attempt: { paymentId: string; piId: string }, amount = 10_000) {
  return {
    id: attempt.piId,
    amount,
    currency: "usd",
    created: nowSeconds(),
    metadata: refs(m, invoiceId, attempt.paymentId),
    paymentMethodId: "pm_card_visa",
    latestCharge: {
      id: `ch_${attempt.piId.slice(3)}`,
      status: "succeeded",
      method: { type: "card", brand: "visa", last4: "4242" },
      fee: 320,
      balanceTransactionId: `txn_${attempt.piId.slice(3)}`,
    },
  } satisfies PaymentIntentInput;
}

function succeededEvent(m: Merchant, invoiceId: string, attempt: { paymentId: string; piId: string }, amount = 10_000) {
  return paymentIntentEvent("payment_intent.succeeded", succeededInput(m, invoiceId, attempt, amount));
}

function checkoutCompletedEvent(m: Merchant, invoiceId: string, attempt: { sessionId: string; paymentId: string; piId: string }, amount = 10_000) {
  return checkoutSessionCompletedEvent({
    id: attempt.sessionId,
    paymentIntentId: attempt.piId,
    amount,
    currency: "usd",
    created: nowSeconds(),
    metadata: refs(m, invoiceId, attempt.paymentId),
    paymentStatus: "paid",
    customerEmail: customer.email,
  });
}

/** POST /webhooks/stripe with the raw body and a Stripe-Signature header, as Stripe sends it. */
function deliverRaw(payload: string, signature: string | undefined): Promise<ApiResult> {
  return call(ingestHandler as Handler, "POST /webhooks/stripe", {
    body: payload,
    headers: signature === undefined ? {} : { "stripe-signature": signature },
  });
}

function deliver(event: Stripe.Event): Promise<ApiResult> {
  const { payload, signature } = signEvent(event, webhookSecret, nowSeconds());
  return deliverRaw(payload, signature);
}

/** Receives and deletes everything on a queue (until it answers empty). */
async function drain(queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.Body ?? ""));
    await aws.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
      }),
    );
  }
}

const stripeEventsUrl = () => aws.queues["stripe-events"]!.url;

async function queueDepth(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed"],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
    Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0)
  );
}

const sampleRecord = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json").Records[0]!;
const record = (body: string): SQSRecord => ({ ...sampleRecord, messageId: randomUUID(), body });

/** Runs the stripe-events consumer on queued bodies, one invocation per body (concurrently when asked). */
async function consume(bodies: string[], { concurrently = false } = {}): Promise<SQSBatchResponse[]> {
  const run = (body: string) => processHandler({ Records: [record(body)] }) as Promise<SQSBatchResponse>;
  if (concurrently) return Promise.all(bodies.map(run));
  const out: SQSBatchResponse[] = [];
  for (const body of bodies) out.push(await run(body));
  return out;
}

/** Delivers events through the webhook endpoint, then runs the consumer on what was queued. */
async function deliverAndConsume(...events: Stripe.Event[]) {
  for (const event of events) {
    expect((await deliver(event)).status).toBe(200);
    const responses = await consume(await drain(stripeEventsUrl()));
    for (const r of responses) expect(r.batchItemFailures).toEqual([]);
  }
}

const tableItems = async (merchantId: string, type: string) =>
  (await aws.scanAll()).filter((i) => i.type === type && String(i.PK).includes(merchantId));
const balanceOf = async (m: Merchant, sourceId: string) =>
  (await tableItems(m.id, "balanceTransaction")).filter((t) => t.sourceId === sourceId);
const eventsOf = async (m: Merchant, eventType: string, objectId: string) =>
  (await tableItems(m.id, "event")).filter((e) => e.eventType === eventType && e.objectId === objectId);

const readPayment = async (m: Merchant, id: string) => (await dynamoPaymentStore.read(m.id, id))!.value;
const readInvoice = async (m: Merchant, id: string) => (await dynamoInvoiceStore.read(m.id, id))!.value;

describe("Stripe webhooks", () => {
  beforeAll(async () => {
    aws = await useTestAws(["stripe-events", "notifications", "billing"]);
    process.env.STRIPE_SECRET_KEY = stripeTestKey;
    shop = await newMerchant("Webhook Shop");
    customer = await expectStatus(
      api(customersHandler, "POST /v1/customers", shop.secret, { body: { email: `buyer-${unique()}@webhooks.test`, name: "Wendy Webhook" } }),
      201,
    );
  });
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((p) => p.stop()));
  });

  describe("POST /webhooks/stripe", () => {
    it("refuses a bad, missing, stale or tampered signature with 400 and queues nothing", async () => {
      await drain(stripeEventsUrl());
      const event = paymentIntentEvent("payment_intent.succeeded", {
        id: "pi_forged000000000000000000",
        amount: 10_000,
        currency: "usd",
        created: nowSeconds(),
        metadata: { kassa_merchant_id: shop.id, kassa_payment_id: "pay_forged" },
      });
      const payload = JSON.stringify(event);
      const attempts: [string, string | undefined][] = [
        ["wrong secret", signPayload(payload, "whsec_someone_else_0123456789", nowSeconds())],
        ["missing header", undefined],
        ["garbage header", "t=123,v1=deadbeef"],
        ["stale timestamp", signPayload(payload, webhookSecret, nowSeconds() - 3600)],
        ["tampered body", signPayload(payload.replace('"amount":10000', '"amount":1'), webhookSecret, nowSeconds())],
      ];
      for (const [label, signature] of attempts) {
        const r = await deliverRaw(payload, signature);
        expect(r.status, label).toBe(400);
        expect(r.headers["content-type"], label).toBe("application/problem+json");
      }
      expect(await queueDepth(stripeEventsUrl())).toBe(0);
      const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: stripeEventsUrl(), WaitTimeSeconds: 1 }));
      expect(Messages).toEqual([]);

      // The same bytes correctly signed are accepted and queued exactly as received.
      const good = await deliverRaw(payload, signPayload(payload, webhookSecret, nowSeconds()));
      expect(good.status).toBe(200);
      expect(good.body).toEqual({ received: true, id: event.id });
      const queued = (await drain(stripeEventsUrl())).map((b) => JSON.parse(b));
      expect(queued).toHaveLength(1);
      expect(queued[0].payload).toBe(payload);
    });
  });

  describe("the stripe-events consumer", () => {
    it("applies an event delivered 5 times once: one success, one balance transaction, one receipt", async () => {
      const invoice = await openInvoice(shop);
      const attempt = await startCheckout(shop, invoice.id);
      expect((await readPayment(shop, attempt.paymentId)).status).toBe("processing");
      const event = succeededEvent(shop, invoice.id, attempt);

      for (let i = 0; i < 5; i++) expect((await deliver(event)).status).toBe(200);
      const queued = await drain(stripeEventsUrl());
      expect(queued).toHaveLength(5);
      // Four at once (racing for the claim), then a late straggler.
      const first = await consume(queued.slice(0, 4), { concurrently: true });
      const late = await consume(queued.slice(4));
      for (const r of [...first, ...late]) expect(r.batchItemFailures).toEqual([]);

      const payment = await readPayment(shop, attempt.paymentId);
      expect(payment).toMatchObject({
        status: "succeeded",
        amount: 10_000,
        fee: 320,
        net: 9_680,
        processorPaymentId: attempt.piId,
        method: { type: "card", brand: "visa", last4: "4242" },
      });
      expect(payment.history.map((h) => h.status)).toEqual(["processing", "succeeded"]);
      const after = await readInvoice(shop, invoice.id);
      expect(after).toMatchObject({ status: "paid", amountPaid: 10_000, amountRemaining: 0 });
      expect(after.paymentLock).toBeUndefined();

      const charges = await balanceOf(shop, payment.id);
      expect(charges).toHaveLength(1);
      expect(charges[0]).toMatchObject({ kind: "charge", amount: 10_000, fee: 320, net: 9_680, currency: "USD" });
      const succeeded = await eventsOf(shop, "payment.succeeded", payment.id);
      expect(succeeded).toHaveLength(1);
      expect(await eventsOf(shop, "invoice.paid", invoice.id)).toHaveLength(1);

      // The notifications consumer sends one receipt, even if the event reaches it twice.
      const message = JSON.stringify(eventFromItem(succeeded[0]!));
      for (let i = 0; i < 2; i++) {
        expect(await notificationsHandler({ Records: [record(message)] })).toEqual({ batchItemFailures: [] });
      }
      // Sandbox money: the receipt says TEST MODE.
      const receipts = (await aws.mailTo(customer.email)).filter((m) => m.subject.includes("Receipt from") && m.body.text.includes(payment.id));
      expect(receipts).toHaveLength(1);
      expect(receipts[0]!.subject).toBe("[TEST MODE] Receipt from Webhook Shop: $100.00 paid");

      // A redelivery days later (a new queue message, same event id) still changes nothing.
      const before = await readPayment(shop, attempt.paymentId);
      await deliverAndConsume(event);
      expect(await readPayment(shop, attempt.paymentId)).toEqual(before);
      expect(await balanceOf(shop, payment.id)).toHaveLength(1);
    });

    it("ends in the same records whether payment_intent.succeeded or checkout.session.completed arrives first", async () => {
      const [a, b] = [await openInvoice(shop), await openInvoice(shop)];
      const attemptA = await startCheckout(shop, a.id);
      const attemptB = await startCheckout(shop, b.id);

      // A: the checkout session first (Stripe's usual order), then the payment intent.
      await deliverAndConsume(checkoutCompletedEvent(shop, a.id, attemptA), succeededEvent(shop, a.id, attemptA));
      // B: the payment intent first, then the checkout session.
      await deliverAndConsume(succeededEvent(shop, b.id, attemptB), checkoutCompletedEvent(shop, b.id, attemptB));

      const paymentA = await readPayment(shop, attemptA.paymentId);
      const paymentB = await readPayment(shop, attemptB.paymentId);
      const invoiceA = await readInvoice(shop, a.id);
      const invoiceB = await readInvoice(shop, b.id);

      // Field by field, minus what differs by construction: ids, numbers, links and timestamps.
      const comparablePayment = (p: typeof paymentA, ids: { piId: string; invoiceId: string; paymentId: string }) => {
        const { id, invoiceId, for: paid, processorPaymentId, createdAt, updatedAt, paidAt, history, ...rest } = p;
        expect({ id, invoiceId, for: paid, processorPaymentId }).toEqual({ id: ids.paymentId, invoiceId: ids.invoiceId, for: { kind: "invoice", id: ids.invoiceId }, processorPaymentId: ids.piId });
        expect(paidAt).toEqual(expect.any(String));
        return { ...rest, history: history.map(({ at: _at, ...h }) => h) };
      };
      const comparableInvoice = (i: typeof invoiceA) => {
        const { id: _id, number: _number, hostedUrl: _url, hostedToken: _token, paidAt, ...rest } = i as typeof i & Record<string, unknown>;
        expect(paidAt).toEqual(expect.any(String));
        return Object.fromEntries(Object.entries(rest).filter(([key]) => !key.endsWith("At")));
      };
      expect(comparablePayment(paymentA, { ...attemptA, invoiceId: a.id })).toEqual(comparablePayment(paymentB, { ...attemptB, invoiceId: b.id }));
      expect(comparableInvoice(invoiceA)).toEqual(comparableInvoice(invoiceB));
      expect(paymentA).toMatchObject({ status: "succeeded", fee: 320, net: 9_680, method: { type: "card", brand: "visa", last4: "4242" } });
      expect(invoiceA).toMatchObject({ status: "paid", amountPaid: 10_000, amountRemaining: 0 });
      expect(await balanceOf(shop, paymentA.id)).toHaveLength(1);
      expect(await balanceOf(shop, paymentB.id)).toHaveLength(1);
    });

    it("moves a poison message to the DLQ (maxReceiveCount 2) without blocking the good one sent after it", async () => {
      const suffix = unique();
      const { QueueUrl: dlqUrl = "" } = await aws.sqs.send(new CreateQueueCommand({ QueueName: `stripe-events-dlq-${suffix}` }));
      const { Attributes } = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }));
      const { QueueUrl: queueUrl = "" } = await aws.sqs.send(
        new CreateQueueCommand({
          QueueName: `stripe-events-redrive-${suffix}`,
          Attributes: {
            VisibilityTimeout: "1",
            RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: "2" }),
          },
        }),
      );
      const invoice = await openInvoice(shop);
      const attempt = await startCheckout(shop, invoice.id);

      // Poison 1: a forged signature. Poison 2: authentic, but about a payment that does not exist.
      const forged = paymentIntentEvent("payment_intent.succeeded", {
        id: `pi_forged${suffix}`,
        amount: 10_000,
        currency: "usd",
        created: nowSeconds(),
        metadata: refs(shop, invoice.id, attempt.paymentId),
      });
      const forgedPayload = JSON.stringify(forged);
      const poisonForged = JSON.stringify({ payload: forgedPayload, signature: signPayload(forgedPayload, "whsec_attacker_0123456789", nowSeconds()) });
      const orphan = succeededEvent(shop, invoice.id, { paymentId: "pay_01KQ9ZJ8X2M4N6P8R0T2V4X6Z8", piId: `pi_orphan${suffix}` });
      const poisonOrphan = JSON.stringify(signEvent(orphan, webhookSecret, nowSeconds()));
      const good = JSON.stringify(signEvent(succeededEvent(shop, invoice.id, attempt), webhookSecret, nowSeconds()));
      for (const body of [poisonForged, poisonOrphan, good]) {
        await aws.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      }

      const fn = functionNamed("stripe-events");
      pollers.push(
        pollQueue(
          aws.sqs,
          { url: queueUrl, arn: "arn:aws:sqs:us-east-1:000000000000:stripe-events", dlqUrl, dlqArn: Attributes?.QueueArn ?? "", definition: { visibilityTimeoutSeconds: 1, maxReceiveCount: 2, retentionDays: 1 } },
          fn,
          await loadHandler(fn),
        ),
      );

      const paid = await eventually(async () => {
        const p = await readPayment(shop, attempt.paymentId);
        return p.status === "succeeded" ? p : undefined;
      }, 10_000);
      expect(paid).toMatchObject({ status: "succeeded", fee: 320, processorPaymentId: attempt.piId });
      expect((await readInvoice(shop, invoice.id)).status).toBe("paid");

      const dead: string[] = [];
      await eventually(async () => {
        const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        dead.push(...Messages.map((m) => m.Body ?? ""));
        return dead.length >= 2 ? true : undefined;
      }, 15_000);
      expect(dead.sort()).toEqual([poisonForged, poisonOrphan].sort());
      expect(dead).not.toContain(good);
      await eventually(async () => ((await queueDepth(queueUrl)) === 0 ? true : undefined), 5_000);
      expect(await balanceOf(shop, attempt.paymentId)).toHaveLength(1);
    });

    it("treats the sandbox's own events, replayed through the consumer, as already applied", async () => {
      await drain(stripeEventsUrl());
      const invoice = await openInvoice(shop);
      const paid = await expectStatus(api(paymentsHandler, "POST /v1/invoices/{id}/pay", shop.secret, { id: invoice.id, body: { paymentMethod: "pm_card_visa" } }));
      await expectStatus(api(paymentsHandler, "POST /v1/payments/{id}/refunds", shop.secret, { id: paid.payment.id, body: { amount: 2_500 } }), 201);
      const before = await readPayment(shop, paid.payment.id);
      const queued = await drain(stripeEventsUrl());
      const types = queued.map((b) => (JSON.parse(JSON.parse(b).payload) as Stripe.Event).type);
      expect(types).toEqual(["payment_intent.succeeded", "charge.refunded"]);
      for (let i = 0; i < 2; i++) for (const r of await consume(queued)) expect(r.batchItemFailures).toEqual([]);
      expect(await readPayment(shop, paid.payment.id)).toEqual(before);
      expect(before).toMatchObject({ status: "partially_refunded", amountRefunded: 2_500 });
      expect(await balanceOf(shop, paid.payment.id)).toHaveLength(1);
      const refunds = await expectStatus(api(paymentsHandler, "GET /v1/refunds", shop.secret, { query: { paymentId: paid.payment.id } }));
      expect(refunds.data).toHaveLength(1);
      expect(refunds.data[0]).toMatchObject({ status: "succeeded", amount: 2_500 });
      const refundMoves = await balanceOf(shop, refunds.data[0].id);
      expect(refundMoves).toHaveLength(1);
      expect(refundMoves[0]).toMatchObject({ kind: "refund", amount: -2_500 });
    });
  });

  describe("disputes", () => {
    async function paidPayment() {
      const invoice = await openInvoice(shop);
      const paid = await expectStatus(api(paymentsHandler, "POST /v1/invoices/{id}/pay", shop.secret, { id: invoice.id, body: { paymentMethod: "pm_card_visa" } }));
      await drain(stripeEventsUrl());
      const payment = await readPayment(shop, paid.payment.id);
      const piId = payment.processorPaymentId ?? "";
      expect(piId).toMatch(/^pi_/);
      return { payment, piId };
    }

    /** A dispute event; `sentAt` is the event's time (the dispute itself was opened at `openedAt`). */
    const dispute = (
      type: "charge.dispute.created" | "charge.dispute.closed",
      id: string,
      piId: string,
      status?: Stripe.Dispute.Status,
      { openedAt = nowSeconds(), sentAt = openedAt }: { openedAt?: number; sentAt?: number } = {},
    ) => {
      const event = disputeEvent(type, {
        id,
        chargeId: `ch_${piId.slice(3)}`,
        paymentIntentId: piId,
        amount: 10_000,
        currency: "usd",
        created: openedAt,
        reason: "fraudulent",
        ...(status ? { status } : {}),
      });
      return { ...event, created: sentAt };
    };

    /** What a dispute leaves behind, minus what differs between two payments by construction. */
    async function disputeOutcome(paymentId: string, disputeId: string) {
      const { status, amountRefunded, dispute: held } = await readPayment(shop, paymentId);
      const { id: _id, ...rest } = held ?? { id: "" };
      const debits = (await balanceOf(shop, disputeId)).map((t) => ({ kind: t.kind, amount: t.amount, currency: t.currency }));
      return { status, amountRefunded, dispute: rest, debits };
    }

    for (const decision of ["lost", "won"] as const) {
      it(`ends a ${decision} dispute in the same state whether charge.dispute.created arrives before or after charge.dispute.closed`, async () => {
        const [inOrder, reversed] = [await paidPayment(), await paidPayment()];
        const openedAt = nowSeconds() - 3_600;
        const events = (piId: string, disputeId: string) => ({
          created: dispute("charge.dispute.created", disputeId, piId, undefined, { openedAt }),
          closed: dispute("charge.dispute.closed", disputeId, piId, decision, { openedAt, sentAt: openedAt + 1_800 }),
        });
        const first = { disputeId: `dp_first${unique()}`, ...inOrder };
        const second = { disputeId: `dp_second${unique()}`, ...reversed };
        const a = events(first.piId, first.disputeId);
        await deliverAndConsume(a.created, a.closed);
        const b = events(second.piId, second.disputeId);
        await deliverAndConsume(b.closed, b.created);

        const expected = await disputeOutcome(first.payment.id, first.disputeId);
        expect(expected).toMatchObject(
          decision === "lost"
            ? { status: "disputed", dispute: { status: "lost", closed: true }, debits: [{ kind: "dispute", amount: -10_000, currency: "USD" }] }
            : { status: "succeeded", dispute: { status: "won", closed: true }, debits: [] },
        );
        expect(await disputeOutcome(second.payment.id, second.disputeId)).toEqual(expected);
        // The late `created` was a no-op: no reopening recorded, no payment.disputed event.
        expect(await eventsOf(shop, "payment.disputed", second.payment.id)).toEqual([]);
        expect(await eventsOf(shop, "payment.dispute_closed", second.payment.id)).toHaveLength(1);
      });
    }

    it("ignores a report older than the one the payment holds (under_review, then a late needs_response)", async () => {
      const { payment, piId } = await paidPayment();
      const disputeId = `dp_review${unique()}`;
      const openedAt = nowSeconds() - 600;
      await deliverAndConsume(
        dispute("charge.dispute.created", disputeId, piId, "under_review", { openedAt, sentAt: openedAt + 60 }),
        dispute("charge.dispute.created", disputeId, piId, "needs_response", { openedAt }),
      );
      expect(await readPayment(shop, payment.id)).toMatchObject({ status: "disputed", dispute: { id: disputeId, status: "under_review", closed: false } });
    });

    it("marks the payment disputed, keeps it disputed when lost and books −amount once", async () => {
      const { payment, piId } = await paidPayment();
      const disputeId = `dp_lost${unique()}`;
      await deliverAndConsume(dispute("charge.dispute.created", disputeId, piId));
      const opened = await readPayment(shop, payment.id);
      expect(opened).toMatchObject({ status: "disputed", dispute: { id: disputeId, status: "needs_response", amount: 10_000, reason: "fraudulent" } });
      expect(await balanceOf(shop, disputeId)).toEqual([]);

      const lost = dispute("charge.dispute.closed", disputeId, piId, "lost");
      await deliverAndConsume(lost, lost);
      const closed = await readPayment(shop, payment.id);
      expect(closed).toMatchObject({ status: "disputed", dispute: { id: disputeId, status: "lost" } });
      const debits = await balanceOf(shop, disputeId);
      expect(debits).toHaveLength(1);
      expect(debits[0]).toMatchObject({ kind: "dispute", amount: -10_000, fee: 0, net: -10_000, currency: "USD" });
      expect(closed.history.map((h) => h.status)).toEqual(["processing", "succeeded", "disputed", "disputed"]);
    });

    it("returns a won dispute's payment to succeeded with no balance movement", async () => {
      const { payment, piId } = await paidPayment();
      const disputeId = `dp_won${unique()}`;
      await deliverAndConsume(dispute("charge.dispute.created", disputeId, piId));
      expect((await readPayment(shop, payment.id)).status).toBe("disputed");
      await deliverAndConsume(dispute("charge.dispute.closed", disputeId, piId, "won"));
      const won = await readPayment(shop, payment.id);
      expect(won).toMatchObject({ status: "succeeded", dispute: { id: disputeId, status: "won" } });
      expect(await balanceOf(shop, disputeId)).toEqual([]);
      expect(await balanceOf(shop, payment.id)).toHaveLength(1);
    });

    it("ignores a dispute for a payment intent Kassa does not know", async () => {
      const disputeId = `dp_unknown${unique()}`;
      await deliverAndConsume(dispute("charge.dispute.created", disputeId, `pi_unknown${unique()}`));
      expect(await balanceOf(shop, disputeId)).toEqual([]);
    });
  });
  describe("events that do not belong to the payment they name", () => {
    /** A merchant on Stripe: its connected account recorded (with the account → merchant lookup) and switched to Stripe. */
    async function stripeMerchant(name: string) {
      const m = await newMerchant(name);
      const accountId = `acct_${unique()}${unique()}`;
      await setStripeAccount({ store: dynamoMerchantStore, clock: systemClock }, m.id, accountId, false);
      const found = (await dynamoMerchantStore.readMerchant(m.id))!;
      const merchant = { ...found.value, processor: "stripe" as const, stripeChargesEnabled: true };
      const now = systemClock.now();
      await dynamoMerchantStore.replaceMerchant(
        merchant,
        found.version,
        newEvent("merchant.updated", m.id, m.id, now, { merchant, changed: ["processor"] }),
      );
      const buyer = await expectStatus(
        api(customersHandler, "POST /v1/customers", m.secret, { body: { email: `buyer-${unique()}@stripe.test`, name: "Stripe Buyer" } }),
        201,
      );
      return { ...m, accountId, customerId: buyer.id as string };
    }
    type StripeMerchant = Awaited<ReturnType<typeof stripeMerchant>>;

    /** Stripe as these tests need it: checkouts open, refunds stay pending until Stripe's events settle them. */
    const stripeAnswers = {
      name: "stripe",
      createCheckout: async () => ({ id: `cs_test_${unique()}`, url: "https://checkout.stripe.test/pay" }),
      refund: async (request: { amount: number }) => ({ refundId: `re_${unique()}${unique()}`, status: "pending", amount: request.amount }),
    } as unknown as PaymentProcessor;
    const stripePorts = (): PaymentPorts => ({ ...paymentPorts(systemClock), processorFor: async () => stripeAnswers });

    async function stripeCheckout(m: StripeMerchant, amount = 10_000) {
      const draft = await expectStatus(
        api(invoicesHandler, "POST /v1/invoices", m.secret, {
          body: { customerId: m.customerId, currency: "USD", lineItems: [{ description: "Stripe widget", unitAmount: amount }] },
        }),
        201,
      );
      const invoice = await expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/finalize", m.secret, { id: draft.id }));
      const session = await checkoutInvoice(stripePorts(), m.id, invoice.id, { successUrl: "https://shop.test/ok", cancelUrl: (id) => `https://shop.test/no?canceled=${id}` });
      const paymentId = (await readInvoice(m, invoice.id)).paymentLock!.paymentId;
      return { invoiceId: invoice.id as string, sessionId: session.id, paymentId, piId: `pi_${unique()}${unique()}` };
    }

    /** Everything Kassa keeps for a merchant: its partition (payments, invoices, refunds, balance, events) and its lookups. */
    async function recordsOf(m: { id: string }) {
      const items = (await aws.scanAll()).filter(
        (i) => i.type !== "platformEvent" && (String(i.PK).includes(m.id) || i.merchantId === m.id),
      );
      return items.sort((x, y) => `${x.PK}|${x.SK}`.localeCompare(`${y.PK}|${y.SK}`));
    }

    const rejections = async () => (await aws.scanAll()).filter((i) => i.type === "platformEvent");

    /** Runs the consumer on events sent straight to it, capturing what it logs as rejected. */
    async function consumeCapturingRejections(events: Stripe.Event[]) {
      const lines: string[] = [];
      const write = process.stdout.write.bind(process.stdout);
      const stdout = vi.spyOn(process.stdout, "write").mockImplementation((chunk, ...rest) => {
        if (String(chunk).includes("processor_event.rejected")) return lines.push(String(chunk)) > 0;
        return write(chunk, ...(rest as []));
      });
      try {
        const bodies = events.map((e) => JSON.stringify(signEvent(e, webhookSecret, nowSeconds())));
        for (const r of await consume(bodies)) expect(r.batchItemFailures).toEqual([]);
        // Each is one whole line of JSON, as the metric filter's JSON pattern needs.
        for (const line of lines) expect(line.endsWith("\n") && !line.slice(0, -1).includes("\n")).toBe(true);
        return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      } finally {
        stdout.mockRestore();
      }
    }

    it("a forged event for another merchant changes nothing: connected account B sending merchant A's payment, checkout, refund and dispute refs", async () => {
      const [a, b] = [await stripeMerchant("Merchant A"), await stripeMerchant("Merchant B")];
      // A: one checkout still open, one paid (through A's own account) with a refund pending at Stripe.
      const open = await stripeCheckout(a);
      const paid = await stripeCheckout(a);
      const fromA = { accountId: a.accountId };
      await deliverAndConsume(
        checkoutSessionCompletedEvent({ ...fromA, id: paid.sessionId, paymentIntentId: paid.piId, amount: 10_000, currency: "usd", created: nowSeconds(), metadata: refs(a, paid.invoiceId, paid.paymentId) }),
        paymentIntentEvent("payment_intent.succeeded", { ...fromA, id: paid.piId, amount: 10_000, currency: "usd", created: nowSeconds(), metadata: refs(a, paid.invoiceId, paid.paymentId) }),
      );
      expect(await readPayment(a, paid.paymentId)).toMatchObject({ status: "succeeded", processorPaymentId: paid.piId });
      const refund = await refundPayment(stripePorts(), a.id, paid.paymentId, { amount: 4_000 });
      expect(refund.status).toBe("pending");
      const before = await recordsOf(a);

      const fromB = { accountId: b.accountId, created: nowSeconds() };
      const forged = [
        paymentIntentEvent("payment_intent.succeeded", { ...fromB, id: open.piId, amount: 10_000, currency: "usd", metadata: refs(a, open.invoiceId, open.paymentId) }),
        paymentIntentEvent("payment_intent.payment_failed", {
          ...fromB,
          id: open.piId,
          amount: 10_000,
          currency: "usd",
          metadata: refs(a, open.invoiceId, open.paymentId),
          lastPaymentError: { code: "card_declined", declineCode: "generic_decline", message: "Declined" },
        }),
        checkoutSessionCompletedEvent({ ...fromB, id: open.sessionId, paymentIntentId: open.piId, amount: 10_000, currency: "usd", metadata: refs(a, open.invoiceId, open.paymentId) }),
        chargeRefundedEvent({
          ...fromB,
          chargeId: `ch_${paid.piId.slice(3)}`,
          paymentIntentId: paid.piId,
          amount: 10_000,
          currency: "usd",
          amountRefunded: 4_000,
          metadata: refs(a, paid.invoiceId, paid.paymentId),
          refund: { id: `re_forged${unique()}`, amount: 4_000, status: "succeeded", metadata: { ...refs(a, paid.invoiceId, paid.paymentId), kassa_refund_id: refund.id } },
        }),
        disputeEvent("charge.dispute.closed", { ...fromB, id: `dp_forged${unique()}`, chargeId: `ch_${paid.piId.slice(3)}`, paymentIntentId: paid.piId, amount: 10_000, currency: "usd", status: "lost" }),
      ];
      const logged = await consumeCapturingRejections(forged);

      expect(await recordsOf(a)).toEqual(before);
      expect(await processorRefs.findPayment(paid.piId)).toEqual({ merchantId: a.id, paymentId: paid.paymentId });
      const recorded = (await rejections()).filter((r) => forged.some((e) => e.id === r.processorEventId));
      expect(recorded.map((r) => r.processorEventType).sort()).toEqual(forged.map((e) => e.type).sort());
      for (const r of recorded) {
        expect(r).toMatchObject({ eventType: "processor_event.rejected", reason: "account", account: b.accountId, livemode: false, merchantId: a.id });
        expect(String(r.PK)).toMatch(/^PLATFORM#processor_event\.rejected#\d{4}-\d{2}-\d{2}$/);
      }
      expect(recorded.find((r) => r.processorEventType === "charge.refunded")).toMatchObject({ paymentId: paid.paymentId, refundId: refund.id });
      // One structured log line per rejection: what the alarm's metric filter ({ $.event = "processor_event.rejected" }) counts.
      expect(logged.filter((l) => l.event === "processor_event.rejected").map((l) => l.processorEventId).sort()).toEqual(forged.map((e) => e.id).sort());

      // Delivered again, still nothing changes and no second record is kept.
      await consumeCapturingRejections(forged);
      expect(await recordsOf(a)).toEqual(before);
      expect((await rejections()).filter((r) => forged.some((e) => e.id === r.processorEventId))).toHaveLength(forged.length);
    });

    it("rejects the merchant's own account's events in the wrong mode, for another amount or currency, or about another processor payment", async () => {
      const a = await stripeMerchant("Merchant Mode");
      const attempt = await stripeCheckout(a);
      const at = nowSeconds();
      const succeeded = (over: { amount?: number; currency?: string; livemode?: boolean; id?: string }) => {
        const event = paymentIntentEvent("payment_intent.succeeded", {
          accountId: a.accountId,
          id: over.id ?? attempt.piId,
          amount: over.amount ?? 10_000,
          currency: over.currency ?? "usd",
          created: at,
          metadata: refs(a, attempt.invoiceId, attempt.paymentId),
          eventId: `evt_mode${unique()}`,
        });
        return { ...event, livemode: over.livemode ?? false };
      };
      const before = await recordsOf(a);
      const wrong = [succeeded({ livemode: true }), succeeded({ amount: 1 }), succeeded({ currency: "eur" })];
      await consumeCapturingRejections(wrong);
      expect(await recordsOf(a)).toEqual(before);
      const reasons = (await rejections()).filter((r) => wrong.some((e) => e.id === r.processorEventId)).map((r) => r.reason);
      expect(reasons.sort()).toEqual(["amount", "currency", "livemode"]);

      // The genuine event settles it; a later one about another processor payment cannot re-settle it.
      await consumeCapturingRejections([succeeded({})]);
      const settled = await recordsOf(a);
      expect(await readPayment(a, attempt.paymentId)).toMatchObject({ status: "succeeded", processorPaymentId: attempt.piId });
      const other = succeeded({ id: `pi_other${unique()}` });
      await consumeCapturingRejections([other]);
      expect(await recordsOf(a)).toEqual(settled);
      expect((await rejections()).find((r) => r.processorEventId === other.id)).toMatchObject({ reason: "payment" });
    });

    it("rejects a sandbox payment's event that names a connected account or is live", async () => {
      const invoice = await openInvoice(shop);
      const attempt = await startCheckout(shop, invoice.id);
      const before = await recordsOf(shop);
      const fromAccount = paymentIntentEvent("payment_intent.succeeded", { ...succeededInput(shop, invoice.id, attempt), accountId: "acct_1SomeoneElse" });
      const live = { ...succeededEvent(shop, invoice.id, attempt), id: `evt_live${unique()}`, livemode: true };
      await consumeCapturingRejections([fromAccount, live]);
      expect(await recordsOf(shop)).toEqual(before);
      const reasons = (await rejections()).filter((r) => r.processorEventId === fromAccount.id || r.processorEventId === live.id).map((r) => r.reason);
      expect(reasons.sort()).toEqual(["account", "livemode"]);
    });

    it("never points a processor payment already claimed by one merchant's payment at another's", async () => {
      const [a, b] = [await stripeMerchant("Claim A"), await stripeMerchant("Claim B")];
      const paidA = await stripeCheckout(a);
      await deliverAndConsume(
        paymentIntentEvent("payment_intent.succeeded", { accountId: a.accountId, id: paidA.piId, amount: 10_000, currency: "usd", created: nowSeconds(), metadata: refs(a, paidA.invoiceId, paidA.paymentId) }),
      );
      const openB = await stripeCheckout(b);
      const beforeB = await recordsOf(b);
      // B's own account reporting B's payment under A's payment intent: its outcome cannot be recorded.
      const claim = paymentIntentEvent("payment_intent.succeeded", { eventId: `evt_claim${unique()}`, accountId: b.accountId, id: paidA.piId, amount: 10_000, currency: "usd", created: nowSeconds(), metadata: refs(b, openB.invoiceId, openB.paymentId) });
      const error = vi.spyOn(console, "error").mockImplementation(() => {});
      try {
        const [response] = await consume([JSON.stringify(signEvent(claim, webhookSecret, nowSeconds()))]);
        expect(response?.batchItemFailures).toHaveLength(1);
      } finally {
        error.mockRestore();
      }
      expect(await processorRefs.findPayment(paidA.piId)).toEqual({ merchantId: a.id, paymentId: paidA.paymentId });
      expect(await recordsOf(b)).toEqual(beforeB);
    });
  });
});
