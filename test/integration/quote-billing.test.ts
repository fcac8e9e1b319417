/**
 * What follows a quote's acceptance (issue 14 §2), against DynamoDB Local, the sandbox processor and
 * the billing queue's consumer as deployed, on test clocks: `quote.accepted` issues the first invoice
 * once (installment 1's frozen line, or the one-time part with the quote's own totals); the buyer
 * pays it on the quote's page (the card kept when more follows); the later installments are planned
 * on the clock, issued once, charged on the saved card with their receipts, and the plan follows
 * them to `paid`; a declining card runs the merchant's dunning retries and leaves the installment
 * open and `past_due`; a quote that collects no payment has every invoice sent; the quote's codes
 * are redeemed at acceptance and its recurring lines start a subscription on the card kept.
 */
import { randomUUID } from "node:crypto";
import type { SQSRecord } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as discountCodes } from "../../functions/api/discount-codes.ts";
import { handler as invoicesApi } from "../../functions/api/invoices.ts";
import { handler as paymentMethods } from "../../functions/api/payment-methods.ts";
import { handler as products } from "../../functions/api/products.ts";
import { handler as quotesApi } from "../../functions/api/quotes.ts";
import { handler as subscriptionsApi } from "../../functions/api/subscriptions.ts";
import { handler as taxRates } from "../../functions/api/tax-rates.ts";
import { handler as hosted } from "../../functions/hosted/quote.ts";
import { handler as notifications } from "../../functions/notifications/send.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { dynamoQuoteStore } from "../../shared/store/quotes.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { clockHarness } from "../helpers/subscriptions.ts";

let aws: TestAws;
let shop: TestMerchant;
let vat = "";
const h = clockHarness(() => ({ aws, shop }));

type Body = Record<string, unknown>;
const api = (
  handler: unknown,
  routeKey: string,
  options: { id?: string; body?: object; query?: Record<string, string> } = {},
) => merchantCall(handler, routeKey, shop.secret, options);
const getQuote = (id: string) => expectStatus(api(quotesApi, "GET /v1/quotes/{id}", { id }));
const getInvoice = (id: string) => expectStatus(api(invoicesApi, "GET /v1/invoices/{id}", { id }));
const invoicesOf = async (customerId: string) =>
  (await expectStatus(api(invoicesApi, "GET /v1/invoices", { query: { customerId } }))).data as Body[];
const tokenOf = (quote: { hostedUrl: string }) => quote.hostedUrl.split("/q/")[1] ?? "";
const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? "";
const form = (routeKey: string, token: string, fields: Record<string, string>) =>
  call(hosted as never, routeKey, {
    pathParameters: { token },
    body: new URLSearchParams(fields).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "QuoteBuyer/1.0" },
  });
const page = (token: string, path = "") =>
  call(hosted as never, `GET /q/{token}${path}`, { pathParameters: { token } });

async function publishedQuote(customerId: string, body: Body) {
  const draft = await expectStatus(
    api(quotesApi, "POST /v1/quotes", {
      body: {
        customerId,
        currency: "USD",
        title: "Platform build",
        lineItems: [{ description: "Build", quantity: 1, unitAmount: 100_000, taxRateIds: [vat] }],
        ...body,
      },
    }),
    201,
  );
  return expectStatus(api(quotesApi, "POST /v1/quotes/{id}/publish", { id: draft.id }));
}

/** The buyer signs on the page; the outbox's quote.accepted reaches the billing queue. */
async function signAndBill(quote: { id: string; hostedUrl: string }) {
  const token = tokenOf(quote);
  const shown = (await page(token)).raw;
  const signed = await form("POST /q/{token}/sign", token, {
    formToken: field(shown, "formToken"),
    contentHash: field(shown, "contentHash"),
    name: "Ada Buyer",
    consent: "yes",
  });
  expect(signed.status, signed.raw).toBe(303);
  await h.deliverEvent("quote.accepted", quote.id);
  return getQuote(quote.id);
}

/** Pays the first invoice on the quote's page with a sandbox card, without scripts: GET the form, POST it. */
async function payOnPage(token: string, card: string) {
  const payPage = await page(token, "/pay");
  expect(payPage.status, payPage.raw).toBe(200);
  const paid = await form("POST /q/{token}/pay", token, { formToken: field(payPage.raw, "formToken"), card });
  expect(paid.status, paid.raw).toBe(303);
  expect(paid.headers.location).toBe(`/q/${token}?paid=1`);
}

