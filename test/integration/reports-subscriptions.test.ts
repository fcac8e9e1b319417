/**
 * The subscriptions (MRR) report on a seeded month (issue 16 §1): subscriptions of a merchant in
 * Europe/Berlin, each for a customer on its own test clock so every change happens at a chosen
 * instant, through the API and the billing queue as deployed; their outbox events delivered to the
 * reports consumer (twice: a redelivery adds nothing); the report read through the API. March 2030
 * holds the DST change (Mar 31, 02:00 → 03:00): an event at 23:30 UTC on Feb 28 is March 1 there
 * (UTC+1), one at 22:30 UTC on Mar 31 is already April 1 (UTC+2). Every figure is worked out by hand.
 *
 * And the receivables report: open invoices due 0 to 120 days ago, in two currencies, by age bucket.
 */
import { randomUUID } from "node:crypto";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSRecord } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as discountCodes } from "../../functions/api/discount-codes.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as settings } from "../../functions/api/merchant-settings.ts";
import { handler as reportsApi } from "../../functions/api/reports.ts";
import { handler as subscriptions } from "../../functions/api/subscriptions.ts";
import { handler as reportsConsumer } from "../../functions/reports/run.ts";
import { addDays, localDate } from "../../shared/domain/calendar.ts";
import { queuesFor } from "../../shared/outbox/routing.ts";
import { outboxEventFromItem } from "../../shared/store/outbox.ts";
import { callForBody, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { clockHarness } from "../helpers/subscriptions.ts";

let aws: TestAws;
let shop: TestMerchant;
const harness = clockHarness(() => ({ aws, shop }));
const { call, buyerAt } = harness;
const zone = "Europe/Berlin";

async function advance(clockId: string, frozenTime: string) {
  expect(await harness.advance(clockId, frozenTime)).toMatchObject({ status: "ready" });
}

async function subscribe(customerId: string, body: object) {
  const r = await call(subscriptions, "POST /v1/subscriptions", undefined, {
    customerId,
    collectionMethod: "send_invoice",
    ...body,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as { id: string; items: { id: string }[] };
}

/** A subscription of one ad-hoc item, made at `at` on a new clock. */
async function started(
  at: string,
  currency: string,
  interval: string,
  unitAmount: number,
  extra: object = {},
) {
  const buyer = await buyerAt(at);
  const sub = await subscribe(buyer.customerId, {
    items: [{ description: "Plan", unitAmount, quantity: 1 }],
    currency,
    interval,
    ...extra,
  });
  return { ...buyer, sub };
}

/** A change of items, not prorated: MRR counts the new price from the change either way. */
const patch = async (id: string, body: object) => {
  const r = await call(subscriptions, "PATCH /v1/subscriptions/{id}", id, {
    prorationBehavior: "none",
    ...body,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
};

/** Every event of the merchant the outbox routes to the reports queue, oldest first, as SQS records. */
async function reportMessages(): Promise<SQSRecord[]> {
  const { Items = [] } = await aws.db.send(
    new QueryCommand({
      TableName: aws.tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :evt)",
      ExpressionAttributeValues: { ":pk": `MERCHANT#${shop.id}`, ":evt": "EVT#" },
    }),
  );
  return Items.map(outboxEventFromItem)
    .filter((event) => queuesFor(event.type).includes("reports"))
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.id.localeCompare(b.id))
    .map((event) => ({ messageId: randomUUID(), body: JSON.stringify(event) }) as SQSRecord);
}

async function deliverAll() {
  const records = await reportMessages();
  for (const record of records)
    expect(await reportsConsumer({ Records: [record] })).toEqual({ batchItemFailures: [] });
  return records.length;
}

const report = (query: Record<string, string>) =>
  callForBody(reportsApi, "GET /v1/reports/subscriptions", { token: shop.secret, query });

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events"]);
  shop = await newMerchant("MRR Shop");
  const r = await call(settings, "PATCH /v1/merchant", undefined, { timeZone: zone });
  expect(r.status).toBe(200);
});

describe("the subscriptions report on a seeded month", () => {
  it("adds up new, expansion, contraction, churn and reactivation per month and currency, by the merchant's local month", async () => {
    // USD
    // D: Jan 10, 8000 a month → new in January; downgraded to 6000 on Mar 12: contraction 2000.
    const d = await started("2030-01-10T10:00:00Z", "USD", "month", 8_000);
    // A: Feb 15, 5000 a month → new in February; two seats from Mar 10: expansion 5000.
    const a = await started("2030-02-15T10:00:00Z", "USD", "month", 5_000);
    // H: Feb 20, 3000 a month → new in February; canceled Mar 12: churn 3000.
    const h = await started("2030-02-20T10:00:00Z", "USD", "month", 3_000);
    // C: a 14-day trial from Feb 20, 119994 a year: counts nothing while trialing; its end (Mar 6) is
    // new: 119994 ÷ 12 = 9999.5 → 10000.
    const c = await started("2030-02-20T10:00:00Z", "USD", "year", 119_994, { trialDays: 14 });
    // B: Mar 5, 29999 a quarter less 10 % forever: 29999 − 3000 = 26999 ÷ 3 = 8999.67 → 9000, new.
    const b = await started("2030-03-05T10:00:00Z", "USD", "quarter", 29_999, {
      discounts: [{ percentOff: 10 }],
    });

    // EUR
    // E: Jan 5, 4000 a month → new in January; paused from the end of its period (Mar 5, 00:00
    // Berlin): churn 4000 in March; resumes by itself on Mar 20: reactivation 4000 in March.
    const e = await started("2030-01-05T10:00:00Z", "EUR", "month", 4_000);
    // F: Feb 1, 2500 a month → new in February; canceled at 22:30 UTC on Mar 31 = Apr 1, 00:30
    // in Berlin (summer time): churn in April.
    const f = await started("2030-02-01T10:00:00Z", "EUR", "month", 2_500);
    // G: at 23:30 UTC on Feb 28 = Mar 1, 00:30 in Berlin (winter time): 15003 a half-year ÷ 6 =
    // 2500.5 → 2501, new in March.
    const g = await started("2030-02-28T23:30:00Z", "EUR", "half_year", 15_003);

    await advance(e.clockId, "2030-02-10T00:00:00Z");
    const paused = await call(subscriptions, "POST /v1/subscriptions/{id}/pause", e.sub.id, {
      resumesAt: "2030-03-20",
    });
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    await advance(e.clockId, "2030-03-25T00:00:00Z");
    expect((await call(subscriptions, "GET /v1/subscriptions/{id}", e.sub.id)).body).toMatchObject({
      status: "active",
    });

    await advance(a.clockId, "2030-03-10T10:00:00Z");
    await patch(a.sub.id, { items: [{ id: a.sub.items[0]?.id, quantity: 2 }] });
    await advance(d.clockId, "2030-03-12T10:00:00Z");
    await patch(d.sub.id, { items: [{ id: d.sub.items[0]?.id, unitAmount: 6_000 }] });
    await advance(h.clockId, "2030-03-12T10:00:00Z");
    expect((await call(subscriptions, "POST /v1/subscriptions/{id}/cancel", h.sub.id)).status).toBe(200);
    await advance(c.clockId, "2030-03-07T00:00:00Z");
    expect((await call(subscriptions, "GET /v1/subscriptions/{id}", c.sub.id)).body).toMatchObject({
      status: "active",
    });
    await advance(f.clockId, "2030-03-31T22:30:00Z");
    expect((await call(subscriptions, "POST /v1/subscriptions/{id}/cancel", f.sub.id)).status).toBe(200);
    expect(b.sub.id && g.sub.id).toBeTruthy();

    const delivered = await deliverAll();
    // A redelivery of every event adds nothing.
    expect(await deliverAll()).toBe(delivered);

    const r = await report({ from: "2030-01-01", to: "2030-04-30", groupBy: "month" });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const row = (
      period: string,
      currency: string,
      mrr: number,
      activeSubscriptions: number,
      moves: Partial<
        Record<"newMrr" | "expansionMrr" | "contractionMrr" | "churnedMrr" | "reactivationMrr", number>
      >,
      churnRate: number | null,
    ) => ({
      period,
      currency,
      mrr,
      arr: 12 * mrr,
      activeSubscriptions,
      newMrr: 0,
      expansionMrr: 0,
      contractionMrr: 0,
      churnedMrr: 0,
      reactivationMrr: 0,
      ...moves,
      churnRate,
    });
    expect(r.body).toEqual({
      livemode: false,
      data: [
        row("2030-01", "EUR", 4_000, 1, { newMrr: 4_000 }, null),
        row("2030-01", "USD", 8_000, 1, { newMrr: 8_000 }, null),
        row("2030-02", "EUR", 6_500, 2, { newMrr: 2_500 }, 0),
        row("2030-02", "USD", 16_000, 3, { newMrr: 8_000 }, 0),
        // EUR: 6500 + 2501 − 4000 + 4000; churn 4000 ÷ 6500 = 0.61538…
        row("2030-03", "EUR", 9_001, 3, { newMrr: 2_501, churnedMrr: 4_000, reactivationMrr: 4_000 }, 0.6154),
        // USD: 16000 + (9000 + 10000) + 5000 − 2000 − 3000; churn 3000 ÷ 16000
        row(
          "2030-03",
          "USD",
          35_000,
          4,
          { newMrr: 19_000, expansionMrr: 5_000, contractionMrr: 2_000, churnedMrr: 3_000 },
          0.1875,
        ),
        // 2500 ÷ 9001 = 0.27774…
        row("2030-04", "EUR", 6_501, 2, { churnedMrr: 2_500 }, 0.2777),
        row("2030-04", "USD", 35_000, 4, {}, 0),
      ],
    });

    // One currency, and a range that starts mid-way: the levels still count every month before.
    const march = await report({ from: "2030-03-15", to: "2030-03-20", currency: "EUR", groupBy: "month" });
    expect(march.body.data).toEqual([
      row("2030-03", "EUR", 9_001, 3, { newMrr: 2_501, churnedMrr: 4_000, reactivationMrr: 4_000 }, 0.6154),
    ]);
    // The other mode has no subscriptions.
    expect((await report({ from: "2030-01-01", to: "2030-04-30", livemode: "true" })).body).toEqual({
      livemode: true,
      data: [],
    });
    // A seeded year of test-clock advances through the billing pipeline: well past the default 30 s on 2 busy cores.
  }, 180_000);
});

describe("a discount that ends", () => {
  it("is expansion in the month its last period ends: the renewal says so with subscription.updated", async () => {
    const code = `MRR${randomUUID().slice(0, 6)}`.toUpperCase();
    const made = await call(discountCodes, "POST /v1/discount-codes", undefined, {
      code,
      percentOff: 50,
      duration: "repeating",
      durationInPeriods: 2,
    });
    expect(made.status, JSON.stringify(made.body)).toBe(201);
    // Jan 10, 2031: 10000 a month, half off for two periods (Jan 10 – Mar 10) → new 5000.
    const { clockId } = await started("2031-01-10T10:00:00Z", "GBP", "month", 10_000, {
      discounts: [{ code }],
    });
    // Mar 10 bills the first period at full price: expansion 5000 in March.
    await advance(clockId, "2031-03-11T00:00:00Z");
    await deliverAll();

    const r = await report({ from: "2031-01-01", to: "2031-03-31", currency: "GBP" });
    expect(
      r.body.data.map((row: Record<string, unknown>) => [row.period, row.mrr, row.newMrr, row.expansionMrr]),
    ).toEqual([
      ["2031-01", 5_000, 5_000, 0],
      ["2031-02", 5_000, 0, 0],
      ["2031-03", 10_000, 0, 5_000],
    ]);
  });
});

describe("the receivables report", () => {
  // Its own merchant: the subscriptions above leave open invoices of their own.
  let ledger: TestMerchant;
  const books = clockHarness(() => ({ aws, shop: ledger }));

  it("sorts open invoices by days past due in the merchant's local dates, per currency: count and amount remaining", async () => {
    ledger = await newMerchant("Receivables Shop");
    expect((await books.call(settings, "PATCH /v1/merchant", undefined, { timeZone: zone })).status).toBe(
      200,
    );
    const today = localDate(new Date(), zone);
    /** An open invoice of `amount`, issued `daysAgo` days ago (by a test clock), due on receipt unless `terms`. */
    async function openInvoice(daysAgo: number, currency: string, amount: number, terms = "due_on_receipt") {
      const { customerId } = await books.buyerAt(`${addDays(today, -daysAgo)}T12:00:00+01:00`);
      const draft = await books.call(invoices, "POST /v1/invoices", undefined, {
        customerId,
        currency,
        paymentTerms: terms,
        lineItems: [{ description: "Work", quantity: 1, unitAmount: amount }],
      });
      expect(draft.status, JSON.stringify(draft.body)).toBe(201);
      const open = await books.call(invoices, "POST /v1/invoices/{id}/finalize", draft.body.id);
      expect(open.status, JSON.stringify(open.body)).toBe(200);
      return open.body as { id: string; dueDate: string };
    }
    const pay = async (id: string, amount: number) =>
      expect(
        (await books.call(invoices, "POST /v1/invoices/{id}/payments", id, { amount, method: "cash" }))
          .status,
      ).toBe(201);
    await pay((await openInvoice(40, "USD", 999)).id, 999); // paid: not a receivable
    await openInvoice(0, "USD", 100); // due today: current
    await openInvoice(3, "USD", 200, "net_30"); // due in 27 days: current
    await pay((await openInvoice(1, "USD", 300)).id, 100); // 1 day late, 200 remaining
    await openInvoice(30, "USD", 400);
    await openInvoice(31, "USD", 500);
    await openInvoice(75, "USD", 600);
    await openInvoice(91, "USD", 700);
    await openInvoice(120, "USD", 800);
    await openInvoice(60, "EUR", 1_000);

    const r = await books.call(reportsApi, "GET /v1/reports/receivables");
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toEqual({
      livemode: false,
      asOf: expect.any(String),
      data: [
        { currency: "EUR", bucket: "current", count: 0, amount: 0 },
        { currency: "EUR", bucket: "1_30", count: 0, amount: 0 },
        { currency: "EUR", bucket: "31_60", count: 1, amount: 1_000 },
        { currency: "EUR", bucket: "61_90", count: 0, amount: 0 },
        { currency: "EUR", bucket: "over_90", count: 0, amount: 0 },
        { currency: "USD", bucket: "current", count: 2, amount: 300 },
        { currency: "USD", bucket: "1_30", count: 2, amount: 600 },
        { currency: "USD", bucket: "31_60", count: 1, amount: 500 },
        { currency: "USD", bucket: "61_90", count: 1, amount: 600 },
        { currency: "USD", bucket: "over_90", count: 2, amount: 1_500 },
      ],
    });

    // The invoices themselves through the invoice list: the overdue ones, and one bucket by due dates.
    const list = async (query: Record<string, string>) =>
      (await callForBody(invoices, "GET /v1/invoices", { token: ledger.secret, query })).body.data as {
        total: number;
      }[];
    expect(await list({ status: "overdue", currency: "USD", limit: "100" })).toHaveLength(6);
    const bucket = await list({
      status: "open",
      dueAfter: addDays(today, -61),
      dueBefore: addDays(today, -30),
      limit: "100",
    });
    expect(bucket.map((invoice) => invoice.total).sort((x, y) => x - y)).toEqual([500, 1_000]);
  });
});
