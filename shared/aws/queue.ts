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
  // Send to the resolved endpoint (AWS_ENDPOINT_URL_SQS locally, the regional endpoint in the
  // cloud) rather than to the queue URL's host, which the local SQS stand-in cannot make resolvable.
  sqs ??= new SQSClient({ useQueueUrlAsEndpoint: false });
  return sqs;
};

export const sqsQueue: QueuePort = {
  async send(queue, body) {
    await sqsClient().send(
      new SendMessageCommand({ QueueUrl: config.queueUrl(queue), MessageBody: JSON.stringify(body) }),
    );
  },
};
