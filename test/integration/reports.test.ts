/**
 * A seeded month of a merchant in Oslo (October 2026, when summer time ends on Sunday the 25th):
 * customers, card payments in two currencies with the sandbox's fees, refunds and a lost dispute,
 * each at its own instant, through the real outbox (stream → dispatcher → reports queue → consumer).
 * Every figure of the revenue, customers and top-customers reports equals the hand-computed one; the
 * revenue's netVolume over the month equals the sum of its balance transactions; redelivering every
 * event changes nothing.
 */
import type { SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as reportsApi } from "../../functions/api/reports.ts";
import { functionNamed } from "../../infra/manifest.ts";
import { loadHandler } from "../../infra/local/invoke-lambda.ts";
import type { Poller } from "../../infra/local/sqs-poller.ts";
import { customerPorts, paymentPorts } from "../../shared/composition.ts";
import { createCustomer } from "../../shared/customers/service.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { payInvoice } from "../../shared/invoices/pay.ts";
import { updateMerchant } from "../../shared/merchants/service.ts";
import { applyDispute } from "../../shared/payments/disputes.ts";
import { refundPayment } from "../../shared/payments/refunds.ts";
import { reportedEventTypes } from "../../shared/reports/contributors.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { outboxEventFromItem } from "../../shared/store/outbox.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { eventually, type TestAws, useTestAws } from "../helpers/aws.ts";
import { consumeQueue, dispatchedQueues, dispatchFromStream } from "../helpers/pipeline.ts";

let aws: TestAws;
let shop: TestMerchant;
const pollers: Poller[] = [];
const at = (iso: string) => fixedClock(new Date(iso));
const ids: Record<"anna" | "bo" | "cy", string> = { anna: "", bo: "", cy: "" };

const report = (name: string, query: Record<string, string>) =>
  expectStatus(merchantCall(reportsApi, `GET /v1/reports/${name}`, shop.secret, { query }));
const october = { from: "2026-10-01", to: "2026-10-31" };

async function customer(key: keyof typeof ids, name: string, iso: string) {
  ids[key] = (await createCustomer(customerPorts(at(iso)), shop.id, { email: `${key}@oslo.test`, name })).id;
}

async function pay(key: keyof typeof ids, currency: string, amount: number, iso: string) {
  const draft = await expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices", shop.secret, {
      body: { customerId: ids[key], currency, lineItems: [{ description: "Work", unitAmount: amount }] },
    }),
    201,
  );
  const invoice = await expectStatus(
    merchantCall(invoicesHandler, "POST /v1/invoices/{id}/finalize", shop.secret, { id: draft.id }),
  );
  const { payment } = await payInvoice(paymentPorts(at(iso)), shop.id, invoice.id, "pm_card_visa");
  expect(payment.status).toBe("succeeded");
  return payment.id as string;
}

async function refund(paymentId: string, amount: number, iso: string) {
  const made = await refundPayment(paymentPorts(at(iso)), shop.id, paymentId, { amount });
  expect(made.status).toBe("succeeded");
}

const row = (period: string, currency: string, figures: Record<string, number>) => ({
  period,
  currency,
  grossVolume: 0,
  refunds: 0,
  disputesLost: 0,
  fees: 0,
  netVolume: 0,
  paymentCount: 0,
  refundCount: 0,
  ...figures,
});

// Hand-computed: the sandbox's fee is 2.9 % + 30 (10,000 → 320; 5,000 → 175; 20,000 → 610; 3,000 → 117;
// 8,000 → 262; 7,000 → 233), a refund and a lost dispute take their whole amount and no fee.
const revenueByDay = [
  row("2026-10-01", "USD", { grossVolume: 15_000, fees: 495, netVolume: 14_505, paymentCount: 2 }),
  row("2026-10-02", "USD", { refunds: 2_000, netVolume: -2_000, refundCount: 1 }),
  row("2026-10-12", "EUR", { grossVolume: 20_000, fees: 610, netVolume: 19_390, paymentCount: 1 }),
  row("2026-10-13", "USD", { grossVolume: 3_000, fees: 117, netVolume: 2_883, paymentCount: 1 }),
  row("2026-10-20", "USD", { refunds: 3_000, netVolume: -3_000, refundCount: 1 }),
  // 23:30 on Sunday the 25th in Oslo, an hour after the clocks went back (22:30 UTC): still the 25th.
  row("2026-10-25", "EUR", { grossVolume: 8_000, fees: 262, netVolume: 7_738, paymentCount: 1 }),
  row("2026-10-26", "EUR", { disputesLost: 20_000, netVolume: -20_000 }),
];
const revenueByMonth = [
  row("2026-10", "EUR", {
    grossVolume: 28_000,
    disputesLost: 20_000,
    fees: 872,
    netVolume: 7_128,
    paymentCount: 2,
  }),
  row("2026-10", "USD", {
    grossVolume: 18_000,
    refunds: 5_000,
    fees: 612,
    netVolume: 12_388,
    paymentCount: 3,
    refundCount: 2,
  }),
];
// Weeks start on Monday: 28 September holds 1–4 October; the week of 26 October runs to 1 November and
// holds its payment (a week is reported whole).
const revenueByWeek = [
  row("2026-09-28", "USD", {
    grossVolume: 15_000,
    refunds: 2_000,
    fees: 495,
    netVolume: 12_505,
    paymentCount: 2,
    refundCount: 1,
  }),
  row("2026-10-12", "EUR", { grossVolume: 20_000, fees: 610, netVolume: 19_390, paymentCount: 1 }),
  row("2026-10-12", "USD", { grossVolume: 3_000, fees: 117, netVolume: 2_883, paymentCount: 1 }),
  row("2026-10-19", "EUR", { grossVolume: 8_000, fees: 262, netVolume: 7_738, paymentCount: 1 }),
  row("2026-10-19", "USD", { refunds: 3_000, netVolume: -3_000, refundCount: 1 }),
  row("2026-10-26", "EUR", { disputesLost: 20_000, netVolume: -20_000 }),
  row("2026-10-26", "USD", { grossVolume: 7_000, fees: 233, netVolume: 6_767, paymentCount: 1 }),
];

