/**
 * Dependency checks for GET /v1/health: each is a cheap read that proves the dependency answers and
 * that this function may use it.
 */
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { GetAccountCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { sqsClient } from "./aws/queue.ts";
import { config } from "./config.ts";
import { documentClient, tableName } from "./store/dynamo.ts";
import { keys } from "./store/keys.ts";

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

let sesv2: SESv2Client | undefined;

export async function checkDependencies() {
  const queues = Object.entries(config.boundQueueUrls());
  const [table, mail, ...queueResults] = await Promise.all([
    check(() =>
      documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.health() })),
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
