/**
 * The subscription resource against DynamoDB Local, through the handlers (issue 11 §2): create
 * (every field of the answer, the checks each refused with a 400 naming its field and writing
 * nothing), list with its filters and saved views, get, cancel now or at the period's end and undo,
 * the 409s, the customer's DELETE guard, and `GET /v1/invoices?subscriptionId=`. Billing the periods
 * is the engine's (its own suites); the subscriptions here mostly start later, so none is due.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as discountCodesHandler } from "../../functions/api/discount-codes.ts";
import { handler as eventsHandler } from "../../functions/api/events.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as settingsHandler } from "../../functions/api/merchant-settings.ts";
import { handler as paymentMethodsHandler } from "../../functions/api/payment-methods.ts";
import { handler as productsHandler } from "../../functions/api/products.ts";
import { handler } from "../../functions/api/subscriptions.ts";
import { handler as taxRatesHandler } from "../../functions/api/tax-rates.ts";
import { handler as testClocksHandler } from "../../functions/api/test-clocks.ts";
import { handler as viewsHandler } from "../../functions/api/views.ts";
import { addDays, localDate, startOfLocalDay } from "../../shared/domain/calendar.ts";
import {
  type ApiResult,
  expectStatus,
  merchantCall,
  newMerchant,
  type TestMerchant,
} from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

const timeZone = "America/Los_Angeles";
const ulid = "[0-9A-HJKMNP-TV-Z]{26}";

let aws: TestAws;
let shop: TestMerchant;
let other: TestMerchant;
/** A customer with a saved card (its default), one without any, and the other shop's customer. */
let carded: string;
let cardless: string;
let foreignCustomer: string;
let card: string;
let monthly: string;
let yearly: string;
let euroMonthly: string;
let oneTime: string;
let vat: string;
let archivedRate: string;

let n = 0;
const unique = () => `${Date.now().toString(36)}${(n++).toString(36)}`;
const today = () => localDate(new Date(), timeZone);

const post = (h: unknown, routeKey: string, body: object, m = shop, id?: string) =>
  merchantCall(h, routeKey, m.secret, { body, ...(id ? { id } : {}) });
const created = async (h: unknown, routeKey: string, body: object, m = shop, id?: string) =>
  (await expectStatus(post(h, routeKey, body, m, id), 201)).id as string;

const newCustomer = (m = shop, extra: object = {}) =>
  created(customersHandler, "POST /v1/customers", { email: `sub-${unique()}@subs.test`, ...extra }, m);
const product = (body: object) =>
  created(productsHandler, "POST /v1/products", { name: "Plan", currency: "USD", unitAmount: 1000, ...body });
const code = (body: object = {}) =>
  created(discountCodesHandler, "POST /v1/discount-codes", {
    code: `SUB${unique()}`.toUpperCase(),
    percentOff: 20,
    duration: "repeating",
    durationInPeriods: 3,
    ...body,
  }).then(
    async (id) => (await getOf(discountCodesHandler, "GET /v1/discount-codes/{id}", id)).code as string,
  );
const getOf = (h: unknown, routeKey: string, id: string, m = shop) =>
  expectStatus(merchantCall(h, routeKey, m.secret, { id }));

const create = (body: object, m = shop) => post(handler, "POST /v1/subscriptions", body, m);
const later = (days = 10) => addDays(today(), days);
/** A valid request: starts in ten days, charged to the customer's default card. */
const valid = (extra: object = {}) => ({
  customerId: carded,
  items: [{ productId: monthly }],
  startDate: later(),
  ...extra,
});
const get = (id: string, m = shop) => merchantCall(handler, "GET /v1/subscriptions/{id}", m.secret, { id });
const list = (query: Record<string, string>) =>
  expectStatus(merchantCall(handler, "GET /v1/subscriptions", shop.secret, { query }));
/** Without a body (cancel now), or with `{ atPeriodEnd }`. */
const cancel = (id: string, body?: object, m = shop) =>
  merchantCall(handler, "POST /v1/subscriptions/{id}/cancel", m.secret, { id, ...(body ? { body } : {}) });
const patch = (id: string, body: object, m = shop) =>
  merchantCall(handler, "PATCH /v1/subscriptions/{id}", m.secret, { id, body });
const ids = (page: { data: { id: string }[] }) => page.data.map((s) => s.id);

