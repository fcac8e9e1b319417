import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/discount-codes.ts";
import { callHandler, merchantId, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const codeId = "dc_01KQA0000000000000000000AA";
const future = "2999-01-01T00:00:00.000Z";
const stored = {
  PK: merchantPk,
  SK: codeId,
  type: "discountCode",
  version: 5,
  id: codeId,
  code: "SPRING",
  percentOff: 15,
  duration: "once",
  maxRedemptions: 10,
  redeemableUntil: future,
  active: true,
  timesRedeemed: 4,
  metadata: {},
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};
const answerCode = () => ddb.on(GetCommand, { Key: { PK: merchantPk, SK: codeId } }).resolves({ Item: stored });

describe("discount codes API function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(TransactWriteCommand).resolves({});
  });

  it("POST /v1/discount-codes writes the code (expiry as redeemableUntil), its code claim and discount_code.created", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/discount-codes", {
      body: { code: "spring", amountOff: 500, currency: "usd", duration: "once", expiresAt: "2999-01-01T01:00:00+01:00" },
    });

    expect(status).toBe(201);
    expect(body).toMatchObject({ code: "SPRING", amountOff: 500, currency: "USD", expiresAt: future, timesRedeemed: 0, active: true });
    expect(body.id).toMatch(/^dc_[0-9A-Z]{26}$/);
    const { expiresAt: _, ...rest } = body;
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: body.id, type: "discountCode", version: 1, ...rest, redeemableUntil: future },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: "UNIQUE#discount-code#SPRING", type: "unique", discountCodeId: body.id },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({ type: "event", eventType: "discount_code.created", merchantId, objectId: body.id, data: { discountCode: body } }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ],
    });
  });

  it("POST /v1/discount-codes answers 409 naming the code when it is already claimed", async () => {
    ddb.on(TransactWriteCommand).rejects(
      Object.assign(new Error("cancelled"), {
        name: "TransactionCanceledException",
        CancellationReasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed" }, { Code: "None" }],
      }),
    );

    const { status, body } = await callHandler(handler, "POST /v1/discount-codes", {
      body: { code: "spring", percentOff: 10, duration: "forever" },
    });

    expect(status).toBe(409);
    expect(body.detail).toBe("A discount code SPRING already exists");
  });

  it("GET /v1/discount-codes/{id} reads the code back with its expiry as expiresAt", async () => {
    answerCode();

    const { status, body } = await callHandler(handler, "GET /v1/discount-codes/{id}", { pathParameters: { id: codeId } });

    expect(status).toBe(200);
    expect(body).toEqual({
      id: codeId,
      code: "SPRING",
      percentOff: 15,
      duration: "once",
      maxRedemptions: 10,
      expiresAt: future,
      active: true,
      timesRedeemed: 4,
      metadata: {},
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: tableName, Key: { PK: merchantPk, SK: codeId }, ConsistentRead: true });
  });

  it.each([
    ["GET /v1/discount-codes/{id}", undefined],
    ["PATCH /v1/discount-codes/{id}", { active: false }],
  ])("%s answers 404 for another merchant's code and writes nothing", async (routeKey, payload) => {
    const { status, body } = await callHandler(handler, routeKey, {
      pathParameters: { id: codeId },
      ...(payload ? { body: payload } : {}),
    });

    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404, detail: "Discount code not found" });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("PATCH /v1/discount-codes/{id} writes the next version only if no redemption moved the version meanwhile", async () => {
    answerCode();

    const { status, body } = await callHandler(handler, "PATCH /v1/discount-codes/{id}", {
      pathParameters: { id: codeId },
      body: { maxRedemptions: null, expiresAt: null },
    });

    expect(status).toBe(200);
    expect(body).toMatchObject({ id: codeId, timesRedeemed: 4 });
    expect(body).not.toHaveProperty("maxRedemptions");
    expect(body).not.toHaveProperty("expiresAt");
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: codeId, type: "discountCode", version: 6, ...body },
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 5 },
          },
        },
        { Put: expect.objectContaining({ Item: expect.objectContaining({ eventType: "discount_code.updated", objectId: codeId, data: { discountCode: body } }) }) },
      ],
    });
  });

  it("PATCH /v1/discount-codes/{id} refuses with 409 a limit below the redemptions so far, and writes nothing", async () => {
    answerCode();

    const { status, body } = await callHandler(handler, "PATCH /v1/discount-codes/{id}", {
      pathParameters: { id: codeId },
      body: { maxRedemptions: 3 },
    });

    expect(status).toBe(409);
    expect(body.detail).toBe("maxRedemptions cannot be 3: the code has already been redeemed 4 times");
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("GET /v1/discount-codes?code= finds the code through its claim item, case-insensitively, without a query", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: "UNIQUE#discount-code#SPRING" } }).resolves({ Item: { discountCodeId: codeId } });
    answerCode();

    const { status, body } = await callHandler(handler, "GET /v1/discount-codes", { query: { code: "spring" } });

    expect(status).toBe(200);
    expect(body).toEqual({ data: [expect.objectContaining({ id: codeId, code: "SPRING" })], nextCursor: null });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      TableName: tableName,
      Key: { PK: merchantPk, SK: "UNIQUE#discount-code#SPRING" },
      ConsistentRead: true,
    });
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });

  it.each([
    ["both percentOff and amountOff", { code: "X10", percentOff: 10, amountOff: 100, currency: "USD", duration: "once" }, "amountOff", "must not be given with percentOff: give exactly one of percentOff or amountOff"],
    ["an amountOff without currency", { code: "X10", amountOff: 100, duration: "once" }, "currency", "is required"],
    ["a repeating duration without periods", { code: "X10", percentOff: 10, duration: "repeating" }, "durationInPeriods", "is required"],
    ["a code with spaces", { code: "TEN OFF", percentOff: 10, duration: "once" }, "code", "must be 3–40 letters, digits, - or _"],
    ["an expiry in the past", { code: "X10", percentOff: 10, duration: "once", expiresAt: "2001-01-01T00:00:00Z" }, "expiresAt", "must be in the future"],
  ])("POST /v1/discount-codes answers 400 naming the field for %s and writes nothing", async (_, payload, path, message) => {
    const { status, body } = await callHandler(handler, "POST /v1/discount-codes", { body: payload });

    expect(status).toBe(400);
    expect(body).toMatchObject({ type: "urn:kassa:problem:invalid-request", status: 400 });
    expect(body.errors).toContainEqual({ path, message });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("PATCH /v1/discount-codes/{id} answers 400 to a change of the frozen terms and writes nothing", async () => {
    answerCode();

    const { status, body } = await callHandler(handler, "PATCH /v1/discount-codes/{id}", {
      pathParameters: { id: codeId },
      body: { percentOff: 50 },
    });

    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path: "percentOff", message: "is not a known field" });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});
