/**
 * The one place that reads the environment. Each accessor validates what it reads with zod and
 * fails fast with the variable's name, so a misconfigured function dies at its first use with a
 * clear message instead of writing half a record. The names are shared with the CDK stack and the
 * local runtime, which set them.
 */
import * as z from "zod";
import type { QueueName } from "./aws/queue.ts";
import { lazy } from "./lazy.ts";

export const envNames = {
  tableName: "TABLE_NAME",
  mailFrom: "MAIL_FROM",
  adminToken: "ADMIN_TOKEN",
  adminTokenSecretArn: "ADMIN_TOKEN_SECRET_ARN",
  cursorSecret: "CURSOR_SECRET",
  cursorSecretArn: "CURSOR_SECRET_ARN",
  stripeSecretKey: "STRIPE_SECRET_KEY",
  stripeSecretKeySecretArn: "STRIPE_SECRET_KEY_SECRET_ARN",
  stripeWebhookSecret: "STRIPE_WEBHOOK_SECRET",
  stripeWebhookSecretArn: "STRIPE_WEBHOOK_SECRET_ARN",
  dataEncryptionKey: "DATA_ENCRYPTION_KEY",
  dataEncryptionKeySecretArn: "DATA_ENCRYPTION_KEY_SECRET_ARN",
  sandboxFeePercent: "SANDBOX_FEE_PERCENT",
  sandboxFeeFixed: "SANDBOX_FEE_FIXED",
  /** `enabled` lets merchants without a connected processor take sandbox (test) payments. */
  sandbox: "SANDBOX",
  /** Points the Stripe SDK at a loopback fake (tests, local runs); unset in production. */
  stripeApiBase: "STRIPE_API_BASE",
  schedulerMode: "SCHEDULER_MODE",
  schedulerGroup: "SCHEDULER_GROUP",
  schedulerRoleArn: "SCHEDULER_ROLE_ARN",
  /** The SQS queue EventBridge Scheduler delivers a schedule's payload to when it cannot reach the target. */
  schedulerDlqArn: "SCHEDULER_DLQ_ARN",
  publicBaseUrl: "PUBLIC_BASE_URL",
  /** `1` lets webhooks post to loopback addresses (a developer's receiver): the local runtime sets it, the stack never. */
  allowLoopbackWebhooks: "KASSA_ALLOW_LOOPBACK_WEBHOOKS",
  /** Powertools' own: the least level logged (INFO by default; tests run SILENT), and readable local logs. */
  logLevel: "POWERTOOLS_LOG_LEVEL",
  powertoolsDev: "POWERTOOLS_DEV",
  /** The local runtime's own settings (`npm start`, `npm run invoke`); nothing in the cloud reads them. */
  localDataDir: "KASSA_DATA_DIR",
  localPort: (service: "api" | "dynamodb" | "sqs" | "ses") => `KASSA_${service.toUpperCase()}_PORT`,
  queueUrl: (queue: string) => `QUEUE_URL_${envSuffix(queue)}`,
  queueArn: (queue: string) => `QUEUE_ARN_${envSuffix(queue)}`,
} as const;

export type SecretName =
  | "adminToken"
  | "cursorSecret"
  | "stripeSecretKey"
  | "stripeWebhookSecret"
  | "dataEncryptionKey";

/** Each secret's plain variable (local) and ARN variable (cloud). */
export const secretVariables: Record<SecretName, readonly [string, string]> = {
  adminToken: [envNames.adminToken, envNames.adminTokenSecretArn],
  cursorSecret: [envNames.cursorSecret, envNames.cursorSecretArn],
  stripeSecretKey: [envNames.stripeSecretKey, envNames.stripeSecretKeySecretArn],
  /** Verifies every event on the stripe-events path: Stripe's endpoint secret (whsec_…); the sandbox signs with it too. */
  stripeWebhookSecret: [envNames.stripeWebhookSecret, envNames.stripeWebhookSecretArn],
  /** Seals secrets kept at rest (shared/auth/sealed.ts): one or more keys, the sealing one first. */
  dataEncryptionKey: [envNames.dataEncryptionKey, envNames.dataEncryptionKeySecretArn],
};

function envSuffix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]/g, "_");
}

