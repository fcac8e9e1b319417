/**
 * The users function against a mocked table: the exact writes of an invitation and of an owner's
 * removal (the owner count that keeps the last one), and the requests it refuses — a role without
 * `team`, bad input — writing nothing.
 */
import { createHash } from "node:crypto";
import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/users.ts";
import { callHandler, merchantId, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const userId = "usr_01KQA0000000000000000000AA";
const owner = {
  id: userId,
  merchantId,
  email: "owner@acme.test",
  name: "Olga",
  role: "owner",
  status: "active",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
  lastSignInAt: "2026-01-02T00:00:00.000Z",
  sessionsValidAfter: null,
};
const cancelled = (reasons: string[]) =>
  Object.assign(new Error("cancelled"), {
    name: "TransactionCanceledException",
    CancellationReasons: reasons.map((Code) => ({ Code })),
  });

/** A key of `role` for the test merchant: its secret (each role its own, as keys are cached by secret). */
function keyOf(role: string): string {
  const secret = `sk_handler_test_${role}_key_0123456789abcdefghijklmno`;
  const PK = `APIKEY#${createHash("sha256").update(secret).digest("hex")}`;
  ddb.on(GetCommand, { Key: { PK, SK: "APIKEY" } }).resolves({
    Item: { PK, SK: "APIKEY", type: "apiKey", id: `key_${role}`, merchantId, role, status: "active", lastUsedAt: "9999-12-31T23:59:59.999Z" },
  });
  return secret;
}

describe("users function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(TransactWriteCommand).resolves({});
  });

  it("POST /v1/users writes the invited user, its email claim, the owner count and user.invited in one transaction", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/users", {
      body: { email: "New.Owner@Acme.test", role: "owner" },
    });

    expect(status).toBe(201);
    expect(body).toMatchObject({ merchantId, email: "new.owner@acme.test", name: null, role: "owner", status: "invited" });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: {
              PK: merchantPk,
              SK: body.id,
              GSI1PK: "USER_EMAIL#new.owner@acme.test",
              GSI1SK: `${merchantId}#${body.id}`,
              type: "user",
              version: 1,
              ...body,
            },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: "UNIQUE#user-email#new.owner@acme.test", type: "unique", userId: body.id },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: { PK: merchantPk, SK: "USER_OWNERS" },
            UpdateExpression: "ADD #owners :delta SET #type = :type",
            ExpressionAttributeNames: { "#owners": "owners", "#type": "type" },
            ExpressionAttributeValues: { ":delta": 1, ":type": "userOwners" },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({ type: "event", eventType: "user.invited", objectId: body.id, data: { user: body } }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ],
    });
  });

  it("DELETE /v1/users/{id} of an owner takes one from the owner count only while another owner is left: else 409", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: userId } }).resolves({
      Item: { PK: merchantPk, SK: userId, type: "user", version: 3, ...owner },
    });
    ddb.on(TransactWriteCommand).rejects(cancelled(["None", "None", "ConditionalCheckFailed", "None"]));

    const { status, body } = await callHandler(handler, "DELETE /v1/users/{id}", { pathParameters: { id: userId } });

    expect(status).toBe(409);
    expect(body).toMatchObject({
      type: "urn:kassa:problem:conflict",
      detail: "The team's last owner cannot be removed or demoted; make another user owner first",
    });
    const [items] = ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems);
    expect(items?.slice(0, 3)).toEqual([
      {
        Delete: {
          TableName: tableName,
          Key: { PK: merchantPk, SK: userId },
          ConditionExpression: "version = :expected",
          ExpressionAttributeValues: { ":expected": 3 },
        },
      },
      {
        Delete: {
          TableName: tableName,
          Key: { PK: merchantPk, SK: "UNIQUE#user-email#owner@acme.test" },
          ConditionExpression: "userId = :id",
          ExpressionAttributeValues: { ":id": userId },
        },
      },
      {
        Update: {
          TableName: tableName,
          Key: { PK: merchantPk, SK: "USER_OWNERS" },
          UpdateExpression: "ADD #owners :delta SET #type = :type",
          ConditionExpression: "#owners > :one",
          ExpressionAttributeNames: { "#owners": "owners", "#type": "type" },
          ExpressionAttributeValues: { ":delta": -1, ":type": "userOwners", ":one": 1 },
        },
      },
    ]);
  });

  it.each(["admin", "member", "viewer"])("answers a %s key 403 forbidden on every users route and reads or writes nothing", async (role) => {
    const token = keyOf(role);
    for (const [routeKey, options] of [
      ["GET /v1/users", {}],
      ["POST /v1/users", { body: { email: "x@acme.test", role: "viewer" } }],
      ["GET /v1/users/{id}", { pathParameters: { id: userId } }],
      ["PATCH /v1/users/{id}", { pathParameters: { id: userId }, body: { role: "viewer" } }],
      ["DELETE /v1/users/{id}", { pathParameters: { id: userId } }],
      ["POST /v1/users/{id}/resend-invitation", { pathParameters: { id: userId } }],
    ] as const) {
      const { status, headers, body } = await callHandler(handler, routeKey, { token, ...options });
      expect(status, routeKey).toBe(403);
      expect(headers["content-type"]).toBe("application/problem+json");
      expect(body).toMatchObject({ type: "urn:kassa:problem:forbidden", title: "Forbidden", status: 403 });
    }
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
    // Only the key lookups: no user was read.
    expect(ddb.commandCalls(GetCommand).every((c) => String(c.args[0].input.Key?.PK).startsWith("APIKEY#"))).toBe(true);
  });

  it.each([
    ["an unknown role", { email: "a@acme.test", role: "superuser" }, "role"],
    ["no role", { email: "a@acme.test" }, "role"],
    ["an invalid email", { email: "nope", role: "viewer" }, "email"],
    ["an unknown field", { email: "a@acme.test", role: "viewer", status: "active" }, "status"],
  ])("POST /v1/users answers 400 naming the field for %s and writes nothing", async (_, payload, path) => {
    const { status, body } = await callHandler(handler, "POST /v1/users", { body: payload });
    expect(status).toBe(400);
    expect(body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});
