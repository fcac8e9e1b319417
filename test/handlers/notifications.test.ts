import { SendEmailCommand, SESClient } from "@aws-sdk/client-ses";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { SQSEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/notifications/send.ts";
import { presentSubscription } from "../../shared/subscriptions/subscription.ts";
import { sampleEvent } from "../helpers/events.ts";
import { merchantId, merchantItem, merchantPk, publicBaseUrl } from "../helpers/handler-mocks.ts";
import { storedSubscription } from "../helpers/subscription-record.ts";

const ses = mockClient(SESClient);
const ddb = mockClient(DynamoDBDocumentClient);

describe("notifications consumer", () => {
  beforeEach(() => {
    ses.reset();
    ddb.reset();
    process.env.TABLE_NAME = "kassa-handler-test";
    process.env.MAIL_FROM = "billing@kassa.test";
    // Subscription emails carry the buyer's portal and update-card links.
    process.env.PUBLIC_BASE_URL = publicBaseUrl;
  });

  it("claims the event, sends the welcome email, then marks the claim done", async () => {
    ddb.on(PutCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
    ses.on(SendEmailCommand).resolves({ MessageId: "ses-1" });

    const result = await handler(sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json"));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ddb).toHaveReceivedCommandWith(PutCommand, {
      TableName: "kassa-handler-test",
      Item: expect.objectContaining({
        PK: "PROCESSED#notifications#evt_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
        status: "claimed",
      }),
    });
    expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
      Source: "billing@kassa.test",
      Destination: { ToAddresses: ['"Acme Coffee" <owner@acme.test>'] },
      Message: expect.objectContaining({
        Subject: { Data: "Welcome to Kassa, Acme Coffee", Charset: "UTF-8" },
      }),
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

    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: "2e1424d4-f796-459a-8184-9c92662be6da" }],
    });
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

  it("ignores an event no notification is registered for: no claim, no email", async () => {
    const sample = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json");
    const body = { ...JSON.parse(sample.Records[0]!.body), type: "invoice.finalized" };

    const result = await handler({ Records: [{ ...sample.Records[0]!, body: JSON.stringify(body) }] });

    expect(result).toEqual({ batchItemFailures: [] });
    expect(ddb).toHaveReceivedCommandTimes(PutCommand, 0);
    expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 0);
  });

  describe("subscription emails", () => {
    const subscription = presentSubscription(
      storedSubscription("cus_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9", new Date("2026-11-30T08:00:00Z"), {
        id: "sub_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
        currency: "EUR",
        interval: "quarter",
        items: [
          { id: "si_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9", description: "Coffee club", unitAmount: 2_450, quantity: 1 },
        ],
        startDate: "2026-11-30",
        timeZone: "Europe/Berlin",
        nextBillingAt: "2026-11-29T23:00:00.000Z",
      }),
    );
    const created = (): SQSEvent => {
      const sample = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json");
      const body = {
        id: "evt_01KQ9ZJ8X2M4N6P8R0T2V4X6ZA",
        type: "subscription.created",
        merchantId,
        objectId: subscription.id,
        occurredAt: subscription.createdAt,
        data: { subscription },
      };
      return { Records: [{ ...sample.Records[0]!, body: JSON.stringify(body) }] };
    };
    const sent = () =>
      ses
        .commandCalls(SendEmailCommand)
        .map(({ args: [{ input }] }) => [
          input.Destination?.ToAddresses,
          input.Message?.Subject?.Data,
          input.Message?.Body?.Text?.Data,
        ]);

    beforeEach(() => {
      ddb.on(PutCommand).resolves({});
      ddb.on(UpdateCommand).resolves({});
      ddb.on(GetCommand).resolves({});
      ddb.on(GetCommand, { Key: { PK: merchantPk, SK: "MERCHANT" } }).resolves({ Item: merchantItem });
      ddb.on(GetCommand, { Key: { PK: merchantPk, SK: subscription.customerId } }).resolves({
        Item: {
          PK: merchantPk,
          SK: subscription.customerId,
          type: "customer",
          version: 2,
          id: subscription.customerId,
          email: "bea@shop.test",
          name: "Bea Buyer",
          taxIds: [],
          metadata: {},
          defaultPaymentMethodId: "pm_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
          createdAt: "2026-11-01T00:00:00.000Z",
          updatedAt: "2026-11-01T00:00:00.000Z",
        },
      });
      ddb.on(GetCommand, { Key: { PK: merchantPk, SK: "pm_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9" } }).resolves({
        Item: {
          PK: merchantPk,
          SK: "pm_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
          type: "paymentMethod",
          version: 1,
          id: "pm_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
          customerId: subscription.customerId,
          methodType: "card",
          card: { brand: "mastercard", last4: "4444", expMonth: 4, expYear: 2031 },
          processorId: "pm_card_mastercard",
          createdAt: "2026-11-01T00:00:00.000Z",
        },
      });
      ses.on(SendEmailCommand).resolves({ MessageId: "ses-3" });
    });

    it("confirm a new subscription to the buyer and tell the merchant, once for the event however often it comes", async () => {
      expect(await handler(created())).toEqual({ batchItemFailures: [] });

      expect(sent()).toEqual([
        [
          ['"Bea Buyer" <bea@shop.test>'],
          "[TEST MODE] Your subscription to Acme Coffee is confirmed",
          expect.stringContaining("Total: €24.50 per quarter."),
        ],
        [
          ['"Acme Coffee" <owner@acme.test>'],
          "[TEST MODE] New subscription: Bea Buyer, €24.50 per quarter",
          expect.stringContaining("Bea Buyer (bea@shop.test) subscribed."),
        ],
      ]);
      const confirmation = sent()[0]?.[2];
      expect(confirmation).toContain("Next billing date: Feb 28, 2027.");
      expect(confirmation).toContain(
        "Each invoice is charged automatically to your mastercard card ending in 4444.",
      );
      expect(ddb).toHaveReceivedCommandWith(PutCommand, {
        Item: expect.objectContaining({
          PK: "PROCESSED#notifications#evt_01KQ9ZJ8X2M4N6P8R0T2V4X6ZA",
          status: "claimed",
        }),
      });

      ddb.on(PutCommand).rejects(new ConditionalCheckFailedException({ message: "exists", $metadata: {} }));
      expect(await handler(created())).toEqual({ batchItemFailures: [] });
      expect(ses).toHaveReceivedCommandTimes(SendEmailCommand, 2);
    });

    it("tell only the merchant when the subscription's customer is gone", async () => {
      ddb.on(GetCommand, { Key: { PK: merchantPk, SK: subscription.customerId } }).resolves({});

      expect(await handler(created())).toEqual({ batchItemFailures: [] });

      expect(sent().map(([to, subject]) => [to, subject])).toEqual([
        [
          ['"Acme Coffee" <owner@acme.test>'],
          `[TEST MODE] New subscription: Customer ${subscription.customerId}, €24.50 per quarter`,
        ],
      ]);
      expect(sent()[0]?.[2]).toContain(
        "Each invoice is charged automatically to the customer's saved payment method.",
      );
    });
  });

  describe("payout emails", () => {
    const payout = {
      id: "po_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
      currency: "USD",
      amount: 2293,
      grossAmount: 4000,
      feeTotal: 207,
      refundTotal: 500,
      disputeTotal: 1000,
      chargeCount: 3,
      refundCount: 1,
      disputeCount: 1,
      date: "2026-05-14",
      status: "paid",
      arrivalDate: "2026-05-15",
    };
    const payoutEvent = (data: Record<string, unknown>): SQSEvent => {
      const sample = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json");
      const body = {
        id: `evt_${Math.random().toString(36).slice(2)}`,
        type: "payout.paid",
        merchantId: "mer_1",
        objectId: payout.id,
        occurredAt: "2026-05-15T04:05:00Z",
        data: { payout: { ...payout, ...data } },
      };
      return { Records: [{ ...sample.Records[0]!, body: JSON.stringify(body) }] };
    };
    const subjectSent = () => ses.commandCalls(SendEmailCommand)[0]?.args[0].input.Message?.Subject?.Data;

    beforeEach(() => {
      ddb.on(PutCommand).resolves({});
      ddb.on(UpdateCommand).resolves({});
      ddb.on(GetCommand).resolves({
        Item: {
          PK: "MERCHANT#mer_1",
          SK: "MERCHANT",
          type: "merchant",
          version: 1,
          id: "mer_1",
          name: "Acme",
          email: "owner@acme.test",
          timeZone: "America/New_York",
        },
      });
      ses.on(SendEmailCommand).resolves({ MessageId: "ses-2" });
    });

    it("says a sandbox payout is simulated, also one whose event predates livemode", async () => {
      for (const data of [{ source: "sandbox", livemode: false }, { source: "sandbox" }]) {
        ses.reset();
        ses.on(SendEmailCommand).resolves({ MessageId: "ses-2" });
        expect(await handler(payoutEvent(data))).toEqual({ batchItemFailures: [] });
        expect(subjectSent()).toBe("[TEST MODE] Payout of $22.93 for May 14, 2026");
        expect(ses).toHaveReceivedCommandWith(SendEmailCommand, {
          Message: expect.objectContaining({
            Body: expect.objectContaining({
              Text: expect.objectContaining({
                Data: expect.stringContaining("TEST MODE: this payout is simulated."),
              }),
            }),
          }),
        });
      }
    });

    it("sends a live Stripe payout's summary without any test marking", async () => {
      expect(await handler(payoutEvent({ source: "stripe", livemode: true }))).toEqual({
        batchItemFailures: [],
      });
      expect(subjectSent()).toBe("Payout of $22.93 for May 14, 2026");
    });
  });
});
