/**
 * Stripe-shaped webhooks end to end against the emulators: POST /webhooks/stripe verifies and
 * queues, the stripe-events consumer verifies again and applies each event once. Covers bad
 * signatures (400, nothing queued), duplicate deliveries (one effect), out-of-order outcomes (the
 * same final records either way), poison messages (DLQ, nothing blocked) and disputes.
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
import { afterEach, beforeAll, describe, expect, it } from "vitest";
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
import { checkoutInvoice } from "../../shared/payments/service.ts";
import { signEvent, signPayload } from "../../shared/payments/signing.ts";
import { checkoutSessionCompletedEvent, disputeEvent, paymentIntentEvent } from "../../shared/payments/stripe-events.ts";
import { paymentPorts } from "../../shared/payments/wiring.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoPaymentStore } from "../../shared/store/payments.ts";
import { eventFromItem } from "../../shared/store/outbox.ts";
import { type ApiResult, call, expectStatus, merchantCall, newMerchant } from "../helpers/api.ts";
import { eventually, type TestAws, useTestAws } from "../helpers/aws.ts";
import { sampleEvent } from "../helpers/events.ts";

type Handler = Parameters<typeof call>[0];
type Merchant = { id: string; secret: string; email: string; name: string };

const webhookSecret = "whsec_test_secret_0123456789";
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
    cancelUrl: "https://shop.test/cancel",
  });
  const invoice = await dynamoInvoiceStore.read(m.id, invoiceId);
  const paymentId = invoice?.value.paymentInProgress;
  if (!paymentId) throw new Error("The checkout did not lock the invoice to a payment");
  const piId = `pi_${unique()}${unique()}`;
  return { sessionId: session.id, paymentId, piId };
}

const refs = (m: Merchant, invoiceId: string, paymentId: string) => ({
  kassa_merchant_id: m.id,
  kassa_payment_id: paymentId,
  kassa_invoice_id: invoiceId,
});

function succeededEvent(m: Merchant, invoiceId: string, attempt: { paymentId: string; piId: string }, amount = 10_000) {
  return paymentIntentEvent("payment_intent.succeeded", {
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
  });
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
      expect(after.paymentInProgress).toBeUndefined();

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
        const { id, invoiceId, processorPaymentId, createdAt, updatedAt, paidAt, history, ...rest } = p;
        expect({ id, invoiceId, processorPaymentId }).toEqual({ id: ids.paymentId, invoiceId: ids.invoiceId, processorPaymentId: ids.piId });
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

    const dispute = (type: "charge.dispute.created" | "charge.dispute.closed", id: string, piId: string, status?: Stripe.Dispute.Status) =>
      disputeEvent(type, {
        id,
        chargeId: `ch_${piId.slice(3)}`,
        paymentIntentId: piId,
        amount: 10_000,
        currency: "usd",
        created: nowSeconds(),
        reason: "fraudulent",
        ...(status ? { status } : {}),
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
});
