/**
 * The one list of everything that runs: functions with their routes, queue subscriptions, stream
 * subscription, schedules, environment and the access each needs. `infra/stack.ts` builds the cloud
 * from it and `infra/local/` starts the laptop stack from it, so the two cannot drift.
 */
import type { SecretName } from "../shared/config.ts";
import type { Auth, HttpMethod } from "../shared/http/operation.ts";
import * as checkoutOps from "../shared/api/checkout-sessions.ts";
import * as customerOps from "../shared/api/customers.ts";
import * as dashboardOps from "../shared/api/dashboard.ts";
import * as paymentLinkOps from "../shared/api/payment-links.ts";
import * as paymentMethodOps from "../shared/api/payment-methods.ts";
import * as invoiceOps from "../shared/api/invoices.ts";
import * as quoteOps from "../shared/api/quotes.ts";
import * as quoteTemplateOps from "../shared/api/quote-templates.ts";
import * as workflowOps from "../shared/api/workflows.ts";
import * as paymentOps from "../shared/api/payments.ts";
import * as reportOps from "../shared/api/reports.ts";
import * as ledgerExportOps from "../shared/api/ledger-exports.ts";
import * as ledgerOps from "../shared/api/ledger.ts";
import * as payoutOps from "../shared/api/payouts.ts";
import * as viewOps from "../shared/api/views.ts";
import * as segmentOps from "../shared/api/segments.ts";
import * as workflowEnrollmentOps from "../shared/api/workflow-enrollments.ts";
import * as discountCodeOps from "../shared/api/discount-codes.ts";
import { docsOperations } from "../shared/api/docs.ts";
import { stripeWebhook } from "../shared/api/stripe-webhook.ts";
import { hostedInvoiceOperations } from "../shared/api/hosted-invoices.ts";
import { hostedQuoteOperations } from "../shared/api/hosted-quotes.ts";
import * as eventOps from "../shared/api/events.ts";
import * as merchantOps from "../shared/api/merchants.ts";
import * as userOps from "../shared/api/users.ts";
import * as productOps from "../shared/api/products.ts";
import * as subscriptionOps from "../shared/api/subscriptions.ts";
import * as taskOps from "../shared/api/tasks.ts";
import * as taxRateOps from "../shared/api/tax-rates.ts";
import * as testClockOps from "../shared/api/test-clocks.ts";
import * as updateCardOps from "../shared/api/update-card.ts";
import * as portalOps from "../shared/api/portal.ts";
import * as unsubscribeOps from "../shared/api/unsubscribe.ts";
import * as webhookEndpointOps from "../shared/api/webhook-endpoints.ts";
import { eventQueues } from "../shared/outbox/routing.ts";

export interface QueueDefinition {
  /**
   * Seconds a received message stays hidden: at least `visibilityTimeoutFactor` × the consumer's
   * timeout (checked at synth), so Lambda's retries of a throttled batch never see it reappear.
   */
  readonly visibilityTimeoutSeconds: number;
  /** Receives before SQS moves the message to the queue's DLQ. */
  readonly maxReceiveCount: number;
  readonly retentionDays: number;
}

/** AWS's advice for a queue a Lambda function consumes: visibility timeout ≥ 6 × the function's timeout. */
export const visibilityTimeoutFactor = 6;

/**
 * Every queue's (and DLQ's) `MaximumMessageSize`, in the cloud and in the local stand-in alike, so a
 * message too large fails on a laptop exactly as in AWS. 256 KiB: a batch of 10 stays well inside
 * Lambda's 6 MB invocation payload, and events carry ids and a bounded snapshot, never a document.
 */
export const queueMaxMessageBytes = 262_144;

