import { createHash } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/merchants.ts";
import { authenticateMerchant } from "../../shared/auth/authenticate.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { adminToken, type TestAws, useTestAws } from "../helpers/aws.ts";
import { httpEvent, lambdaContext } from "../helpers/events.ts";
import { assertDocumented } from "../helpers/contract.ts";

let aws: TestAws;

async function post(body: unknown, token = adminToken) {
  const result = (await handler(
    httpEvent("POST /v1/merchants", { token, body: typeof body === "string" ? body : (body as object) }),
    lambdaContext,
  )) as APIGatewayProxyStructuredResultV2;
  assertDocumented("POST /v1/merchants", result);
  return { status: result.statusCode, body: JSON.parse(result.body ?? "{}") };
}

describe("creating a merchant against DynamoDB Local", () => {
  beforeAll(async () => {
    aws = await useTestAws();
  });

  it("stores the merchant, its key (hash only), its owner user and the outbox event, and the key authenticates as the owner", async () => {
    const before = await aws.countItems();

    const { status, body } = await post({ name: "Blue Bottle", email: "owner@bluebottle.test" });

    expect(status).toBe(201);
    // The merchant, its key, its owner (the user, its email claim, the owner count) and the event.
    expect(await aws.countItems()).toBe(before + 6);
    const { Item: merchant } = await aws.db.send(
      new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${body.merchant.id}`, SK: "MERCHANT" } }),
    );
    expect(merchant).toMatchObject({ name: "Blue Bottle", email: "owner@bluebottle.test", type: "merchant", version: 1 });
    const items = await aws.scanAll();
    expect(JSON.stringify(items)).not.toContain(body.apiKey.secret);
    const hash = createHash("sha256").update(body.apiKey.secret).digest("hex");
    expect(items.find((i) => i.PK === `APIKEY#${hash}`)).toMatchObject({ merchantId: body.merchant.id, status: "active", role: "owner" });
    expect(items.find((i) => i.type === "user" && i.merchantId === body.merchant.id)).toMatchObject({
      email: "owner@bluebottle.test",
      role: "owner",
      status: "invited",
    });
    expect(items.find((i) => i.type === "event" && i.merchantId === body.merchant.id)).toMatchObject({
      eventType: "merchant.created",
      data: { merchant: { id: body.merchant.id } },
    });

    await expect(authenticateMerchant(dynamoMerchantStore, body.apiKey.secret, systemClock)).resolves.toEqual({
      merchantId: body.merchant.id,
      keyId: body.apiKey.id,
      role: "owner",
    });
    await expect(authenticateMerchant(dynamoMerchantStore, `${body.apiKey.secret}x`, systemClock)).rejects.toThrow(/not valid/);
  });

  it.each([
    ["no token", { name: "A", email: "a@x.test" }, "", 401],
    ["a wrong token", { name: "A", email: "a@x.test" }, "adm_wrong_wrong_wrong_wrong", 401],
    ["malformed JSON", "{", adminToken, 400],
    ["a missing email", { name: "A" }, adminToken, 400],
    ["an invalid email", { name: "A", email: "nope" }, adminToken, 400],
    ["a body over 64 KB", { name: "A", email: "a@x.test", notes: "x".repeat(70_000) }, adminToken, 413],
  ])("refuses %s and writes nothing", async (_, body, token, expected) => {
    const before = await aws.countItems();
    const { status } = await post(body, token);
    expect(status).toBe(expected);
    expect(await aws.countItems()).toBe(before);
  });
});
