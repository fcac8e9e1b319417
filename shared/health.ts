/**
 * Dependency checks for GET /v1/health: each is a cheap read that proves the dependency answers and
 * that this function may use it.
 */
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { GetAccountCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { sqsClient } from "./aws/queue.ts";
import { documentClient, tableName } from "./store/dynamo.ts";

export type CheckResult = { status: "up" } | { status: "down"; error: string };

async function check(probe: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await probe();
    return { status: "up" };
  } catch (error) {
    return {
      status: "down",
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
}

/** Queue URLs as the manifest's bindings set them (`QUEUE_URL_<NAME>`). */
function queueUrls(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env)
      .filter(([name, value]) => name.startsWith("QUEUE_URL_") && value)
      .map(([name, value]) => [
        name.slice("QUEUE_URL_".length).toLowerCase().replace(/_/g, "-"),
        value as string,
      ]),
  );
}

let sesv2: SESv2Client | undefined;

export async function checkDependencies(env: NodeJS.ProcessEnv = process.env) {
  const queues = Object.entries(queueUrls(env));
  const [table, mail, ...queueResults] = await Promise.all([
    check(() =>
      documentClient().send(new GetCommand({ TableName: tableName(), Key: { PK: "HEALTH", SK: "HEALTH" } })),
    ),
    check(() => {
      sesv2 ??= new SESv2Client({});
      return sesv2.send(new GetAccountCommand({}));
    }),
    ...queues.map(([, url]) =>
      check(() =>
        sqsClient().send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] })),
      ),
    ),
  ]);
  const checks = {
    table,
    mail,
    queues: Object.fromEntries(queues.map(([name], i) => [name, queueResults[i] as CheckResult])),
  };
  const healthy = [table, mail, ...queueResults].every((c) => c?.status === "up");
  return { status: healthy ? ("ok" as const) : ("degraded" as const), checks };
}
