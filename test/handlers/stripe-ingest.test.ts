import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/webhooks/stripe-ingest.ts";
import { signPayload } from "../../shared/payments/signing.ts";
import { httpEvent, lambdaContext } from "../helpers/events.ts";
import { assertDocumented } from "../helpers/contract.ts";

const sqs = mockClient(SQSClient);
const ddb = mockClient(DynamoDBDocumentClient);
const webhookSecret = "whsec_handler_test_0123456789";
const queueUrl = "https://sqs.us-east-1.amazonaws.com/000000000000/kassa-stripe-events";
const payload = JSON.stringify({
  id: "evt_1HandlerTest",
  object: "event",
  type: "payment_intent.succeeded",
  created: 1767225600,
  livemode: false,
  data: { object: { id: "pi_1HandlerTest", object: "payment_intent" } },
});
const now = () => Math.floor(Date.now() / 1000);

async function deliver(body: string, signature?: string, base64 = false) {
  const event = httpEvent("POST /webhooks/stripe", {
    body: base64 ? Buffer.from(body, "utf8").toString("base64") : body,
    ...(signature ? { headers: { "stripe-signature": signature } } : {}),
  });
  const result = (await handler({ ...event, isBase64Encoded: base64 }, lambdaContext)) as APIGatewayProxyStructuredResultV2;
  assertDocumented("POST /webhooks/stripe", result);
  return { status: result.statusCode, headers: result.headers ?? {}, body: JSON.parse(result.body ?? "{}") };
}

describe("POST /webhooks/stripe", () => {
  beforeEach(() => {
    sqs.reset();
    ddb.reset();
    sqs.on(SendMessageCommand).resolves({ MessageId: "m-1" });
    process.env.STRIPE_WEBHOOK_SECRET = webhookSecret;
    process.env.QUEUE_URL_STRIPE_EVENTS = queueUrl;
  });

  it.each([
    ["a plain body", false],
    ["a base64-encoded body", true],
  ])("verifies %s and queues the exact raw payload with its signature, touching no table", async (_, base64) => {
    const signature = signPayload(payload, webhookSecret, now());

    const { status, body } = await deliver(payload, signature, base64);

    expect(status).toBe(200);
    expect(body).toEqual({ received: true, id: "evt_1HandlerTest" });
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 1);
    expect(sqs).toHaveReceivedCommandWith(SendMessageCommand, {
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify({ payload, signature }),
    });
    expect(ddb.calls()).toHaveLength(0);
  });

  it.each([
    ["no Stripe-Signature header", () => undefined],
    ["a signature made with another secret", () => signPayload(payload, "whsec_someone_else_0123456789", now())],
    ["a signature older than five minutes", () => signPayload(payload, webhookSecret, now() - 301)],
    ["a signature over other bytes", () => signPayload(`${payload} `, webhookSecret, now())],
  ])("answers 400 naming stripe-signature for %s and queues nothing", async (_, sign) => {
    const { status, headers, body } = await deliver(payload, sign());

    expect(status).toBe(400);
    expect(headers["content-type"]).toBe("application/problem+json");
    expect(body).toMatchObject({ status: 400 });
    expect(body.errors).toEqual([{ path: "stripe-signature", message: expect.any(String) }]);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 0);
  });

  it("answers 413 to a body over 1 MB and queues nothing", async () => {
    const big = JSON.stringify({ id: "evt_big", pad: "x".repeat(1024 * 1024) });

    const { status } = await deliver(big, signPayload(big, webhookSecret, now()));

    expect(status).toBe(413);
    expect(sqs).toHaveReceivedCommandTimes(SendMessageCommand, 0);
  });
});
