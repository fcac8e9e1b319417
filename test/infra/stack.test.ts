/**
 * CDK assertions on the stack `infra/app.ts` synthesizes (asset bundling skipped), and cdk-nag's
 * AwsSolutions pack. Expectations are derived from the manifest, so a new function, queue or route
 * is covered without touching this file.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { Annotations, Match, Template } from "aws-cdk-lib/assertions";
import { App, type CfnResource, type IResolvable, Stack } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { envNames } from "../../shared/config.ts";
import { bundling } from "../../infra/bundling.ts";
import { repoRoot, tableActions } from "../../infra/constructs/kassa-function.ts";
import { localEnvironment } from "../../infra/local/runtime.ts";
import { startLocalSqs } from "../../infra/local/sqs.ts";
import { metricNames, metricsNamespace } from "../../shared/metrics-names.ts";
import { secretEnvNames } from "../../infra/constructs/services.ts";
import * as manifest from "../../infra/manifest.ts";
import { type FunctionDefinition, queueMaxMessageBytes } from "../../infra/manifest.ts";
import type { Operation } from "../../shared/http/operation.ts";
import { buildApp, cdkJsonContext, DeploySettingError, type KassaManifest, KassaStack } from "../../infra/stack.ts";
import { table as tableDefinition } from "../../infra/table.ts";

const noBundling = { "aws:cdk:bundling-stacks": [] };
/** The sender every test deployment passes explicitly: `kassa:mailFrom` has no default. */
const withMailFrom = { ...noBundling, "kassa:mailFrom": "billing@example.com" };

// biome-ignore lint/suspicious/noExplicitAny: synthesized CloudFormation JSON, walked loosely in assertions
type Json = Record<string, any>;

let app: App;
let stack: KassaStack;
let template: Template;
let resources: Record<string, Json>;
const synthesized = new WeakMap<Stack, Record<string, Json>>();

beforeAll(() => {
  ({ app, stack } = buildApp({ context: withMailFrom }));
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources;
  synthesized.set(stack, resources);
});

const logicalId = (construct: { node: { defaultChild?: unknown } } | CfnResource): string =>
  stack.getLogicalId(
    ((construct as { node: { defaultChild?: unknown } }).node.defaultChild ?? construct) as CfnResource,
  );

/** A stack's resources, read once: every Template made checks the whole template for cycles again. */
function resourcesOf(built: Stack): Record<string, Json> {
  const known = synthesized.get(built);
  if (known) return known;
  const all = Template.fromStack(built).toJSON().Resources as Record<string, Json>;
  synthesized.set(built, all);
  return all;
}

const ofType = (type: string): [string, Json][] =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

/** A CloudFormation value as a readable string: `X.Arn` for GetAtt, `X` for Ref, joins concatenated. */
function show(value: unknown): string {
  if (typeof value === "string") return value;
  const v = value as Json;
  if (v.Ref) return String(v.Ref).startsWith("AWS::") ? `<${v.Ref}>` : v.Ref;
  if (v["Fn::GetAtt"]) return `${v["Fn::GetAtt"][0]}.${v["Fn::GetAtt"][1]}`;
  if (v["Fn::Join"]) return (v["Fn::Join"][1] as unknown[]).map(show).join(v["Fn::Join"][0]);
  throw new Error(`Cannot show ${JSON.stringify(value)}`);
}

const list = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);

function fnResource(name: string): Json {
  const fn = stack.services.functions[name];
  if (!fn) throw new Error(`no function ${name}`);
  return resources[logicalId(fn.function)]!;
}

/** Every `action resource` pair the function's role is allowed. */
function grantsOf(name: string): Set<string> {
  const roleId = logicalId(stack.services.functions[name]!.role);
  const grants = new Set<string>();
  for (const [, policy] of ofType("AWS::IAM::Policy")) {
    if (!policy.Properties.Roles.some((r: Json) => r.Ref === roleId)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      expect(statement.Effect).toBe("Allow");
      for (const action of list<string>(statement.Action)) {
        for (const resource of list(statement.Resource)) grants.add(`${action} ${show(resource)}`);
      }
    }
  }
  return grants;
}

/** What the manifest entry implies: its access block, its subscription and its own log group. */
function expectedGrants(definition: FunctionDefinition): Set<string> {
  const { data } = stack;
  const fn = stack.services.functions[definition.name]!;
  const queueArn = (name: string) => `${logicalId(data.queue(name))}.Arn`;
  const tableArn = `${logicalId(data.table)}.Arn`;
  const out = new Set<string>();
  const add = (actions: readonly string[], resourcesList: string[]) => {
    for (const a of actions) for (const r of resourcesList) out.add(`${a} ${r}`);
  };
  add(["logs:CreateLogStream", "logs:PutLogEvents"], [`${logicalId(fn.logGroup)}.Arn`]);
  // Active tracing: X-Ray's write actions take no resource.
  add(["xray:PutTraceSegments", "xray:PutTelemetryRecords"], ["*"]);
  const { access } = definition;
  if (access.table) {
    add(tableActions[access.table], [
      tableArn,
      ...tableDefinition.indexes.map((i) => `${tableArn}/index/${i.name}`),
    ]);
  }
  if (access.sendTo) add(["sqs:SendMessage"], access.sendTo.map(queueArn));
  if (access.inspectQueues) add(["sqs:GetQueueAttributes"], Object.keys(data.queues).map(queueArn));
  if (access.email) {
    add(
      ["ses:SendEmail", "ses:SendRawEmail"],
      [`arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/${logicalId(data.mailIdentity)}`],
    );
    add(["ses:GetAccount"], ["*"]);
  }
  if (access.scheduleTo) {
    add(
      ["scheduler:CreateSchedule", "scheduler:DeleteSchedule"],
      [`arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${logicalId(data.scheduleGroup)}/*`],
    );
    add(["iam:PassRole"], [`${logicalId(data.schedulerRole)}.Arn`]);
  }
  for (const secret of access.secrets ?? [])
    add(["secretsmanager:GetSecretValue"], [logicalId(data.secrets[secret])]);
  if (definition.queue) {
    add(
      [
        "sqs:ReceiveMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueUrl",
        "sqs:DeleteMessage",
        "sqs:GetQueueAttributes",
      ],
      [queueArn(definition.queue.name)],
    );
  }
  if (definition.stream) {
    add(
      ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
      [`${logicalId(data.table)}.StreamArn`],
    );
    add(["dynamodb:ListStreams"], ["*"]);
    add(
      ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
      [`${logicalId(data.streamFailureQueues[definition.name]!)}.Arn`],
    );
  }
  return out;
}

