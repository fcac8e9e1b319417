/**
 * The stateless half, built by walking the manifest: one function per entry with exactly the access
 * its `access` block names, its HTTP routes, queue or stream subscription, and the manifest's
 * recurring schedules. Replaceable at any time; it holds no data.
 */
import { Duration, NestedStack, Validations } from "aws-cdk-lib";
import { AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import * as apigw from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as lambda from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq, SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import * as logs from "aws-cdk-lib/aws-logs";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { envNames, type SecretName, secretVariables } from "../../shared/config.ts";
import type { SandboxSetting } from "../../shared/payments/mode.ts";
import { scheduledAtField } from "../../shared/timers/registry.ts";
import { type FunctionDefinition, visibilityTimeoutFactor } from "../manifest.ts";
import type { KassaManifest } from "../stack.ts";
import { table as tableDefinition } from "../table.ts";
import { type KassaData, pascalCase } from "./data.ts";
import { KassaFunction } from "./kassa-function.ts";

/** The variable that carries each secret's ARN. */
export const secretEnvNames = Object.fromEntries(
  Object.entries(secretVariables).map(([name, [, arnVariable]]) => [name, arnVariable]),
) as Record<SecretName, string>;

export const apiThrottle = { burstLimit: 200, rateLimit: 100 } as const;

/**
 * Lower stage throttles (requests/s sustained, burst) on the public routes, where no API key stands
 * behind a request: hosted pages (the invoice's `/i/…`, the customer's update-card page `/c/…`, a
 * payment link's checkout `/l/…` with its live totals, the unsubscribe page `/u/…`),
 * health, and Stripe's webhook (Stripe retries a 429 later).
 */
export function publicRouteThrottle(path: string): { rateLimit: number; burstLimit: number } | undefined {
  if (path.startsWith("/i/") || path.startsWith("/c/") || path.startsWith("/l/") || path.startsWith("/u/"))
    return { rateLimit: 20, burstLimit: 40 };
  if (path === "/v1/health") return { rateLimit: 5, burstLimit: 10 };
  if (path === "/webhooks/stripe") return { rateLimit: 50, burstLimit: 100 };
  return undefined;
}

export interface KassaServicesProps {
  readonly manifest: KassaManifest;
  readonly data: KassaData;
  /** Active X-Ray tracing on every function (HTTP APIs themselves have none). @default true */
  readonly tracing?: boolean;
  /** Whether merchants without a connected processor take sandbox (test) payments. */
  readonly sandbox: SandboxSetting;
  /** The deployment's public base URL (a custom domain). @default the HTTP API's endpoint */
  readonly publicBaseUrl?: string;
}

export class KassaServices extends Construct {
  /** Manifest function name → function. */
  readonly functions: Readonly<Record<string, KassaFunction>>;
  readonly api: apigw.HttpApi;
  /**
   * The API's routes and integrations, in a nested stack of their own: a route is a resource, there
   * are more than 150, and CloudFormation refuses a stack of more than 500 resources. They reference
   * the API and the functions across the stacks (CDK passes them as the nested stack's parameters).
   */
  readonly routes: NestedStack;
  readonly stage: apigw.HttpStage;
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: KassaServicesProps) {
    super(scope, id);
    const { manifest, data } = props;

    const names = manifest.functions.map((f) => f.name);
    const duplicate = names.find((n, i) => names.indexOf(n) !== i);
    if (duplicate) throw new Error(`The manifest declares function "${duplicate}" twice`);

    this.accessLogs = new logs.LogGroup(this, "ApiAccessLogs", {
      retention: logs.RetentionDays.THREE_MONTHS,
    });
    this.api = new apigw.HttpApi(this, "Api", {
      description: "Kassa HTTP API",
      createDefaultStage: false,
    });
    this.stage = this.api.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      throttle: apiThrottle,
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: "$context.requestId",
            ip: "$context.identity.sourceIp",
            requestTime: "$context.requestTime",
            // The route key, never the raw path: hosted pages' paths carry their page tokens.
            routeKey: "$context.routeKey",
            status: "$context.status",
            protocol: "$context.protocol",
            responseLength: "$context.responseLength",
            responseLatency: "$context.responseLatency",
            integrationLatency: "$context.integrationLatency",
            integrationError: "$context.integrationErrorMessage",
            userAgent: "$context.identity.userAgent",
          }),
        ),
      },
    });

    this.routes = new NestedStack(this, "Routes", { description: "Kassa HTTP API routes" });

    const functions: Record<string, KassaFunction> = {};
    for (const definition of manifest.functions) {
      functions[definition.name] = this.buildFunction(definition, props);
    }
    this.functions = functions;
    this.throttlePublicRoutes(manifest);

    if (manifest.functions.some((f) => f.routes?.length)) {
      // The rule looks at the routes, which live in their own stack.
      Validations.of(this.routes).acknowledge({
        id: "AwsSolutions-APIG4",
        reason:
          "Authorization is done in the Lambda handlers: merchant routes check a hashed API key, admin routes the platform admin token, and public routes (health, hosted pages, signed Stripe webhooks) are public by design.",
      });
    }

    for (const schedule of manifest.schedules) {
      new scheduler.CfnSchedule(this, `${pascalCase(schedule.name)}Schedule`, {
        name: schedule.name,
        groupName: data.scheduleGroup.ref,
        scheduleExpression: schedule.expression,
        scheduleExpressionTimezone: "UTC",
        flexibleTimeWindow: { mode: "OFF" },
        target: {
          arn: data.queue(schedule.queue).queueArn,
          roleArn: data.schedulerRole.roleArn,
          // EventBridge fills in the time the firing was due: the consumer reports how late it ran.
          input: JSON.stringify({
            ...schedule.payload,
            [scheduledAtField]: "<aws.scheduler.scheduled-time>",
          }),
          deadLetterConfig: { arn: data.scheduleDlq.queueArn },
        },
      });
    }
  }

  /** Route settings name routes by key: the stage deploys after them, or CloudFormation cannot find them. */
  private throttlePublicRoutes(manifest: KassaManifest): void {
    const settings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    for (const route of manifest.functions.flatMap((f) => f.routes ?? [])) {
      const throttle = publicRouteThrottle(route.path);
      if (throttle)
        settings[`${route.method} ${route.path}`] = {
          ThrottlingRateLimit: throttle.rateLimit,
          ThrottlingBurstLimit: throttle.burstLimit,
        };
    }
    if (Object.keys(settings).length === 0) return;
    (this.stage.node.defaultChild as apigw.CfnStage).routeSettings = settings;
    this.stage.node.addDependency(this.routes);
  }

  private buildFunction(definition: FunctionDefinition, props: KassaServicesProps): KassaFunction {
    const { data } = props;
    const id = pascalCase(definition.name);
    const fn = new KassaFunction(this, id, {
      entry: definition.entry,
      description: definition.description,
      timeoutSeconds: definition.timeoutSeconds,
      memoryMb: definition.memoryMb,
      environment: definition.env,
      tracing: props.tracing ?? true,
    });

    // The API resource itself, not its routes or stage: those depend on the functions, it does not.
    bindAccess(fn, definition, data, props.sandbox, props.publicBaseUrl ?? this.api.apiEndpoint);

    if (definition.routes?.length) {
      // One invoke permission per function for this API, not one per route: a permission per route
      // is two resources a route, and CloudFormation refuses a stack of more than 500. The API's
      // routes to the function are the manifest's, so the narrower grant would add nothing.
      const integration = new HttpLambdaIntegration(`${id}Integration`, fn.function, {
        scopePermissionToRoute: false,
      });
      for (const route of definition.routes) {
        // Named by the route key ("/" may not appear in a construct id).
        new apigw.HttpRoute(this.routes, `${route.method} ${route.path.replaceAll("/", "_")}`, {
          httpApi: this.api,
          routeKey: apigw.HttpRouteKey.with(route.path, apigw.HttpMethod[route.method]),
          integration,
        });
      }
    }

    if (definition.queue) {
      const pair = data.queues[definition.queue.name];
      if (!pair)
        throw new Error(`${definition.name} subscribes to undeclared queue "${definition.queue.name}"`);
      if (pair.definition.visibilityTimeoutSeconds < visibilityTimeoutFactor * definition.timeoutSeconds) {
        throw new Error(
          `${definition.name}: the visibility timeout of queue "${definition.queue.name}" (${pair.definition.visibilityTimeoutSeconds} s) must be at least ${visibilityTimeoutFactor} × its timeout (${definition.timeoutSeconds} s)`,
        );
      }
      fn.function.addEventSource(
        new SqsEventSource(pair.queue, {
          batchSize: definition.queue.batchSize,
          maxBatchingWindow:
            definition.queue.maxBatchingWindowSeconds === undefined
              ? undefined
              : Duration.seconds(definition.queue.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
          maxConcurrency: definition.queue.maxConcurrency,
        }),
      );
    }

    if (definition.stream) {
      const failures = data.streamFailureQueues[definition.name];
      if (!failures) throw new Error(`No stream failure queue for ${definition.name}`);
      fn.function.addEventSource(
        new DynamoEventSource(data.table, {
          startingPosition: lambda.StartingPosition.LATEST,
          batchSize: definition.stream.batchSize,
          maxBatchingWindow: Duration.seconds(definition.stream.maxBatchingWindowSeconds),
          retryAttempts: definition.stream.retryAttempts,
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          onFailure: new SqsDlq(failures),
          filters: [lambda.FilterCriteria.filter(definition.stream.filter)],
        }),
      );
      // CDK's stream grant includes dynamodb:ListStreams, which has no resource type in IAM.
      Validations.of(fn.role).acknowledge({
        id: "AwsSolutions-IAM5[Resource::*]",
        reason:
          "dynamodb:ListStreams (part of the stream event source grant) supports no resource-level permissions; the stream read actions themselves are on this table's stream ARN.",
      });
    }
    return fn;
  }
}

