import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/views.ts";
import { callHandler, merchantId, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const viewId = "view_01KQA0000000000000000000AA";
const stored = {
  PK: merchantPk,
  SK: viewId,
  type: "view",
  version: 1,
  id: viewId,
  object: "invoices",
  name: "Overdue in EUR",
  filters: { status: "overdue", currency: "EUR" },
  createdAt: "2026-01-01T00:00:00.000Z",
};

describe("saved views API function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(TransactWriteCommand).resolves({});
  });

  it("POST /v1/views writes the view with its normalized filters and view.created in one transaction", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/views", {
      body: { object: "invoices", name: " Overdue in EUR ", filters: { status: "overdue", currency: "eur" } },
    });

    expect(status).toBe(201);
    expect(body).toMatchObject({ object: "invoices", name: "Overdue in EUR", filters: { status: "overdue", currency: "EUR" } });
    expect(body.id).toMatch(/^view_[0-9A-Z]{26}$/);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: body.id, type: "view", version: 1, ...body },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({ type: "event", eventType: "view.created", merchantId, objectId: body.id, data: { view: body } }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ],
    });
  });

  it("GET /v1/views/{id} reads the view in the caller's partition", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: viewId } }).resolves({ Item: stored });

    const { status, body } = await callHandler(handler, "GET /v1/views/{id}", { pathParameters: { id: viewId } });

    expect(status).toBe(200);
    expect(body).toEqual({
      id: viewId,
      object: "invoices",
      name: "Overdue in EUR",
      filters: { status: "overdue", currency: "EUR" },
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: tableName, Key: { PK: merchantPk, SK: viewId }, ConsistentRead: true });
  });

  it.each(["GET /v1/views/{id}", "DELETE /v1/views/{id}"])(
    "%s answers 404 for another merchant's view and writes nothing",
    async (routeKey) => {
      const { status, body } = await callHandler(handler, routeKey, { pathParameters: { id: viewId } });

      expect(status).toBe(404);
      expect(body).toMatchObject({ status: 404, detail: "Saved view not found" });
      expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { PK: merchantPk, SK: viewId } });
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
    },
  );

  it("DELETE /v1/views/{id} deletes the view at the version read, with view.deleted", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: viewId } }).resolves({ Item: stored });

    const { status } = await callHandler(handler, "DELETE /v1/views/{id}", { pathParameters: { id: viewId } });

    expect(status).toBe(204);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Delete: {
            TableName: tableName,
            Key: { PK: merchantPk, SK: viewId },
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 1 },
          },
        },
        { Put: expect.objectContaining({ Item: expect.objectContaining({ eventType: "view.deleted", objectId: viewId, data: { viewId } }) }) },
      ],
    });
  });

  it("GET /v1/views?object= filters the caller's views by the object they list", async () => {
    ddb.on(QueryCommand).resolves({ Items: [stored] });

    const { status, body } = await callHandler(handler, "GET /v1/views", { query: { object: "invoices" } });

    expect(status).toBe(200);
    expect(body).toEqual({ data: [expect.objectContaining({ id: viewId })], nextCursor: null });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :lower AND :upper",
      ExpressionAttributeValues: {
        ":pk": merchantPk,
        ":lower": expect.stringMatching(/^view_/),
        ":upper": expect.stringMatching(/^view_/),
        ":object": "invoices",
      },
      FilterExpression: "#object = :object",
      ExpressionAttributeNames: { "#object": "object" },
      ScanIndexForward: false,
    });
  });

  it.each([
    ["an unknown object", { object: "products", name: "R", filters: {} }, "object", "Invalid discriminator value. Expected 'invoices' | 'payments' | 'subscriptions' | 'quotes' | 'customers' | 'payment_links' | 'checkout_sessions' | 'refunds' | 'payouts' | 'tasks'"],
    ["a filter the object does not have", { object: "payments", name: "P", filters: { dueBefore: "2026-01-01" } }, "filters.dueBefore", "is not a known field"],
    ["an empty name", { object: "invoices", name: " ", filters: {} }, "name", "Too small: expected string to have >=1 characters"],
    ["a bad filter value", { object: "invoices", name: "I", filters: { status: "lost" } }, "filters.status", 'Invalid option: expected one of "draft"|"open"|"paid"|"void"|"uncollectible"|"overdue"'],
  ])("POST /v1/views answers 400 naming the field for %s and writes nothing", async (_, payload, path, message) => {
    const { status, body } = await callHandler(handler, "POST /v1/views", { body: payload });

    expect(status).toBe(400);
    expect(body).toMatchObject({ type: "urn:kassa:problem:invalid-request", status: 400 });
    expect(body.errors).toContainEqual({ path, message });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});
