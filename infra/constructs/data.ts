/**
 * The stateful half: the table, the queues with their DLQs, the secrets, the mail identity and the
 * schedule group with the role its schedules use. Everything here outlives a function deployment.
 */
import { Duration, Fn, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import * as dynamodb from "aws-cdk-lib/aws-dynamodb";
import * as iam from "aws-cdk-lib/aws-iam";
import * as scheduler from "aws-cdk-lib/aws-scheduler";
import * as secretsmanager from "aws-cdk-lib/aws-secretsmanager";
import * as ses from "aws-cdk-lib/aws-ses";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import type { SecretName } from "../../shared/config.ts";
import { type QueueDefinition, queueMaxMessageBytes } from "../manifest.ts";
import { table as tableDefinition } from "../table.ts";
import type { KassaManifest } from "../stack.ts";

/** How long a DLQ keeps what it caught: the SQS maximum, so an operator has time to look. */
export const dlqRetention = Duration.days(14);

export interface KassaDataProps {
  readonly manifest: KassaManifest;
  /** The address mail is sent from; SES verifies it as an email identity. */
  readonly mailFrom: string;
  /** An SES identity that exists already (the address or its domain): imported, not created. */
  readonly existingIdentity?: string;
}

export interface QueuePair {
  readonly queue: sqs.Queue;
  readonly dlq: sqs.Queue;
  readonly definition: QueueDefinition;
}

export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}

export class KassaData extends Construct {
  readonly table: dynamodb.Table;
  /** Manifest queue name → queue and its DLQ. */
  readonly queues: Readonly<Record<string, QueuePair>>;
  /** Function name → the DLQ that receives its failed stream batches (stream subscribers only). */
  readonly streamFailureQueues: Readonly<Record<string, sqs.Queue>>;
  readonly secrets: Readonly<Record<SecretName, secretsmanager.Secret>>;
  readonly mailIdentity: ses.IEmailIdentity;
  readonly mailFrom: string;
  /** The group's name (a deploy-time value: `Ref` of the group). */
  readonly scheduleGroupName: string;
  readonly scheduleGroup: scheduler.CfnScheduleGroup;
  /** Assumed by EventBridge Scheduler to deliver a schedule's payload to its queue. */
  readonly schedulerRole: iam.Role;
  /**
   * Where EventBridge Scheduler puts a schedule's payload it could not deliver (the queue gone, the
   * role refused, retries exhausted): every schedule's target names it, so no timer is lost silently.
   */
  readonly scheduleDlq: sqs.Queue;

