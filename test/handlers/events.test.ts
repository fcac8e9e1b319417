import { DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/events.ts";
import { callHandler, merchantId, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const eventItem = (id: string, objectId = "cus_01KQA0000000000000000000AA") => ({
  PK: merchantPk,
  SK: `EVT#${id}`,
  type: "event",
  eventType: "customer.created",
  id,
  merchantId,
  objectId,
  occurredAt: "2026-01-01T00:00:00.000Z",
  livemode: false,
  data: { customer: { id: objectId } },
  createdAt: "2026-01-01T00:00:00.000Z",
  expiresAt: 1775001600,
});
const first = "evt_01KQA0000000000000000000B2";
const second = "evt_01KQA0000000000000000000B1";
const third = "evt_01KQA0000000000000000000B0";

describe("events API function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    process.env.CURSOR_SECRET = "handler-test-cursor-secret-0123456789";
  });

  it("GET /v1/events/{id} reads the event item in the caller's partition and answers it without the merchant id", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: `EVT#${first}` } }).resolves({ Item: eventItem(first) });

    const { status, body } = await callHandler(handler, "GET /v1/events/{id}", { pathParameters: { id: first } });

    expect(status).toBe(200);
    expect(body).toEqual({
      id: first,
      type: "customer.created",
      objectId: "cus_01KQA0000000000000000000AA",
      occurredAt: "2026-01-01T00:00:00.000Z",
      createdAt: "2026-01-01T00:00:00.000Z",
      livemode: false,
      // The object the event is about, beside the named snapshot; an item written without a sequence shows none.
      data: {
        customer: { id: "cus_01KQA0000000000000000000AA" },
        object: { id: "cus_01KQA0000000000000000000AA" },
      },
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: tableName, Key: { PK: merchantPk, SK: `EVT#${first}` } });
  });

  it("GET /v1/events/{id} answers 404 for another merchant's event", async () => {
    const { status, body } = await callHandler(handler, "GET /v1/events/{id}", { pathParameters: { id: first } });

    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404, detail: "Event not found" });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { PK: merchantPk, SK: `EVT#${first}` } });
  });

  it("GET /v1/events pages newest first over the caller's EVT# items and continues after the last one shown", async () => {
    ddb.on(QueryCommand).resolvesOnce({ Items: [eventItem(first), eventItem(second), eventItem(third)] }).resolvesOnce({ Items: [eventItem(third)] });

    const page1 = await callHandler(handler, "GET /v1/events", { query: { limit: "2" } });

    expect(page1.status).toBe(200);
    expect(page1.body.data.map((e: { id: string }) => e.id)).toEqual([first, second]);
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 1, {
      TableName: tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": merchantPk, ":prefix": "EVT#" },
      ScanIndexForward: false,
      Limit: 3,
    });

    const page2 = await callHandler(handler, "GET /v1/events", { query: { limit: "2", cursor: page1.body.nextCursor } });

    expect(page2.body).toEqual({ data: [expect.objectContaining({ id: third })], nextCursor: null });
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 2, {
      ExclusiveStartKey: { PK: merchantPk, SK: `EVT#${second}` },
      Limit: 3,
    });
  });

  it("GET /v1/events filters by type and object id", async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    const { status, body } = await callHandler(handler, "GET /v1/events", {
      query: { type: "customer.created", objectId: "cus_01KQA0000000000000000000AA" },
    });

    expect(status).toBe(200);
    expect(body).toEqual({ data: [], nextCursor: null });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: {
        ":pk": merchantPk,
        ":prefix": "EVT#",
        ":eventType": "customer.created",
        ":objectId": "cus_01KQA0000000000000000000AA",
      },
      FilterExpression: "#eventType = :eventType AND #objectId = :objectId",
      ExpressionAttributeNames: { "#eventType": "eventType", "#objectId": "objectId" },
    });
  });

  it.each([
    ["a malformed event type", { type: "created" }, "type", "must be an event type like customer.created"],
    ["a limit over 100", { limit: "101" }, "limit", "Too big: expected number to be <=100"],
    ["an unknown parameter", { sort: "asc" }, "sort", "is not a known field"],
  ])("GET /v1/events answers 400 naming the parameter for %s and reads nothing", async (_, query, path, message) => {
    const { status, body } = await callHandler(handler, "GET /v1/events", { query });

    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path, message });
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });

  it("GET /v1/events answers 400 to a tampered cursor and reads nothing", async () => {
    const { status, body } = await callHandler(handler, "GET /v1/events", { query: { cursor: "eyJmb3JnZWQiOnRydWV9.bad" } });

    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path: "cursor", message: "is not a valid cursor for this list" });
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });
});
