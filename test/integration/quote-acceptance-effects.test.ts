/**
 * What an accepted quote sets off (issue 14 §2), against DynamoDB Local: its recurring lines start
 * exactly one subscription (items, start, collection and card as the quote says; its first period's
 * invoice total is the quote's `recurringTotal`; run twice or concurrently, still one, recorded on the
 * quote), and its discount codes are counted as redeemed once per quote — honoured even when the code
 * was switched off after the quote was published.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as discountCodes } from "../../functions/api/discount-codes.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as products } from "../../functions/api/products.ts";
import { handler as quotes } from "../../functions/api/quotes.ts";
import { handler as subscriptions } from "../../functions/api/subscriptions.ts";
import { handler as taxRates } from "../../functions/api/tax-rates.ts";
import { clockFor, quoteAcceptancePorts } from "../../shared/composition.ts";
import { NotFoundError, StateConflictError } from "../../shared/domain/errors.ts";
import { redeemQuoteDiscounts, startQuoteSubscription } from "../../shared/quotes/acceptance-effects.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { clockHarness } from "../helpers/subscriptions.ts";

let aws: TestAws;
let shop: TestMerchant;
const p = { once: "", monthly: "" };
let vat = "";

type Body = Record<string, unknown>;
const call = (handler: unknown, routeKey: string, options: { id?: string; body?: object } = {}) =>
  merchantCall(handler, routeKey, shop.secret, options);
const made = async (handler: unknown, route: string, body: object) =>
  expectStatus(call(handler, route, { body }), 201);
const harness = clockHarness(() => ({ aws, shop }));
const ports = () => quoteAcceptancePorts(clockFor());

/** A quote published and accepted on paper, as the API records it. */
async function acceptedQuote(body: Body) {
  const draft = await made(quotes, "POST /v1/quotes", { currency: "USD", ...body });
  await expectStatus(call(quotes, "POST /v1/quotes/{id}/publish", { id: draft.id }));
  return expectStatus(
    call(quotes, "POST /v1/quotes/{id}/accept", { id: draft.id, body: { name: "Ada Buyer" } }),
  );
}

const newCode = async (code: string) =>
  made(discountCodes, "POST /v1/discount-codes", { code, percentOff: 10, duration: "forever" });
const codeOf = async (id: string) => expectStatus(call(discountCodes, "GET /v1/discount-codes/{id}", { id }));
const getQuote = async (id: string) => expectStatus(call(quotes, "GET /v1/quotes/{id}", { id }));
const getSubscription = async (id: string) =>
  expectStatus(call(subscriptions, "GET /v1/subscriptions/{id}", { id }));
/** The merchant's subscriptions a quote started (by their `quoteId` metadata). */
const subscriptionsOf = async (quoteId: string) =>
  (await aws.scanAll()).filter(
    (i) =>
      i.type === "subscription" &&
      i.PK === `MERCHANT#${shop.id}` &&
      (i.metadata as Record<string, string> | undefined)?.quoteId === quoteId,
  );