const paymentsOf = async (invoiceId: string) =>
  (await aws.scanAll()).filter(
    (i) => i.type === "payment" && (i.for as { id?: string } | undefined)?.id === invoiceId,
  );

/** Delivers an event item to the notifications consumer, as the outbox would. */
async function notify(event: unknown) {
  const record = { messageId: randomUUID(), body: JSON.stringify(event) } as SQSRecord;
  expect(await notifications({ Records: [record] })).toEqual({ batchItemFailures: [] });
}

const days = (iso: string, n: number, hours = 1) =>
  new Date(Date.parse(iso) + n * 86_400_000 + hours * 3_600_000).toISOString();

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events", "notifications"]);
  shop = await newMerchant("Quote Billing Shop");
  vat = (
    await expectStatus(
      api(taxRates, "POST /v1/tax-rates", { body: { name: "VAT", percentage: 10, inclusive: false } }),
      201,
    )
  ).id;
});

describe("an accepted quote with a payment plan", () => {
  it("invoices installment 1 once at acceptance, is paid on the page with the card kept, then the clock charges installments 2 and 3 with receipts and the plan is paid", async () => {
    const { clockId, customerId, email } = await h.buyerAt("2026-03-02T10:00:00Z");
    const quote = await publishedQuote(customerId, {
      paymentPlan: {
        installments: [
          { percent: 30, dueAfterDays: 0 },
          { percent: 30, dueAfterDays: 30 },
          { percent: 40, dueAfterDays: 60 },
        ],
      },
    });
    const accepted = await signAndBill(quote);
    expect(accepted).toMatchObject({
      status: "accepted",
      invoiceId: expect.any(String),
      paymentPlan: {
        status: "pending",
        installments: [
          { amount: 33_000, tax: 3_000, dueDate: "2026-03-02", status: "open" },
          { amount: 33_000, tax: 3_000, dueDate: "2026-04-01", status: "upcoming" },
          { amount: 44_000, tax: 4_000, dueDate: "2026-05-01", status: "upcoming" },
        ],
      },
    });
    expect(accepted.paymentPlan.installments[0].invoiceId).toBe(accepted.invoiceId);
    expect(accepted).not.toHaveProperty("paymentMethodId");

    // The plan's frozen line, never re-priced: the amount and tax share the quote shows.
    const first = await getInvoice(accepted.invoiceId);
    expect(first).toMatchObject({
      status: "open",
      quoteId: quote.id,
      installment: { number: 1, of: 3 },
      total: 33_000,
      taxTotal: 3_000,
      subtotal: 30_000,
      amountRemaining: 33_000,
      paymentTerms: "due_on_receipt",
      lineItems: [{ description: "Installment 1 of 3", quantity: 1, amountTax: 3_000, amountTotal: 33_000 }],
    });

    // A redelivered quote.accepted issues nothing more.
    await h.deliverEvent("quote.accepted", quote.id);
    expect(await invoicesOf(customerId)).toHaveLength(1);

    const token = tokenOf(quote);
    const shown = await page(token);
    expect(shown.raw).toContain("Pay $330.00 now");
    expect(shown.raw).toContain(`href="/q/${token}/pay"`);
    expect(shown.raw).not.toMatch(/<script/i);
    expect((await page(token, "/pay")).raw).toContain("saved for the later payments");

    await payOnPage(token, "4242424242424242");
    expect(await getInvoice(accepted.invoiceId)).toMatchObject({ status: "paid", amountPaid: 33_000 });
    const methods = await expectStatus(
      api(paymentMethods, "GET /v1/customers/{id}/payment-methods", { id: customerId }),
    );
    expect(methods.data).toHaveLength(1);
    expect((await dynamoQuoteStore.read(shop.id, quote.id))?.value.paymentMethodId).toBe(methods.data[0].id);

    await h.deliverEvent("invoice.paid", accepted.invoiceId);
    expect((await getQuote(quote.id)).paymentPlan).toMatchObject({
      status: "active",
      installments: [{ status: "paid" }, { status: "upcoming" }, { status: "upcoming" }],
    });
    const due = await h.duePartition(clockId);
    expect(due).toContain(`${quote.id}-installment-2 @ 2026-04-01T10:00:00.000Z`);
    expect(due).toContain(`${quote.id}-installment-3 @ 2026-05-01T10:00:00.000Z`);

    // Installment 2: issued, finalized and charged off-session on the saved card on its day.
    await h.advance(clockId, days("2026-03-02T10:00:00Z", 30));
    const second = (await getQuote(quote.id)).paymentPlan.installments[1];
    // The advance also ran the clock's events: its invoice.paid marked the installment paid.
    expect(second).toMatchObject({ status: "paid", invoiceId: expect.any(String) });
    expect(await getInvoice(second.invoiceId)).toMatchObject({
      status: "paid",
      quoteId: quote.id,
      installment: { number: 2, of: 3 },
      total: 33_000,
      taxTotal: 3_000,
      amountPaid: 33_000,
      lineItems: [{ description: "Installment 2 of 3" }],
    });
    const [payment] = await paymentsOf(second.invoiceId);
    expect(payment).toMatchObject({ status: "succeeded", amount: 33_000 });
    // Its receipt: the payment's event, mailed by the receipt notification.
    const [succeeded] = await h.eventsOf("payment.succeeded", String(payment?.id));
    expect(succeeded).toBeDefined();
    await notify(succeeded);
    expect((await aws.mailTo(email)).some((mail) => mail.body.text.includes("$330.00"))).toBe(true);
    await h.deliverEvent("invoice.paid", second.invoiceId);
    expect((await getQuote(quote.id)).paymentPlan.status).toBe("active");

    // A redelivered firing of installment 2 issues and charges nothing more.
    await h.deliver({
      kind: "quote.installment",
      merchantId: shop.id,
      quoteId: quote.id,
      installment: 2,
      testClockId: clockId,
    });
    expect(await invoicesOf(customerId)).toHaveLength(2);
    expect(await paymentsOf(second.invoiceId)).toHaveLength(1);

    await h.advance(clockId, days("2026-03-02T10:00:00Z", 60));
    const third = (await getQuote(quote.id)).paymentPlan.installments[2];
    expect(await getInvoice(third.invoiceId)).toMatchObject({
      status: "paid",
      installment: { number: 3, of: 3 },
      amountPaid: 44_000,
    });
    expect(
      await h.eventsOf("payment.succeeded", String((await paymentsOf(third.invoiceId))[0]?.id)),
    ).toHaveLength(1);
    await h.deliverEvent("invoice.paid", third.invoiceId);
    expect((await getQuote(quote.id)).paymentPlan).toMatchObject({
      status: "paid",
      installments: [{ status: "paid" }, { status: "paid" }, { status: "paid" }],
    });
    expect(await invoicesOf(customerId)).toHaveLength(3);
  });

  it("retries a declined installment on the merchant's dunning days, then leaves it open and the plan past_due", async () => {
    const { clockId, customerId } = await h.buyerAt("2026-06-01T09:00:00Z");
    const quote = await publishedQuote(customerId, {
      paymentPlan: {
        installments: [
          { amount: 55_000, dueAfterDays: 0 },
          { amount: 55_000, dueAfterDays: 10 },
        ],
      },
    });
    const accepted = await signAndBill(quote);
    await payOnPage(tokenOf(quote), "4242424242424242");
    await h.deliverEvent("invoice.paid", accepted.invoiceId);
    // The saved card starts declining every charge (Stripe's 0341 card).
    const failing = await expectStatus(
      api(paymentMethods, "POST /v1/customers/{id}/payment-methods", {
        id: customerId,
        body: { paymentMethod: "pm_card_chargeCustomerFail" },
      }),
      201,
    );
    const stored = await dynamoQuoteStore.read(shop.id, quote.id);
    await dynamoQuoteStore.replace(
      shop.id,
      { ...stored!.value, paymentMethodId: failing.id },
      stored!.version,
      newEvent("quote.updated", shop.id, quote.id, new Date(), {}),
    );

    await h.advance(clockId, days("2026-06-01T09:00:00Z", 10));
    const second = (await getQuote(quote.id)).paymentPlan.installments[1];
    const failed = await getInvoice(second.invoiceId);
    expect(failed).toMatchObject({
      status: "open",
      attemptCount: 1,
      nextPaymentAttemptAt: expect.any(String),
    });
    expect((await getQuote(quote.id)).paymentPlan.status).toBe("active");

    // The default retries: 3, 5 and 7 days after the failure, each on the quote's card, each declined.
    await h.advance(clockId, days("2026-06-01T09:00:00Z", 18));
    expect(await getInvoice(second.invoiceId)).toMatchObject({
      status: "open",
      attemptCount: 4,
      amountRemaining: 55_000,
      nextPaymentAttemptAt: null,
    });
    expect((await paymentsOf(second.invoiceId)).map((p) => p.status)).toEqual([
      "failed",
      "failed",
      "failed",
      "failed",
    ]);
    expect((await getQuote(quote.id)).paymentPlan).toMatchObject({
      status: "past_due",
      installments: [{ status: "paid" }, { status: "past_due" }],
    });
    expect((await getQuote(quote.id)).status).toBe("accepted");

    // Paid at last (a bank transfer the merchant records): the installment and the plan are paid.
    await expectStatus(
      api(invoicesApi, "POST /v1/invoices/{id}/payments", {
        id: second.invoiceId,
        body: { amount: 55_000, method: "bank_transfer" },
      }),
      201,
    );
    await h.deliverEvent("invoice.paid", second.invoiceId);
    expect((await getQuote(quote.id)).paymentPlan).toMatchObject({
      status: "paid",
      installments: [{ status: "paid" }, { status: "paid" }],
    });
  });
});

