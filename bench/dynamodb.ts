/**
 * DynamoDB requests and consumed capacity per API operation: each handler runs in-process against
 * DynamoDB Local, with a middleware on the shared document client that asks every request for
 * `ReturnConsumedCapacity: TOTAL` and tallies what comes back. Every operation is measured after a
 * warm-up request, so the (cached) API key lookup is not counted — it is reported on its own row.
 *
 * DynamoDB Local reports capacity like on-demand DynamoDB except for transactions, which cost twice
 * in AWS (prepare + commit); the `aws wcu` column doubles transactional writes accordingly.
 */
import { randomUUID } from "node:crypto";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { benchEnvironment, benchSecrets } from "./environment.ts";
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { documentClient } from "../shared/store/dynamo.ts";
import type { Row } from "./report.ts";
import { reportRows } from "./reports.ts";
import { subscriptionReportRows } from "./reports-subscriptions.ts";

export interface Tally {
  requests: Record<string, number>;
  read: number;
  write: number;
  transactionalWrite: number;
  /** Items the reads returned or scanned (a report's O(periods) shows here, not in its one Query). */
  itemsRead: number;
  /**
   * Writes of the local scheduler stand-in, which keeps one-time schedules in the table
   * (shared/aws/scheduler.ts): deployed, they are EventBridge Scheduler requests, not DynamoDB's, so
   * they are counted here and not in `requests`.
   */
  scheduler: number;
}

const emptyTally = (): Tally => ({
  requests: {},
  read: 0,
  write: 0,
  transactionalWrite: 0,
  itemsRead: 0,
  scheduler: 0,
});
let tally = emptyTally();

/** Whether a request is the local scheduler's (its items' keys, `keys.schedule`). */
const isLocalSchedule = (input: { Item?: { PK?: unknown }; Key?: { PK?: unknown } }) =>
  String(input.Item?.PK ?? input.Key?.PK ?? "").startsWith("SCHEDULE#");
let instrumented = false;

/** The wire operations (the middleware sees the low-level command names). */
export const readCommands = new Set(["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"]);

function instrument(): void {
  if (instrumented) return;
  instrumented = true;
  documentClient().middlewareStack.add(
    (next, context) => async (args) => {
      const name = String(context.commandName ?? "unknown");
      (args.input as Record<string, unknown>).ReturnConsumedCapacity = "TOTAL";
      const short = name.replace(/Command$/, "");
      if (isLocalSchedule(args.input as Parameters<typeof isLocalSchedule>[0])) {
        tally.scheduler += 1;
        return next(args);
      }
      // Counted when sent: a cancelled transaction (a lost race that is retried) is a request too.
      tally.requests[short] = (tally.requests[short] ?? 0) + 1;
      const result = await next(args);
      const consumed = (
        result.output as { ConsumedCapacity?: { CapacityUnits?: number } | { CapacityUnits?: number }[] }
      ).ConsumedCapacity;
      const units = (Array.isArray(consumed) ? consumed : consumed ? [consumed] : []).reduce(
        (s, c) => s + (c.CapacityUnits ?? 0),
        0,
      );
      tally.itemsRead += itemsIn(result.output as Record<string, unknown>);
      if (readCommands.has(short)) tally.read += units;
      else if (short === "TransactWriteItems") tally.transactionalWrite += units;
      else tally.write += units;
      return result;
    },
    { step: "initialize", name: "kassaBenchCapacity" },
  );
}

/** The items a read's output holds: scanned by a Query or Scan, found by a Get, answered by a batch. */
function itemsIn(output: Record<string, unknown>): number {
  if (typeof output.ScannedCount === "number") return output.ScannedCount;
  if (output.Item) return 1;
  const responses = output.Responses;
  if (Array.isArray(responses)) return responses.filter((r) => r?.Item).length;
  if (responses && typeof responses === "object")
    return Object.values(responses as Record<string, unknown[]>).reduce((n, items) => n + items.length, 0);
  return 0;
}