/** The environment variables the manifest entry implies (plus NODE_OPTIONS). */
function expectedEnv(definition: FunctionDefinition): string[] {
  const { access } = definition;
  const names = new Set(["NODE_OPTIONS", ...Object.keys(definition.env ?? {})]);
  if (access.table) names.add(envNames.tableName);
  for (const q of access.sendTo ?? []) names.add(envNames.queueUrl(q));
  if (access.inspectQueues) for (const q of Object.keys(manifest.queues)) names.add(envNames.queueUrl(q));
  if (access.email) names.add(envNames.mailFrom);
  if (access.scheduleTo?.length) {
    for (const n of [envNames.schedulerMode, envNames.schedulerGroup, envNames.schedulerRoleArn, envNames.schedulerDlqArn])
      names.add(n);
    for (const q of access.scheduleTo) names.add(envNames.queueArn(q));
  }
  for (const s of access.secrets ?? []) names.add(secretEnvNames[s]);
  if (access.processors) names.add(envNames.sandbox);
  if (access.publicLinks) names.add(envNames.publicBaseUrl);
  return [...names].sort();
}

describe("queues", () => {
  it("every queue that is not a DLQ redrives to a DLQ after the manifest's maxReceiveCount", () => {
    const queues = ofType("AWS::SQS::Queue");
    const dlqIds = new Set([
      ...queues.flatMap(([, q]) =>
        q.Properties.RedrivePolicy ? [q.Properties.RedrivePolicy.deadLetterTargetArn["Fn::GetAtt"][0]] : [],
      ),
      ...ofType("AWS::Lambda::EventSourceMapping").flatMap(([, m]) =>
        m.Properties.DestinationConfig
          ? [m.Properties.DestinationConfig.OnFailure.Destination["Fn::GetAtt"][0]]
          : [],
      ),
      ...ofType("AWS::Scheduler::Schedule").flatMap(([, s]) =>
        s.Properties.Target.DeadLetterConfig ? [s.Properties.Target.DeadLetterConfig.Arn["Fn::GetAtt"][0]] : [],
      ),
    ]);
    const primaries = queues.filter(([id]) => !dlqIds.has(id));
    expect(primaries.map(([id]) => id).sort()).toEqual(
      Object.keys(manifest.queues)
        .map((n) => logicalId(stack.data.queue(n)))
        .sort(),
    );
    for (const [name, definition] of Object.entries(manifest.queues)) {
      const pair = stack.data.queues[name]!;
      const props = resources[logicalId(pair.queue)]!.Properties;
      expect(props.RedrivePolicy).toEqual({
        deadLetterTargetArn: { "Fn::GetAtt": [logicalId(pair.dlq), "Arn"] },
        maxReceiveCount: definition.maxReceiveCount,
      });
      expect(props.VisibilityTimeout).toBe(definition.visibilityTimeoutSeconds);
      expect(props.MessageRetentionPeriod).toBe(definition.retentionDays * 86_400);
    }
    for (const id of dlqIds) expect(resources[id]!.Properties.RedrivePolicy).toBeUndefined();
  });

  it("every queue (DLQs too) is SQS-encrypted and refuses non-TLS requests", () => {
    const queues = ofType("AWS::SQS::Queue");
    const policies = ofType("AWS::SQS::QueuePolicy");
    for (const [id, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      const policy = policies.find(([, p]) => p.Properties.Queues.some((q: Json) => q.Ref === id));
      expect(policy, `TLS policy for ${id}`).toBeDefined();
      expect(policy![1].Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: "Deny",
          Action: "sqs:*",
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        }),
      );
    }
  });

  it("every queue's visibility timeout is at least 6 × the timeout of the function consuming it", () => {
    const mappings = ofType("AWS::Lambda::EventSourceMapping").filter(
      ([, m]) => resources[m.Properties.EventSourceArn["Fn::GetAtt"][0]]?.Type === "AWS::SQS::Queue",
    );
    expect(mappings).toHaveLength(manifest.functions.filter((f) => f.queue).length);
    for (const [, mapping] of mappings) {
      const fn = resources[mapping.Properties.FunctionName.Ref]!;
      const queue = resources[mapping.Properties.EventSourceArn["Fn::GetAtt"][0]]!;
      expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * fn.Properties.Timeout);
      expect(mapping.Properties.FunctionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    }
    for (const definition of manifest.functions.filter((f) => f.queue)) {
      template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
        FunctionName: { Ref: logicalId(stack.services.functions[definition.name]!.function) },
        EventSourceArn: { "Fn::GetAtt": [logicalId(stack.data.queue(definition.queue!.name)), "Arn"] },
        BatchSize: definition.queue!.batchSize,
      });
    }
  });

  it("refuses at synth time a queue whose visibility timeout is below 6 × its consumer's timeout", () => {
    const slow: KassaManifest = {
      ...manifest,
      functions: manifest.functions.map((f) =>
        f.queue ? { ...f, timeoutSeconds: Math.ceil(manifest.queues[f.queue.name].visibilityTimeoutSeconds / 6) + 1 } : f,
      ),
    };
    expect(
      () =>
        new KassaStack(new App({ context: { ...noBundling, "kassa:mailFrom": "a@b.co" } }), "Slow", {
          manifest: slow,
        }),
    ).toThrow(/must be at least 6 × its timeout/);
  });

  it("caps the concurrency of the consumers that send email (SES send rates: notifications, workflows), and only theirs", () => {
    const mappings = ofType("AWS::Lambda::EventSourceMapping");
    const mailing = ["notifications", "workflows"].map((name) => logicalId(stack.services.functions[name]!.function));
    for (const [, mapping] of mappings) {
      if (mailing.includes(mapping.Properties.FunctionName.Ref))
        expect(mapping.Properties.ScalingConfig).toEqual({ MaximumConcurrency: 2 });
      else expect(mapping.Properties.ScalingConfig).toBeUndefined();
    }
  });

  it("pins every queue's MaximumMessageSize (DLQs too), and the local SQS stand-in's queues agree", async () => {
    const queues = ofType("AWS::SQS::Queue");
    expect(queues.length).toBeGreaterThan(Object.keys(manifest.queues).length);
    for (const [id, queue] of queues) expect(queue.Properties.MaximumMessageSize, id).toBe(queueMaxMessageBytes);

    const local = await startLocalSqs();
    const sqs = new SQSClient({
      endpoint: local.endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    try {
      const extra = local.createQueue("outbox-dispatcher-failures");
      const urls = [...Object.values(local.queues).flatMap((q) => [q.url, q.dlqUrl]), extra.url];
      for (const QueueUrl of urls) {
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["MaximumMessageSize"] }),
        );
        expect(Number(Attributes?.MaximumMessageSize), QueueUrl).toBe(queueMaxMessageBytes);
      }
      // And the limit bites locally as it does in the cloud.
      const QueueUrl = local.queues.notifications!.url;
      await expect(
        sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x".repeat(queueMaxMessageBytes + 1) })),
      ).rejects.toThrow(/shorter than/);
    } finally {
      sqs.destroy();
      await local.stop();
    }
  });
});

