/**
 * Checkout of a payment link's recurring items (issue 13 §3), sandbox, on a test clock, through the
 * hosted page's handler and the billing queue as deployed. Worked by hand: Beans 12.99 (one-time) and
 * Club 9.00 per month, 10 % tax per line, rounded half away from zero:
 * - Beans 12.99 + 1.30 tax; Club 9.00 + 0.90 tax: 24.19 due today, then 9.90 per month.
 * - The invoice paid at checkout is period 0 of the subscription (Jun 15 – Jul 15 2030): the
 *   subscription starts active with that period billed, and the clock's advance to Jul 15 bills
 *   period 1 — Club only, 9.90 — charged to the card saved by the checkout.
 * - A declined card first: nothing is written for the subscription, and the retry pays.
 * - A 14-day trial with nothing else bought: nothing charged, the card saved (a declining card is
 *   refused), the subscription `trialing` until Jun 29.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { handler as sessionsApi } from "../../functions/api/checkout-sessions.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as paymentMethods } from "../../functions/api/payment-methods.ts";
import { handler as discountCodes } from "../../functions/api/discount-codes.ts";
import { handler as links } from "../../functions/api/payment-links.ts";
import { handler as products } from "../../functions/api/products.ts";
import { handler as subscriptions } from "../../functions/api/subscriptions.ts";
import { handler as taxRates } from "../../functions/api/tax-rates.ts";
import { handler as testClocks } from "../../functions/api/test-clocks.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { formTokenIn, newPaymentLink, page, post } from "../helpers/checkout.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { clockHarness } from "../helpers/subscriptions.ts";

let aws: TestAws;
let shop: TestMerchant;
const p = { beans: "", club: "" };
let vat = "";
const harness = clockHarness(() => ({ aws, shop }));

const api = (handler: unknown, routeKey: string, options: Parameters<typeof merchantCall>[3] = {}) =>
  expectStatus(merchantCall(handler as never, routeKey, shop.secret, options));
const newClock = async (frozenTime: string) =>
  (
    await expectStatus(
      merchantCall(testClocks, "POST /v1/test-clocks", shop.secret, { body: { frozenTime } }),
      201,
    )
  ).id as string;
const newLink = (body: object) => newPaymentLink(shop.secret, body);
const start = async (slug: string, email: string) => {
  const r = await post(slug, { formToken: formTokenIn((await page(slug)).raw), email });
  return /[?&]session=(cs_[0-9A-Z]{26})$/.exec(r.headers.location ?? "")?.[1] ?? "";
};
const pay = async (slug: string, sessionId: string, card: string) =>
  post(slug, {
    formToken: formTokenIn((await page(slug, { session: sessionId })).raw),
    session: sessionId,
    card,
  });
const session = (id: string) => api(sessionsApi, "GET /v1/checkout-sessions/{id}", { id });
const subscriptionsOf = async (customerId: string) =>
  (await api(subscriptions, "GET /v1/subscriptions", { query: { customerId } })).data as Record<
    string,
    unknown
  >[];
const invoicesOf = async (customerId: string) =>
  (await api(invoices, "GET /v1/invoices", { query: { customerId } })).data as Record<string, unknown>[];

beforeAll(async () => {
  aws = await useTestAws(["stripe-events"]);
  shop = await newMerchant("Club Shop");
  const product = async (body: object) =>
    (await expectStatus(merchantCall(products, "POST /v1/products", shop.secret, { body }), 201))
      .id as string;
  p.beans = await product({ name: "Beans", unitAmount: 1299, currency: "USD" });
  p.club = await product({
    name: "Club",
    unitAmount: 900,
    currency: "USD",
    recurring: { interval: "month" },
  });
  vat = (
    await expectStatus(
      merchantCall(taxRates, "POST /v1/tax-rates", shop.secret, {
        body: { name: "Sales tax", percentage: 10, inclusive: false },
      }),
      201,
    )
  ).id as string;
});

describe("a payment link selling recurring items", () => {
  it("says what is charged today and how often after that, priced on the server", async () => {
    const { slug } = await newLink({
      name: "Club with beans",
      lineItems: [{ productId: p.beans }, { productId: p.club }],
      taxRateIds: [vat],
    });
    const r = await page(slug);
    expect(r.status).toBe(200);
    expect(r.raw).toContain("$9.00 per month");
    expect(r.raw).toMatch(/Due today<\/th><td class="num" data-t="amountDueNow">\$24\.19/);
    expect(r.raw).toContain(
      "Then $9.90 per month, charged automatically to the card you pay with until you cancel.",
    );
  });

  it("bills period 0 with the purchase, starts the subscription with the card once paid (not before a decline), and renews on the clock", async () => {
    const clockId = await newClock("2030-06-15T10:00:00Z");
    const { id: linkId, slug } = await newLink({
      name: "Club with beans",
      lineItems: [{ productId: p.beans }, { productId: p.club }],
      taxRateIds: [vat],
      testClockId: clockId,
    });
    const email = `club-${Date.now()}@example.com`;
    const sessionId = await start(slug, email);
    const opened = await session(sessionId);
    expect(opened).toMatchObject({
      status: "open",
      total: 2419,
      amountDueNow: 2419,
      recurring: { interval: "month", amount: 990 },
    });
    expect(opened.lineItems.map((l: { interval?: string }) => l.interval)).toEqual([undefined, "month"]);

    const declined = await pay(slug, sessionId, "4000 0000 0000 0002");
    expect(declined.status).toBe(402);
    const afterDecline = await session(sessionId);
    expect(afterDecline.status).toBe("open");
    expect(afterDecline.subscriptionId).toMatch(/^sub_/);
    expect(afterDecline).not.toHaveProperty("pendingSubscription");
    // Nothing of the subscription exists until it is paid for.
    expect(
      (
        await merchantCall(subscriptions, "GET /v1/subscriptions/{id}", shop.secret, {
          id: afterDecline.subscriptionId,
        })
      ).status,
    ).toBe(404);

    expect((await pay(slug, sessionId, "4242 4242 4242 4242")).status).toBe(303);
    const done = await session(sessionId);
    expect(done).toMatchObject({ status: "complete", subscriptionId: afterDecline.subscriptionId });
    expect(done).not.toHaveProperty("pendingSubscription");

    const [subscription, ...more] = await subscriptionsOf(done.customerId);
    expect(more).toEqual([]);
    expect(subscription).toMatchObject({
      id: done.subscriptionId,
      status: "active",
      interval: "month",
      testClockId: clockId,
      currentPeriodStart: "2030-06-15T00:00:00.000Z",
      currentPeriodEnd: "2030-07-15T00:00:00.000Z",
      nextBillingAt: "2030-07-15T00:00:00.000Z",
      latestInvoiceId: done.invoiceId,
      cyclesBilled: 1,
      items: [{ productId: p.club, description: "Club", unitAmount: 900, quantity: 1 }],
      metadata: { paymentLinkId: linkId, checkoutSessionId: sessionId },
    });
    // The card the buyer paid with is saved and charged for the renewals.
    const methods = await api(paymentMethods, "GET /v1/customers/{id}/payment-methods", {
      id: done.customerId,
    });
    expect(methods.data.map((m: { id: string }) => m.id)).toEqual([subscription?.defaultPaymentMethodId]);

    const paid = await api(invoices, "GET /v1/invoices/{id}", { id: done.invoiceId });
    expect(paid).toMatchObject({
      status: "paid",
      subscriptionId: done.subscriptionId,
      periodStart: "2030-06-15T00:00:00.000Z",
      periodEnd: "2030-07-15T00:00:00.000Z",
      total: 2419,
      amountPaid: 2419,
    });
    expect(
      paid.lineItems.map((l: { description: string; amountSubtotal: number }) => [
        l.description,
        l.amountSubtotal,
      ]),
    ).toEqual([
      ["Beans", 1299],
      ["Club", 900],
    ]);
    expect((await api(links, "GET /v1/payment-links/{id}", { id: linkId })).timesRedeemed).toBe(1);

    // The invoice.paid event reaches the billing queue too: it changes nothing (no second start).
    await harness.deliverEvent("invoice.paid", done.invoiceId);
    expect(await subscriptionsOf(done.customerId)).toHaveLength(1);

    await harness.advance(clockId, "2030-07-15T06:00:00Z");
    const billed = await invoicesOf(done.customerId);
    expect(billed).toHaveLength(2);
    const renewal = billed.find((i) => i.id !== done.invoiceId);
    expect(renewal).toMatchObject({
      status: "paid",
      subscriptionId: done.subscriptionId,
      periodStart: "2030-07-15T00:00:00.000Z",
      total: 990,
    });
  });

  it("starts a trial with nothing charged today: the card is saved (a declining one refused), the subscription trialing", async () => {
    const clockId = await newClock("2030-06-15T10:00:00Z");
    const { slug } = await newLink({
      name: "Club trial",
      lineItems: [{ productId: p.club }],
      taxRateIds: [vat],
      trialDays: 14,
      testClockId: clockId,
    });
    const form = await page(slug);
    expect(form.raw).toContain("Free for 14 days, then $9.90 per month");
    const sessionId = await start(slug, `trial-${Date.now()}@example.com`);
    expect(await session(sessionId)).toMatchObject({
      total: 990,
      amountDueNow: 0,
      recurring: { interval: "month", amount: 990, trialDays: 14 },
    });
    expect((await page(slug, { session: sessionId })).raw).toContain("Save card and start");

    expect((await pay(slug, sessionId, "4000 0000 0000 0002")).status).toBe(402);
    const declined = await session(sessionId);
    expect(declined.status).toBe("open");
    expect(await subscriptionsOf(declined.customerId)).toEqual([]);

    expect((await pay(slug, sessionId, "4242 4242 4242 4242")).status).toBe(303);
    const done = await session(sessionId);
    expect(done.status).toBe("complete");
    expect(done).not.toHaveProperty("invoiceId");
    expect(done).not.toHaveProperty("paymentId");
    expect(await invoicesOf(done.customerId)).toEqual([]);
    const [subscription] = await subscriptionsOf(done.customerId);
    expect(subscription).toMatchObject({
      id: done.subscriptionId,
      status: "trialing",
      trialEnd: "2030-06-29T00:00:00.000Z",
      nextBillingAt: "2030-06-29T00:00:00.000Z",
      latestInvoiceId: null,
    });
    expect(subscription?.defaultPaymentMethodId).toMatch(/^pm_/);
    expect((await page(slug, { session: sessionId })).raw).toContain("Your subscription has started");
  });

  it("with a trial, charges the one-time items today and starts the recurring ones trialing", async () => {
    const clockId = await newClock("2030-06-15T10:00:00Z");
    const { slug } = await newLink({
      name: "Beans and a club trial",
      lineItems: [{ productId: p.beans, quantity: 2 }, { productId: p.club }],
      taxRateIds: [vat],
      trialDays: 7,
      testClockId: clockId,
    });
    const sessionId = await start(slug, `mixed-${Date.now()}@example.com`);
    // 2 × 12.99 = 25.98 + 2.60 tax = 28.58 today; the club's 9.90 after the trial.
    expect(await session(sessionId)).toMatchObject({ amountDueNow: 2858, total: 3848 });
    expect((await pay(slug, sessionId, "4242 4242 4242 4242")).status).toBe(303);
    const done = await session(sessionId);
    const paid = await api(invoices, "GET /v1/invoices/{id}", { id: done.invoiceId });
    expect(paid).toMatchObject({ status: "paid", total: 2858, subscriptionId: done.subscriptionId });
    expect(paid.lineItems).toHaveLength(1);
    const [subscription] = await subscriptionsOf(done.customerId);
    expect(subscription).toMatchObject({
      status: "trialing",
      trialEnd: "2030-06-22T00:00:00.000Z",
      latestInvoiceId: null,
    });
  });
  it("takes a discount code for today's invoice and keeps its terms for the renewals (forever), redeemed once; refuses one with a trial", async () => {
    const code = await expectStatus(
      merchantCall(discountCodes, "POST /v1/discount-codes", shop.secret, {
        body: { code: `CLUB${Date.now()}`, percentOff: 10, duration: "forever" },
      }),
      201,
    );
    const clockId = await newClock("2030-06-15T10:00:00Z");
    const { slug } = await newLink({
      name: "Club, discounted",
      lineItems: [{ productId: p.club }],
      taxRateIds: [vat],
      allowDiscountCodes: true,
      testClockId: clockId,
    });
    const r = await post(slug, {
      formToken: formTokenIn((await page(slug)).raw),
      email: `coded-${Date.now()}@example.com`,
      discountCode: code.code,
    });
    const sessionId = /[?&]session=(cs_[0-9A-Z]{26})$/.exec(r.headers.location ?? "")?.[1] ?? "";
    // 9.00 − 10 % = 8.10, + 10 % tax 0.81 = 8.91.
    expect(await session(sessionId)).toMatchObject({ discountTotal: 90, total: 891, amountDueNow: 891 });
    expect((await pay(slug, sessionId, "4242 4242 4242 4242")).status).toBe(303);
    const done = await session(sessionId);
    expect(await api(invoices, "GET /v1/invoices/{id}", { id: done.invoiceId })).toMatchObject({
      status: "paid",
      total: 891,
    });
    const [subscription] = await subscriptionsOf(done.customerId);
    expect(subscription?.discounts).toEqual([{ percentOff: 10, code: code.code, duration: "forever" }]);
    expect((await api(discountCodes, "GET /v1/discount-codes/{id}", { id: code.id })).timesRedeemed).toBe(1);

    await harness.advance(clockId, "2030-07-15T06:00:00Z");
    const renewal = (await invoicesOf(done.customerId)).find((i) => i.id !== done.invoiceId);
    expect(renewal).toMatchObject({ status: "paid", total: 891 });
    expect((await api(discountCodes, "GET /v1/discount-codes/{id}", { id: code.id })).timesRedeemed).toBe(1);

    const trial = await newLink({
      name: "Club trial, no codes",
      lineItems: [{ productId: p.club }],
      trialDays: 7,
      allowDiscountCodes: true,
    });
    const refused = await post(trial.slug, {
      formToken: formTokenIn((await page(trial.slug)).raw),
      email: "trial-coded@example.com",
      discountCode: code.code,
    });
    expect(refused.status).toBe(400);
    expect(refused.raw).toContain("Discount codes cannot be used with a free trial.");
  });
});
