import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/invoices.ts";
import {
  callHandler,
  keysRead,
  merchantId,
  merchantPk,
  tableName,
  useMerchantKey,
} from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const customerId = "cus_01KQA0000000000000000000AA";
const invoiceId = "inv_01KQA0000000000000000000AA";
const customerItem = {
  PK: merchantPk,
  SK: customerId,
  type: "customer",
  version: 1,
  id: customerId,
  email: "ada@buyer.test",
  name: "Ada Buyer",
  taxIds: [],
  metadata: {},
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};
const merchantItem = {
  PK: merchantPk,
  SK: "MERCHANT",
  type: "merchant",
  version: 1,
  id: merchantId,
  name: "Corner Bakery",
  email: "owner@corner-bakery.test",
  timeZone: "UTC",
  defaultCurrency: "USD",
  branding: {},
  invoiceNumberPrefix: "INV",
  defaultPaymentTerms: "net_30",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};
const draft = {
  customerId,
  currency: "usd",
  paymentTerms: "net_7",
  lineItems: [{ description: "Sourdough subscription", quantity: 2, unitAmount: 6_000 }],
};
const writes = () => ddb.commandCalls(TransactWriteCommand).length + ddb.commandCalls(UpdateCommand).length;

describe("invoices API function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: customerId } }).resolves({ Item: customerItem });
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: "MERCHANT" } }).resolves({ Item: merchantItem });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
  });

  it("POST /v1/invoices prices the draft in minor units and writes it with invoice.created in one transaction", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/invoices", { body: draft });

    expect(status).toBe(201);
    expect(body).toMatchObject({
      status: "draft",
      customerId,
      currency: "USD",
      subtotal: 12_000,
      total: 12_000,
      amountPaid: 0,
      amountRemaining: 12_000,
      paymentTerms: "net_7",
    });
    expect(body.id).toMatch(/^inv_[0-9A-Z]{26}$/);
    expect(ddb).toHaveReceivedCommandWith(GetCommand, {
      TableName: tableName,
      Key: { PK: merchantPk, SK: customerId },
      ConsistentRead: true,
    });
    // Read once: pricing and the customer's clock share it (no test clock, so nothing more is read).
    expect(ddb.commandCalls(GetCommand, { Key: { PK: merchantPk, SK: customerId } })).toHaveLength(1);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({
              PK: merchantPk,
              SK: body.id,
              type: "invoice",
              version: 1,
              id: body.id,
              status: "draft",
              total: 12_000,
              amountRemaining: 12_000,
              customer: expect.objectContaining({ email: "ada@buyer.test", name: "Ada Buyer" }),
              // What finalize takes instead of reading the customer: its version and balance as priced.
              pricedCustomer: { version: 1, balance: 0 },
            }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({
              type: "event",
              eventType: "invoice.created",
              merchantId,
              objectId: body.id,
              data: { invoice: body },
            }),
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
      ],
    });
  });

  it("POST /v1/invoices refuses another merchant's customer, naming customerId, and writes nothing", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/invoices", {
      body: { ...draft, customerId: "cus_01KQA0000000000000000000ZZ" },
    });

    expect(status).toBe(400);
    expect(body.errors).toEqual([{ path: "customerId", message: "is not one of your customers" }]);
    expect(writes()).toBe(0);
  });

  it("POST /v1/invoices/{id}/finalize takes the next gapless number, claims a hosted page and counts the customer's open invoice in one transaction, the customer unread", async () => {
    const created = await callHandler(handler, "POST /v1/invoices", { body: draft });
    const stored = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Put?.Item ?? {};
    const counter = { PK: merchantPk, SK: "COUNTER#invoice", type: "counter", value: 41 };
    ddb.on(BatchGetCommand).resolves({ Responses: { [tableName]: [counter, merchantItem, stored] } });
    ddb.resetHistory();

    const { status, body } = await callHandler(handler, "POST /v1/invoices/{id}/finalize", {
      pathParameters: { id: created.body.id },
    });

    expect(status).toBe(200);
    expect(body).toMatchObject({
      id: created.body.id,
      status: "open",
      number: "INV-0042",
      total: 12_000,
      amountRemaining: 12_000,
    });
    const token = new URL(body.hostedUrl).pathname.split("/").at(-1);
    // The invoice, its merchant and the counter in one request; the customer as the draft recorded it.
    expect(ddb).toHaveReceivedCommandTimes(BatchGetCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(BatchGetCommand, {
      RequestItems: {
        [tableName]: {
          Keys: [
            { PK: merchantPk, SK: created.body.id },
            { PK: merchantPk, SK: "MERCHANT" },
            { PK: merchantPk, SK: "COUNTER#invoice" },
          ],
          ConsistentRead: true,
        },
      },
    });
    expect(ddb.commandCalls(GetCommand, { Key: { PK: merchantPk, SK: customerId } })).toHaveLength(0);
    expect(ddb).toHaveReceivedCommandTimes(TransactWriteCommand, 1);
    expect(ddb).toHaveReceivedCommandWith(TransactWriteCommand, {
      TransactItems: [
        {
          Put: {
            TableName: tableName,
            Item: expect.objectContaining({
              PK: merchantPk,
              SK: created.body.id,
              type: "invoice",
              version: 2,
              status: "open",
              number: "INV-0042",
              customer: expect.objectContaining({ email: "ada@buyer.test", name: "Ada Buyer" }),
            }),
            ConditionExpression: "version = :expected",
            ExpressionAttributeValues: { ":expected": 1 },
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: { PK: merchantPk, SK: "COUNTER#invoice" },
            UpdateExpression: "SET #value = :next",
            ConditionExpression: "#value = :current",
            ExpressionAttributeNames: { "#value": "value" },
            ExpressionAttributeValues: { ":next": 42, ":current": 41 },
          },
        },
        {
          Put: {
            TableName: tableName,
            Item: {
              PK: `HOSTED#${token}`,
              SK: "HOSTED",
              type: "hostedPage",
              kind: "invoice",
              merchantId,
              invoiceId: created.body.id,
            },
            ConditionExpression: "attribute_not_exists(PK)",
          },
        },
        {
          Update: {
            TableName: tableName,
            Key: { PK: merchantPk, SK: customerId },
            // No credit balance to apply: only the open-invoice count moves (and the version), if the
            // customer is still at the version the draft recorded.
            UpdateExpression: "ADD version :one, openInvoiceCount :open",
            ConditionExpression: "#type = :customer AND version = :seen",
            ExpressionAttributeNames: { "#type": "type" },
            ExpressionAttributeValues: { ":customer": "customer", ":one": 1, ":open": 1, ":seen": 1 },
          },
        },
        {
          Put: expect.objectContaining({
            Item: expect.objectContaining({ eventType: "invoice.finalized", objectId: created.body.id }),
          }),
        },
      ],
    });
  });

  it.each([
    [
      "POST /v1/invoices/{id}/payments",
      { amount: 100, method: "cash" },
      "Cannot record a payment on an invoice whose status is draft",
    ],
    ["POST /v1/invoices/{id}/send", undefined, "Cannot send an invoice whose status is draft"],
  ])("%s refuses with 409 on a draft and writes nothing", async (routeKey, payload, detail) => {
    const created = await callHandler(handler, "POST /v1/invoices", { body: draft });
    const stored = ddb.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Put?.Item;
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: created.body.id } }).resolves({ Item: stored });
    ddb.resetHistory();

    const { status, body } = await callHandler(handler, routeKey, {
      pathParameters: { id: created.body.id },
      ...(payload ? { body: payload } : {}),
    });

    expect(status).toBe(409);
    expect(body.detail).toBe(detail);
    expect(writes()).toBe(0);
  });

  it.each([
    ["GET /v1/invoices/{id}", undefined],
    ["PATCH /v1/invoices/{id}", { memo: "x" }],
    ["DELETE /v1/invoices/{id}", undefined],
    ["POST /v1/invoices/{id}/finalize", undefined],
    ["POST /v1/invoices/{id}/void", undefined],
    ["POST /v1/invoices/{id}/payments", { amount: 100, method: "cash" }],
  ])("%s answers 404 for another merchant's invoice and writes nothing", async (routeKey, payload) => {
    const { status, body } = await callHandler(handler, routeKey, {
      pathParameters: { id: invoiceId },
      ...(payload ? { body: payload } : {}),
    });

    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404, detail: "Invoice not found" });
    expect(keysRead(ddb)).toContainEqual({ PK: merchantPk, SK: invoiceId });
    expect(writes()).toBe(0);
  });

  it.each([
    [
      "a fractional unit amount",
      { ...draft, lineItems: [{ description: "Bread", quantity: 1, unitAmount: 10.5 }] },
      "lineItems.0.unitAmount",
      "must be an integer amount in minor units (no fractions)",
    ],
    [
      "an unknown currency",
      { ...draft, currency: "dollars" },
      "currency",
      "must be an ISO 4217 currency code, e.g. USD",
    ],
    [
      "both paymentTerms and dueDate",
      { ...draft, dueDate: "2026-12-31" },
      "dueDate",
      "give paymentTerms or dueDate, not both",
    ],
    ["a missing customer", { currency: "USD", lineItems: draft.lineItems }, "customerId", "is required"],
    ["a read-only field", { ...draft, total: 1 }, "total", "is not a known field"],
  ])(
    "POST /v1/invoices answers 400 naming the field for %s and writes nothing",
    async (_, payload, path, message) => {
      const { status, body } = await callHandler(handler, "POST /v1/invoices", { body: payload });

      expect(status).toBe(400);
      expect(body).toMatchObject({ type: "urn:kassa:problem:invalid-request", status: 400 });
      expect(body.errors).toContainEqual({ path, message });
      expect(writes()).toBe(0);
    },
  );
});