describe("HTTP API", () => {
  /** The routes' nested stack: its resources, and a parameter of it resolved to what the parent passes. */
  const routesStack = () => {
    const nested = stack.services.routes;
    const own = Template.fromStack(nested).toJSON().Resources as Record<string, Json>;
    const passed = resources[stack.getLogicalId(nested.nestedStackResource as CfnResource)]!.Properties
      .Parameters as Record<string, unknown>;
    return {
      ofType: (type: string) => Object.entries(own).filter(([, r]) => r.Type === type),
      own,
      parameter: (ref: { Ref: string }) => passed[ref.Ref],
    };
  };

  it("keeps the routes in a nested stack of their own, so neither stack nears 500 resources", () => {
    const routes = routesStack();
    expect(ofType("AWS::ApiGatewayV2::Route")).toEqual([]);
    expect(routes.ofType("AWS::ApiGatewayV2::Route").length).toBe(manifest.routes().length);
    expect(Object.keys(resources).length).toBeLessThan(450);
    expect(Object.keys(routes.own).length).toBeLessThan(450);
  });

  it("has exactly the manifest's routes, each integrated with its function", () => {
    const nested = routesStack();
    const routes = nested.ofType("AWS::ApiGatewayV2::Route");
    const expected = manifest.routes().map(({ route }) => `${route.method} ${route.path}`);
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(expected.sort());
    for (const { fn, route } of manifest.routes()) {
      const [, r] = routes.find(([, x]) => x.Properties.RouteKey === `${route.method} ${route.path}`)!;
      const integrationId = r.Properties.Target["Fn::Join"][1][1].Ref;
      expect(nested.parameter(nested.own[integrationId]!.Properties.IntegrationUri)).toEqual({
        "Fn::GetAtt": [logicalId(stack.services.functions[fn.name]!.function), "Arn"],
      });
    }
  });

  it("lets API Gateway invoke each routed function through one permission, not one per route (the 500-resource limit)", () => {
    const nested = routesStack();
    const permissions = [...ofType("AWS::Lambda::Permission"), ...nested.ofType("AWS::Lambda::Permission")].filter(
      ([, p]) => p.Properties.Principal === "apigateway.amazonaws.com",
    );
    const routed = manifest.functions.filter((f) => f.routes?.length);
    expect(permissions).toHaveLength(routed.length);
    const target = (p: Json) => {
      const name = p.Properties.FunctionName;
      return (name.Ref ? nested.parameter(name) : name) as Json;
    };
    for (const fn of routed) {
      const id = logicalId(stack.services.functions[fn.name]!.function);
      expect(permissions.filter(([, p]) => target(p)["Fn::GetAtt"]?.[0] === id), fn.name).toHaveLength(1);
    }
  });

  it("logs access to a log group and throttles the $default stage", () => {
    template.hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      StageName: "$default",
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 },
      AccessLogSettings: {
        DestinationArn: { "Fn::GetAtt": [logicalId(stack.services.accessLogs), "Arn"] },
        Format: Match.stringLikeRegexp("\\$context\\.requestId"),
      },
    });
  });

  it("throttles the public routes (hosted pages, health, Stripe's webhook) below the default, and deploys the stage after its routes", () => {
    const [[stageId, stage]] = ofType("AWS::ApiGatewayV2::Stage") as [[string, Json]];
    const settings = stage.Properties.RouteSettings as Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }>;
    const isPublic = (path: string) =>
      path.startsWith("/i/") || path.startsWith("/c/") || path.startsWith("/l/") || path.startsWith("/u/") || path === "/v1/health" || path === "/webhooks/stripe";
    const publicKeys = manifest.routes().filter(({ route }) => isPublic(route.path)).map(({ route }) => `${route.method} ${route.path}`);
    expect(publicKeys).toEqual(expect.arrayContaining(["GET /i/{token}", "POST /i/{token}/pay", "GET /v1/health", "POST /webhooks/stripe"]));
    expect(Object.keys(settings).sort()).toEqual(publicKeys.sort());
    const { ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst } = stage.Properties.DefaultRouteSettings;
    for (const key of publicKeys) {
      expect(settings[key]!.ThrottlingRateLimit, key).toBeLessThan(rate);
      expect(settings[key]!.ThrottlingBurstLimit, key).toBeLessThan(burst);
    }
    expect(settings["GET /v1/health"]).toEqual({ ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 });
    expect(settings["POST /i/{token}/pay"]).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    expect(settings["POST /c/{token}/payment-method"]).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    expect(settings["POST /l/{slug}/price"]).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    expect(settings["POST /webhooks/stripe"]).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const routeIds = ofType("AWS::ApiGatewayV2::Route").map(([id]) => id);
    expect(resources[stageId]!.DependsOn).toEqual(expect.arrayContaining(routeIds));
  });
});

