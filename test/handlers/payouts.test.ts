import { DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/payouts.ts";
import { callHandler, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const payoutId = "po_01KQA0000000000000000000AA";
const payout = {
  id: payoutId,
  currency: "EUR",
  amount: 9_410,
  grossAmount: 12_000,
  feeTotal: 390,
  refundTotal: 2_200,
  disputeTotal: 0,
  chargeCount: 3,
  refundCount: 1,
  disputeCount: 0,
  date: "2026-01-14",
  status: "paid",
  source: "sandbox",
  balanceTransactionCount: 4,
  createdAt: "2026-01-15T00:05:00.000Z",
  updatedAt: "2026-01-15T00:05:00.000Z",
};
const stored = { PK: merchantPk, SK: payoutId, type: "payout", version: 1, ...payout };
const answerPayout = (item: Record<string, unknown>) =>
  ddb.on(GetCommand, { Key: { PK: merchantPk, SK: payoutId } }).resolves({ Item: item });
const charge = {
  PK: merchantPk,
  SK: "BTX#2026-01-14#txn_01KQA0000000000000000000C0",
  type: "balanceTransaction",
  id: "txn_01KQA0000000000000000000C0",
  kind: "charge",
  amount: 4_000,
  fee: 130,
  net: 3_870,
  currency: "EUR",
  sourceId: "pay_01KQA0000000000000000000D0",
  date: "2026-01-14",
  createdAt: "2026-01-14T10:00:00.000Z",
};

describe("payouts API function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
  });

  it("GET /v1/payouts/{id} reads the payout in the caller's partition; one stored before modes reads as test mode", async () => {
    answerPayout(stored);

    const { status, body } = await callHandler(handler, "GET /v1/payouts/{id}", { pathParameters: { id: payoutId } });

    expect(status).toBe(200);
    expect(body).toEqual({ ...payout, livemode: false });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: tableName, Key: { PK: merchantPk, SK: payoutId }, ConsistentRead: true });
  });

  it.each(["GET /v1/payouts/{id}", "GET /v1/payouts/{id}/balance-transactions"])(
    "%s answers 404 for another merchant's payout and reads no balance transactions",
    async (routeKey) => {
      const { status, body } = await callHandler(handler, routeKey, { pathParameters: { id: payoutId } });

      expect(status).toBe(404);
      expect(body).toMatchObject({ status: 404, detail: "Payout not found" });
      expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { PK: merchantPk, SK: payoutId } });
      expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
    },
  );

  it("GET /v1/payouts/{id}/balance-transactions reads the payout's day oldest first, in the payout's currency only", async () => {
    answerPayout(stored);
    ddb.on(QueryCommand).resolves({ Items: [charge] });

    const { status, body } = await callHandler(handler, "GET /v1/payouts/{id}/balance-transactions", { pathParameters: { id: payoutId } });

    expect(status).toBe(200);
    expect(body).toEqual({
      data: [
        {
          id: "txn_01KQA0000000000000000000C0",
          kind: "charge",
          amount: 4_000,
          fee: 130,
          net: 3_870,
          currency: "EUR",
          sourceId: "pay_01KQA0000000000000000000D0",
          date: "2026-01-14",
          createdAt: "2026-01-14T10:00:00.000Z",
        },
      ],
      nextCursor: null,
    });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": merchantPk, ":prefix": "BTX#2026-01-14#", ":f0": "EUR" },
      FilterExpression: "#f0 = :f0",
      ExpressionAttributeNames: { "#f0": "currency" },
      ScanIndexForward: true,
      Limit: 100,
    });
  });

  it("GET /v1/payouts/{id}/balance-transactions answers an empty page for a Stripe payout without a query", async () => {
    answerPayout({ ...stored, source: "stripe", processorPayoutId: "po_1Stripe", livemode: true });

    const { status, body } = await callHandler(handler, "GET /v1/payouts/{id}/balance-transactions", { pathParameters: { id: payoutId } });

    expect(status).toBe(200);
    expect(body).toEqual({ data: [], nextCursor: null });
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });

  it("GET /v1/payouts filters the caller's payouts by currency and status", async () => {
    ddb.on(QueryCommand).resolves({ Items: [stored] });

    const { status, body } = await callHandler(handler, "GET /v1/payouts", { query: { currency: "eur", status: "paid" } });

    expect(status).toBe(200);
    expect(body).toEqual({ data: [{ ...payout, livemode: false }], nextCursor: null });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :lower AND :upper",
      ExpressionAttributeValues: {
        ":pk": merchantPk,
        ":lower": expect.stringMatching(/^po_/),
        ":upper": expect.stringMatching(/^po_/),
        ":f0": "EUR",
        ":f1": "paid",
      },
      FilterExpression: "#f0 = :f0 AND #f1 = :f1",
      ExpressionAttributeNames: { "#f0": "currency", "#f1": "status" },
      ScanIndexForward: false,
    });
  });

  it.each([
    ["an unknown status", { status: "pending" }, "status", 'Invalid option: expected one of "paid"|"failed"|"skipped"'],
    ["an unknown currency", { currency: "XXXX" }, "currency", "must be an ISO 4217 currency code, e.g. USD"],
  ])("GET /v1/payouts answers 400 naming the parameter for %s and reads nothing", async (_, query, path, message) => {
    const { status, body } = await callHandler(handler, "GET /v1/payouts", { query });

    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path, message });
    expect(ddb).toHaveReceivedCommandTimes(QueryCommand, 0);
  });
});
