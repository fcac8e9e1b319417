/**
 * What the functions log and count, read from their output as CloudWatch reads it: Powertools' JSON
 * log lines and EMF metric lines on stdout.
 */
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { DynamoDBRecord, DynamoDBStreamEvent, SQSEvent, SQSRecord } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import * as z from "zod";
import { handler as dispatch } from "../../functions/dispatcher/outbox.ts";
import { handler as hosted } from "../../functions/hosted/invoice.ts";
import { handler as products } from "../../functions/api/products.ts";
import { queues } from "../../infra/manifest.ts";
import { stripeEventPorts } from "../../shared/composition.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { emfMetrics } from "../../shared/observability.ts";
import { eventMessage } from "../../shared/outbox/message.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";
import { timerRegistry, timersConsumer, work } from "../../shared/timers/registry.ts";
import { sampleEvent } from "../helpers/events.ts";
import { httpEvent, lambdaContext } from "../helpers/events.ts";
import { merchantId, useMerchantKey } from "../helpers/handler-mocks.ts";
import { type CapturedOutput, captureOutput } from "../helpers/output.ts";

const sqs = mockClient(SQSClient);
const ddb = mockClient(DynamoDBDocumentClient);
let output: CapturedOutput;

beforeEach(() => {
  sqs.reset();
  ddb.reset();
  for (const name of Object.keys(queues))
    process.env[`QUEUE_URL_${name.toUpperCase().replace(/-/g, "_")}`] = `https://sqs.local/${name}`;
  sqs.on(SendMessageCommand).resolves({ MessageId: "m-1" });
  output = captureOutput();
});
afterEach(() => output.restore());

/** A stream record of an outbox event item, as the table's stream delivers it. */
function streamRecord(eventType: string, id: string, data: Record<string, unknown>): DynamoDBRecord {
  const sample = sampleEvent<DynamoDBStreamEvent>("dynamodb-stream-merchant-created.json").Records[0]!;
  const image = sample.dynamodb!.NewImage!;
  return {
    ...sample,
    dynamodb: {
      ...sample.dynamodb,
      NewImage: { ...image, eventType: { S: eventType }, id: { S: id }, data: { M: data as never } },
    },
  };
}

const payment = (processor: string, declineCode?: string) => ({
  payment: {
    M: {
      id: { S: "pay_1" },
      processor: { S: processor },
      ...(declineCode
        ? { failure: { M: { declineCode: { S: declineCode }, message: { S: "Declined" } } } }
        : {}),
    },
  },
});

/** The EMF lines' metrics as `{ name, value, dimensions }`, read the way CloudWatch reads them. */
const emitted = () =>
  output.metrics().map((line) => {
    const [directive] = line._aws.CloudWatchMetrics;
    const [name] = directive.Metrics.map((m: { Name: string }) => m.Name);
    const dimensions = Object.fromEntries((directive.Dimensions[0] as string[]).map((d) => [d, line[d]]));
    return { namespace: directive.Namespace, name, value: line[name], dimensions };
  });