export const queues = {
  notifications: { visibilityTimeoutSeconds: 180, maxReceiveCount: 5, retentionDays: 4 },
  /** Stripe's webhooks and the sandbox's events, verified, in Stripe's event shapes. */
  "stripe-events": { visibilityTimeoutSeconds: 360, maxReceiveCount: 5, retentionDays: 14 },
  /** Timed work (shared/timers/registry.ts): the schedules' deliveries, and the events that plan them. */
  billing: { visibilityTimeoutSeconds: 360, maxReceiveCount: 5, retentionDays: 14 },
  /** Workflows (shared/workflows/): their trigger events, and the resumes their delays schedule. */
  workflows: { visibilityTimeoutSeconds: 720, maxReceiveCount: 5, retentionDays: 14 },
  /** Reports (shared/reports/): the events their rollups fold. */
  reports: { visibilityTimeoutSeconds: 180, maxReceiveCount: 5, retentionDays: 14 },
  /** Segments (shared/segments/): customers' stats events, membership flips and build pages. */
  segments: { visibilityTimeoutSeconds: 360, maxReceiveCount: 5, retentionDays: 14 },
  /** The ledger (shared/ledger/): the events that move money, posted once each. */
  ledger: { visibilityTimeoutSeconds: 180, maxReceiveCount: 5, retentionDays: 14 },
  /**
   * Outbound webhooks (shared/webhooks/): the catalogued events, one message per delivery, and
   * replays' pages. A failed attempt hides its delivery's message for the backoff's delay
   * (ChangeMessageVisibility) and leaves it on the queue, so a delivery's receive count is its
   * attempt count: about 20 attempts fit in the three days of retries (shared/webhooks/endpoint.ts),
   * and the retention outlasts them.
   */
  webhooks: { visibilityTimeoutSeconds: 300, maxReceiveCount: 40, retentionDays: 5 },
} as const satisfies Record<string, QueueDefinition>;

export type QueueName = keyof typeof queues;

/** A route: the API operations (shared/api/) are routes, so a function lists the operations it serves. */
export interface RouteDefinition {
  readonly method: HttpMethod;
  /** API Gateway route path, with `{param}` placeholders. */
  readonly path: string;
  readonly auth: Auth;
}

export interface FunctionAccess {
  readonly table?: "read" | "readwrite";
  /** Queues the function sends to. */
  readonly sendTo?: readonly QueueName[];
  /** Reads queue attributes of every queue (health checks). */
  readonly inspectQueues?: boolean;
  /** Sends email through SES from the configured identity. */
  readonly email?: boolean;
  /** Creates and deletes one-time schedules that target these queues. */
  readonly scheduleTo?: readonly QueueName[];
  readonly secrets?: readonly SecretName[];
  /** Chooses a merchant's payment processor: told whether the deployment lets the sandbox take payments. */
  readonly processors?: boolean;
  /** Builds links to the deployment's public pages (an invoice's `hostedUrl`, return URLs): told its public base URL. */
  readonly publicLinks?: boolean;
}

export interface FunctionDefinition {
  /** Unique, kebab-case; the Lambda's logical name and the local runtime's. */
  readonly name: string;
  /** Module exporting `handler`, relative to the repository root. */
  readonly entry: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memoryMb?: number;
  readonly routes?: readonly RouteDefinition[];
  readonly queue?: {
    readonly name: QueueName;
    readonly batchSize: number;
    readonly maxBatchingWindowSeconds?: number;
    /** At most this many concurrent invocations from the queue (Lambda's minimum is 2). */
    readonly maxConcurrency?: number;
  };
  /** Subscribes to the table's stream (the outbox dispatcher). */
  readonly stream?: {
    readonly batchSize: number;
    readonly maxBatchingWindowSeconds: number;
    readonly retryAttempts: number;
    /** Lambda event filter pattern, applied by the event source mapping and the local poller alike. */
    readonly filter: Record<string, unknown>;
  };
  readonly access: FunctionAccess;
  readonly env?: Readonly<Record<string, string>>;
}

