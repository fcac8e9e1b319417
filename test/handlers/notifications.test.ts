import { SendEmailCommand, SESClient } from "@aws-sdk/client-ses";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/notifications/send.ts";
import { sampleEvent } from "../helpers/events.ts";

const ses = mockClient(SESClient);
const ddb = mockClient(DynamoDBDocumentClient);

describe("notifications consumer", () => {
  beforeEach(() => {
    ses.reset();
    ddb.reset();
    process.env.TABLE_NAME = "kassa-handler-test";
    process.env.MAIL_FROM = "billing@kassa.test";
  });

  it("claims the event, sends the welcome email, then marks the claim done", async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: "ses-1" });

    const result = await handler(sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json"));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: "kassa-handler-test",
      Item: expect.objectContaining({ PK: "PROCESSED#notifications#evt_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9", status: "claimed" }),
    });
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      Source: "billing@kassa.test",
      Destination: { ToAddresses: ['"Acme Coffee" <owner@acme.test>'] },
      Message: expect.objectContaining({ Subject: { Data: "Welcome to Kassa, Acme Coffee", Charset: "UTF-8" } }),
    });
    expect(ddb).toHaveReceivedCommandWith(UpdateCommand, {
      Key: { PK: "PROCESSED#notifications#evt_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9", SK: "PROCESSED" },
      ExpressionAttributeValues: { ":done": "done" },
    });
  });

  it("sends nothing for an event it has already handled", async () => {
    ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} }));

    const result = await handler(sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json"));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
  });

  it("releases the claim and fails only that record when SES fails", async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(DeleteCommand).resolves({});
    ses.on(SendEmailCommand).rejects(new Error("Throttling"));
    const event = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json");

    const result = await handler(event);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "2e1424d4-f796-459a-8184-9c92662be6da" }] });
    expect(ddb).toHaveReceivedCommandWith(DeleteCommand, {
      Key: { PK: "PROCESSED#notifications#evt_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9", SK: "PROCESSED" },
    });
    expect(ddb).toHaveReceivedCommandTimes(UpdateCommand, 0);
  });

  it("fails a record whose body is not a domain event, and still handles the rest of the batch", async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: "ses-2" });
    const event = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json");
    const good = event.Records[0]!;
    event.Records = [{ ...good, messageId: "poison", body: "{not json" }, good];

    const result = await handler(event);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "poison" }] });
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 1);
  });
});
