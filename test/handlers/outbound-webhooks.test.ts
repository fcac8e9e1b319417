/**
 * The webhooks consumer's retry, at the AWS call: a failed attempt hides its delivery's message for
 * the backoff's delay with exactly one ChangeMessageVisibility on the webhooks queue, records the
 * attempt, and reports the record failed (so Lambda leaves the message); a 2xx deletes it (no
 * failure) and hides nothing. Ports are in-memory fakes; SQS is mocked.
 */
import { ChangeMessageVisibilityCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { outboundWebhooks } from "../../functions/outbound-webhooks/run.ts";
import { hideMessage } from "../../shared/aws/queue.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import type { DeliveryAttempt, StoredEndpoint } from "../../shared/webhooks/endpoint.ts";
import type { OutboundResult } from "../../shared/webhooks/outbound.ts";
import type { DeliveryPorts, StoredDelivery, WebhookStore } from "../../shared/webhooks/ports.ts";
import { verifySignature } from "../../shared/webhooks/signature.ts";
import { sampleEvent } from "../helpers/events.ts";

const sqs = mockClient(SQSClient);
const queueUrl = "https://sqs.us-east-1.amazonaws.com/123456789012/kassa-webhooks";
const now = new Date("2026-12-01T10:00:00.000Z");
const secret = "whsec_handler_test";

const endpoint: StoredEndpoint = {
  id: "we_1",
  url: "https://hooks.example.com/in",
  events: ["customer.*"],
  description: null,
  active: true,
  disabledAt: null,
  failingSince: null,
  previousSecretExpiresAt: null,
  createdAt: now.toISOString(),
  updatedAt: now.toISOString(),
  secret: { alg: "A256GCM", kid: "k", iv: "i", tag: "t", ciphertext: "c" },
  previousSecret: null,
};

function setup(answer: OutboundResult) {
  const delivery: StoredDelivery = {
    id: "whd_1",
    endpointId: "we_1",
    eventId: "evt_1",
    eventType: "customer.created",
    status: "pending",
    cause: "event",
    attempts: [],
    nextAttemptAt: null,
    createdAt: now.toISOString(),
    completedAt: null,
    line: { group: "cus_1", order: "000000000001#evt_1#whd_1" },
  };
  const recorded: { retry?: { attempt: DeliveryAttempt; next: Date }; completed?: string } = {};
  const posted: { body: string; headers: Record<string, string> }[] = [];
  const store = {
    readDelivery: async () => delivery,
    lineHead: async () => delivery.id,
    readEndpoint: async () => ({ value: endpoint, version: 1 }),
    event: async () => ({
      id: "evt_1",
      type: "customer.created",
      merchantId: "mer_1",
      objectId: "cus_1",
      occurredAt: now.toISOString(),
      livemode: false,
      data: { customer: { id: "cus_1" } },
    }),
    lease: async () => true,
    recordRetry: async (_m: string, _d: StoredDelivery, attempt: DeliveryAttempt, next: Date) => {
      recorded.retry = { attempt, next };
    },
    complete: async (_m: string, _d: StoredDelivery, outcome: { status: string }) => {
      recorded.completed = outcome.status;
    },
    markFailing: async () => {},
    markHealthy: async () => {},
  } as unknown as WebhookStore;
  const ports: DeliveryPorts = {
    store,
    sealer: { seal: async () => endpoint.secret, open: async () => secret },
    queues: { deliver: async () => {}, replay: async () => {} },
    clock: fixedClock(now),
    outbound: {
      post: async (request) => {
        posted.push({ body: request.body, headers: request.headers });
        return answer;
      },
    },
    retry: { firstDelaySeconds: 30, random: () => 0.999_999 },
    timeoutMs: 10_000,
  };
  const handler = outboundWebhooks(() => ports, (handle, seconds) => hideMessage("webhooks", handle, seconds));
  const record = {
    ...sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json").Records[0]!,
    messageId: "msg-1",
    receiptHandle: "receipt-1",
    body: JSON.stringify({ kind: "webhook.deliver", merchantId: "mer_1", endpointId: "we_1", deliveryId: "whd_1" }),
  };
  return { handler, record, recorded, posted };
}

describe("the webhooks consumer's retries", () => {
  beforeEach(() => {
    sqs.reset();
    process.env.QUEUE_URL_WEBHOOKS = queueUrl;
  });

  it("hides a failed attempt's message for the backoff's delay and reports the record failed", async () => {
    sqs.on(ChangeMessageVisibilityCommand).resolves({});
    const { handler, record, recorded, posted } = setup({ outcome: "responded", status: 500, body: "<b>down</b>", durationMs: 12 });

    expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [{ itemIdentifier: "msg-1" }] });

    expect(sqs).toHaveReceivedCommandTimes(ChangeMessageVisibilityCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(ChangeMessageVisibilityCommand, {
      QueueUrl: queueUrl,
      ReceiptHandle: "receipt-1",
      VisibilityTimeout: 30,
    });
    expect(recorded.retry).toEqual({
      attempt: { at: now.toISOString(), status: 500, responseBody: "<b>down</b>", durationMs: 12 },
      next: new Date(now.getTime() + 30_000),
    });
    expect(recorded.completed).toBeUndefined();
    const [sent] = posted;
    expect(sent?.headers).toMatchObject({
      "content-type": "application/json",
      "user-agent": "Kassa-Webhooks/1",
      "Kassa-Event-Id": "evt_1",
    });
    expect(verifySignature(sent?.headers["Kassa-Signature"] ?? "", secret, sent?.body ?? "", now.getTime() / 1000)).toBe(true);
  });

  it("completes a 2xx attempt: nothing hidden, the record done", async () => {
    const { handler, record, recorded } = setup({ outcome: "responded", status: 204, body: "", durationMs: 5 });

    expect(await handler({ Records: [record] })).toEqual({ batchItemFailures: [] });

    expect(sqs).toHaveReceivedCommandTimes(ChangeMessageVisibilityCommand, 0);
    expect(recorded.completed).toBe("succeeded");
    expect(recorded.retry).toBeUndefined();
  });
});
