/**
 * Dependency checks for GET /v1/health: each is a cheap read that proves the dependency answers and
 * that this function may use it.
 *
 * The endpoint is public, so a failed check names the dependency and the kind of failure (the error's
 * name, e.g. `AccessDeniedException`) but never the AWS message, which carries ARNs, account ids and
 * request ids; the full error goes to the function's log. The report is cached per container for
 * `healthCacheMs`, so however often the endpoint is called each probe runs at most once per window
 * (SES's GetAccount allows about one call a second per account).
 */
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { GetAccountCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { awsClientConfig } from "./aws/clients.ts";
import { sqsClient } from "./aws/queue.ts";
import { config } from "./config.ts";
import type { Clock } from "./domain/clock.ts";
import { documentClient, tableName } from "./store/dynamo.ts";
import { keys } from "./store/keys.ts";

export type CheckResult = { status: "up" } | { status: "down"; error: string };

export const healthCacheMs = 30_000;

/** An error's name when it is a plain identifier (the SDK's exception names are), else `Error`. */
function failureKind(error: unknown): string {
  const name = error instanceof Error ? error.name : "";
  return /^[A-Za-z]{1,64}$/.test(name) ? name : "Error";
}

async function check(dependency: string, probe: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await probe();
    return { status: "up" };
  } catch (error) {
    console.error(
      JSON.stringify({
        level: "ERROR",
        message: "Health check failed",
        dependency,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      }),
    );
    return { status: "down", error: failureKind(error) };
  }
}

let sesv2: SESv2Client | undefined;

let cached: { until: number; report: ReturnType<typeof probeDependencies> } | undefined;

/** The dependencies' state, probed at most once per `healthCacheMs` in this container. */
export function checkDependencies(clock: Clock): ReturnType<typeof probeDependencies> {
  const now = clock.now().getTime();
  if (!cached || cached.until <= now) cached = { until: now + healthCacheMs, report: probeDependencies() };
  return cached.report;
}

async function probeDependencies() {
  const queues = Object.entries(config.boundQueueUrls());
  const [table, mail, ...queueResults] = await Promise.all([
    check("table", () =>
      documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.health() })),
    ),
    check("mail", () => {
      sesv2 ??= new SESv2Client(awsClientConfig);
      return sesv2.send(new GetAccountCommand({}));
    }),
    ...queues.map(([name, url]) =>
      check(`queue ${name}`, () =>
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
