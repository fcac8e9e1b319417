import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionDefinition } from "../../infra/manifest.ts";
import { type Poller, pollQueue } from "../../infra/local/sqs-poller.ts";
import { eventually, type TestAws, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
let poller: Poller | undefined;

const consumer: FunctionDefinition = {
  name: "test-consumer",
  entry: "unused",
  description: "records what it sees and fails poison",
  timeoutSeconds: 5,
  queue: { name: "notifications", batchSize: 10 },
  access: {},
};

describe("local SQS poller", () => {
  beforeAll(async () => {
    aws = await useTestAws([]);
  });
  afterAll(async () => {
    await poller?.stop();
  });

  it("deletes handled records, redelivers failed ones, and moves them to the DLQ after max receives", async () => {
    const suffix = Date.now();
    const { QueueUrl: dlqUrl } = await aws.sqs.send(new CreateQueueCommand({ QueueName: `poller-dlq-${suffix}` }));
    const { Attributes } = await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }));
    const { QueueUrl } = await aws.sqs.send(
      new CreateQueueCommand({
        QueueName: `poller-${suffix}`,
        Attributes: {
          VisibilityTimeout: "1",
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: "2" }),
        },
      }),
    );
    const seen: { body: string; receiveCount: string }[] = [];
    const handler = async (event: unknown): Promise<SQSBatchResponse> => {
      const records = (event as SQSEvent).Records;
      for (const r of records) seen.push({ body: r.body, receiveCount: r.attributes.ApproximateReceiveCount });
      return { batchItemFailures: records.filter((r) => r.body === "poison").map((r) => ({ itemIdentifier: r.messageId })) };
    };
    for (const body of ["ok-1", "poison", "ok-2"]) await aws.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));

    poller = pollQueue(aws.sqs, { url: QueueUrl ?? "", arn: "arn", dlqUrl: dlqUrl ?? "", dlqArn: "", definition: { visibilityTimeoutSeconds: 1, maxReceiveCount: 2, retentionDays: 1 } }, consumer, handler);

    const dead = await eventually(async () => {
      const { Messages = [] } = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));
      return Messages[0];
    }, 15_000);
    expect(dead.Body).toBe("poison");
    expect(seen.filter((s) => s.body === "ok-1")).toHaveLength(1);
    expect(seen.filter((s) => s.body === "ok-2")).toHaveLength(1);
    expect(seen.filter((s) => s.body === "poison").map((s) => s.receiveCount)).toEqual(["1", "2"]);
  });
});
