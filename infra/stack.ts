/**
 * The Kassa stack, built by walking the manifest: a stateful construct (table, queues, secrets, mail
 * identity, schedule group) and a stateless one (functions, API, schedules), plus alarms and a dashboard. `buildApp`
 * is what `infra/app.ts` runs and what the infra tests build, so both see the same stack.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { App, type AppProps, CfnOutput, Stack, type StackProps, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { Construct } from "constructs";
import { eventQueues } from "../shared/outbox/routing.ts";
import type { SandboxSetting } from "../shared/payments/mode.ts";
import { KassaAlarms } from "./constructs/alarms.ts";
import { KassaDashboard } from "./constructs/dashboard.ts";
import { KassaData, pascalCase } from "./constructs/data.ts";
import { repoRoot } from "./constructs/kassa-function.ts";
import { KassaServices } from "./constructs/services.ts";
import * as defaultManifest from "./manifest.ts";
import type { FunctionDefinition, QueueDefinition, ScheduleDefinition } from "./manifest.ts";

export interface KassaManifest {
  readonly queues: Readonly<Record<string, QueueDefinition>>;
  readonly functions: readonly FunctionDefinition[];
  readonly schedules: readonly ScheduleDefinition[];
}

/** The CDK context key for the sender address (`-c kassa:mailFrom=…`). It has no default: a deployment names its own sender. */
export const mailFromContextKey = "kassa:mailFrom";

/**
 * The CDK context key naming an SES identity that already exists in the account (the sender's
 * domain, e.g. `shop.com`, or the address itself): the stack imports it instead of creating one.
 */
export const sesIdentityContextKey = "kassa:sesIdentity";

/**
 * The CDK context key that lets merchants without a connected processor take sandbox (test)
 * payments: `-c kassa:sandbox=enabled`. Disabled unless set, so a cloud deployment takes no test
 * money by default.
 */
export const sandboxContextKey = "kassa:sandbox";

/**
 * The CDK context key for the deployment's public base URL, on which hosted links are built
 * (`-c kassa:publicBaseUrl=https://pay.example.com`, a custom domain mapped to the HTTP API).
 * Unset, the HTTP API's own endpoint.
 */
export const publicBaseUrlContextKey = "kassa:publicBaseUrl";
/** A deployment setting is missing or wrong: `infra/app.ts` prints the message alone, no stack trace. */
export class DeploySettingError extends Error {
  override name = "DeploySettingError";
}

export interface KassaStackProps extends StackProps {
  /** @default the manifest in `infra/manifest.ts` */
  readonly manifest?: KassaManifest;
  /** @default the `kassa:mailFrom` context value */
  readonly mailFrom?: string;
  /** @default the `kassa:sesIdentity` context value; unset creates an email identity for `mailFrom` */
  readonly sesIdentity?: string;
  /** Active X-Ray tracing on every function (HTTP APIs themselves have none). @default true */
  readonly tracing?: boolean;
  /** @default the `kassa:sandbox` context value, else "disabled" */
  readonly sandbox?: SandboxSetting;
  /** @default the `kassa:publicBaseUrl` context value, else the HTTP API's endpoint */
  readonly publicBaseUrl?: string;
}

export class KassaStack extends Stack {
  readonly data: KassaData;
  readonly services: KassaServices;
  readonly alarms: KassaAlarms;
  readonly dashboard: KassaDashboard;

