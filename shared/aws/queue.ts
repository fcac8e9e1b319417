/**
 * The queue port and its SQS adapter. Queue URLs come from the environment the manifest sets.
 */
import { ChangeMessageVisibilityCommand, SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import type { QueueName } from "../../infra/manifest.ts";
import { config } from "../config.ts";
import { awsClientConfig } from "./clients.ts";

/** The manifest's queues: a message can only be sent to (or scheduled onto) a queue that exists. */
export type { QueueName };

export interface QueuePort {
  send(queue: QueueName, body: unknown): Promise<void>;
}

let sqs: SQSClient | undefined;
export const sqsClient = (): SQSClient => {
  // Send to the resolved endpoint (AWS_ENDPOINT_URL_SQS locally, the regional endpoint in the
  // cloud) rather than to the queue URL's host, which the local SQS stand-in cannot make resolvable.
  sqs ??= new SQSClient({ ...awsClientConfig, useQueueUrlAsEndpoint: false });
  return sqs;
};

export const sqsQueue: QueuePort = {
  async send(queue, body) {
    await sqsClient().send(
      new SendMessageCommand({ QueueUrl: config.queueUrl(queue), MessageBody: JSON.stringify(body) }),
    );
  },
};

/**
 * Keeps a received message hidden for `seconds` more (at most 12 hours), so its next receive is a
 * retry at that time: a consumer's backoff without a schedule per attempt.
 */
export async function hideMessage(queue: QueueName, receiptHandle: string, seconds: number): Promise<void> {
  await sqsClient().send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: config.queueUrl(queue),
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: seconds,
    }),
  );
}
