import { DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/payments.ts";
import { callHandler, merchantItem, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";

const ddb = mockClient(DynamoDBDocumentClient);
const paymentId = "pay_01KQA0000000000000000000AA";
const refundId = "re_01KQA0000000000000000000AA";
const invoiceId = "inv_01KQA0000000000000000000AA";
const payment = {
  id: paymentId,
  status: "succeeded",
  amount: 12_000,
  currency: "EUR",
  fee: 390,
  net: 11_610,
  amountRefunded: 2_000,
  amountRefundedSettled: 2_000,
  processor: "sandbox",
  method: { type: "card", brand: "visa", last4: "4242" },
  customerId: "cus_01KQA0000000000000000000AA",
  invoiceId,
  paidAt: "2026-01-14T10:00:00.000Z",
  history: [{ status: "succeeded", at: "2026-01-14T10:00:00.000Z" }],
  createdAt: "2026-01-14T10:00:00.000Z",
  updatedAt: "2026-01-14T10:00:00.000Z",
};
const storedPayment = { PK: merchantPk, SK: paymentId, type: "payment", version: 2, ...payment };
const answerPayment = (item: Record<string, unknown>) =>
  ddb.on(GetCommand, { Key: { PK: merchantPk, SK: paymentId } }).resolves({ Item: item });
const writes = () =>
  ddb.commandCalls(TransactWriteCommand).length + ddb.commandCalls(UpdateCommand).length;

describe("payments API function", () => {
  beforeEach(() => {
    ddb.reset();
    useMerchantKey(ddb);
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: "MERCHANT" } }).resolves({ Item: merchantItem });
    ddb.on(TransactWriteCommand).resolves({});
    ddb.on(UpdateCommand).resolves({});
  });

  it("GET /v1/payments/{id} reads the payment in the caller's partition; one stored before modes reads as test mode", async () => {
    answerPayment(storedPayment);

    const { status, body } = await callHandler(handler, "GET /v1/payments/{id}", { pathParameters: { id: paymentId } });

    expect(status).toBe(200);
    expect(body).toEqual({ ...payment, livemode: false });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { TableName: tableName, Key: { PK: merchantPk, SK: paymentId }, ConsistentRead: true });
  });

  it.each([
    ["GET /v1/payments/{id}", paymentId, undefined, "Payment not found"],
    ["POST /v1/payments/{id}/refunds", paymentId, { amount: 500 }, "Payment not found"],
    ["GET /v1/refunds/{id}", refundId, undefined, "Refund not found"],
    ["POST /v1/invoices/{id}/pay", invoiceId, { paymentMethod: "pm_card_visa" }, "Invoice not found"],
  ])("%s answers 404 for another merchant's object and writes nothing", async (routeKey, id, payload, detail) => {
    const { status, body } = await callHandler(handler, routeKey, { pathParameters: { id }, ...(payload ? { body: payload } : {}) });

    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404, detail });
    expect(ddb).toHaveReceivedCommandWith(GetCommand, { Key: { PK: merchantPk, SK: id } });
    expect(writes()).toBe(0);
  });

  it("POST /v1/payments/{id}/refunds answers 400 naming amount when it exceeds what remains refundable, and writes nothing", async () => {
    answerPayment(storedPayment);

    const { status, body } = await callHandler(handler, "POST /v1/payments/{id}/refunds", {
      pathParameters: { id: paymentId },
      body: { amount: 10_001 },
    });

    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path: "amount", message: "must be between 1 and the refundable amount (10000)" });
    expect(writes()).toBe(0);
  });

  it("POST /v1/payments/{id}/refunds refuses with 409 to refund a failed payment, and writes nothing", async () => {
    answerPayment({ ...storedPayment, status: "failed", amountRefunded: 0, amountRefundedSettled: 0 });

    const { status, body } = await callHandler(handler, "POST /v1/payments/{id}/refunds", {
      pathParameters: { id: paymentId },
      body: {},
    });

    expect(status).toBe(409);
    expect(body.detail).toBe("Cannot refund a payment whose status is failed");
    expect(writes()).toBe(0);
  });

  it.each([
    ["a fractional amount", { amount: 10.5 }, "amount", "must be an integer amount in minor units (no fractions)"],
    ["a zero amount", { amount: 0 }, "amount", "must be more than 0"],
    ["an unknown reason", { reason: "changed_mind" }, "reason", 'Invalid option: expected one of "duplicate"|"fraudulent"|"requested_by_customer"'],
  ])("POST /v1/payments/{id}/refunds answers 400 naming the field for %s and writes nothing", async (_, payload, path, message) => {
    answerPayment(storedPayment);

    const { status, body } = await callHandler(handler, "POST /v1/payments/{id}/refunds", { pathParameters: { id: paymentId }, body: payload });

    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path, message });
    expect(writes()).toBe(0);
  });

  it("POST /v1/invoices/{id}/pay answers 400 naming paymentMethod when it is missing, and writes nothing", async () => {
    const { status, body } = await callHandler(handler, "POST /v1/invoices/{id}/pay", { pathParameters: { id: invoiceId }, body: {} });

    expect(status).toBe(400);
    expect(body.errors).toContainEqual({ path: "paymentMethod", message: "is required" });
    expect(writes()).toBe(0);
  });

  it("GET /v1/payments filters the caller's payments by status and amount range", async () => {
    ddb.on(QueryCommand).resolves({ Items: [storedPayment] });

    const { status, body } = await callHandler(handler, "GET /v1/payments", { query: { status: "succeeded", amountGte: "10000" } });

    expect(status).toBe(200);
    expect(body).toEqual({ data: [{ ...payment, livemode: false }], nextCursor: null });
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :lower AND :upper",
      ExpressionAttributeValues: { ":pk": merchantPk, ":lower": "pay_", ":upper": "pay_~", ":f0": "succeeded", ":f1": 10_000 },
      FilterExpression: "#f0 = :f0 AND #f1 >= :f1",
      ExpressionAttributeNames: { "#f0": "status", "#f1": "amount" },
      ScanIndexForward: false,
      Limit: 100,
    });
  });
});
