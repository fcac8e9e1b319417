/**
 * The queue port and its SQS adapter. Queue URLs come from the environment the manifest sets.
 */
import { SQSClient, SendMessageCommand } from "@aws-sdk/client-sqs";
import { config } from "../config.ts";

export interface QueuePort {
  send(queue: string, body: unknown): Promise<void>;
}

let sqs: SQSClient | undefined;
export const sqsClient = (): SQSClient => {
  sqs ??= new SQSClient({});
  return sqs;
};

export const sqsQueue: QueuePort = {
  async send(queue, body) {
    await sqsClient().send(new SendMessageCommand({ QueueUrl: config.queueUrl(queue), MessageBody: JSON.stringify(body) }));
  },
};
