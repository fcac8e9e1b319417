/**
 * The fault suite's Stripe part: a Stripe merchant's invoices paid through the loopback fake while a
 * fraction of its payment-intent requests fail every way the network and Stripe can — a 500, no
 * answer, an answer lost after Stripe charged, the connection reset before or after it charged — with
 * the SDK's own retry as deployed and a short timeout. The buyer's client pays again when it got no
 * answer; Stripe's webhooks report every intent it holds (in a storm, three times each); an attempt
 * whose outcome never came lapses with its hold and the invoice is paid anew. Afterwards each invoice
 * is paid once: one successful payment in Kassa and one net charge at Stripe. Then half the payments
 * are partly refunded through the refund route while Stripe's refund requests fail the same ways;
 * the client retries a 5xx or 409 with its Idempotency-Key, Stripe's webhooks report every refund it
 * holds and the refunds' planned checks fire: one standing refund per refund asked, made once at
 * Stripe, the same amounts at Stripe as in Kassa.
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyStructuredResultV2, SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { billingTimers } from "../../functions/billing/timers.ts";
import { handler as processHandler } from "../../functions/webhooks/stripe-process.ts";
import { createRefund } from "../../shared/api/payments.ts";
import { billingTimerPorts, paymentPorts } from "../../shared/composition.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { type InvoicePayPorts, payInvoice } from "../../shared/invoices/pay.ts";
import { setStripeAccount } from "../../shared/merchants/service.ts";
import { refundPayment } from "../../shared/payments/refunds.ts";
import { signEvent } from "../../shared/payments/signing.ts";
import { stripeProcessor } from "../../shared/payments/stripe.ts";
import { chargeRefundedEvent, refundEvent } from "../../shared/stripe-shapes/refunds.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { httpEvent, lambdaContext } from "../helpers/events.ts";
import {
  charge,
  deliverAll,
  describeCounts,
  type FaultCounts,
  newCounts,
  seededRandom,
  totalInjected,
} from "../helpers/faults.ts";
import {
  type Fault,
  faults,
  intentSucceededWebhook,
  type StripeFake,
  startStripeFake,
} from "../helpers/stripe-fake.ts";

const webhookSecret = "whsec_test_secret_0123456789";
/** Longer than an attempt's hold on the invoice (15 minutes for a charge). */
const holdLapses = 60 * 60_000;
const seed = Number(process.env.KASSA_FAULT_SEED ?? 19);
const stripeAccount = `acct_faults${randomUUID().slice(0, 8)}`;
const clock = fixedClock(new Date());
let aws: TestAws;
let fake: StripeFake;
let shop: TestMerchant;

/** The deployed payment ports with Stripe at the fake, timing out after 300 ms instead of 12 s. */
function stripePorts(): InvoicePayPorts {
  const stripe = stripeProcessor({
    secretKey: "sk_test_faults_0123456789",
    host: "127.0.0.1",
    port: fake.port,
    protocol: "http",
    timeoutMs: 300,
  });
  return { ...paymentPorts(clock), processorFor: async () => stripe };
}

/**
 * The refund route as deployed (validation, the Idempotency-Key, errors as problems) on the same
 * ports, so Stripe's refund requests meet the fake with the short timeout.
 */
const refundsApi = apiHandler([
  route(createRefund, ({ principal, params, body }) =>
    refundPayment(stripePorts(), principal.merchantId, params.id, body),
  ),
]);

/** The billing queue's consumer as deployed (the refunds' checks), its payments on the same ports. */
const billing = billingTimers(() => ({ ...billingTimerPorts(clock), payments: () => stripePorts() }));

/** What each refunded payment gets back: partial, so a refund made twice would succeed twice and show. */
const refundAmount = 100;

async function openInvoices(count: number): Promise<{ id: string; total: number }[]> {
  const customer = await expectStatus(
    merchantCall(customersHandler, "POST /v1/customers", shop.secret, {
      body: { email: `stripe-faults-${randomUUID().slice(0, 8)}@buyer.test` },
    }),
    201,
  );
  // One after another: the suite is about paying them, not about finalizes racing for numbers.
  const invoices: { id: string; total: number }[] = [];
  for (let n = 0; n < count; n++) {
    const draft = await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices", shop.secret, {
        body: {
          customerId: customer.id,
          currency: "USD",
          lineItems: [{ description: "Plan", unitAmount: 2_000 + n }],
        },
      }),
      201,
    );
    const open = await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", shop.secret, { id: draft.id }),
    );
    invoices.push({ id: String(open.id), total: Number(open.total) });
  }
  return invoices;
}

