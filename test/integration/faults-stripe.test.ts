/**
 * The fault suite's Stripe part: a Stripe merchant's invoices paid through the loopback fake while a
 * fraction of its payment-intent requests fail every way the network and Stripe can — a 500, no
 * answer, an answer lost after Stripe charged, the connection reset before or after it charged — with
 * the SDK's own retry as deployed and a short timeout. The buyer's client pays again when it got no
 * answer; Stripe's webhooks report every intent it holds (in a storm, three times each); an attempt
 * whose outcome never came lapses with its hold and the invoice is paid anew. Afterwards each invoice
 * is paid once: one successful payment in Kassa and one net charge at Stripe.
 */
import { randomUUID } from "node:crypto";
import type { SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as processHandler } from "../../functions/webhooks/stripe-process.ts";
import { paymentPorts } from "../../shared/composition.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { type InvoicePayPorts, payInvoice } from "../../shared/invoices/pay.ts";
import { setStripeAccount } from "../../shared/merchants/service.ts";
import { signEvent } from "../../shared/payments/signing.ts";
import { stripeProcessor } from "../../shared/payments/stripe.ts";
import { paymentIntentEvent } from "../../shared/stripe-shapes/payment-intents.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import {
  charge,
  deliverAll,
  describeCounts,
  type FaultCounts,
  newCounts,
  seededRandom,
  totalInjected,
} from "../helpers/faults.ts";
import { type Fault, faults, type StripeFake, startStripeFake } from "../helpers/stripe-fake.ts";

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
      const id = String(pi.id);
      const event = paymentIntentEvent("payment_intent.succeeded", {
        id,
        amount: Number(pi.amount),
        currency: String(pi.currency),
        created: Number(pi.created),
        accountId: stripeAccount,
        metadata: pi.metadata as Record<string, string>,
        paymentMethodId: "pm_card_visa",
        latestCharge: {
          id: String(pi.latest_charge),
          status: "succeeded",
          method: { type: "card", brand: "visa", last4: "4242" },
          fee: 88,
          balanceTransactionId: `txn_${id.slice(3)}`,
        },
      });
      const body = JSON.stringify(signEvent(event, webhookSecret, Math.floor(Date.now() / 1000)));
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
    // ~8 s alone; beside the full suite on 2 cores, well past the default 30 s.
  }, 120_000);
});