const stored = async (id: string, m = shop) =>
  (await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: { PK: `MERCHANT#${m.id}`, SK: id } })))
    .Item;
const runningCount = async (customerId: string) => (await stored(customerId))?.activeSubscriptionCount ?? 0;
const eventsOf = async (objectId: string) =>
  (
    await expectStatus(merchantCall(eventsHandler, "GET /v1/events", shop.secret, { query: { objectId } }))
  ).data.map((e: { type: string; data: { subscription: unknown } }) => e);

const errorPaths = (r: ApiResult) => (r.body.errors as { path: string }[]).map((e) => e.path);

beforeAll(async () => {
  aws = await useTestAws(["stripe-events", "billing"]);
  shop = await newMerchant("Subscriptions Shop");
  other = await newMerchant("Other Shop");
  await expectStatus(
    merchantCall(settingsHandler, "PATCH /v1/merchant", shop.secret, { body: { timeZone } }),
  );
  carded = await newCustomer();
  card = await created(
    paymentMethodsHandler,
    "POST /v1/customers/{id}/payment-methods",
    { paymentMethod: "pm_card_visa" },
    shop,
    carded,
  );
  cardless = await newCustomer();
  foreignCustomer = await newCustomer(other);
  monthly = await product({ name: "Pro monthly", unitAmount: 4900, recurring: { interval: "month" } });
  yearly = await product({ name: "Pro yearly", recurring: { interval: "year" } });
  euroMonthly = await product({ currency: "EUR", recurring: { interval: "month" } });
  oneTime = await product({ name: "Setup" });
  vat = await created(taxRatesHandler, "POST /v1/tax-rates", {
    name: "VAT",
    percentage: 19,
    inclusive: false,
  });
  archivedRate = await created(taxRatesHandler, "POST /v1/tax-rates", {
    name: "Old",
    percentage: 7,
    inclusive: false,
    active: false,
  });
});