describe("an accepted quote without a plan", () => {
  it("invoices its one-time part with the quote's own totals, paid on the page without keeping the card", async () => {
    const { customerId } = await h.buyerAt("2026-07-01T12:00:00Z");
    const quote = await publishedQuote(customerId, {
      lineItems: [
        { description: "Audit", quantity: 3, unitAmount: 12_345, taxRateIds: [vat] },
        { description: "Report", quantity: 1, unitAmount: 9_999 },
      ],
      discounts: [{ percentOff: 12.5 }],
      fees: [{ description: "Travel", amount: 2_500, taxable: false }],
    });
    const accepted = await signAndBill(quote);
    const invoice = await getInvoice(accepted.invoiceId);
    for (const key of [
      "subtotal",
      "discountTotal",
      "taxTotal",
      "feeTotal",
      "total",
      "lineItems",
      "discounts",
      "fees",
      "taxBreakdown",
    ])
      expect(invoice[key], key).toEqual(quote[key]);
    expect(invoice).toMatchObject({ quoteId: quote.id, status: "open", amountRemaining: quote.upfrontTotal });
    expect(invoice).not.toHaveProperty("installment");
    await payOnPage(tokenOf(quote), "4242424242424242");
    expect((await getInvoice(accepted.invoiceId)).status).toBe("paid");
    const methods = await expectStatus(
      api(paymentMethods, "GET /v1/customers/{id}/payment-methods", { id: customerId }),
    );
    expect(methods.data).toHaveLength(0);
  });
});

