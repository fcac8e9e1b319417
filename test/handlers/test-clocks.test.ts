import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler } from "../../functions/api/test-clocks.ts";
import { callHandler, merchantId, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const clockId = "clk_01KQA0000000000000000000AA";
const merchantItem = (livemode: boolean) => ({
  PK: merchantPk,
  SK: "MERCHANT",
  type: "merchant",
  version: 1,
  id: merchantId,
  ...(livemode ? { processor: "stripe", stripeLivemode: true } : {}),
});
const clockItem = {
  PK: merchantPk,
  SK: clockId,
  type: "testClock",
  version: 4,
  id: clockId,
  frozenTime: "2030-01-01T00:00:00.000Z",
  status: "ready",
  customerCount: 2,
  createdAt: "2026-01-01T00:00:00.000Z",
};
const useMerchant = (livemode: boolean) =>
  ddb.on(GetCommand, { Key: { PK: merchantPk, SK: "MERCHANT" } }).resolves({ Item: merchantItem(livemode) });
const useClock = () =>
  ddb.on(GetCommand, { Key: { PK: merchantPk, SK: clockId } }).resolves({ Item: clockItem });

describe("test clocks API function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(TransactWriteCommand).resolves({});
  });

  it("POST /v1/test-clocks writes the ready clock and test_clock.created in one transaction", async () => {
    useMerchant(false);

    const { status, body } = await callHandler(handler, "POST /v1/test-clocks", {
      body: { frozenTime: "2030-01-01T01:00:00+01:00", name: "Renewals" },
    });

    expect(status).toBe(201);
    expect(body).toEqual({
      id: expect.stringMatching(/^clk_[0-9A-Z]{26}$/),
      name: "Renewals",
      frozenTime: "2030-01-01T00:00:00.000Z",
      status: "ready",
      createdAt: expect.any(String),
    });
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: body.id, type: "testClock", version: 1, ...body },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({
              type: "event",
              eventType: "test_clock.created",
              objectId: body.id,
            }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ],
    });
  });

  it("POST /v1/test-clocks answers 409 for a live merchant and writes nothing", async () => {
    useMerchant(true);

    const { status, body } = await callHandler(handler, "POST /v1/test-clocks", {
      body: { frozenTime: "2030-01-01T00:00:00Z" },
    });

    expect(status).toBe(409);
    expect(body.detail).toMatch(/test mode only/);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("POST /v1/test-clocks/{id}/advance sets the clock advancing to the new time with test_clock.advancing, conditioned on the version it read", async () => {
    useClock();

    const { status, body } = await callHandler(handler, "POST /v1/test-clocks/{id}/advance", {
      pathParameters: { id: clockId },
      body: { frozenTime: "2030-02-01T00:00:00Z" },
    });

    expect(status).toBe(200);
    expect(body).toEqual({
      id: clockId,
      frozenTime: "2030-02-01T00:00:00.000Z",
      status: "advancing",
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: expect.arrayContaining([
        {
          Put: {
            TableName: tableName,
            // The clock's own time moves with the work the advance runs (shared/test-clocks/advance.ts).
            Item: { ...clockItem, version: 5, status: "advancing", advanceTo: "2030-02-01T00:00:00.000Z" },
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 4 },
          },
        },
        {
          Put: expect.objectContaining({
            Item: expect.objectContaining({ eventType: "test_clock.advancing", objectId: clockId }),
          }),
        },
      ]),
    });
  });

  it.each(["2030-01-01T00:00:00Z", "2029-12-31T23:59:59Z"])(
    "POST /v1/test-clocks/{id}/advance to %s (not after the clock's time) is a 400 naming frozenTime",
    async (frozenTime) => {
      useClock();

      const { status, body } = await callHandler(handler, "POST /v1/test-clocks/{id}/advance", {
        pathParameters: { id: clockId },
        body: { frozenTime },
      });

      expect(status).toBe(400);
      expect(body.errors).toEqual([{ path: "frozenTime", message: expect.stringContaining("2030-01-01") }]);
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
    },
  );

  it("POST /v1/customers with testClockId counts the customer on the clock in the customer's transaction", async () => {
    useMerchant(false);
    useClock();

    const { status, body } = await callHandler(customers, "POST /v1/customers", {
      body: { email: "ada@example.test", testClockId: clockId },
    });

    expect(status).toBe(201);
    expect(body.testClockId).toBe(clockId);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: expect.arrayContaining([
        {
          Update: {
            TableName: tableName,
            Key: { PK: merchantPk, SK: clockId },
            UpdateExpression: "SET version = version + :one ADD customerCount :one",
            ConditionExpression:
              "#type = :type AND (attribute_not_exists(customerCount) OR customerCount < :max)",
            ExpressionAttributeNames: { "#type": "type" },
            ExpressionAttributeValues: { ":one": 1, ":type": "testClock", ":max": 100 },
          },
        },
      ]),
    });
  });

  it("POST /v1/customers with a clock that is not the merchant's is a 400 naming testClockId", async () => {
    useMerchant(false);

    const { status, body } = await callHandler(customers, "POST /v1/customers", {
      body: { email: "ada@example.test", testClockId: clockId },
    });

    expect(status).toBe(400);
    expect(body.errors).toEqual([{ path: "testClockId", message: "is not one of your test clocks" }]);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});
