/**
 * One run of the fault suite, at any size: merchants' subscriptions billed by the billing queue's
 * consumer, part of each payment refunded through the API, each merchant's day paid out by its payout
 * run, and every notification event mailed by the notifications consumer — all while DynamoDB fails a
 * fraction of calls, and (in a storm) with every message and request delivered three times. Then,
 * faults off, the table is read back: every invoice, payment, refund and payout exists exactly once,
 * every customer and merchant got their mail at least once. The run returns its counts; the suites
 * assert lost = 0 and doubled = 0 and print them.
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyStructuredResultV2, SQSRecord } from "aws-lambda";
import { handler as paymentsHandler } from "../../functions/api/payments.ts";
import { billingTimers } from "../../functions/billing/timers.ts";
import { handler as notificationsHandler } from "../../functions/notifications/send.ts";
import type { OneTimeSchedule, SchedulerPort } from "../../shared/aws/scheduler.ts";
import {
  billingPorts,
  billingTimerPorts,
  customerPorts,
  paymentMethodPorts,
  payoutPorts,
} from "../../shared/composition.ts";
import { attachPaymentMethod } from "../../shared/customers/payment-methods.ts";
import { createCustomer } from "../../shared/customers/service.ts";
import { localDate } from "../../shared/domain/calendar.ts";
import { type Clock, fixedClock } from "../../shared/domain/clock.ts";
import { notificationEventTypes } from "../../shared/notifications/registry.ts";
import { payoutRunSchedule } from "../../shared/payouts/run.ts";
import { documentClient } from "../../shared/store/dynamo.ts";
import { inject } from "vitest";
import { newMerchant, type TestMerchant } from "./api.ts";
import type { TestAws } from "./aws.ts";
import { httpEvent, lambdaContext } from "./events.ts";
import { deliverAll, type FaultCounts, injectDynamoFaults, newCounts, seededRandom } from "./faults.ts";
import { saveSubscription, storedSubscription } from "./subscription-record.ts";

export interface FaultRunOptions {
  merchants: number;
  subscriptionsPerMerchant: number;
  /** The fraction of DynamoDB requests that fail. */
  dynamoFaultRate: number;
  /** Deliveries of every message and request (3 in a storm). */
  copies: number;
  seed: number;
  concurrency?: number;
}

/** The amount each refunded payment gets back: partial, so a refund made twice would succeed twice and show. */
const refundAmount = 100;

const sqsRecord = (body: unknown) => ({ messageId: randomUUID(), body: JSON.stringify(body) }) as SQSRecord;

/** Schedules land nowhere: the run delivers what it needs itself, and the checks do not depend on them. */
const scheduler: SchedulerPort = {
  scheduleOnce: async (_: OneTimeSchedule) => {},
  cancel: async () => {},
};

/** The billing queue's consumer as deployed, on the run's clock, scheduling nowhere. */
function billingConsumer(clock: Clock) {
  return billingTimers(() => {
    const base = billingTimerPorts(clock);
    return {
      ...base,
      scheduler: () => scheduler,
      payouts: () => ({ ...payoutPorts(clock), scheduler }),
      subscriptionTimers: {
        ...base.subscriptionTimers,
        billing: () => ({ ...billingPorts(clock), scheduler }),
      },
    };
  });
}

interface Shop {
  merchant: TestMerchant;
  customers: { id: string; email: string; subscriptionId: string }[];
}

async function setUp(options: FaultRunOptions, clock: Clock): Promise<Shop[]> {
  const shops: Shop[] = [];
  const startDate = clock.now().toISOString().slice(0, 10);
  for (let m = 0; m < options.merchants; m++) {
    const merchant = await newMerchant(`Fault Shop ${m}`);
    const customers = await Promise.all(
      Array.from({ length: options.subscriptionsPerMerchant }, async (_, n) => {
        const email = `fault-${m}-${n}-${randomUUID().slice(0, 6)}@buyer.test`;
        const customer = await createCustomer(customerPorts(clock), merchant.id, { email });
        await attachPaymentMethod(paymentMethodPorts(clock), merchant.id, customer.id, "pm_card_visa");
        const subscription = await saveSubscription(
          merchant.id,
          storedSubscription(customer.id, clock.now(), {
            items: [{ id: `si_${n}`, description: "Fault plan", unitAmount: 1_000 + n, quantity: 1 }],
            startDate,
          }),
        );
        return { id: customer.id, email, subscriptionId: subscription.id };
      }),
    );
    shops.push({ merchant, customers });
  }
  return shops;
}

