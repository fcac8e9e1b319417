import { DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/processor.ts";
import { callHandler, merchantId, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";
import { type StripeFake, startStripeFake } from "../helpers/stripe-fake.ts";

const ddb = mockClient(DynamoDBDocumentClient);
let stripe: StripeFake;
const merchant = {
  id: merchantId,
  name: "Acme Coffee",
  email: "owner@acme.test",
  timeZone: "UTC",
  defaultCurrency: "USD",
  branding: {},
  invoiceNumberPrefix: "ACME",
  defaultPaymentTerms: "net_30",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};
const stored = (extra: Record<string, unknown> = {}) => ({
  PK: merchantPk,
  SK: "MERCHANT",
  GSI1PK: "MERCHANTS",
  GSI1SK: `2026-01-01T00:00:00.000Z#${merchantId}`,
  type: "merchant",
  version: 4,
  ...merchant,
  ...extra,
});
const links = { returnUrl: "https://acme.test/done", refreshUrl: "https://acme.test/again" };
const stripeRequests = (path: string) => stripe.requests.filter((r) => r.method === "POST" && r.path === path);

describe("POST /v1/processor/stripe/connect", () => {
  beforeAll(async () => {
    stripe = await startStripeFake();
  });
  afterAll(async () => {
    await stripe.stop();
  });
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(TransactWriteCommand).resolves({});
    stripe.requests.length = 0;
    process.env.STRIPE_API_BASE = `http://127.0.0.1:${stripe.port}`;
    process.env.STRIPE_SECRET_KEY = "sk_test_handler_0123456789abcdef";
  });

  it("creates the connected account once, records it with its account ref and merchant.updated, and answers the onboarding link", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: "MERCHANT" } }).resolves({ Item: stored() });

    const { status, body } = await callHandler(handler, "POST /v1/processor/stripe/connect", { body: links });

    expect(status).toBe(200);
    expect(body.accountId).toMatch(/^acct_/);
    expect(body.url.startsWith(`https://connect.stripe.com/setup/s/${body.accountId}/`)).toBe(true);
    expect(stripeRequests("/v1/accounts")).toHaveLength(1);
    expect(stripeRequests("/v1/accounts")[0]).toMatchObject({
      headers: expect.objectContaining({ "idempotency-key": `connect-${merchantId}` }),
      body: expect.objectContaining({ email: "owner@acme.test", metadata: { kassa_merchant_id: merchantId } }),
    });
    expect(stripeRequests("/v1/account_links")[0]?.body).toMatchObject({
      account: body.accountId,
      refresh_url: links.refreshUrl,
      return_url: links.returnUrl,
    });
    const recorded = { ...merchant, stripeAccountId: body.accountId, stripeLivemode: false, stripeChargesEnabled: false, updatedAt: expect.any(String) };
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: { ...stored(recorded), version: 5 },
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 4 },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: { PK: `STRIPE_ACCOUNT#${body.accountId}`, SK: "STRIPE_ACCOUNT", type: "processorRef", merchantId },
          },
        },
        {
          Put: expect.objectContaining({
            Item: expect.objectContaining({
              eventType: "merchant.updated",
              objectId: merchantId,
              data: { merchant: recorded, changed: ["stripeAccountId", "stripeLivemode"] },
            }),
          }),
        },
      ],
    });
  });

  it("reuses an account already connected in the same mode: no new account and nothing written", async () => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: "MERCHANT" } }).resolves({
      Item: stored({ stripeAccountId: "acct_1Existing", stripeLivemode: false, stripeChargesEnabled: true }),
    });

    const { status, body } = await callHandler(handler, "POST /v1/processor/stripe/connect", { body: links });

    expect(status).toBe(200);
    expect(body.accountId).toBe("acct_1Existing");
    expect(stripeRequests("/v1/accounts")).toHaveLength(0);
    expect(stripeRequests("/v1/account_links")).toHaveLength(1);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });

  it.each([
    ["a non-http return URL", { returnUrl: "javascript:alert(1)" }, "returnUrl", "Invalid URL"],
    ["an unknown field", { accountId: "acct_1Other" }, "accountId", "is not a known field"],
  ])("answers 400 naming the field for %s, calls Stripe for nothing and writes nothing", async (_, payload, path, message) => {
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: "MERCHANT" } }).resolves({ Item: stored() });

    const { status, body } = await callHandler(handler, "POST /v1/processor/stripe/connect", { body: payload });

    expect(status).toBe(400);
    expect(body.errors).toEqual([{ path, message }]);
    expect(stripe.requests).toHaveLength(0);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 0);
  });
});
