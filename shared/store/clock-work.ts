/**
 * A test clock's due work: the clock's partition of the due index (GSI2 `DUE#<clockId>`,
 * `keys.dueWork`) holds its customers' subscriptions waiting for their next period (written by the
 * subscriptions store) and the one-time schedules their timed work planned — written here by
 * `clockScheduler` instead of EventBridge, so nothing of a test clock fires on real time. The
 * clock's advance reads the partition in time order and runs it. The index is eventually
 * consistent: what the advance is about to run is re-read from its own item first (`current`).
 */
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { QueueName } from "../aws/queue.ts";
import { firing, type SchedulerPort } from "../aws/scheduler.ts";
import type { Change } from "../domain/records.ts";
import { asChange } from "./collection.ts";
import { documentClient, isConditionFailure, queryItems, tableName } from "./dynamo.ts";
import { indexKeys, keys, merchantIdOf } from "./keys.ts";
import { type OutboxEvent, outboxEventFromItem } from "./outbox.ts";

const scheduleType = "clockSchedule";

/** One piece of a test clock's due work, as the advance runs it. */
export interface DueWork {
  kind: "subscription" | "schedule";
  /** When it is due (ISO instant). */
  at: string;
  merchantId: string;
  /** The subscription's id, or the schedule's name. */
  ref: string;
  /** A subscription's period to bill next. */
  nextPeriod?: number;
  /** A schedule's message, as a scheduler would deliver it. */
  payload?: Record<string, unknown>;
  /** The queue a schedule delivers to. */
  queue?: QueueName;
}

/**
 * The scheduler of a test clock's customer: a schedule becomes an item in the merchant's partition
 * that carries the clock's due index at its time (idempotent on its name, like EventBridge).
 */
export function clockScheduler(merchantId: string, testClockId: string): SchedulerPort {
  return {
    async scheduleOnce(schedule) {
      const at = schedule.at.toISOString();
      try {
        await documentClient().send(
          new PutCommand({
            TableName: tableName(),
            Item: {
              ...keys.clockSchedule(merchantId, schedule.name),
              ...keys.dueWork(testClockId, at, merchantId, schedule.name),
              type: scheduleType,
              name: schedule.name,
              testClockId,
              fireAt: at,
              queue: schedule.queue,
              payload: firing(schedule),
            },
            ConditionExpression: "attribute_not_exists(PK)",
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    },
    async cancel(name) {
      await documentClient().send(
        new DeleteCommand({ TableName: tableName(), Key: keys.clockSchedule(merchantId, name) }),
      );
    },
  };
}

function dueWorkOf(item: Record<string, unknown>): DueWork | undefined {
  const at = String(item.GSI2SK).split("#")[0] ?? "";
  const merchantId = merchantIdOf(String(item.PK));
  if (item.type === "subscription") {
    return {
      kind: "subscription",
      at,
      merchantId,
      ref: String(item.id),
      nextPeriod: Number(item.nextPeriod),
    };
  }
  if (item.type === scheduleType) {
    return {
      kind: "schedule",
      at,
      merchantId,
      ref: String(item.name),
      payload: item.payload as Record<string, unknown>,
      queue: item.queue as QueueName,
    };
  }
  return undefined;
}

const itemKey = (work: DueWork) =>
  work.kind === "subscription"
    ? keys.merchantObject(work.merchantId, work.ref)
    : keys.clockSchedule(work.merchantId, work.ref);

export interface ClockWorkStore {
  /** One page of the clock's work due at or before `until`, earliest first (the index: eventually consistent). */
  due(
    testClockId: string,
    until: string,
    limit: number,
    after?: Record<string, unknown>,
  ): Promise<{ items: DueWork[]; next?: Record<string, unknown> }>;
  /** The work as its item says now (a consistent read), or undefined when it is no longer due on the clock. */
  current(testClockId: string, work: DueWork): Promise<DueWork | undefined>;
  /** Removes a schedule (that ran, or will not), unless it was planned anew for another time meanwhile. */
  remove(work: DueWork): Promise<void>;
  /** The merchant's outbox events with ids strictly between `afterId` and `beforeId` (consistent). */
  eventsBetween(merchantId: string, afterId: string, beforeId: string): Promise<OutboxEvent[]>;
}

export const dynamoClockWorkStore: ClockWorkStore = {
  async due(testClockId, until, limit, after) {
    const index = indexKeys.dueWork(testClockId);
    const { Items = [], LastEvaluatedKey } = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: index.index,
        // `~` sorts after every character of `#<merchantId>#<ref>`: everything due at `until` too.
        KeyConditionExpression: "GSI2PK = :pk AND GSI2SK <= :until",
        ExpressionAttributeValues: { ":pk": index.pk, ":until": `${until}~` },
        Limit: limit,
        ...(after ? { ExclusiveStartKey: after } : {}),
      }),
    );
    return {
      items: Items.flatMap((item) => dueWorkOf(item) ?? []),
      ...(LastEvaluatedKey ? { next: LastEvaluatedKey } : {}),
    };
  },
  async current(testClockId, work) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: itemKey(work), ConsistentRead: true }),
    );
    return Item && Item.GSI2PK === indexKeys.dueWork(testClockId).pk ? dueWorkOf(Item) : undefined;
  },
  async remove(work) {
    try {
      await documentClient().send(
        new DeleteCommand({
          TableName: tableName(),
          Key: itemKey(work),
          ConditionExpression: "fireAt = :at",
          ExpressionAttributeValues: { ":at": work.at },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  },
  async eventsBetween(merchantId, afterId, beforeId) {
    const events: OutboxEvent[] = [];
    for await (const item of queryItems({
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :lower AND :upper",
      ExpressionAttributeValues: {
        ":pk": keys.eventPrefix(merchantId).PK,
        ":lower": keys.event(merchantId, afterId).SK,
        ":upper": keys.event(merchantId, beforeId).SK,
      },
      ConsistentRead: true,
    }))
      if (item.type === "event") events.push(outboxEventFromItem(item));
    return events;
  },
};

/** One subscription less for the customer (a clock's subscription canceled with the clock), in the cancel's transaction. */
export const releaseSubscriptionWrite = (merchantId: string, customerId: string): Change =>
  asChange({
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.merchantObject(merchantId, customerId),
        UpdateExpression: "ADD activeSubscriptionCount :minusOne, version :one",
        ConditionExpression: "attribute_exists(PK)",
        ExpressionAttributeValues: { ":minusOne": -1, ":one": 1 },
      },
    },
    conflict: "The subscription's customer no longer exists",
  });