const sqsRecord = (body: string) => ({ messageId: randomUUID(), body }) as SQSRecord;

/** Stripe's webhook for every intent it holds that succeeded, through the stripe-events consumer. */
async function reportIntents(counts: FaultCounts, random: () => number, copies: number) {
  const succeeded = fake.intents().filter((pi) => pi.status === "succeeded");
  await deliverAll(
    succeeded,
    async (pi) => {
      const body = intentSucceededWebhook(pi, stripeAccount, webhookSecret);
      return (await processHandler({ Records: [sqsRecord(body)] })).batchItemFailures.length === 0;
    },
    { counts, random, concurrency: 4, copies },
  );
}

/**
 * Pays every invoice with Stripe failing `rate` of the payment-intent requests, until each is paid:
 * the client pays again after no answer; an attempt left without an outcome holds the invoice until
 * its hold lapses (the clock moves past it between rounds).
 */
async function payThroughFaults(invoices: { id: string }[], rate: number, copies: number) {
  const counts = newCounts();
  const random = seededRandom(seed);
  /** The invoices a fault hit (a fault happens in the fake's server, outside the unit's context). */
  const hit = new Set<string>();
  fake.chaos("POST", "/v1/payment_intents", (request): Fault | undefined => {
    if (random() >= rate) return undefined;
    const fault = faults[Math.floor(random() * faults.length)] as Fault;
    charge(counts, `stripe ${fault}`);
    hit.add(request.form["metadata[kassa_invoice_id]"] ?? "");
    return fault;
  });
  try {
    let unpaid = invoices.map((i) => i.id);
    for (let round = 0; unpaid.length && round < 6; round++) {
      await deliverAll(
        unpaid,
        async (invoiceId) => {
          try {
            const paid = await payInvoice(stripePorts(), shop.id, invoiceId, "pm_card_visa");
            // Paid, or processing: the outcome comes by webhook; a new attempt would only wait for it.
            return paid.status === "paid" || paid.payment.status === "processing";
          } catch (error) {
            // Another attempt holds the invoice (409), or it is paid already: nothing for this client to do.
            return (
              (error as Error).name === "ConflictError" || (error as Error).name === "StateConflictError"
            );
          }
        },
        { counts, random, concurrency: 4, copies },
      );
      await reportIntents(counts, random, copies);
      const statuses = await Promise.all(
        unpaid.map(async (id) => [id, (await readInvoice(id)).status] as const),
      );
      unpaid = statuses.filter(([, status]) => status !== "paid").map(([id]) => id);
      clock.advance(holdLapses);
    }
  } finally {
    fake.chaos("POST", "/v1/payment_intents", undefined);
  }
  return { counts, hit };
}

const readInvoice = async (id: string) =>
  expectStatus(merchantCall(invoicesHandler, "GET /v1/invoices/{id}", shop.secret, { id }));

/** Each invoice paid once in Kassa and charged once net at Stripe; counts what is not. */
async function check(invoices: { id: string; total: number }[], counts: FaultCounts, hit: Set<string>) {
  const problems: string[] = [];
  const items = await aws.scanAll();
  for (const invoice of invoices) {
    const read = await readInvoice(invoice.id);
    const payments = items.filter(
      (i) => i.type === "payment" && (i.for as { id?: string } | undefined)?.id === invoice.id,
    );
    const succeeded = payments.filter((p) => p.status === "succeeded");
    const atStripe = fake
      .intents()
      .filter(
        (pi) =>
          (pi.metadata as Record<string, string>).kassa_invoice_id === invoice.id &&
          pi.status === "succeeded",
      );
    const refundedAtStripe = fake.refunds.filter((r) => atStripe.some((pi) => pi.id === r.payment_intent));
    const netCharges = atStripe.length - refundedAtStripe.length;
    if (read.status !== "paid" || succeeded.length === 0 || netCharges === 0) {
      counts.lost++;
      problems.push(
        `${invoice.id}: ${read.status}, ${succeeded.length} paid in Kassa, ${netCharges} at Stripe`,
      );
    }
    if (succeeded.length > 1 || netCharges > 1 || read.amountPaid > invoice.total) {
      counts.doubled++;
      problems.push(
        `${invoice.id}: ${succeeded.length} paid in Kassa, ${netCharges} net at Stripe, ${read.amountPaid} of ${invoice.total}`,
      );
    } else if (hit.has(invoice.id) && read.status === "paid") counts.survived++;
  }
  return problems;
}

