import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/merchants.ts";
import { httpEvent, lambdaContext } from "../helpers/events.ts";
import { assertDocumented } from "../helpers/contract.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const adminToken = "adm_handler_test_token_0123456789";
const merchantItem = (id: string, createdAt: string) => ({
  PK: `MERCHANT#${id}`,
  SK: "MERCHANT",
  GSI1PK: "MERCHANTS",
  GSI1SK: `${createdAt}#${id}`,
  type: "merchant",
  version: 1,
  id,
  name: `Merchant ${id.slice(-2)}`,
  email: "owner@acme.test",
  timeZone: "UTC",
  defaultCurrency: "USD",
  branding: {},
  invoiceNumberPrefix: "INV",
  defaultPaymentTerms: "due_on_receipt",
  createdAt,
  updatedAt: createdAt,
});
const newest = merchantItem("mer_01KQA0000000000000000000B2", "2026-01-03T00:00:00.000Z");
const middle = merchantItem("mer_01KQA0000000000000000000B1", "2026-01-02T00:00:00.000Z");
const oldest = merchantItem("mer_01KQA0000000000000000000B0", "2026-01-01T00:00:00.000Z");

async function call(options: Parameters<typeof httpEvent>[1]) {
  const result = (await handler(httpEvent("GET /v1/merchants", options), lambdaContext)) as APIGatewayProxyStructuredResultV2;
  assertDocumented("GET /v1/merchants", result);
  return { status: result.statusCode, body: JSON.parse(result.body ?? "{}") };
}

describe("GET /v1/merchants", () => {
  beforeEach(() => {
    ddb.reset();
    process.env.TABLE_NAME = "kassa-handler-test";
    process.env.ADMIN_TOKEN = adminToken;
    process.env.CURSOR_SECRET = "handler-test-cursor-secret-0123456789";
  });

  it("pages every merchant newest first from GSI1 and continues after the last one shown", async () => {
    ddb.on(QueryCommand).resolvesOnce({ Items: [newest, middle, oldest] }).resolvesOnce({ Items: [oldest] });

    const page1 = await call({ token: adminToken, query: { limit: "2" } });

    expect(page1.status).toBe(200);
    expect(page1.body.data.map((m: { id: string }) => m.id)).toEqual([newest.id, middle.id]);
    expect(page1.body.data[0]).not.toHaveProperty("PK");
    expect(page1.body.data[0]).not.toHaveProperty("version");
    expect(page1.body.nextCursor).toEqual(expect.any(String));
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 1, {
      TableName: "kassa-handler-test",
      IndexName: "GSI1",
      KeyConditionExpression: "GSI1PK = :pk",
      ExpressionAttributeValues: { ":pk": "MERCHANTS" },
      ScanIndexForward: false,
      Limit: 3,
    });

    const page2 = await call({ token: adminToken, query: { limit: "2", cursor: page1.body.nextCursor } });

    expect(page2.body).toEqual({ data: [expect.objectContaining({ id: oldest.id })], nextCursor: null });
    expect(ddb).toHaveReceivedNthCommandWith(QueryCommand, 2, {
      ExclusiveStartKey: { PK: middle.PK, SK: "MERCHANT", GSI1PK: "MERCHANTS", GSI1SK: middle.GSI1SK },
    });
  });

  it.each([
    ["no Authorization header", undefined],
    ["a wrong admin token", "adm_wrong_token_0123456789abcdef"],
    ["a merchant API key", "sk_handler_test_secret_0123456789abcdefghijklmno"],
  ])("answers 401 to %s and reads nothing", async (_, token) => {
    const { status, body } = await call({ token });

    expect(status).toBe(401);
    expect(body).toMatchObject({ status: 401, title: "Unauthorized" });
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });

  it("answers 400 naming the parameter for a limit of 0 and reads nothing", async () => {
    const { status, body } = await call({ token: adminToken, query: { limit: "0" } });

    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path: "limit", message: "Too small: expected number to be >=1" });
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });
});