describe("POST /v1/subscriptions", () => {
  it("answers 201 with every field: sub_/si_ ids, the product's price copied, scheduled until its start day", async () => {
    const discountCode = await code();
    const startDate = later(12);
    const r = await create({
      customerId: carded,
      items: [
        { productId: monthly, quantity: 2 },
        { description: "Priority support", unitAmount: 500 },
      ],
      startDate,
      discounts: [{ code: discountCode.toLowerCase() }, { amountOff: 100 }],
      taxRateIds: [vat],
      metadata: { plan: "pro" },
    });

    expect(r.status, r.raw).toBe(201);
    expect(r.body).toEqual({
      id: expect.stringMatching(new RegExp(`^sub_${ulid}$`)),
      status: "scheduled",
      customerId: carded,
      currency: "USD",
      interval: "month",
      items: [
        {
          id: expect.stringMatching(new RegExp(`^si_${ulid}$`)),
          productId: monthly,
          description: "Pro monthly",
          unitAmount: 4900,
          quantity: 2,
        },
        {
          id: expect.stringMatching(new RegExp(`^si_${ulid}$`)),
          description: "Priority support",
          unitAmount: 500,
          quantity: 1,
        },
      ],
      startDate,
      billingAnchorDay: Number(startDate.slice(8)),
      currentPeriodStart: null,
      currentPeriodEnd: null,
      nextBillingAt: startOfLocalDay(startDate, timeZone).toISOString(),
      billingCycles: null,
      cyclesBilled: 0,
      collectionMethod: "charge_automatically",
      defaultPaymentMethodId: null,
      cancelAtPeriodEnd: false,
      canceledAt: null,
      endedAt: null,
      latestInvoiceId: null,
      discounts: [
        { percentOff: 20, code: discountCode, duration: "repeating", durationInPeriods: 3 },
        { amountOff: 100, duration: "forever" },
      ],
      taxRateIds: [vat],
      metadata: { plan: "pro" },
      trialStart: null,
      trialEnd: null,
      pauseAt: null,
      resumesAt: null,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const { id } = r.body;
    // Written with the customer's count, the code's redemption and its event, in one transaction.
    expect(await runningCount(carded)).toBeGreaterThanOrEqual(1);
    const codeId = (
      await expectStatus(
        merchantCall(discountCodesHandler, "GET /v1/discount-codes", shop.secret, {
          query: { code: discountCode },
        }),
      )
    ).data[0].id;
    expect((await getOf(discountCodesHandler, "GET /v1/discount-codes/{id}", codeId)).timesRedeemed).toBe(1);
    const events = await eventsOf(id);
    expect(events.map((e: { type: string }) => e.type)).toEqual(["subscription.created"]);
    expect(events[0].data.subscription).toEqual(r.body);
    // Waits in its clock's due index until its first period's start.
    expect((await stored(id))?.GSI2SK).toMatch(new RegExp(`^${r.body.nextBillingAt}`));

    // A later price change of the product affects new subscriptions only.
    await expectStatus(post(productsHandler, "PATCH /v1/products/{id}", { unitAmount: 5900 }, shop, monthly));
    const read = await get(id);
    expect(read.body).toEqual(r.body);
    expect((await create(valid())).body.items[0].unitAmount).toBe(5900);
  });

  it("starts today by default (the merchant's day), anchored on that day, active", async () => {
    const r = await create({ customerId: carded, items: [{ productId: yearly }] });
    expect(r.status, r.raw).toBe(201);
    expect(r.body).toMatchObject({
      status: "active",
      startDate: today(),
      billingAnchorDay: Number(today().slice(8)),
      interval: "year",
    });
  });

  it("takes ad-hoc prices with a currency and an interval, and send_invoice with the merchant's terms", async () => {
    const r = await create({
      customerId: cardless,
      items: [{ description: "Retainer", unitAmount: 100_000, quantity: 1.5 }],
      currency: "eur",
      interval: "quarter",
      startDate: later(3),
      billingAnchorDay: 31,
      collectionMethod: "send_invoice",
      billingCycles: 4,
    });
    expect(r.status, r.raw).toBe(201);
    expect(r.body).toMatchObject({
      currency: "EUR",
      interval: "quarter",
      items: [{ description: "Retainer", unitAmount: 100_000, quantity: 1.5 }],
      billingAnchorDay: 31,
      billingCycles: 4,
      collectionMethod: "send_invoice",
      paymentTerms: "net_30",
      defaultPaymentMethodId: null,
    });
    expect(r.body.items[0]).not.toHaveProperty("productId");
  });

  it("keeps a given payment method of the customer's", async () => {
    const r = await create(valid({ defaultPaymentMethodId: card }));
    expect(r.status, r.raw).toBe(201);
    expect(r.body.defaultPaymentMethodId).toBe(card);
  });

  it("runs on the customer's test clock: today is the clock's day in the merchant's zone, the clock is copied", async () => {
    // 05:00 UTC on New Year's Day is still New Year's Eve in Los Angeles.
    const testClockId = await created(testClocksHandler, "POST /v1/test-clocks", {
      frozenTime: "2030-01-01T05:00:00Z",
    });
    const customerId = await newCustomer(shop, { testClockId });
    const body = { customerId, items: [{ productId: monthly }], collectionMethod: "send_invoice" };

    const past = await create({ ...body, startDate: "2029-12-30" });
    expect(past.status).toBe(400);
    expect(errorPaths(past)).toEqual(["startDate"]);

    const r = await create(body);
    expect(r.status, r.raw).toBe(201);
    expect(r.body).toMatchObject({
      status: "active",
      startDate: "2029-12-31",
      billingAnchorDay: 31,
      testClockId,
      createdAt: "2030-01-01T05:00:00.000Z",
    });
    expect((await stored(r.body.id))?.GSI2PK).toBe(`DUE#${testClockId}`);
  });

  describe("refuses bad requests with a 400 naming the field, writing nothing", () => {
    const cases: [string, string, () => object | Promise<object>][] = [
      ["an unknown customer", "customerId", () => valid({ customerId: `cus_${"0".repeat(26)}` })],
      ["another merchant's customer", "customerId", () => valid({ customerId: foreignCustomer })],
      ["no items", "items", () => valid({ items: [] })],
      ["21 items", "items", () => valid({ items: Array(21).fill({ productId: monthly }) })],
      ["a one-time product", "items.0.productId", () => valid({ items: [{ productId: oneTime }] })],
      [
        "an unknown product",
        "items.0.productId",
        () => valid({ items: [{ productId: `prd_${"0".repeat(26)}` }] }),
      ],
      [
        "products of two intervals",
        "items.1.productId",
        () => valid({ items: [{ productId: monthly }, { productId: yearly }] }),
      ],
      [
        "products of two currencies",
        "items.1.productId",
        () => valid({ items: [{ productId: monthly }, { productId: euroMonthly }] }),
      ],
      [
        "a product in another currency than the one given",
        "items.0.productId",
        () => valid({ currency: "EUR" }),
      ],
      [
        "ad-hoc prices without a currency",
        "currency",
        () => valid({ items: [{ description: "Retainer", unitAmount: 100 }], interval: "month" }),
      ],
      [
        "ad-hoc prices without an interval",
        "interval",
        () => valid({ items: [{ description: "Retainer", unitAmount: 100 }], currency: "USD" }),
      ],
      [
        "an ad-hoc item without a price",
        "items.0.unitAmount",
        () => valid({ items: [{ description: "Retainer" }], currency: "USD", interval: "month" }),
      ],
      ["a start date in the past", "startDate", () => valid({ startDate: addDays(today(), -1) })],
      ["a start date that is no date", "startDate", () => valid({ startDate: "2031-02-30" })],
      ["billing anchor day 0", "billingAnchorDay", () => valid({ billingAnchorDay: 0 })],
      ["billing anchor day 32", "billingAnchorDay", () => valid({ billingAnchorDay: 32 })],
      ["an unknown collection method", "collectionMethod", () => valid({ collectionMethod: "barter" })],
      [
        "charging automatically a customer without a payment method",
        "defaultPaymentMethodId",
        () => valid({ customerId: cardless }),
      ],
      [
        "another customer's payment method",
        "defaultPaymentMethodId",
        () => valid({ customerId: cardless, defaultPaymentMethodId: card }),
      ],
      ["payment terms when charging automatically", "paymentTerms", () => valid({ paymentTerms: "net_15" })],
      ["billingCycles 0", "billingCycles", () => valid({ billingCycles: 0 })],
      ["an unknown discount code", "discounts.0.code", () => valid({ discounts: [{ code: "NOPE123" }] })],
      [
        "an inactive discount code",
        "discounts.0.code",
        async () => {
          const text = await code();
          const { id } = (
            await expectStatus(
              merchantCall(discountCodesHandler, "GET /v1/discount-codes", shop.secret, {
                query: { code: text },
              }),
            )
          ).data[0];
          await expectStatus(
            post(discountCodesHandler, "PATCH /v1/discount-codes/{id}", { active: false }, shop, id),
          );
          return valid({ discounts: [{ code: text }] });
        },
      ],
      [
        "an amount-off code in another currency",
        "discounts.0.code",
        async () =>
          valid({
            discounts: [{ code: await code({ percentOff: undefined, amountOff: 500, currency: "EUR" }) }],
          }),
      ],
      ["an unknown tax rate", "taxRateIds.0", () => valid({ taxRateIds: [`txr_${"0".repeat(26)}`] })],
      ["an archived tax rate", "taxRateIds.0", () => valid({ taxRateIds: [archivedRate] })],
      ["a read-only field", "status", () => valid({ status: "active" })],
    ];

    it.each(cases)("%s → %s", async (_name, path, body) => {
      const request = await body();
      const before = await aws.countItems();
      const countBefore = await runningCount(carded);

      const r = await create(request);

      expect(r.status, r.raw).toBe(400);
      expect(r.headers["content-type"]).toBe("application/problem+json");
      expect(errorPaths(r)).toContain(path);
      expect(await aws.countItems()).toBe(before);
      expect(await runningCount(carded)).toBe(countBefore);
    });
  });
});

describe("GET /v1/subscriptions", () => {
  it("lists newest first, filtered by status, customer, creation time, or a saved view, in pages", async () => {
    const customerId = await newCustomer();
    await created(
      paymentMethodsHandler,
      "POST /v1/customers/{id}/payment-methods",
      { paymentMethod: "pm_card_visa" },
      shop,
      customerId,
    );
    // A millisecond apart at least, so creation times tell them apart.
    const pause = () => new Promise((resolve) => setTimeout(resolve, 5));
    const first = (await create(valid({ customerId }))).body;
    await pause();
    const second = (await create(valid({ customerId }))).body;
    await pause();
    const third = (await create(valid({ customerId }))).body;
    await expectStatus(cancel(second.id));

    expect(ids(await list({ customerId }))).toEqual([third.id, second.id, first.id]);
    expect(ids(await list({ customerId, status: "canceled" }))).toEqual([second.id]);
    expect(ids(await list({ customerId, status: "scheduled" }))).toEqual([third.id, first.id]);
    expect(ids(await list({ customerId, createdAfter: second.createdAt }))).toEqual([third.id, second.id]);
    expect(ids(await list({ customerId, createdBefore: second.createdAt }))).toEqual([first.id]);
    expect(ids(await list({ status: "canceled" }))).toContain(second.id);

    const page1 = await list({ customerId, limit: "2" });
    expect(ids(page1)).toEqual([third.id, second.id]);
    const page2 = await list({ customerId, limit: "2", cursor: page1.nextCursor });
    expect(ids(page2)).toEqual([first.id]);
    expect(page2.nextCursor).toBeNull();

    const view = await created(viewsHandler, "POST /v1/views", {
      object: "subscriptions",
      name: "Scheduled of one customer",
      filters: { status: "scheduled", customerId },
    });
    expect(ids(await list({ view }))).toEqual([third.id, first.id]);
    // The query's own filter takes precedence over the view's.
    expect(ids(await list({ view, status: "canceled" }))).toEqual([second.id]);
    const invoiceView = await created(viewsHandler, "POST /v1/views", {
      object: "invoices",
      name: "Open",
      filters: { status: "open" },
    });
    const wrong = await merchantCall(handler, "GET /v1/subscriptions", shop.secret, {
      query: { view: invoiceView },
    });
    expect(wrong.status).toBe(400);
    expect(errorPaths(wrong)).toEqual(["view"]);
    const badStatus = await merchantCall(handler, "GET /v1/subscriptions", shop.secret, {
      query: { status: "sleeping" },
    });
    expect(badStatus.status).toBe(400);
    expect(errorPaths(badStatus)).toEqual(["status"]);
  });
});

describe("GET /v1/subscriptions/{id}", () => {
  it("reads the merchant's own; another merchant's or an unknown id is a 404", async () => {
    const { id } = (await create(valid())).body;
    expect((await get(id)).status).toBe(200);
    expect((await get(id, other)).status).toBe(404);
    expect((await get(`sub_${"0".repeat(26)}`)).status).toBe(404);
  });
});

describe("cancel and undo", () => {
  it("cancels now: canceled and ended at once, out of the due index, no longer counted on the customer", async () => {
    const customerId = await newCustomer();
    const r0 = await create(valid({ customerId, collectionMethod: "send_invoice" }));
    const { id } = r0.body;
    expect(await runningCount(customerId)).toBe(1);

    const r = await cancel(id);

    // No body at all: cancels now.
    expect(r.status, r.raw).toBe(200);
    expect(r.body).toEqual({
      ...r0.body,
      status: "canceled",
      canceledAt: expect.any(String),
      endedAt: r.body.canceledAt,
      nextBillingAt: null,
      updatedAt: r.body.canceledAt,
    });
    expect((await get(id)).body).toEqual(r.body);
    expect(await runningCount(customerId)).toBe(0);
    expect((await stored(id))?.GSI2PK).toBeUndefined();
    const events = await eventsOf(id);
    expect(events.map((e: { type: string }) => e.type)).toEqual([
      "subscription.canceled",
      "subscription.created",
    ]);
    expect(events[0].data.subscription).toEqual(r.body);

    // Stopped: no further change of course, but metadata still.
    for (const again of [
      cancel(id),
      cancel(id, { atPeriodEnd: true }),
      patch(id, { cancelAtPeriodEnd: false }),
    ]) {
      const refused = await again;
      expect(refused.status, refused.raw).toBe(409);
    }
    expect((await expectStatus(patch(id, { metadata: { note: "churned" } }))).metadata).toEqual({
      note: "churned",
    });
    expect(await runningCount(customerId)).toBe(0);
  });

  it("cancels at the period's end, and PATCH cancelAtPeriodEnd: false undoes it", async () => {
    const { body: sub } = await create(valid({ metadata: { a: "1", b: "2" } }));

    const scheduled = await cancel(sub.id, { atPeriodEnd: true });

    expect(scheduled.status, scheduled.raw).toBe(200);
    expect(scheduled.body).toMatchObject({
      status: "scheduled",
      cancelAtPeriodEnd: true,
      canceledAt: null,
      nextBillingAt: sub.nextBillingAt,
    });
    expect((await cancel(sub.id, { atPeriodEnd: true })).body).toEqual(scheduled.body);

    const undone = await patch(sub.id, { cancelAtPeriodEnd: false, metadata: { a: null, c: "3" } });
    expect(undone.status, undone.raw).toBe(200);
    expect(undone.body).toMatchObject({ cancelAtPeriodEnd: false, metadata: { b: "2", c: "3" } });
    expect((await get(sub.id)).body).toEqual(undone.body);
    expect((await eventsOf(sub.id)).map((e: { type: string }) => e.type)).toEqual([
      "subscription.updated",
      "subscription.updated",
      "subscription.created",
    ]);
    // PATCH takes only these two.
    const refused = await patch(sub.id, { billingCycles: 3 });
    expect(refused.status).toBe(400);
    expect(errorPaths(refused)).toEqual(["billingCycles"]);
  });

  it("is a 404 for another merchant's subscription, changing nothing", async () => {
    const { body: sub } = await create(valid());
    expect((await cancel(sub.id, {}, other)).status).toBe(404);
    expect((await patch(sub.id, { cancelAtPeriodEnd: true }, other)).status).toBe(404);
    expect((await get(sub.id)).body).toEqual(sub);
  });

  it("lets one of two concurrent cancels win; the other gets a 409 and the customer is uncounted once", async () => {
    const customerId = await newCustomer();
    const { body: sub } = await create(valid({ customerId, collectionMethod: "send_invoice" }));

    const results = await Promise.all([cancel(sub.id, { atPeriodEnd: false }), cancel(sub.id)]);

    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await runningCount(customerId)).toBe(0);
    expect(
      (await eventsOf(sub.id)).filter((e: { type: string }) => e.type === "subscription.canceled"),
    ).toHaveLength(1);
  });
});

describe("the customer", () => {
  it("cannot be deleted while a subscription runs (409), and can once it is canceled", async () => {
    const customerId = await newCustomer();
    const { body: sub } = await create(valid({ customerId, collectionMethod: "send_invoice" }));
    const remove = () =>
      merchantCall(customersHandler, "DELETE /v1/customers/{id}", shop.secret, { id: customerId });

    const refused = await remove();
    expect(refused.status, refused.raw).toBe(409);

    await expectStatus(cancel(sub.id));
    expect((await remove()).status).toBe(204);
  });
});

describe("GET /v1/invoices?subscriptionId=", () => {
  it("lists the invoices of one subscription, also through a saved invoice view", async () => {
    const { body: sub } = await create(valid());
    const draft = (customerId: string) =>
      created(invoicesHandler, "POST /v1/invoices", {
        customerId,
        currency: "USD",
        lineItems: [{ description: "Plan", unitAmount: 4900 }],
      });
    const billed = await draft(carded);
    await draft(carded);
    // The engine writes the field when it bills a period; here it is set on the stored invoice directly.
    await aws.db.send(
      new UpdateCommand({
        TableName: aws.tableName,
        Key: { PK: `MERCHANT#${shop.id}`, SK: billed },
        UpdateExpression: "SET subscriptionId = :s",
        ExpressionAttributeValues: { ":s": sub.id },
      }),
    );

    const page = await expectStatus(
      merchantCall(invoicesHandler, "GET /v1/invoices", shop.secret, { query: { subscriptionId: sub.id } }),
    );
    expect(ids(page)).toEqual([billed]);
    expect(page.data[0].subscriptionId).toBe(sub.id);

    const view = await created(viewsHandler, "POST /v1/views", {
      object: "invoices",
      name: "One subscription",
      filters: { subscriptionId: sub.id },
    });
    expect(
      ids(
        await expectStatus(
          merchantCall(invoicesHandler, "GET /v1/invoices", shop.secret, { query: { view } }),
        ),
      ),
    ).toEqual([billed]);
    const bad = await merchantCall(invoicesHandler, "GET /v1/invoices", shop.secret, {
      query: { subscriptionId: carded },
    });
    expect(bad.status).toBe(400);
    expect(errorPaths(bad)).toEqual(["subscriptionId"]);
  });
});
