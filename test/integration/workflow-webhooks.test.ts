/**
 * Workflows' `send_webhook` step end to end against DynamoDB Local: a workflow created through the
 * API (its secret shown once, sealed at rest) posts a real trigger event to a loopback `node:http`
 * receiver that verifies Kassa-Signature on the raw body; a 500 is retried and then succeeds; URLs
 * the guard refuses are a 400 at save time. The test environment is the local runtime's, which
 * allows loopback receivers (the stack never does: test/infra/stack.test.ts).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as eventsApi } from "../../functions/api/events.ts";
import { handler as enrollmentsApi } from "../../functions/api/workflow-enrollments.ts";
import { handler as workflowsApi } from "../../functions/api/workflows.ts";
import { workflowEnginePorts } from "../../shared/composition.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { dynamoEventStore } from "../../shared/store/events.ts";
import { verifySignature } from "../../shared/webhooks/signature.ts";
import { enrollOnEvent } from "../../shared/workflows/engine.ts";
import { call, expectStatus, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
let shop: TestMerchant;
let server: Server;
let receiverUrl: string;

interface Received {
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  verified: boolean;
}
const received: Received[] = [];
/** The secret the receiver verifies with, and the statuses it answers in turn (then 200). */
const receiver = { secret: "", answers: [] as number[] };

const api = (handler: unknown, routeKey: string, options: Parameters<typeof call>[2] = {}) =>
  call(handler as Parameters<typeof call>[0], routeKey, { token: shop.secret, ...options });

