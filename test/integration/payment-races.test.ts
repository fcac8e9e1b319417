/**
 * One invoice is never paid twice, against the emulators. An attempt holds the invoice while it can
 * still succeed — a card declined inside an open Checkout session, a processing bank debit past the
 * charge lock's time — and void, mark-uncollectible and manual payments wait for it (409). Only a
 * definite end releases it: a success, a charge's decline, Checkout's `expired` (the buyer's return by
 * the cancel URL expires the session). When a success still arrives for more than the invoice owes —
 * a lapsed attempt's late success after another paid, one after a manual partial payment or a void —
 * the invoice takes what it owes and the rest is refunded automatically, once, however often the
 * success is reported. Each case ends with the money and the records exactly right.
 */
import { randomUUID } from "node:crypto";
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as settingsHandler } from "../../functions/api/merchant-settings.ts";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { handler as processorHandler } from "../../functions/api/processor.ts";
import { handler as hostedHandler } from "../../functions/hosted/invoice.ts";
import { handler as notificationsHandler } from "../../functions/notifications/send.ts";
import { handler as processHandler } from "../../functions/webhooks/stripe-process.ts";
import { fixedClock, systemClock } from "../../shared/domain/clock.ts";
import { setStripeAccountStatus } from "../../shared/merchants/service.ts";
import { checkoutInvoice, payInvoice } from "../../shared/invoices/pay.ts";
import { signEvent } from "../../shared/payments/signing.ts";
import { checkoutSessionEvent } from "../../shared/stripe-shapes/checkout-sessions.ts";
import { paymentIntentEvent } from "../../shared/stripe-shapes/payment-intents.ts";
import { paymentPorts } from "../../shared/composition.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { eventFromItem } from "../../shared/store/outbox.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { sampleEvent } from "../helpers/events.ts";
import { type StripeFake, startStripeFake } from "../helpers/stripe-fake.ts";

type Handler = Parameters<typeof call>[0];

const webhookSecret = "whsec_test_secret_0123456789";
const minutes = (n: number) => n * 60_000;
const nowSeconds = () => Math.floor(Date.now() / 1000);
const unique = () => randomUUID().replaceAll("-", "").slice(0, 12);

let aws: TestAws;
let shop: TestMerchant;
let customer: { id: string; email: string };

const api = (handler: unknown, routeKey: string, options?: Parameters<typeof merchantCall>[3], m = shop) =>
  merchantCall(handler, routeKey, m.secret, options);

async function openInvoice(amount = 10_000, m = shop, buyer = customer) {
  const draft = await expectStatus(
    api(invoicesHandler, "POST /v1/invoices", { body: { customerId: buyer.id, currency: "USD", lineItems: [{ description: "Race widget", unitAmount: amount }] } }, m),
    201,
  );
  return expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/finalize", { id: draft.id }, m));
}

const payByApi = (invoiceId: string, paymentMethod = "pm_card_visa") =>
  api(paymentsHandler, "POST /v1/invoices/{id}/pay", { id: invoiceId, body: { paymentMethod } });
const lockOf = async (invoiceId: string, m = shop) => (await dynamoInvoiceStore.read(m.id, invoiceId))?.value.paymentLock;

/** A Checkout attempt (sandbox) started `ago` ms before now; its payment intent id is sandbox-shaped, so it can be refunded. */
async function checkoutAttempt(invoiceId: string, ago = 0, amount = 10_000) {
  const ports = paymentPorts(fixedClock(new Date(Date.now() - ago)), (id) => `https://pay.kassa.test/${id}`);
  const session = await checkoutInvoice(ports, shop.id, invoiceId, {
    successUrl: "https://pay.kassa.test/ok",
    cancelUrl: (paymentId) => `https://pay.kassa.test/i/x?canceled=${paymentId}`,
  });
  const paymentId = (await lockOf(invoiceId))?.paymentId ?? "";
  return { sessionId: session.id, paymentId, piId: `pi_${unique()}${unique()}_s${amount}usd`, invoiceId, amount };
}
type Attempt = Awaited<ReturnType<typeof checkoutAttempt>>;

