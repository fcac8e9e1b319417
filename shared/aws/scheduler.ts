/**
 * The scheduler port: one-time schedules, named after the domain object they serve, that deliver a
 * payload to a queue at a time. Two adapters: EventBridge Scheduler in the cloud, the table (read
 * by the local runtime's scheduler) on a laptop. Both are idempotent on the schedule's name.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  SchedulerClient,
} from "@aws-sdk/client-scheduler";
import { DeleteCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import { config } from "../config.ts";
import { awsClientConfig } from "./clients.ts";
import type { QueueName } from "./queue.ts";
import { documentClient, isConditionFailure, tableName } from "../store/dynamo.ts";
import { keys } from "../store/keys.ts";
import { scheduledAtField } from "../timers/registry.ts";

export interface OneTimeSchedule {
  /** Unique within the group; e.g. `inv_…-reminder-0`. Letters, digits, `-`, `_`, `.` only. */
  name: string;
  at: Date;
  queue: QueueName;
  payload: Record<string, unknown>;
}

export interface SchedulerPort {
  scheduleOnce(schedule: OneTimeSchedule): Promise<void>;
  /** Cancels a schedule; cancelling one that fired or never existed is not an error. */
  cancel(name: string): Promise<void>;
}

/** What a schedule delivers: its payload and the time it was due, from which the consumer measures its lag. */
export const firing = (schedule: OneTimeSchedule) => ({
  ...schedule.payload,
  [scheduledAtField]: schedule.at.toISOString(),
});

/** `at(yyyy-mm-ddThh:mm:ss)` in UTC, as EventBridge Scheduler wants it (no milliseconds, no zone). */
export function atExpression(at: Date): string {
  return `at(${at.toISOString().slice(0, 19)})`;
}

let schedulerClient: SchedulerClient | undefined;

export const eventBridgeScheduler: SchedulerPort = {
  async scheduleOnce(schedule) {
    schedulerClient ??= new SchedulerClient(awsClientConfig);
    try {
      await schedulerClient.send(
        new CreateScheduleCommand({
          Name: schedule.name,
          GroupName: config.schedulerGroup(),
          ScheduleExpression: atExpression(schedule.at),
          ScheduleExpressionTimezone: "UTC",
          FlexibleTimeWindow: { Mode: "OFF" },
          ActionAfterCompletion: "DELETE",
          Target: {
            Arn: config.queueArn(schedule.queue),
            RoleArn: config.schedulerRoleArn(),
            Input: JSON.stringify(firing(schedule)),
            RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
            // What still cannot be delivered after the retries is kept (and alarmed), not dropped.
            DeadLetterConfig: { Arn: config.schedulerDlqArn() },
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConflictException)) throw error;
    }
  },
  async cancel(name) {
    schedulerClient ??= new SchedulerClient(awsClientConfig);
    try {
      await schedulerClient.send(
        new DeleteScheduleCommand({ Name: name, GroupName: config.schedulerGroup() }),
      );
    } catch (error) {
      if (!(error instanceof Error && error.name === "ResourceNotFoundException")) throw error;
    }
  },
};

export const localScheduleGroup = "kassa";

export const tableScheduler: SchedulerPort = {
  async scheduleOnce(schedule) {
    const fireAt = schedule.at.toISOString();
    try {
      await documentClient().send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.schedule(localScheduleGroup, schedule.name),
            ...keys.scheduleDue(fireAt, localScheduleGroup, schedule.name),
            type: "schedule",
            name: schedule.name,
            fireAt,
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
      new DeleteCommand({ TableName: tableName(), Key: keys.schedule(localScheduleGroup, name) }),
    );
  },
};

/** The adapter this deployment uses: EventBridge in the cloud, the table locally. */
export function scheduler(): SchedulerPort {
  return config.schedulerMode() === "table" ? tableScheduler : eventBridgeScheduler;
}
