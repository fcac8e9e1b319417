import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { APIGatewayProxyStructuredResultV2, DynamoDBStreamEvent } from "aws-lambda";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { handler as createMerchant } from "../../functions/api/merchants.ts";
import { functionNamed } from "../../infra/manifest.ts";
import { loadHandler } from "../../infra/local/invoke-lambda.ts";
import { type Poller, pollQueue } from "../../infra/local/sqs-poller.ts";
import { pollStream } from "../../infra/local/stream-poller.ts";
import { adminToken, dynamodbEndpoint, eventually, type TestAws, useTestAws } from "../helpers/aws.ts";
import { httpEvent, lambdaContext } from "../helpers/events.ts";
import { assertDocumented } from "../helpers/contract.ts";

let aws: TestAws;
const pollers: Poller[] = [];

async function newMerchant(email: string) {
  const result = (await createMerchant(
    httpEvent("POST /v1/merchants", { token: adminToken, body: { name: "Pipeline Co", email } }),
    lambdaContext,
  )) as APIGatewayProxyStructuredResultV2;
  assertDocumented("POST /v1/merchants", result);
  return JSON.parse(result.body ?? "{}");
}

/** Starts a stream poller; `seen` collects the event ids its dispatcher is handed. */
async function startStream(checkpointFile: string, seen: string[] = []) {
  const fn = functionNamed("outbox-dispatcher");
  const dispatch = await loadHandler(fn);
  const poller = pollStream({
    endpoint: dynamodbEndpoint(),
    streamArn: aws.streamArn,
    fn,
    handler: (event, context) => {
      for (const r of (event as DynamoDBStreamEvent).Records) seen.push(String(r.dynamodb?.NewImage?.id?.S));
      return dispatch(event, context);
    },
    sqs: aws.sqs,
    onFailureQueueUrl: aws.queues["dispatch-failures"]!.url,
    checkpointFile,
    intervalMs: 50,
  });
  pollers.push(poller);
  return poller;
}

describe("outbox → stream → dispatcher → notifications → SES", () => {
  beforeAll(async () => {
    aws = await useTestAws(["notifications", "billing", "dispatch-failures"]);
  });
  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((p) => p.stop()));
  });

  it("delivers the welcome email for a new merchant exactly once, and a restarted poller does not replay it", async () => {
    const checkpoint = join(mkdtempSync(join(tmpdir(), "kassa-stream-")), "checkpoint.json");
    const notifications = functionNamed("notifications");
    const queue = {
      url: aws.queues.notifications!.url,
      arn: aws.queues.notifications!.arn,
      dlqUrl: "",
      dlqArn: "",
      definition: { visibilityTimeoutSeconds: 30, maxReceiveCount: 3, retentionDays: 1 },
    };
    pollers.push(pollQueue(aws.sqs, queue, notifications, await loadHandler(notifications)));
    const firstRun: string[] = [];
    const stream = await startStream(checkpoint, firstRun);

    const email = `welcome-${Date.now()}@pipeline.test`;
    const { merchant } = await newMerchant(email);

    const mail = await eventually(async () => (await aws.mailTo(email))[0]);
    expect(mail.subject).toBe("Welcome to Kassa, Pipeline Co");
    expect(mail.body.text).toContain(merchant.id);
    expect(mail.body.html).toContain(merchant.id);

    await stream.stop();
    pollers.splice(pollers.indexOf(stream), 1);
    expect(firstRun).toHaveLength(1);
    const afterRestart: string[] = [];
    await startStream(checkpoint, afterRestart);
    const withoutCheckpoint: string[] = [];
    await startStream(join(checkpoint, "..", "absent.json"), withoutCheckpoint);
    await eventually(async () => (withoutCheckpoint.length > 0 ? true : undefined));

    expect(withoutCheckpoint).toEqual(firstRun);
    expect(afterRestart).toEqual([]);
    expect(await aws.mailTo(email)).toHaveLength(1);
  });
});