describe("observability", () => {
  it("logs the route key in API access logs, never the raw path (hosted paths carry page tokens)", () => {
    const [[, stage]] = ofType("AWS::ApiGatewayV2::Stage") as [[string, Json]];
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format) as Record<string, string>;
    expect(format.routeKey).toBe("$context.routeKey");
    expect(Object.values(format).filter((v) => /\$context\.(path|rawPath)\b|\$request\.path/.test(v))).toEqual([]);
  });

  it("traces every function with X-Ray (active) and lets its role write traces", () => {
    for (const fn of manifest.functions) {
      const built = stack.services.functions[fn.name]!;
      expect(resources[logicalId(built.function)]!.Properties.TracingConfig, fn.name).toEqual({ Mode: "Active" });
      const policies = ofType("AWS::IAM::Policy").filter(([, p]) =>
        (p.Properties.Roles as Json[]).some((r) => r.Ref === logicalId(built.role)),
      );
      const actions = policies.flatMap(([, p]) =>
        (p.Properties.PolicyDocument.Statement as Json[]).flatMap((st) => [st.Action].flat()),
      );
      expect(actions, fn.name).toEqual(expect.arrayContaining(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]));
    }
  });

  it("has each recurring schedule deliver the time it was due, from which the billing consumer reports its lag", () => {
    const schedules = ofType("AWS::Scheduler::Schedule").filter(([, s]) => s.Properties.ScheduleExpression.startsWith("rate"));
    expect(schedules.length).toBe(manifest.schedules.length);
    for (const [, s] of schedules)
      expect(JSON.parse(s.Properties.Target.Input)).toMatchObject({ scheduledAt: "<aws.scheduler.scheduled-time>" });
  });
});

describe("table and outbox stream", () => {
  it("is on-demand with PITR, TTL, a NEW_IMAGE stream, AWS-managed encryption, the GSIs, RETAIN and deletion protection", () => {
    template.hasResource("AWS::DynamoDB::Table", {
      DeletionPolicy: "Retain",
      UpdateReplacePolicy: "Retain",
      Properties: {
        DeletionProtectionEnabled: true,
        BillingMode: "PAY_PER_REQUEST",
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        TimeToLiveSpecification: { AttributeName: tableDefinition.ttlAttribute, Enabled: true },
        StreamSpecification: { StreamViewType: "NEW_IMAGE" },
        SSESpecification: { SSEEnabled: true },
        KeySchema: [
          { AttributeName: tableDefinition.partitionKey, KeyType: "HASH" },
          { AttributeName: tableDefinition.sortKey, KeyType: "RANGE" },
        ],
        GlobalSecondaryIndexes: tableDefinition.indexes.map((index) => ({
          IndexName: index.name,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: "HASH" },
            { AttributeName: index.sortKey, KeyType: "RANGE" },
          ],
          Projection: { ProjectionType: "ALL" },
        })),
      },
    });
    template.resourceCountIs("AWS::DynamoDB::Table", 1);
  });

  it("feeds the dispatcher: filtered to outbox events, bisecting, with an SQS on-failure destination", () => {
    const streamFunctions = manifest.functions.filter((f) => f.stream);
    expect(streamFunctions.map((f) => f.name)).toEqual(["outbox-dispatcher"]);
    for (const definition of streamFunctions) {
      const stream = definition.stream!;
      const mappings = ofType("AWS::Lambda::EventSourceMapping").filter(
        ([, m]) =>
          m.Properties.FunctionName.Ref === logicalId(stack.services.functions[definition.name]!.function),
      );
      expect(mappings).toHaveLength(1);
      const props = mappings[0]![1].Properties;
      expect(props).toMatchObject({
        EventSourceArn: { "Fn::GetAtt": [logicalId(stack.data.table), "StreamArn"] },
        StartingPosition: "LATEST",
        BatchSize: stream.batchSize,
        MaximumBatchingWindowInSeconds: stream.maxBatchingWindowSeconds,
        MaximumRetryAttempts: stream.retryAttempts,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ["ReportBatchItemFailures"],
        DestinationConfig: {
          OnFailure: {
            Destination: {
              "Fn::GetAtt": [logicalId(stack.data.streamFailureQueues[definition.name]!), "Arn"],
            },
          },
        },
      });
      expect(props.FilterCriteria.Filters).toHaveLength(1);
      expect(JSON.parse(props.FilterCriteria.Filters[0].Pattern)).toEqual(stream.filter);
    }
    expect(JSON.parse(JSON.stringify(manifest.functionNamed("outbox-dispatcher").stream!.filter))).toEqual({
      eventName: ["INSERT"],
      dynamodb: { NewImage: { type: { S: ["event"] } } },
    });
  });
});