describe("an accepted quote of recurring lines only", () => {
  it("issues no invoice and offers 'Save card and start': a declining card is refused, a good one kept on the quote", async () => {
    const { customerId } = await h.buyerAt("2026-09-01T12:00:00Z");
    const product = await expectStatus(
      api(products, "POST /v1/products", {
        body: { name: "Support plan", unitAmount: 4_900, currency: "USD", recurring: { interval: "month" } },
      }),
      201,
    );
    const quote = await publishedQuote(customerId, {
      lineItems: [{ productId: product.id, quantity: 1, taxRateIds: [vat] }],
    });
    const accepted = await signAndBill(quote);
    expect(accepted).not.toHaveProperty("invoiceId");
    expect(await invoicesOf(customerId)).toHaveLength(0);

    const token = tokenOf(quote);
    expect((await page(token)).raw).toContain(`href="/q/${token}/pay">Save card and start</a>`);
    const setup = await page(token, "/pay");
    expect(setup.raw).toContain("Save card and start</button>");
    expect(setup.raw).toContain("Nothing is charged today");

    const declined = await form("POST /q/{token}/pay", token, {
      formToken: field(setup.raw, "formToken"),
      card: "4000000000000002",
    });
    expect(declined.status).toBe(402);
    expect((await dynamoQuoteStore.read(shop.id, quote.id))?.value.paymentMethodId).toBeUndefined();

    await payOnPage(token, "4242424242424242");
    const methods = await expectStatus(
      api(paymentMethods, "GET /v1/customers/{id}/payment-methods", { id: customerId }),
    );
    expect(methods.data).toHaveLength(1);
    expect((await dynamoQuoteStore.read(shop.id, quote.id))?.value.paymentMethodId).toBe(methods.data[0].id);
    expect(
      (await call(hosted as never, "GET /q/{token}", { pathParameters: { token }, query: { paid: "1" } }))
        .raw,
    ).toContain("your card is saved");

    // Saving the card starts the subscription on it: its first period charged at once, as quoted.
    const { subscriptionId } = await getQuote(quote.id);
    const subscription = await expectStatus(
      api(subscriptionsApi, "GET /v1/subscriptions/{id}", { id: subscriptionId }),
    );
    expect(subscription).toMatchObject({
      status: "active",
      collectionMethod: "charge_automatically",
      defaultPaymentMethodId: methods.data[0].id,
      metadata: { quoteId: quote.id },
    });
    const [period0] = await invoicesOf(customerId);
    expect(period0).toMatchObject({ subscriptionId, status: "paid", total: quote.recurringTotal });
  });
});

