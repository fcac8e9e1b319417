/**
 * The contract check the test helpers run on every response (test/helpers/contract.ts): it passes what
 * the OpenAPI document describes, and fails on anything else, so the document cannot drift from the API.
 * Objects carry every field their type allows (`Required<…>`), including ones the suites rarely reach.
 */
import { describe, expect, it } from "vitest";
import type { Invoice } from "../../shared/invoices/invoice.ts";
import type { PresentedPayment } from "../../shared/payments/payment.ts";
import type { Refund } from "../../shared/payments/refund.ts";
import { assertDocumented } from "../helpers/contract.ts";

const json = (statusCode: number, body: unknown, type = "application/json") => ({
  statusCode,
  headers: { "content-type": type, "x-request-id": "req-1" },
  body: JSON.stringify(body),
});

const at = "2026-11-30T08:00:00.000Z";

const invoice: Required<Invoice> & {
  overdue: boolean;
  attemptCount: number;
  nextPaymentAttemptAt: string | null;
} = {
  id: "inv_1",
  status: "uncollectible",
  number: "INV-0001",
  customerId: "cus_1",
  customer: {
    id: "cus_1",
    email: "ana@example.com",
    name: "Ana",
    companyName: "Ana's",
    address: {
      line1: "1 Main St",
      line2: "Floor 2",
      city: "Lisbon",
      state: "Lisboa",
      postalCode: "1000-001",
      country: "PT",
    },
  },
  currency: "EUR",
  lineItems: [
    {
      description: "Bread",
      quantity: 1.5,
      unitAmount: 1000,
      productId: "prod_1",
      discount: { percentOff: 10 },
      taxRateIds: ["txr_1"],
      amountSubtotal: 1500,
      amountDiscount: 250,
      amountTax: 0,
      amountTotal: 1250,
      period: { start: at, end: at },
    },
  ],
  discounts: [
    { code: "WELCOME", percentOff: 5, amount: 75 },
    { amountOff: 25, amount: 25 },
  ],
  fees: [
    { description: "Delivery", amount: 500, taxable: false, amountTotal: 500 },
    { description: "Service", percent: 2.5, taxable: true, amountTotal: 31 },
  ],
  subtotal: 1500,
  discountTotal: 250,
  taxTotal: 0,
  taxBreakdown: [
    { taxRateId: "txr_1", name: "VAT", percentage: 23, inclusive: true, taxableAmount: 1250, amount: 234 },
  ],
  feeTotal: 531,
  total: 1781,
  appliedBalance: 0,
  amountDue: 1781,
  creditedToBalance: 0,
  amountPaid: 0,
  amountRemaining: 1781,
  paymentTerms: "net_30",
  dueDate: "2026-12-30",
  issuedAt: at,
  sentAt: at,
  paidAt: at,
  voidedAt: at,
  markedUncollectibleAt: at,
  amountWrittenOff: 900,
  hostedUrl: "https://pay.example/i/abc",
  memo: "Thanks",
  footer: "IBAN …",
  metadata: { order: "42" },
  subscriptionId: "sub_1",
  billingReason: "subscription_cycle",
  periodStart: at,
  periodEnd: at,
  testClockId: "clk_1",
  quoteId: "quote_1",
  installment: { number: 1, of: 3 },
  createdAt: at,
  updatedAt: at,
  overdue: false,
  attemptCount: 2,
  nextPaymentAttemptAt: at,
};

const payment: Required<PresentedPayment> = {
  id: "pay_1",
  status: "disputed",
  amount: 1781,
  currency: "EUR",
  fee: 60,
  net: 1721,
  processor: "stripe",
  livemode: true,
  method: { type: "card", brand: "visa", last4: "4242" },
  customerId: "cus_1",
  invoiceId: "inv_1",
  amountRefunded: 100,
  amountRefundedSettled: 100,
  processorPaymentId: "pi_1",
  failure: { declineCode: "insufficient_funds", message: "Declined" },
  excess: { amount: 10, refundId: "re_1" },
  dispute: {
    id: "dp_1",
    status: "needs_response",
    amount: 1781,
    reason: "fraudulent",
    createdAt: at,
    reportedAt: at,
    closed: false,
  },
  paidAt: at,
  history: [{ status: "succeeded", at, note: "Paid" }],
  createdAt: at,
  updatedAt: at,
};

