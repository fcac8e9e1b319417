/**
 * MRR rollups (shared/reports/subscription-mrr.ts): per subscription the figure it counted for last,
 * and per mode, local month and currency the movements, moved only by `ADD`. One event's effect is
 * one transaction — its marker, the subscription's counted state (on condition it is still the one
 * the change was computed from) and the month's ADD — never the subscription's own transaction.
 */
import { GetCommand, QueryCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Clock } from "../domain/clock.ts";
import { ConflictError } from "../domain/errors.ts";
import { movementFields, type MrrMonth } from "../reports/mrr.ts";
import type { CountedSubscription, MrrStore } from "../reports/subscription-mrr.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";

/** Markers live as long as a message can be redelivered (queue retention: 14 days). */
const markerSeconds = 14 * 24 * 3600;

const counters = [...movementFields, "mrrDelta", "activeDelta"] as const;

const reasonsOf = (error: unknown): string[] =>
  error instanceof Error && error.name === "TransactionCanceledException"
    ? ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map(
        (reason) => reason.Code ?? "None",
      )
    : [];

export const dynamoMrrStore = (clock: Clock): MrrStore => ({
  async counted(merchantId, livemode, subscriptionId) {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.mrrSubscription(merchantId, livemode, subscriptionId),
        ConsistentRead: true,
      }),
    );
    if (!Item) return undefined;
    return {
      counted: Boolean(Item.counted),
      mrr: Number(Item.mrr),
      currency: String(Item.currency),
      everCounted: Boolean(Item.everCounted),
      asOf: String(Item.asOf),
    } satisfies CountedSubscription;
  },

  async record(merchantId, { eventId, livemode, subscriptionId, previousAsOf, next, month, add }) {
    const moved = counters.filter((name) => add[name] !== 0);
    const marker = {
      Put: {
        TableName: tableName(),
        Item: {
          ...keys.processedMessage("reports-subscription-mrr", eventId),
          type: "rollupMarker",
          expiresAt: Math.floor(clock.now().getTime() / 1000) + markerSeconds,
        },
        ConditionExpression: "attribute_not_exists(PK)",
      },
    };
    const state = {
      Put: {
        TableName: tableName(),
        Item: {
          ...keys.mrrSubscription(merchantId, livemode, subscriptionId),
          type: "mrrSubscription",
          ...next,
        },
        ...(previousAsOf === undefined
          ? { ConditionExpression: "attribute_not_exists(PK)" }
          : {
              ConditionExpression: "asOf = :previous",
              ExpressionAttributeValues: { ":previous": previousAsOf },
            }),
      },
    };
    const rollup = {
      Update: {
        TableName: tableName(),
        Key: keys.mrrMonth(merchantId, livemode, month, next.currency),
        UpdateExpression: `SET #type = :type, #month = :month, currency = :currency ADD ${moved
          .map((name) => `${name} :${name}`)
          .join(", ")}`,
        ExpressionAttributeNames: { "#type": "type", "#month": "month" },
        ExpressionAttributeValues: {
          ":type": "mrrMonth",
          ":month": month,
          ":currency": next.currency,
          ...Object.fromEntries(moved.map((name) => [`:${name}`, add[name]])),
        },
      },
    };
    try {
      await documentClient().send(
        new TransactWriteCommand({ TransactItems: [marker, state, ...(moved.length ? [rollup] : [])] }),
      );
      return true;
    } catch (error) {
      const reasons = reasonsOf(error);
      if (reasons[0] === "ConditionalCheckFailed") return false;
      if (reasons.some((code) => code === "ConditionalCheckFailed" || code === "TransactionConflict")) {
        throw new ConflictError("The subscription's MRR was counted by another event meanwhile");
      }
      throw error;
    }
  },

  async months(merchantId, livemode, toMonth) {
    const range = keys.mrrMonths(merchantId, livemode, toMonth);
    const months: MrrMonth[] = [];
    let after: Record<string, unknown> | undefined;
    do {
      const out = await documentClient().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
          ExpressionAttributeValues: { ":pk": range.PK, ":from": range.from, ":to": range.to },
          ExclusiveStartKey: after,
        }),
      );
      for (const item of out.Items ?? []) {
        months.push({
          month: String(item.month),
          currency: String(item.currency),
          ...(Object.fromEntries(counters.map((name) => [name, Number(item[name] ?? 0)])) as Omit<
            MrrMonth,
            "month" | "currency"
          >),
        });
      }
      after = out.LastEvaluatedKey;
    } while (after);
    return months;
  },
});
