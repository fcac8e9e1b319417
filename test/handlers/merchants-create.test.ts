import { createHash } from "node:crypto";
import { TransactWriteCommand, DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/merchants.ts";
import { httpEvent, lambdaContext } from "../helpers/events.ts";
import { assertDocumented } from "../helpers/contract.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const adminToken = "adm_handler_test_token_0123456789";

async function call(options: Parameters<typeof httpEvent>[1]) {
  const result = (await handler(httpEvent("POST /v1/merchants", options), lambdaContext)) as APIGatewayProxyStructuredResultV2;
  assertDocumented("POST /v1/merchants", result);
  return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body ?? "{}") };
}

describe("POST /v1/merchants", () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(TransactWriteCommand).resolves({});
    process.env.TABLE_NAME = "kassa-handler-test";
    process.env.ADMIN_TOKEN = adminToken;
  });

  it("writes the merchant, its hashed owner key, its owner user and the merchant.created event in one transaction", async () => {
    const { status, body } = await call({ token: adminToken, body: { name: "Acme Coffee", email: "Owner@Acme.test" } });

    expect(status).toBe(201);
    expect(body.merchant).toMatchObject({ name: "Acme Coffee", email: "owner@acme.test", timeZone: "UTC", defaultCurrency: "USD" });
    expect(body.merchant.id).toMatch(/^mer_[0-9A-Z]{26}$/);
    expect(body.apiKey.id).toMatch(/^key_[0-9A-Z]{26}$/);
    expect(body.apiKey.secret).toMatch(/^sk_[A-Za-z0-9_-]{43}$/);

    const hash = createHash("sha256").update(body.apiKey.secret).digest("hex");
    const merchantPk = `MERCHANT#${body.merchant.id}`;
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: "kassa-handler-test",
            Item: expect.objectContaining({ PK: merchantPk, SK: "MERCHANT", GSI1PK: "MERCHANTS", type: "merchant", id: body.merchant.id }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: "kassa-handler-test",
            Item: expect.objectContaining({ PK: `APIKEY#${hash}`, SK: "APIKEY", merchantId: body.merchant.id, status: "active", role: "owner" }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: "kassa-handler-test",
            Item: expect.objectContaining({
              PK: merchantPk,
              SK: expect.stringMatching(/^usr_[0-9A-Z]{26}$/),
              GSI1PK: "USER_EMAIL#owner@acme.test",
              type: "user",
              email: "owner@acme.test",
              role: "owner",
              status: "invited",
            }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: "kassa-handler-test",
            Item: expect.objectContaining({ PK: merchantPk, SK: "UNIQUE#user-email#owner@acme.test", type: "unique" }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Update: expect.objectContaining({
            Key: { PK: merchantPk, SK: "USER_OWNERS" },
            UpdateExpression: "ADD #owners :delta SET #type = :type",
            ExpressionAttributeValues: { ":delta": 1, ":type": "userOwners" },
          }),
        },
        {
          Put: {
            TableName: "kassa-handler-test",
            Item: expect.objectContaining({
              PK: merchantPk,
              type: "event",
              eventType: "merchant.created",
              merchantId: body.merchant.id,
              // The welcome email reads the owner to carry their invitation link.
              data: expect.objectContaining({ owner: expect.objectContaining({ email: "owner@acme.test", role: "owner" }) }),
            }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ],
    });
    const written = JSON.stringify(ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input);
    expect(written).not.toContain(body.apiKey.secret);
  });

  it.each([
    ["no Authorization header", undefined],
    ["a wrong admin token", "adm_wrong_token_0123456789abcdef"],
    ["a merchant-style key", "sk_notanadmintoken"],
  ])("answers 401 to %s and writes nothing", async (_, token) => {
    const { status, headers, body } = await call({ token, body: { name: "Acme", email: "a@acme.test" } });
    expect(status).toBe(401);
    expect(headers["content-type"]).toBe("application/problem+json");
    expect(headers["www-authenticate"]).toBe("Bearer");
    expect(body).toMatchObject({ status: 401, title: "Unauthorized" });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it.each([
    ["malformed JSON", "{name:", "body", "is not valid JSON"],
    ["an empty body", undefined, "body", "is required (a JSON object)"],
    ["a missing email", { name: "Acme" }, "email", "is required"],
    ["an invalid email", { name: "Acme", email: "not-an-email" }, "email", "must be an email address"],
    ["a wrong type", { name: 42, email: "a@acme.test" }, "name", "Invalid input: expected string, received number"],
    ["an unknown field", { name: "Acme", email: "a@acme.test", plan: "gold" }, "plan", "is not a known field"],
    ["a read-only field", { id: "mer_x", name: "Acme", email: "a@acme.test" }, "id", "is not a known field"],
    ["an over-long name", { name: "x".repeat(201), email: "a@acme.test" }, "name", "Too big: expected string to have <=200 characters"],
  ])("answers 400 naming the field for %s and writes nothing", async (_, payload, path, message) => {
    const { status, headers, body } = await call({ token: adminToken, body: payload });
    expect(status).toBe(400);
    expect(headers["content-type"]).toBe("application/problem+json");
    expect(body).toMatchObject({ type: "urn:kassa:problem:invalid-request", status: 400, requestId: expect.any(String) });
    expect(body.errors).toContainEqual({ path, message });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("answers 413 to a body over 64 KB and writes nothing", async () => {
    const { status, body } = await call({ token: adminToken, body: { name: "Acme", email: "a@acme.test", pad: "x".repeat(65 * 1024) } });
    expect(status).toBe(413);
    expect(body).toMatchObject({ status: 413, title: "Payload too large" });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("hides the cause of an unexpected failure behind a 500 that carries the request id", async () => {
    ddb.on(TransactWriteCommand).rejects(new Error("socket hang up at 10.0.0.1"));
    const { status, body } = await call({ token: adminToken, body: { name: "Acme", email: "a@acme.test" } });
    expect(status).toBe(500);
    expect(body.detail).toContain(body.requestId);
    expect(JSON.stringify(body)).not.toContain("socket hang up");
  });
});