/** A payment's statuses once its money moved (a refund changes the status, not the charge). */
const charges = ["succeeded", "partially_refunded", "refunded"];

/** Counts one expectation: `found` of something that must exist exactly once. */
function tally(counts: FaultCounts, problems: string[], what: string, found: number) {
  if (found === 0) {
    counts.lost++;
    problems.push(`${what}: lost`);
  } else if (found > 1) {
    counts.doubled += found - 1;
    problems.push(`${what}: ${found} times`);
  }
}

export async function runWithFaults(
  aws: TestAws,
  options: FaultRunOptions,
): Promise<{ counts: FaultCounts; problems: string[]; units: number }> {
  const counts = newCounts();
  const random = seededRandom(options.seed);
  const faults = injectDynamoFaults(documentClient(), counts, random);
  const clock = fixedClock(new Date());
  const shops = await setUp(options, clock);
  const delivery = { counts, random, concurrency: options.concurrency ?? 8, copies: options.copies };
  const billing = billingConsumer(clock);
  const consume = async (body: unknown) =>
    (await billing({ Records: [sqsRecord(body)] })).batchItemFailures.length === 0;

  /** The payments the run asked to refund. */
  const asked = new Set<string>();
  // The setup's own events (its fixtures' subscription.created) are not the run's to mail.
  const before = new Set((await aws.scanAll()).filter((i) => i.type === "event").map((i) => i.id));
  faults.set(options.dynamoFaultRate);
  try {
    // The billing run: each subscription's period 0 fires.
    const subscriptions = shops.flatMap((s) =>
      s.customers.map((c) => ({ merchantId: s.merchant.id, subscriptionId: c.subscriptionId })),
    );
    await deliverAll(
      subscriptions,
      (s) =>
        consume({
          kind: "subscription.bill",
          merchantId: s.merchantId,
          subscriptionId: s.subscriptionId,
          period: 0,
        }),
      delivery,
    );

    // Every other customer's payment partly refunded through the API, each refund with its own key.
    faults.set(0);
    const paid = (await aws.scanAll()).filter((i) => i.type === "payment" && i.status === "succeeded");
    faults.set(options.dynamoFaultRate);
    const refunds = shops.flatMap((shop) =>
      paid
        .filter((p) => String(p.PK).endsWith(shop.merchant.id))
        .filter((_, i) => i % 2 === 0)
        .map((p) => ({
          paymentId: String(p.id),
          token: shop.merchant.secret,
          key: `refund-${String(p.id)}`,
        })),
    );
    for (const r of refunds) asked.add(r.paymentId);
    await deliverAll(
      refunds,
      async (r) => {
        const response = (await paymentsHandler(
          httpEvent("POST /v1/payments/{id}/refunds", {
            token: r.token,
            pathParameters: { id: r.paymentId },
            body: { amount: refundAmount, reason: "requested_by_customer" },
            headers: { "idempotency-key": r.key },
          }),
          lambdaContext,
        )) as APIGatewayProxyStructuredResultV2;
        const status = response.statusCode ?? 200;
        // A client retries a 5xx and a 409 (a concurrent request with its key) with the same key.
        if (status >= 500 || status === 409) return false;
        if (status !== 201) throw new Error(`Refund of ${r.paymentId}: ${status} ${response.body}`);
        return true;
      },
      delivery,
    );

    // The refunds' planned checks fire (a refund whose answer could not be recorded is settled by its check).
    faults.set(0);
    const checks = (await aws.scanAll()).filter(
      (i) => i.type === "schedule" && (i.payload as { kind?: string } | undefined)?.kind === "refund.check",
    );
    faults.set(options.dynamoFaultRate);
    await deliverAll(checks, (schedule) => consume(schedule.payload), delivery);

    // Each merchant's day paid out by the run its schedule fires just after its midnight.
    const day = localDate(clock.now(), "UTC");
    const runs = shops.map((s) =>
      payoutRunSchedule(s.merchant.id, day, s.merchant.merchant.timeZone ?? "UTC"),
    );
    const payoutClock = fixedClock(new Date(Math.max(...runs.map((r) => r.at.getTime()))));
    const payouts = billingConsumer(payoutClock);
    await deliverAll(
      runs,
      async (run) => (await payouts({ Records: [sqsRecord(run.payload)] })).batchItemFailures.length === 0,
      delivery,
    );

    // The outbox's delivery of every notification event to the notifications consumer.
    faults.set(0);
    const events = (await aws.scanAll()).filter(
      (i) => i.type === "event" && !before.has(i.id) && notificationEventTypes.includes(String(i.eventType)),
    );
    faults.set(options.dynamoFaultRate);
    await deliverAll(
      events,
      async (item) => {
        const body = {
          id: item.id,
          type: item.eventType,
          merchantId: item.merchantId,
          objectId: item.objectId,
          occurredAt: item.occurredAt,
          data: item.data,
        };
        return (await notificationsHandler({ Records: [sqsRecord(body)] })).batchItemFailures.length === 0;
      },
      delivery,
    );
  } finally {
    faults.set(0);
  }

  const problems: string[] = [];
  const items = await aws.scanAll();
  const ofType = (type: string) => items.filter((i) => i.type === type);
  const [invoices, payments, refunds, payouts] = ["invoice", "payment", "refund", "payout"].map(ofType) as [
    Item[],
    Item[],
    Item[],
    Item[],
  ];
  const mail = await sentMail();
  const mailTo = (address: string) =>
    mail.filter((m) => m.destination.to.some((d) => d.includes(address))).length;
  for (const shop of shops) {
    for (const customer of shop.customers) {
      const billed = invoices.filter((i) => i.subscriptionId === customer.subscriptionId);
      tally(counts, problems, `invoice of ${customer.subscriptionId}`, billed.length);
      for (const invoice of billed) {
        const charged = payments.filter(
          (p) =>
            (p.for as { id?: string } | undefined)?.id === invoice.id && charges.includes(String(p.status)),
        );
        tally(
          counts,
          problems,
          `payment of ${String(invoice.id)} (${String(invoice.status)}, payments: ${payments
            .filter((p) => (p.for as { id?: string } | undefined)?.id === invoice.id)
            .map((p) => `${String(p.status)} ${String(p.failureCode ?? "")}`)
            .join()})`,
          charged.length,
        );
        // The receipt, and the refund's mail when it was refunded: at least once each.
        const refunded = charged.some((p) => asked.has(String(p.id)));
        if (mailTo(customer.email) < (refunded ? 2 : 1)) {
          counts.lost++;
          problems.push(`mail to ${customer.email}: ${mailTo(customer.email)}`);
        }
      }
    }
    tally(
      counts,
      problems,
      `payout of ${shop.merchant.id}`,
      payouts.filter((p) => String(p.PK).endsWith(shop.merchant.id)).length,
    );
  }
  for (const paymentId of asked) {
    const of = refunds.filter((r) => r.paymentId === paymentId);
    // A refund that failed moved no money: the client's retry after it is a new refund, not a second.
    const standing = of.filter((r) => r.status !== "failed");
    tally(
      counts,
      problems,
      `refund of ${paymentId} (${of.map((r) => String(r.status)).join()})`,
      standing.length,
    );
  }
  if (problems.length) console.error(`Fault run (seed ${options.seed}) found:\n  ${problems.join("\n  ")}`);
  return { counts, problems, units: invoices.length + payments.length + refunds.length + payouts.length };
}

type Item = Record<string, unknown>;

/** Everything the SES stand-in was asked to send. */
async function sentMail(): Promise<{ destination: { to: string[] } }[]> {
  const store = (await (await fetch(`${inject("emulators").ses}/store`)).json()) as {
    emails: { destination: { to: string[] } }[];
  };
  return store.emails;
}
