/**
 * The outbox dispatcher on the test table's stream, polled as Lambda's event source mapping runs it
 * (same filter, batches, retries, failures to `dispatch-failures`), for tests that follow events
 * through the queues.
 */
import { loadHandler } from "../../infra/local/invoke-lambda.ts";
import { type Poller, pollQueue } from "../../infra/local/sqs-poller.ts";
import { pollStream } from "../../infra/local/stream-poller.ts";
import { functionNamed } from "../../infra/manifest.ts";
import { eventQueues } from "../../shared/outbox/routing.ts";
import { dynamodbEndpoint, type TestAws } from "./aws.ts";

/** The queues a suite that runs the dispatcher creates: every one it routes to, and its failures' queue. */
export const dispatchedQueues: readonly string[] = [...eventQueues, "dispatch-failures"];

export async function dispatchFromStream(
  aws: TestAws,
  options: { checkpointFile?: string } = {},
): Promise<Poller> {
  const dispatcher = functionNamed("outbox-dispatcher");
  const failures = aws.queues["dispatch-failures"];
  // A queue the dispatcher routes to but the suite did not create fails every event routed there:
  // a new event queue would quietly break suites that follow events through the pipeline.
  const missing = dispatchedQueues.filter((queue) => !aws.queues[queue]);
  if (!failures || missing.length)
    throw new Error(
      `The test's queues must include every queue the dispatcher routes to (dispatchedQueues): missing ${missing.join(", ")}`,
    );
  return pollStream({
    endpoint: dynamodbEndpoint(),
    streamArn: aws.streamArn,
    fn: dispatcher,
    handler: await loadHandler(dispatcher),
    sqs: aws.sqs,
    onFailureQueueUrl: failures.url,
    ...options,
    intervalMs: 50,
  });
}

/**
 * A manifest function consuming one of the suite's queues, as its event source mapping runs it (short
 * visibility so a failed record comes back within the test).
 */
export async function consumeQueue(aws: TestAws, queueName: string, functionName: string): Promise<Poller> {
  const queue = aws.queues[queueName];
  if (!queue) throw new Error(`The test's queues must include ${queueName}`);
  const consumer = functionNamed(functionName);
  return pollQueue(
    aws.sqs,
    {
      url: queue.url,
      arn: queue.arn,
      dlqUrl: "",
      dlqArn: "",
      definition: { visibilityTimeoutSeconds: 30, maxReceiveCount: 3, retentionDays: 1 },
    },
    consumer,
    await loadHandler(consumer),
  );
}