const refs = (a: Attempt) => ({ kassa_merchant_id: shop.id, kassa_payment_id: a.paymentId, kassa_invoice_id: a.invoiceId });

const succeeded = (a: Attempt) =>
  paymentIntentEvent("payment_intent.succeeded", {
    id: a.piId,
    amount: a.amount,
    currency: "usd",
    created: nowSeconds(),
    metadata: refs(a),
    paymentMethodId: "pm_card_visa",
    latestCharge: { id: `ch_${a.piId.slice(3)}`, status: "succeeded", method: { type: "card", brand: "visa", last4: "4242" }, fee: 320, balanceTransactionId: `txn_${a.piId.slice(3)}` },
  });

const declined = (a: Attempt) =>
  paymentIntentEvent("payment_intent.payment_failed", {
    id: a.piId,
    amount: a.amount,
    currency: "usd",
    created: nowSeconds(),
    metadata: refs(a),
    paymentMethodId: "pm_card_chargeDeclined",
    latestCharge: null,
    lastPaymentError: { code: "card_declined", declineCode: "generic_decline", message: "Your card was declined." },
  });

const session = (type: "checkout.session.completed" | "checkout.session.expired", a: Attempt) =>
  checkoutSessionEvent(type, {
    id: a.sessionId,
    paymentIntentId: type === "checkout.session.completed" ? a.piId : null,
    amount: a.amount,
    currency: "usd",
    created: nowSeconds(),
    metadata: refs(a),
    customerEmail: customer.email,
  });

const sampleRecord = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json").Records[0]!;
const record = (body: string): SQSRecord => ({ ...sampleRecord, messageId: randomUUID(), body });

/** The processor reports events (signed, through the stripe-events consumer), one after another or all at once. */
async function report(events: Stripe.Event[], { concurrently = false } = {}) {
  const run = async (event: Stripe.Event) => {
    const body = JSON.stringify(signEvent(event, webhookSecret, nowSeconds()));
    const r = (await processHandler({ Records: [record(body)] })) as SQSBatchResponse;
    expect(r.batchItemFailures).toEqual([]);
  };
  if (concurrently) await Promise.all(events.map(run));
  else for (const event of events) await run(event);
}

const scanFor = async (m: TestMerchant, type: string) => (await aws.scanAll()).filter((i) => i.type === type && String(i.PK).includes(m.id));

/** Everything money-related about an invoice, read back from the API and the table. */
async function moneyOf(invoiceId: string, m = shop) {
  const invoice = await expectStatus(api(invoicesHandler, "GET /v1/invoices/{id}", { id: invoiceId }, m));
  const listed = await expectStatus(api(paymentsHandler, "GET /v1/payments", { query: { invoiceId, limit: "100" } }, m));
  const payments: { id: string; status: string; processor: string; excess?: unknown }[] = listed.data;
  const ids = new Set(payments.map((p) => p.id as string));
  const refunds = (await scanFor(m, "refund")).filter((r) => r.invoiceId === invoiceId);
  const refundIds = new Set(refunds.map((r) => r.id as string));
  const balance = (await scanFor(m, "balanceTransaction")).filter((t) => ids.has(String(t.sourceId)) || refundIds.has(String(t.sourceId)));
  const events = (await scanFor(m, "event")).filter((e) => e.objectId === invoiceId || ids.has(String(e.objectId)));
  const count = (type: string) => events.filter((e) => e.eventType === type).length;
  return { invoice, payments, refunds, balance, events, count };
}

const byId = <T extends { id?: unknown }>(items: T[], id: string) => items.find((i) => i.id === id);

