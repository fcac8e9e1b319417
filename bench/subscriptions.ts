/**
 * Subscription billing runs, in-process against DynamoDB Local and the SQS stand-in: the sweep
 * reads the wall clock's sparse due index and queues one `subscription.bill` per due subscription;
 * the billing queue's consumer (the real handler, 4 consumers at once) bills each period — claim,
 * invoice, finalize, off-session sandbox charge, next schedule.
 *
 * Run twice: 2,000 subscriptions all due, then 20,000 of which 2,000 are due (the first run's
 * subscriptions, billed, now wait for their next period). The reading cost per due subscription is
 * the same in both: a billing run reads what is due, never the subscriptions that are not.
 */
import { randomUUID } from "node:crypto";
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { BatchWriteCommand } from "@aws-sdk/lib-dynamodb";
import { systemClock } from "../shared/domain/clock.ts";
import { newEvent } from "../shared/domain/events.ts";
import { newId } from "../shared/domain/ids.ts";
import type { ExtraWrite } from "../shared/store/collection.ts";
import { dynamoCustomerStore } from "../shared/store/customers.ts";
import { documentClient, tableName } from "../shared/store/dynamo.ts";
import { dynamoSubscriptionStore } from "../shared/store/subscriptions.ts";
import type { StoredSubscription } from "../shared/subscriptions/subscription.ts";
import {
  event,
  type Handler,
  invoke,
  readCommands,
  sqsClientFor,
  sqsRecord,
  type Tally,
  tallied,
} from "./dynamodb.ts";
import { benchEnvironment, benchSecrets } from "./environment.ts";
import type { Row } from "./report.ts";
import { storedSubscription } from "../test/helpers/subscription-record.ts";

const customersPerRun = 200;

async function inParallel<T>(items: readonly T[], width: number, run: (item: T) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await run(items[next++] as T);
    }),
  );
}

/** A merchant of its own with customers that each have a sandbox card saved as their default. */
async function merchantWithCustomers(): Promise<{ merchantId: string; customerIds: string[] }> {
  const now = systemClock.now();
  const { handler: merchants } = await import("../functions/api/merchants.ts");
  const created = await invoke(
    merchants as Handler,
    event("POST /v1/merchants", benchSecrets.adminToken, {
      name: "Bench subscriptions",
      email: "subs@bench.test",
    }),
  );
  const merchantId = String(created.merchant.id);
  const customerIds: string[] = [];
  for (let i = 0; i < customersPerRun; i++) {
    const id = newId("customer", now);
    await dynamoCustomerStore.create(
      {
        id,
        email: `${randomUUID()}@bench.test`,
        taxIds: [],
        metadata: {},
        createdAt: now.toISOString(),
        updatedAt: now.toISOString(),
      },
      merchantId,
      newEvent("customer.created", merchantId, id, now, {}),
    );
    const { paymentMethodPorts } = await import("../shared/composition.ts");
    const { attachPaymentMethod } = await import("../shared/customers/payment-methods.ts");
    await attachPaymentMethod(paymentMethodPorts(systemClock), merchantId, id, "pm_card_visa");
    customerIds.push(id);
  }
  return { merchantId, customerIds };
}

const today = () => systemClock.now().toISOString().slice(0, 10);
const daysFrom = (date: string, days: number) =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** A monthly card subscription whose first period starts on `startDate` (UTC), not yet billed. */
const subscription = (customerId: string, startDate: string): StoredSubscription =>
  storedSubscription(customerId, systemClock.now(), {
    status: startDate > today() ? "scheduled" : "active",
    items: [
      {
        id: newId("subscriptionItem", systemClock.now()),
        description: "Bench plan",
        unitAmount: 1_500,
        quantity: 1,
      },
    ],
    startDate,
  });