describe("an accepted quote of one-time and recurring lines with a discount code", () => {
  it("redeems the code at acceptance, and once the first invoice is paid starts the subscription on the card kept", async () => {
    const { customerId } = await h.buyerAt("2026-10-01T12:00:00Z");
    const product = await expectStatus(
      api(products, "POST /v1/products", {
        body: { name: "Hosting", unitAmount: 2_000, currency: "USD", recurring: { interval: "month" } },
      }),
      201,
    );
    const code = await expectStatus(
      api(discountCodes, "POST /v1/discount-codes", {
        body: { code: `Q${randomUUID().slice(0, 6).toUpperCase()}`, percentOff: 10, duration: "forever" },
      }),
      201,
    );
    const quote = await publishedQuote(customerId, {
      lineItems: [
        { description: "Setup", quantity: 1, unitAmount: 50_000, taxRateIds: [vat] },
        { productId: product.id, quantity: 2, taxRateIds: [vat] },
      ],
      discounts: [{ code: code.code }],
    });
    const accepted = await signAndBill(quote);
    await h.deliverEvent("quote.accepted", quote.id);
    expect(
      (await expectStatus(api(discountCodes, "GET /v1/discount-codes/{id}", { id: code.id }))).timesRedeemed,
    ).toBe(1);
    expect(accepted).not.toHaveProperty("subscriptionId");
    expect((await getInvoice(accepted.invoiceId)).total).toBe(quote.upfrontTotal);

    await payOnPage(tokenOf(quote), "4242424242424242");
    await h.deliverEvent("invoice.paid", accepted.invoiceId);
    await h.deliverEvent("invoice.paid", accepted.invoiceId);
    const { subscriptionId } = await getQuote(quote.id);
    const methods = await expectStatus(
      api(paymentMethods, "GET /v1/customers/{id}/payment-methods", { id: customerId }),
    );
    const subscription = await expectStatus(
      api(subscriptionsApi, "GET /v1/subscriptions/{id}", { id: subscriptionId }),
    );
    expect(subscription).toMatchObject({
      status: "active",
      defaultPaymentMethodId: methods.data[0].id,
      items: [expect.objectContaining({ productId: product.id, quantity: 2 })],
    });
    const periods = (await invoicesOf(customerId)).filter((i) => i.subscriptionId === subscriptionId);
    expect(periods).toHaveLength(1);
    expect(periods[0]).toMatchObject({ status: "paid", total: quote.recurringTotal });
  });
});

describe("an accepted quote that collects no payment", () => {
  it("sends the first invoice with the merchant's terms and each later installment on its day, charging nothing", async () => {
    const { clockId, customerId } = await h.buyerAt("2026-08-03T08:00:00Z");
    const quote = await publishedQuote(customerId, {
      collectPayment: false,
      paymentPlan: {
        installments: [
          { percent: 50, dueAfterDays: 0 },
          { percent: 50, dueAfterDays: 15 },
        ],
      },
    });
    const accepted = await signAndBill(quote);
    const first = await getInvoice(accepted.invoiceId);
    expect(first).toMatchObject({ status: "open", sentAt: expect.any(String), attemptCount: 0 });
    expect(first.paymentTerms).not.toBe("due_on_receipt");
    expect(await h.eventsOf("invoice.sent", accepted.invoiceId)).toHaveLength(1);
    // Nothing to pay on the page: the pay form sends the buyer back.
    expect((await page(tokenOf(quote), "/pay")).status).toBe(303);

    await h.advance(clockId, days("2026-08-03T08:00:00Z", 15));
    const second = (await getQuote(quote.id)).paymentPlan.installments[1];
    expect(await getInvoice(second.invoiceId)).toMatchObject({
      status: "open",
      sentAt: expect.any(String),
      attemptCount: 0,
      installment: { number: 2, of: 2 },
      total: 55_000,
    });
    expect(await paymentsOf(second.invoiceId)).toHaveLength(0);
  });
});