describe("business metrics (EMF)", () => {
  it("counts each dispatched payment outcome, refund and finalized invoice once, by processor and decline code and never by merchant", async () => {
    const result = await dispatch({
      Records: [
        streamRecord("payment.succeeded", "evt_ok", payment("sandbox")),
        streamRecord("payment.failed", "evt_no", payment("stripe", "insufficient_funds")),
        streamRecord("refund.created", "evt_rf", { refund: { M: { id: { S: "re_1" } } } }),
        streamRecord("invoice.finalized", "evt_fin", { invoice: { M: { id: { S: "inv_1" } } } }),
        streamRecord("customer.created", "evt_cus", {}),
      ],
    });

    expect(result).toEqual({ batchItemFailures: [] });
    expect(emitted()).toEqual([
      {
        namespace: "Kassa",
        name: "PaymentsSucceeded",
        value: 1,
        dimensions: { service: "kassa", processor: "sandbox" },
      },
      {
        namespace: "Kassa",
        name: "PaymentsFailed",
        value: 1,
        dimensions: { service: "kassa", processor: "stripe", declineCode: "insufficient_funds" },
      },
      { namespace: "Kassa", name: "Refunds", value: 1, dimensions: { service: "kassa" } },
      { namespace: "Kassa", name: "InvoicesFinalized", value: 1, dimensions: { service: "kassa" } },
    ]);
    expect(output.text()).not.toContain(merchantId);
    expect(output.metrics().some((line) => "merchantId" in line)).toBe(false);
  });

  it("counts nothing for an event that did not go out: the retry that sends it counts it", async () => {
    sqs.on(SendMessageCommand).rejects(new Error("throttled"));

    const result = await dispatch({
      Records: [streamRecord("payment.succeeded", "evt_ok", payment("sandbox"))],
    });

    expect(result.batchItemFailures).toHaveLength(1);
    expect(emitted()).toEqual([]);
  });

  it("reports BillingRunLag: the seconds a schedule's firing ran behind the time it was due, by kind", async () => {
    const ran: string[] = [];
    const registry = timerRegistry({
      timers: {
        "thing.ring": work(
          () => z.object({ kind: z.literal("thing.ring") }),
          async () => void ran.push("ring"),
        ),
      },
    });
    const clock = fixedClock(new Date("2026-11-30T09:01:30.000Z"));
    const consume = timersConsumer(registry, { metrics: emfMetrics, clockFor: () => clock });
    const firing = (body: object) => ({ messageId: "m-1", body: JSON.stringify(body) });

    await consume({
      Records: [
        firing({ kind: "thing.ring", scheduledAt: "2026-11-30T09:00:00.000Z" }),
        // Not a schedule's firing (no due time): nothing to measure.
        firing({ kind: "thing.ring" }),
      ],
    } as SQSEvent);

    expect(ran).toEqual(["ring", "ring"]);
    expect(emitted()).toEqual([
      {
        namespace: "Kassa",
        name: "BillingRunLag",
        value: 90,
        dimensions: { service: "kassa", kind: "thing.ring" },
      },
    ]);
    expect(output.metrics()[0]?._aws.CloudWatchMetrics[0].Metrics[0].Unit).toBe("Seconds");
  });

  it("counts a rejected processor event in RejectedProcessorEvents, which the forgery alarm watches", async () => {
    process.env.TABLE_NAME = "kassa-handler-test";
    const ports = stripeEventPorts(fixedClock(new Date("2026-11-30T09:00:00.000Z")));

    await ports.rejectProcessorEvent({
      reason: "account",
      detail: "from acct_other, not the merchant's acct_1",
      processorEventId: "evt_forged",
      processorEventType: "payment_intent.succeeded",
      account: "acct_other",
      livemode: false,
      sentAt: "2026-11-30T08:59:00.000Z",
      merchantId,
      paymentId: "pay_1",
    });

    expect(emitted()).toEqual([
      { namespace: "Kassa", name: "RejectedProcessorEvents", value: 1, dimensions: { service: "kassa" } },
    ]);
  });
});

describe("log lines", () => {
  it("writes one line per dispatched event, with the event id as the correlation id every consumer logs", async () => {
    await dispatch({
      Records: [streamRecord("payment.failed", "evt_corr", payment("sandbox", "card_declined"))],
    });

    expect(output.logs()).toEqual([
      expect.objectContaining({
        level: "INFO",
        message: "Event dispatched",
        service: "kassa",
        type: "payment.failed",
        eventId: "evt_corr",
        correlationId: "evt_corr",
        outcome: "dispatched",
        latencyMs: expect.any(Number),
      }),
    ]);
  });

  it("sends the id of the request that caused an event beside it, and the consumers log it as their correlation id", async () => {
    const record = streamRecord("payment.failed", "evt_caused", payment("sandbox", "card_declined"));
    record.dynamodb!.NewImage!.correlationId = { S: "req-caused-it" };

    await dispatch({ Records: [record] });
    const [sent] = sqs.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageBody ?? "");
    const consumer = sqsConsumer(eventMessage, async () => {});
    await consumer({ Records: [{ messageId: "m-9", body: sent } as SQSRecord] });

    expect(JSON.parse(sent ?? "")).toMatchObject({ id: "evt_caused", correlationId: "req-caused-it" });
    expect(output.logs().map((l) => [l.message, l.eventId, l.correlationId])).toEqual([
      ["Event dispatched", "evt_caused", "req-caused-it"],
      ["Message", "evt_caused", "req-caused-it"],
    ]);
  });

  it("writes one line per API request: route key (never the path with its page token), status, latency, request id", async () => {
    process.env.TABLE_NAME = "kassa-handler-test";
    const token = "tok_secretpagetoken0123456789abcdef";
    const event = httpEvent("GET /i/{token}", { pathParameters: { token } });
    event.rawPath = `/i/${token}`;
    event.requestContext.http.path = `/i/${token}`;

    const response = (await hosted(event, lambdaContext)) as { statusCode: number };

    // A token of no invoice: the page answers 4xx, and the line says which.
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(output.logs()).toEqual([
      expect.objectContaining({
        level: "INFO",
        message: "API request",
        route: "GET /i/{token}",
        status: response.statusCode,
        latencyMs: expect.any(Number),
        requestId: event.requestContext.requestId,
        function_name: "test",
      }),
    ]);
    expect(output.text()).not.toContain(token);
  });

  it("names the merchant on an authenticated request's line, and never its API key", async () => {
    useMerchantKey(ddb);
    ddb.on(QueryCommand).resolves({ Items: [] });
    const event = httpEvent("GET /v1/products", {
      token: "sk_handler_test_secret_0123456789abcdefghijklmno",
    });

    const response = (await products(event, lambdaContext)) as { statusCode: number };

    expect(response.statusCode).toBe(200);
    const [line] = output.logs();
    expect(line).toMatchObject({ route: "GET /v1/products", status: 200, merchantId });
    expect(output.text()).not.toContain("sk_handler_test_secret");
  });
});
