/**
 * The local stand-in for EventBridge Scheduler: fires the one-time schedules that the table adapter
 * keeps in the table (a sparse index lists them by due time) to their queues when the clock passes
 * them, then deletes them (ActionAfterCompletion: DELETE). Also runs the manifest's `rate(...)`
 * schedules.
 */
import { type SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { DeleteCommand, type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Clock } from "../../shared/domain/clock.ts";
import { localScheduleGroup } from "../../shared/aws/scheduler.ts";
import { indexKeys, keys } from "../../shared/store/keys.ts";
import { type QueueName, queues, type ScheduleDefinition } from "../manifest.ts";
import type { Poller } from "./sqs-poller.ts";

export interface LocalSchedulerOptions {
  db: DynamoDBDocumentClient;
  tableName: string;
  sqs: SQSClient;
  queueUrls: Partial<Record<QueueName, string>>;
  clock: Clock;
  recurring: readonly ScheduleDefinition[];
  intervalMs?: number;
}

const units: Record<string, number> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** Milliseconds between firings of a `rate(N unit)` expression. */
export function rateMs(expression: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (!match?.[1] || !match[2]) throw new Error(`The local scheduler runs rate(N minute|hour|day) schedules only, not ${expression}`);
  return Number(match[1]) * (units[match[2]] ?? 0);
}

/** A stored schedule's queue: one of the manifest's, or the schedule cannot fire. */
function queueNamed(name: unknown): QueueName {
  if (typeof name === "string" && Object.hasOwn(queues, name)) return name as QueueName;
  throw new Error(`A schedule names ${String(name)}, which is not a manifest queue`);
}

export function startLocalScheduler(options: LocalSchedulerOptions): Poller & { fireDue(): Promise<number> } {
  const send = (queue: QueueName, payload: unknown) => {
    const url = options.queueUrls[queue];
    if (!url) throw new Error(`No local queue named ${queue}`);
    return options.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: JSON.stringify(payload) }));
  };

  async function fireDue(): Promise<number> {
    const now = options.clock.now().toISOString();
    const { index, pk } = indexKeys.dueSchedules;
    const { Items = [] } = await options.db.send(
      new QueryCommand({
        TableName: options.tableName,
        IndexName: index,
        KeyConditionExpression: "GSI2PK = :pk AND GSI2SK <= :upper",
        ExpressionAttributeValues: { ":pk": pk, ":upper": `${now}#\uffff` },
      }),
    );
    let fired = 0;
    for (const item of Items) {
      const Key = keys.schedule(localScheduleGroup, String(item.name));
      // Claim: leave the due index first, so a second runner cannot fire the same schedule.
      try {
        await options.db.send(
          new UpdateCommand({
            TableName: options.tableName,
            Key,
            UpdateExpression: "REMOVE GSI2PK, GSI2SK",
            ConditionExpression: "attribute_exists(GSI2PK)",
          }),
        );
      } catch (error) {
        if (error instanceof Error && error.name === "ConditionalCheckFailedException") continue;
        throw error;
      }
      try {
        await send(queueNamed(item.queue), item.payload);
      } catch (error) {
        await options.db.send(
          new UpdateCommand({
            TableName: options.tableName,
            Key,
            UpdateExpression: "SET GSI2PK = :pk, GSI2SK = :sk",
            ExpressionAttributeValues: { ":pk": item.GSI2PK, ":sk": item.GSI2SK },
          }),
        );
        throw error;
      }
      await options.db.send(new DeleteCommand({ TableName: options.tableName, Key }));
      fired++;
    }
    return fired;
  }

  let running = true;
  let wake: () => void = () => {};
  const timers = options.recurring.map((s) => setInterval(() => void send(s.queue, s.payload).catch(console.error), rateMs(s.expression)));
  const loop = (async () => {
    while (running) {
      try {
        await fireDue();
      } catch (error) {
        if (running) console.error("[scheduler] firing failed:", error);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.intervalMs ?? 500);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();
  return {
    fireDue,
    stop: async () => {
      running = false;
      wake();
      for (const t of timers) clearInterval(t);
      await loop;
    },
  };
}