describe("reports over a seeded month", () => {
  beforeAll(async () => {
    aws = await useTestAws(["stripe-events", ...dispatchedQueues]);
    pollers.push(await dispatchFromStream(aws));
    pollers.push(await consumeQueue(aws, "reports", "reports"));
    shop = await newMerchant("Oslo Shop");
    await updateMerchant({ store: dynamoMerchantStore, clock: at("2026-09-01T00:00:00Z") }, shop.id, {
      timeZone: "Europe/Oslo",
    });

    // 00:30 on 1 October in Oslo (summer time) is still 30 September in UTC.
    await customer("anna", "Anna", "2026-09-30T22:30:00Z");
    const first = await pay("anna", "USD", 10_000, "2026-10-01T08:00:00Z");
    await pay("anna", "USD", 5_000, "2026-10-01T20:00:00Z");
    await refund(first, 2_000, "2026-10-02T09:00:00Z");
    await customer("bo", "Bo", "2026-10-12T09:00:00Z");
    const disputed = await pay("bo", "EUR", 20_000, "2026-10-12T10:00:00Z");
    const refunded = await pay("bo", "USD", 3_000, "2026-10-13T10:00:00Z");
    await refund(refunded, 3_000, "2026-10-20T12:00:00Z");
    await customer("cy", "Cy", "2026-10-25T22:00:00Z");
    await pay("cy", "EUR", 8_000, "2026-10-25T22:30:00Z");
    await applyDispute(paymentPorts(at("2026-10-26T12:00:00Z")), shop.id, disputed, {
      id: "dp_seeded_month",
      status: "lost",
      amount: 20_000,
      createdAt: "2026-10-20T12:00:00Z",
      reportedAt: "2026-10-26T12:00:00Z",
    });
    // 00:30 on 1 November in Oslo: next month, but in the week of 26 October.
    await pay("anna", "USD", 7_000, "2026-10-31T23:30:00Z");

    // The pipeline has folded everything once the month's figures are all there.
    await eventually(async () => {
      const [days, customers] = await Promise.all([
        report("revenue", { ...october, groupBy: "month" }),
        report("customers", { ...october, groupBy: "week" }),
      ]);
      return JSON.stringify(days.data) === JSON.stringify(revenueByMonth) &&
        customers.data.at(-1)?.payingCustomers === 1
        ? true
        : undefined;
    }, 30_000);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(pollers.splice(0).map((p) => p.stop()));
  });

  it("reports revenue by day, week and month in the merchant's zone, in test mode", async () => {
    expect(await report("revenue", october)).toEqual({ livemode: false, data: revenueByDay });
    expect(await report("revenue", { ...october, groupBy: "week" })).toEqual({
      livemode: false,
      data: revenueByWeek,
    });
    expect(await report("revenue", { ...october, groupBy: "month" })).toEqual({
      livemode: false,
      data: revenueByMonth,
    });
    expect((await report("revenue", { ...october, currency: "eur" })).data).toEqual(
      revenueByDay.filter((r) => r.currency === "EUR"),
    );
    // The first day alone (to inclusive), and live mode, where nothing happened.
    expect((await report("revenue", { from: "2026-10-01", to: "2026-10-01" })).data).toEqual([
      revenueByDay[0],
    ]);
    expect(await report("revenue", { ...october, livemode: "true" })).toEqual({ livemode: true, data: [] });
  });

  it("reconciles: the month's netVolume per currency is the sum of its balance transactions' net", async () => {
    const moves = (await aws.scanAll()).filter(
      (i) =>
        i.type === "balanceTransaction" &&
        i.PK === `MERCHANT#${shop.id}` &&
        String(i.date) >= october.from &&
        String(i.date) <= october.to,
    );
    expect(moves).toHaveLength(8); // five charges, two refunds, a lost dispute
    const sums: Record<string, number> = {};
    for (const t of moves) sums[String(t.currency)] = (sums[String(t.currency)] ?? 0) + Number(t.net);
    const reported: Record<string, number> = {};
    for (const r of (await report("revenue", october)).data)
      reported[r.currency] = (reported[r.currency] ?? 0) + r.netVolume;
    expect(reported).toEqual(sums);
    expect(sums).toEqual({ EUR: 7_128, USD: 12_388 });
  });

  it("counts new customers on their local day and paying customers once per period", async () => {
    const byDay = await report("customers", october);
    expect(byDay.data).toHaveLength(31);
    expect(
      byDay.data.filter(
        (r: { newCustomers: number; payingCustomers: number }) => r.newCustomers || r.payingCustomers,
      ),
    ).toEqual([
      { period: "2026-10-01", newCustomers: 1, payingCustomers: 1 },
      { period: "2026-10-12", newCustomers: 1, payingCustomers: 1 },
      { period: "2026-10-13", newCustomers: 0, payingCustomers: 1 },
      { period: "2026-10-25", newCustomers: 1, payingCustomers: 1 },
    ]);
    expect((await report("customers", { ...october, groupBy: "week" })).data).toEqual([
      { period: "2026-09-28", newCustomers: 1, payingCustomers: 1 },
      { period: "2026-10-05", newCustomers: 0, payingCustomers: 0 },
      { period: "2026-10-12", newCustomers: 1, payingCustomers: 1 },
      { period: "2026-10-19", newCustomers: 1, payingCustomers: 1 },
      { period: "2026-10-26", newCustomers: 0, payingCustomers: 1 },
    ]);
    expect(await report("customers", { ...october, groupBy: "month" })).toEqual({
      livemode: false,
      data: [{ period: "2026-10", newCustomers: 3, payingCustomers: 3 }],
    });
  });

  it("ranks top customers by net paid per currency over whole months and edge days", async () => {
    const top = (from: string, to: string, extra: Record<string, string> = {}) =>
      report("top-customers", { from, to, ...extra });
    const entry = (
      key: keyof typeof ids,
      name: string,
      currency: string,
      netPaid: number,
      grossPaid: number,
      refunded: number,
      paymentCount: number,
    ) => ({
      customerId: ids[key],
      name,
      email: `${key}@oslo.test`,
      currency,
      netPaid,
      grossPaid,
      refunded,
      paymentCount,
    });
    expect(await top(october.from, october.to)).toEqual({
      livemode: false,
      data: [
        entry("cy", "Cy", "EUR", 8_000, 8_000, 0, 1),
        entry("bo", "Bo", "EUR", 0, 20_000, 0, 1), // lost its dispute
        entry("anna", "Anna", "USD", 13_000, 15_000, 2_000, 2),
        entry("bo", "Bo", "USD", 0, 3_000, 3_000, 1),
      ],
    });
    // 2 October to 1 November: all loose days (the refund on the 2nd, November's payment on the 1st).
    expect((await top("2026-10-02", "2026-11-01", { currency: "USD", limit: "1" })).data).toEqual([
      entry("anna", "Anna", "USD", 5_000, 7_000, 2_000, 1),
    ]);
  });

  it("changes nothing when every event is delivered again", async () => {
    const queries: [string, Record<string, string>][] = [
      ["revenue", october],
      ["revenue", { ...october, groupBy: "week" }],
      ["customers", { ...october, groupBy: "week" }],
      ["customers", { ...october, groupBy: "month" }],
      ["top-customers", { from: "2026-09-01", to: "2026-11-30" }],
    ];
    const before = await Promise.all(queries.map(([name, query]) => report(name, query)));
    const events = (await aws.scanAll()).filter(
      (i) =>
        i.type === "event" &&
        i.PK === `MERCHANT#${shop.id}` &&
        reportedEventTypes.includes(String(i.eventType)),
    );
    expect(events.length).toBeGreaterThanOrEqual(12);
    const consumer = await loadHandler(functionNamed("reports"));
    const redelivered = {
      Records: events.map((item, n) => ({
        messageId: `again-${n}`,
        body: JSON.stringify(outboxEventFromItem(item)),
      })),
    } as SQSEvent;
    expect(await consumer(redelivered, {} as never)).toEqual({ batchItemFailures: [] });
    expect(await Promise.all(queries.map(([name, query]) => report(name, query)))).toEqual(before);
  });
});