/** The payment that paid each invoice, every other one (the refund run's share). */
async function paymentsToRefund(invoices: { id: string }[]): Promise<string[]> {
  const items = await aws.scanAll();
  return invoices
    .filter((_, n) => n % 2 === 0)
    .map((invoice) =>
      String(
        items.find(
          (i) =>
            i.type === "payment" &&
            i.status === "succeeded" &&
            (i.for as { id?: string } | undefined)?.id === invoice.id,
        )?.id,
      ),
    );
}

/** Stripe's webhooks for every refund it holds of `paymentIds` (charge.refunded, refund.updated). */
async function reportRefunds(paymentIds: string[], counts: FaultCounts, random: () => number, copies: number) {
  const refunds = fake.refunds.filter((r) =>
    paymentIds.includes((r.metadata as Record<string, string>).kassa_payment_id ?? ""),
  );
  const intents = fake.intents();
  const events = refunds.flatMap((r) => {
    const intent = intents.find((pi) => pi.id === r.payment_intent);
    const refund = {
      id: String(r.id),
      amount: Number(r.amount),
      status: "succeeded" as const,
      reason: r.reason as "requested_by_customer",
      metadata: r.metadata as Record<string, string>,
    };
    const context = {
      chargeId: String(r.charge),
      paymentIntentId: String(r.payment_intent),
      currency: String(r.currency),
      created: Math.floor(Date.now() / 1000),
      accountId: stripeAccount,
    };
    return [
      refundEvent("refund.updated", { ...context, refund }),
      chargeRefundedEvent({
        ...context,
        amount: Number(intent?.amount),
        amountRefunded: Number(r.amount),
        metadata: intent?.metadata as Record<string, string>,
        refund,
      }),
    ];
  });
  await deliverAll(
    events,
    async (event) => {
      const body = JSON.stringify(signEvent(event, webhookSecret, Math.floor(Date.now() / 1000)));
      return (await processHandler({ Records: [sqsRecord(body)] })).batchItemFailures.length === 0;
    },
    { counts, random, concurrency: 4, copies },
  );
}

/**
 * Refunds part of each payment through the refund route with Stripe failing `rate` of the refund
 * requests, each refund with its own Idempotency-Key, sent again with it after a 5xx or 409; then
 * Stripe's webhooks and the refunds' planned checks.
 */
async function refundThroughFaults(paymentIds: string[], rate: number, copies: number) {
  const counts = newCounts();
  const random = seededRandom(seed + 1);
  /** The payments a fault hit. */
  const hit = new Set<string>();
  fake.chaos("POST", "/v1/refunds", (request): Fault | undefined => {
    if (random() >= rate) return undefined;
    const fault = faults[Math.floor(random() * faults.length)] as Fault;
    charge(counts, `stripe refund ${fault}`);
    hit.add(request.form["metadata[kassa_payment_id]"] ?? "");
    return fault;
  });
  const delivery = { counts, random, concurrency: 4, copies };
  try {
    await deliverAll(
      paymentIds,
      async (paymentId) => {
        const response = (await refundsApi(
          httpEvent("POST /v1/payments/{id}/refunds", {
            token: shop.secret,
            pathParameters: { id: paymentId },
            body: { amount: refundAmount, reason: "requested_by_customer" },
            headers: { "idempotency-key": `refund-${paymentId}` },
          }),
          lambdaContext,
        )) as APIGatewayProxyStructuredResultV2;
        const status = response.statusCode ?? 200;
        if (status >= 500 || status === 409) return false;
        if (status !== 201) throw new Error(`Refund of ${paymentId}: ${status} ${response.body}`);
        return true;
      },
      delivery,
    );
  } finally {
    fake.chaos("POST", "/v1/refunds", undefined);
  }
  await reportRefunds(paymentIds, counts, random, copies);
  // A refund Stripe never answered stays pending: its first check looks it up, or asks again.
  const checks = (await aws.scanAll()).filter(
    (i) =>
      i.type === "schedule" &&
      (i.payload as { kind?: string; merchantId?: string } | undefined)?.kind === "refund.check" &&
      (i.payload as { merchantId?: string }).merchantId === shop.id,
  );
  await deliverAll(
    checks,
    async (schedule) =>
      (await billing({ Records: [sqsRecord(JSON.stringify(schedule.payload))] })).batchItemFailures.length ===
      0,
    delivery,
  );
  return { counts, hit };
}

