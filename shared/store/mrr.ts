/**
 * MRR (shared/reports/subscription-mrr.ts): per subscription the figure it counted for last, beside
 * the reports' rollup items (store/reports.ts). One event's effect is one transaction — its marker,
 * the subscription's counted state (on condition it is still the one the change was computed from)
 * and the month's ADD — never in the subscription's own transaction.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { Clock } from "../domain/clock.ts";
import { ConflictError } from "../domain/errors.ts";
import type { CountedSubscription, MrrStore } from "../reports/subscription-mrr.ts";
import { cancellationReasons, documentClient, sendTransaction, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";
import { eventMarkerSeconds, markerPut, updates } from "./reports.ts";

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

  async record(merchantId, { eventId, livemode, subscriptionId, previousAsOf, next, tally }) {
    const marker = markerPut(
      keys.processedMessage("reports-subscription-mrr", eventId),
      Math.floor(clock.now().getTime() / 1000) + eventMarkerSeconds,
    );
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
    try {
      await sendTransaction({ TransactItems: [marker, state, ...updates(merchantId, [tally])] });
      return true;
    } catch (error) {
      const reasons = cancellationReasons(error);
      if (reasons[0] === "ConditionalCheckFailed") return false;
      if (reasons.includes("ConditionalCheckFailed") || reasons.includes("TransactionConflict")) {
        throw new ConflictError("The subscription's MRR was counted by another event meanwhile");
      }
      throw error;
    }
  },
});
