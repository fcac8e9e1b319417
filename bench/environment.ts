/**
 * The emulators the in-process bench sections share. One process holds module-level SDK clients
 * and cached secrets, as a Lambda container does, so every section runs against the same
 * DynamoDB Local, SQS stand-in and environment.
 */
import { ensureTable, localDynamoClient, startDynamoDbLocal } from "../infra/local/dynamodb.ts";
import { localEnvironment } from "../infra/local/runtime.ts";
import { type LocalSqs, startLocalSqs } from "../infra/local/sqs.ts";

export const benchSecrets = {
  adminToken: "adm_bench_token_0123456789abcdef",
  webhookSecret: "whsec_bench_secret_0123456789",
};

let started: Promise<{ sqs: LocalSqs; stop: () => Promise<void> }> | undefined;

export function benchEnvironment() {
  started ??= (async () => {
    const [dynamo, sqs] = await Promise.all([startDynamoDbLocal(), startLocalSqs()]);
    const client = localDynamoClient(dynamo.endpoint);
    await ensureTable(client, "kassa-bench");
    client.destroy();
    Object.assign(
      process.env,
      localEnvironment(
        { dynamodb: dynamo.endpoint, sqs: sqs.endpoint, ses: "http://127.0.0.1:9" },
        sqs.queues,
        {
          TABLE_NAME: "kassa-bench",
          ADMIN_TOKEN: benchSecrets.adminToken,
          CURSOR_SECRET: "bench-cursor-secret-0123456789",
          STRIPE_WEBHOOK_SECRET: benchSecrets.webhookSecret,
          DATA_ENCRYPTION_KEY: "bench-data-encryption-key-0123456789",
          // Hosted links are built on the deployment's configured base, never a request's Host.
          PUBLIC_BASE_URL: "https://pay.kassa.bench",
          // The figures are the output: request logs and EMF lines would bury them.
          POWERTOOLS_LOG_LEVEL: "SILENT",
          POWERTOOLS_METRICS_DISABLED: "true",
        },
      ),
    );
    return { sqs, stop: async () => void (await Promise.all([dynamo.stop(), sqs.stop()])) };
  })();
  return started;
}

export async function stopBenchEnvironment(): Promise<void> {
  if (started) await (await started).stop();
}
