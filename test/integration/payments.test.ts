/**
 * Payments end to end through the real handlers against the emulators, with the sandbox processor:
 * charging an invoice (cards, declines, 3-D Secure, bank debits and their scheduled settlement),
 * never twice even when buyers race, the payments and refunds lists with filters and saved views,
 * refunds (partial, full, concurrent), the emails the outbox pipeline sends, the hosted card page,
 * and the tenant wall.
 */
import { randomUUID } from "node:crypto";
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { handler as viewsHandler } from "../../functions/api/views.ts";
import { handler as billingHandler } from "../../functions/billing/timers.ts";
import { handler as hostedHandler } from "../../functions/hosted/invoice.ts";
import { handler as processHandler } from "../../functions/webhooks/stripe-process.ts";
import { loadHandler } from "../../infra/local/invoke-lambda.ts";
import { startLocalScheduler } from "../../infra/local/scheduler.ts";
import { type Poller, pollQueue } from "../../infra/local/sqs-poller.ts";
import { functionNamed } from "../../infra/manifest.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { formToken } from "../../shared/hosted/pay-form.ts";
import { keys } from "../../shared/store/keys.ts";
import { dynamoPaymentStore } from "../../shared/store/payments.ts";
import { call, expectStatus, merchantCall, newMerchant } from "../helpers/api.ts";
import { eventually, type TestAws, useTestAws } from "../helpers/aws.ts";
import { dispatchedQueues, dispatchFromStream } from "../helpers/pipeline.ts";
import { sampleEvent } from "../helpers/events.ts";
import { pdfText } from "../helpers/pdf-text.ts";

type Handler = Parameters<typeof call>[0];
type Merchant = { id: string; secret: string; email: string; name: string };
type Customer = { id: string; email: string; name: string };

let aws: TestAws;
let shop: Merchant;
let buyer: Customer;

const unique = () => randomUUID().slice(0, 8);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const api = (handler: unknown, routeKey: string, m: Merchant, options?: Parameters<typeof merchantCall>[3]) =>
  merchantCall(handler, routeKey, m.secret, options);

const newCustomer = (m: Merchant, name: string): Promise<Customer> =>
  expectStatus(api(customersHandler, "POST /v1/customers", m, { body: { email: `${name.toLowerCase()}-${unique()}@buyer.test`, name } }), 201);

async function openInvoice(m: Merchant, customer: Customer, amount = 10_000) {
  const draft = await expectStatus(
    api(invoicesHandler, "POST /v1/invoices", m, {
      body: { customerId: customer.id, currency: "USD", lineItems: [{ description: "Consulting", unitAmount: amount }] },
    }),
    201,
  );
  return expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/finalize", m, { id: draft.id }));
}

const pay = (m: Merchant, invoiceId: string, paymentMethod: string) =>
  api(paymentsHandler, "POST /v1/invoices/{id}/pay", m, { id: invoiceId, body: { paymentMethod } });
const getInvoice = (m: Merchant, id: string) => expectStatus(api(invoicesHandler, "GET /v1/invoices/{id}", m, { id }));
const getPayment = (m: Merchant, id: string) => expectStatus(api(paymentsHandler, "GET /v1/payments/{id}", m, { id }));
const refund = (m: Merchant, paymentId: string, body: object = {}) =>
  api(paymentsHandler, "POST /v1/payments/{id}/refunds", m, { id: paymentId, body });
async function listPayments(m: Merchant, query: Record<string, string>) {
  return expectStatus(api(paymentsHandler, "GET /v1/payments", m, { query: { limit: "100", ...query } }));
}
const paymentIds = async (m: Merchant, query: Record<string, string>) =>
  ((await listPayments(m, query)).data as { id: string }[]).map((p) => p.id);

/** A paid invoice and its payment. */
async function paidInvoice(m: Merchant, customer: Customer, amount = 10_000) {
  const invoice = await openInvoice(m, customer, amount);
  const paid = await expectStatus(pay(m, invoice.id, "pm_card_visa"));
  return { invoice, payment: paid.payment };
}

const balanceOf = async (m: Merchant, sourceId: string) =>
  (await aws.scanAll()).filter((i) => i.type === "balanceTransaction" && String(i.PK).includes(m.id) && i.sourceId === sourceId);

/** Receives and deletes everything on one of this file's queues. */
async function drain(queue: string): Promise<string[]> {
  const QueueUrl = aws.queues[queue]!.url;
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => m.Body ?? ""));
    await aws.sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })) }),
    );
  }
}

const sampleRecord = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json").Records[0]!;
const record = (body: string): SQSRecord => ({ ...sampleRecord, messageId: randomUUID(), body });