function read<T>(name: string, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(process.env[name]);
  if (!parsed.success) {
    throw new Error(`Environment variable ${name} is missing or invalid: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

const nonEmpty = lazy(() => z.string().min(1));

export const config = {
  tableName: () => read(envNames.tableName, nonEmpty()),
  mailFrom: () => read(envNames.mailFrom, z.email()),
  queueUrl: (queue: QueueName) => read(envNames.queueUrl(queue), z.url()),
  queueArn: (queue: QueueName) => read(envNames.queueArn(queue), nonEmpty()),
  /** Every queue this function is bound to (`QUEUE_URL_<NAME>`), by queue name: what the health check probes. */
  boundQueueUrls: (): Record<string, string> =>
    Object.fromEntries(
      Object.entries(process.env)
        .filter(([name, value]) => name.startsWith("QUEUE_URL_") && value)
        .map(([name, value]) => [
          name.slice("QUEUE_URL_".length).toLowerCase().replace(/_/g, "-"),
          value as string,
        ]),
    ),
  /** `table` keeps schedules in the table for the local runtime's scheduler; `eventbridge` in the cloud. */
  schedulerMode: () => read(envNames.schedulerMode, z.enum(["eventbridge", "table"]).default("eventbridge")),
  schedulerGroup: () => read(envNames.schedulerGroup, nonEmpty()),
  schedulerRoleArn: () => read(envNames.schedulerRoleArn, nonEmpty()),
  schedulerDlqArn: () => read(envNames.schedulerDlqArn, nonEmpty()),
  /**
   * The deployment's public base URL, on which hosted links (an invoice's `hostedUrl`) are built: the
   * HTTP API's endpoint, or the custom domain the operator set (CDK context `kassa:publicBaseUrl`);
   * the local gateway's URL locally. Never taken from a request, whose Host header the client chose.
   */
  publicBaseUrl: () => read(envNames.publicBaseUrl, z.url()).replace(/\/+$/, ""),
  /** Whether outbound webhooks may post to loopback addresses (shared/webhooks/outbound.ts): local runs only. */
  allowLoopbackWebhooks: () => read(envNames.allowLoopbackWebhooks, z.enum(["0", "1"]).default("0")) === "1",
  /** The least level the logger writes (shared/observability.ts). */
  logLevel: () =>
    read(envNames.logLevel, z.enum(["DEBUG", "INFO", "WARN", "ERROR", "CRITICAL", "SILENT"]).default("INFO")),
  /** A loopback Stripe fake's base URL (tests, local runs); unset in production. */
  stripeApiBase: () => read(envNames.stripeApiBase, z.url().optional()),
  /** The sandbox's processing fee: a percentage (≤ 4 decimals) plus fixed minor units; 2.9 % + 30 by default. */
  sandboxFee: () => ({
    percent: read(envNames.sandboxFeePercent, z.coerce.number().min(0).max(100).default(2.9)),
    fixed: read(envNames.sandboxFeeFixed, z.coerce.number().int().min(0).default(30)),
  }),
  /**
   * Whether merchants without a connected processor take payments through the sandbox. Unset means
   * `disabled`: a deployment has to opt in to test money (the CDK context `kassa:sandbox`; the local
   * runtime enables it).
   */
  sandbox: () => read(envNames.sandbox, z.enum(["enabled", "disabled"]).default("disabled")),
  /** The local runtime's data folder (`KASSA_DATA_DIR`, `.kassa` by default), relative to the working directory. */
  localDataDir: () => read(envNames.localDataDir, nonEmpty().default(".kassa")),
  /** A local stand-in's port (`KASSA_<SERVICE>_PORT`); 0 picks a free one. */
  localPort: (service: Parameters<typeof envNames.localPort>[0], fallback: number) =>
    read(envNames.localPort(service), z.coerce.number().int().min(0).max(65_535).default(fallback)),
  /** A secret's value locally; in the cloud the ARN of the Secrets Manager secret that holds it. */
  secretSource: (
    name: SecretName,
  ): { value: string; secretArn?: undefined } | { value?: undefined; secretArn: string } => {
    const [valueVar, arnVar] = secretVariables[name];
    return process.env[valueVar]
      ? { value: read(valueVar, z.string().min(16)) }
      : { secretArn: read(arnVar, nonEmpty()) };
  },
};

/**
 * Sets variables for this process the way a deployment sets a function's environment: the local
 * runtime, `npm run invoke` and tests play the CDK stack's part with it. Only names not set yet when
 * `keep` is true (a value the operator chose wins).
 */
export function setEnvironment(variables: Record<string, string>, options: { keep?: boolean } = {}): void {
  for (const [name, value] of Object.entries(variables)) {
    if (options.keep && process.env[name] !== undefined) continue;
    process.env[name] = value;
  }
}
