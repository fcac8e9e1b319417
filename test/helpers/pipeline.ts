/**
 * The outbox dispatcher on the test table's stream, polled as Lambda's event source mapping runs it
 * (same filter, batches, retries, failures to `dispatch-failures`), for tests that follow events
 * through the queues.
 */
import { inject } from "vitest";
import { loadHandler } from "../../infra/local/invoke-lambda.ts";
import type { Poller } from "../../infra/local/sqs-poller.ts";
import { pollStream } from "../../infra/local/stream-poller.ts";
import { functionNamed } from "../../infra/manifest.ts";
import type { TestAws } from "./aws.ts";

export async function dispatchFromStream(
  aws: TestAws,
  options: { checkpointFile?: string } = {},
): Promise<Poller> {
  const dispatcher = functionNamed("outbox-dispatcher");
  const failures = aws.queues["dispatch-failures"];
  if (!failures) throw new Error("The test's queues must include dispatch-failures");
  return pollStream({
    endpoint: inject("emulators").dynamodb,
    streamArn: aws.streamArn,
    fn: dispatcher,
    handler: await loadHandler(dispatcher),
    sqs: aws.sqs,
    onFailureQueueUrl: failures.url,
    ...options,
    intervalMs: 50,
  });
}
