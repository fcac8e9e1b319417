import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/webhooks/stripe-process.ts";
import { signPayload } from "../../shared/payments/signing.ts";
import { sampleEvent } from "../helpers/events.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const tableName = "kassa-handler-test";
const webhookSecret = "whsec_handler_test_0123456789";
const now = () => Math.floor(Date.now() / 1000);
const claimKey = (eventId: string) => ({ PK: `PROCESSED#stripe-events#${eventId}`, SK: "PROCESSED" });

const stripeEvent = (id: string, type: string, object: Record<string, unknown>, account?: string) =>
  JSON.stringify({
    id,
    object: "event",
    type,
    api_version: "2025-01-27.acacia",
    created: 1767225600,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    ...(account ? { account } : {}),
    data: { object },
  });
/** A payment intent Kassa did not create: no kassa_* metadata. */
const foreignIntent = stripeEvent("evt_1Foreign", "payment_intent.succeeded", {
  id: "pi_1Foreign",
  object: "payment_intent",
  amount: 1_000,
  amount_received: 1_000,
  currency: "usd",
  metadata: {},
});
const payoutForUnknownAccount = stripeEvent(
  "evt_1Payout",
  "payout.paid",
  { id: "po_1Stripe", object: "payout", amount: 5_000, currency: "usd", status: "paid", arrival_date: 1767312000 },
  "acct_1Unknown",
);

function batch(...records: { messageId: string; payload: string; signature?: string; body?: string }[]): SQSEvent {
  const sample = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json").Records[0];
  if (!sample) throw new Error("The sample SQS event has no record");
  return {
    Records: records.map(({ messageId, payload, signature, body }) => ({
      ...sample,
      messageId,
      body: body ?? JSON.stringify({ payload, signature: signature ?? signPayload(payload, webhookSecret, now()) }),
    })),
  };
}

describe("stripe-events consumer", () => {
  beforeEach(() => {
    ddb.reset();
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    ddb.on(GetCommand).resolves({});
    process.env.TABLE_NAME = tableName;
    process.env.STRIPE_WEBHOOK_SECRET = webhookSecret;
  });

  it("claims the event id, leaves a payment intent Kassa did not create alone, then marks the claim done", async () => {
    const result = await handler(batch({ messageId: "m-1", payload: foreignIntent }));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: tableName,
      Item: expect.objectContaining({ ...claimKey("evt_1Foreign"), type: "processedMessage", status: "claimed" }),
      ConditionExpression: "attribute_not_exists(PK) OR (#status = :claimed AND claimedUntil < :now)",
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      TableName: tableName,
      Key: claimKey("evt_1Foreign"),
      UpdateExpression: "SET #status = :done",
      ExpressionAttributeValues: { ":done": "done" },
    });
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 0);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it("looks up a payout's connected account and changes nothing when no merchant connected it", async () => {
    const result = await handler(batch({ messageId: "m-1", payload: payoutForUnknownAccount }));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      TableName: tableName,
      Key: { PK: "STRIPE_ACCOUNT#acct_1Unknown", SK: "STRIPE_ACCOUNT" },
    });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: claimKey("evt_1Payout"), ExpressionAttributeValues: { ":done": "done" } });
  });

  it("does nothing for an event id it has already handled", async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} }));

    const result = await handler(batch({ messageId: "m-1", payload: payoutForUnknownAccount }));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 0);
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 0);
  });

  it("releases the claim and fails only that record when handling the event fails", async () => {
    ddb.on(GetCommand).rejects(new Error("ProvisionedThroughputExceededException"));

    const result = await handler(batch({ messageId: "m-1", payload: payoutForUnknownAccount }));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "m-1" }] });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, { TableName: tableName, Key: claimKey("evt_1Payout") });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 0);
  });

  it.each([
    ["a signature made with another secret", { signature: signPayload(foreignIntent, "whsec_someone_else_0123456789", now()) }],
    ["a signature over other bytes", { signature: signPayload(`${foreignIntent} `, webhookSecret, now()) }],
    ["a body that is not a signed event", { body: JSON.stringify({ payload: foreignIntent }) }],
    ["a body that is not JSON", { body: "{not json" }],
  ])("fails a record with %s without claiming it, and still handles the rest of the batch", async (_, bad) => {
    const result = await handler(
      batch({ messageId: "poison", payload: foreignIntent, ...bad }, { messageId: "good", payload: payoutForUnknownAccount }),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "poison" }] });
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(PutCommand, { Item: expect.objectContaining(claimKey("evt_1Payout")) });
  });

  it("accepts a queued event older than the webhook's five minutes: its age was checked at the edge", async () => {
    const result = await handler(
      batch({ messageId: "m-1", payload: foreignIntent, signature: signPayload(foreignIntent, webhookSecret, now() - 3 * 24 * 3600) }),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, { Key: claimKey("evt_1Foreign") });
  });
});
