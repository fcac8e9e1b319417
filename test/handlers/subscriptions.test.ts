import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/subscriptions.ts";
import {
  callHandler,
  merchantId,
  merchantItem,
  merchantPk,
  tableName,
  useMerchantKey,
} from "../helpers/handler-mocks.ts";
import { storedSubscription } from "../helpers/subscription-record.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const scheduler = mockClient(SchedulerClient);
/** What the stack gives a function that plans schedules (the manifest's `scheduleTo`). */
const schedulerEnv = {
  SCHEDULER_MODE: "eventbridge",
  SCHEDULER_GROUP: "kassa",
  SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/kassa-scheduler",
  SCHEDULER_DLQ_ARN: "arn:aws:sqs:us-east-1:123456789012:kassa-schedule-delivery-failures",
  QUEUE_URL_BILLING: "https://sqs.us-east-1.amazonaws.com/123456789012/kassa-billing",
  QUEUE_ARN_BILLING: "arn:aws:sqs:us-east-1:123456789012:kassa-billing",
};
const customerId = "cus_01KQA0000000000000000000AA";
const subscriptionId = "sub_01KQA0000000000000000000AA";
const customerItem = {
  PK: merchantPk,
  SK: customerId,
  type: "customer",
  version: 2,
  id: customerId,
  email: "ada@example.test",
  taxIds: [],
  metadata: {},
  defaultPaymentMethodId: "pm_01KQA0000000000000000000AA",
  activeSubscriptionCount: 1,
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};
const subscriptionItem = {
  PK: merchantPk,
  SK: subscriptionId,
  GSI2PK: "DUE#wall#1",
  GSI2SK: `2099-01-14T23:00:00.000Z#${merchantId}#${subscriptionId}`,
  type: "subscription",
  version: 3,
  ...storedSubscription(customerId, new Date("2026-01-01T00:00:00Z"), {
    id: subscriptionId,
    status: "scheduled",
    currency: "EUR",
    items: [{ id: "si_01KQA0000000000000000000AA", description: "Beans", unitAmount: 1200, quantity: 1 }],
    startDate: "2099-01-15",
    timeZone: "Europe/Berlin",
    nextBillingAt: "2099-01-14T23:00:00.000Z",
  }),
};
const key = (SK: string) => ({ Key: { PK: merchantPk, SK } });

/** The items of the one transaction the handler wrote. */
const written = () => ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems ?? []);

describe("subscriptions API function", () => {
  afterEach(() => {
    for (const name of Object.keys(schedulerEnv)) delete process.env[name];
  });
  beforeEach(() => {
    ddb.reset();
    scheduler.reset();
    Object.assign(process.env, schedulerEnv);
    scheduler.on(CreateScheduleCommand).resolves({});
    useMerchantKey(ddb);
    ddb.on(GetCommand, key("MERCHANT")).resolves({ Item: merchantItem });
    ddb.on(GetCommand, key(customerId)).resolves({ Item: customerItem });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand, key("BILLSLOT#2099-01-14T23:00:00.000Z")).resolves({ Attributes: { n: 1 } });
  });

  it("POST /v1/subscriptions writes it in its clock's due index, counts it on the customer and records subscription.created, in one transaction", async () => {
    // The answer is the subscription read back after the billing engine ran.
    ddb.on(TransactWriteCommand).callsFake((input) => {
      const put = input.TransactItems[0].Put.Item;
      ddb.on(GetCommand, key(put.SK)).resolves({ Item: put });
      return {};
    });

    const { status, body } = await callHandler(handler, "POST /v1/subscriptions", {
      body: {
        customerId,
        items: [{ description: "Beans", unitAmount: 1200 }],
        currency: "eur",
        interval: "month",
        startDate: "2099-01-15",
      },
    });

    expect(status).toBe(201);
    expect(body).toMatchObject({
      id: expect.stringMatching(/^sub_/),
      status: "scheduled",
      nextBillingAt: "2099-01-14T23:00:00.000Z",
      defaultPaymentMethodId: null,
    });
    expect(body).not.toHaveProperty("timeZone");
    expect(body).not.toHaveProperty("nextPeriod");
    const [items = []] = written();
    expect(items).toHaveLength(3);
    expect(items[0]?.Put).toMatchObject({
      TableName: tableName,
      Item: {
        PK: merchantPk,
        SK: body.id,
        GSI2PK: expect.stringMatching(/^DUE#wall#[0-3]$/),
        GSI2SK: `2099-01-14T23:00:00.000Z#${merchantId}#${body.id}`,
        timeZone: "Europe/Berlin",
        nextPeriod: 0,
        version: 1,
      },
      ConditionExpression: "attribute_not_exists(PK)",
    });
    expect(items[1]?.Update).toMatchObject({
      Key: { PK: merchantPk, SK: customerId },
      UpdateExpression: "ADD activeSubscriptionCount :delta, version :one",
      ExpressionAttributeValues: { ":delta": 1, ":one": 1, ":customer": "customer" },
    });
    expect(items[2]?.Put?.Item).toMatchObject({
      type: "event",
      eventType: "subscription.created",
      objectId: body.id,
    });
    // Nothing is due yet: the engine plans period 0's one-time schedule at the start date — the
    // merchant's first renewal due then (its ticket), so at the instant itself.
    expect(ddb.commandCalls(UpdateCommand, key("BILLSLOT#2099-01-14T23:00:00.000Z"))).toHaveLength(1);
    expect(scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input)).toEqual([
      expect.objectContaining({
        Name: `${body.id}-period-0`,
        ScheduleExpression: "at(2099-01-14T23:00:00)",
      }),
    ]);
  });

  it("POST /v1/subscriptions answers 400 naming customerId for a customer it cannot find, and writes nothing", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/subscriptions", {
      body: {
        customerId: "cus_01KQA0000000000000000000ZZ",
        items: [{ description: "Beans", unitAmount: 1 }],
        currency: "EUR",
        interval: "month",
      },
    });

    expect(status).toBe(400);
    expect(body.errors).toEqual([{ path: "customerId", message: "is not one of your customers" }]);
    expect(ddb).not.toHaveReceivedCommand(TransactWriteCommand);
  });

  it("POST /v1/subscriptions/{id}/cancel replaces the read version, leaves the due index and uncounts it on the customer", async () => {
    ddb.on(GetCommand, key(subscriptionId)).resolves({ Item: subscriptionItem });

    const { status, body } = await callHandler(handler, "POST /v1/subscriptions/{id}/cancel", {
      pathParameters: { id: subscriptionId },
    });

    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "canceled", nextBillingAt: null, canceledAt: body.endedAt });
    const [items = []] = written();
    expect(items[0]?.Put).toMatchObject({
      Item: { SK: subscriptionId, status: "canceled", version: 4 },
      ConditionExpression: "version = :expected",
      ExpressionAttributeValues: { ":expected": 3 },
    });
    expect(items[0]?.Put?.Item).not.toHaveProperty("GSI2PK");
    expect(items[1]?.Update?.ExpressionAttributeValues).toMatchObject({ ":delta": -1 });
    expect(items[2]?.Put?.Item).toMatchObject({
      eventType: "subscription.canceled",
      objectId: subscriptionId,
    });
  });

  it("GET /v1/subscriptions/{id} answers 404 for a subscription not in the caller's partition", async () => {
    const { status } = await callHandler(handler, "GET /v1/subscriptions/{id}", {
      pathParameters: { id: subscriptionId },
    });
    expect(status).toBe(404);
  });
});