describe("payments", () => {
  beforeAll(async () => {
    aws = await useTestAws(["stripe-events", ...dispatchedQueues]);
    shop = await newMerchant("Payment Shop");
    buyer = await newCustomer(shop, "Bea");
  });

  describe("POST /v1/invoices/{id}/pay", () => {
    it("charges pm_card_visa: invoice paid, payment succeeded with fee 2.9 % + 30 and the card's details", async () => {
      const invoice = await openInvoice(shop, buyer);
      const r = await pay(shop, invoice.id, "pm_card_visa");
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ id: invoice.id, status: "paid", amountPaid: 10_000, amountRemaining: 0 });
      const payment = r.body.payment;
      expect(payment).toMatchObject({
        status: "succeeded",
        amount: 10_000,
        currency: "USD",
        fee: 320,
        net: 9_680,
        amountRefunded: 0,
        processor: "sandbox",
        method: { type: "card", brand: "visa", last4: "4242" },
        customerId: buyer.id,
        invoiceId: invoice.id,
        paidAt: expect.any(String),
      });
      expect(payment.id).toMatch(/^pay_/);
      expect(await getPayment(shop, payment.id)).toEqual(payment);
      expect(await getInvoice(shop, invoice.id)).toMatchObject({ status: "paid", amountPaid: 10_000, amountRemaining: 0 });
      const charges = await balanceOf(shop, payment.id);
      expect(charges).toHaveLength(1);
      expect(charges[0]).toMatchObject({ kind: "charge", amount: 10_000, fee: 320, net: 9_680 });

      // Paid is final: a second charge is refused and nothing new is recorded.
      const again = await pay(shop, invoice.id, "pm_card_visa");
      expect(again.status).toBe(409);
      expect(await paymentIds(shop, { invoiceId: invoice.id })).toEqual([payment.id]);
    });

    it.each([
      ["pm_card_chargeDeclined", "generic_decline"],
      ["pm_card_insufficientFunds", "insufficient_funds"],
      ["pm_card_authenticationRequired", "authentication_required"],
    ])("answers %s with 402 %s and leaves the invoice open (payment failed)", async (method, declineCode) => {
      const invoice = await openInvoice(shop, buyer);
      const r = await pay(shop, invoice.id, method);
      expect(r.status).toBe(402);
      expect(r.headers["content-type"]).toBe("application/problem+json");
      expect(r.body).toMatchObject({ status: 402, title: "Payment declined", declineCode, paymentId: expect.stringMatching(/^pay_/) });
      expect(await getInvoice(shop, invoice.id)).toMatchObject({ status: "open", amountPaid: 0, amountRemaining: 10_000 });
      const payment = await getPayment(shop, r.body.paymentId);
      expect(payment).toMatchObject({ status: "failed", invoiceId: invoice.id, failure: { declineCode, message: expect.any(String) }, fee: 0 });
      expect(payment.paidAt).toBeUndefined();
      expect(await balanceOf(shop, payment.id)).toEqual([]);

      // The decline released the invoice: another card can pay it.
      const retry = await expectStatus(pay(shop, invoice.id, "pm_card_visa"));
      expect(retry).toMatchObject({ status: "paid", payment: { status: "succeeded" } });
    });

    it("lets exactly one of five buyers paying at once charge the invoice; the others get 409", async () => {
      const invoice = await openInvoice(shop, buyer);
      const results = await Promise.all(Array.from({ length: 5 }, () => pay(shop, invoice.id, "pm_card_visa")));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 409, 409, 409, 409]);
      const payments = (await listPayments(shop, { invoiceId: invoice.id })).data;
      expect(payments.filter((p: { status: string }) => p.status === "succeeded")).toHaveLength(1);
      expect(payments).toHaveLength(1);
      expect(await getInvoice(shop, invoice.id)).toMatchObject({ status: "paid", amountPaid: 10_000, amountRemaining: 0 });
      expect(await balanceOf(shop, payments[0].id)).toHaveLength(1);
    });

    it("answers a bank debit 202, leaves it processing until its scheduled settlement, then marks it succeeded and the invoice paid", async () => {
      const invoice = await openInvoice(shop, buyer);
      const r = await expectStatus(pay(shop, invoice.id, "pm_usBankAccount_success"), 202);
      expect(r).toMatchObject({ status: "open", amountPaid: 0, amountRemaining: 10_000 });
      expect(r.payment).toMatchObject({ status: "processing", method: { type: "bank_debit", bankName: "STRIPE TEST BANK", last4: "6789" } });
      const paymentId: string = r.payment.id;
      const stored = (await dynamoPaymentStore.read(shop.id, paymentId))?.value;
      expect(stored?.processorPaymentId).toMatch(/^pi_.+_p10000usd$/);
      // The attempt still holds the invoice: nobody can charge it meanwhile.
      expect((await pay(shop, invoice.id, "pm_card_visa")).status).toBe(409);

      // Time passes: the local scheduler fires the settlement to the billing queue.
      await drain("billing");
      const scheduler = startLocalScheduler({
        db: aws.db,
        tableName: aws.tableName,
        sqs: aws.sqs,
        queueUrls: { billing: aws.queues.billing!.url },
        clock: fixedClock(new Date(Date.now() + 5 * 60_000)),
        recurring: [],
        intervalMs: 50,
      });
      const settlements: string[] = [];
      try {
        await eventually(async () => {
          settlements.push(...(await drain("billing")).filter((b) => JSON.parse(b).metadata?.kassa_payment_id === paymentId));
          return settlements.length > 0 ? true : undefined;
        });
        await sleep(200);
        settlements.push(...(await drain("billing")).filter((b) => JSON.parse(b).metadata?.kassa_payment_id === paymentId));
      } finally {
        await scheduler.stop();
      }
      expect(settlements).toHaveLength(1);
      expect(JSON.parse(settlements[0]!)).toMatchObject({ kind: "sandbox.settle", paymentIntentId: stored?.processorPaymentId });

      await drain("stripe-events");
      expect(await billingHandler({ Records: [record(settlements[0]!)] })).toEqual({ batchItemFailures: [] });
      const queued = await drain("stripe-events");
      expect(queued.map((b) => (JSON.parse(JSON.parse(b).payload) as Stripe.Event).type)).toEqual(["payment_intent.succeeded"]);
      const consumed = (await processHandler({ Records: queued.map(record) })) as SQSBatchResponse;
      expect(consumed.batchItemFailures).toEqual([]);

      const settled = await getPayment(shop, paymentId);
      expect(settled).toMatchObject({ status: "succeeded", fee: 320, net: 9_680, paidAt: expect.any(String), method: { type: "bank_debit", last4: "6789" } });
      expect(settled.history.map((h: { status: string }) => h.status)).toEqual(["processing", "succeeded"]);
      expect(await getInvoice(shop, invoice.id)).toMatchObject({ status: "paid", amountPaid: 10_000, amountRemaining: 0 });
      expect(await balanceOf(shop, paymentId)).toHaveLength(1);
    });
  });

  describe("GET /v1/payments", () => {
    let lister: Merchant;
    let other: Merchant;
    let c1: Customer;
    let c2: Customer;
    const p: Record<string, { id: string; invoiceId: string }> = {};
    let between: string;

    beforeAll(async () => {
      lister = await newMerchant("Lister");
      other = await newMerchant("Other Shop");
      c1 = await newCustomer(lister, "Cora");
      c2 = await newCustomer(lister, "Dan");
      const charge = async (name: string, customer: Customer, amount: number, method: string, status: number) => {
        const invoice = await openInvoice(lister, customer, amount);
        const r = await pay(lister, invoice.id, method);
        expect(r.status).toBe(status);
        p[name] = { id: status === 402 ? r.body.paymentId : r.body.payment.id, invoiceId: invoice.id };
        await sleep(3);
      };
      await charge("visa10k", c1, 10_000, "pm_card_visa", 200);
      await charge("declined5k", c1, 5_000, "pm_card_chargeDeclined", 402);
      between = new Date().toISOString();
      await sleep(3);
      await charge("visa20k", c2, 20_000, "pm_card_mastercard", 200);
      await charge("bank7k", c2, 7_000, "pm_usBankAccount_success", 202);
    });

    const ids = (...names: string[]) => names.map((n) => p[n]!.id);

    it("lists newest first and filters by status, customer, invoice, amount range and creation time", async () => {
      expect(await paymentIds(lister, {})).toEqual(ids("bank7k", "visa20k", "declined5k", "visa10k"));
      expect(await paymentIds(lister, { status: "succeeded" })).toEqual(ids("visa20k", "visa10k"));
      expect(await paymentIds(lister, { status: "failed" })).toEqual(ids("declined5k"));
      expect(await paymentIds(lister, { status: "processing" })).toEqual(ids("bank7k"));
      expect(await paymentIds(lister, { customerId: c2.id })).toEqual(ids("bank7k", "visa20k"));
      expect(await paymentIds(lister, { invoiceId: p.declined5k!.invoiceId })).toEqual(ids("declined5k"));
      expect(await paymentIds(lister, { amountGte: "7000", amountLte: "10000" })).toEqual(ids("bank7k", "visa10k"));
      expect(await paymentIds(lister, { amountGte: "10001" })).toEqual(ids("visa20k"));
      expect(await paymentIds(lister, { createdAfter: between })).toEqual(ids("bank7k", "visa20k"));
      expect(await paymentIds(lister, { createdBefore: between })).toEqual(ids("declined5k", "visa10k"));
      expect(await paymentIds(lister, { customerId: c1.id, status: "succeeded", createdBefore: between })).toEqual(ids("visa10k"));
      expect((await api(paymentsHandler, "GET /v1/payments", lister, { query: { status: "pending" } })).status).toBe(400);
      expect((await api(paymentsHandler, "GET /v1/payments", lister, { query: { amountGte: "lots" } })).status).toBe(400);
    });

    it("pages through the list with a cursor", async () => {
      const first = await listPayments(lister, { limit: "3" });
      expect(first.data.map((x: { id: string }) => x.id)).toEqual(ids("bank7k", "visa20k", "declined5k"));
      expect(first.nextCursor).toEqual(expect.any(String));
      const second = await listPayments(lister, { limit: "3", cursor: first.nextCursor });
      expect(second.data.map((x: { id: string }) => x.id)).toEqual(ids("visa10k"));
      expect(second.nextCursor).toBeNull();
    });

    it("applies a saved payments view (?view=), with query filters on top; refuses an invoices view", async () => {
      const view = await expectStatus(
        api(viewsHandler, "POST /v1/views", lister, { body: { object: "payments", name: "Big card payments", filters: { status: "succeeded", amountGte: 10_000 } } }),
        201,
      );
      expect(view).toMatchObject({ object: "payments", name: "Big card payments", filters: { status: "succeeded", amountGte: 10_000 } });
      expect(await paymentIds(lister, { view: view.id })).toEqual(ids("visa20k", "visa10k"));
      expect(await paymentIds(lister, { view: view.id, customerId: c1.id })).toEqual(ids("visa10k"));
      expect(await paymentIds(lister, { view: view.id, status: "failed" })).toEqual([]);

      const invoicesView = await expectStatus(api(viewsHandler, "POST /v1/views", lister, { body: { object: "invoices", name: "Open", filters: { status: "open" } } }), 201);
      expect((await api(paymentsHandler, "GET /v1/payments", lister, { query: { view: invoicesView.id } })).status).toBe(400);
      // Another merchant cannot use (or probe) this merchant's view.
      expect((await api(paymentsHandler, "GET /v1/payments", other, { query: { view: view.id } })).status).toBe(400);
    });

    it("keeps a history timeline on each payment", async () => {
      const ok10k = await getPayment(lister, p.visa10k!.id);
      expect(ok10k.history).toEqual([
        { status: "processing", at: expect.any(String), note: "Sent to the sandbox processor" },
        { status: "succeeded", at: expect.any(String) },
      ]);
      const declined = await getPayment(lister, p.declined5k!.id);
      expect(declined.history).toEqual([
        { status: "processing", at: expect.any(String), note: "Sent to the sandbox processor" },
        { status: "failed", at: expect.any(String), note: "Your card was declined." },
      ]);
      for (const payment of [ok10k, declined]) {
        const times = payment.history.map((h: { at: string }) => h.at);
        expect([...times].sort()).toEqual(times);
        expect(times[0]).toBe(payment.createdAt);
      }
    });

    it("walls payments and refunds off from other merchants (404)", async () => {
      const r = await expectStatus(refund(lister, p.visa10k!.id, { amount: 100 }), 201);
      expect((await api(paymentsHandler, "GET /v1/payments/{id}", other, { id: p.visa10k!.id })).status).toBe(404);
      expect((await api(paymentsHandler, "GET /v1/refunds/{id}", other, { id: r.id })).status).toBe(404);
      expect((await refund(other, p.visa10k!.id, { amount: 100 })).status).toBe(404);
      expect((await pay(other, p.declined5k!.invoiceId, "pm_card_visa")).status).toBe(404);
      expect((await listPayments(other, {})).data).toEqual([]);
      expect((await expectStatus(api(paymentsHandler, "GET /v1/refunds", other, { query: { paymentId: p.visa10k!.id } }))).data).toEqual([]);
      // Nothing moved for the owner.
      expect(await getPayment(lister, p.visa10k!.id)).toMatchObject({ status: "partially_refunded", amountRefunded: 100 });
      expect(await getInvoice(lister, p.declined5k!.invoiceId)).toMatchObject({ status: "open" });
    });
  });

  describe("refunds", () => {
    it("refunds partially then fully (partially_refunded → refunded), never more than remains", async () => {
      const { payment } = await paidInvoice(shop, buyer);
      const first = await expectStatus(refund(shop, payment.id, { amount: 3_000, reason: "requested_by_customer" }), 201);
      expect(first).toMatchObject({ paymentId: payment.id, amount: 3_000, currency: "USD", status: "succeeded", reason: "requested_by_customer", customerId: buyer.id });
      expect(first.id).toMatch(/^re_/);
      expect(await getPayment(shop, payment.id)).toMatchObject({ status: "partially_refunded", amountRefunded: 3_000 });

      const tooMuch = await refund(shop, payment.id, { amount: 7_001 });
      expect(tooMuch.status).toBe(400);
      expect(tooMuch.body.errors).toEqual([expect.objectContaining({ path: "amount" })]);
      expect((await refund(shop, payment.id, { amount: 0 })).status).toBe(400);

      const rest = await expectStatus(refund(shop, payment.id), 201);
      expect(rest).toMatchObject({ amount: 7_000, status: "succeeded" });
      const after = await getPayment(shop, payment.id);
      expect(after).toMatchObject({ status: "refunded", amountRefunded: 10_000 });
      expect(after.history.map((h: { status: string; note?: string }) => [h.status, h.note ?? ""])).toEqual([
        ["processing", "Sent to the sandbox processor"],
        ["succeeded", ""],
        ["partially_refunded", "Refunded 3000"],
        ["refunded", "Refunded 7000"],
      ]);
      const more = await refund(shop, payment.id, { amount: 1 });
      expect([400, 409]).toContain(more.status);

      expect(await balanceOf(shop, first.id)).toEqual([expect.objectContaining({ kind: "refund", amount: -3_000, net: -3_000 })]);
      expect(await balanceOf(shop, rest.id)).toEqual([expect.objectContaining({ kind: "refund", amount: -7_000, net: -7_000 })]);

      const listed = await expectStatus(api(paymentsHandler, "GET /v1/refunds", shop, { query: { paymentId: payment.id } }));
      expect(listed.data.map((x: { id: string }) => x.id)).toEqual([rest.id, first.id]);
      const all = await expectStatus(api(paymentsHandler, "GET /v1/refunds", shop, { query: { limit: "100" } }));
      expect(all.data.map((x: { id: string }) => x.id)).toEqual(expect.arrayContaining([rest.id, first.id]));
      expect(await expectStatus(api(paymentsHandler, "GET /v1/refunds/{id}", shop, { id: first.id }))).toEqual(first);
      expect((await api(paymentsHandler, "GET /v1/refunds/{id}", shop, { id: "re_01KQ9ZJ8X2M4N6P8R0T2V4X6Z8" })).status).toBe(404);
    });

    it("records a manual payment's refund and its event but moves no processor money", async () => {
      const invoice = await openInvoice(shop, buyer, 6_000);
      const recorded = await expectStatus(
        api(invoicesHandler, "POST /v1/invoices/{id}/payments", shop, { id: invoice.id, body: { amount: 6_000, method: "bank_transfer" } }),
        201,
      );
      const r = await expectStatus(refund(shop, recorded.payment.id, { amount: 2_000 }), 201);
      expect(r).toMatchObject({ status: "succeeded", amount: 2_000 });
      expect(await getPayment(shop, recorded.payment.id)).toMatchObject({ status: "partially_refunded", amountRefunded: 2_000, amountRefundedSettled: 2_000 });
      // Neither the payment nor its refund went through the processor: nothing for a payout to count.
      expect(await balanceOf(shop, recorded.payment.id)).toEqual([]);
      expect(await balanceOf(shop, r.id)).toEqual([]);
      const events = (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === r.id).map((e) => e.eventType);
      expect(events.sort()).toEqual(["refund.created", "refund.succeeded"]);
    });

    it("refuses to refund a failed payment", async () => {
      const invoice = await openInvoice(shop, buyer);
      const declined = await pay(shop, invoice.id, "pm_card_chargeDeclined");
      const r = await refund(shop, declined.body.paymentId, { amount: 100 });
      expect(r.status).toBe(409);
    });

    it("never refunds more than the amount under five concurrent 40 % refunds", async () => {
      const { payment } = await paidInvoice(shop, buyer);
      const results = await Promise.all(Array.from({ length: 5 }, () => refund(shop, payment.id, { amount: 4_000 })));
      const succeeded = results.filter((r) => r.status === 201);
      for (const r of results.filter((x) => x.status !== 201)) expect([400, 409]).toContain(r.status);
      expect(succeeded.length).toBeGreaterThanOrEqual(1);
      expect(succeeded.length).toBeLessThanOrEqual(2);
      const refunded = succeeded.reduce((sum, r) => sum + r.body.amount, 0);
      expect(refunded).toBeLessThanOrEqual(10_000);

      const after = await getPayment(shop, payment.id);
      expect(after.amountRefunded).toBe(refunded);
      expect(after.status).toBe("partially_refunded");
      const listed = (await expectStatus(api(paymentsHandler, "GET /v1/refunds", shop, { query: { paymentId: payment.id } }))).data;
      expect(listed).toHaveLength(succeeded.length);
      expect(listed.every((x: { status: string }) => x.status === "succeeded")).toBe(true);
      const moves = (await aws.scanAll()).filter((i) => i.type === "balanceTransaction" && i.kind === "refund" && listed.some((x: { id: string }) => x.id === i.sourceId));
      expect(moves.reduce((sum, t) => sum + Number(t.amount), 0)).toBe(-refunded);

      // Whatever remains can still be refunded, and not a cent more.
      expect((await refund(shop, payment.id, { amount: 10_000 - refunded + 1 })).status).toBe(400);
      await expectStatus(refund(shop, payment.id, { amount: 10_000 - refunded }), 201);
      expect(await getPayment(shop, payment.id)).toMatchObject({ status: "refunded", amountRefunded: 10_000 });
    });
  });

  describe("GET /v1/payments/{id}/receipt-pdf", () => {
    it("answers the receipt in the buyer's locale with the refunds so far; 409 for a declined payment; writes nothing", async () => {
      const kari = await expectStatus(
        api(customersHandler, "POST /v1/customers", shop, { body: { email: `kari-${unique()}@buyer.test`, name: "Kari", locale: "nb-no" } }),
        201,
      );
      const { invoice, payment } = await paidInvoice(shop, kari, 421_875);
      await expectStatus(refund(shop, payment.id, { amount: 140_625 }), 201);
      const declined = await pay(shop, (await openInvoice(shop, buyer)).id, "pm_card_chargeDeclined");
      expect(declined.status).toBe(402);
      const before = await aws.countItems();

      const r = await api(paymentsHandler, "GET /v1/payments/{id}/receipt-pdf", shop, { id: payment.id });
      const refused = await api(paymentsHandler, "GET /v1/payments/{id}/receipt-pdf", shop, { id: declined.body.paymentId });

      expect(r.status).toBe(200);
      expect(r.headers["content-type"]).toBe("application/pdf");
      const runs = (await pdfText(Buffer.from(r.raw, "base64"))).split("\n");
      expect(runs).toContain("Kvittering");
      expect(runs).toContain(payment.id);
      expect(runs).toContain(`Betaling av faktura ${invoice.number}`);
      expect(runs[runs.indexOf("Betalt") + 1]).toBe("4\u00a0218,75\u00a0USD");
      expect(runs[runs.indexOf("Refundert") + 1]).toBe("1\u00a0406,25\u00a0USD");
      expect(refused.status).toBe(409);
      expect(await aws.countItems()).toBe(before);
    });
  });

  describe("emails through the outbox pipeline", () => {
    const pollers: Poller[] = [];
    let mailShop: Merchant;

    beforeAll(async () => {
      mailShop = await newMerchant("Mail Shop");
      pollers.push(await dispatchFromStream(aws));
      const notifications = functionNamed("notifications");
      const queue = aws.queues.notifications!;
      pollers.push(
        pollQueue(
          aws.sqs,
          { url: queue.url, arn: queue.arn, dlqUrl: "", dlqArn: "", definition: { visibilityTimeoutSeconds: 30, maxReceiveCount: 3, retentionDays: 1 } },
          notifications,
          await loadHandler(notifications),
        ),
      );
    });
    afterAll(async () => {
      await Promise.all(pollers.splice(0).map((x) => x.stop()));
    });

    const mailFor = (to: string, subjectStart: string) =>
      eventually(async () => (await aws.mailTo(to)).find((m) => m.subject.startsWith(subjectStart)), 15_000);

    it("sends the buyer a receipt and the merchant a notice after a successful payment", async () => {
      const customer = await newCustomer(mailShop, "Rita");
      const { invoice, payment } = await paidInvoice(mailShop, customer, 12_345);
      const receipt = await mailFor(customer.email, "[TEST MODE] Receipt from");
      expect(receipt.subject).toBe("[TEST MODE] Receipt from Mail Shop: $123.45 paid");
      expect(receipt.body.text).toContain("TEST MODE: this is about test money in the sandbox. No real money moved.");
      expect(receipt.body.html).toContain("TEST MODE: this is about test money in the sandbox.");
      expect(receipt.body.text).toContain(`invoice ${invoice.number}`);
      expect(receipt.body.text).toContain("4242");
      expect(receipt.body.text).toContain(payment.id);
      const notice = await mailFor(mailShop.email, "[TEST MODE] Payment received");
      expect(notice.subject).toBe(`[TEST MODE] Payment received: $123.45 for invoice ${invoice.number}`);
      expect(notice.body.text).toContain(payment.id);
      expect(notice.body.text).toContain("Rita");
      await sleep(500);
      expect((await aws.mailTo(customer.email)).filter((m) => m.subject.startsWith("[TEST MODE] Receipt from"))).toHaveLength(1);
    });

    it("sends the buyer the invoice's hosted link to retry after a failed payment", async () => {
      const customer = await newCustomer(mailShop, "Fred");
      const invoice = await openInvoice(mailShop, customer, 5_000);
      expect((await pay(mailShop, invoice.id, "pm_card_insufficientFunds")).status).toBe(402);
      const failed = await mailFor(customer.email, "[TEST MODE] Your payment to Mail Shop did not go through");
      expect(invoice.hostedUrl).toMatch(/\/i\/[A-Za-z0-9_-]{32}$/);
      expect(failed.body.text).toContain(invoice.hostedUrl);
      expect(failed.body.text).toContain("insufficient_funds");
      expect(failed.body.text).toContain("$50.00");
      expect((await aws.mailTo(customer.email)).filter((m) => m.subject.includes("Receipt"))).toEqual([]);
    });

    it("confirms a refund to the buyer", async () => {
      const customer = await newCustomer(mailShop, "Ruth");
      const { invoice, payment } = await paidInvoice(mailShop, customer, 8_000);
      const r = await expectStatus(refund(mailShop, payment.id, { amount: 2_000 }), 201);
      const mail = await mailFor(customer.email, "[TEST MODE] Refund from");
      expect(mail.subject).toBe("[TEST MODE] Refund from Mail Shop: $20.00");
      expect(mail.body.text).toContain(r.id);
      expect(mail.body.text).toContain(`invoice ${invoice.number}`);
    });
  });

  describe("hosted payment page (sandbox)", () => {
    const tokenOf = (invoice: { hostedUrl: string }) => invoice.hostedUrl.split("/").pop() ?? "";
    const hosted = (routeKey: string, token: string, form?: Record<string, string>) =>
      call(hostedHandler as Handler, routeKey, {
        pathParameters: { token },
        ...(form ? { body: new URLSearchParams(form).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } } : {}),
      });
    const formTokenIn = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1] ?? "";

    it("renders a card form with a formToken; paying 4242 4242 4242 4242 redirects to ?paid=1 and pays the invoice", async () => {
      const invoice = await openInvoice(shop, buyer, 4_200);
      const token = tokenOf(invoice);
      const page = await hosted("GET /i/{token}/pay", token);
      expect(page.status).toBe(200);
      expect(page.headers["content-type"]).toMatch(/^text\/html/);
      expect(page.raw).toContain("$42.00");
      const formToken = formTokenIn(page.raw);
      expect(formToken).toMatch(/^\d+\.[A-Za-z0-9_-]+$/);

      const paid = await hosted("POST /i/{token}/pay", token, { card: "4242 4242 4242 4242", formToken });
      expect(paid.status).toBe(303);
      expect(paid.headers.location).toBe(`/i/${token}?paid=1`);
      expect(await getInvoice(shop, invoice.id)).toMatchObject({ status: "paid", amountPaid: 4_200, amountRemaining: 0 });
      const [payment] = (await listPayments(shop, { invoiceId: invoice.id })).data;
      expect(payment).toMatchObject({ status: "succeeded", fee: 152, net: 4_048, method: { type: "card", brand: "visa", last4: "4242" } });

      // A paid invoice's pay page sends the buyer back to the invoice.
      const after = await hosted("GET /i/{token}/pay", token);
      expect(after.status).toBe(303);
      expect(after.headers.location).toBe(`/i/${token}`);
    });

    it("refuses a forged or absent formToken with 403 and charges nothing", async () => {
      const invoice = await openInvoice(shop, buyer);
      const token = tokenOf(invoice);
      const issued = formTokenIn((await hosted("GET /i/{token}/pay", token)).raw);
      const otherInvoice = await openInvoice(shop, buyer);
      const otherToken = formTokenIn((await hosted("GET /i/{token}/pay", tokenOf(otherInvoice))).raw);
      const [at] = issued.split(".");
      const attempts: Record<string, string>[] = [
        {},
        { formToken: "" },
        { formToken: `${at}.forgedforgedforgedforgedforgedforgedforged` },
        { formToken: otherToken },
      ];
      for (const form of attempts) {
        const r = await hosted("POST /i/{token}/pay", token, { card: "4242424242424242", ...form });
        expect(r.status, JSON.stringify(form)).toBe(403);
        expect(r.raw).toContain("This form has expired");
      }
      expect(await getInvoice(shop, invoice.id)).toMatchObject({ status: "open", amountPaid: 0 });
      expect((await listPayments(shop, { invoiceId: invoice.id })).data).toEqual([]);
    });

    it("shows a declined card as a 402 page with the error and keeps the invoice open", async () => {
      const invoice = await openInvoice(shop, buyer);
      const token = tokenOf(invoice);
      const formToken = formTokenIn((await hosted("GET /i/{token}/pay", token)).raw);
      const r = await hosted("POST /i/{token}/pay", token, { card: "4000 0000 0000 0002", formToken });
      expect(r.status).toBe(402);
      expect(r.headers["content-type"]).toMatch(/^text\/html/);
      expect(r.raw).toContain('role="alert"');
      expect(r.raw).toContain("Your card was declined (generic_decline). Try another card.");
      expect(formTokenIn(r.raw)).not.toBe("");
      expect(await getInvoice(shop, invoice.id)).toMatchObject({ status: "open", amountRemaining: 10_000 });
      const payments = (await listPayments(shop, { invoiceId: invoice.id })).data;
      expect(payments).toEqual([expect.objectContaining({ status: "failed", failure: expect.objectContaining({ declineCode: "generic_decline" }) })]);
    });
  });

  describe("test mode", () => {
    const tokenOf = (invoice: { hostedUrl: string }) => invoice.hostedUrl.split("/").pop() ?? "";
    const hosted = (routeKey: string, token: string, form?: Record<string, string>) =>
      call(hostedHandler as Handler, routeKey, {
        pathParameters: { token },
        ...(form ? { body: new URLSearchParams(form).toString(), headers: { "content-type": "application/x-www-form-urlencoded" } } : {}),
      });

    it("marks sandbox payments, their refunds and their events livemode false", async () => {
      const { payment } = await paidInvoice(shop, buyer, 3_000);
      expect(payment.livemode).toBe(false);
      expect((await getPayment(shop, payment.id)).livemode).toBe(false);
      const r = await expectStatus(refund(shop, payment.id, { amount: 1_000 }), 201);
      expect(r.livemode).toBe(false);
      const events = (await aws.scanAll()).filter((i) => i.type === "event" && (i.objectId === payment.id || i.objectId === r.id));
      expect(events.map((e) => e.eventType)).toEqual(expect.arrayContaining(["payment.created", "payment.succeeded", "refund.created", "refund.succeeded"]));
      for (const event of events) expect(event.livemode).toBe(false);
    });

    it("reads a payment and a refund written before money carried livemode as livemode false", async () => {
      const { payment } = await paidInvoice(shop, buyer, 2_000);
      const r = await expectStatus(refund(shop, payment.id, { amount: 500 }), 201);
      for (const [id, record] of [[payment.id, payment], [r.id, r]] as const) {
        const { livemode: _, ...before } = record;
        await aws.db.send(new PutCommand({ TableName: aws.tableName, Item: { ...keys.merchantObject(shop.id, id), type: id.startsWith("pay_") ? "payment" : "refund", version: 9, ...before } }));
      }
      expect(Object.keys((await aws.scanAll()).find((i) => i.id === payment.id) ?? {})).not.toContain("livemode");

      expect((await getPayment(shop, payment.id)).livemode).toBe(false);
      expect((await expectStatus(api(paymentsHandler, "GET /v1/refunds/{id}", shop, { id: r.id }))).livemode).toBe(false);
      const listed = (await listPayments(shop, { invoiceId: payment.invoiceId })).data;
      expect(listed).toEqual([expect.objectContaining({ id: payment.id, livemode: false })]);
    });

    describe("with the sandbox disabled on the deployment", () => {
      let cloudShop: Merchant;
      let cloudBuyer: Customer;
      beforeAll(async () => {
        cloudShop = await newMerchant("Cloud Shop");
        cloudBuyer = await newCustomer(cloudShop, "Cleo");
        process.env.SANDBOX = "disabled";
      });
      afterAll(() => {
        process.env.SANDBOX = "enabled";
      });

      it("answers an API charge for a merchant without a connected processor with a 409 naming what to do, and records nothing", async () => {
        const invoice = await openInvoice(cloudShop, cloudBuyer);
        const before = await aws.countItems();

        const r = await pay(cloudShop, invoice.id, "pm_card_visa");

        expect(r.status).toBe(409);
        expect(r.headers["content-type"]).toBe("application/problem+json");
        expect(r.body.detail).toContain("no connected payment processor and the sandbox is disabled");
        expect(r.body.detail).toContain("POST /v1/processor/stripe/connect");
        expect(await aws.countItems()).toBe(before);
        expect(await getInvoice(cloudShop, invoice.id)).toMatchObject({ status: "open", amountRemaining: 10_000 });
      });

      it("refuses to refund a sandbox payment once the sandbox is disabled, writing nothing", async () => {
        process.env.SANDBOX = "enabled";
        const { payment } = await paidInvoice(cloudShop, cloudBuyer, 1_500);
        process.env.SANDBOX = "disabled";
        const before = await aws.countItems();

        const r = await refund(cloudShop, payment.id, { amount: 500 });

        expect(r.status).toBe(409);
        expect(r.body.detail).toContain("the sandbox is disabled");
        expect(await aws.countItems()).toBe(before);
        expect(await getPayment(cloudShop, payment.id)).toMatchObject({ status: "succeeded", amountRefunded: 0 });
      });

      it("shows the hosted invoice without a pay button or card form, and refuses the pay routes with the same 409", async () => {
        const invoice = await openInvoice(cloudShop, cloudBuyer);
        const token = tokenOf(invoice);
        const before = await aws.countItems();

        const page = await hosted("GET /i/{token}", token);
        expect(page.status).toBe(200);
        expect(page.raw).toContain("$100.00");
        expect(page.raw).not.toContain(`href="${token}/pay"`);
        expect(page.raw).not.toContain("<form");
        expect(page.raw).toContain(`To pay, contact Cloud Shop at ${cloudShop.email}.`);

        const form = await hosted("GET /i/{token}/pay", token);
        expect(form.status).toBe(409);
        expect(form.raw).not.toContain("<form");
        const now = Math.floor(Date.now() / 1000);
        const post = await hosted("POST /i/{token}/pay", token, {
          card: "4242424242424242",
          formToken: formToken("test-cursor-secret-0123456789", token, now),
        });
        expect(post.status).toBe(409);
        expect(post.body.detail).toContain("POST /v1/processor/stripe/connect");
        expect(await aws.countItems()).toBe(before);
        expect(await getInvoice(cloudShop, invoice.id)).toMatchObject({ status: "open", amountPaid: 0 });
      });
    });

    it("shows the sandbox's hosted page with TEST MODE and the card form when the sandbox is enabled", async () => {
      const invoice = await openInvoice(shop, buyer);
      const token = tokenOf(invoice);
      const page = await hosted("GET /i/{token}", token);
      expect(page.raw).toContain("TEST MODE");
      expect(page.raw).toContain(`href="${token}/pay"`);
      const form = await hosted("GET /i/{token}/pay", token);
      expect(form.status).toBe(200);
      expect(form.raw).toContain("TEST MODE");
    });
  });
});
