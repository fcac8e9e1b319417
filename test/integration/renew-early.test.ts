/**
 * Renewing early (issue 15 §2) against DynamoDB Local, through the portal's handler and the test
 * clocks' advances as deployed: the buyer pays the next period now on the renew page with a discount
 * code; that period's invoice exists under the period's claim, so the billing run at its start bills
 * nothing and only moves the subscription into it, and the period after is billed as usual. A
 * double post is one invoice and one charge; a used code bills nothing; the 11th failed code is a 429.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as discountCodes } from "../../functions/api/discount-codes.ts";
import { handler as settings } from "../../functions/api/merchant-settings.ts";
import { handler as subscriptions } from "../../functions/api/subscriptions.ts";
import { handler as portal } from "../../functions/hosted/portal.ts";
import { renewEarlyLinks } from "../../shared/composition.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { call as callRoute, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";
import { clockHarness, lostCardDefault } from "../helpers/subscriptions.ts";

let aws: TestAws;
let shop: TestMerchant;
const harness = clockHarness(() => ({ aws, shop }));
const { call, buyerAt } = harness;

async function advance(clockId: string, frozenTime: string) {
  expect(await harness.advance(clockId, frozenTime)).toMatchObject({ status: "ready" });
}

/** A monthly subscription on the customer's saved card, started today: period 0 is charged at once. */
async function subscribe(customerId: string) {
  const r = await call(subscriptions, "POST /v1/subscriptions", undefined, {
    customerId,
    items: [{ description: "Pro plan", unitAmount: 3_100 }],
    currency: "USD",
    interval: "month",
    collectionMethod: "charge_automatically",
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string };
}

const get = async (id: string) => (await call(subscriptions, "GET /v1/subscriptions/{id}", id)).body;

async function newCode(code: string, extra: object = {}) {
  const r = await call(discountCodes, "POST /v1/discount-codes", undefined, {
    code,
    percentOff: 10,
    duration: "once",
    maxRedemptions: 1,
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
}

/** The merchant's items of `type` about the subscription's customer or the subscription. */
async function itemsOf(type: string, match: (item: Record<string, unknown>) => boolean) {
  const { Items = [] } = await aws.db.send(
    new QueryCommand({
      TableName: aws.tableName,
      KeyConditionExpression: "PK = :pk",
      ExpressionAttributeValues: { ":pk": `MERCHANT#${shop.id}` },
    }),
  );
  return Items.filter((i) => i.type === type && match(i));
}

/** The subscription's invoices, oldest period first. */
async function invoicesOf(subscriptionId: string) {
  const items = await itemsOf("invoice", (i) => i.subscriptionId === subscriptionId);
  return items
    .sort((a, b) => String(a.periodStart).localeCompare(String(b.periodStart)))
    .map((i) => ({
      id: i.id,
      period: `${i.periodStart} → ${i.periodEnd}`,
      subtotal: i.subtotal,
      discountTotal: i.discountTotal,
      total: i.total,
      status: i.status,
    }));
}
const paymentsOf = (customerId: string) => itemsOf("payment", (i) => i.customerId === customerId);

/** The renew page's link for a subscription, as the engine mints it, and the portal token in it. */
async function renewLink(customerId: string, subscriptionId: string) {
  const url = await renewEarlyLinks(systemClock)(shop.id, customerId, subscriptionId);
  const match = /\/c\/([A-Za-z0-9_-]{32})\/renew\?subscription=(sub_\w+)$/.exec(url);
  expect(url.startsWith(testPublicBaseUrl)).toBe(true);
  expect(match?.[2]).toBe(subscriptionId);
  return match?.[1] ?? "";
}

const page = (token: string, subscription?: string) =>
  callRoute(portal as never, "GET /c/{token}/renew", {
    pathParameters: { token },
    ...(subscription ? { query: { subscription } } : {}),
  });
const formTokenIn = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1] ?? "";

async function renew(token: string, subscription: string, code?: string, formToken?: string) {
  // The portal's form token (bound to its link): the renew page of a refused subscription has no form.
  const portalPage = () => callRoute(portal as never, "GET /c/{token}", { pathParameters: { token } });
  const presented = formToken ?? formTokenIn((await portalPage()).raw);
  return callRoute(portal as never, "POST /c/{token}/renew", {
    pathParameters: { token },
    body: new URLSearchParams({ formToken: presented, subscription, ...(code ? { code } : {}) }).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events"]);
  shop = await newMerchant("Renew Early Shop");
  const r = await call(settings, "PATCH /v1/merchant", undefined, { timeZone: "UTC" });
  expect(r.status).toBe(200);
});

describe("renewing early with a single-use code", () => {
  it("bills and charges the next period now, discounted; its start bills nothing; the period after is billed without the code", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-01T10:00:00Z", "pm_card_visa");
    const sub = await subscribe(customerId);
    await newCode("EARLY10");
    const token = await renewLink(customerId, sub.id);

    const shown = await page(token, sub.id);
    expect(shown.status).toBe(200);
    expect(shown.raw).toContain("TEST MODE");
    expect(shown.raw).toContain("Pro plan");
    expect(shown.raw).toContain("Feb 1, 2030");
    expect(shown.raw).toContain("$31.00");
    expect(shown.raw).toContain("Renew now");

    const renewed = await renew(token, sub.id, "early10");
    expect(renewed.status, renewed.raw.slice(0, 500)).toBe(303);
    expect(renewed.headers.location).toBe(`/c/${token}/renew?subscription=${sub.id}`);

    const invoices = await invoicesOf(sub.id);
    expect(invoices).toEqual([
      expect.objectContaining({
        period: "2030-01-01T00:00:00.000Z → 2030-02-01T00:00:00.000Z",
        status: "paid",
      }),
      expect.objectContaining({
        period: "2030-02-01T00:00:00.000Z → 2030-03-01T00:00:00.000Z",
        subtotal: 3_100,
        discountTotal: 310,
        total: 2_790,
        status: "paid",
      }),
    ]);
    expect(await paymentsOf(customerId)).toHaveLength(2);
    expect(await get(sub.id)).toMatchObject({
      status: "active",
      cyclesBilled: 2,
      latestInvoiceId: invoices[1]?.id,
      currentPeriodStart: "2030-01-01T00:00:00.000Z",
      nextBillingAt: "2030-02-01T00:00:00.000Z",
    });
    const after = await page(token, sub.id);
    expect(after.raw).toContain("Renewed: your next period");
    expect(after.raw).not.toContain("Renew now");

    // The prepaid period's start: nothing billed, the subscription moves into it.
    await advance(clockId, "2030-02-01T01:00:00Z");
    expect(await invoicesOf(sub.id)).toHaveLength(2);
    expect(await paymentsOf(customerId)).toHaveLength(2);
    expect(await get(sub.id)).toMatchObject({
      status: "active",
      cyclesBilled: 2,
      currentPeriodStart: "2030-02-01T00:00:00.000Z",
      currentPeriodEnd: "2030-03-01T00:00:00.000Z",
      nextBillingAt: "2030-03-01T00:00:00.000Z",
    });

    // The period after is billed as usual, at full price.
    await advance(clockId, "2030-03-01T01:00:00Z");
    const later = await invoicesOf(sub.id);
    expect(later).toHaveLength(3);
    expect(later[2]).toMatchObject({
      period: "2030-03-01T00:00:00.000Z → 2030-04-01T00:00:00.000Z",
      subtotal: 3_100,
      discountTotal: 0,
      total: 3_100,
      status: "paid",
    });
    expect(await get(sub.id)).toMatchObject({ cyclesBilled: 3, nextBillingAt: "2030-04-01T00:00:00.000Z" });
  });
});

describe("what renews once, and what renews nothing", () => {
  it("posted twice at once (a double click), then again (a replay), is one invoice and one charge", async () => {
    const { customerId } = await buyerAt("2030-01-01T10:00:00Z", "pm_card_visa");
    const sub = await subscribe(customerId);
    const token = await renewLink(customerId, sub.id);
    const formToken = formTokenIn((await page(token, sub.id)).raw);

    const [first, second] = await Promise.all([
      renew(token, sub.id, undefined, formToken),
      renew(token, sub.id, undefined, formToken),
    ]);
    const replay = await renew(token, sub.id, undefined, formToken);

    for (const r of [first, second, replay]) expect(r.status, r.raw.slice(0, 300)).toBe(303);
    const invoices = await invoicesOf(sub.id);
    expect(invoices).toHaveLength(2);
    expect(invoices[1]).toMatchObject({ total: 3_100, status: "paid" });
    expect(await paymentsOf(customerId)).toHaveLength(2);
    expect(await get(sub.id)).toMatchObject({ cyclesBilled: 2 });
  });

  it("a declined card leaves the renewal's invoice open to pay on its page; unpaid at the period's start, it is charged as the renewal and fails into past_due", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-01T10:00:00Z", "pm_card_visa");
    const sub = await subscribe(customerId);
    await lostCardDefault(shop.id, customerId, new Date("2030-01-02T00:00:00Z"));
    const token = await renewLink(customerId, sub.id);

    const declined = await renew(token, sub.id);

    expect(declined.status).toBe(402);
    expect(declined.raw).toContain("Your saved card was declined");
    const invoices = await invoicesOf(sub.id);
    expect(invoices).toHaveLength(2);
    expect(invoices[1]).toMatchObject({
      period: "2030-02-01T00:00:00.000Z → 2030-03-01T00:00:00.000Z",
      status: "open",
    });
    // The decline's event reaches billing as deployed: the early renewal's period has not started, nothing fails yet.
    const failed = (await paymentsOf(customerId)).find((p) => p.invoiceId === invoices[1]?.id);
    await harness.deliverEvent("payment.failed", String(failed?.id));
    expect(await get(sub.id)).toMatchObject({ status: "active", cyclesBilled: 2 });
    expect((await page(token, sub.id)).raw).toContain("awaits payment");
    const attempts = (await paymentsOf(customerId)).length;

    await advance(clockId, "2030-02-01T01:00:00Z");
    expect(await invoicesOf(sub.id)).toHaveLength(2);
    expect((await paymentsOf(customerId)).length).toBe(attempts + 1);
    expect(await get(sub.id)).toMatchObject({
      status: "past_due",
      currentPeriodStart: "2030-02-01T00:00:00.000Z",
      nextBillingAt: "2030-03-01T00:00:00.000Z",
    });
  });

  it("a used code says so and bills nothing", async () => {
    const { customerId } = await buyerAt("2030-01-01T10:00:00Z", "pm_card_visa");
    const sub = await subscribe(customerId);
    await newCode("ONCEONLY");
    const other = await buyerAt("2030-01-01T10:00:00Z", "pm_card_visa");
    const otherSub = await subscribe(other.customerId);
    expect(
      (await renew(await renewLink(other.customerId, otherSub.id), otherSub.id, "ONCEONLY")).status,
    ).toBe(303);
    const before = await get(sub.id);

    const refused = await renew(await renewLink(customerId, sub.id), sub.id, "ONCEONLY");

    expect(refused.status).toBe(400);
    expect(refused.raw).toContain("maximum of 1 redemptions");
    expect(refused.raw).toContain("Nothing was billed.");
    expect(await invoicesOf(sub.id)).toHaveLength(1);
    expect(await paymentsOf(customerId)).toHaveLength(1);
    expect(await get(sub.id)).toEqual(before);
  });

  it("refuses a subscription that cannot renew early, saying why", async () => {
    const { customerId } = await buyerAt("2030-01-01T10:00:00Z", "pm_card_visa");
    const sub = await subscribe(customerId);
    const canceled = await call(subscriptions, "POST /v1/subscriptions/{id}/cancel", sub.id, {
      atPeriodEnd: true,
    });
    expect(canceled.status).toBe(200);
    const token = await renewLink(customerId, sub.id);

    expect((await page(token, sub.id)).raw).toContain("cancels at the end of its period");
    const refused = await renew(token, sub.id);
    expect(refused.status).toBe(409);
    expect(await invoicesOf(sub.id)).toHaveLength(1);
  });

  it("stops guessing at the 11th failed code with a 429, billing nothing", async () => {
    const { customerId } = await buyerAt("2030-01-01T10:00:00Z", "pm_card_visa");
    const sub = await subscribe(customerId);
    await newCode("REALCODE");
    const token = await renewLink(customerId, sub.id);
    const formToken = formTokenIn((await page(token, sub.id)).raw);

    for (let i = 0; i < 10; i++) {
      const r = await renew(token, sub.id, `GUESS${i}`, formToken);
      expect(r.status).toBe(400);
      expect(r.raw).toContain("is not a valid discount code");
    }
    const blocked = await renew(token, sub.id, "REALCODE", formToken);

    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    expect(blocked.raw).toContain("Too many discount codes were tried");
    expect(await invoicesOf(sub.id)).toHaveLength(1);
  });

  it("lists the buyer's subscriptions to choose from, and another customer's subscription is a 404", async () => {
    const { customerId } = await buyerAt("2030-01-01T10:00:00Z", "pm_card_visa");
    const [a, b] = [await subscribe(customerId), await subscribe(customerId)];
    const token = await renewLink(customerId, a.id);
    const stranger = await buyerAt("2030-01-01T10:00:00Z", "pm_card_visa");
    const theirs = await subscribe(stranger.customerId);

    const list = await page(token);
    expect(list.status).toBe(200);
    expect(list.raw).toContain(`renew?subscription=${a.id}`);
    expect(list.raw).toContain(`renew?subscription=${b.id}`);
    expect((await page(token, theirs.id)).status).toBe(404);
    expect((await renew(token, theirs.id)).status).toBe(404);
    expect(await invoicesOf(theirs.id)).toHaveLength(1);
  });
});
