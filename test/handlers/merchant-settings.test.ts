import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/merchant-settings.ts";
import { callHandler, merchantId, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const merchant = {
  id: merchantId,
  name: "Acme Coffee",
  email: "owner@acme.test",
  timeZone: "Europe/Berlin",
  defaultCurrency: "EUR",
  branding: { brandColor: "#112233", footerText: "Thanks" },
  invoiceNumberPrefix: "ACME",
  defaultPaymentTerms: "net_30",
  supportEmail: "help@acme.test",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};
const stored = {
  PK: merchantPk,
  SK: "MERCHANT",
  GSI1PK: "MERCHANTS",
  GSI1SK: `2026-01-01T00:00:00.000Z#${merchantId}`,
  type: "merchant",
  version: 7,
  ...merchant,
};
const answerMerchant = (item: Record<string, unknown> = stored) =>
  ddb.on(GetCommand, { Key: { PK: merchantPk, SK: "MERCHANT" } }).resolves({ Item: item });

describe("merchant settings function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(TransactWriteCommand).resolves({});
  });

  it("GET /v1/merchant reads the caller's own merchant record, consistently", async () => {
    answerMerchant();

    const { status, body } = await callHandler(handler, "GET /v1/merchant");

    expect(status).toBe(200);
    // A merchant stored before locales reads the default one.
    expect(body).toEqual({ ...merchant, locale: "en-US" });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: tableName, Key: { PK: merchantPk, SK: "MERCHANT" }, ConsistentRead: true });
  });

  it("PATCH /v1/merchant merges branding, clears a null field and writes the next version with merchant.updated", async () => {
    answerMerchant();

    const { status, body } = await callHandler(handler, "PATCH /v1/merchant", {
      body: { branding: { footerText: null, logoUrl: "https://acme.test/logo.png" }, supportEmail: null, invoiceReminders: [{ daysAfterDue: 3 }] },
    });

    expect(status).toBe(200);
    expect(body).toMatchObject({
      branding: { brandColor: "#112233", logoUrl: "https://acme.test/logo.png" },
      invoiceReminders: [{ daysAfterDue: 3 }],
    });
    expect(body.branding).not.toHaveProperty("footerText");
    expect(body).not.toHaveProperty("supportEmail");
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { PK: merchantPk, SK: "MERCHANT", GSI1PK: "MERCHANTS", GSI1SK: `2026-01-01T00:00:00.000Z#${merchantId}`, type: "merchant", version: 8, ...body },
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 7 },
          },
        },
        {
          Put: expect.objectContaining({
            Item: expect.objectContaining({
              eventType: "merchant.updated",
              objectId: merchantId,
              data: { merchant: body, changed: ["branding", "supportEmail", "invoiceReminders"] },
            }),
          }),
        },
      ],
    });
  });

  it("PATCH /v1/merchant refuses with 409 to switch to Stripe before the account can take charges, and writes nothing", async () => {
    answerMerchant();

    const { status, body } = await callHandler(handler, "PATCH /v1/merchant", { body: { processor: "stripe" } });

    expect(status).toBe(409);
    expect(body.detail).toBe("Connect a Stripe account that can take charges first (POST /v1/processor/stripe/connect)");
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it.each([
    ["a bad time zone", { timeZone: "Berlin" }, "timeZone", "must be an IANA time zone, e.g. Europe/Berlin"],
    ["a bad brand colour", { branding: { brandColor: "red" } }, "branding.brandColor", "must be a hex colour like #1a2b3c"],
    ["a lower-case prefix", { invoiceNumberPrefix: "acme" }, "invoiceNumberPrefix", "must be 1–12 upper-case letters or digits"],
    ["a repeated reminder day", { invoiceReminders: [{ daysAfterDue: 1 }, { daysAfterDue: 1 }] }, "invoiceReminders", "must not repeat a day"],
    ["a read-only field", { id: "mer_other" }, "id", "is not a known field"],
  ])("PATCH /v1/merchant answers 400 naming the field for %s and writes nothing", async (_, payload, path, message) => {
    answerMerchant();

    const { status, body } = await callHandler(handler, "PATCH /v1/merchant", { body: payload });

    expect(status).toBe(400);
    expect(body).toMatchObject({ type: "urn:kassa:problem:invalid-request", status: 400 });
    expect(body.errors).toContainEqual({ path, message });
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});