/** Grants exactly what the manifest's access block names, and sets the variables that go with it. */
export function bindAccess(
  fn: KassaFunction,
  definition: FunctionDefinition,
  data: KassaData,
  sandbox: SandboxSetting,
  publicBaseUrl: string,
): void {
  const { access } = definition;
  const pick = (queueNames: readonly string[]): Record<string, sqs.IQueue> =>
    Object.fromEntries(queueNames.map((name) => [name, data.queue(name)]));

  if (access.table) {
    fn.bindTable(
      data.table,
      access.table,
      tableDefinition.indexes.map((index) => index.name),
    );
  }
  if (access.sendTo?.length) fn.bindSendTo(pick(access.sendTo));
  if (access.inspectQueues) fn.bindInspectQueues(pick(Object.keys(data.queues)));
  if (access.email) fn.bindEmail(data.mailIdentity, data.mailFrom);
  if (access.scheduleTo?.length) {
    fn.bindScheduleTo({
      groupName: data.scheduleGroupName,
      schedulerRole: data.schedulerRole,
      deadLetterQueue: data.scheduleDlq,
      queues: pick(access.scheduleTo),
    });
  }
  for (const secret of access.secrets ?? []) fn.bindSecret(data.secrets[secret], secretEnvNames[secret]);
  if (access.processors) fn.addEnvironment(envNames.sandbox, sandbox);
  if (access.publicLinks) fn.addEnvironment(envNames.publicBaseUrl, publicBaseUrl);
}
