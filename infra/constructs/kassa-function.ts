/**
 * One Lambda function with the house defaults: Node 24 (the newest LTS Lambda offers) on ARM, locally bundled minified,
 * code-split ESM (`bundleFunction` of `infra/bundling.ts`, run by CDK's local bundling step: no Docker), source maps on, its own log group with a retention, and its own
 * role with no managed policy. The `bind*` methods grant an access AND set the environment variable
 * the code reads (names from `shared/config.ts`), so a grant and its configuration cannot drift.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import type * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import type * as ses from "aws-cdk-lib/aws-ses";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { envNames } from "../../shared/config.ts";
import { bundleEntryFile, bundleFunction } from "../bundling.ts";

/** The repository root: manifest entries and the lock file are relative to it. */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));

export const defaultMemoryMb = 512;

/** The newest Node LTS runtime Lambda offers; `infra/bundling.ts` targets the same version. */
export const lambdaRuntime = lambda.Runtime.NODEJS_24_X;

export interface KassaFunctionProps {
  /** Module exporting `handler`, relative to the repository root. */
  readonly entry: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  /** @default 512 */
  readonly memoryMb?: number;
  readonly environment?: Readonly<Record<string, string>>;
  /** Active X-Ray tracing. @default false */
  readonly tracing?: boolean;
  /** @default one month */
  readonly logRetention?: logs.RetentionDays;
}

/** DynamoDB actions per access level; transactions are authorised by the item actions they contain. */
export const tableActions = {
  read: ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem"],
  readwrite: [
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:ConditionCheckItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
  ],
} as const;

export class KassaFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: KassaFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, "Logs", {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // An explicit role instead of AWSLambdaBasicExecutionRole: it may write to its own log group only.
    this.role = new iam.Role(this, "Role", {
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      description: `Kassa ${id}: ${props.description}`.slice(0, 1000),
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    const entry = path.join(repoRoot, props.entry);
    this.function = new lambda.Function(this, "Function", {
      // Built by esbuild in this process (never in Docker); the asset's hash is the output's, so an
      // unchanged bundle is not uploaded again. `aws:cdk:bundling-stacks: []` (tests) skips building.
      code: lambda.Code.fromAsset(path.dirname(entry), {
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          image: DockerImage.fromRegistry("unused-local-bundling-only"),
          local: {
            tryBundle(outputDir) {
              bundleFunction(entry, outputDir);
              return true;
            },
          },
        },
      }),
      handler: `${path.basename(bundleEntryFile, ".mjs")}.handler`,
      description: props.description,
      runtime: lambdaRuntime,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(props.timeoutSeconds),
      memorySize: props.memoryMb ?? defaultMemoryMb,
      role: this.role,
      logGroup: this.logGroup,
      tracing: props.tracing ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      environment: { NODE_OPTIONS: "--enable-source-maps", ...props.environment },
    });

    if (props.tracing) {
      Validations.of(this.role).acknowledge({
        id: "AwsSolutions-IAM5[Resource::*]",
        reason: "X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.",
      });
    }
  }

  addEnvironment(name: string, value: string): void {
    this.function.addEnvironment(name, value);
  }

  private allow(actions: string[], resources: string[], conditions?: Record<string, unknown>): void {
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources, conditions }));
  }

  /** Item access to the table and each of its indexes by name (no `index/*`); sets TABLE_NAME. */
  bindTable(table: dynamodb.ITable, mode: "read" | "readwrite", indexNames: readonly string[]): void {
    this.allow(
      [...tableActions[mode]],
      [table.tableArn, ...indexNames.map((index) => `${table.tableArn}/index/${index}`)],
    );
    this.addEnvironment(envNames.tableName, table.tableName);
  }

  /** `sqs:SendMessage` (covers SendMessageBatch) on each queue; sets QUEUE_URL_<NAME>. */
  bindSendTo(queues: Readonly<Record<string, sqs.IQueue>>): void {
    const entries = Object.entries(queues);
    if (entries.length === 0) return;
    this.allow(
      ["sqs:SendMessage"],
      entries.map(([, queue]) => queue.queueArn),
    );
    for (const [name, queue] of entries) this.addEnvironment(envNames.queueUrl(name), queue.queueUrl);
  }

  /** `sqs:GetQueueAttributes` on each queue (health checks); sets QUEUE_URL_<NAME>. */
  bindInspectQueues(queues: Readonly<Record<string, sqs.IQueue>>): void {
    const entries = Object.entries(queues);
    if (entries.length === 0) return;
    this.allow(
      ["sqs:GetQueueAttributes"],
      entries.map(([, queue]) => queue.queueArn),
    );
    for (const [name, queue] of entries) this.addEnvironment(envNames.queueUrl(name), queue.queueUrl);
  }

  /**
   * Sends from the configured identity (SES v1 SendEmail/SendRawEmail, authorised on the identity),
   * and `ses:GetAccount`, the mailer's cheap liveness probe, which has no resource type in IAM.
   */
  bindEmail(identity: ses.IEmailIdentity, mailFrom: string): void {
    this.allow(["ses:SendEmail", "ses:SendRawEmail"], [identity.emailIdentityArn]);
    this.allow(["ses:GetAccount"], ["*"]);
    Validations.of(this.role).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "ses:GetAccount (the mailer health probe) has no resource type in IAM; it is the only action granted on *.",
    });
    this.addEnvironment(envNames.mailFrom, mailFrom);
  }

  /**
   * Creates and deletes one-time schedules in the group and passes the scheduler role to them;
   * sets SCHEDULER_GROUP, SCHEDULER_ROLE_ARN, SCHEDULER_DLQ_ARN (where undeliverable payloads go)
   * and QUEUE_ARN_<NAME> for each target queue.
   */
  bindScheduleTo(options: {
    groupName: string;
    schedulerRole: iam.IRole;
    deadLetterQueue: sqs.IQueue;
    queues: Readonly<Record<string, sqs.IQueue>>;
  }): void {
    const scheduleArn = Stack.of(this).formatArn({
      service: "scheduler",
      resource: "schedule",
      resourceName: `${options.groupName}/*`,
    });
    this.allow(["scheduler:CreateSchedule", "scheduler:DeleteSchedule"], [scheduleArn]);
    this.allow(["iam:PassRole"], [options.schedulerRole.roleArn], {
      StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" },
    });
    // cdk-nag names a resource by its template value: a `Ref` to the group reads `<LogicalId>`.
    const group = Stack.of(this).resolve(options.groupName) as string | { Ref: string };
    const groupInFinding = typeof group === "string" ? group : `<${group.Ref}>`;
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupInFinding}/*]`,
      reason:
        "One-time schedules are named at run time after the object they serve; the grant is limited to Kassa's schedule group.",
    });
    this.addEnvironment(envNames.schedulerMode, "eventbridge");
    this.addEnvironment(envNames.schedulerGroup, options.groupName);
    this.addEnvironment(envNames.schedulerRoleArn, options.schedulerRole.roleArn);
    this.addEnvironment(envNames.schedulerDlqArn, options.deadLetterQueue.queueArn);
    for (const [name, queue] of Object.entries(options.queues)) {
      this.addEnvironment(envNames.queueArn(name), queue.queueArn);
    }
  }

  /** `secretsmanager:GetSecretValue` on this one secret; sets the variable that carries its ARN. */
  bindSecret(secret: secretsmanager.ISecret, envName: string): void {
    this.allow(["secretsmanager:GetSecretValue"], [secret.secretArn]);
    this.addEnvironment(envName, secret.secretArn);
  }
}