export async function seed(count: number, due: boolean) {
  const { merchantId, customerIds } = await merchantWithCustomers();
  const startDate = due ? today() : daysFrom(today(), 10);
  const all = Array.from({ length: count }, (_, i) =>
    subscription(customerIds[i % customerIds.length] ?? "", startDate),
  );
  // The store's own item for each (its first version), written 25 at a time: seeding is not measured.
  const items = all.map(
    (s) => (dynamoSubscriptionStore.replaceWrite(merchantId, s, 0) as unknown as ExtraWrite).item.Put?.Item,
  );
  const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) =>
    items.slice(i * 25, i * 25 + 25),
  );
  await inParallel(batches, 8, (batch) =>
    documentClient().send(
      new BatchWriteCommand({
        RequestItems: { [tableName()]: batch.map((Item) => ({ PutRequest: { Item } })) },
      }),
    ),
  );
}

const reads = (t: Tally) =>
  Object.entries(t.requests).reduce((n, [c, k]) => n + (readCommands.has(c) ? k : 0), 0);
const requests = (t: Tally) => Object.values(t.requests).reduce((a, b) => a + b, 0);
const round = (n: number, places = 2) => Math.round(n * 10 ** places) / 10 ** places;

/** One billing run: the sweep, then the billing queue drained by 4 consumers. */
export async function billingRun(label: string, expectedDue: number): Promise<Row[]> {
  const { sqs } = await benchEnvironment();
  // Loaded after the environment is set (the handlers read it at import: logging off, local endpoints).
  const { billingTimers } = await import("../functions/billing/timers.ts");
  const { billingTimerPorts } = await import("../shared/composition.ts");
  const { sweepDue } = await import("../shared/subscriptions/timers.ts");
  let found = 0;
  const sweep = await tallied(async () => {
    found = await sweepDue(billingTimerPorts(systemClock).subscriptionTimers);
  });
  if (found !== expectedDue)
    throw new Error(`${label}: the sweep found ${found} due, expected ${expectedDue}`);
  const consumer = billingTimers(billingTimerPorts);
  const client = sqsClientFor(sqs.endpoint);
  const queueUrl = sqs.queues.billing?.url;
  let billed = 0;
  const started = performance.now();
  const billing = await tallied(async () => {
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        for (;;) {
          const { Messages = [] } = await client.send(
            new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
          );
          if (Messages.length === 0) return;
          const bills = Messages.filter((m) => m.Body?.includes('"subscription.bill"'));
          const result = await consumer({
            Records: bills.map((m) => sqsRecord(m.MessageId ?? "", m.Body ?? "")),
          } as never);
          if (result.batchItemFailures.length > 0)
            throw new Error(`${label}: ${result.batchItemFailures.length} billing messages failed`);
          await client.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
            }),
          );
          billed += bills.length;
        }
      }),
    );
  });
  const seconds = (performance.now() - started) / 1000;
  if (billed !== expectedDue) throw new Error(`${label}: billed ${billed}, expected ${expectedDue}`);
  return [
    {
      run: label,
      step: "sweep (find what is due)",
      requests: requests(sweep),
      "reads per due": round(reads(sweep) / found, 3),
      "rcu per due": round(sweep.read / found, 3),
      "wcu per period": null,
      "periods/s": null,
    },
    {
      run: label,
      step: "bill each due period",
      requests: round(requests(billing) / billed, 1),
      "reads per due": round(reads(billing) / billed, 2),
      "rcu per due": round(billing.read / billed, 2),
      "wcu per period": round((billing.write + billing.transactionalWrite) / billed, 1),
      "aws wcu per period": round((billing.write + 2 * billing.transactionalWrite) / billed, 1),
      "by command per period": Object.entries(billing.requests)
        .map(([c, n]) => `${c}×${round(n / billed, 1)}`)
        .join(" "),
      "periods/s": round(billed / seconds, 0),
    },
  ];
}

export async function subscriptionSection(): Promise<Row[]> {
  await benchEnvironment();
  await seed(2_000, true);
  const small = await billingRun("2,000 subscriptions, 2,000 due", 2_000);
  // The first run's subscriptions wait for their next period now: 2,000 more not due, 16,000 more
  // starting in 10 days, 2,000 due: 20,000 in the index, 2,000 of them due.
  await seed(16_000, false);
  await seed(2_000, true);
  const large = await billingRun("20,000 subscriptions, 2,000 due", 2_000);
  return [...small, ...large];
}
