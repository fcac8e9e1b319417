/**
 * Invokes a queue's consumer like Lambda's SQS event source mapping: real batches, partial batch
 * failures (failed records stay on the queue and reappear after the visibility timeout), and the
 * queue's RedrivePolicy moving a message to the DLQ after max receives.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";
import type { FunctionDefinition } from "../manifest.ts";
import { type Handler, invokeLambda } from "./invoke-lambda.ts";
import type { LocalQueue } from "./sqs.ts";

export interface Poller {
  stop(): Promise<void>;
}

export function pollQueue(sqs: SQSClient, queue: LocalQueue, fn: FunctionDefinition, handler: Handler): Poller {
  let running = true;
  const batchSize = Math.min(fn.queue?.batchSize ?? 10, 10);
  const loop = (async () => {
    while (running) {
      try {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queue.url,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ["All"],
            MessageAttributeNames: ["All"],
          }),
        );
        if (Messages.length === 0 || !running) continue;
        const event: SQSEvent = {
          Records: Messages.map((m) => ({
            messageId: m.MessageId ?? "",
            receiptHandle: m.ReceiptHandle ?? "",
            body: m.Body ?? "",
            attributes: {
              ApproximateReceiveCount: m.Attributes?.ApproximateReceiveCount ?? "1",
              SentTimestamp: m.Attributes?.SentTimestamp ?? String(Date.now()),
              SenderId: m.Attributes?.SenderId ?? "local",
              ApproximateFirstReceiveTimestamp: m.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
            },
            messageAttributes: {},
            md5OfBody: m.MD5OfBody ?? "",
            eventSource: "aws:sqs",
            eventSourceARN: queue.arn,
            awsRegion: "us-east-1",
          })),
        };
        let failed: Set<string>;
        try {
          const response = (await invokeLambda(fn, handler, event)) as SQSBatchResponse | undefined;
          failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch (error) {
          console.error(`[sqs] ${fn.name} failed the whole batch:`, error);
          failed = new Set(Messages.map((m) => m.MessageId ?? ""));
        }
        const done = Messages.filter((m) => !failed.has(m.MessageId ?? ""));
        if (done.length) {
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queue.url,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle ?? "" })),
            }),
          );
        }
      } catch (error) {
        if (running) {
          console.error(`[sqs] polling ${queue.url} failed:`, error);
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
