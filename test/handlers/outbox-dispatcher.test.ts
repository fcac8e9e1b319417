import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/dispatcher/outbox.ts";
import { sampleEvent } from "../helpers/events.ts";

const sqs = mockClient(SQSClient);
const queueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/kassa-notifications";

describe("outbox dispatcher", () => {
  beforeEach(() => {
    sqs.reset();
    process.env.QUEUE_URL_NOTIFICATIONS = queueUrl;
  });

  it("routes merchant.created to the notifications queue as the domain event", async () => {
    sqs.on(SendMessageCommand).resolves({ MessageId: "m-1" });
    const event = sampleEvent<DynamoDBStreamEvent>("dynamodb-stream-merchant-created.json");

    const result = await handler(event);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    const sent = sqs.commandCalls(SendMessageCommand)[0]?.args[0].input;
    expect(sent?.QueueUrl).toBe(queueUrl);
    expect(JSON.parse(sent?.MessageBody ?? "")).toEqual({
      id: "evt_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
      type: "merchant.created",
      merchantId: "mer_01KQ9ZJ8X2M4N6P8R0T2V4X6Z8",
      occurredAt: "2026-11-28T09:30:00.000Z",
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
    sqs.on(SendMessageCommand).resolvesOnce({}).rejectsOnce(new Error("throttled")).resolves({});

    const result = await handler({ Records: records });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "2" }, { itemIdentifier: "3" }] });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 2);
  });
});
