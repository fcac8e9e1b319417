/** Helpers the route-walking suites (tenant walls, bad input) share. */
import { DeleteMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import type { TestAws } from "./aws.ts";

/**
 * Takes (receives and deletes) every message waiting on `queue` now, without long polling: what was
 * queued since the last call. Nothing consumes these queues in the walking suites, so a request's
 * messages are exactly what this returns after it.
 */
export async function takeQueued(aws: TestAws, queue: string): Promise<unknown[]> {
  const url = aws.queues[queue]?.url;
  if (!url) throw new Error(`No ${queue} queue: create it with useTestAws([..., "${queue}"])`);
  const taken: unknown[] = [];
  for (;;) {
    const { Messages = [] } = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return taken;
    for (const message of Messages) {
      taken.push(JSON.parse(message.Body ?? "null"));
      await aws.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    }
  }
}