  constructor(scope: Construct, id: string, props: KassaDataProps) {
    super(scope, id);
    const { manifest } = props;

    this.table = new dynamodb.Table(this, "Table", {
      partitionKey: { name: tableDefinition.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: tableDefinition.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: tableDefinition.ttlAttribute,
      stream: dynamodb.StreamViewType[tableDefinition.streamView],
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
      // Deleting the stack, or a change that would replace the table, fails instead of dropping the money.
      deletionProtection: true,
    });
    for (const index of tableDefinition.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }

    const queues: Record<string, QueuePair> = {};
    for (const [name, definition] of Object.entries(manifest.queues)) {
      const dlq = this.deadLetterQueue(`${pascalCase(name)}Dlq`);
      const queue = new sqs.Queue(this, `${pascalCase(name)}Queue`, {
        visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
        retentionPeriod: Duration.days(definition.retentionDays),
        encryption: sqs.QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        maxMessageSizeBytes: queueMaxMessageBytes,
        deadLetterQueue: { queue: dlq, maxReceiveCount: definition.maxReceiveCount },
      });
      queues[name] = { queue, dlq, definition };
    }
    this.queues = queues;

    const streamFailureQueues: Record<string, sqs.Queue> = {};
    for (const fn of manifest.functions.filter((f) => f.stream)) {
      const dlq = this.deadLetterQueue(`${pascalCase(fn.name)}Failures`);
      Validations.of(dlq).acknowledge({
        id: "AwsSolutions-SQS3",
        reason: `This queue is the on-failure destination of ${fn.name}'s DynamoDB stream event source mapping (a DLQ itself, not a redrive target, which is what SQS3 looks for).`,
      });
      streamFailureQueues[fn.name] = dlq;
    }
    this.streamFailureQueues = streamFailureQueues;

    const rotationReason =
      "Rotation is operator-driven: changing the value is a deliberate act (new admin token handed out, Stripe key rolled in the Stripe dashboard); functions re-read it on their next cold start.";
    const adminToken = new secretsmanager.Secret(this, "AdminToken", {
      description: "Kassa platform admin token (Bearer token for POST /v1/merchants). Generated at deploy.",
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Created with a random placeholder: the operator puts the Stripe platform secret key here
    // (`aws secretsmanager put-secret-value --secret-id <arn> --secret-string sk_live_…`). No
    // function reads it yet; one that does declares `secrets: ["stripeSecretKey"]` in the manifest.
    const stripeSecretKey = new secretsmanager.Secret(this, "StripeSecretKey", {
      description: "Stripe platform secret key (sk_…). Placeholder until the operator puts the real key.",
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Signs list cursors so clients cannot forge or alter them. Rolling it only invalidates open cursors.
    const cursorSecret = new secretsmanager.Secret(this, "CursorSecret", {
      description: "Kassa list-cursor signing key. Generated at deploy.",
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Stripe's webhook endpoint secret (whsec_…), put here by the operator after creating the
    // endpoint in Stripe; the sandbox signs its events with it too. Generated until then.
    const stripeWebhookSecret = new secretsmanager.Secret(this, "StripeWebhookSecret", {
      description: "Stripe webhook endpoint secret (whsec_…); also signs sandbox events.",
      generateSecretString: { excludePunctuation: true, passwordLength: 48 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Seals secrets kept at rest (idempotent responses that carry an API key). Rolling it: put
    // "<new> <old>" (whitespace-separated, the first seals) and drop <old> after 24 h; a value sealed
    // under a key no longer there cannot be opened.
    const dataEncryptionKey = new secretsmanager.Secret(this, "DataEncryptionKey", {
      description: "Kassa data encryption key(s) for secrets at rest; the first seals. Generated at deploy.",
      generateSecretString: { excludePunctuation: true, passwordLength: 64 },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const secrets = { adminToken, cursorSecret, stripeSecretKey, stripeWebhookSecret, dataEncryptionKey };
    for (const secret of Object.values(secrets)) {
      Validations.of(secret).acknowledge({ id: "AwsSolutions-SMG4", reason: rotationReason });
    }
    this.secrets = secrets;

    this.mailFrom = props.mailFrom;
    this.mailIdentity = props.existingIdentity
      ? ses.EmailIdentity.fromEmailIdentityName(this, "MailFrom", props.existingIdentity)
      : new ses.EmailIdentity(this, "MailFrom", { identity: ses.Identity.email(props.mailFrom) });

    // Named after the stack and its id (unique per creation): a stack deleted and deployed again
    // gets a group of its own, and two stacks in one account never share one.
    const stack = Stack.of(this);
    const stackUuid = Fn.select(2, Fn.split("/", stack.stackId));
    this.scheduleGroup = new scheduler.CfnScheduleGroup(this, "ScheduleGroup", {
      name: `${stack.stackName}-${Fn.select(0, Fn.split("-", stackUuid))}`,
    });
    this.scheduleGroupName = this.scheduleGroup.ref;
    // Deleting a group deletes its pending schedules (reminders, payout runs): a replacement (a
    // stack deployed when the group had a fixed name) keeps the old group, whose schedules still
    // fire into the same queues. The unique name is what lets a retained group never block a redeploy.
    this.scheduleGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);

    const account = Stack.of(this).account;
    this.schedulerRole = new iam.Role(this, "SchedulerRole", {
      description: "Assumed by EventBridge Scheduler to deliver Kassa schedules to their queues",
      assumedBy: new iam.ServicePrincipal("scheduler.amazonaws.com", {
        conditions: { StringEquals: { "aws:SourceAccount": account } },
      }),
    });
    const scheduledQueues = [
      ...new Set([
        ...manifest.functions.flatMap((fn) => fn.access.scheduleTo ?? []),
        ...manifest.schedules.map((s) => s.queue),
      ]),
    ].sort();
    this.scheduleDlq = this.deadLetterQueue("ScheduleDeliveryFailures");
    Validations.of(this.scheduleDlq).acknowledge({
      id: "AwsSolutions-SQS3",
      reason:
        "This queue is the dead-letter target of Kassa's EventBridge schedules (a DLQ itself, not a redrive target, which is what SQS3 looks for).",
    });
    if (scheduledQueues.length > 0) {
      this.schedulerRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ["sqs:SendMessage"],
          resources: scheduledQueues.map((name) => this.queue(name).queueArn),
        }),
      );
      this.schedulerRole.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: ["sqs:SendMessage"], resources: [this.scheduleDlq.queueArn] }),
      );
    }
  }

  /** The manifest queue of this name; throws on a name the manifest does not declare. */
  queue(name: string): sqs.Queue {
    const pair = this.queues[name];
    if (!pair)
      throw new Error(`The manifest refers to queue "${name}", which manifest.queues does not declare`);
    return pair.queue;
  }

  private deadLetterQueue(id: string): sqs.Queue {
    return new sqs.Queue(this, id, {
      retentionPeriod: dlqRetention,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      maxMessageSizeBytes: queueMaxMessageBytes,
    });
  }
}