describe("functions", () => {
  it("run the newest Node LTS runtime (nodejs24.x, bundled for node24) on arm64 with source maps, their own log group and the manifest's timeout", () => {
    expect(bundling.target).toBe("node24");
    template.resourceCountIs("AWS::Lambda::Function", manifest.functions.length);
    for (const definition of manifest.functions) {
      const props = fnResource(definition.name).Properties;
      expect(props.Runtime).toBe("nodejs24.x");
      expect(props.Architectures).toEqual(["arm64"]);
      expect(props.Timeout).toBe(definition.timeoutSeconds);
      expect(props.Environment.Variables.NODE_OPTIONS).toBe("--enable-source-maps");
      const logGroupId = logicalId(stack.services.functions[definition.name]!.logGroup);
      expect(props.LoggingConfig).toEqual({ LogGroup: { Ref: logGroupId } });
      expect(resources[logGroupId]!.Properties.RetentionInDays).toBe(30);
    }
  });

  it("roles have no managed policies and no wildcard action", () => {
    for (const [, role] of ofType("AWS::IAM::Role"))
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    for (const [, policy] of ofType("AWS::IAM::Policy")) {
      for (const statement of policy.Properties.PolicyDocument.Statement) {
        for (const action of list<string>(statement.Action)) expect(action).not.toContain("*");
      }
    }
  });

  it.each(manifest.functions.map((f) => [f.name, f] as const))(
    "%s has exactly the grants its manifest entry implies",
    (name, definition) => {
      expect([...grantsOf(name)].sort()).toEqual([...expectedGrants(definition)].sort());
      // `*` only where IAM has no resource type for the action.
      for (const grant of grantsOf(name)) {
        const unscoped = ["ses:GetAccount *", "dynamodb:ListStreams *", "xray:PutTraceSegments *", "xray:PutTelemetryRecords *"];
        if (grant.endsWith(" *")) expect(unscoped).toContain(grant);
      }
    },
  );

  it.each(manifest.functions.map((f) => [f.name, f] as const))(
    "%s gets exactly the environment its access implies",
    (name, definition) => {
      expect(Object.keys(fnResource(name).Properties.Environment.Variables).sort()).toEqual(
        expectedEnv(definition),
      );
    },
  );

  it("no function may post webhooks to loopback addresses: only the local runtime sets the flag", () => {
    const functions = Object.values(resources).filter((r) => r.Type === "AWS::Lambda::Function");
    expect(functions.length).toBe(manifest.functions.length);
    for (const fn of functions)
      expect(Object.keys(fn.Properties.Environment?.Variables ?? {})).not.toContain(
        envNames.allowLoopbackWebhooks,
      );
    expect(localEnvironment({ dynamodb: "", sqs: "", ses: "" }, {}, {})[envNames.allowLoopbackWebhooks]).toBe("1");
  });

  it("merchants may read the admin token, the cursor key and the data key, and nothing else of Secrets Manager", () => {
    const grants = grantsOf("merchants");
    const adminToken = logicalId(stack.data.secrets.adminToken);
    const cursorSecret = logicalId(stack.data.secrets.cursorSecret);
    const dataKey = logicalId(stack.data.secrets.dataEncryptionKey);
    expect([...grants].filter((g) => g.startsWith("secretsmanager:")).sort()).toEqual(
      [
        `secretsmanager:GetSecretValue ${adminToken}`,
        `secretsmanager:GetSecretValue ${cursorSecret}`,
        `secretsmanager:GetSecretValue ${dataKey}`,
      ].sort(),
    );
    expect(fnResource("merchants").Properties.Environment.Variables[envNames.adminTokenSecretArn]).toEqual({
      Ref: adminToken,
    });
  });

  it("exactly the functions serving a response that carries a secret, or opening one kept sealed, may read the data encryption key", () => {
    const dataKey = `secretsmanager:GetSecretValue ${logicalId(stack.data.secrets.dataEncryptionKey)}`;
    const serving = manifest.functions.filter((f) =>
      (f.routes ?? []).some((r) => (r as Operation).responseCarriesSecret),
    );
    expect(serving.map((f) => f.name).sort()).toEqual(["api-keys", "merchants", "webhook-endpoints", "workflows-api"]);
    // The workflows consumer and the outbound webhooks' consumer open signing secrets to sign what they post.
    const sealing = [
      ...serving,
      ...manifest.functions.filter((f) => f.name === "workflows" || f.name === "outbound-webhooks"),
    ];
    for (const definition of manifest.functions) {
      const grants = [...grantsOf(definition.name)];
      if (sealing.includes(definition)) {
        expect(grants, definition.name).toContain(dataKey);
        expect(fnResource(definition.name).Properties.Environment.Variables[envNames.dataEncryptionKeySecretArn]).toEqual({
          Ref: logicalId(stack.data.secrets.dataEncryptionKey),
        });
      } else expect(grants, definition.name).not.toContain(dataKey);
    }
  });

  it("merchant-facing functions cannot read the admin token", () => {
    const adminToken = logicalId(stack.data.secrets.adminToken);
    for (const name of ["merchant-settings", "api-keys"]) {
      expect(grantsOf(name)).not.toContain(`secretsmanager:GetSecretValue ${adminToken}`);
    }
  });

  it("outbox-dispatcher can send to notifications and cannot touch the table's items", () => {
    const grants = [...grantsOf("outbox-dispatcher")];
    expect(grants).toContain(`sqs:SendMessage ${logicalId(stack.data.queue("notifications"))}.Arn`);
    expect(
      grants.filter((g) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|GetItem|Query)/.test(g)),
    ).toEqual([]);
    expect(
      fnResource("outbox-dispatcher").Properties.Environment.Variables[envNames.tableName],
    ).toBeUndefined();
  });

  it("health reads but never writes", () => {
    const grants = [...grantsOf("health")];
    expect(grants.some((g) => g.startsWith("dynamodb:GetItem "))).toBe(true);
    expect(grants.filter((g) => /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem)/.test(g))).toEqual(
      [],
    );
    expect(grants.filter((g) => g.startsWith("sqs:SendMessage"))).toEqual([]);
  });
});

