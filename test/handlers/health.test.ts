import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { GetAccountCommand, SESv2Client } from "@aws-sdk/client-sesv2";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/health.ts";
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

describe("GET /v1/health", () => {
  beforeEach(() => {
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
    expect(body.checks.queues.notifications).toEqual({ status: "down", error: "AccessDenied: Access denied" });
    expect(body.checks.table).toEqual({ status: "up" });
  });
});
