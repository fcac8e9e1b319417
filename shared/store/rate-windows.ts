/**
 * The table-backed fixed windows of shared/domain/limits.ts: one item per limit, subject and window,
 * taken by one conditional `ADD` (so concurrent takes never pass the maximum and a cold start
 * forgets nothing) and deleted by TTL once its window has ended.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type WindowCounter, windowOf } from "../domain/limits.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";

export const dynamoWindowCounter: WindowCounter = {
  async take(limit, merchantId, subject, now) {
    const { start, end, nowSeconds } = windowOf(limit, now);
    const Key = keys.rateWindow(merchantId, limit.name, subject, start);
    const add = (by: number, condition: string, values: Record<string, unknown> = {}) =>
      documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key,
          UpdateExpression: "ADD #count :by SET #type = :type, expiresAt = :expires",
          ConditionExpression: condition,
          ExpressionAttributeNames: { "#count": "count", "#type": "type" },
          ExpressionAttributeValues: { ":by": by, ":type": "rate-window", ":expires": end, ...values },
        }),
      );
    try {
      await add(1, "attribute_not_exists(#count) OR #count < :max", { ":max": limit.max });
    } catch (error) {
      if (isConditionFailure(error))
        return { taken: false, retryAfterSeconds: Math.max(1, end - nowSeconds) };
      throw error;
    }
    return {
      taken: true,
      slot: { giveBack: () => add(-1, "#count > :zero", { ":zero": 0 }).then(() => {}) },
    };
  },
  async retryAfter(limit, merchantId, subject, now) {
    const { start, end, nowSeconds } = windowOf(limit, now);
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.rateWindow(merchantId, limit.name, subject, start),
        ConsistentRead: true,
      }),
    );
    return Number(Item?.count ?? 0) >= limit.max ? Math.max(1, end - nowSeconds) : undefined;
  },
};