beforeAll(async () => {
  aws = await useTestAws([]);
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const header = String(req.headers["kassa-signature"] ?? "");
      const verified = verifySignature(header, receiver.secret, raw, Math.floor(Date.now() / 1000));
      received.push({ headers: req.headers, raw, verified });
      res
        .writeHead(verified ? (receiver.answers.shift() ?? 200) : 400)
        .end(verified ? "ok" : "bad signature");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  receiverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kassa`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

beforeEach(async () => {
  shop = await newMerchant("Webhook Workflow Shop");
  received.length = 0;
  receiver.answers = [];
});

/** The shop's stored items (its partition). */
async function itemsOf() {
  const out = await aws.db.send(
    new QueryCommand({
      TableName: aws.tableName,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": `MERCHANT#${shop.id}` },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

/** A workflow on `customer.created` whose one step posts to the receiver; its secret from the response. */
async function hookWorkflow() {
  const created = await expectStatus(
    api(workflowsApi, "POST /v1/workflows", {
      body: {
        name: "Tell the CRM",
        trigger: { event: "customer.created" },
        steps: [{ type: "send_webhook", url: receiverUrl }],
      },
    }),
    201,
  );
  return created as { id: string; webhookSecret: string; webhookSecretCreatedAt: string };
}

/** A new customer through the API, and the `customer.created` event its creation stored. */
async function newCustomerEvent() {
  const customer = await expectStatus(
    api(customers, "POST /v1/customers", { body: { email: `ada-${Date.now()}@buyer.test`, name: "Ada" } }),
    201,
  );
  const page = await dynamoEventStore.list(shop.id, {
    limit: 10,
    type: "customer.created",
    objectId: customer.id,
  });
  const [event] = page.items;
  if (!event) throw new Error("No customer.created event stored");
  return event;
}

describe("a workflow's send_webhook step", () => {
  it("posts the trigger event to a loopback receiver, which verifies the signature", async () => {
    const workflow = await hookWorkflow();
    expect(workflow.webhookSecret).toMatch(/^whsec_/);
    receiver.secret = workflow.webhookSecret;
    // Shown once: a read has only when it was made; the table holds it sealed, never in plain.
    const read = await expectStatus(
      api(workflowsApi, "GET /v1/workflows/{id}", { pathParameters: { id: workflow.id } }),
    );
    expect(read).not.toHaveProperty("webhookSecret");
    expect(read.webhookSecretCreatedAt).toBe(workflow.webhookSecretCreatedAt);
    const items = await itemsOf();
    expect(JSON.stringify(items)).not.toContain(workflow.webhookSecret);
    expect(items.filter((i) => i.type === "workflowWebhookSecret")).toEqual([
      expect.objectContaining({ sealed: expect.objectContaining({ alg: "A256GCM" }) }),
    ]);

    const event = await newCustomerEvent();
    await enrollOnEvent(workflowEnginePorts(systemClock), event);

    expect(received).toHaveLength(1);
    const [delivery] = received;
    expect(delivery?.verified).toBe(true);
    expect(delivery?.headers["kassa-event-id"]).toBe(event.id);
    expect(delivery?.headers["content-type"]).toBe("application/json");
    const shown = await expectStatus(
      api(eventsApi, "GET /v1/events/{id}", { pathParameters: { id: event.id } }),
    );
    const [enrollment] = (
      await expectStatus(
        api(enrollmentsApi, "GET /v1/workflows/{id}/enrollments", { pathParameters: { id: workflow.id } }),
      )
    ).data;
    expect(JSON.parse(delivery?.raw ?? "")).toEqual({
      ...shown,
      workflowId: workflow.id,
      enrollmentId: enrollment.id,
    });
    expect(delivery?.headers["kassa-workflow-step"]).toBe(`${enrollment.id}:0`);
    expect(enrollment).toMatchObject({
      status: "completed",
      log: [{ path: "0", type: "send_webhook", status: "completed", result: { webhookStatus: 200 } }],
    });
  });

  it("an idempotent replay of the create returns the same secret (from the sealed kept response)", async () => {
    const request = {
      headers: { "idempotency-key": `wf-hook-${shop.id}` },
      body: {
        name: "Replayed",
        trigger: { event: "customer.created" },
        steps: [{ type: "send_webhook", url: receiverUrl }],
      },
    };
    const first = await expectStatus(api(workflowsApi, "POST /v1/workflows", request), 201);
    const replay = await expectStatus(api(workflowsApi, "POST /v1/workflows", request), 201);
    expect(replay.id).toBe(first.id);
    expect(replay.webhookSecret).toBe(first.webhookSecret);
    expect(JSON.stringify(await itemsOf())).not.toContain(first.webhookSecret);
  });

  it("a 500 is retried by the queue's redelivery, and the retry succeeds", async () => {
    const workflow = await hookWorkflow();
    receiver.secret = workflow.webhookSecret;
    receiver.answers = [500];
    const event = await newCustomerEvent();
    const ports = workflowEnginePorts(systemClock);

    await expect(enrollOnEvent(ports, event)).rejects.toThrow("answered 500");
    await enrollOnEvent(ports, event);

    expect(received.map((r) => r.verified)).toEqual([true, true]);
    const [enrollment] = (
      await expectStatus(
        api(enrollmentsApi, "GET /v1/workflows/{id}/enrollments", { pathParameters: { id: workflow.id } }),
      )
    ).data;
    expect(enrollment).toMatchObject({ status: "completed", attempts: 0 });
  });

  it("a second webhook step keeps the first one's secret (made once, with the first step)", async () => {
    const workflow = await hookWorkflow();
    const updated = await expectStatus(
      api(workflowsApi, "PATCH /v1/workflows/{id}", {
        pathParameters: { id: workflow.id },
        body: {
          steps: [
            { type: "send_webhook", url: receiverUrl },
            { type: "send_webhook", url: `${receiverUrl}/2` },
          ],
        },
      }),
    );
    expect(updated).not.toHaveProperty("webhookSecret");
    receiver.secret = workflow.webhookSecret;
    await enrollOnEvent(workflowEnginePorts(systemClock), await newCustomerEvent());
    expect(received.map((r) => r.verified)).toEqual([true, true]);
  });

  // In the local runtime's mode loopback is allowed; cloud mode's refusals are in test/unit/webhook-ssrf.test.ts.
  it.each([
    ["https://10.0.0.1/hook", "10.0.0.0/8"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.0.0/16"],
    ["http://0x0a000001/", "10.0.0.0/8"],
    ["https://167772161/", "10.0.0.0/8"],
    ["https://[fd00::1]/", "fc00::/7"],
    ["https://[::ffff:192.168.0.1]/", "192.168.0.0/16"],
    ["ftp://hooks.example.com/", "https"],
  ])("refuses %s at save time, naming steps.0.url and writing nothing", async (url, reason) => {
    const before = (await itemsOf()).length;
    const result = await api(workflowsApi, "POST /v1/workflows", {
      body: {
        name: "Bad hook",
        trigger: { event: "customer.created" },
        steps: [{ type: "send_webhook", url }],
      },
    });
    expect(result.status).toBe(400);
    expect(result.body.errors).toEqual([
      expect.objectContaining({ path: "steps.0.url", message: expect.stringContaining(reason) }),
    ]);
    expect((await itemsOf()).length).toBe(before);
  });
});
