/**
 * Exactly-once effects for at-least-once consumers. A consumer claims a message key before acting
 * and marks it done after; a duplicate delivery finds it done and skips. A claim whose holder
 * crashed expires after `claimSeconds`, so the message is retried rather than lost.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import type { Once, OnceOptions } from "../timers/once.ts";
import { keys } from "./keys.ts";

const keepSeconds = 14 * 24 * 3600;

/** Runs `effect` unless a previous delivery of the same key already ran it; returns whether it ran. */
export const once: Once = async (options: OnceOptions, effect) => {
  const Key = keys.processedMessage(options.consumer, options.key);
  const now = options.clock.now().getTime();
  try {
    await documentClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...Key,
          type: "processedMessage",
          status: "claimed",
          claimedUntil: now + options.claimSeconds * 1000,
          expiresAt: Math.floor(now / 1000) + keepSeconds,
        },
        ConditionExpression: "attribute_not_exists(PK) OR (#status = :claimed AND claimedUntil < :now)",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":claimed": "claimed", ":now": now },
      }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
  try {
    await effect();
  } catch (error) {
    await documentClient().send(new DeleteCommand({ TableName: tableName(), Key }));
    throw error;
  }
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key,
      UpdateExpression: "SET #status = :done",
      ExpressionAttributeNames: { "#status": "status" },
      ExpressionAttributeValues: { ":done": "done" },
    }),
  );
  return true;
};
