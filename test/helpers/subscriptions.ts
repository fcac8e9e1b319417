/**
 * What the subscription suites share: the billing queue's consumer on a clock the test moves with a
 * scheduler that records what is planned and cancelled, and the test-clock harness that drives
 * subscriptions through the API and the billing queue as deployed (advance, due partition, events).
 * The records themselves are `subscription-record.ts`'s.
 */
import { randomUUID } from "node:crypto";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSRecord } from "aws-lambda";
import { expect } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as paymentMethods } from "../../functions/api/payment-methods.ts";
import { handler as testClocks } from "../../functions/api/test-clocks.ts";
import { handler as billingHandler, billingTimers } from "../../functions/billing/timers.ts";
import { handler as notificationsHandler } from "../../functions/notifications/send.ts";
import { firing, type OneTimeSchedule, type SchedulerPort } from "../../shared/aws/scheduler.ts";
import { billingPorts, billingTimerPorts } from "../../shared/composition.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { newId } from "../../shared/domain/ids.ts";
import { dynamoCustomerStore } from "../../shared/store/customers.ts";
import { type OutboxEvent, outboxEventFromItem } from "../../shared/store/outbox.ts";
import { dynamoPaymentMethodStore } from "../../shared/store/payment-methods.ts";
import type { BillingPorts } from "../../shared/subscriptions/billing.ts";
import { callForBody, type TestMerchant } from "./api.ts";
import type { TestAws } from "./aws.ts";

export { saveSubscription, storedSubscription } from "./subscription-record.ts";

/** A one-message batch for a queue consumer, as SQS delivers it. */
const record = (body: unknown) => ({ messageId: randomUUID(), body: JSON.stringify(body) }) as SQSRecord;

/**
 * Makes a lost card the customer's default at `at`, as if it was reported lost after it was saved
 * (the sandbox refuses to save a lost card): written to the store as attaching it would. Its charges
 * are hard declines (`lost_card`). Returns the method's id.
 */
export async function lostCardDefault(merchantId: string, customerId: string, at: Date): Promise<string> {
  const found = await dynamoCustomerStore.read(merchantId, customerId);
  if (!found) throw new Error(`No customer ${customerId}`);
  const lost = {
    id: newId("paymentMethod", at),
    customerId,
    type: "card" as const,
    card: { brand: "visa", last4: "9987", expMonth: 12, expYear: 2034 },
    processorId: "pm_card_visa_chargeDeclinedLostCard",
    createdAt: at.toISOString(),
  };
  await dynamoPaymentMethodStore.attach(
    merchantId,
    lost,
    found,
    { ...found.value, defaultPaymentMethodId: lost.id },
    newEvent("payment_method.attached", merchantId, lost.id, at, { customerId }),
  );
  return lost.id;
}

/** Delivers a stored event item to the notifications consumer, as the outbox would; it must succeed. */
export async function notify(item: Record<string, unknown>) {
  const body = {
    id: item.id,
    type: item.eventType,
    merchantId: item.merchantId,
    objectId: item.objectId,
    occurredAt: item.occurredAt,
    data: item.data,
  };
  expect(await notificationsHandler({ Records: [record(body)] })).toEqual({ batchItemFailures: [] });
}

/**
 * The billing engine and the billing queue's consumer as deployed, on `clock` (the test moves it),
 * with a scheduler that records the schedules planned (`planned`) and the names cancelled.
 */
export function recordingBilling(clock: Clock & { set(at: Date): void }) {
  const planned: OneTimeSchedule[] = [];
  const cancelled: string[] = [];
  const scheduler: SchedulerPort = {
    scheduleOnce: async (schedule) => {
      planned.push(schedule);
    },
    cancel: async (name) => {
      cancelled.push(name);
    },
  };
  const ports = (): BillingPorts => ({ ...billingPorts(clock), scheduler });
  const consumer = billingTimers(() => ({
    ...billingTimerPorts(clock),
    scheduler: () => scheduler,
    subscriptionTimers: { ...billingTimerPorts(clock).subscriptionTimers, billing: ports },
  }));
  /** Delivers a message to the billing queue's consumer; it must succeed. */
  const deliver = async (body: unknown) =>
    expect(await consumer({ Records: [record(body)] })).toEqual({ batchItemFailures: [] });
  /** Fires a planned schedule at its own time, as its delivery would. */
  const fire = async (schedule: OneTimeSchedule) => {
    clock.set(schedule.at);
    await deliver(firing(schedule));
  };
  return { planned, cancelled, scheduler, ports, deliver, fire };
}