export interface ScheduleDefinition {
  readonly name: string;
  /** EventBridge Scheduler expression: `rate(…)` or `cron(…)`. */
  readonly expression: string;
  /** Merchant-independent schedules fire in UTC. */
  readonly queue: QueueName;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Outbox event items only: the stream also carries every other write, which the dispatcher ignores. */
export const outboxFilter = {
  eventName: ["INSERT"],
  dynamodb: { NewImage: { type: { S: ["event"] } } },
};

/** Everything that can move money: the stores, the processors' secrets, the sandbox's event queue and settlement timer. */
const paymentsAccess = {
  table: "readwrite",
  secrets: ["cursorSecret", "stripeSecretKey", "stripeWebhookSecret"],
  sendTo: ["stripe-events"],
  scheduleTo: ["billing"],
  processors: true,
  publicLinks: true,
} as const satisfies FunctionAccess;

/** Saving a method talks to the processor (Stripe Customers, attach) but moves no money and emits no events. */
const paymentMethodsAccess = {
  table: "readwrite",
  secrets: ["cursorSecret", "stripeSecretKey"],
  processors: true,
} as const satisfies FunctionAccess;

const merchantApi = { table: "readwrite", secrets: ["cursorSecret"] } as const satisfies FunctionAccess;

export const functions: readonly FunctionDefinition[] = [
  {
    name: "health",
    entry: "functions/api/health.ts",
    description: "GET /v1/health: reports whether the table, the queues and the mailer answer",
    timeoutSeconds: 10,
    routes: [merchantOps.health],
    access: { table: "read", inspectQueues: true, email: true },
  },
  {
    name: "docs",
    entry: "functions/api/docs.ts",
    description: "GET /v1/openapi.json and GET /docs: the OpenAPI 3.1 document and the HTML API reference",
    timeoutSeconds: 10,
    routes: docsOperations,
    access: {},
  },
  {
    name: "merchants",
    entry: "functions/api/merchants.ts",
    description: "Platform admin: create and list merchants",
    timeoutSeconds: 10,
    routes: [merchantOps.createMerchant, merchantOps.listMerchants],
    access: { table: "readwrite", secrets: ["adminToken", "cursorSecret", "dataEncryptionKey"] },
  },
  {
    name: "merchant-settings",
    entry: "functions/api/merchant-settings.ts",
    description: "The authenticated merchant's settings",
    timeoutSeconds: 10,
    routes: [merchantOps.getMerchant, merchantOps.updateMerchant],
    access: merchantApi,
  },
  {
    name: "api-keys",
    entry: "functions/api/api-keys.ts",
    description: "List, create and revoke API keys",
    timeoutSeconds: 10,
    routes: merchantOps.apiKeyOperations,
    access: { ...merchantApi, secrets: [...merchantApi.secrets, "dataEncryptionKey"] },
  },
  {
    name: "users",
    entry: "functions/api/users.ts",
    description: "The team: invite, list, get, update and remove users; resend an invitation",
    timeoutSeconds: 10,
    routes: userOps.userOperations,
    access: merchantApi,
  },
  {
    name: "customers",
    entry: "functions/api/customers.ts",
    description: "Customers: create, list, get, update, delete",
    timeoutSeconds: 10,
    routes: customerOps.customerOperations,
    access: merchantApi,
  },
  {
    name: "payment-methods",
    entry: "functions/api/payment-methods.ts",
    description: "A customer's saved payment methods: attach, list, remove",
    timeoutSeconds: 15,
    routes: paymentMethodOps.paymentMethodOperations,
    access: paymentMethodsAccess,
  },
  {
    name: "discount-codes",
    entry: "functions/api/discount-codes.ts",
    description: "Discount codes: create, list, get, update (terms frozen once created)",
    timeoutSeconds: 10,
    routes: discountCodeOps.discountCodeOperations,
    access: merchantApi,
  },
  {
    name: "events",
    entry: "functions/api/events.ts",
    description: "The events feed: list and get the merchant's domain events",
    timeoutSeconds: 10,
    routes: eventOps.eventOperations,
    access: merchantApi,
  },
  {
    name: "products",
    entry: "functions/api/products.ts",
    description: "Products and their prices: create, list, get, update, delete (archive once referenced)",
    timeoutSeconds: 10,
    routes: productOps.productOperations,
    access: merchantApi,
  },
  {
    name: "tax-rates",
    entry: "functions/api/tax-rates.ts",
    description: "Tax rates: create, list, get, update (percentage and inclusive are immutable)",
    timeoutSeconds: 10,
    routes: taxRateOps.taxRateOperations,
    access: merchantApi,
  },
  {
    name: "tasks",
    entry: "functions/api/tasks.ts",
    description: "Tasks: create, list, get, update (status done/open, title, body, due date)",
    timeoutSeconds: 10,
    routes: taskOps.taskOperations,
    access: merchantApi,
  },
  {
    name: "test-clocks",
    entry: "functions/api/test-clocks.ts",
    description: "Test clocks (test mode): create, list, get, advance, delete",
    timeoutSeconds: 10,
    routes: testClockOps.testClockOperations,
    access: merchantApi,
  },
  {
    name: "invoices",
    entry: "functions/api/invoices.ts",
    description: "Invoices: drafts, finalize, send, void, uncollectible, manual payments, PDF",
    timeoutSeconds: 20,
    memoryMb: 1024,
    routes: invoiceOps.invoiceOperations,
    access: { ...merchantApi, publicLinks: true },
  },
  {
    name: "quotes",
    entry: "functions/api/quotes.ts",
    description:
      "Quotes: drafts, publish (number, frozen PDF, hosted page), revise, cancel, offline acceptance, PDF, signed PDF",
    timeoutSeconds: 20,
    memoryMb: 1024,
    routes: quoteOps.quoteOperations,
    // Publishing plans the quote's expiry on the billing queue; its hostedUrl is on the public base URL.
    access: { ...merchantApi, publicLinks: true, scheduleTo: ["billing"] },
  },
  {
    name: "quote-templates",
    entry: "functions/api/quote-templates.ts",
    description: "Quote templates: create, list, get, update, delete (one default per merchant)",
    timeoutSeconds: 10,
    routes: quoteTemplateOps.quoteTemplateOperations,
    access: merchantApi,
  },
  {
    name: "workflows-api",
    entry: "functions/api/workflows.ts",
    description:
      "Workflows: create (own steps or a template), list, get, update (versioned), delete; versions; templates",
    timeoutSeconds: 10,
    routes: workflowOps.workflowOperations,
    // Seals a webhook step's signing secret (and the create response that shows it, for replays).
    access: { ...merchantApi, secrets: [...merchantApi.secrets, "dataEncryptionKey"] },
  },
  {
    name: "subscriptions",
    entry: "functions/api/subscriptions.ts",
    description:
      "Subscriptions: create (a start today bills its first period at once), list, get, update, cancel",
    timeoutSeconds: 25,
    routes: subscriptionOps.subscriptionOperations,
    // Creating one may bill it: an invoice charged off-session (the processor) or emailed.
    access: paymentsAccess,
  },
  {
    name: "payment-links",
    entry: "functions/api/payment-links.ts",
    description: "Payment links: create, list, get, update (deactivate), QR code",
    timeoutSeconds: 10,
    routes: paymentLinkOps.paymentLinkOperations,
    // A link's url is built on the deployment's public base URL.
    access: { ...merchantApi, publicLinks: true },
  },
  {
    name: "checkout-sessions",
    entry: "functions/api/checkout-sessions.ts",
    description: "Checkout sessions of payment links: list and get",
    timeoutSeconds: 10,
    routes: checkoutOps.checkoutSessionOperations,
    access: merchantApi,
  },
  {
    name: "views",
    entry: "functions/api/views.ts",
    description: "Saved views: named list filters",
    timeoutSeconds: 10,
    routes: viewOps.viewOperations,
    access: merchantApi,
  },
  {
    name: "segments-api",
    entry: "functions/api/segments.ts",
    description: "Segments: create, list, get, update, delete; their customers; a static segment's members",
    timeoutSeconds: 10,
    routes: segmentOps.segmentOperations,
    access: merchantApi,
  },
  {
    name: "workflow-enrollments",
    entry: "functions/api/workflow-enrollments.ts",
    description: "A workflow's enrollments: list (with their step logs), get, cancel",
    timeoutSeconds: 10,
    routes: workflowEnrollmentOps.enrollmentOperations,
    access: merchantApi,
  },
  {
    name: "payouts",
    entry: "functions/api/payouts.ts",
    description: "Payouts: list and get, with the balance transactions each pays out",
    timeoutSeconds: 10,
    routes: payoutOps.payoutOperations,
    access: merchantApi,
  },
  {
    name: "reports-api",
    entry: "functions/api/reports.ts",
    description: "Reports: revenue, customers, top customers and subscriptions (MRR) from their rollups; receivables from the open invoices",
    timeoutSeconds: 10,
    routes: reportOps.reportOperations,
    // Reads rollups only; the write is authentication's (a key's `lastUsedAt`).
    access: { table: "readwrite" },
  },
  {
    name: "ledger-api",
    entry: "functions/api/ledger.ts",
    description:
      "The ledger: entries (JSON or CSV) and trial balance; the account mapping and the Xero / QuickBooks Online journal exports",
    timeoutSeconds: 10,
    routes: [...ledgerOps.ledgerOperations, ...ledgerExportOps.ledgerExportOperations],
    // Reads the ledger; writes the account mapping and a key's `lastUsedAt` (authentication).
    access: { table: "readwrite" },
  },
  {
    name: "webhook-endpoints",
    entry: "functions/api/webhook-endpoints.ts",
    description:
      "Webhook endpoints: create (secret shown once), list, get, update, delete, rotate the secret; deliveries, redeliver, replay",
    timeoutSeconds: 10,
    routes: webhookEndpointOps.webhookEndpointOperations,
    // Secrets are sealed at rest; a redelivery and a replay's pages go on the webhooks queue.
    access: {
      ...merchantApi,
      secrets: [...merchantApi.secrets, "dataEncryptionKey"],
      sendTo: ["webhooks"],
    },
  },
  {
    name: "hosted-invoice",
    entry: "functions/hosted/invoice.ts",
    description: "The buyer's public invoice page, PDF and payment (sandbox card page or Stripe Checkout)",
    timeoutSeconds: 25,
    memoryMb: 1024,
    routes: hostedInvoiceOperations,
    access: paymentsAccess,
  },
  {
    name: "hosted-quote",
    entry: "functions/hosted/quote.ts",
    description:
      "The buyer's quote page: the quote and its PDF (the signed one once accepted), signing or accepting, declining, and the countersigners' pages",
    timeoutSeconds: 10,
    // The first download of an accepted quote's signed PDF may render it.
    memoryMb: 1024,
    routes: hostedQuoteOperations,
    access: { table: "readwrite", secrets: ["cursorSecret"] },
  },
  {
    name: "hosted-update-card",
    entry: "functions/hosted/update-card.ts",
    description:
      "The buyer's update-card page: the card on file, a new one saved as the default (sandbox card page or Stripe Checkout in setup mode)",
    timeoutSeconds: 25,
    routes: updateCardOps.updateCardOperations,
    access: { ...paymentMethodsAccess, publicLinks: true },
  },
  {
    name: "hosted-checkout",
    entry: "functions/hosted/checkout.ts",
    description:
      "A payment link's public checkout page: the offer priced on the server, the buyer's form, a checkout session started and paid (sandbox card form)",
    timeoutSeconds: 25,
    routes: checkoutOps.checkoutPageOperations,
    // Paying creates the buyer's customer and a paid invoice, charged through the processor.
    access: paymentsAccess,
  },
  {
    name: "hosted-portal",
    entry: "functions/hosted/portal.ts",
    description:
      "The customer portal: the buyer's subscriptions (cancel, pause, resume as the merchant allows), invoices and card; and the merchant's links to it",
    timeoutSeconds: 25,
    routes: portalOps.portalOperations,
    // Resuming bills the short period at once: an invoice charged off-session or emailed.
    access: paymentsAccess,
  },
  {
    name: "hosted-unsubscribe",
    entry: "functions/hosted/unsubscribe.ts",
    description:
      "The buyer's unsubscribe page from workflow emails: the page, its form and RFC 8058 one-click",
    timeoutSeconds: 10,
    routes: unsubscribeOps.unsubscribeOperations,
    access: { table: "readwrite", secrets: ["cursorSecret"] },
  },
  {
    name: "payments",
    entry: "functions/api/payments.ts",
    description: "Pay invoices through the processor; payments, their receipt PDFs, and refunds",
    timeoutSeconds: 25,
    routes: paymentOps.paymentOperations,
    access: paymentsAccess,
  },
  {
    name: "processor",
    entry: "functions/api/processor.ts",
    description: "Connect the merchant's Stripe account",
    timeoutSeconds: 25,
    routes: [paymentOps.connectStripe],
    access: { table: "readwrite", secrets: ["cursorSecret", "stripeSecretKey"], publicLinks: true },
  },
  {
    name: "dashboard",
    entry: "functions/dashboard/app.ts",
    description:
      "The merchant dashboard (/app/): sign-in by emailed link, sessions, and the team's pages and actions on the same services as the API",
    timeoutSeconds: 25,
    // Invoice and receipt PDFs render here too.
    memoryMb: 1024,
    routes: dashboardOps.dashboardOperations,
    // The union of the API functions its pages stand in for (invoices, payments, subscriptions, quotes,
    // payment links, customers, payouts, tasks, views, reports): refunding and billing move money.
    access: paymentsAccess,
  },
  {
    name: "stripe-ingest",
    entry: "functions/webhooks/stripe-ingest.ts",
    description: "Stripe's webhook endpoint: verifies the signature, queues the event",
    timeoutSeconds: 10,
    routes: [stripeWebhook],
    access: { sendTo: ["stripe-events"], secrets: ["stripeWebhookSecret"] },
  },
  {
    name: "stripe-events",
    entry: "functions/webhooks/stripe-process.ts",
    description:
      "Applies Stripe's and the sandbox's events to payments, refunds, disputes, payouts and accounts",
    timeoutSeconds: 60,
    queue: { name: "stripe-events", batchSize: 10 },
    access: paymentsAccess,
  },
  {
    name: "outbox-dispatcher",
    entry: "functions/dispatcher/outbox.ts",
    description: "Routes outbox event items from the table's stream to the queues that care",
    timeoutSeconds: 30,
    stream: { batchSize: 100, maxBatchingWindowSeconds: 1, retryAttempts: 5, filter: outboxFilter },
    access: { sendTo: [...eventQueues] },
  },
  {
    name: "billing-timers",
    entry: "functions/billing/timers.ts",
    description:
      "The billing queue's timed work: invoice reminders and overdue, payout runs and sweep, refund and charge checks, sandbox settlements, subscription billing and its sweep, test clock advances",
    timeoutSeconds: 60,
    queue: { name: "billing", batchSize: 10 },
    // The subscription sweep sends one billing message per due subscription onto its own queue, and a
    // test clock's advance continues itself by a message there; the advance delivers a clock's
    // customers' workflow delays and segment flips to their queues when they are due.
    access: {
      ...paymentsAccess,
      sendTo: [...paymentsAccess.sendTo, "billing", "workflows", "segments"],
      email: true,
    },
  },
  {
    name: "notifications",
    entry: "functions/notifications/send.ts",
    description: "Sends the emails that domain events call for",
    timeoutSeconds: 30,
    memoryMb: 1024,
    // SES sends about 14 mails a second on a new production account (1 in its sandbox): two
    // containers keep a burst of events from running into its rate limit.
    queue: { name: "notifications", batchSize: 10, maxConcurrency: 2 },
    // Subscription emails link the buyer's portal; the renewal-failure email, the update-card page.
    access: { table: "readwrite", email: true, publicLinks: true },
  },
  {
    name: "workflows",
    entry: "functions/workflows/run.ts",
    description:
      "Runs merchants' workflows: a trigger event enrolls its customer (once per enrollment key) and runs the steps; a delay's schedule resumes them",
    // A batch of 10 may each wait up to 10 s on a send_webhook step's receiver: 30 s would time the
    // batch out and post its webhooks again.
    timeoutSeconds: 120,
    queue: { name: "workflows", batchSize: 10, maxConcurrency: 2 },
    // Emails (SES), tasks and codes (the table), delays on the scheduler, links to the buyer's pages,
    // webhook steps' sealed signing secrets.
    access: {
      table: "readwrite",
      email: true,
      publicLinks: true,
      scheduleTo: ["workflows"],
      secrets: ["dataEncryptionKey"],
    },
  },
  {
    name: "reports",
    entry: "functions/reports/run.ts",
    description:
      "Folds domain events into the reports' rollups (revenue, customers, top customers, MRR), once per event and contributor",
    timeoutSeconds: 30,
    queue: { name: "reports", batchSize: 10 },
    // Rollup items and their markers; the merchant's zone and mode.
    access: { table: "readwrite" },
  },
  {
    name: "ledger",
    entry: "functions/ledger/run.ts",
    description: "Posts the double-entry lines of each money-moving event to the ledger, once per event",
    timeoutSeconds: 30,
    queue: { name: "ledger", batchSize: 10 },
    // Entries, per-account rollups and event markers; the merchant's zone and mode.
    access: { table: "readwrite" },
  },
  {
    name: "segments",
    entry: "functions/segments/run.ts",
    description:
      "Keeps customers' behaviour stats and segments' members current: events, time flips (one-time schedules) and segment builds",
    timeoutSeconds: 60,
    queue: { name: "segments", batchSize: 10 },
    // A build sends its next page to its own queue; flips wait on the scheduler.
    access: { table: "readwrite", sendTo: ["segments"], scheduleTo: ["segments"] },
  },
  {
    name: "outbound-webhooks",
    entry: "functions/outbound-webhooks/run.ts",
    description:
      "Outbound webhooks: an event's deliveries (once per endpoint and event), one signed POST per delivery message (10 s timeout, retried by the message's visibility for up to three days, in each object's order), replays' pages",
    // A batch of 3 attempts of at most 10 s each, one after another.
    timeoutSeconds: 45,
    queue: { name: "webhooks", batchSize: 3 },
    // Deliveries in the table; the endpoints' sealed secrets; deliveries' and replays' messages on its own queue.
    access: { table: "readwrite", secrets: ["dataEncryptionKey"], sendTo: ["webhooks"] },
  },
];

export const schedules: readonly ScheduleDefinition[] = [
  {
    // Re-seeds every merchant's payout chain that died (`payoutSweepMessage`, shared/payouts/run.ts).
    name: "payout-chain-sweep",
    expression: "rate(1 day)",
    queue: "billing",
    payload: { kind: "payouts.sweep" },
  },
  {
    // Bills the subscriptions whose period's schedule was missed, from the sparse due index
    // (`subscriptionSweepMessage`, shared/subscriptions/timers.ts).
    name: "subscription-billing-sweep",
    expression: "rate(15 minutes)",
    queue: "billing",
    payload: { kind: "subscription.sweep" },
  },
];

export function functionNamed(name: string): FunctionDefinition {
  const fn = functions.find((f) => f.name === name);
  if (!fn) throw new Error(`No function named ${name} in the manifest`);
  return fn;
}

/** Every HTTP route with the function that serves it. */
export function routes(): { fn: FunctionDefinition; route: RouteDefinition }[] {
  return functions.flatMap((fn) => (fn.routes ?? []).map((route) => ({ fn, route })));
}
