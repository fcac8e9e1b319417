/**
 * Emulator-backed test fixtures. Each test file gets its own table (and queues), so files can run
 * in parallel and a test can count every item before and after a request.
 */
import { randomUUID } from "node:crypto";
import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { inject } from "vitest";
import { ensureTable, localDynamoClient } from "../../infra/local/dynamodb.ts";
import { localEnvironment } from "../../infra/local/runtime.ts";
import { localQueueAttributes } from "../../infra/local/sqs.ts";

export const adminToken = "adm_test_token_0123456789abcdef";
/** The data encryption key the handlers seal with in tests (tests that open a sealed record need it too). */
export const testDataEncryptionKey = "test-data-encryption-key-0123456789";

export interface TestAws {
  tableName: string;
  streamArn: string;
  db: DynamoDBDocumentClient;
  sqs: SQSClient;
  queues: Record<string, { url: string; arn: string }>;
  /** Every item in this file's table. */
  scanAll(): Promise<Record<string, unknown>[]>;
  countItems(): Promise<number>;
  receive(queue: string, max?: number): Promise<{ body: unknown; receiptHandle: string }[]>;
  /** Mail the SES stand-in holds for `to`, oldest first. */
  mailTo(to: string): Promise<MailRecord[]>;
}

export interface MailRecord {
  from: string;
  destination: { to: string[] };
  subject: string;
  body: { text: string; html: string };
  attachments: { filename: string; contentType: string; content: string }[];
}

/** The deployment's public base URL in tests: hosted links start with it. */
export const testPublicBaseUrl = "https://pay.kassa.test";

/** This worker's DynamoDB Local (the global setup starts one per worker; `VITEST_POOL_ID` counts from 1). */
export function dynamodbEndpoint(): string {
  const all = inject("emulators").dynamodb;
  return all[(Number(process.env.VITEST_POOL_ID ?? 1) - 1) % all.length] as string;
}

/** Creates this file's table and queues and points the process environment (and so every handler) at them. */
export async function useTestAws(queueNames: string[] = ["notifications"]): Promise<TestAws> {
  const endpoints = inject("emulators");
  const suffix = randomUUID().slice(0, 8);
  const tableName = `kassa-test-${suffix}`;
  const client = localDynamoClient(dynamodbEndpoint());
  const streamArn = await ensureTable(client, tableName);
  const db = DynamoDBDocumentClient.from(client);
  const sqs = new SQSClient({
    endpoint: endpoints.sqs,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const queues: Record<string, { url: string; arn: string }> = {};
  for (const name of queueNames) {
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `${name}-${suffix}`, Attributes: localQueueAttributes }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    queues[name] = { url: QueueUrl ?? "", arn: Attributes?.QueueArn ?? "" };
  }
  Object.assign(
    process.env,
    localEnvironment({ ...endpoints, dynamodb: dynamodbEndpoint() }, queues, {
      ADMIN_TOKEN: adminToken,
      CURSOR_SECRET: "test-cursor-secret-0123456789",
      STRIPE_WEBHOOK_SECRET: "whsec_test_secret_0123456789",
      DATA_ENCRYPTION_KEY: testDataEncryptionKey,
      MAIL_FROM: "billing@kassa.test",
      PUBLIC_BASE_URL: testPublicBaseUrl,
    }),
    { TABLE_NAME: tableName },
  );
  const scanAll = async () => {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const out = await db.send(
        new ScanCommand({ TableName: tableName, ExclusiveStartKey, ConsistentRead: true }),
      );
      items.push(...(out.Items ?? []));
      ExclusiveStartKey = out.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  };
  return {
    tableName,
    streamArn,
    db,
    sqs,
    queues,
    scanAll,
    // The table's own count, not a scan: suites count after every request, and the table grows.
    countItems: () => itemCount(client, tableName),
    receive: async (queue, max = 10) => {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues[queue]?.url,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: 1,
        }),
      );
      return Messages.map((m) => ({
        body: JSON.parse(m.Body ?? "null"),
        receiptHandle: m.ReceiptHandle ?? "",
      }));
    },
    mailTo: async (to) => {
      const store = (await (await fetch(`${endpoints.ses}/store`)).json()) as { emails: MailRecord[] };
      return store.emails.filter((m) => m.destination.to.some((d) => d.includes(`<${to}>`) || d === to));
    },
  };
}

/**
 * The items in a table as DynamoDB Local's DescribeTable counts them: exact after every write there
 * (global-setup.ts checks so before any suite relies on it; the cloud refreshes it only every few
 * hours), and one call however large the table has grown.
 */
export async function itemCount(client: DynamoDBClient, tableName: string): Promise<number> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (Table?.ItemCount === undefined)
    throw new Error(`DynamoDB Local reported no ItemCount for ${tableName}`);
  return Table.ItemCount;
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
