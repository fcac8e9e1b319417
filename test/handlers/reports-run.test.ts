/**
 * The reports queue's consumer against a mocked document client: a payment's event becomes one
 * transaction of its marker and the rollups' `ADD`s (the exact command), then one per grain for its
 * payer; a marker already there (a redelivery) adds nothing and is no failure; a transaction lost to
 * a concurrent payment is retried; a record that does not parse fails alone.
 */
import { TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { reports } from "../../functions/reports/run.ts";
import { reportContributors } from "../../shared/composition.ts";
import { fixedClock } from "../../shared/domain/clock.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const tableName = "kassa-reports-handler-test";
const merchantPk = "MERCHANT#mer_reports";
const clock = fixedClock(new Date("2026-10-01T12:00:00Z"));
const consumer = reports(() => reportContributors(clock));

const paid = {
  id: "evt_paid",
  type: "payment.succeeded",
  merchantId: "mer_reports",
  occurredAt: "2026-10-01T08:00:00.000Z",
  livemode: false,
  data: {
    payment: { id: "pay_1", customerId: "cus_a" },
    balanceTransaction: {
      kind: "charge",
      amount: 10_000,
      fee: 320,
      net: 9_680,
      currency: "USD",
      date: "2026-10-01",
    },
  },
};
const records = (...bodies: unknown[]): SQSEvent => ({
  Records: bodies.map(
    (body, i) =>
      ({
        messageId: `m${i}`,
        body: typeof body === "string" ? body : JSON.stringify(body),
      }) as SQSEvent["Records"][number],
  ),
});
const cancelled = (...codes: string[]) =>
  Object.assign(new Error("Transaction cancelled"), {
    name: "TransactionCanceledException",
    CancellationReasons: codes.map((Code) => ({ Code })),
  });
const transactions = () =>
  ddb.commandCalls(TransactWriteCommand).map((c) => c.args[0].input.TransactItems ?? []);

describe("reports consumer", () => {
  beforeEach(() => {
    ddb.reset();
    process.env.TABLE_NAME = tableName;
  });

  it("folds a payment: its marker and ADDs in one transaction, then its payer once per grain", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    expect(await consumer(records(paid))).toEqual({ batchItemFailures: [] });
    const [revenue, ...payer] = transactions();
    expect(revenue?.[0]).toEqual({
      Put: {
        TableName: tableName,
        Item: {
          PK: "PROCESSED#reports-revenue#evt_paid",
          SK: "PROCESSED",
          type: "rollupMarker",
          expiresAt: Math.floor(clock.now().getTime() / 1000) + 14 * 24 * 3600,
        },
        ConditionExpression: "attribute_not_exists(PK)",
      },
    });
    expect(revenue?.[1]).toEqual({
      Update: {
        TableName: tableName,
        Key: { PK: merchantPk, SK: "RPT#revenue#test#day#2026-10-01#USD" },
        UpdateExpression:
          "SET #type = :type, #period = :period, #dims = :dims ADD #c0 :c0, #c1 :c1, #c2 :c2, #c3 :c3",
        ExpressionAttributeNames: {
          "#type": "type",
          "#period": "period",
          "#dims": "dims",
          "#c0": "grossVolume",
          "#c1": "fees",
          "#c2": "netVolume",
          "#c3": "paymentCount",
        },
        ExpressionAttributeValues: {
          ":type": "rollup",
          ":period": "2026-10-01",
          ":dims": ["USD"],
          ":c0": 10_000,
          ":c1": 320,
          ":c2": 9_680,
          ":c3": 1,
        },
      },
    });
    expect(revenue?.slice(2).map((i) => i.Update?.Key?.SK)).toEqual([
      "RPT#revenue#test#week#2026-09-28#USD",
      "RPT#revenue#test#month#2026-10#USD",
      "RPT#top#test#day#2026-10-01#cus_a#USD",
      "RPT#top#test#month#2026-10#cus_a#USD",
    ]);
    expect(payer.map((items) => items.map((i) => i.Put?.Item?.SK ?? i.Update?.Key?.SK))).toEqual([
      ["RPTSEEN#customers#test#day#2026-10-01#cus_a", "RPT#customers#test#day#2026-10-01"],
      ["RPTSEEN#customers#test#week#2026-09-28#cus_a", "RPT#customers#test#week#2026-09-28"],
      ["RPTSEEN#customers#test#month#2026-10#cus_a", "RPT#customers#test#month#2026-10"],
    ]);
  });

  it("adds nothing for a redelivery (the marker's condition fails) and reports no failure", async () => {
    ddb.on(TransactWriteCommand).rejects(cancelled("ConditionalCheckFailed", "None", "None"));
    expect(await consumer(records(paid))).toEqual({ batchItemFailures: [] });
    expect(transactions()).toHaveLength(4);
  });

  it("retries a transaction lost to a concurrent payment on the same day's items", async () => {
    ddb.on(TransactWriteCommand).rejectsOnce(cancelled("None", "TransactionConflict")).resolves({});
    expect(await consumer(records(paid))).toEqual({ batchItemFailures: [] });
    expect(transactions()).toHaveLength(5);
    expect(transactions()[0]).toEqual(transactions()[1]);
  });

  it("fails only the record that does not parse or names no customer; ignores types it does not fold", async () => {
    ddb.on(TransactWriteCommand).resolves({});
    const noCustomer = {
      ...paid,
      id: "evt_x",
      type: "payment.dispute_closed",
      data: { balanceTransaction: paid.data.balanceTransaction },
    };
    const result = await consumer(
      records("{not json", noCustomer, { ...paid, type: "invoice.finalized" }, paid),
    );
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m0" }, { itemIdentifier: "m1" }] });
    expect(transactions()).toHaveLength(4);
  });
});