describe("an accepted quote's effects against DynamoDB Local", () => {
  beforeAll(async () => {
    aws = await useTestAws(["stripe-events", "billing"]);
    shop = await newMerchant("Quote Effects Shop");
    p.once = (
      await made(products, "POST /v1/products", { name: "Setup kit", unitAmount: 1999, currency: "USD" })
    ).id;
    p.monthly = (
      await made(products, "POST /v1/products", {
        name: "Support",
        unitAmount: 4999,
        currency: "USD",
        recurring: { interval: "month" },
      })
    ).id;
    vat = (await made(taxRates, "POST /v1/tax-rates", { name: "VAT", percentage: 19, inclusive: false })).id;
  });

  it("starts one subscription today on the saved card, its first period billed at recurringTotal; again: the same one", async () => {
    const buyer = await harness.buyerAt("2030-03-10T12:00:00Z", "pm_card_visa");
    const card = (await expectStatus(call(customers, "GET /v1/customers/{id}", { id: buyer.customerId })))
      .defaultPaymentMethodId as string;
    const code = await newCode("EFFECTS10");
    const quote = await acceptedQuote({
      customerId: buyer.customerId,
      lineItems: [
        {
          productId: p.monthly,
          quantity: 2,
          taxRateIds: [vat],
          description: "Premium support",
          unitAmount: 4500,
        },
        { productId: p.once, quantity: 3, taxRateIds: [vat] },
      ],
      discounts: [{ code: code.code }, { amountOff: 777 }],
      // Already past when accepted: the subscription starts today.
      subscriptionStartDate: "2030-01-01",
    });
    expect(quote.recurringTotal).toBeGreaterThan(0);

    const id = await startQuoteSubscription(ports(), shop.id, quote.id, { paymentMethodId: card });
    expect(id).toMatch(/^sub_/);
    const subscription = await getSubscription(id as string);
    expect(subscription).toMatchObject({
      customerId: buyer.customerId,
      status: "active",
      interval: "month",
      startDate: "2030-03-10",
      collectionMethod: "charge_automatically",
      defaultPaymentMethodId: card,
      taxRateIds: [vat],
      metadata: { quoteId: quote.id },
      testClockId: buyer.clockId,
    });
    // The quote's price and description, not the product's.
    expect(subscription.items).toEqual([
      expect.objectContaining({
        productId: p.monthly,
        description: "Premium support",
        unitAmount: 4500,
        quantity: 2,
      }),
    ]);
    const first = await expectStatus(
      call(invoices, "GET /v1/invoices/{id}", { id: subscription.latestInvoiceId }),
    );
    expect(first).toMatchObject({ subscriptionId: id, total: quote.recurringTotal, status: "paid" });

    expect((await getQuote(quote.id)).subscriptionId).toBe(id);
    expect(await startQuoteSubscription(ports(), shop.id, quote.id, { paymentMethodId: card })).toBe(id);
    expect(await subscriptionsOf(quote.id)).toHaveLength(1);
    expect(await harness.eventsOf("subscription.created", id as string)).toHaveLength(1);
    expect((await getSubscription(id as string)).latestInvoiceId).toBe(first.id);
  });

  it("starts on a future subscriptionStartDate, sending invoices on the merchant's terms without a card", async () => {
    const buyer = await harness.buyerAt("2030-05-20T08:00:00Z");
    const quote = await acceptedQuote({
      customerId: buyer.customerId,
      lineItems: [{ productId: p.monthly, quantity: 1, taxRateIds: [vat] }],
      subscriptionStartDate: "2030-06-01",
    });
    const id = (await startQuoteSubscription(ports(), shop.id, quote.id)) as string;
    expect(await getSubscription(id)).toMatchObject({
      status: "scheduled",
      startDate: "2030-06-01",
      collectionMethod: "send_invoice",
      paymentTerms: shop.merchant.defaultPaymentTerms,
      defaultPaymentMethodId: null,
      latestInvoiceId: null,
      items: [expect.objectContaining({ productId: p.monthly, description: "Support", unitAmount: 4999 })],
    });

    // Its first period, billed by the clock on the start date, is the quoted recurring total.
    await harness.advance(buyer.clockId, "2030-06-01T01:00:00Z");
    const started = await getSubscription(id);
    expect(started.status).toBe("active");
    const first = await expectStatus(
      call(invoices, "GET /v1/invoices/{id}", { id: started.latestInvoiceId }),
    );
    expect(first.total).toBe(quote.recurringTotal);
  });

  it("starts one subscription however many starts race, only for its own merchant, and none without recurring lines", async () => {
    const buyer = await harness.buyerAt("2030-07-01T00:00:00Z");
    const quote = await acceptedQuote({
      customerId: buyer.customerId,
      lineItems: [
        { productId: p.monthly, quantity: 1, taxRateIds: [vat] },
        { productId: p.once, quantity: 1 },
      ],
    });
    const ids = await Promise.all([1, 2, 3].map(() => startQuoteSubscription(ports(), shop.id, quote.id)));
    expect(new Set(ids).size).toBe(1);
    expect(await subscriptionsOf(quote.id)).toHaveLength(1);
    expect((await getQuote(quote.id)).subscriptionId).toBe(ids[0]);
    // Another merchant cannot reach it.
    const stranger = await newMerchant("Stranger");
    await expect(startQuoteSubscription(ports(), stranger.id, quote.id)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(redeemQuoteDiscounts(ports(), stranger.id, quote.id)).rejects.toBeInstanceOf(NotFoundError);

    const oneTime = await acceptedQuote({
      customerId: buyer.customerId,
      lineItems: [{ productId: p.once, quantity: 2 }],
    });
    expect(await startQuoteSubscription(ports(), shop.id, oneTime.id)).toBeUndefined();
    expect((await getQuote(oneTime.id)).subscriptionId).toBeUndefined();
  });

  it("refuses to start or redeem for a quote not accepted (a 409), writing nothing", async () => {
    const buyer = await harness.buyerAt("2030-07-01T00:00:00Z");
    const draft = await made(quotes, "POST /v1/quotes", {
      customerId: buyer.customerId,
      currency: "USD",
      lineItems: [{ productId: p.monthly, quantity: 1 }],
    });
    await expectStatus(call(quotes, "POST /v1/quotes/{id}/publish", { id: draft.id }));
    await expect(startQuoteSubscription(ports(), shop.id, draft.id)).rejects.toBeInstanceOf(
      StateConflictError,
    );
    await expect(redeemQuoteDiscounts(ports(), shop.id, draft.id)).rejects.toBeInstanceOf(StateConflictError);
    expect(await subscriptionsOf(draft.id)).toHaveLength(0);
  });

  it("counts the quote's codes as redeemed once however often it runs, honouring a code switched off since publish", async () => {
    const buyer = await harness.buyerAt("2030-08-01T00:00:00Z");
    const code = await newCode("ONCEONLY");
    const other = await newCode("ALSOONCE");
    const draft = await made(quotes, "POST /v1/quotes", {
      customerId: buyer.customerId,
      currency: "USD",
      lineItems: [{ productId: p.once, quantity: 1 }],
      discounts: [{ code: code.code }, { code: other.code }],
    });
    await expectStatus(call(quotes, "POST /v1/quotes/{id}/publish", { id: draft.id }));
    await expectStatus(
      call(discountCodes, "PATCH /v1/discount-codes/{id}", {
        id: code.id,
        body: { active: false, maxRedemptions: 1 },
      }),
    );
    await expectStatus(call(quotes, "POST /v1/quotes/{id}/accept", { id: draft.id, body: { name: "Ada" } }));

    await Promise.all([1, 2].map(() => redeemQuoteDiscounts(ports(), shop.id, draft.id)));
    await redeemQuoteDiscounts(ports(), shop.id, draft.id);
    expect((await codeOf(code.id)).timesRedeemed).toBe(1);
    expect((await codeOf(other.id)).timesRedeemed).toBe(1);
    // Bookkeeping only: the quote as the API shows it is unchanged.
    expect(await getQuote(draft.id)).not.toHaveProperty("discountsRedeemedAt");
  });
});
