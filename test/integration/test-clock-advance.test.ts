/**
 * A test clock moves the whole system for its customers: their timed work waits in the clock's due
 * partition (never on the real scheduler) and the clock's advance runs it on the billing queue, in
 * time order, each piece at the clock time it was due.
 */
import type { SQSRecord } from "aws-lambda";
import { GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as payments } from "../../functions/api/payments.ts";
import { handler as testClocks } from "../../functions/api/test-clocks.ts";
import { billingTimerRegistry } from "../../functions/billing/timers.ts";
import { handler as stripeEvents } from "../../functions/webhooks/stripe-process.ts";
import { billingTimerPorts, invoicePorts } from "../../shared/composition.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import type { Change } from "../../shared/domain/records.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { newId } from "../../shared/domain/ids.ts";
import { createInvoice, finalizeInvoice } from "../../shared/invoices/service.ts";
import { clockScheduler, dynamoClockWorkStore } from "../../shared/store/clock-work.ts";
import { dynamoSubscriptionStore } from "../../shared/store/subscriptions.ts";
import { dynamoTestClockStore } from "../../shared/store/test-clocks.ts";
import { verifySignedEvent } from "../../shared/payments/verification.ts";
import { type AdvancePorts, runAdvance } from "../../shared/test-clocks/advance.ts";
import { callForBody, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { clockHarness, saveSubscription, storedSubscription } from "../helpers/subscriptions.ts";

let aws: TestAws;
let shop: TestMerchant;

const harness = clockHarness(() => ({ aws, shop }));
const { call, eventsOf, deliverEvent, advance, duePartition } = harness;

const newClock = async (frozenTime: string) => {
  const { status, body } = await call(testClocks, "POST /v1/test-clocks", undefined, { frozenTime });
  expect(status).toBe(201);
  return body.id as string;
};
const boundCustomer = async (clockId: string) => {
  const email = `buyer-${newId("customer", new Date()).slice(-8).toLowerCase()}@clock.test`;
  const { status, body } = await call(customers, "POST /v1/customers", undefined, {
    email,
    testClockId: clockId,
  });
  expect(status).toBe(201);
  return { id: body.id as string, email };
};
const openInvoice = async (customerId: string) => {
  const draft = await call(invoices, "POST /v1/invoices", undefined, {
    customerId,
    currency: "USD",
    lineItems: [{ description: "Plan", quantity: 1, unitAmount: 1000 }],
  });
  expect(draft.status).toBe(201);
  const open = await call(invoices, "POST /v1/invoices/{id}/finalize", draft.body.id);
  expect(open.status).toBe(200);
  return open.body;
};

const realSchedule = async (name: string) =>
  (
    await aws.db.send(
      new GetCommand({ TableName: aws.tableName, Key: { PK: `SCHEDULE#kassa#${name}`, SK: "SCHEDULE" } }),
    )
  ).Item;

/** A monthly subscription of a clock's customer, as the resource stores it, due from 2030-01-01. */
const clockSubscription = (clockId: string, customerId: string, createdAt: string) =>
  saveSubscription(
    shop.id,
    storedSubscription(customerId, new Date(createdAt), {
      items: [{ id: "si_1", description: "Plan", unitAmount: 1000, quantity: 1 }],
      startDate: "2030-01-01",
      billingCycles: 12,
      collectionMethod: "send_invoice",
      testClockId: clockId,
    }),
    customerCounter(customerId, 1),
  );

/** The customer's count of subscriptions, as the resource keeps it. */
const customerCounter = (customerId: string, delta: number) =>
  ({
    item: {
      Update: {
        TableName: aws.tableName,
        Key: { PK: `MERCHANT#${shop.id}`, SK: customerId },
        UpdateExpression: "ADD activeSubscriptionCount :delta",
        ExpressionAttributeValues: { ":delta": delta },
      },
    },
  }) as unknown as Change;

describe("test clock advance against DynamoDB Local", () => {
  beforeAll(async () => {
    aws = await useTestAws(["notifications", "billing", "stripe-events"]);
    shop = await newMerchant("Clock Shop");
    await aws.db.send(
      new UpdateCommand({
        TableName: aws.tableName,
        Key: { PK: `MERCHANT#${shop.id}`, SK: "MERCHANT" },
        UpdateExpression: "SET invoiceReminders = :reminders",
        ExpressionAttributeValues: { ":reminders": [{ daysAfterDue: -1 }, { daysAfterDue: 3 }] },
      }),
    );
  });

  it("plans a bound customer's invoice reminders and overdue in the clock's partition, and runs them in time order when the clock passes them", async () => {
    const clockId = await newClock("2030-01-01T09:00:00Z");
    const buyer = await boundCustomer(clockId);
    const invoice = await openInvoice(buyer.id);
    expect(invoice).toMatchObject({ testClockId: clockId, dueDate: "2030-01-31" });
    const [finalized] = await eventsOf("invoice.finalized", invoice.id);
    expect(finalized?.data.invoice).toMatchObject({ testClockId: clockId });

    await deliverEvent("invoice.finalized", invoice.id);
    expect(await duePartition(clockId)).toEqual([
      `${invoice.id}-reminder-m1 @ 2030-01-30T09:00:00.000Z`,
      `${invoice.id}-overdue @ 2030-02-01T00:00:00.000Z`,
      `${invoice.id}-reminder-3 @ 2030-02-03T09:00:00.000Z`,
    ]);
    expect(await realSchedule(`${invoice.id}-overdue`)).toBeUndefined();

    // Up to just before the overdue instant: only the first reminder is due.
    expect(await advance(clockId, "2030-01-31T23:59:59Z")).toMatchObject({
      status: "ready",
      frozenTime: "2030-01-31T23:59:59.000Z",
    });
    expect((await aws.mailTo(buyer.email)).map((m) => m.subject)).toEqual([
      expect.stringMatching(/is due in 1 day/),
    ]);
    expect(await eventsOf("invoice.overdue", invoice.id)).toEqual([]);

    expect(await advance(clockId, "2030-03-01T00:00:00Z")).toMatchObject({
      status: "ready",
      frozenTime: "2030-03-01T00:00:00.000Z",
    });
    const overdue = await eventsOf("invoice.overdue", invoice.id);
    expect(overdue.map((e) => e.occurredAt)).toEqual(["2030-02-01T00:00:00.000Z"]);
    expect(overdue[0]?.data.invoice).toMatchObject({ overdue: true, testClockId: clockId });
    // The third-day reminder ran after the overdue: it says the invoice is overdue.
    expect((await aws.mailTo(buyer.email)).map((m) => m.subject)).toEqual([
      expect.stringMatching(/is due in 1 day/),
      expect.stringMatching(/is 3 days overdue/),
    ]);
    expect(await duePartition(clockId)).toEqual([]);
    expect((await call(invoices, "GET /v1/invoices/{id}", invoice.id)).body.overdue).toBe(true);
  });

  it("cancels a paid invoice's pending reminders in the clock's partition", async () => {
    const clockId = await newClock("2030-01-01T09:00:00Z");
    const buyer = await boundCustomer(clockId);
    const invoice = await openInvoice(buyer.id);
    await deliverEvent("invoice.finalized", invoice.id);
    expect(await duePartition(clockId)).toHaveLength(3);

    const paid = await call(invoices, "POST /v1/invoices/{id}/payments", invoice.id, {
      amount: invoice.amountRemaining,
      method: "bank_transfer",
    });
    expect(paid.status).toBe(201);
    await deliverEvent("invoice.paid", invoice.id);
    expect(await duePartition(clockId)).toEqual([]);
  });

  it("settles a bound customer's sandbox bank debit on the clock's time, when the clock passes it (a clock in the past too: the events are signed on real time)", async () => {
    const clockId = await newClock("2020-05-01T12:00:00Z");
    const buyer = await boundCustomer(clockId);
    const invoice = await openInvoice(buyer.id);
    const paying = await call(payments, "POST /v1/invoices/{id}/pay", invoice.id, {
      paymentMethod: "pm_usBankAccount_success",
    });
    expect(paying.status).toBe(202);
    expect(paying.body.payment).toMatchObject({
      status: "processing",
      createdAt: "2020-05-01T12:00:00.000Z",
    });
    const due = await duePartition(clockId);
    // The charge's check, when its hold would lapse, is on the clock too.
    expect(due).toEqual([
      expect.stringMatching(/^sandbox-settle-pi_\S+ @ 2020-05-01T12:01:00\.000Z$/),
      `${paying.body.payment.id}-check @ 2020-05-01T12:15:00.000Z`,
    ]);
    const processing = await aws.receive("stripe-events");
    expect(processing).toHaveLength(1);

    expect(await advance(clockId, "2020-05-02T00:00:00Z")).toMatchObject({ status: "ready" });
    const received = [...processing, ...(await aws.receive("stripe-events"))].map(
      (m) => m.body as { payload: string; signature: string },
    );
    // What the stripe-events consumer accepts: signatures of real time.
    const verified = received.map((m) =>
      verifySignedEvent(m.payload, m.signature, "whsec_test_secret_0123456789"),
    );
    const settled = verified.filter((e) => e.type === "payment_intent.succeeded");
    expect(settled.map((e) => new Date(e.created * 1000).toISOString())).toEqual([
      "2020-05-01T12:01:00.000Z",
    ]);
    expect(await duePartition(clockId)).toEqual([]);

    // The stripe-events consumer applies them on the clock's time (it stands at the advance's end
    // now): the invoice is paid then, and the money lands on the clock's day, not in a real payout.
    const records = received.map(
      (body, n) => ({ messageId: `se-${n}`, body: JSON.stringify(body) }) as SQSRecord,
    );
    expect(await stripeEvents({ Records: records })).toEqual({ batchItemFailures: [] });
    expect((await call(invoices, "GET /v1/invoices/{id}", invoice.id)).body).toMatchObject({
      status: "paid",
      paidAt: "2020-05-02T00:00:00.000Z",
    });
    const { Items: days = [] } = await aws.db.send(
      new QueryCommand({
        TableName: aws.tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :btx)",
        ExpressionAttributeValues: { ":pk": `MERCHANT#${shop.id}`, ":btx": "BTX#" },
      }),
    );
    expect(
      days.filter((i) => i.sourceId === paying.body.payment.id).map((i) => String(i.SK).slice(0, 14)),
    ).toEqual(["BTX#2020-05-02"]);
  });

  it("plans a bound customer's refund checks on the clock, and runs them when the clock passes them", async () => {
    const clockId = await newClock("2030-07-01T10:00:00Z");
    const buyer = await boundCustomer(clockId);
    const invoice = await openInvoice(buyer.id);
    const paid = await call(payments, "POST /v1/invoices/{id}/pay", invoice.id, {
      paymentMethod: "pm_card_visa",
    });
    expect(paid.status).toBe(200);
    const refund = await call(payments, "POST /v1/payments/{id}/refunds", paid.body.payment.id, {
      amount: 400,
    });
    expect(refund.status).toBe(201);
    expect(refund.body.createdAt).toBe("2030-07-01T10:00:00.000Z");
    expect(await duePartition(clockId)).toEqual([
      `${refund.body.id}-check-1 @ 2030-07-01T10:05:00.000Z`,
      `${paid.body.payment.id}-check @ 2030-07-01T10:15:00.000Z`,
    ]);
    expect(await realSchedule(`${refund.body.id}-check-1`)).toBeUndefined();

    expect(await advance(clockId, "2030-07-02T00:00:00Z")).toMatchObject({ status: "ready" });
    expect(await duePartition(clockId)).toEqual([]);
  });

  it("ends internal_failure at the work that failed, keeping it; a later advance resumes there", async () => {
    const clockId = await newClock("2030-01-01T00:00:00Z");
    const schedule = clockScheduler(shop.id, clockId);
    await schedule.scheduleOnce({
      name: "broken",
      at: new Date("2030-01-05T00:00:00Z"),
      queue: "billing",
      payload: { kind: "nothing.registered" },
    });

    expect(await advance(clockId, "2030-02-01T00:00:00Z")).toMatchObject({
      status: "internal_failure",
      frozenTime: "2030-01-05T00:00:00.000Z",
    });
    expect(await eventsOf("test_clock.internal_failure", clockId)).toHaveLength(1);
    expect(await duePartition(clockId)).toEqual(["broken @ 2030-01-05T00:00:00.000Z"]);

    await schedule.cancel("broken");
    expect(await advance(clockId, "2030-02-01T00:00:00Z")).toMatchObject({
      status: "ready",
      frozenTime: "2030-02-01T00:00:00.000Z",
    });
    expect(await eventsOf("test_clock.ready", clockId)).toHaveLength(1);
  });

  it("DELETE cancels the clock's subscriptions on its time (subscription.canceled, one less for the customer) and drops its pending schedules", async () => {
    const clockId = await newClock("2029-12-20T00:00:00Z");
    const buyer = await boundCustomer(clockId);
    const subscription = await clockSubscription(clockId, buyer.id, "2029-12-20T00:00:00Z");
    await clockScheduler(shop.id, clockId).scheduleOnce({
      name: "pending-reminder",
      at: new Date("2030-01-05T00:00:00Z"),
      queue: "billing",
      payload: { kind: "invoice.reminder", merchantId: shop.id, invoiceId: "inv_x", daysAfterDue: 1 },
    });
    expect(await duePartition(clockId)).toHaveLength(2);

    expect((await call(testClocks, "DELETE /v1/test-clocks/{id}", clockId)).status).toBe(204);

    expect(await duePartition(clockId)).toEqual([]);
    expect((await dynamoSubscriptionStore.read(shop.id, subscription.id))?.value).toMatchObject({
      status: "canceled",
      canceledAt: "2029-12-20T00:00:00.000Z",
      nextBillingAt: null,
    });
    const [canceled] = await eventsOf("subscription.canceled", subscription.id);
    expect(canceled?.occurredAt).toBe("2029-12-20T00:00:00.000Z");
    expect(canceled?.data.subscription).toMatchObject({ id: subscription.id, status: "canceled" });
    expect(canceled?.data.subscription).not.toHaveProperty("nextPeriod");
    const customer = await aws.db.send(
      new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${shop.id}`, SK: buyer.id } }),
    );
    expect(customer.Item?.activeSubscriptionCount).toBe(0);
  });

  it("continues in a fresh invocation when one runs out of time, resuming where it stopped", async () => {
    const clockId = await newClock("2030-01-01T00:00:00Z");
    const schedule = clockScheduler(shop.id, clockId);
    for (const day of ["03", "02", "04"]) {
      await schedule.scheduleOnce({
        name: `ring-${day}`,
        at: new Date(`2030-01-${day}T00:00:00Z`),
        queue: "billing",
        payload: { kind: "thing.ring", day },
      });
    }
    const ran: string[] = [];
    const continued: unknown[] = [];
    let steps = 0;
    const ports: AdvancePorts = {
      testClocks: dynamoTestClockStore,
      work: dynamoClockWorkStore,
      runOn: async (clock, message) => {
        steps++;
        ran.push(`${(message as { day: string }).day} at ${clock.now().toISOString()}`);
      },
      deliver: async () => {
        throw new Error("only billing work here");
      },
      continueLater: async (message) => {
        continued.push(message);
      },
      // Each invocation has time for one piece of work.
      outOfTime: () => steps > 0,
      clock: { now: () => new Date() },
    };
    await call(testClocks, "POST /v1/test-clocks/{id}/advance", clockId, {
      frozenTime: "2030-02-01T00:00:00Z",
    });

    for (let invocation = 0; invocation < 4; invocation++) {
      steps = 0;
      await runAdvance(ports, shop.id, clockId);
    }
    expect(ran).toEqual([
      "02 at 2030-01-02T00:00:00.000Z",
      "03 at 2030-01-03T00:00:00.000Z",
      "04 at 2030-01-04T00:00:00.000Z",
    ]);
    expect(continued).toEqual(Array(3).fill({ kind: "test_clock.advance", merchantId: shop.id, clockId }));
    expect((await call(testClocks, "GET /v1/test-clocks/{id}", clockId)).body).toMatchObject({
      status: "ready",
      frozenTime: "2030-02-01T00:00:00.000Z",
    });
  });

  it("delivers a due schedule of another queue (a workflow's delay) to that queue at the clock's time, not to the billing registry", async () => {
    const clockId = await newClock("2030-01-01T00:00:00Z");
    const schedule = clockScheduler(shop.id, clockId);
    await schedule.scheduleOnce({
      name: "wfe_x-0",
      at: new Date("2030-01-03T00:00:00Z"),
      queue: "workflows",
      payload: {
        kind: "workflow.resume",
        merchantId: shop.id,
        enrollmentId: "wfe_x",
        workflowId: "wf_x",
        path: "0",
      },
    });
    await schedule.scheduleOnce({
      name: "ring",
      at: new Date("2030-01-02T00:00:00Z"),
      queue: "billing",
      payload: { kind: "thing.ring" },
    });
    const ran: string[] = [];
    const delivered: { queue: string; message: Record<string, unknown> }[] = [];
    const ports: AdvancePorts = {
      testClocks: dynamoTestClockStore,
      work: dynamoClockWorkStore,
      runOn: async (clock, message) => {
        ran.push(`${(message as { kind: string }).kind} at ${clock.now().toISOString()}`);
      },
      deliver: async (queue, message) => {
        delivered.push({ queue, message });
      },
      continueLater: async () => {
        throw new Error("two schedules fit in one invocation");
      },
      outOfTime: () => false,
      clock: { now: () => new Date() },
    };
    await call(testClocks, "POST /v1/test-clocks/{id}/advance", clockId, {
      frozenTime: "2030-01-10T00:00:00Z",
    });
    await runAdvance(ports, shop.id, clockId);

    expect(ran).toEqual(["thing.ring at 2030-01-02T00:00:00.000Z"]);
    expect(delivered).toEqual([
      {
        queue: "workflows",
        message: {
          kind: "workflow.resume",
          merchantId: shop.id,
          enrollmentId: "wfe_x",
          workflowId: "wf_x",
          path: "0",
          scheduledAt: "2030-01-03T00:00:00.000Z",
        },
      },
    ]);
    expect(await duePartition(clockId)).toEqual([]);
  });

  it("bills a year of a subscription in one advance: period after period in time order, each invoice's reminders and overdue planned and run before the clock passes them", async () => {
    const clockId = await newClock("2029-12-31T12:00:00Z");
    const buyer = await boundCustomer(clockId);
    const subscription = await clockSubscription(clockId, buyer.id, "2029-12-31T12:00:00Z");

    // A stand-in for the billing engine: one invoice per period, finalized on the clock, the
    // subscription moved on to the next month's first instant.
    const ran: string[] = [];
    const bill = async (clock: Clock, period: number) => {
      const ports = invoicePorts(clock);
      const draft = await createInvoice(ports, shop.id, {
        customerId: buyer.id,
        currency: "USD",
        lineItems: [{ description: `Plan, period ${period}`, quantity: 1, unitAmount: 1000 }],
      });
      await finalizeInvoice(ports, shop.id, draft.id);
      const { value, version } = (await dynamoSubscriptionStore.read(shop.id, subscription.id)) ?? {};
      if (!value || version === undefined) throw new Error("no subscription");
      const next = new Date(Date.UTC(2030, period + 1, 1)).toISOString();
      await dynamoSubscriptionStore.replace(
        shop.id,
        {
          ...value,
          nextPeriod: period + 1,
          ...(period === 11 ? { nextBillingAt: null, status: "ended" } : { nextBillingAt: next }),
        },
        version,
        newEvent("subscription.updated", shop.id, subscription.id, clock.now(), {}),
      );
    };
    const ports: AdvancePorts = {
      testClocks: dynamoTestClockStore,
      work: dynamoClockWorkStore,
      runOn: async (clock, message) => {
        const { kind, type, period } = message as { kind?: string; type?: string; period?: number };
        ran.push(`${clock.now().toISOString()} ${kind ?? type}`);
        if (kind === "subscription.bill") return bill(clock, period ?? -1);
        await billingTimerRegistry(billingTimerPorts(clock)).dispatch(message);
      },
      deliver: async () => {
        throw new Error("only billing work here");
      },
      continueLater: async () => {
        throw new Error("a year fits in one invocation");
      },
      outOfTime: () => false,
      clock: { now: () => new Date() },
    };
    const asked = await call(testClocks, "POST /v1/test-clocks/{id}/advance", clockId, {
      frozenTime: "2031-01-01T00:00:00Z",
    });
    expect(asked.body.status).toBe("advancing");
    await runAdvance(ports, shop.id, clockId);

    const clock = (await call(testClocks, "GET /v1/test-clocks/{id}", clockId)).body;
    expect(clock).toMatchObject({ status: "ready", frozenTime: "2031-01-01T00:00:00.000Z" });
    const times = ran.map((r) => r.split(" ")[0]);
    expect([...times].sort()).toEqual(times);
    expect(ran.filter((r) => r.endsWith("subscription.bill"))).toEqual(
      Array.from(
        { length: 12 },
        (_, k) => `${new Date(Date.UTC(2030, k, 1)).toISOString()} subscription.bill`,
      ),
    );
    const listed = await callForBody(invoices as Parameters<typeof callForBody>[0], "GET /v1/invoices", {
      token: shop.secret,
      query: { limit: "100" },
    });
    const year = (listed.body.data as { customerId: string; issuedAt: string; dueDate: string; id: string }[])
      .filter((i) => i.customerId === buyer.id)
      .sort((a, b) => (a.issuedAt < b.issuedAt ? -1 : 1));
    expect(year.map((i) => i.issuedAt)).toEqual(
      Array.from({ length: 12 }, (_, k) => new Date(Date.UTC(2030, k, 1)).toISOString()),
    );
    // Every invoice went overdue at its own overdue instant (the day after its due date), on the clock.
    for (const invoice of year) {
      const overdue = await eventsOf("invoice.overdue", invoice.id);
      const dayAfterDue = new Date(Date.parse(`${invoice.dueDate}T00:00:00Z`) + 86_400_000).toISOString();
      expect(
        overdue.map((e) => e.occurredAt),
        invoice.dueDate,
      ).toEqual(dayAfterDue <= "2031-01-01T00:00:00.000Z" ? [dayAfterDue] : []);
    }
    // Reminders the day before each due date (12), and 3 days after (11: December's lies in 2031).
    expect((await aws.mailTo(buyer.email)).length).toBe(12 + 11);
  });
});