/** The DynamoDB requests and capacity `run` used (every request of the process meanwhile). */
export async function tallied(run: () => Promise<unknown>): Promise<Tally> {
  instrument();
  tally = emptyTally();
  await run();
  return tally;
}

const context = { getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

export type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

export function event(
  routeKey: string,
  token: string,
  body?: unknown,
  pathParameters?: Record<string, string>,
  query?: Record<string, string>,
): APIGatewayProxyEventV2 {
  const [method = "GET", path = "/"] = routeKey.split(" ");
  return {
    version: "2.0",
    routeKey,
    rawPath: path,
    rawQueryString: "",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(pathParameters ? { pathParameters } : {}),
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: "bench",
      apiId: "bench",
      domainName: "bench",
      domainPrefix: "bench",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "bench" },
      requestId: randomUUID(),
      routeKey,
      stage: "$default",
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    isBase64Encoded: false,
  };
}

export const sqsClientFor = (endpoint: string) =>
  new SQSClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });

export const sqsRecord = (messageId: string, body: string) => ({
  messageId,
  receiptHandle: messageId,
  body,
  attributes: {
    ApproximateReceiveCount: "1",
    SentTimestamp: "0",
    SenderId: "bench",
    ApproximateFirstReceiveTimestamp: "0",
  },
  messageAttributes: {},
  md5OfBody: "",
  eventSource: "aws:sqs",
  eventSourceARN: "arn:aws:sqs:us-east-1:000000000000:stripe-events",
  awsRegion: "us-east-1",
});

export async function invoke(handler: Handler, e: APIGatewayProxyEventV2) {
  const result = (await handler(e, context)) as APIGatewayProxyStructuredResultV2;
  const body = result.body ? JSON.parse(result.body) : undefined;
  if ((result.statusCode ?? 500) >= 400)
    throw new Error(`${e.routeKey} → ${result.statusCode} ${result.body}`);
  return body;
}

/**
 * The access pattern's floor in requests (issue 19): a finalize batches its reads and writes once (its
 * customer as the draft recorded it, unread: the transaction checks the customer's version), a
 * payment by API reads, claims, records and settles; a get or a page is one read.
 */
export const requestFloors: Readonly<Record<string, number>> = {
  "get customer": 1,
  "list customers (page of 20)": 1,
  "finalize invoice": 2,
  "get invoice": 1,
  "list invoices (page of 20)": 1,
  "pay invoice by API (sandbox card)": 4,
};

export async function measure(operation: string, run: () => Promise<unknown>): Promise<Row> {
  const tally = await tallied(run);
  const requests = Object.values(tally.requests).reduce((a, b) => a + b, 0);
  const floor = requestFloors[operation];
  return {
    operation,
    requests,
    floor,
    "over floor": floor === undefined ? undefined : requests - floor,
    "by command": Object.entries(tally.requests)
      .map(([c, n]) => `${c}×${n}`)
      .join(" "),
    "items read": tally.itemsRead,
    rcu: tally.read,
    wcu: tally.write + tally.transactionalWrite,
    "aws wcu": tally.write + 2 * tally.transactionalWrite,
    scheduler: tally.scheduler,
  };
}