/** One settled refund per payment in Kassa, one refund at Stripe, the same amount in both; counts what is not. */
async function checkRefunds(paymentIds: string[], counts: FaultCounts, hit: Set<string>) {
  const problems: string[] = [];
  const items = await aws.scanAll();
  for (const paymentId of paymentIds) {
    const payment = items.find((i) => i.type === "payment" && i.id === paymentId);
    const inKassa = items.filter((i) => i.type === "refund" && i.paymentId === paymentId);
    // A refund that failed moved no money: the client's retry after it is a new refund, not a second.
    const standing = inKassa.filter((r) => r.status !== "failed");
    const atStripe = fake.refunds.filter(
      (r) => (r.metadata as Record<string, string>).kassa_payment_id === paymentId,
    );
    const refundedAtStripe = atStripe.reduce((sum, r) => sum + Number(r.amount), 0);
    const settled = Number(payment?.amountRefundedSettled);
    const line = `${paymentId}: in Kassa ${inKassa.map((r) => String(r.status)).join() || "none"} (${settled} settled), at Stripe ${atStripe.length} (${refundedAtStripe})`;
    if (standing.length > 1 || atStripe.length > 1 || refundedAtStripe > refundAmount || settled > refundAmount) {
      counts.doubled++;
      problems.push(line);
    } else if (standing[0]?.status !== "succeeded" || atStripe.length === 0 || settled !== refundedAtStripe) {
      counts.lost++;
      problems.push(line);
    } else if (hit.has(paymentId)) counts.survived++;
  }
  return problems;
}

beforeAll(async () => {
  aws = await useTestAws(["stripe-events", "billing", "notifications"]);
  fake = await startStripeFake();
  // The stripe-events consumer's own client (its look-ups) talks to the fake too.
  process.env.STRIPE_API_BASE = `http://127.0.0.1:${fake.port}`;
  process.env.STRIPE_SECRET_KEY = "sk_test_faults_0123456789";
  shop = await newMerchant("Stripe Fault Shop");
  await setStripeAccount({ store: dynamoMerchantStore, clock }, shop.id, stripeAccount, false);
});
afterAll(async () => {
  await fake.stop();
  delete process.env.STRIPE_API_BASE;
  delete process.env.STRIPE_SECRET_KEY;
});

describe("Stripe faults charge nothing twice and lose nothing", () => {
  it.each([
    ["5xx, timeouts and connection resets on half the charges", 1],
    ["the same with every call and webhook 3 times at once", 3],
  ])("%s", async (_, copies) => {
    const invoices = await openInvoices(12);
    const { counts, hit } = await payThroughFaults(invoices, 0.5, copies);
    const problems = await check(invoices, counts, hit);
    console.info(describeCounts(`Stripe faults ×${copies} (seed ${seed})`, counts));
    expect(totalInjected(counts)).toBeGreaterThan(3);
    expect(counts.survived).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    expect(counts).toMatchObject({ lost: 0, doubled: 0 });

    const paymentIds = await paymentsToRefund(invoices);
    const refunded = await refundThroughFaults(paymentIds, 0.5, copies);
    const refundProblems = await checkRefunds(paymentIds, refunded.counts, refunded.hit);
    console.info(describeCounts(`Stripe refund faults ×${copies} (seed ${seed})`, refunded.counts));
    expect(totalInjected(refunded.counts)).toBeGreaterThan(1);
    expect(refundProblems).toEqual([]);
    expect(refunded.counts).toMatchObject({ lost: 0, doubled: 0 });
    // ~12 s alone; beside the full suite on 2 cores, well past the default 30 s.
  }, 120_000);
});
