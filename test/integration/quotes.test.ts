/**
 * Quotes (issue 14 §1) against DynamoDB Local: drafts priced by the invoices' money engine, the
 * request rules (each a 400 naming the field, nothing written), publish (gapless Q-numbers, also
 * under concurrent publishes; the PDF stored once, whose SHA-256 is contentHash), revisions that
 * supersede, cancel, an offline acceptance, expiry (twice fired, once expired; on a test clock), the
 * list with its filters, paging and saved views, and 409s for every action in the wrong state.
 */
import { createHash } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as discountCodes } from "../../functions/api/discount-codes.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as products } from "../../functions/api/products.ts";
import { handler as quotes } from "../../functions/api/quotes.ts";
import { handler as taxRates } from "../../functions/api/tax-rates.ts";
import { handler as testClocks } from "../../functions/api/test-clocks.ts";
import { handler as views } from "../../functions/api/views.ts";
import { billingTimerRegistry } from "../../functions/billing/timers.ts";
import { localScheduleGroup, tableScheduler } from "../../shared/aws/scheduler.ts";
import { billingTimerPorts } from "../../shared/composition.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { quoteExpiryName, quoteExpirySchedule } from "../../shared/quotes/expiry.ts";
import { keys } from "../../shared/store/keys.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";
import { pdfText } from "../helpers/pdf-text.ts";
import { clockHarness } from "../helpers/subscriptions.ts";

let aws: TestAws;
let shop: TestMerchant;
let customerId = "";
const p = { once: "", monthly: "", yearly: "" };
let vat = "";
let code = "";

type Body = Record<string, unknown>;
const api = (
  routeKey: string,
  options: { id?: string; body?: object; query?: Record<string, string> } = {},
) => merchantCall(quotes, routeKey, shop.secret, options);
const create = (body: Body) => api("POST /v1/quotes", { body });
const action = (id: string, what: string, body?: object) =>
  api(`POST /v1/quotes/{id}/${what}`, { id, ...(body ? { body } : {}) });
const get = async (id: string) => expectStatus(api("GET /v1/quotes/{id}", { id }));
const publish = async (id: string) => expectStatus(action(id, "publish"));
const draft = async (body: Body = {}) => expectStatus(create({ ...lines(), ...body }), 201);
const open = async (body: Body = {}) => publish((await draft(body)).id);

const lines = (): Body => ({
  customerId,
  currency: "USD",
  lineItems: [
    { productId: p.once, quantity: 3, taxRateIds: [vat] },
    { productId: p.monthly, quantity: 1.5, taxRateIds: [vat], discount: { percentOff: 10 } },
    { description: "Setup", unitAmount: 12_345 },
  ],
  discounts: [{ code }, { amountOff: 500 }],
  fees: [{ description: "Handling", percent: 2.5, taxable: true }],
});

const stored = async (sk: string) =>
  (
    await aws.db.send(
      new GetCommand({
        TableName: aws.tableName,
        Key: { PK: `MERCHANT#${shop.id}`, SK: sk },
        ConsistentRead: true,
      }),
    )
  ).Item;
const eventsOf = async (type: string, objectId: string) =>
  (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === objectId && i.eventType === type);
const quoteCount = async () =>
  (await aws.scanAll()).filter((i) => i.type === "quote" && i.PK === `MERCHANT#${shop.id}`).length;
