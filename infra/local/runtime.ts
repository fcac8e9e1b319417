/**
 * The local runtime: DynamoDB Local, the SQS and SES stand-ins, the scheduler, the stream poller,
 * the queue pollers and the HTTP gateway, all started by walking the manifest. Handlers run
 * in-process, unchanged: the standard AWS_ENDPOINT_URL_* variables point their SDK clients here.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { envNames, setEnvironment } from "../../shared/config.ts";
import { advanceLocalTime, systemClock } from "../../shared/domain/clock.ts";
import { functions, schedules } from "../manifest.ts";
import { table } from "../table.ts";
import { ensureTable, localDynamoClient, startDynamoDbLocal } from "./dynamodb.ts";
import { startGateway } from "./gateway.ts";
import { loadHandler } from "./invoke-lambda.ts";
import { startLocalScheduler } from "./scheduler.ts";
import { startLocalSes } from "./ses.ts";
import { startLocalSqs } from "./sqs.ts";
import { type Poller, pollQueue } from "./sqs-poller.ts";
import { pollStream } from "./stream-poller.ts";

export interface LocalPorts {
  api?: number;
  dynamodb?: number;
  sqs?: number;
  ses?: number;
}

export interface LocalRuntimeOptions {
  /** Where data and checkpoints persist; in memory when absent (tests). */
  dataDir?: string;
  ports?: LocalPorts;
  adminToken: string;
  /** Signs list cursors. */
  cursorSecret: string;
  /** Verifies (and, for the sandbox, signs) events on the stripe-events path. */
  stripeWebhookSecret: string;
  /** Seals secrets kept at rest (shared/auth/sealed.ts). */
  dataEncryptionKey: string;
  mailFrom?: string;
}

export interface LocalEndpoints {
  dynamodb: string;
  sqs: string;
  ses: string;
}

/** The environment a deployed function would see, pointed at the local stand-ins. */
export function localEnvironment(endpoints: LocalEndpoints, queueRefs: Record<string, { url: string; arn: string }>, extra: Record<string, string>) {
  const env: Record<string, string> = {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_SES: endpoints.ses,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    [envNames.tableName]: table.localName,
    [envNames.schedulerMode]: "table",
    // Locally, merchants pay with the sandbox's test cards until they connect Stripe.
    [envNames.sandbox]: "enabled",
    // Webhooks may reach a receiver on the developer's laptop (`http://127.0.0.1:…`); the CDK stack never sets this.
    [envNames.allowLoopbackWebhooks]: "1",
    ...extra,
  };
  for (const [name, ref] of Object.entries(queueRefs)) {
    env[envNames.queueUrl(name)] = ref.url;
    env[envNames.queueArn(name)] = ref.arn;
  }
  return env;
}

export interface LocalRuntime {
  apiUrl: string;
  mailUrl: string;
  endpoints: LocalEndpoints;
  mailFrom: string;
  /** Each manifest queue with its URL, ARN and DLQ. */
  queues: Record<string, { url: string; arn: string; dlqUrl: string }>;
  fireDueSchedules(): Promise<number>;
  stop(): Promise<void>;
}

export async function startLocalRuntime(options: LocalRuntimeOptions): Promise<LocalRuntime> {
  const ports = options.ports ?? {};
  if (options.dataDir) mkdirSync(join(options.dataDir, "dynamodb"), { recursive: true });
  const [dynamo, sqsServer, ses] = await Promise.all([
    startDynamoDbLocal({ dataDir: options.dataDir && join(options.dataDir, "dynamodb"), port: ports.dynamodb }),
    startLocalSqs({ port: ports.sqs }),
    startLocalSes({ port: ports.ses }),
  ]);
  const stoppers: (() => Promise<void>)[] = [() => dynamo.stop(), () => sqsServer.stop(), () => ses.stop()];
  const stop = async () => {
    for (const s of stoppers.reverse()) await s().catch((e) => console.error("[local] stop failed:", e));
  };
  try {
    const dynamoClient = localDynamoClient(dynamo.endpoint);
    const streamArn = await ensureTable(dynamoClient);
    const endpoints = { dynamodb: dynamo.endpoint, sqs: sqsServer.endpoint, ses: ses.endpoint };
    const mailFrom = options.mailFrom ?? "billing@kassa.local";
    setEnvironment(
      localEnvironment(endpoints, sqsServer.queues, {
        [envNames.adminToken]: options.adminToken,
        [envNames.cursorSecret]: options.cursorSecret,
        [envNames.stripeWebhookSecret]: options.stripeWebhookSecret,
        [envNames.dataEncryptionKey]: options.dataEncryptionKey,
        [envNames.mailFrom]: mailFrom,
      }),
    );
    const sqs = new SQSClient({ endpoint: sqsServer.endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } });
    // `POST /_local/clock { "advanceSeconds": n }` lets time pass for the scheduler and every
    // handler, so reminders, overdue invoices and payouts can be seen without waiting.
    const clock = systemClock;
    const pollers: Poller[] = [];
    stoppers.push(async () => {
      await Promise.all(pollers.map((p) => p.stop()));
      sqs.destroy();
      dynamoClient.destroy();
    });

    const loaded = await Promise.all(functions.map(async (fn) => ({ fn, handler: await loadHandler(fn) })));
    for (const { fn, handler } of loaded) {
      if (fn.queue) {
        const queue = sqsServer.queues[fn.queue.name];
        if (!queue) throw new Error(`${fn.name} subscribes to unknown queue ${fn.queue.name}`);
        pollers.push(pollQueue(sqs, queue, fn, handler));
      }
      if (fn.stream) {
        const failures = sqsServer.createQueue(`${fn.name}-failures`);
        pollers.push(
          pollStream({
            endpoint: dynamo.endpoint,
            streamArn,
            fn,
            handler,
            sqs,
            onFailureQueueUrl: failures.url,
            checkpointFile: options.dataDir && join(options.dataDir, `stream-checkpoint-${fn.name}.json`),
          }),
        );
      }
    }
    const scheduler = startLocalScheduler({
      db: DynamoDBDocumentClient.from(dynamoClient),
      tableName: table.localName,
      sqs,
      queueUrls: Object.fromEntries(Object.entries(sqsServer.queues).map(([n, q]) => [n, q.url])),
      clock,
      recurring: schedules,
    });
    pollers.push(scheduler);
    const gateway = await startGateway(
      loaded.filter((l) => l.fn.routes?.length),
      {
        port: ports.api,
        control: async (path, body) => {
          if (path !== "/_local/clock") throw new Error(`No control route ${path}`);
          const seconds = Number((body as { advanceSeconds?: unknown }).advanceSeconds ?? 0);
          if (!Number.isFinite(seconds) || seconds < 0) throw new Error("advanceSeconds must be a non-negative number");
          const { offsetMs } = advanceLocalTime(seconds * 1000);
          const fired = await scheduler.fireDue();
          return { now: clock.now().toISOString(), offsetSeconds: offsetMs / 1000, fired };
        },
      },
    );
    stoppers.push(() => gateway.stop());
    // Hosted links are built on the deployment's public URL, which locally is the gateway's (its port
    // may have been picked just now). Set before the first request can be read.
    setEnvironment({ [envNames.publicBaseUrl]: gateway.url });
    return {
      apiUrl: gateway.url,
      mailUrl: ses.endpoint,
      endpoints,
      mailFrom,
      queues: Object.fromEntries(Object.entries(sqsServer.queues).map(([n, q]) => [n, { url: q.url, arn: q.arn, dlqUrl: q.dlqUrl }])),
      fireDueSchedules: () => scheduler.fireDue(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
