/**
 * Exactly-once effects for at-least-once consumers. A consumer claims a message key before acting
 * and marks it done after; a duplicate delivery finds it done and skips. A claim whose holder
 * crashed expires after `claimSeconds`, so the message is retried rather than lost.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import type { Once, OnceOptions, OnceOutcome, OnceRecorded } from "../timers/once.ts";
import { keys } from "./keys.ts";

const keepSeconds = 14 * 24 * 3600;

/** Claims the key for this delivery; false when it is done or another delivery's claim holds. */
async function claim(options: OnceOptions, Key: ReturnType<typeof keys.processedMessage>): Promise<boolean> {
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
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Runs the claimed key's effect: the claim is let go if it fails, else the key is done (with its result). */
async function runClaimed<T extends string | undefined>(
  Key: ReturnType<typeof keys.processedMessage>,
  effect: () => Promise<T>,
): Promise<T> {
  let result: T;
  try {
    result = await effect();
  } catch (error) {
    await documentClient().send(new DeleteCommand({ TableName: tableName(), Key }));
    throw error;
  }
  await documentClient().send(
    new UpdateCommand({
      TableName: tableName(),
      Key,
      UpdateExpression: result === undefined ? "SET #status = :done" : "SET #status = :done, #result = :result",
      ExpressionAttributeNames: { "#status": "status", ...(result === undefined ? {} : { "#result": "result" }) },
      ExpressionAttributeValues: { ":done": "done", ...(result === undefined ? {} : { ":result": result }) },
    }),
  );
  return result;
}

/** Runs `effect` unless a previous delivery of the same key already ran it (or holds it); returns whether it ran. */
export const once: Once = async (options, effect) => {
  const Key = keys.processedMessage(options.consumer, options.key);
  if (!(await claim(options, Key))) return false;
  await runClaimed(Key, async () => {
    await effect();
    return undefined;
  });
  return true;
};

/**
 * Runs `effect` unless a previous delivery of the same key already ran it, keeping what it returned;
 * a key another delivery still holds is `held` (its effect may yet fail), one that finished `done`.
 */
export const onceRecorded: OnceRecorded = async (options, effect): Promise<OnceOutcome> => {
  const Key = keys.processedMessage(options.consumer, options.key);
  if (!(await claim(options, Key))) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key, ConsistentRead: true }),
    );
    // Gone meanwhile (the holder failed and let go): held too — the retry claims it.
    if (Item?.status !== "done") return { status: "held" };
    return { status: "done", ...(typeof Item.result === "string" ? { result: Item.result } : {}) };
  }
  const result = await runClaimed(Key, effect);
  return { status: "ran", ...(result === undefined ? {} : { result }) };
};
