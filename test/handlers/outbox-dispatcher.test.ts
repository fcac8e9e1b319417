import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/dispatcher/outbox.ts";
import { sampleEvent } from "../helpers/events.ts";

const sqs = mockClient(SQSClient);
const queueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/kassa-notifications";
const billingUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/kassa-billing";

describe("outbox dispatcher", () => {
  beforeEach(() => {
    sqs.reset();
    process.env.QUEUE_URL_NOTIFICATIONS = queueUrl;
    process.env.QUEUE_URL_BILLING = billingUrl;
  });

  it("routes merchant.created to the notifications and billing queues as the domain event", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: "m-1" });
    const event = sampleEvent<DynamoDBStreamEvent>("dynamodb-stream-merchant-created.json");

    const result = await handler(event);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 2);
    const sent = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input);
    expect(sent.map((m) => m.QueueUrl)).toEqual([queueUrl, billingUrl]);
    expect(sent[1]?.MessageBody).toBe(sent[0]?.MessageBody);
    expect(JSON.parse(sent[0]?.MessageBody ?? "")).toEqual({
      id: "evt_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
      type: "merchant.created",
      merchantId: "mer_01KQ9ZJ8X2M4N6P8R0T2V4X6Z8",
      occurredAt: "2026-11-28T09:30:00.000Z",
      livemode: false,
      data: {
        merchant: expect.objectContaining({ id: "mer_01KQ9ZJ8X2M4N6P8R0T2V4X6Z8", email: "owner@acme.test" }),
      },
    });
  });

  it("sends nothing for events no queue consumes", async () => {
    const event = sampleEvent<DynamoDBStreamEvent>("dynamodb-stream-merchant-created.json");
    const record = event.Records[0]!;
    record.dynamodb!.NewImage!.eventType = { S: "something.nobody.wants" };

    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 0);
  });

  it("reports the failed record and every later one, so Lambda retries from there in order", async () => {
    const one = sampleEvent<DynamoDBStreamEvent>("dynamodb-stream-merchant-created.json").Records[0]!;
    const records = ["1", "2", "3"].map((seq) => ({ ...one, dynamodb: { ...one.dynamodb, SequenceNumber: seq } }));
    sqs.on(SendMessageCommand).resolvesOnce({}).resolvesOnce({}).rejectsOnce(new Error("throttled")).resolves({});

    const result = await handler({ Records: records });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "2" }, { itemIdentifier: "3" }] });
    // Record 1 went to both queues; record 2 failed on its first send.
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 3);
  });
});