/**
 * Subscriptions on test clocks through the API and the billing queue as deployed, for the merchant
 * `context` names once the suite's `beforeAll` made it.
 */
export function clockHarness(context: () => { aws: TestAws; shop: TestMerchant }) {
  const call = (handler: unknown, routeKey: string, id?: string, body?: unknown) =>
    callForBody(handler as Parameters<typeof callForBody>[0], routeKey, {
      token: context().shop.secret,
      ...(id ? { pathParameters: { id } } : {}),
      ...(body ? { body: body as object } : {}),
    });

  /** The merchant's outbox events of one type about one object, oldest first. */
  async function eventsOf(type: string, objectId: string): Promise<OutboxEvent[]> {
    const { aws, shop } = context();
    const { Items = [] } = await aws.db.send(
      new QueryCommand({
        TableName: aws.tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :evt)",
        ExpressionAttributeValues: { ":pk": `MERCHANT#${shop.id}`, ":evt": "EVT#" },
      }),
    );
    return Items.map(outboxEventFromItem).filter((e) => e.type === type && e.objectId === objectId);
  }

  /** Delivers a message to the billing queue's consumer, as SQS would; it must succeed. */
  async function deliver(body: unknown) {
    expect(await billingHandler({ Records: [record(body)] })).toEqual({ batchItemFailures: [] });
  }

  /** The outbox's delivery of an object's latest event of `type` to the billing queue. */
  async function deliverEvent(type: string, objectId: string) {
    const [event] = (await eventsOf(type, objectId)).slice(-1);
    expect(event, `${type} of ${objectId}`).toBeDefined();
    await deliver(event);
  }

  /** Asks the API to advance the clock, runs the advance on the billing queue, and answers the clock. */
  async function advance(clockId: string, frozenTime: string) {
    const asked = await call(testClocks, "POST /v1/test-clocks/{id}/advance", clockId, { frozenTime });
    expect(asked.status).toBe(200);
    expect(asked.body).toMatchObject({ frozenTime: new Date(frozenTime).toISOString(), status: "advancing" });
    await deliverEvent("test_clock.advancing", clockId);
    return (await call(testClocks, "GET /v1/test-clocks/{id}", clockId)).body;
  }

  /** The clock's due partition: `name or id @ due time`. */
  async function duePartition(clockId: string): Promise<string[]> {
    const { aws } = context();
    const { Items = [] } = await aws.db.send(
      new QueryCommand({
        TableName: aws.tableName,
        IndexName: "GSI2",
        KeyConditionExpression: "GSI2PK = :pk",
        ExpressionAttributeValues: { ":pk": `DUE#${clockId}` },
      }),
    );
    return Items.map((i) => `${String(i.name ?? i.id)} @ ${String(i.GSI2SK).split("#")[0]}`);
  }

  /** A customer on a new test clock standing at `frozenTime`, with a saved card when `card` is given. */
  async function buyerAt(frozenTime: string, card?: string) {
    const clock = await call(testClocks, "POST /v1/test-clocks", undefined, { frozenTime });
    expect(clock.status).toBe(201);
    const email = `buyer-${randomUUID().slice(0, 8)}@clock.test`;
    const customer = await call(customers, "POST /v1/customers", undefined, {
      email,
      testClockId: clock.body.id,
    });
    expect(customer.status).toBe(201);
    if (card) {
      const method = await call(paymentMethods, "POST /v1/customers/{id}/payment-methods", customer.body.id, {
        paymentMethod: card,
      });
      expect(method.status, JSON.stringify(method.body)).toBe(201);
    }
    return { clockId: clock.body.id as string, customerId: customer.body.id as string, email };
  }

  return { call, eventsOf, deliver, deliverEvent, advance, duePartition, buyerAt };
}
