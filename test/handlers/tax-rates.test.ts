import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/tax-rates.ts";
import { callHandler, merchantId, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const taxRateId = "txr_01KQA0000000000000000000AA";
const stored = {
  PK: merchantPk,
  SK: taxRateId,
  type: "taxRate",
  version: 1,
  id: taxRateId,
  name: "VAT",
  percentage: 19,
  inclusive: false,
  country: "DE",
  active: true,
  metadata: {},
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};

describe("tax rates API function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(TransactWriteCommand).resolves({});
  });

  it("POST /v1/tax-rates writes the rate with tax_rate.created in one transaction", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/tax-rates", {
      body: { name: "VAT", percentage: 19.25, inclusive: true, country: "de" },
    });

    expect(status).toBe(201);
    expect(body).toMatchObject({ name: "VAT", percentage: 19.25, inclusive: true, country: "DE", active: true, metadata: {} });
    expect(body.id).toMatch(/^txr_[0-9A-Z]{26}$/);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: body.id, type: "taxRate", version: 1, ...body },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({ PK: merchantPk, type: "event", eventType: "tax_rate.created", merchantId, objectId: body.id, data: { taxRate: body } }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ],
    });
  });

  it("GET /v1/tax-rates/{id} reads the rate in the caller's partition", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: taxRateId } }).resolves({ Item: stored });

    const { status, body } = await callHandler(handler, "GET /v1/tax-rates/{id}", { pathParameters: { id: taxRateId } });

    expect(status).toBe(200);
    expect(body).toEqual({
      id: taxRateId,
      name: "VAT",
      percentage: 19,
      inclusive: false,
      country: "DE",
      active: true,
      metadata: {},
      createdAt: "2026-01-01T00:00:00.000Z",
      updatedAt: "2026-01-01T00:00:00.000Z",
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: tableName, Key: { PK: merchantPk, SK: taxRateId }, ConsistentRead: true });
  });

  it.each([
    ["GET /v1/tax-rates/{id}", undefined],
    ["PATCH /v1/tax-rates/{id}", { active: false }],
  ])("%s answers 404 for another merchant's rate and writes nothing", async (routeKey, payload) => {
    const { status, body } = await callHandler(handler, routeKey, {
      pathParameters: { id: taxRateId },
      ...(payload ? { body: payload } : {}),
    });

    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404, detail: "Tax rate not found" });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("PATCH /v1/tax-rates/{id} archives the rate and clears a field as the next version", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: taxRateId } }).resolves({ Item: stored });

    const { status, body } = await callHandler(handler, "PATCH /v1/tax-rates/{id}", {
      pathParameters: { id: taxRateId },
      body: { active: false, country: null },
    });

    expect(status).toBe(200);
    expect(body).toMatchObject({ id: taxRateId, active: false, percentage: 19 });
    expect(body).not.toHaveProperty("country");
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: taxRateId, type: "taxRate", version: 2, ...body },
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 1 },
          },
        },
        { Put: expect.objectContaining({ Item: expect.objectContaining({ eventType: "tax_rate.updated", objectId: taxRateId, data: { taxRate: body } }) }) },
      ],
    });
  });

  it("PATCH /v1/tax-rates/{id} answers 409 when another request changed the rate since it was read", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: taxRateId } }).resolves({ Item: stored });
    ddb.on(TransactWriteCommand).rejects(
      Object.assign(new Error("cancelled"), {
        name: "TransactionCanceledException",
        CancellationReasons: [{ Code: "ConditionalCheckFailed" }, { Code: "None" }],
      }),
    );

    const { status, body } = await callHandler(handler, "PATCH /v1/tax-rates/{id}", {
      pathParameters: { id: taxRateId },
      body: { name: "MwSt" },
    });

    expect(status).toBe(409);
    expect(body.detail).toBe("The tax rate was changed by another request; fetch it and try again");
  });

  it("GET /v1/tax-rates filters by inclusive and country in the caller's partition", async () => {
    ddb.on(QueryCommand).resolves({ Items: [stored] });

    const { status, body } = await callHandler(handler, "GET /v1/tax-rates", { query: { inclusive: "false", country: "de" } });

    expect(status).toBe(200);
    expect(body).toEqual({ data: [expect.objectContaining({ id: taxRateId })], nextCursor: null });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :lower AND :upper",
      ExpressionAttributeValues: {
        ":pk": merchantPk,
        ":lower": expect.stringMatching(/^txr_/),
        ":upper": expect.stringMatching(/^txr_/),
        ":f0": false,
        ":f1": "DE",
      },
      FilterExpression: "#f0 = :f0 AND #f1 = :f1",
      ExpressionAttributeNames: { "#f0": "inclusive", "#f1": "country" },
      ScanIndexForward: false,
      Limit: 100,
    });
  });

  it.each([
    ["too many decimals", { name: "VAT", percentage: 19.12345, inclusive: false }, "percentage", "must have at most 4 decimals"],
    // Found by the fuzz suite: a float tolerance let these through, and DynamoDB refuses 6e-323 (a 500).
    ["a denormal", { name: "VAT", percentage: 6e-323, inclusive: false }, "percentage", "must have at most 4 decimals"],
    ["an eleventh decimal", { name: "VAT", percentage: 1e-11, inclusive: false }, "percentage", "must have at most 4 decimals"],
    ["a missing inclusive", { name: "VAT", percentage: 19 }, "inclusive", "is required"],
    ["a bad country", { name: "VAT", percentage: 19, inclusive: false, country: "DEU" }, "country", "must be an ISO 3166-1 alpha-2 country code"],
  ])("POST /v1/tax-rates answers 400 naming the field for %s and writes nothing", async (_, payload, path, message) => {
    const { status, body } = await callHandler(handler, "POST /v1/tax-rates", { body: payload });

    expect(status).toBe(400);
    expect(body).toMatchObject({ type: "urn:kassa:problem:invalid-request", status: 400 });
    expect(body.errors).toContainEqual({ path, message });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("PATCH /v1/tax-rates/{id} answers 400 to a change of the immutable percentage and writes nothing", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: taxRateId } }).resolves({ Item: stored });

    const { status, body } = await callHandler(handler, "PATCH /v1/tax-rates/{id}", {
      pathParameters: { id: taxRateId },
      body: { percentage: 7 },
    });

    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path: "percentage", message: "is not a known field" });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});
