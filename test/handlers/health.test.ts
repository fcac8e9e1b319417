import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetAccountCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeEach, describe, expect, it, vi } from "vitest";
import { handler } from "../../functions/api/health.ts";
import { healthCacheMs } from "../../shared/health.ts";
import { lambdaContext, sampleEvent } from "../helpers/events.ts";
import { assertDocumented } from "../helpers/contract.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const sqs = mockClient(SQSClient);
const ses = mockClient(SESv2Client);

async function health() {
  const result = (await handler(sampleEvent<APIGatewayProxyEventV2>("apigw-get-health.json"), lambdaContext)) as APIGatewayProxyStructuredResultV2;
  assertDocumented("GET /v1/health", result);
  return { status: result.statusCode, body: JSON.parse(result.body ?? "{}") };
}

// Each test starts past the previous one's cache window: the probes' cache lives as long as the container.
let now = Date.parse("2026-11-30T08:00:00Z");

describe("GET /v1/health", () => {
  afterAll(() => {
    vi.useRealTimers();
  });

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    now += 10 * healthCacheMs;
    vi.setSystemTime(now);
    ddb.reset();
    sqs.reset();
    ses.reset();
    process.env.TABLE_NAME = "kassa-handler-test";
    process.env.QUEUE_URL_NOTIFICATIONS = "https://sqs.us-east-1.amazonaws.com/123456789012/kassa-notifications";
  });

  it("is 200 when the table, every queue and the mailer answer", async () => {
    ddb.on(GetCommand).resolves({});
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: "arn" } });
    ses.on(GetAccountCommand).resolves({ SendingEnabled: true });

    const { status, body } = await health();

    expect(status).toBe(200);
    expect(body).toEqual({
      status: "ok",
      checks: { table: { status: "up" }, mail: { status: "up" }, queues: { notifications: { status: "up" } } },
    });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: "kassa-handler-test", Key: { PK: "HEALTH", SK: "HEALTH" } });
    expect(sqs).toHaveReceivedCommandWith(GetQueueAttributesCommand, {
      QueueUrl: "https://sqs.us-east-1.amazonaws.com/123456789012/kassa-notifications",
    });
  });

  it("is 503 and names the dependency that is down", async () => {
    ddb.on(GetCommand).resolves({});
    sqs.on(GetQueueAttributesCommand).rejects(Object.assign(new Error("Access denied"), { name: "AccessDenied" }));
    ses.on(GetAccountCommand).resolves({});

    const { status, body } = await health();

    expect(status).toBe(503);
    expect(body.status).toBe("degraded");
    expect(body.checks.queues.notifications).toEqual({ status: "down", error: "AccessDenied" });
    expect(body.checks.table).toEqual({ status: "up" });
  });

  it("never answers with the raw AWS error: no ARN, account id or request id", async () => {
    const arn = "arn:aws:sqs:us-east-1:123456789012:kassa-notifications";
    ddb.on(GetCommand).rejects(
      Object.assign(
        new Error(
          "User: arn:aws:sts::123456789012:assumed-role/kassa-health/fn is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/kassa (Request ID: 8H2Q9KJ0V4R1)",
        ),
        { name: "AccessDeniedException", $metadata: { requestId: "8H2Q9KJ0V4R1" } },
      ),
    );
    sqs.on(GetQueueAttributesCommand).rejects(Object.assign(new Error(`Queue ${arn} does not exist`), { name: `QueueDoesNotExist ${arn}` }));
    ses.on(GetAccountCommand).resolves({});
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});

    const { status, body } = await health();

    expect(status).toBe(503);
    expect(body.checks).toEqual({
      table: { status: "down", error: "AccessDeniedException" },
      mail: { status: "up" },
      queues: { notifications: { status: "down", error: "Error" } },
    });
    const text = JSON.stringify(body);
    for (const secret of ["arn:", "123456789012", "8H2Q9KJ0V4R1", "assumed-role"]) expect(text).not.toContain(secret);
    // The operator still finds the full error in the function's log.
    expect(logged.mock.calls.flat().join("\n")).toContain("arn:aws:dynamodb:us-east-1:123456789012:table/kassa");
    logged.mockRestore();
  });

  it("probes each dependency once per cache window, however often it is called", async () => {
    ddb.on(GetCommand).resolves({});
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: "arn" } });
    ses.on(GetAccountCommand).resolves({ SendingEnabled: true });

    const first = await health();
    vi.setSystemTime(now + healthCacheMs - 1);
    const second = await health();

    expect(second).toEqual(first);
    expect(healthCacheMs).toBeGreaterThanOrEqual(30_000);
    expect(healthCacheMs).toBeLessThanOrEqual(60_000);
    expect(ddb).toHaveReceivedCommandTimes(GetCommand, 1);
    expect(ses).toHaveReceivedCommandTimes(GetAccountCommand, 1);
    expect(sqs).toHaveReceivedCommandTimes(GetQueueAttributesCommand, 1);

    // Once the window has passed, the next call probes again and sees the dependency go down.
    ses.on(GetAccountCommand).rejects(Object.assign(new Error("Throttling"), { name: "ThrottlingException" }));
    vi.setSystemTime(now + healthCacheMs);
    vi.spyOn(console, "error").mockImplementation(() => {});
    const third = await health();
    expect(third.status).toBe(503);
    expect(third.body.checks.mail).toEqual({ status: "down", error: "ThrottlingException" });
    expect(ses).toHaveReceivedCommandTimes(GetAccountCommand, 2);
    vi.mocked(console.error).mockRestore();
  });
});
