/**
 * Platform-level events: what Kassa's operators must see and no merchant's feed shows, such as a
 * processor event rejected because it did not come from where the payment it named was taken. Filed
 * by kind and the day the processor sent the event, one item per processor event (a redelivery
 * writes nothing new); kept 90 days, like the events feed.
 */
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { processorEventRejected, type RejectedProcessorEvent } from "../payments/event-trust.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";

const retentionSeconds = 90 * 24 * 3600;

export const platformEvents = {
  async recordRejectedProcessorEvent(rejected: RejectedProcessorEvent, now: Date): Promise<void> {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.platformEvent(
              processorEventRejected,
              rejected.sentAt.slice(0, 10),
              rejected.processorEventId,
            ),
            type: "platformEvent",
            eventType: processorEventRejected,
            ...rejected,
            occurredAt: now.toISOString(),
            expiresAt: Math.floor(now.getTime() / 1000) + retentionSeconds,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  },
};