describe("mail, secrets, scheduler, alarms", () => {
  it("verifies the kassa:mailFrom identity and gives it to functions with email access", () => {
    template.hasResourceProperties("AWS::SES::EmailIdentity", { EmailIdentity: "billing@example.com" });
    for (const definition of manifest.functions.filter((f) => f.access.email)) {
      expect(fnResource(definition.name).Properties.Environment.Variables.MAIL_FROM).toBe(
        "billing@example.com",
      );
    }
  });

  describe("the sandbox (kassa:sandbox)", () => {
    const paying = manifest.functions.filter((f) => f.access.processors).map((f) => f.name);
    /** Each paying function's SANDBOX variable in `built`. */
    const sandboxOf = (built: KassaStack) => {
      const all = resourcesOf(built);
      return paying.map((name) => {
        const fn = built.services.functions[name]!.function.node.defaultChild as CfnResource;
        return all[built.getLogicalId(fn)]!.Properties.Environment.Variables[envNames.sandbox];
      });
    };

    it("is disabled unless the deployment enables it", () => {
      expect(paying).toEqual(expect.arrayContaining(["payments", "hosted-invoice"]));
      expect(sandboxOf(stack)).toEqual(paying.map(() => "disabled"));
    });

    it("is enabled with -c kassa:sandbox=enabled", () => {
      const enabled = buildApp({ context: { ...withMailFrom, "kassa:sandbox": "enabled" } });
      expect(paying).toEqual(expect.arrayContaining(["payments", "hosted-invoice"]));
      expect(sandboxOf(enabled.stack)).toEqual(paying.map(() => "enabled"));
    });

    it("refuses any other value", () => {
      expect(() => buildApp({ context: { ...withMailFrom, "kassa:sandbox": "yes" } })).toThrow(
        /kassa:sandbox" must be enabled or disabled/,
      );
    });
  });

  describe("the public base URL of hosted links (kassa:publicBaseUrl)", () => {
    const linking = manifest.functions.filter((f) => f.access.publicLinks).map((f) => f.name);
    const publicBaseUrlOf = (built: KassaStack, name: string) => {
      const all = resourcesOf(built);
      const fn = built.services.functions[name]!.function.node.defaultChild as CfnResource;
      return all[built.getLogicalId(fn)]!.Properties.Environment.Variables[envNames.publicBaseUrl];
    };

    it("is the HTTP API's endpoint for every function that builds hosted links, and no other", () => {
      expect(linking).toEqual(
        expect.arrayContaining(["invoices", "hosted-invoice", "billing-timers", "processor"]),
      );
      const api = logicalId(stack.services.api);
      for (const name of linking) {
        expect(show(publicBaseUrlOf(stack, name))).toBe(`${api}.ApiEndpoint`);
      }
      for (const name of manifest.functions.map((f) => f.name).filter((n) => !linking.includes(n))) {
        expect(publicBaseUrlOf(stack, name)).toBeUndefined();
      }
    });

    it("references the API resource alone, so no function depends on the routes that depend on it", () => {
      for (const name of linking) {
        const value = JSON.stringify(publicBaseUrlOf(stack, name));
        const referenced = [...value.matchAll(/"(?:Ref|Fn::GetAtt)":\[?"([^"]+)"/g)].map((m) => m[1]);
        expect(referenced.filter((id) => !id?.startsWith("AWS::"))).toEqual([logicalId(stack.services.api)]);
      }
      // Synthesis itself fails on a cycle; the stack above synthesized.
      expect(() => app.synth()).not.toThrow();
    });

    it("is the custom domain given with -c kassa:publicBaseUrl=…", () => {
      const custom = buildApp({
        context: { ...withMailFrom, "kassa:publicBaseUrl": "https://pay.example.com" },
      });
      for (const name of linking) expect(publicBaseUrlOf(custom.stack, name)).toBe("https://pay.example.com");
    });

    it("refuses a value that is not an https URL", () => {
      for (const bad of ["http://pay.example.com", "pay.example.com", "https://"]) {
        expect(() => buildApp({ context: { ...withMailFrom, "kassa:publicBaseUrl": bad } })).toThrow(
          /kassa:publicBaseUrl" must be an https:\/\/ URL/,
        );
      }
    });
  });

  it("takes the sender from -c kassa:mailFrom=…", () => {
    const other = buildApp({ context: { ...noBundling, "kassa:mailFrom": "invoices@shop.test" } });
    Template.fromStack(other.stack).hasResourceProperties("AWS::SES::EmailIdentity", {
      EmailIdentity: "invoices@shop.test",
    });
  });

  describe("kassa:mailFrom has no default", () => {
    const missing = "Set the sender address: pass -c kassa:mailFrom=billing@your-domain.com (it has no default)";

    it("cdk.json sets none", () => {
      expect(cdkJsonContext()).not.toHaveProperty("kassa:mailFrom");
    });

    it("refuses to build the stack without it, saying how to set it", () => {
      expect(() => buildApp({ context: noBundling })).toThrow(new DeploySettingError(missing));
      expect(() => buildApp({ context: { ...noBundling, "kassa:mailFrom": "not-an-address" } })).toThrow(
        /"kassa:mailFrom" must be an email address/,
      );
    });

    it("the CDK app prints that one line and exits 1, no stack trace", () => {
      const run = spawnSync(process.execPath, ["--import", "tsx", "infra/app.ts"], {
        cwd: repoRoot,
        encoding: "utf8",
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify(noBundling),
          CDK_OUTDIR: mkdtempSync(path.join(tmpdir(), "kassa-synth-")),
        },
      });
      expect(run.status).toBe(1);
      expect(run.stderr.trim()).toBe(missing);
    }, 60_000);
  });

  describe("an existing SES identity (kassa:sesIdentity)", () => {
    const importing = { ...noBundling, "kassa:mailFrom": "billing@shop.test", "kassa:sesIdentity": "shop.test" };

    it("is imported, not created, and the mailers may send from it", () => {
      const built = buildApp({ context: importing });
      const t = Template.fromStack(built.stack);
      t.resourceCountIs("AWS::SES::EmailIdentity", 0);
      const all = t.toJSON().Resources as Record<string, Json>;
      for (const definition of manifest.functions.filter((f) => f.access.email)) {
        const role = built.stack.services.functions[definition.name]!.role.node.defaultChild as CfnResource;
        const roleId = built.stack.getLogicalId(role);
        const sends = Object.values(all)
          .filter((r) => r.Type === "AWS::IAM::Policy" && r.Properties.Roles.some((x: Json) => x.Ref === roleId))
          .flatMap((r) => r.Properties.PolicyDocument.Statement)
          .filter((st: Json) => list(st.Action).includes("ses:SendEmail"))
          .map((st: Json) => show(st.Resource));
        expect(sends, definition.name).toEqual([
          "arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/shop.test",
        ]);
      }
      expect(new AwsSolutionsChecks().validateScope(built.app).violations).toEqual([]);
    });

    it("must be the sender's address or its domain", () => {
      expect(() => buildApp({ context: { ...importing, "kassa:sesIdentity": "other.test" } })).toThrow(
        /"kassa:sesIdentity" must be the sender's address or its domain/,
      );
    });
  });

  it("generates the admin token and the data encryption key at deploy and keeps every secret", () => {
    template.hasResource("AWS::SecretsManager::Secret", {
      DeletionPolicy: "Retain",
      Properties: { GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 48 } },
    });
    template.hasResource("AWS::SecretsManager::Secret", {
      DeletionPolicy: "Retain",
      Properties: { GenerateSecretString: { ExcludePunctuation: true, PasswordLength: 64 } },
    });
    template.resourceCountIs("AWS::SecretsManager::Secret", 5);
    for (const secret of Object.values(stack.data.secrets)) {
      expect(resources[logicalId(secret)]?.DeletionPolicy).toBe("Retain");
    }
  });

  it("runs the daily payout chain sweep on the billing queue", () => {
    template.hasResourceProperties("AWS::Scheduler::Schedule", {
      Name: "payout-chain-sweep",
      ScheduleExpression: "rate(1 day)",
      Target: Match.objectLike({
        Input: JSON.stringify({ kind: "payouts.sweep", scheduledAt: "<aws.scheduler.scheduled-time>" }),
      }),
    });
  });

  it("sends what a schedule cannot deliver to the schedule DLQ, which the scheduler role may write to", () => {
    const dlqArn = { "Fn::GetAtt": [logicalId(stack.data.scheduleDlq), "Arn"] };
    const recurring = ofType("AWS::Scheduler::Schedule");
    expect(recurring.length).toBe(manifest.schedules.length);
    for (const [, schedule] of recurring) expect(schedule.Properties.Target.DeadLetterConfig).toEqual({ Arn: dlqArn });
    const roleStatements = ofType("AWS::IAM::Policy")
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === logicalId(stack.data.schedulerRole)))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    const sendable = roleStatements
      .filter((st: Json) => st.Effect === "Allow" && st.Action === "sqs:SendMessage")
      .flatMap((st: Json) => [st.Resource].flat());
    expect(sendable).toContainEqual(dlqArn);
    // The one-time schedules the functions create at run time name it too (shared/aws/scheduler.ts).
    const schedulers = manifest.functions.filter((fn) => fn.access.scheduleTo?.length);
    expect(schedulers.length).toBeGreaterThan(0);
    for (const fn of schedulers) {
      const env = resources[logicalId(stack.services.functions[fn.name]!.function)]!.Properties.Environment.Variables;
      expect(env[envNames.schedulerDlqArn]).toEqual(dlqArn);
    }
  });

  it("names the schedule group after the stack and its id (a redeploy never meets a leftover group) and hands that name to the functions", () => {
    const [[groupId, group]] = ofType("AWS::Scheduler::ScheduleGroup") as [[string, Json]];
    // Kept (its pending schedules with it): the unique name is what lets a redeploy create a new one.
    expect(group.DeletionPolicy).toBe("Retain");
    expect(group.UpdateReplacePolicy).toBe("Retain");
    const stackUuid = { "Fn::Select": [2, { "Fn::Split": ["/", { Ref: "AWS::StackId" }] }] };
    expect(group.Properties.Name).toEqual({
      "Fn::Join": ["", ["Kassa-", { "Fn::Select": [0, { "Fn::Split": ["-", stackUuid] }] }]],
    });
    const schedulers = manifest.functions.filter((fn) => fn.access.scheduleTo?.length);
    expect(schedulers.length).toBeGreaterThan(0);
    for (const fn of schedulers) {
      const env = fnResource(fn.name).Properties.Environment.Variables;
      expect(env[envNames.schedulerGroup]).toEqual({ Ref: groupId });
    }
    for (const [, schedule] of ofType("AWS::Scheduler::Schedule"))
      expect(schedule.Properties.GroupName).toEqual({ Ref: groupId });
  });

  it("has a role only EventBridge Scheduler can assume", () => {
    template.hasResourceProperties("AWS::IAM::Role", {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: "scheduler.amazonaws.com" } })],
      },
    });
  });

  it("alarms on every DLQ's depth (ScheduleDeliveryFailures of the one-time schedules too), every function's errors, the outbox stream's iterator age and API 5xx", () => {
    const alarms = ofType("AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);
    const dlqs = [
      ...Object.values(stack.data.queues).map((p) => p.dlq),
      ...Object.values(stack.data.streamFailureQueues),
      stack.data.scheduleDlq,
    ];
    for (const dlq of dlqs) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          MetricName: "ApproximateNumberOfMessagesVisible",
          Namespace: "AWS/SQS",
          Threshold: 0,
          ComparisonOperator: "GreaterThanThreshold",
          Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [logicalId(dlq), "QueueName"] } }],
        }),
      );
    }
    for (const fn of Object.values(stack.services.functions)) {
      expect(alarms).toContainEqual(
        expect.objectContaining({
          MetricName: "Errors",
          Namespace: "AWS/Lambda",
          Dimensions: [{ Name: "FunctionName", Value: { Ref: logicalId(fn.function) } }],
        }),
      );
    }
    expect(alarms).toContainEqual(
      expect.objectContaining({ MetricName: "5xx", Namespace: "AWS/ApiGateway" }),
    );
    const streamFunctions = manifest.functions.filter((f) => f.stream);
    expect(streamFunctions.length).toBeGreaterThan(0);
    for (const definition of streamFunctions) {
      const fn = stack.services.functions[definition.name]!;
      expect(alarms).toContainEqual(
        expect.objectContaining({
          MetricName: "IteratorAge",
          Namespace: "AWS/Lambda",
          Statistic: "Maximum",
          Threshold: 3_600_000,
          ComparisonOperator: "GreaterThanThreshold",
          Dimensions: [{ Name: "FunctionName", Value: { Ref: logicalId(fn.function) } }],
          AlarmDescription: expect.stringMatching(/npm run redispatch/),
        }),
      );
    }
    expect(alarms).toHaveLength(dlqs.length + manifest.functions.length + streamFunctions.length + 2);
    for (const alarm of alarms) expect(alarm.AlarmActions).toEqual([{ Ref: logicalId(stack.alarms.topic) }]);
  });

  it("alarms on the first RejectedProcessorEvents point the stripe-events consumer emits (EMF, service dimension)", () => {
    expect(ofType("AWS::Logs::MetricFilter")).toEqual([]);
    const alarms = ofType("AWS::CloudWatch::Alarm").map(([, a]) => a.Properties);
    expect(alarms).toContainEqual(
      expect.objectContaining({
        Namespace: "Kassa",
        MetricName: "RejectedProcessorEvents",
        Dimensions: [{ Name: "service", Value: "kassa" }],
        Statistic: "Sum",
        Threshold: 1,
        ComparisonOperator: "GreaterThanOrEqualToThreshold",
        AlarmActions: [{ Ref: logicalId(stack.alarms.topic) }],
      }),
    );
  });
});

