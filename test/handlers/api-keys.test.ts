import { createHash } from "node:crypto";
import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/api-keys.ts";
import { callHandler, merchantId, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const otherKeyId = "key_01KQA0000000000000000000AA";
const otherKeyHash = "a".repeat(64);
const otherKey = {
  id: otherKeyId,
  merchantId,
  name: "CI",
  hint: "sk_…wxyz",
  status: "active",
  createdAt: "2026-01-01T00:00:00.000Z",
};

describe("API keys function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(TransactWriteCommand).resolves({});
  });

  it("POST /v1/api-keys stores only the hash of the new secret, with api_key.created, and shows the secret once", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/api-keys", { body: { name: "CI" } });

    expect(status).toBe(201);
    expect(body).toMatchObject({ merchantId, name: "CI", status: "active", hint: `sk_…${body.secret.slice(-4)}` });
    expect(body.id).toMatch(/^key_[0-9A-Z]{26}$/);
    expect(body.secret).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);
    const { secret, ...key } = body;
    const hash = createHash("sha256").update(secret).digest("hex");
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: {
              PK: `APIKEY#${hash}`,
              SK: "APIKEY",
              GSI1PK: `${merchantPk}#APIKEYS`,
              GSI1SK: key.id,
              type: "apiKey",
              version: 1,
              secretHash: hash,
              ...key,
            },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({ type: "event", eventType: "api_key.created", merchantId, objectId: key.id, data: { apiKey: key } }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ],
    });
    expect(JSON.stringify(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input)).not.toContain(secret);
  });

  it("GET /v1/api-keys lists the caller's keys from GSI1 without their secret hashes", async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ PK: `APIKEY#${otherKeyHash}`, SK: "APIKEY", type: "apiKey", version: 1, secretHash: otherKeyHash, ...otherKey }] });

    const { status, body } = await callHandler(handler, "GET /v1/api-keys");

    expect(status).toBe(200);
    // A key stored before keys had roles reads as the owner's.
    expect(body).toEqual({ data: [{ ...otherKey, role: "owner" }], nextCursor: null });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      IndexName: "GSI1",
      KeyConditionExpression: "GSI1PK = :pk",
      ExpressionAttributeValues: { ":pk": `${merchantPk}#APIKEYS` },
      ScanIndexForward: false,
      Limit: 21,
    });
  });

  it("POST /v1/api-keys/{id}/revoke revokes the key only while it is the caller's and active, with api_key.revoked", async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ secretHash: otherKeyHash, ...otherKey }] });
    ddb.on(GetCommand, { Key: { PK: `APIKEY#${otherKeyHash}`, SK: "APIKEY" } }).resolves({
      Item: { ...otherKey, secretHash: otherKeyHash, status: "revoked", revokedAt: "2026-02-01T00:00:00.000Z" },
    });

    const { status, body } = await callHandler(handler, "POST /v1/api-keys/{id}/revoke", { pathParameters: { id: otherKeyId } });

    expect(status).toBe(200);
    expect(body).toEqual({ ...otherKey, role: "owner", status: "revoked", revokedAt: "2026-02-01T00:00:00.000Z" });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      IndexName: "GSI1",
      KeyConditionExpression: "GSI1PK = :pk AND GSI1SK = :sk",
      ExpressionAttributeValues: { ":pk": `${merchantPk}#APIKEYS`, ":sk": otherKeyId },
    });
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Update: {
            TableName: tableName,
            Key: { PK: `APIKEY#${otherKeyHash}`, SK: "APIKEY" },
            UpdateExpression: "SET #status = :revoked, revokedAt = :at, version = version + :one",
            ConditionExpression: "merchantId = :merchantId AND #status = :active",
            ExpressionAttributeNames: { "#status": "status" },
            ExpressionAttributeValues: { ":revoked": "revoked", ":active": "active", ":at": expect.any(String), ":merchantId": merchantId, ":one": 1 },
          },
        },
        { Put: expect.objectContaining({ Item: expect.objectContaining({ eventType: "api_key.revoked", objectId: otherKeyId, data: { apiKeyId: otherKeyId } }) }) },
      ],
    });
  });

  it("POST /v1/api-keys/{id}/revoke answers 404 for another merchant's key and writes nothing", async () => {
    ddb.on(QueryCommand).resolves({ Items: [] });

    const { status, body } = await callHandler(handler, "POST /v1/api-keys/{id}/revoke", { pathParameters: { id: otherKeyId } });

    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404, detail: "API key not found" });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, { ExpressionAttributeValues: { ":pk": `${merchantPk}#APIKEYS`, ":sk": otherKeyId } });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("POST /v1/api-keys/{id}/revoke answers 409 for a key already revoked", async () => {
    ddb.on(QueryCommand).resolves({ Items: [{ secretHash: otherKeyHash, ...otherKey }] });
    ddb.on(TransactWriteCommand).rejects(
      Object.assign(new Error("cancelled"), {
        name: "TransactionCanceledException",
        CancellationReasons: [{ Code: "ConditionalCheckFailed" }, { Code: "None" }],
      }),
    );

    const { status, body } = await callHandler(handler, "POST /v1/api-keys/{id}/revoke", { pathParameters: { id: otherKeyId } });

    expect(status).toBe(409);
    expect(body.detail).toBe("The API key is already revoked");
  });

  it.each([
    ["an empty name", { name: " " }, "name", "Too small: expected string to have >=1 characters"],
    ["an unknown field", { name: "CI", scopes: ["read"] }, "scopes", "is not a known field"],
  ])("POST /v1/api-keys answers 400 naming the field for %s and writes nothing", async (_, payload, path, message) => {
    const { status, body } = await callHandler(handler, "POST /v1/api-keys", { body: payload });

    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path, message });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});
