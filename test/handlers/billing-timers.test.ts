import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import type { SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/billing/timers.ts";
import { sampleEvent } from "../helpers/events.ts";

const scheduler = mockClient(SchedulerClient);
const env = {
  SCHEDULER_MODE: "eventbridge",
  SCHEDULER_GROUP: "kassa",
  SCHEDULER_ROLE_ARN: "arn:aws:iam::123456789012:role/kassa-scheduler",
  SCHEDULER_DLQ_ARN: "arn:aws:sqs:us-east-1:123456789012:kassa-schedule-delivery-failures",
  QUEUE_ARN_BILLING: "arn:aws:sqs:us-east-1:123456789012:kassa-billing",
};

describe("billing timers (the billing queue's consumer)", () => {
  beforeEach(() => {
    scheduler.reset();
    Object.assign(process.env, env);
  });
  afterEach(() => {
    for (const name of Object.keys(env)) delete process.env[name];
  });

  it("plans a finalized invoice's schedules in EventBridge Scheduler, each with the schedule DLQ for what it cannot deliver", async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: "arn:aws:scheduler:…" });
    const event = sampleEvent<SQSEvent>("sqs-billing-invoice-finalized.json");

    expect(await handler(event)).toEqual({ batchItemFailures: [] });

    const target = (payload: object) => ({
      Arn: env.QUEUE_ARN_BILLING,
      RoleArn: env.SCHEDULER_ROLE_ARN,
      Input: JSON.stringify(payload),
      RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      DeadLetterConfig: { Arn: env.SCHEDULER_DLQ_ARN },
    });
    const ids = { merchantId: "mer_01KQ9ZJ8X2M4N6P8R0T2V4X6Z8", invoiceId: "inv_01KQA0000000000000000000AB" };
    expect(scheduler.commandCalls(CreateScheduleCommand).map((c) => c.args[0].input)).toEqual([
      {
        Name: "inv_01KQA0000000000000000000AB-reminder-7",
        GroupName: "kassa",
        // 09:00 in Berlin (UTC+1 in January) a week after the due date.
        ScheduleExpression: "at(2099-01-17T08:00:00)",
        ScheduleExpressionTimezone: "UTC",
        FlexibleTimeWindow: { Mode: "OFF" },
        ActionAfterCompletion: "DELETE",
        // Each firing carries the time it was due, from which the consumer reports its lag.
        Target: target({ kind: "invoice.reminder", ...ids, daysAfterDue: 7, scheduledAt: "2099-01-17T08:00:00.000Z" }),
      },
      {
        Name: "inv_01KQA0000000000000000000AB-overdue",
        GroupName: "kassa",
        ScheduleExpression: "at(2099-01-10T23:00:00)",
        ScheduleExpressionTimezone: "UTC",
        FlexibleTimeWindow: { Mode: "OFF" },
        ActionAfterCompletion: "DELETE",
        Target: target({ kind: "invoice.overdue", ...ids, scheduledAt: "2099-01-10T23:00:00.000Z" }),
      },
    ]);
  });

  it("fails the record of a kind no capability registered, so the queue keeps it in its DLQ", async () => {
    const event = sampleEvent<SQSEvent>("sqs-billing-invoice-finalized.json");
    const record = { ...event.Records[0]!, body: JSON.stringify({ kind: "invoice.renew", invoiceId: "inv_1" }) };

    expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toEqual([]);
  });
});