describe("outputs", () => {
  it("name the table and the queues the outbox dispatcher feeds, for npm run redispatch", () => {
    const outputs = template.toJSON().Outputs as Record<string, Json>;
    expect(outputs.TableName!.Value).toEqual({ Ref: logicalId(stack.data.table) });
    expect(outputs.NotificationsQueueUrl!.Value).toEqual({ Ref: logicalId(stack.data.queue("notifications")) });
    expect(outputs.BillingQueueUrl!.Value).toEqual({ Ref: logicalId(stack.data.queue("billing")) });
  });
});

describe("dashboard", () => {
  const body = () => {
    const [[, dashboard]] = ofType("AWS::CloudWatch::Dashboard") as [[string, Json]];
    return show(dashboard.Properties.DashboardBody);
  };

  it("graphs every Kassa metric by its one name, summed over whatever dimensions it is emitted with", () => {
    template.resourceCountIs("AWS::CloudWatch::Dashboard", 1);
    expect(Object.values(metricNames).sort()).toEqual([
      "BillingRunLag",
      "InvoicesFinalized",
      "PaymentsFailed",
      "PaymentsSucceeded",
      "Refunds",
      "RejectedProcessorEvents",
      "WebhookDeliveriesFailed",
    ]);
    for (const name of Object.values(metricNames)) {
      expect(body()).toContain(`SEARCH('Namespace=\\"${metricsNamespace}\\" MetricName=\\"${name}\\"'`);
    }
  });

  it("graphs the platform's metrics: API, every function, every queue and the outbox stream", () => {
    const text = body();
    for (const metric of ["Count", "4xx", "5xx", "Latency", "Invocations", "Errors", "Throttles", "Duration"])
      expect(text).toContain(`"${metric}"`);
    for (const metric of ["ApproximateNumberOfMessagesVisible", "ApproximateAgeOfOldestMessage", "IteratorAge"])
      expect(text).toContain(`"${metric}"`);
    for (const fn of Object.values(stack.services.functions)) expect(text).toContain(logicalId(fn.function));
    for (const pair of Object.values(stack.data.queues)) {
      expect(text).toContain(logicalId(pair.queue));
      expect(text).toContain(logicalId(pair.dlq));
    }
  });
});