const pdfOf = async (id: string) => {
  const r = await api("GET /v1/quotes/{id}/pdf", { id });
  expect(r.status, r.raw).toBe(200);
  expect(r.headers["content-type"]).toBe("application/pdf");
  return Buffer.from(r.raw, "base64");
};
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("quotes against DynamoDB Local", () => {
  beforeAll(async () => {
    aws = await useTestAws();
    shop = await newMerchant("Quote Shop");
    const make = async (handler: unknown, route: string, body: object) =>
      (await expectStatus(merchantCall(handler, route, shop.secret, { body }), 201)).id as string;
    customerId = await make(customers, "POST /v1/customers", {
      email: "buyer@quotes.test",
      name: "Ada Buyer",
    });
    p.once = await make(products, "POST /v1/products", { name: "Widget", unitAmount: 1999, currency: "USD" });
    p.monthly = await make(products, "POST /v1/products", {
      name: "Support",
      unitAmount: 4999,
      currency: "USD",
      recurring: { interval: "month" },
    });
    p.yearly = await make(products, "POST /v1/products", {
      name: "Licence",
      unitAmount: 99_000,
      currency: "USD",
      recurring: { interval: "year" },
    });
    vat = await make(taxRates, "POST /v1/tax-rates", { name: "VAT", percentage: 19, inclusive: false });
    code = (
      await expectStatus(
        merchantCall(discountCodes, "POST /v1/discount-codes", shop.secret, {
          body: { code: "QUOTE10", percentOff: 10, duration: "once" },
        }),
        201,
      )
    ).code;
  });

  it("creates a draft quo_… priced exactly as an invoice of the same lines, with the quote's defaults and quote.created", async () => {
    const quote = await draft({ title: "Widgets for Ada", metadata: { deal: "42" } });
    const invoice = await expectStatus(
      merchantCall(invoices, "POST /v1/invoices", shop.secret, { body: lines() }),
      201,
    );

    expect(quote.id).toMatch(/^quo_[0-9A-Z]{26}$/);
    for (const field of [
      "lineItems",
      "discounts",
      "fees",
      "subtotal",
      "discountTotal",
      "taxTotal",
      "taxBreakdown",
      "feeTotal",
      "total",
      "customer",
      "currency",
    ])
      expect(quote[field], field).toEqual(invoice[field]);
    expect(quote.total).toBeGreaterThan(0);
    expect(quote).toMatchObject({
      status: "draft",
      title: "Widgets for Ada",
      requireSignature: true,
      collectPayment: true,
      countersigners: [],
      recurringInterval: "month",
      metadata: { deal: "42" },
    });
    expect(quote.number).toBeUndefined();
    expect(Date.parse(quote.expiresAt) - Date.parse(quote.createdAt)).toBe(30 * 86_400_000);
    // The domain's expiresAt never lands on the table's TTL attribute.
    const item = await stored(quote.id);
    expect(item?.expiresAt).toBeUndefined();
    expect(item?.quoteExpiresAt).toBe(quote.expiresAt);
    expect(await get(quote.id)).toEqual(quote);
    expect(await eventsOf("quote.created", quote.id)).toHaveLength(1);
  });

  it("keeps every quote field as given: countersigners, plan (shape only), subscription start, terms, comments", async () => {
    const body = {
      expiresAt: "2099-01-01T00:00:00Z",
      terms: "Net 30",
      comments: "Thanks!",
      requireSignature: false,
      collectPayment: false,
      countersigners: [{ name: "Cora Counter", email: "Cora@Shop.test" }],
      paymentPlan: {
        installments: [
          { percent: 30, dueAfterDays: 0 },
          { percent: 70, dueAfterDays: 30 },
        ],
      },
      subscriptionStartDate: "2099-02-01",
    };
    const quote = await draft(body);
    expect(quote).toMatchObject({
      ...body,
      expiresAt: "2099-01-01T00:00:00.000Z",
      countersigners: [{ name: "Cora Counter", email: "cora@shop.test" }],
      paymentPlan: { ...body.paymentPlan, collection: "charge_automatically" },
    });
  });

  it("splits the one-time part by its plan: amounts rounded half away from zero, the last the rest; upfront and recurring totals", async () => {
    // One-time 100.01 (no tax) and a monthly 49.99: upfront 100.01, recurring 49.99.
    const quote = await draft({
      customerId,
      currency: "USD",
      lineItems: [
        { description: "Install", unitAmount: 10_001 },
        { productId: p.monthly, quantity: 1 },
      ],
      discounts: [],
      fees: [],
      paymentPlan: {
        installments: [
          { percent: 30, dueAfterDays: 0 },
          { percent: 70, dueAfterDays: 30 },
        ],
      },
    });
    expect(quote).toMatchObject({ total: 15_000, upfrontTotal: 10_001, recurringTotal: 4_999 });
    // 30 % of 100.01 = 30.003 → 30.00; the last is the rest: 70.01.
    expect(quote.paymentPlan.installments.map((i: { amount: number }) => i.amount)).toEqual([3_000, 7_001]);
    expect((await get(quote.id)).paymentPlan.installments[1].amount).toBe(7_001);

    const thirds = await expectStatus(
      api("PATCH /v1/quotes/{id}", {
        id: quote.id,
        body: {
          paymentPlan: {
            installments: [
              { amount: 5_000, dueAfterDays: 0 },
              { amount: 5_000, dueAfterDays: 14 },
            ],
          },
        },
      }),
      400,
    );
    expect(thirds.errors.map((e: { path: string }) => e.path)).toEqual(["paymentPlan.installments"]);
    const cleared = await expectStatus(
      api("PATCH /v1/quotes/{id}", { id: quote.id, body: { paymentPlan: null } }),
    );
    expect(cleared).not.toHaveProperty("paymentPlan");
  });

  it("refuses bad quotes with a 400 naming each field, and writes nothing", async () => {
    const before = await quoteCount();
    const cases: [string, Body][] = [
      ["lineItems.1.productId", { lineItems: [{ productId: p.monthly }, { productId: p.yearly }], fees: [] }],
      [
        "countersigners",
        { countersigners: [1, 2, 3, 4].map((i) => ({ name: `S${i}`, email: `s${i}@shop.test` })) },
      ],
      ["countersigners.0.email", { countersigners: [{ name: "S", email: "nope" }] }],
      [
        "countersigners.2.email",
        {
          countersigners: [
            { name: "S1", email: "s1@shop.test" },
            { name: "S2", email: "s2@shop.test" },
            { name: "S1 again", email: "S1@Shop.TEST" },
          ],
        },
      ],
      ["countersigners.0.email", { countersigners: [{ name: "The buyer", email: "Buyer@Quotes.test" }] }],
      ["paymentPlan.installments", { paymentPlan: { installments: [{ percent: 100, dueAfterDays: 0 }] } }],
      [
        "paymentPlan.installments.0.dueAfterDays",
        {
          paymentPlan: {
            installments: [
              { percent: 50, dueAfterDays: 3 },
              { percent: 50, dueAfterDays: 30 },
            ],
          },
        },
      ],
      [
        "paymentPlan.installments.2.dueAfterDays",
        {
          paymentPlan: {
            installments: [
              { percent: 20, dueAfterDays: 0 },
              { percent: 40, dueAfterDays: 30 },
              { percent: 40, dueAfterDays: 30 },
            ],
          },
        },
      ],
      [
        "paymentPlan.installments.1",
        {
          paymentPlan: {
            installments: [
              { percent: 50, dueAfterDays: 0 },
              { amount: 500, dueAfterDays: 30 },
            ],
          },
        },
      ],
      [
        "paymentPlan.installments.0.percent",
        {
          paymentPlan: {
            installments: [
              { percent: 33.333, dueAfterDays: 0 },
              { percent: 66.667, dueAfterDays: 30 },
            ],
          },
        },
      ],
      [
        "paymentPlan.installments.0.amount",
        {
          paymentPlan: {
            installments: [
              { amount: 0, dueAfterDays: 0 },
              { amount: 500, dueAfterDays: 30 },
            ],
          },
        },
      ],
      ["expiresAt", { expiresAt: "2020-01-01T00:00:00Z" }],
      ["subscriptionStartDate", { subscriptionStartDate: "next week" }],
      [
        "lineItems.0.taxRateIds.0",
        {
          lineItems: [{ description: "X", unitAmount: 1, taxRateIds: ["txr_01ARZ3NDEKTSV4RRFFQ69G5FAV"] }],
          fees: [],
        },
      ],
      ["discounts.0.code", { discounts: [{ code: "NOPE" }] }],
      ["status", { status: "open" }],
    ];
    for (const [path, change] of cases) {
      const r = await create({ ...lines(), ...change });
      expect(r.status, `${path}: ${r.raw}`).toBe(400);
      expect(r.headers["content-type"]).toContain("application/problem+json");
      expect(
        r.body.errors.map((e: { path: string }) => e.path),
        r.raw,
      ).toContain(path);
    }
    expect(await quoteCount()).toBe(before);
  });

  it("refuses a PATCH giving two countersigners one email, or one the buyer's, with a 400 naming it; the draft is unchanged", async () => {
    const quote = await draft({ countersigners: [{ name: "Cora Counter", email: "cora@shop.test" }] });
    const cases: [string, Body][] = [
      [
        "countersigners.1.email",
        {
          countersigners: [
            { name: "Cora Counter", email: "cora@shop.test" },
            { name: "Cora twice", email: "CORA@shop.test" },
          ],
        },
      ],
      ["countersigners.0.email", { countersigners: [{ name: "Bea", email: "BUYER@quotes.test" }] }],
    ];
    for (const [path, body] of cases) {
      const r = await api("PATCH /v1/quotes/{id}", { id: quote.id, body });
      expect(r.status, r.raw).toBe(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    }
    expect(await get(quote.id)).toEqual(quote);
  });

  it("edits and deletes drafts only: a PATCH re-prices, a published quote answers 409 and is unchanged", async () => {
    const quote = await draft();
    const edited = await expectStatus(
      api("PATCH /v1/quotes/{id}", {
        id: quote.id,
        body: {
          lineItems: [{ productId: p.once, taxRateIds: [vat] }],
          discounts: [],
          fees: [],
          title: "Smaller",
          metadata: { a: "1" },
        },
      }),
    );
    // 19 % of 19.99 is 3.7981: 3.80.
    expect(edited).toMatchObject({
      status: "draft",
      title: "Smaller",
      subtotal: 1999,
      taxTotal: 380,
      total: 1999 + 380,
      metadata: { a: "1" },
    });
    expect(edited.recurringInterval).toBeUndefined();
    expect((await get(quote.id)).total).toBe(edited.total);

    const published = await publish(quote.id);
    for (const r of [
      await api("PATCH /v1/quotes/{id}", { id: quote.id, body: { title: "Sneaky" } }),
      await api("DELETE /v1/quotes/{id}", { id: quote.id }),
      await action(quote.id, "publish"),
    ])
      expect(r.status, r.raw).toBe(409);
    expect(await get(quote.id)).toEqual(published);

    const gone = await draft();
    expect((await api("DELETE /v1/quotes/{id}", { id: gone.id })).status).toBe(204);
    expect((await api("GET /v1/quotes/{id}", { id: gone.id })).status).toBe(404);
    expect(await eventsOf("quote.deleted", gone.id)).toHaveLength(1);
  });

  it("publishes Q-numbers gapless per merchant, also under concurrent publishes", async () => {
    const counter = async () => Number((await stored("COUNTER#quote"))?.value ?? 0);
    const start = await counter();
    const first = await open();
    expect(first.number).toBe(`Q-${String(start + 1).padStart(4, "0")}`);

    const drafts = await Promise.all([1, 2, 3, 4, 5, 6].map(() => draft()));
    const published = await Promise.all(drafts.map((d) => publish(d.id)));
    const numbers = published.map((q) => q.number).sort();
    expect(numbers).toEqual([2, 3, 4, 5, 6, 7].map((n) => `Q-${String(start + n).padStart(4, "0")}`));
    expect(await counter()).toBe(start + 7);
    // Another merchant's sequence is its own.
    const other = await newMerchant("Other Quote Shop");
    const theirs = await expectStatus(
      merchantCall(customers, "POST /v1/customers", other.secret, { body: { email: "x@y.test" } }),
      201,
    );
    const theirDraft = await expectStatus(
      merchantCall(quotes, "POST /v1/quotes", other.secret, {
        body: { customerId: theirs.id, currency: "USD", lineItems: [{ description: "A", unitAmount: 100 }] },
      }),
      201,
    );
    expect(
      (
        await expectStatus(
          merchantCall(quotes, "POST /v1/quotes/{id}/publish", other.secret, { id: theirDraft.id }),
        )
      ).number,
    ).toBe("Q-0001");
  });

  it("two concurrent publishes of one draft: one takes one number, the other is a 409", async () => {
    const counter = async () => Number((await stored("COUNTER#quote"))?.value ?? 0);
    const quote = await draft();
    const before = await counter();
    const results = await Promise.all([action(quote.id, "publish"), action(quote.id, "publish")]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(await counter()).toBe(before + 1);
    expect(await eventsOf("quote.published", quote.id)).toHaveLength(1);
    const winner = results.find((r) => r.status === 200)?.body;
    expect(await get(quote.id)).toEqual(winner);
    expect(sha256(await pdfOf(quote.id))).toBe(winner.contentHash);
  });

  it("publish freezes the content: the PDF is stored once and GET …/pdf returns exactly the bytes whose SHA-256 is contentHash", async () => {
    const quote = await open({ title: "Hashed" });
    expect(quote).toMatchObject({ status: "open", contentHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(quote.hostedUrl).toMatch(new RegExp(`^${testPublicBaseUrl}/q/[A-Za-z0-9_-]{32}$`));
    const token = quote.hostedUrl.split("/q/")[1];
    expect(
      (await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: keys.hostedPage(token) }))).Item,
    ).toMatchObject({ kind: "quote", merchantId: shop.id, quoteId: quote.id });

    const bytes = await pdfOf(quote.id);
    expect(sha256(bytes)).toBe(quote.contentHash);
    expect(sha256(await pdfOf(quote.id))).toBe(quote.contentHash);
    const text = await pdfText(bytes);
    for (const shown of [quote.number, "Hashed", "Ada Buyer", "Valid until", "$", "monthly"])
      expect(text).toContain(shown);
    expect(await eventsOf("quote.published", quote.id)).toHaveLength(1);

    const unpublished = await draft();
    expect((await api("GET /v1/quotes/{id}/pdf", { id: unpublished.id })).status).toBe(409);
  });

  it("revises an open quote: a draft that, published, is Q-n-2 and supersedes the original in the same write; then -3", async () => {
    const original = await open();
    const revision = await expectStatus(action(original.id, "revise"), 201);
    expect(revision).toMatchObject({ status: "draft", revisionOf: original.id, subtotal: original.subtotal });
    expect(revision.number).toBeUndefined();
    expect((await get(original.id)).status).toBe("open");

    const second = await publish(revision.id);
    expect(second.number).toBe(`${original.number}-2`);
    expect(await get(original.id)).toMatchObject({ status: "superseded", supersededBy: revision.id });
    expect(await eventsOf("quote.superseded", original.id)).toHaveLength(1);
    expect(sha256(await pdfOf(second.id))).toBe(second.contentHash);
    expect(second.contentHash).not.toBe(original.contentHash);

    const third = await publish((await expectStatus(action(second.id, "revise"), 201)).id);
    expect(third.number).toBe(`${original.number}-3`);
    expect((await get(second.id)).status).toBe("superseded");
    // Only an open quote is revised.
    expect((await action(original.id, "revise")).status).toBe(409);
  });

  it("refuses to publish a revision whose original is no longer open (accepted, or superseded by another revision): 409, the draft stays a draft", async () => {
    const accepted = await open();
    const late = await expectStatus(action(accepted.id, "revise"), 201);
    await expectStatus(action(accepted.id, "accept", { name: "Ada Buyer" }));
    const r = await action(late.id, "publish");
    expect(r.status, r.raw).toBe(409);
    expect(r.body.detail).toContain("accepted");
    expect((await get(late.id)).status).toBe("draft");
    expect((await get(accepted.id)).status).toBe("accepted");

    const contested = await open();
    const [one, two] = [
      await expectStatus(action(contested.id, "revise"), 201),
      await expectStatus(action(contested.id, "revise"), 201),
    ];
    await publish(one.id);
    expect((await action(two.id, "publish")).status).toBe(409);
    expect((await get(two.id)).status).toBe("draft");
  });

  it("cancels an open quote once; a canceled quote cannot be accepted, revised or canceled again", async () => {
    const quote = await open();
    const canceled = await expectStatus(action(quote.id, "cancel"));
    expect(canceled).toMatchObject({ status: "canceled", canceledAt: expect.any(String) });
    expect(await eventsOf("quote.canceled", quote.id)).toHaveLength(1);
    for (const what of ["cancel", "revise"]) expect((await action(quote.id, what)).status).toBe(409);
    expect((await action(quote.id, "accept", { name: "Ada" })).status).toBe(409);
    expect((await action((await draft()).id, "cancel")).status).toBe(409);
  });

  it("records an offline acceptance with who and when (never in the future); a draft cannot be accepted", async () => {
    const quote = await open();
    expect(
      (await action(quote.id, "accept", { name: "Ada", acceptedAt: "2999-01-01T00:00:00Z" })).status,
    ).toBe(400);
    const acceptedAt = new Date(Date.now() - 3_600_000).toISOString();
    const accepted = await expectStatus(
      action(quote.id, "accept", { name: "Ada Buyer", email: "ADA@buyer.test", acceptedAt }),
    );
    expect(accepted).toMatchObject({
      status: "accepted",
      acceptedAt,
      acceptance: {
        name: "Ada Buyer",
        email: "ada@buyer.test",
        acceptedAt,
        method: "offline",
        recordedAt: expect.any(String),
      },
    });
    expect(await eventsOf("quote.accepted", quote.id)).toHaveLength(1);
    expect((await action(quote.id, "accept", { name: "Again" })).status).toBe(409);
    expect((await action((await draft()).id, "accept", { name: "Ada" })).status).toBe(409);
  });

  describe("expiry", () => {
    type Timed = { id: string; expiresAt: string };
    const scheduleOf = async (quote: Timed) =>
      (
        await aws.db.send(
          new GetCommand({
            TableName: aws.tableName,
            Key: keys.schedule(localScheduleGroup, quoteExpiryName(quote)),
            ConsistentRead: true,
          }),
        )
      ).Item;
    const fire = async (quote: Timed, at: Date) => {
      const schedule = await scheduleOf(quote);
      if (!schedule) throw new Error(`no expiry schedule for ${quote.id} at ${quote.expiresAt}`);
      await billingTimerRegistry(billingTimerPorts(fixedClock(at))).dispatch(schedule.payload);
    };

    it("is planned at publish at expiresAt; firing it expires the open quote once (a second firing changes nothing)", async () => {
      const quote = await open();
      const schedule = await scheduleOf(quote);
      expect(schedule?.fireAt).toBe(quote.expiresAt);
      expect(schedule?.payload).toMatchObject({
        kind: "quote.expire",
        merchantId: shop.id,
        quoteId: quote.id,
      });

      const after = new Date(Date.parse(quote.expiresAt) + 1000);
      await fire(quote, after);
      const expired = await get(quote.id);
      expect(expired).toMatchObject({ status: "expired", expiredAt: after.toISOString() });
      await fire(quote, new Date(after.getTime() + 60_000));
      expect(await get(quote.id)).toEqual(expired);
      expect(await eventsOf("quote.expired", quote.id)).toHaveLength(1);
      for (const what of ["cancel", "revise"]) expect((await action(quote.id, what)).status).toBe(409);
    });

    it("leaves an accepted quote alone, and a firing before expiresAt changes nothing", async () => {
      const early = await open();
      await fire(early, new Date(Date.parse(early.expiresAt) - 60_000));
      expect((await get(early.id)).status).toBe("open");

      const accepted = await open();
      await expectStatus(action(accepted.id, "accept", { name: "Ada" }));
      await fire(accepted, new Date(Date.parse(accepted.expiresAt) + 1000));
      expect((await get(accepted.id)).status).toBe("accepted");
      expect(await eventsOf("quote.expired", accepted.id)).toHaveLength(0);
    });

    it("is planned afresh when expiresAt changed after a publish that planned it lost its write: the stale one, firing early, changes nothing", async () => {
      const quote = await draft({ expiresAt: "2090-01-01T00:00:00Z" });
      // What a publish that planned its expiry and then lost its write to a PATCH left behind.
      await tableScheduler.scheduleOnce(quoteExpirySchedule(shop.id, quote));
      const later = await expectStatus(
        api("PATCH /v1/quotes/{id}", { id: quote.id, body: { expiresAt: "2090-06-01T00:00:00Z" } }),
      );
      const published = await publish(quote.id);
      expect((await scheduleOf(published))?.fireAt).toBe(later.expiresAt);

      await fire(quote, new Date("2090-01-01T00:00:01Z"));
      expect((await get(quote.id)).status).toBe("open");
      await fire(published, new Date("2090-06-01T00:00:01Z"));
      expect((await get(quote.id)).status).toBe("expired");
    });

    it("runs on the customer's test clock: 30 days of the clock's time, fired by its advance", async () => {
      const harness = clockHarness(() => ({ aws, shop }));
      const clockId = (
        await expectStatus(
          merchantCall(testClocks, "POST /v1/test-clocks", shop.secret, {
            body: { frozenTime: "2030-01-01T00:00:00Z" },
          }),
          201,
        )
      ).id;
      const buyer = await expectStatus(
        merchantCall(customers, "POST /v1/customers", shop.secret, {
          body: { email: "clocked@quotes.test", testClockId: clockId },
        }),
        201,
      );
      const quote = await open({ customerId: buyer.id });
      expect(quote).toMatchObject({
        createdAt: "2030-01-01T00:00:00.000Z",
        expiresAt: "2030-01-31T00:00:00.000Z",
        testClockId: clockId,
      });
      expect(await scheduleOf(quote)).toBeUndefined();
      expect(await harness.duePartition(clockId)).toContain(
        `${quoteExpiryName(quote)} @ 2030-01-31T00:00:00.000Z`,
      );

      await harness.advance(clockId, "2030-01-30T00:00:00Z");
      expect((await get(quote.id)).status).toBe("open");
      await harness.advance(clockId, "2030-02-01T00:00:00Z");
      expect(await get(quote.id)).toMatchObject({ status: "expired", expiredAt: "2030-01-31T00:00:00.000Z" });
      expect(await eventsOf("quote.expired", quote.id)).toHaveLength(1);
    });
  });

  it("lists newest first with filters, cursor paging and saved views of quotes", async () => {
    const other = await expectStatus(
      merchantCall(customers, "POST /v1/customers", shop.secret, { body: { email: "lister@quotes.test" } }),
      201,
    );
    const mine = [
      await draft({ customerId: other.id }),
      await open({ customerId: other.id }),
      await open({ customerId: other.id }),
    ];
    const ids = (r: { data: { id: string }[] }) => r.data.map((q) => q.id);

    const all = await expectStatus(api("GET /v1/quotes", { query: { customerId: other.id } }));
    expect(ids(all)).toEqual(mine.map((q) => q.id).reverse());
    const openOnes = await expectStatus(
      api("GET /v1/quotes", { query: { customerId: other.id, status: "open" } }),
    );
    expect(ids(openOnes)).toEqual([mine[2]?.id, mine[1]?.id]);

    const first = await expectStatus(api("GET /v1/quotes", { query: { customerId: other.id, limit: "2" } }));
    expect(ids(first)).toEqual([mine[2]?.id, mine[1]?.id]);
    const rest = await expectStatus(
      api("GET /v1/quotes", { query: { customerId: other.id, limit: "2", cursor: first.nextCursor } }),
    );
    expect(ids(rest)).toEqual([mine[0]?.id]);
    expect(rest.nextCursor).toBeNull();

    const view = await expectStatus(
      merchantCall(views, "POST /v1/views", shop.secret, {
        body: {
          object: "quotes",
          name: "Drafts of lister",
          filters: { status: "draft", customerId: other.id },
        },
      }),
      201,
    );
    expect(ids(await expectStatus(api("GET /v1/quotes", { query: { view: view.id } })))).toEqual([
      mine[0]?.id,
    ]);
    // The query's own filter wins over the view's.
    expect(
      ids(await expectStatus(api("GET /v1/quotes", { query: { view: view.id, status: "open" } }))),
    ).toEqual([mine[2]?.id, mine[1]?.id]);
    const invoiceView = await expectStatus(
      merchantCall(views, "POST /v1/views", shop.secret, {
        body: { object: "invoices", name: "Open invoices", filters: { status: "open" } },
      }),
      201,
    );
    const wrong = await api("GET /v1/quotes", { query: { view: invoiceView.id } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].path).toBe("view");
  });
});