const refund: Required<Refund> = {
  id: "re_1",
  paymentId: "pay_1",
  invoiceId: "inv_1",
  customerId: "cus_1",
  amount: 100,
  currency: "EUR",
  livemode: true,
  reason: "requested_by_customer",
  status: "pending",
  processorRefundId: "re_stripe_1",
  checks: 2,
  createdAt: at,
  updatedAt: at,
};

describe("the contract check on responses", () => {
  it("accepts an invoice, a payment and a refund carrying every field they can", () => {
    assertDocumented("GET /v1/invoices/{id}", json(200, invoice));
    assertDocumented("GET /v1/invoices", json(200, { data: [invoice], nextCursor: null }));
    assertDocumented("POST /v1/invoices/{id}/payments", json(201, { ...invoice, payment }));
    for (const method of [
      { type: "bank_transfer", reference: "ref" },
      { type: "card", brand: "visa", last4: "4242" },
      { type: "bank_debit", bankName: "Bank", last4: "6789" },
    ]) {
      assertDocumented("GET /v1/payments/{id}", json(200, { ...payment, method }));
    }
    assertDocumented("GET /v1/refunds/{id}", json(200, refund));
  });

  it("accepts paying's 202 while processing and its 402 with the decline code", () => {
    assertDocumented(
      "POST /v1/invoices/{id}/pay",
      json(202, { ...invoice, payment: { ...payment, status: "processing" } }),
    );
    const declined = {
      type: "urn:kassa:problem:payment-declined",
      title: "Payment declined",
      status: 402,
      detail: "Declined",
      declineCode: "card_declined",
      paymentId: "pay_1",
      requestId: "r",
    };
    assertDocumented("POST /v1/invoices/{id}/pay", json(402, declined, "application/problem+json"));
  });

  it("accepts concrete paths as an HTTP client sees them, and the hosted pay form's redirect", () => {
    assertDocumented("GET /v1/invoices/inv_1", json(200, invoice));
    assertDocumented("POST /i/abc/pay", {
      statusCode: 303,
      headers: { location: "/i/abc?paid=1" },
      body: "",
    });
  });

  it("fails on a field the document does not list", () => {
    expect(() => assertDocumented("GET /v1/invoices/{id}", json(200, { ...invoice, internal: 1 }))).toThrow(
      /GET \/v1\/invoices\/\{id\} → 200: the body does not match.*\n.*additionalProperty":"internal"/,
    );
  });

  it("fails on a missing required field and on a wrong type", () => {
    const { total: _, ...withoutTotal } = invoice;
    expect(() => assertDocumented("GET /v1/invoices/{id}", json(200, withoutTotal))).toThrow(
      /must have required property 'total'/,
    );
    expect(() => assertDocumented("GET /v1/invoices/{id}", json(200, { ...invoice, total: 17.81 }))).toThrow(
      /\/total must be integer/,
    );
  });

  it("fails on a status, a content type or a body the document does not describe", () => {
    expect(() =>
      assertDocumented("GET /v1/invoices/{id}", json(402, {}, "application/problem+json")),
    ).toThrow(/status 402 is not documented/);
    expect(() => assertDocumented("GET /v1/invoices/{id}", json(200, invoice, "text/html"))).toThrow(
      /content-type text\/html is not documented/,
    );
    expect(() => assertDocumented("DELETE /v1/customers/{id}", json(204, {}))).toThrow(/documents no body/);
    expect(() =>
      assertDocumented(
        "GET /v1/customers/{id}",
        json(404, { message: "Not Found" }, "application/problem+json"),
      ),
    ).toThrow(/does not match/);
  });

  it("fails on an operation the document does not have, unless it answers 404 (no such route)", () => {
    expect(() => assertDocumented("PUT /v1/invoices/{id}", json(200, invoice))).toThrow(
      /not in the OpenAPI document/,
    );
    expect(() =>
      assertDocumented("DELETE /v1/tax-rates/{id}", json(404, {}, "application/problem+json")),
    ).not.toThrow();
  });
});