describe("scheduling (a manifest with schedules)", () => {
  const scheduled: KassaManifest = {
    queues: {
      ...manifest.queues,
      billing: { visibilityTimeoutSeconds: 360, maxReceiveCount: 3, retentionDays: 4 },
    },
    functions: [
      ...manifest.functions,
      {
        name: "billing-run",
        entry: "functions/notifications/send.ts",
        description: "test: schedules billing work",
        timeoutSeconds: 60,
        queue: { name: "billing" as never, batchSize: 5 },
        access: { table: "readwrite", scheduleTo: ["billing" as never] },
      },
    ],
    schedules: [
      {
        name: "billing-sweep",
        expression: "rate(1 hour)",
        queue: "billing" as never,
        payload: { kind: "sweep" },
      },
    ],
  };

  it("creates the schedules, lets the scheduler role send to their queues and binds scheduleTo", () => {
    const app2 = new App({ context: { ...noBundling, "kassa:mailFrom": "a@b.co" } });
    const s = new KassaStack(app2, "Scheduled", { manifest: scheduled });
    const t = Template.fromStack(s);
    const id = (c: { node: { defaultChild?: unknown } }) =>
      s.getLogicalId(c.node.defaultChild as CfnResource);
    const billing = s.data.queue("billing");
    t.hasResourceProperties("AWS::Scheduler::Schedule", {
      Name: "billing-sweep",
      GroupName: { Ref: s.getLogicalId(s.data.scheduleGroup) },
      ScheduleExpression: "rate(1 hour)",
      Target: {
        Arn: { "Fn::GetAtt": [id(billing), "Arn"] },
        RoleArn: { "Fn::GetAtt": [id(s.data.schedulerRole), "Arn"] },
        Input: JSON.stringify({ kind: "sweep", scheduledAt: "<aws.scheduler.scheduled-time>" }),
        DeadLetterConfig: { Arn: { "Fn::GetAtt": [id(s.data.scheduleDlq), "Arn"] } },
      },
    });
    t.hasResourceProperties("AWS::IAM::Policy", {
      Roles: [{ Ref: id(s.data.schedulerRole) }],
      PolicyDocument: {
        Statement: [
          // …and the workflows queue, where the workflows consumer's delays go (its scheduleTo), and
          // the segments queue, where segments' flips go.
          {
            Action: "sqs:SendMessage",
            Effect: "Allow",
            Resource: [
              { "Fn::GetAtt": [id(billing), "Arn"] },
              { "Fn::GetAtt": [id(s.data.queue("segments")), "Arn"] },
              { "Fn::GetAtt": [id(s.data.queue("workflows")), "Arn"] },
            ],
          },
          { Action: "sqs:SendMessage", Effect: "Allow", Resource: { "Fn::GetAtt": [id(s.data.scheduleDlq), "Arn"] } },
        ],
      },
    });
    const fn = s.services.functions["billing-run"]!;
    const env = t.toJSON().Resources[id(fn.function)].Properties.Environment.Variables;
    expect(env).toMatchObject({
      SCHEDULER_GROUP: { Ref: s.getLogicalId(s.data.scheduleGroup) },
      SCHEDULER_ROLE_ARN: { "Fn::GetAtt": [id(s.data.schedulerRole), "Arn"] },
      SCHEDULER_DLQ_ARN: { "Fn::GetAtt": [id(s.data.scheduleDlq), "Arn"] },
      QUEUE_ARN_BILLING: { "Fn::GetAtt": [id(billing), "Arn"] },
    });
    t.hasResourceProperties("AWS::IAM::Policy", {
      Roles: [{ Ref: id(fn.role) }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ["scheduler:CreateSchedule", "scheduler:DeleteSchedule"],
            Resource: {
              "Fn::Join": ["", Match.arrayWith([":schedule/", { Ref: s.getLogicalId(s.data.scheduleGroup) }, "/*"])],
            },
          }),
          Match.objectLike({
            Action: "iam:PassRole",
            Condition: { StringEquals: { "iam:PassedToService": "scheduler.amazonaws.com" } },
          }),
        ]),
      },
    });
    expect(new AwsSolutionsChecks().validateScope(app2).violations).toEqual([]);
  });
});

describe("cdk-nag AwsSolutions", () => {
  it("reports no errors and no warnings", () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(
      report.violations.map(
        (v) => `${v.severity} ${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath)}`,
      ),
    ).toEqual([]);
    expect(Annotations.fromStack(stack).findError("*", Match.stringLikeRegexp("AwsSolutions-.*"))).toEqual(
      [],
    );
    expect(Annotations.fromStack(stack).findWarning("*", Match.stringLikeRegexp("AwsSolutions-.*"))).toEqual(
      [],
    );
  });

  it("every acknowledged rule carries a written reason", () => {
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === "aws:cdk:acknowledged-rules"))
      .flatMap((m) => Object.entries(m.data as Record<string, string | IResolvable>));
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledged) {
      expect(id).toMatch(/AwsSolutions-/);
      expect(String(typeof reason === "string" ? reason : JSON.stringify(reason)).length, id).toBeGreaterThan(
        40,
      );
    }
  });

  it("the app synthesizes with the nag plugin registered (validation passes)", () => {
    expect(() => app.synth({ force: true })).not.toThrow();
    expect(Stack.of(stack.data).stackName).toBe("Kassa");
  });
});
