import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { handler } from "../../functions/api/payments.ts";
import { assertDocumented } from "../helpers/contract.ts";
import { httpEvent, lambdaContext } from "../helpers/events.ts";
import { apiSecret, callHandler, keysRead, merchantItem, merchantPk, tableName, useMerchantKey } from "../helpers/handler-mocks.ts";
import { pdfText } from "../helpers/pdf-text.ts";

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
    // Paying an invoice reads it with its merchant in one request.
    ddb.on(BatchGetCommand).resolves({ Responses: { [tableName]: [merchantItem] } });
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
    ["GET /v1/payments/{id}/receipt-pdf", paymentId, undefined, "Payment not found"],
    ["POST /v1/payments/{id}/refunds", paymentId, { amount: 500 }, "Payment not found"],
    ["GET /v1/refunds/{id}", refundId, undefined, "Refund not found"],
    ["POST /v1/invoices/{id}/pay", invoiceId, { paymentMethod: "pm_card_visa" }, "Invoice not found"],
  ])("%s answers 404 for another merchant's object and writes nothing", async (routeKey, id, payload, detail) => {
    const { status, body } = await callHandler(handler, routeKey, { pathParameters: { id }, ...(payload ? { body: payload } : {}) });

    expect(status).toBe(404);
    expect(body).toMatchObject({ status: 404, detail });
    expect(keysRead(ddb)).toContainEqual({ PK: merchantPk, SK: id });
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

  it("GET /v1/payments/{id}/receipt-pdf answers the receipt PDF of the caller's payment, in the invoice's buyer's locale, and writes nothing", async () => {
    answerPayment(storedPayment);
    ddb.on(GetCommand, { Key: { PK: merchantPk, SK: invoiceId } }).resolves({
      Item: {
        PK: merchantPk,
        SK: invoiceId,
        type: "invoice",
        version: 3,
        id: invoiceId,
        status: "paid",
        number: "ACME-0007",
        customerId: payment.customerId,
        customer: { id: payment.customerId, email: "kari@example.test", name: "Kari Nordmann", locale: "nb-NO" },
        currency: "EUR",
        lineItems: [{ description: "Kaffebønner", quantity: 1, unitAmount: 12_000, taxRateIds: [], amountSubtotal: 12_000, amountDiscount: 0, amountTax: 0, amountTotal: 12_000 }],
        discounts: [],
        fees: [],
        subtotal: 12_000,
        discountTotal: 0,
        taxTotal: 0,
        taxBreakdown: [],
        feeTotal: 0,
        total: 12_000,
        amountPaid: 12_000,
        amountRemaining: 0,
        metadata: {},
        createdAt: "2026-01-14T09:00:00.000Z",
        updatedAt: "2026-01-14T10:00:00.000Z",
      },
    });
    ddb.on(QueryCommand).resolves({
      Items: [{ PK: merchantPk, SK: refundId, type: "refund", version: 1, id: refundId, paymentId, customerId: payment.customerId, amount: 2_000, currency: "EUR", status: "succeeded", createdAt: "2026-01-15T10:00:00.000Z", updatedAt: "2026-01-15T10:00:00.000Z" }],
    });
    const routeKey = "GET /v1/payments/{id}/receipt-pdf";

    const result = (await handler(httpEvent(routeKey, { token: apiSecret, pathParameters: { id: paymentId } }), lambdaContext)) as APIGatewayProxyStructuredResultV2;

    assertDocumented(routeKey, result);
    expect(result.statusCode).toBe(200);
    expect(result.headers).toMatchObject({ "content-type": "application/pdf", "content-disposition": `inline; filename="receipt-${paymentId}.pdf"` });
    const runs = (await pdfText(Buffer.from(result.body ?? "", "base64"))).split("\n");
    expect(runs).toContain("Kvittering");
    expect(runs).toContain("Betaling av faktura ACME-0007");
    expect(runs[runs.indexOf("Refundert") + 1]).toBe("20,00\u00a0€");
    expect(ddb).toHaveReceivedCommandWith(QueryCommand, {
      TableName: tableName,
      ExpressionAttributeValues: expect.objectContaining({ ":pk": merchantPk, ":f0": paymentId }),
    });
    expect(writes()).toBe(0);
  });

  it("GET /v1/payments/{id}/receipt-pdf answers 400 naming id for an over-long id, and reads no payment", async () => {
    const id = `pay_${"x".repeat(61)}`;

    const { status, body } = await callHandler(handler, "GET /v1/payments/{id}/receipt-pdf", { pathParameters: { id } });

    expect(status).toBe(400);
    expect(body.errors).toEqual([expect.objectContaining({ path: "id" })]);
    expect(ddb).not.toHaveReceivedCommandWith(GetCommand, { Key: { PK: merchantPk, SK: id } });
  });

  it.each(["processing", "failed"])("GET /v1/payments/{id}/receipt-pdf answers 409 for a %s payment: only money received has a receipt", async (paymentStatus) => {
    answerPayment({ ...storedPayment, status: paymentStatus, paidAt: undefined });

    const { status, body } = await callHandler(handler, "GET /v1/payments/{id}/receipt-pdf", { pathParameters: { id: paymentId } });

    expect(status).toBe(409);
    expect(body.detail).toContain(`The payment is ${paymentStatus}`);
    expect(writes()).toBe(0);
  });
});
