import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/products.ts";
import { callHandler, merchantId, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const productId = "prd_01KQA0000000000000000000AA";
const stored = {
  PK: merchantPk,
  SK: productId,
  type: "product",
  version: 2,
  id: productId,
  name: "Espresso beans",
  unitAmount: 1850,
  currency: "EUR",
  active: true,
  metadata: {},
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};
const answerProduct = (item: Record<string, unknown>) =>
  ddb.on(GetCommand, { Key: { PK: merchantPk, SK: productId } }).resolves({ Item: item });

describe("products API function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(TransactWriteCommand).resolves({});
  });

  it("POST /v1/products writes the product (amount in minor units, currency upper-cased) with product.created", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/products", {
      body: { name: "Espresso beans", unitAmount: 1850, currency: "eur", recurring: { interval: "month" } },
    });

    expect(status).toBe(201);
    expect(body).toMatchObject({ name: "Espresso beans", unitAmount: 1850, currency: "EUR", recurring: { interval: "month" }, active: true, metadata: {} });
    expect(body.id).toMatch(/^prd_[0-9A-Z]{26}$/);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: body.id, type: "product", version: 1, ...body },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({ PK: merchantPk, type: "event", eventType: "product.created", merchantId, objectId: body.id, data: { product: body } }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ],
    });
  });

  it("GET /v1/products/{id} answers the product without its internal referenced flag", async () => {
    answerProduct({ ...stored, referenced: true });

    const { status, body } = await callHandler(handler, "GET /v1/products/{id}", { pathParameters: { id: productId } });

    expect(status).toBe(200);
    expect(body).toEqual({
      id: productId,
      name: "Espresso beans",
      unitAmount: 1850,
      currency: "EUR",
      active: true,
      metadata: {},
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: tableName, Key: { PK: merchantPk, SK: productId }, ConsistentRead: true });
  });

  it.each([
    ["GET /v1/products/{id}", undefined],
    ["PATCH /v1/products/{id}", { active: false }],
    ["DELETE /v1/products/{id}", undefined],
  ])("%s answers 404 for another merchant's product and writes nothing", async (routeKey, payload) => {
    const { status, body } = await callHandler(handler, routeKey, {
      pathParameters: { id: productId },
      ...(payload ? { body: payload } : {}),
    });

    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404, detail: "Product not found" });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { PK: merchantPk, SK: productId } });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("PATCH /v1/products/{id} archives the product as the next version, conditioned on the version read", async () => {
    answerProduct(stored);

    const { status, body } = await callHandler(handler, "PATCH /v1/products/{id}", {
      pathParameters: { id: productId },
      body: { active: false },
    });

    expect(status).toBe(200);
    expect(body).toMatchObject({ id: productId, active: false, unitAmount: 1850 });
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: productId, type: "product", version: 3, ...body },
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 2 },
          },
        },
        { Put: expect.objectContaining({ Item: expect.objectContaining({ eventType: "product.updated", objectId: productId, data: { product: body } }) }) },
      ],
    });
  });

  it("PATCH /v1/products/{id} refuses with 409 to reprice a product an invoice uses, and writes nothing", async () => {
    answerProduct({ ...stored, referenced: true });

    const { status, body } = await callHandler(handler, "PATCH /v1/products/{id}", {
      pathParameters: { id: productId },
      body: { unitAmount: 1900 },
    });

    expect(status).toBe(409);
    expect(body.detail).toContain("its unitAmount and currency can no longer change");
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("DELETE /v1/products/{id} refuses with 409 for a product an invoice uses, and writes nothing", async () => {
    answerProduct({ ...stored, referenced: true });

    const { status, body } = await callHandler(handler, "DELETE /v1/products/{id}", { pathParameters: { id: productId } });

    expect(status).toBe(409);
    expect(body.detail).toContain("cannot be deleted; archive it instead");
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("DELETE /v1/products/{id} deletes the product at the version read, with product.deleted", async () => {
    answerProduct(stored);

    const { status } = await callHandler(handler, "DELETE /v1/products/{id}", { pathParameters: { id: productId } });

    expect(status).toBe(204);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Delete: {
            TableName: tableName,
            Key: { PK: merchantPk, SK: productId },
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 2 },
          },
        },
        { Put: expect.objectContaining({ Item: expect.objectContaining({ eventType: "product.deleted", objectId: productId }) }) },
      ],
    });
  });

  it("GET /v1/products turns active, currency and recurring into a FilterExpression on the caller's partition", async () => {
    ddb.on(QueryCommand).resolves({ Items: [stored] });

    const { status, body } = await callHandler(handler, "GET /v1/products", {
      query: { active: "true", currency: "eur", recurring: "false" },
    });

    expect(status).toBe(200);
    expect(body).toEqual({ data: [expect.objectContaining({ id: productId })], nextCursor: null });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :lower AND :upper",
      ExpressionAttributeValues: {
        ":pk": merchantPk,
        ":lower": expect.stringMatching(/^prd_/),
        ":upper": expect.stringMatching(/^prd_/),
        ":f0": true,
        ":f1": "EUR",
      },
      FilterExpression: "#f0 = :f0 AND #f1 = :f1 AND attribute_not_exists(#f2)",
      ExpressionAttributeNames: { "#f0": "active", "#f1": "currency", "#f2": "recurring" },
      ScanIndexForward: false,
      Limit: 100,
    });
  });

  it.each([
    ["a fractional amount", { name: "X", unitAmount: 18.5, currency: "EUR" }, "unitAmount", "must be an integer amount in minor units (no fractions)"],
    ["a negative amount", { name: "X", unitAmount: -1, currency: "EUR" }, "unitAmount", "must not be negative"],
    ["an unknown currency", { name: "X", unitAmount: 100, currency: "EURO" }, "currency", "must be an ISO 4217 currency code, e.g. USD"],
    ["a missing name", { unitAmount: 100, currency: "EUR" }, "name", "is required"],
    ["an unknown field", { name: "X", unitAmount: 100, currency: "EUR", sku: "1" }, "sku", "is not a known field"],
  ])("POST /v1/products answers 400 naming the field for %s and writes nothing", async (_, payload, path, message) => {
    const { status, headers, body } = await callHandler(handler, "POST /v1/products", { body: payload });

    expect(status).toBe(400);
    expect(headers["content-type"]).toBe("application/problem+json");
    expect(body).toMatchObject({ type: "urn:kassa:problem:invalid-request", status: 400 });
    expect(body.errors).toContainEqual({ path, message });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("GET /v1/products answers 400 naming the query parameter for a bad flag and reads nothing", async () => {
    const { status, body } = await callHandler(handler, "GET /v1/products", { query: { active: "yes" } });

    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path: "active", message: "must be true or false" });
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });
});