  constructor(scope: Construct, id: string, props: KassaStackProps = {}) {
    super(scope, id, props);
    const manifest = props.manifest ?? defaultManifest;
    const mailFrom = props.mailFrom ?? this.node.tryGetContext(mailFromContextKey);
    if (typeof mailFrom !== "string" || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(mailFrom)) {
      throw new DeploySettingError(
        mailFrom === undefined
          ? `Set the sender address: pass -c ${mailFromContextKey}=billing@your-domain.com (it has no default)`
          : `Context "${mailFromContextKey}" must be an email address (got ${mailFrom})`,
      );
    }
    const sesIdentity = props.sesIdentity ?? this.node.tryGetContext(sesIdentityContextKey);
    if (sesIdentity !== undefined && !sendsAs(mailFrom, sesIdentity)) {
      throw new DeploySettingError(
        `Context "${sesIdentityContextKey}" must be the sender's address or its domain (${mailFrom}), got ${sesIdentity}`,
      );
    }

    const sandbox = props.sandbox ?? this.node.tryGetContext(sandboxContextKey) ?? "disabled";
    if (sandbox !== "enabled" && sandbox !== "disabled") {
      throw new DeploySettingError(
        `Context "${sandboxContextKey}" must be enabled or disabled (got ${sandbox})`,
      );
    }

    const publicBaseUrl: unknown = props.publicBaseUrl ?? this.node.tryGetContext(publicBaseUrlContextKey);
    if (
      publicBaseUrl !== undefined &&
      !(typeof publicBaseUrl === "string" && /^https:\/\/[^\s/]+(\/[^\s]*)?$/.test(publicBaseUrl))
    ) {
      throw new DeploySettingError(
        `Context "${publicBaseUrlContextKey}" must be an https:// URL (got ${publicBaseUrl})`,
      );
    }

    this.data = new KassaData(this, "Data", { manifest, mailFrom, existingIdentity: sesIdentity });
    this.services = new KassaServices(this, "Services", {
      manifest,
      data: this.data,
      tracing: props.tracing,
      sandbox,
      ...(publicBaseUrl ? { publicBaseUrl } : {}),
    });
    this.alarms = new KassaAlarms(this, "Alarms", { data: this.data, services: this.services });
    this.dashboard = new KassaDashboard(this, "Dashboard", { data: this.data, services: this.services });

    new CfnOutput(this, "ApiUrl", { value: this.services.stage.url });
    new CfnOutput(this, "TableName", { value: this.data.table.tableName });
    new CfnOutput(this, "AdminTokenSecretArn", { value: this.data.secrets.adminToken.secretArn });
    new CfnOutput(this, "StripeSecretKeySecretArn", { value: this.data.secrets.stripeSecretKey.secretArn });
    new CfnOutput(this, "AlarmTopicArn", { value: this.alarms.topic.topicArn });
    // What `npm run redispatch` sends to (QUEUE_URL_<NAME>): the queues the outbox dispatcher feeds.
    for (const name of eventQueues) {
      new CfnOutput(this, `${pascalCase(name)}QueueUrl`, { value: this.data.queue(name).queueUrl });
    }
  }
}

/** Whether SES lets `mailFrom` send under `identity`: the address itself or its domain. */
function sendsAs(mailFrom: string, identity: unknown): boolean {
  if (typeof identity !== "string") return false;
  const wanted = identity.toLowerCase();
  const address = mailFrom.toLowerCase();
  return address === wanted || address.endsWith(`@${wanted}`);
}

export interface BuildAppOptions {
  /** Extra app context, e.g. `{ "aws:cdk:bundling-stacks": [] }` to skip bundling in tests. */
  readonly context?: Record<string, unknown>;
  readonly outdir?: string;
  readonly stack?: KassaStackProps;
}

/** The `context` block of `cdk.json`, so an app built outside the CLI (tests) sees the same values. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(repoRoot, "cdk.json"), "utf8")) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/**
 * The app as `cdk synth` builds it: the Kassa stack, checked by cdk-nag's AwsSolutions pack.
 * Context given here is a default: the CLI's (`cdk.json`, `-c key=value`) takes precedence.
 */
export function buildApp(options: BuildAppOptions = {}): { app: App; stack: KassaStack } {
  const appProps: AppProps = { context: { ...cdkJsonContext(), ...options.context }, outdir: options.outdir };
  const app = new App(appProps);
  const stack = new KassaStack(app, "Kassa", {
    description: "Kassa: serverless billing (table, queues, functions, HTTP API)",
    ...options.stack,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