describe("payment races", () => {
  beforeAll(async () => {
    aws = await useTestAws(["stripe-events", "notifications", "billing"]);
    shop = await newMerchant("Race Shop");
    customer = await expectStatus(api(customersHandler, "POST /v1/customers", { body: { email: `buyer-${unique()}@races.test`, name: "Rae Racer" } }), 201);
  });

  describe("an attempt holds the invoice while it can still succeed", () => {
    it("keeps a Checkout attempt's lock through a card declined in the open session: a second attempt gets 409, the next card pays once", async () => {
      const invoice = await openInvoice();
      const a = await checkoutAttempt(invoice.id);
      expect(await lockOf(invoice.id)).toMatchObject({ paymentId: a.paymentId, via: "checkout", checkoutSessionId: a.sessionId });

      await report([declined(a)]);
      expect(await lockOf(invoice.id)).toMatchObject({ paymentId: a.paymentId });
      expect((await payByApi(invoice.id)).status).toBe(409);

      // The buyer tries another card in the same session.
      await report([succeeded(a), session("checkout.session.completed", a)]);
      const { invoice: after, payments, refunds, balance, count } = await moneyOf(invoice.id);
      expect(after).toMatchObject({ status: "paid", amountPaid: 10_000, amountRemaining: 0 });
      expect(payments).toHaveLength(1);
      expect(payments[0]).toMatchObject({ id: a.paymentId, status: "succeeded", amount: 10_000, fee: 320, net: 9_680, amountRefunded: 0 });
      expect(payments[0]!.excess).toBeUndefined();
      expect(refunds).toEqual([]);
      expect(balance).toEqual([expect.objectContaining({ kind: "charge", sourceId: a.paymentId, amount: 10_000, fee: 320 })]);
      expect([count("invoice.paid"), count("payment.duplicate_refunded")]).toEqual([1, 0]);
      expect(await lockOf(invoice.id)).toBeUndefined();
    });

    it("keeps a processing bank debit's lock past the charge lock's 15 minutes, until it settles", async () => {
      const invoice = await openInvoice();
      const started = await payInvoice(paymentPorts(fixedClock(new Date(Date.now() - minutes(20)))), shop.id, invoice.id, "pm_usBankAccount_success");
      expect(started.payment).toMatchObject({ status: "processing" });
      expect(await lockOf(invoice.id)).toEqual({ paymentId: started.payment.id, via: "charge" });

      const second = await payByApi(invoice.id);
      expect(second.status).toBe(409);

      const a = { sessionId: "", paymentId: started.payment.id, piId: started.payment.processorPaymentId ?? "", invoiceId: invoice.id, amount: 10_000 };
      await report([succeeded(a)]);
      const { invoice: after, payments, balance, refunds } = await moneyOf(invoice.id);
      expect(after).toMatchObject({ status: "paid", amountPaid: 10_000, amountRemaining: 0 });
      expect(payments.map((p) => [p.id, p.status])).toEqual([[started.payment.id, "succeeded"]]);
      expect(balance).toHaveLength(1);
      expect(refunds).toEqual([]);
      expect(await lockOf(invoice.id)).toBeUndefined();
    });

    it("answers 409 to void, mark-uncollectible and a manual payment while a payment is in flight; checkout.session.expired ends it", async () => {
      const invoice = await openInvoice();
      const a = await checkoutAttempt(invoice.id);
      for (const [routeKey, body] of [
        ["POST /v1/invoices/{id}/void", undefined],
        ["POST /v1/invoices/{id}/mark-uncollectible", undefined],
        ["POST /v1/invoices/{id}/payments", { amount: 10_000, method: "bank_transfer" }],
      ] as const) {
        const r = await api(invoicesHandler, routeKey, { id: invoice.id, ...(body ? { body } : {}) });
        expect(r.status, routeKey).toBe(409);
        expect(r.body.detail, routeKey).toMatch(/in progress/);
      }
      const before = await moneyOf(invoice.id);
      expect(before.invoice).toMatchObject({ status: "open", amountPaid: 0, amountRemaining: 10_000 });
      expect(before.payments.map((p) => p.id)).toEqual([a.paymentId]);
      expect([before.count("invoice.voided"), before.count("invoice.marked_uncollectible"), before.count("payment.recorded")]).toEqual([0, 0, 0]);

      // The session closes unpaid (reported twice): the attempt is over, nothing was charged.
      await report([session("checkout.session.expired", a), session("checkout.session.expired", a)]);
      expect(await lockOf(invoice.id)).toBeUndefined();
      const after = await moneyOf(invoice.id);
      expect(after.payments[0]).toMatchObject({ status: "failed", failure: { declineCode: "checkout_expired" }, fee: 0 });
      expect(after.balance).toEqual([]);
      expect(await expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/void", { id: invoice.id }))).toMatchObject({ status: "void", amountRemaining: 0 });
    });
  });

  describe("a success beyond what the invoice owes is refunded automatically", () => {
    it("double pay through two attempts: a lapsed Checkout attempt's late success after another attempt paid is refunded in full", async () => {
      const invoice = await openInvoice();
      const first = await checkoutAttempt(invoice.id, minutes(40));
      // 40 minutes on, the first session closed 9 minutes ago and its lock (36 min) lapsed: a new attempt may start.
      const second = await expectStatus(payByApi(invoice.id));
      expect(second).toMatchObject({ status: "paid", payment: { status: "succeeded" } });

      // The first session's payment was confirmed in its last moment; the report arrives now.
      await report([succeeded(first), session("checkout.session.completed", first)]);

      const { invoice: after, payments, refunds, balance, count } = await moneyOf(invoice.id);
      expect(after).toMatchObject({ status: "paid", amountPaid: 10_000, amountRemaining: 0 });
      expect(byId(payments, second.payment.id)).toMatchObject({ status: "succeeded", amount: 10_000, amountRefunded: 0 });
      expect(byId(payments, second.payment.id)!.excess).toBeUndefined();
      expect(byId(payments, first.paymentId)).toMatchObject({ status: "refunded", amount: 10_000, fee: 320, net: 9_680, amountRefunded: 10_000, excess: { amount: 10_000, refundId: refunds[0]?.id } });
      expect(refunds).toEqual([expect.objectContaining({ paymentId: first.paymentId, amount: 10_000, reason: "duplicate", status: "succeeded" })]);
      const charges = balance.filter((t) => t.kind === "charge");
      expect(charges.map((t) => [t.sourceId, t.amount, t.fee]).sort()).toEqual([[first.paymentId, 10_000, 320], [second.payment.id, 10_000, 320]].sort());
      expect(balance.filter((t) => t.kind === "refund").map((t) => [t.sourceId, t.amount])).toEqual([[refunds[0]!.id, -10_000]]);
      // The merchant keeps one payment's net; the buyer paid once.
      expect(balance.reduce((sum, t) => sum + Number(t.net), 0)).toBe(9_680 - 320);
      expect([count("invoice.paid"), count("payment.succeeded"), count("payment.duplicate_refunded")]).toEqual([1, 2, 1]);
    });

    it("a success after a manual partial payment pays what is owed and refunds the excess", async () => {
      const invoice = await openInvoice();
      const a = await checkoutAttempt(invoice.id, minutes(40));
      await expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/payments", { id: invoice.id, body: { amount: 4_000, method: "bank_transfer" } }), 201);

      await report([succeeded(a)]);

      const { invoice: after, payments, refunds, balance, count, events } = await moneyOf(invoice.id);
      expect(after).toMatchObject({ status: "paid", amountPaid: 10_000, amountRemaining: 0 });
      const manual = payments.find((p) => p.processor === "manual");
      expect(manual).toMatchObject({ status: "succeeded", amount: 4_000, amountRefunded: 0 });
      expect(byId(payments, a.paymentId)).toMatchObject({ status: "partially_refunded", amount: 10_000, amountRefunded: 4_000, excess: { amount: 4_000, refundId: refunds[0]?.id } });
      expect(refunds).toEqual([expect.objectContaining({ paymentId: a.paymentId, amount: 4_000, reason: "duplicate", status: "succeeded" })]);
      expect(balance.map((t) => [t.kind, t.amount, t.fee]).sort()).toEqual([["charge", 10_000, 320], ["refund", -4_000, 0]].sort());
      const notice = events.filter((e) => e.eventType === "payment.duplicate_refunded");
      expect(notice).toHaveLength(1);
      expect(notice[0]!.data).toMatchObject({ invoiceId: invoice.id, excessAmount: 4_000, refundId: refunds[0]!.id, payment: { id: a.paymentId } });
      expect(count("invoice.paid")).toBe(1);
    });

    it("a second success on a paid invoice is refunded once, however often and however concurrently it is reported", async () => {
      const invoice = await openInvoice();
      const late = await checkoutAttempt(invoice.id, minutes(40));
      const paid = await expectStatus(payByApi(invoice.id));

      const again = [succeeded(late), succeeded(late), session("checkout.session.completed", late), session("checkout.session.completed", late)];
      await report(again, { concurrently: true });
      await report([succeeded(late), session("checkout.session.completed", late)]);

      const { invoice: after, payments, refunds, balance, count } = await moneyOf(invoice.id);
      expect(after).toMatchObject({ status: "paid", amountPaid: 10_000, amountRemaining: 0 });
      expect(byId(payments, paid.payment.id)).toMatchObject({ status: "succeeded", amountRefunded: 0 });
      expect(byId(payments, late.paymentId)).toMatchObject({ status: "refunded", amountRefunded: 10_000, excess: { amount: 10_000 } });
      expect(refunds).toHaveLength(1);
      expect(refunds[0]).toMatchObject({ paymentId: late.paymentId, amount: 10_000, reason: "duplicate", status: "succeeded" });
      expect(balance.filter((t) => t.kind === "charge")).toHaveLength(2);
      expect(balance.filter((t) => t.kind === "refund").map((t) => t.amount)).toEqual([-10_000]);
      expect([count("invoice.paid"), count("payment.duplicate_refunded")]).toEqual([1, 1]);
    });

    it("a success after the invoice was voided is refunded in full and the invoice stays void", async () => {
      const invoice = await openInvoice();
      const a = await checkoutAttempt(invoice.id, minutes(40));
      await expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/void", { id: invoice.id }));

      await report([succeeded(a)]);

      const { invoice: after, payments, refunds, balance, count } = await moneyOf(invoice.id);
      expect(after).toMatchObject({ status: "void", amountPaid: 0, amountRemaining: 0 });
      expect(payments).toEqual([expect.objectContaining({ id: a.paymentId, status: "refunded", amountRefunded: 10_000, excess: { amount: 10_000, refundId: refunds[0]?.id } })]);
      expect(refunds).toEqual([expect.objectContaining({ amount: 10_000, reason: "duplicate", status: "succeeded" })]);
      expect(balance.map((t) => [t.kind, t.amount]).sort()).toEqual([["charge", 10_000], ["refund", -10_000]].sort());
      expect([count("invoice.paid"), count("payment.duplicate_refunded")]).toEqual([0, 1]);
    });

    it("tells the merchant what was refunded and why, once", async () => {
      const invoice = await openInvoice(7_500);
      const a = await checkoutAttempt(invoice.id, minutes(40), 7_500);
      await expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/payments", { id: invoice.id, body: { amount: 7_500, method: "check" } }), 201);
      await report([succeeded(a)]);
      const [event] = (await scanFor(shop, "event")).filter((e) => e.eventType === "payment.duplicate_refunded" && e.objectId === a.paymentId);
      const message = JSON.stringify(eventFromItem(event!));
      for (let i = 0; i < 2; i++) expect(await notificationsHandler({ Records: [record(message)] })).toEqual({ batchItemFailures: [] });
      const mails = (await aws.mailTo(shop.email)).filter((m) => m.subject.includes("Refunded automatically"));
      expect(mails).toHaveLength(1);
      // Sandbox money: marked TEST MODE like every mail about it.
      expect(mails[0]!.subject).toBe(`[TEST MODE] Refunded automatically: $75.00 of a payment for invoice ${invoice.number}`);
      expect(mails[0]!.body.text).toContain("which then owed only $0.00");
      expect(mails[0]!.body.text).toContain(a.paymentId);
    });
  });

  describe("Stripe Checkout from the hosted page", () => {
    let stripe: StripeFake;
    let seller: TestMerchant;
    let buyer: { id: string; email: string };

    beforeAll(async () => {
      stripe = await startStripeFake();
      process.env.STRIPE_API_BASE = `http://127.0.0.1:${stripe.port}`;
      process.env.STRIPE_SECRET_KEY = "sk_test_races_0123456789";
      seller = await newMerchant("Stripe Race Shop");
      await expectStatus(merchantCall(processorHandler, "POST /v1/processor/stripe/connect", seller.secret, { body: {} }));
      await setStripeAccountStatus({ store: dynamoMerchantStore, clock: systemClock }, seller.id, true);
      await expectStatus(merchantCall(settingsHandler, "PATCH /v1/merchant", seller.secret, { body: { processor: "stripe" } }));
      buyer = await expectStatus(merchantCall(customersHandler, "POST /v1/customers", seller.secret, { body: { email: `stripe-${unique()}@races.test` } }), 201);
    });
    afterAll(async () => {
      await stripe?.stop();
      delete process.env.STRIPE_API_BASE;
      delete process.env.STRIPE_SECRET_KEY;
    });

    const hosted = (routeKey: string, token: string, extra: { form?: Record<string, string>; query?: Record<string, string> } = {}) =>
      call(hostedHandler as Handler, routeKey, {
        pathParameters: { token },
        // A Host the buyer's client chose: Checkout's return links must still be the configured base (pay.kassa.test).
        headers: { host: "phish.example", ...(extra.form ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
        ...(extra.form ? { body: new URLSearchParams(extra.form).toString() } : {}),
        ...(extra.query ? { query: extra.query } : {}),
      });
    const formTokenIn = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1] ?? "";
    const calls = () => stripe.requests.map((r) => `${r.method} ${r.path}`);

    it("renders on GET and starts on POST (303 to Checkout, closing in 30 min (and 30 s)); the cancel URL expires the session and the buyer can start again at once", async () => {
      const invoice = await openInvoice(5_000, seller, buyer);
      const token = String(invoice.hostedUrl).split("/").pop() ?? "";
      stripe.requests.length = 0;

      const page = await hosted("GET /i/{token}/pay", token);
      expect(page.status).toBe(200);
      expect(page.raw).toContain("$50.00");
      expect(page.raw).not.toContain('name="card"');
      expect(calls()).toEqual([]);
      expect(await lockOf(invoice.id, seller)).toBeUndefined();
      const formToken = formTokenIn(page.raw);

      const before = Math.floor(Date.now() / 1000);
      const started = await hosted("POST /i/{token}/pay", token, { form: { formToken } });
      expect(started.status).toBe(303);
      const [created] = stripe.requests.filter((r) => r.path === "/v1/checkout/sessions");
      const sessionId = String(started.headers.location).split("/").pop() ?? "";
      expect(started.headers.location).toBe(`https://checkout.stripe.com/c/pay/${sessionId}`);
      const lock = await lockOf(invoice.id, seller);
      expect(lock).toMatchObject({ via: "checkout", checkoutSessionId: sessionId });
      const expiresAt = Number(created!.form.expires_at);
      expect(expiresAt - before).toBeGreaterThanOrEqual(30 * 60 + 30);
      expect(expiresAt - before).toBeLessThanOrEqual(30 * 60 + 35);
      expect(Date.parse(lock!.until!) / 1000 - expiresAt).toBeCloseTo(5 * 60, -1);
      expect(created!.form.cancel_url).toBe(`https://pay.kassa.test/i/${token}?canceled=${lock!.paymentId}`);
      expect(created!.form.success_url).toBe(`https://pay.kassa.test/i/${token}?paid=1`);

      // Pressing Pay again (another tab) while the session is open starts nothing.
      const again = await hosted("POST /i/{token}/pay", token, { form: { formToken } });
      expect(again.status).toBe(409);
      expect(again.raw).toContain("already in progress");
      expect(stripe.requests.filter((r) => r.path === "/v1/checkout/sessions")).toHaveLength(1);

      // Back by the cancel URL: the session is expired at Stripe, the attempt ends, the invoice is free.
      expect((await hosted("GET /i/{token}", token, { query: { canceled: lock!.paymentId } })).status).toBe(200);
      expect(calls()).toContain(`POST /v1/checkout/sessions/${sessionId}/expire`);
      expect(await lockOf(invoice.id, seller)).toBeUndefined();
      const payment = await expectStatus(merchantCall(paymentsHandler, "GET /v1/payments/{id}", seller.secret, { id: lock!.paymentId }));
      expect(payment).toMatchObject({ status: "failed", failure: { declineCode: "checkout_expired" }, fee: 0 });

      const retried = await hosted("POST /i/{token}/pay", token, { form: { formToken } });
      expect(retried.status).toBe(303);
      expect(retried.headers.location).not.toBe(started.headers.location);
      const next = await lockOf(invoice.id, seller);
      expect(next?.paymentId).not.toBe(lock!.paymentId);

      // The old cancel link no longer names the attempt that holds the invoice: it expires nothing.
      const expiresBefore = calls().filter((c) => c.endsWith("/expire")).length;
      await hosted("GET /i/{token}", token, { query: { canceled: lock!.paymentId } });
      expect(calls().filter((c) => c.endsWith("/expire"))).toHaveLength(expiresBefore);
      expect((await lockOf(invoice.id, seller))?.paymentId).toBe(next?.paymentId);
      const after = await moneyOf(invoice.id, seller);
      expect(after.invoice).toMatchObject({ status: "open", amountPaid: 0, amountRemaining: 5_000 });
      expect(after.balance).toEqual([]);
    });

    it("ends an attempt whose Checkout session could not be opened, so the buyer can try again at once", async () => {
      const invoice = await openInvoice(5_000, seller, buyer);
      const token = String(invoice.hostedUrl).split("/").pop() ?? "";
      const formToken = formTokenIn((await hosted("GET /i/{token}/pay", token)).raw);
      stripe.respondOnce("POST", "/v1/checkout/sessions", () => ({
        status: 400,
        body: { error: { type: "invalid_request_error", message: "The account cannot take payments right now." } },
      }));
      expect((await hosted("POST /i/{token}/pay", token, { form: { formToken } })).status).toBe(500);
      expect(await lockOf(invoice.id, seller)).toBeUndefined();
      const [failed] = (await moneyOf(invoice.id, seller)).payments;
      expect(failed).toMatchObject({ status: "failed" });

      expect((await hosted("POST /i/{token}/pay", token, { form: { formToken } })).status).toBe(303);
      expect((await lockOf(invoice.id, seller))?.paymentId).not.toBe(failed!.id);
    });

    it("keeps the lock when the buyer comes back by the cancel URL after paying (the session is complete)", async () => {
      const invoice = await openInvoice(5_000, seller, buyer);
      const token = String(invoice.hostedUrl).split("/").pop() ?? "";
      const formToken = formTokenIn((await hosted("GET /i/{token}/pay", token)).raw);
      const started = await hosted("POST /i/{token}/pay", token, { form: { formToken } });
      const sessionId = String(started.headers.location).split("/").pop() ?? "";
      stripe.completeSession(sessionId);
      const lock = await lockOf(invoice.id, seller);
      await hosted("GET /i/{token}", token, { query: { canceled: lock!.paymentId } });
      expect(await lockOf(invoice.id, seller)).toEqual(lock);
      const payment = await expectStatus(merchantCall(paymentsHandler, "GET /v1/payments/{id}", seller.secret, { id: lock!.paymentId }));
      expect(payment.status).toBe("processing");
    });
  });
});
