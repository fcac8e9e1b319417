import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/customers.ts";
import { callHandler, merchantId, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
/** A customer as stored: its presented credit balance is kept as `balance_<CUR>` attributes. */
/** The stored fields of a presented customer: no balance ({}), no account owner or unsubscription (null). */
const storedOf = ({ balance: _, accountOwner, unsubscribedAt, locale, ...customer }: Record<string, unknown>) => ({
  ...customer,
  ...(accountOwner ? { accountOwner } : {}),
  ...(locale ? { locale } : {}),
  ...(unsubscribedAt ? { unsubscribedAt } : {}),
});
const customerId = "cus_01KQA0000000000000000000AA";
const stored = {
  PK: merchantPk,
  SK: customerId,
  type: "customer",
  version: 3,
  id: customerId,
  email: "ada@example.test",
  name: "Ada",
  taxIds: [],
  metadata: { tier: "gold" },
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

describe("customers API function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(TransactWriteCommand).resolves({});
  });

  it("POST /v1/customers writes the customer, its email claim and customer.created in one transaction", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/customers", {
      body: { email: "Ada@Example.test", name: "Ada" },
    });

    expect(status).toBe(201);
    expect(body).toMatchObject({ email: "ada@example.test", name: "Ada", taxIds: [], metadata: {} });
    expect(body.id).toMatch(/^cus_[0-9A-Z]{26}$/);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            // The presented balance ({}) is stored as balance_<CUR> attributes: none yet; the nulls not at all.
            Item: { PK: merchantPk, SK: body.id, type: "customer", version: 1, ...storedOf(body) },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: {
              PK: merchantPk,
              SK: "UNIQUE#customer-email#ada@example.test",
              type: "unique",
              customerId: body.id,
            },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({
              PK: merchantPk,
              type: "event",
              eventType: "customer.created",
              merchantId,
              objectId: body.id,
              data: { customer: body },
            }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ],
    });
  });

  it("POST /v1/customers answers 409 when the email is already claimed", async () => {
    ddb.on(TransactWriteCommand).rejects(
      Object.assign(new Error("cancelled"), {
        name: "TransactionCanceledException",
        CancellationReasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed" }, { Code: "None" }],
      }),
    );

    const { status, body } = await callHandler(handler, "POST /v1/customers", {
      body: { email: "ada@example.test" },
    });

    expect(status).toBe(409);
    expect(body).toMatchObject({ status: 409, detail: "A customer with this email already exists" });
  });

  it("GET /v1/customers/{id} reads the customer in the caller's partition, consistently", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: customerId } }).resolves({ Item: stored });

    const { status, body } = await callHandler(handler, "GET /v1/customers/{id}", {
      pathParameters: { id: customerId },
    });

    expect(status).toBe(200);
    expect(body).toEqual({
      id: customerId,
      email: "ada@example.test",
      name: "Ada",
      taxIds: [],
      metadata: { tier: "gold" },
      balance: {},
      accountOwner: null,
      locale: null,
      unsubscribedAt: null,
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      TableName: tableName,
      Key: { PK: merchantPk, SK: customerId },
      ConsistentRead: true,
    });
  });

  it.each([
    ["GET /v1/customers/{id}", undefined],
    ["PATCH /v1/customers/{id}", { name: "Eve" }],
    ["DELETE /v1/customers/{id}", undefined],
  ])("%s answers 404 for another merchant's customer and writes nothing", async (routeKey, payload) => {
    const { status, body } = await callHandler(handler, routeKey, {
      pathParameters: { id: customerId },
      ...(payload ? { body: payload } : {}),
    });

    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404, detail: "Customer not found" });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { PK: merchantPk, SK: customerId } });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("PATCH /v1/customers/{id} moves the email claim and writes the next version only if the read one is current", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: customerId } }).resolves({ Item: stored });

    const { status, body } = await callHandler(handler, "PATCH /v1/customers/{id}", {
      pathParameters: { id: customerId },
      body: { email: "ada@new.test", name: null, metadata: { tier: null, plan: "pro" } },
    });

    expect(status).toBe(200);
    expect(body).toMatchObject({ id: customerId, email: "ada@new.test", metadata: { plan: "pro" } });
    expect(body).not.toHaveProperty("name");
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: customerId, type: "customer", version: 4, ...storedOf(body) },
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 3 },
          },
        },
        {
          Delete: {
            TableName: tableName,
            Key: { PK: merchantPk, SK: "UNIQUE#customer-email#ada@example.test" },
            ConditionExpression: "customerId = :id",
            ExpressionAttributeValues: { ":id": customerId },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: "UNIQUE#customer-email#ada@new.test", type: "unique", customerId },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: expect.objectContaining({
            Item: expect.objectContaining({
              eventType: "customer.updated",
              objectId: customerId,
              data: { customer: body },
            }),
          }),
        },
      ],
    });
  });

  it("DELETE /v1/customers/{id} refuses with 409 while the customer has open invoices, and writes nothing", async () => {
    ddb
      .on(GetCommand, { Key: { PK: merchantPk, SK: customerId } })
      .resolves({ Item: { ...stored, openInvoiceCount: 1 } });

    const { status, body } = await callHandler(handler, "DELETE /v1/customers/{id}", {
      pathParameters: { id: customerId },
    });

    expect(status).toBe(409);
    expect(body.detail).toBe(
      "The customer has open invoices or active subscriptions; settle or void them first",
    );
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("DELETE /v1/customers/{id} deletes the customer and releases its email in one transaction", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: customerId } }).resolves({ Item: stored });

    const { status } = await callHandler(handler, "DELETE /v1/customers/{id}", {
      pathParameters: { id: customerId },
    });

    expect(status).toBe(204);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Delete: {
            TableName: tableName,
            Key: { PK: merchantPk, SK: customerId },
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 3 },
          },
        },
        {
          Delete: {
            TableName: tableName,
            Key: { PK: merchantPk, SK: "UNIQUE#customer-email#ada@example.test" },
            ConditionExpression: "customerId = :id",
            ExpressionAttributeValues: { ":id": customerId },
          },
        },
        {
          Put: expect.objectContaining({
            Item: expect.objectContaining({ eventType: "customer.deleted", objectId: customerId }),
          }),
        },
      ],
    });
  });

  it("GET /v1/customers queries the caller's partition for customer ids only, newest first", async () => {
    ddb.on(QueryCommand).resolves({ Items: [stored] });

    const { status, body } = await callHandler(handler, "GET /v1/customers", { query: { limit: "5" } });

    expect(status).toBe(200);
    expect(body).toEqual({ data: [expect.objectContaining({ id: customerId })], nextCursor: null });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :lower AND :upper",
      ExpressionAttributeValues: {
        ":pk": merchantPk,
        ":lower": expect.stringMatching(/^cus_/),
        ":upper": expect.stringMatching(/^cus_/),
      },
      ScanIndexForward: false,
      Limit: 6,
    });
  });

  it.each([
    ["a missing email", { name: "Ada" }, "email", "is required"],
    ["an invalid email", { email: "nope" }, "email", "must be an email address"],
    ["an unknown field", { email: "a@b.test", balance: 5 }, "balance", "is not a known field"],
    ["a bad phone", { email: "a@b.test", phone: "call me" }, "phone", "must be a phone number"],
    [
      "a bad country",
      { email: "a@b.test", address: { line1: "1 Main", city: "X", postalCode: "1", country: "USA" } },
      "address.country",
      "must be an ISO 3166-1 alpha-2 country code",
    ],
  ])(
    "POST /v1/customers answers 400 naming the field for %s and writes nothing",
    async (_, payload, path, message) => {
      const { status, headers, body } = await callHandler(handler, "POST /v1/customers", { body: payload });

      expect(status).toBe(400);
      expect(headers["content-type"]).toBe("application/problem+json");
      expect(body).toMatchObject({ type: "urn:kassa:problem:invalid-request", status: 400 });
      expect(body.errors).toContainEqual({ path, message });
      expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
    },
  );

  it("answers 401 to an unknown API key and reads no customer", async () => {
    const { status } = await callHandler(handler, "GET /v1/customers/{id}", {
      token: "sk_unknown_secret_0123456789abcdefghijklmnop",
      pathParameters: { id: customerId },
    });

    expect(status).toBe(401);
    expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { Key: { PK: merchantPk, SK: customerId } });
  });
});