export async function dynamoSection(): Promise<Row[]> {
  const { sqs } = await benchEnvironment();
  {
    const { handler: merchants } = await import("../functions/api/merchants.ts");
    const { handler: customers } = await import("../functions/api/customers.ts");
    const { handler: products } = await import("../functions/api/products.ts");
    const { handler: invoices } = await import("../functions/api/invoices.ts");

    const rows: Row[] = [];
    let secret = "";
    rows.push(
      await measure("create merchant (admin)", async () => {
        secret = (
          await invoke(
            merchants as Handler,
            event("POST /v1/merchants", benchSecrets.adminToken, {
              name: "Bench",
              email: "bench@bench.test",
            }),
          )
        ).apiKey.secret;
      }),
    );
    rows.push(
      await measure("first request with a key: lookup + lastUsedAt + list(1)", () =>
        invoke(
          customers as Handler,
          event("GET /v1/customers", secret, undefined, undefined, { limit: "1" }),
        ),
      ),
    );
    let customerId = "";
    rows.push(
      await measure("create customer", async () => {
        customerId = (
          await invoke(
            customers as Handler,
            event("POST /v1/customers", secret, { email: "first@bench.test", name: "First" }),
          )
        ).id;
      }),
    );
    rows.push(
      await measure("create customer with Idempotency-Key", async () => {
        const e = event("POST /v1/customers", secret, { email: "idem@bench.test" });
        e.headers["idempotency-key"] = "bench-1";
        await invoke(customers as Handler, e);
      }),
    );
    rows.push(
      await measure("get customer", () =>
        invoke(customers as Handler, event("GET /v1/customers/{id}", secret, undefined, { id: customerId })),
      ),
    );
    for (let i = 0; i < 25; i++)
      await invoke(customers as Handler, event("POST /v1/customers", secret, { email: `c${i}@bench.test` }));
    rows.push(
      await measure("list customers (page of 20)", () =>
        invoke(customers as Handler, event("GET /v1/customers", secret)),
      ),
    );
    rows.push(
      await measure("create product", () =>
        invoke(
          products as Handler,
          event("POST /v1/products", secret, { name: "Espresso", unitAmount: 350, currency: "USD" }),
        ),
      ),
    );
    const draft = {
      customerId,
      currency: "USD",
      lineItems: [{ description: "Consulting", quantity: 2.5, unitAmount: 12_000 }],
      paymentTerms: "net_30",
    };
    let invoiceId = "";
    rows.push(
      await measure("create invoice (draft, 1 line)", async () => {
        invoiceId = (await invoke(invoices as Handler, event("POST /v1/invoices", secret, draft))).id;
      }),
    );
    rows.push(
      await measure("finalize invoice", () =>
        invoke(
          invoices as Handler,
          event("POST /v1/invoices/{id}/finalize", secret, undefined, { id: invoiceId }),
        ),
      ),
    );
    rows.push(
      await measure("get invoice", () =>
        invoke(invoices as Handler, event("GET /v1/invoices/{id}", secret, undefined, { id: invoiceId })),
      ),
    );
    for (let i = 0; i < 24; i++) await invoke(invoices as Handler, event("POST /v1/invoices", secret, draft));
    rows.push(
      await measure("list invoices (page of 20)", () =>
        invoke(invoices as Handler, event("GET /v1/invoices", secret)),
      ),
    );
    rows.push(
      await measure("record manual payment", () =>
        invoke(
          invoices as Handler,
          event(
            "POST /v1/invoices/{id}/payments",
            secret,
            { amount: 1000, method: "cash" },
            { id: invoiceId },
          ),
        ),
      ),
    );
    const { handler: payments } = await import("../functions/api/payments.ts");
    const { handler: stripeEvents } = await import("../functions/webhooks/stripe-process.ts");
    const unpaid = (await invoke(invoices as Handler, event("POST /v1/invoices", secret, draft)))
      .id as string;
    await invoke(
      invoices as Handler,
      event("POST /v1/invoices/{id}/finalize", secret, undefined, { id: unpaid }),
    );
    rows.push(
      await measure("pay invoice by API (sandbox card)", () =>
        invoke(
          payments as Handler,
          event("POST /v1/invoices/{id}/pay", secret, { paymentMethod: "pm_card_visa" }, { id: unpaid }),
        ),
      ),
    );
    // The sandbox's payment_intent.succeeded for that payment, as the stripe-events consumer gets it.
    const { Messages = [] } = await sqsClientFor(sqs.endpoint).send(
      new ReceiveMessageCommand({
        QueueUrl: sqs.queues["stripe-events"]?.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );
    rows.push(
      await measure("its payment_intent.succeeded event (consumer, already applied)", () =>
        stripeEvents({ Records: Messages.map((m) => sqsRecord(m.MessageId ?? "", m.Body ?? "")) } as never),
      ),
    );
    rows.push(...(await reportRows()));
    rows.push(...(await subscriptionReportRows()));
    return rows;
  }
}
