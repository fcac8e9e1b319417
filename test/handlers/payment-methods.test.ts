import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/payment-methods.ts";
import {
  callHandler,
  merchantId,
  merchantItem,
  merchantPk,
  tableName,
  useMerchantKey,
} from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const customerId = "cus_01KQA0000000000000000000AA";
const methodId = "pm_01KQA0000000000000000000AA";
const methodsPk = `${merchantPk}#PAYMENT_METHODS#${customerId}`;
const customer = {
  id: customerId,
  email: "ada@example.test",
  name: "Ada",
  taxIds: [],
  metadata: {},
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};
const storedCustomer = (fields: Record<string, unknown> = {}) => ({
  PK: merchantPk,
  SK: customerId,
  type: "customer",
  version: 3,
  ...customer,
  ...fields,
});
const storedMethod = (owner = customerId) => ({
  PK: merchantPk,
  SK: methodId,
  GSI1PK: `${merchantPk}#PAYMENT_METHODS#${owner}`,
  GSI1SK: methodId,
  type: "paymentMethod",
  version: 1,
  id: methodId,
  customerId: owner,
  methodType: "card",
  card: { brand: "visa", last4: "4242", expMonth: 12, expYear: 2034 },
  processorId: "pm_card_visa",
  createdAt: "2026-01-02T00:00:00.000Z",
});
const answer = (sk: string, item: Record<string, unknown>) =>
  ddb.on(GetCommand, { Key: { PK: merchantPk, SK: sk } }).resolves({ Item: item });
const attach = (paymentMethod: string) =>
  callHandler(handler, "POST /v1/customers/{id}/payment-methods", {
    pathParameters: { id: customerId },
    body: { paymentMethod },
  });
const event = (eventType: string, objectId: string) => ({
  Put: {
    TableName: tableName,
    Item: expect.objectContaining({ PK: merchantPk, type: "event", eventType, merchantId, objectId }),
    ConditionExpression: "attribute_not_exists(PK)",
  },
});

describe("payment methods API function (sandbox)", () => {
  beforeEach(() => {
    process.env.SANDBOX = "enabled";
    ddb.reset();
    useMerchantKey(ddb);
    answer("MERCHANT", merchantItem);
    ddb.on(TransactWriteCommand).resolves({});
  });

  afterAll(() => {
    delete process.env.SANDBOX;
  });

  it("POST saves the first method under Kassa's id and makes it the customer's default, in one transaction", async () => {
    answer(customerId, storedCustomer());

    const { status, body } = await attach("pm_card_visa");

    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.stringMatching(/^pm_[0-9A-Z]{26}$/),
      type: "card",
      card: { brand: "visa", last4: "4242", expMonth: 12, expYear: 2034 },
      createdAt: expect.any(String),
    });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: {
              PK: merchantPk,
              SK: body.id,
              GSI1PK: methodsPk,
              GSI1SK: body.id,
              type: "paymentMethod",
              version: 1,
              id: body.id,
              customerId,
              methodType: "card",
              card: body.card,
              processorId: "pm_card_visa",
              createdAt: body.createdAt,
            },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: {
              ...storedCustomer(),
              version: 4,
              defaultPaymentMethodId: body.id,
              updatedAt: body.createdAt,
            },
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 3 },
          },
        },
        event("payment_method.attached", body.id),
      ],
    });
  });

  it("POST with a default already set leaves the customer as it is, checking it did not change", async () => {
    answer(customerId, storedCustomer({ defaultPaymentMethodId: methodId }));

    const { status, body } = await attach("pm_usBankAccount_success");

    expect(status).toBe(201);
    expect(body).toEqual({ id: expect.any(String), type: "us_bank_account", createdAt: expect.any(String) });
    const [call] = ddb.commandCalls(TransactWriteCommand);
    expect(call!.args[0].input.TransactItems![1]).toEqual({
      ConditionCheck: {
        TableName: tableName,
        Key: { PK: merchantPk, SK: customerId },
        ConditionExpression: "version = :expected",
        ExpressionAttributeValues: { ":expected": 3 },
      },
    });
  });

  it("POST answers 402 for a card declined at attach and 400 naming paymentMethod for an unknown one, writing nothing", async () => {
    answer(customerId, storedCustomer());

    const declined = await attach("pm_card_chargeDeclined");
    const unknown = await attach("pm_card_nope");

    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ declineCode: "generic_decline" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: "paymentMethod" })]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("POST answers 404 for a customer not in the caller's partition", async () => {
    const { status } = await attach("pm_card_visa");
    expect(status).toBe(404);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("GET lists the customer's methods from its GSI1 partition, newest first, without processor tokens", async () => {
    answer(customerId, storedCustomer());
    ddb.on(QueryCommand).resolves({ Items: [storedMethod()], ScannedCount: 1 });

    const { status, body } = await callHandler(handler, "GET /v1/customers/{id}/payment-methods", {
      pathParameters: { id: customerId },
    });

    expect(status).toBe(200);
    expect(body).toEqual({
      data: [
        {
          id: methodId,
          type: "card",
          card: { brand: "visa", last4: "4242", expMonth: 12, expYear: 2034 },
          createdAt: "2026-01-02T00:00:00.000Z",
        },
      ],
      nextCursor: null,
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      IndexName: "GSI1",
      KeyConditionExpression: "GSI1PK = :pk",
      ExpressionAttributeValues: { ":pk": methodsPk },
      ScanIndexForward: false,
      Limit: 21,
    });
  });

  it("DELETE removes the default method and clears the customer's default in one transaction", async () => {
    answer(customerId, storedCustomer({ defaultPaymentMethodId: methodId }));
    answer(methodId, storedMethod());

    const { status } = await callHandler(handler, "DELETE /v1/customers/{id}/payment-methods/{pmId}", {
      pathParameters: { id: customerId, pmId: methodId },
    });

    expect(status).toBe(204);
    const [call] = ddb.commandCalls(TransactWriteCommand);
    const [remove, rewrite, emitted] = call!.args[0].input.TransactItems!;
    expect(remove).toEqual({
      Delete: {
        TableName: tableName,
        Key: { PK: merchantPk, SK: methodId },
        ConditionExpression: "version = :expected",
        ExpressionAttributeValues: { ":expected": 1 },
      },
    });
    expect(rewrite?.Put?.Item).toEqual({ ...storedCustomer(), version: 4, updatedAt: expect.any(String) });
    expect(rewrite?.Put?.Item).not.toHaveProperty("defaultPaymentMethodId");
    expect(emitted).toEqual(event("payment_method.detached", methodId));
  });

  it("DELETE answers 404 for another customer's method, writing nothing", async () => {
    answer(customerId, storedCustomer());
    answer(methodId, storedMethod("cus_01KQA0000000000000000000BB"));

    const { status } = await callHandler(handler, "DELETE /v1/customers/{id}/payment-methods/{pmId}", {
      pathParameters: { id: customerId, pmId: methodId },
    });

    expect(status).toBe(404);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});
