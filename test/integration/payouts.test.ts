/**
 * Payouts against DynamoDB Local: a run pays out each currency of a merchant's local day once (even
 * when it fires twice, or twice at once), only that day's and that merchant's transactions; the run
 * chains the next day's schedule at the merchant's midnight; the API lists and walls payouts;
 * Stripe payouts are recorded once per Stripe payout; payout.paid mails the merchant its summary.
 */
import { GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent } from "aws-lambda";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as settingsHandler } from "../../functions/api/merchant-settings.ts";
import { handler as payoutsHandler } from "../../functions/api/payouts.ts";
import { handler as notificationsHandler } from "../../functions/notifications/send.ts";
import { localScheduleGroup, tableScheduler } from "../../shared/aws/scheduler.ts";
import { startOfLocalDay } from "../../shared/domain/calendar.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { newId } from "../../shared/domain/ids.ts";
import { type BalanceTransaction, type BalanceType, balanceTransaction } from "../../shared/payments/balance.ts";
import { handlePayoutRun, type PayoutPorts, recordStripePayout, runDailyPayouts } from "../../shared/payouts/run.ts";
import { transact } from "../../shared/store/collection.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { dynamoPaymentStore } from "../../shared/store/payments.ts";
import { dynamoPayoutStore } from "../../shared/store/payouts.ts";
import { keys } from "../../shared/store/keys.ts";
import { type ApiResult, call, newMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { sampleEvent } from "../helpers/events.ts";

type Handler = Parameters<typeof call>[0];
type Merchant = Awaited<ReturnType<typeof newMerchant>>;

const zone = "America/New_York";
const day = "2026-05-14";
let aws: TestAws;
let a: Merchant;
let b: Merchant;
const clock = fixedClock(new Date("2026-05-15T04:05:00Z")); // 00:05 on the 15th in New York
const ports: PayoutPorts = { payouts: dynamoPayoutStore, merchants: dynamoMerchantStore, scheduler: tableScheduler, clock };

const api = (routeKey: string, m: Merchant, options: { id?: string; query?: Record<string, string> } = {}): Promise<ApiResult> =>
  call(payoutsHandler as Handler, routeKey, {
    token: m.secret,
    ...(options.id ? { pathParameters: { id: options.id } } : {}),
    ...(options.query ? { query: options.query } : {}),
  });

async function write(merchantId: string, date: string, entries: [BalanceType, string, number, number?][]): Promise<BalanceTransaction[]> {
  const now = clock.now();
  const written = entries.map(([kind, currency, amount, fee = 0]) =>
    balanceTransaction(newId("balanceTransaction", now), kind, { id: newId(kind === "refund" ? "refund" : "payment", now), currency }, amount, fee, date, now),
  );
  await transact(
    written.map((t) => dynamoPaymentStore.balanceWrite(merchantId, t)),
    "unexpected",
  );
  return written;
}

async function eventsOf(merchantId: string, type: string) {
  const { PK, SKPrefix } = keys.eventPrefix(merchantId);
  const out = await aws.db.send(
    new QueryCommand({
      TableName: aws.tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": PK, ":prefix": SKPrefix },
      ConsistentRead: true,
    }),
  );
  return (out.Items ?? []).filter((i) => i.eventType === type);
}

const payoutItems = async (merchantId: string) =>
  (await aws.scanAll()).filter((i) => i.type === "payout" && i.PK === keys.merchant(merchantId).PK);

const schedule = async (name: string) =>
  (await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: keys.schedule(localScheduleGroup, name), ConsistentRead: true }))).Item;

describe("payouts", () => {
  beforeAll(async () => {
    aws = await useTestAws(["notifications", "billing"]);
    [a, b] = await Promise.all([newMerchant("Payout Alpha"), newMerchant("Payout Beta")]);
    for (const m of [a, b]) {
      const r = await call(settingsHandler as Handler, "PATCH /v1/merchant", { token: m.secret, body: { timeZone: zone } });
      expect(r.status).toBe(200);
    }
  });

  describe("the daily run", () => {
    let usdTxns: BalanceTransaction[];
    let jpyTxns: BalanceTransaction[];

    beforeAll(async () => {
      usdTxns = await write(a.id, day, [
        ["charge", "USD", 1000, 59],
        ["charge", "USD", 2500, 103],
        ["charge", "USD", 500, 45],
        ["refund", "USD", -500],
        ["dispute", "USD", -1000],
      ]);
      jpyTxns = await write(a.id, day, [["charge", "JPY", 5000, 180]]);
      // Neither the days around it nor another merchant's same day belong to A's payout.
      await write(a.id, "2026-05-13", [["charge", "USD", 7777, 7]]);
      await write(a.id, "2026-05-15", [["charge", "USD", 8888, 8]]);
      await write(b.id, day, [["charge", "USD", 9999, 9]]);
    });

    it("creates one payout per currency with the day's net and lists its transactions", async () => {
      const created = await runDailyPayouts(ports, a.id, day);
      expect(created.map((p) => [p.currency, p.amount, p.status])).toEqual([
        ["JPY", 4820, "paid"],
        ["USD", 2293, "paid"],
      ]);
      const usd = created.find((p) => p.currency === "USD");
      expect(usd).toMatchObject({
        grossAmount: 4000,
        feeTotal: 207,
        refundTotal: 500,
        disputeTotal: 1000,
        date: day,
        source: "sandbox",
        livemode: false,
        arrivalDate: "2026-05-15",
        chargeCount: 3,
        refundCount: 1,
        disputeCount: 1,
      });
      expect(usd?.id).toMatch(/^po_/);
      expect(usd?.balanceTransactions.map((t) => t.id)).toEqual(usdTxns.map((t) => t.id));
      expect(created.find((p) => p.currency === "JPY")?.balanceTransactions.map((t) => t.id)).toEqual(jpyTxns.map((t) => t.id));

      const stored = await dynamoPayoutStore.read(a.id, usd?.id ?? "");
      expect(stored?.value).toEqual(usd);
      const paid = await eventsOf(a.id, "payout.paid");
      expect(paid.map((e) => e.objectId).sort()).toEqual(created.map((p) => p.id).sort());
      expect(paid[0]?.data.payout).not.toHaveProperty("balanceTransactions");
      for (const event of paid) expect(event.livemode).toBe(false);
    });

    it("creates one payout however often the run fires, even concurrently", async () => {
      const before = await aws.countItems();
      expect(await runDailyPayouts(ports, a.id, day)).toEqual([]);
      const [x, y] = await Promise.all([runDailyPayouts(ports, b.id, day), runDailyPayouts(ports, b.id, day)]);
      expect([...(x ?? []), ...(y ?? [])].map((p) => p.amount)).toEqual([9990]);
      expect(await runDailyPayouts(ports, b.id, day)).toEqual([]);
      expect((await payoutItems(a.id)).length).toBe(2);
      expect((await payoutItems(b.id)).map((p) => p.amount)).toEqual([9990]);
      // B's payout: the item, its day claim and its event; nothing else was written.
      expect(await aws.countItems()).toBe(before + 3);
    });

    it("does nothing for a day without transactions or for a Stripe merchant", async () => {
      expect(await runDailyPayouts(ports, a.id, "2026-04-01")).toEqual([]);
      await write(a.id, "2026-05-12", [["charge", "USD", 100, 3]]);
      const stripeMerchant: PayoutPorts = {
        ...ports,
        merchants: {
          readMerchant: async (id) => {
            const found = await dynamoMerchantStore.readMerchant(id);
            return found && { ...found, value: { ...found.value, processor: "stripe" as const } };
          },
        },
      };
      expect(await runDailyPayouts(stripeMerchant, a.id, "2026-05-12")).toEqual([]);
      expect(await handlePayoutRun(stripeMerchant, { kind: "payouts.run", merchantId: a.id, date: "2026-05-12" })).toMatchObject({ created: [] });
      expect((await payoutItems(a.id)).length).toBe(2);
    });

    it("records a day whose net is not positive as skipped, with a payout.skipped event and no payout.paid", async () => {
      await write(b.id, "2026-05-10", [
        ["charge", "EUR", 300, 30],
        ["refund", "EUR", -300],
      ]);
      const [skipped] = await runDailyPayouts(ports, b.id, "2026-05-10");
      expect(skipped).toMatchObject({ currency: "EUR", amount: -30, status: "skipped" });
      expect(skipped).not.toHaveProperty("arrivalDate");
      expect((await eventsOf(b.id, "payout.skipped")).map((e) => e.objectId)).toEqual([skipped?.id]);
    });
  });

  describe("the chain of runs", () => {
    it("pays out the day that ended and schedules the next day's run at the merchant's next midnight", async () => {
      const m = await newMerchant("Payout Chain");
      await call(settingsHandler as Handler, "PATCH /v1/merchant", { token: m.secret, body: { timeZone: zone } });
      await write(m.id, day, [["charge", "USD", 2000, 88]]);

      const result = await handlePayoutRun(ports, { kind: "payouts.run", merchantId: m.id, date: day });
      expect(result.created.map((p) => [p.date, p.amount])).toEqual([[day, 1912]]);
      const next = await schedule(`payouts-${m.id}-2026-05-15`);
      expect(next).toMatchObject({
        fireAt: new Date(startOfLocalDay("2026-05-16", zone).getTime() + 5 * 60_000).toISOString(),
        queue: "billing",
        payload: { kind: "payouts.run", merchantId: m.id, date: "2026-05-15" },
      });
      expect(next?.fireAt).toBe("2026-05-16T04:05:00.000Z");

      // A redelivery changes nothing.
      const again = await handlePayoutRun(ports, { kind: "payouts.run", merchantId: m.id, date: day });
      expect(again.created).toEqual([]);
      expect(again.scheduled?.name).toBe(`payouts-${m.id}-2026-05-15`);
    });

    it("catches up days a late run missed, and defers a run that arrives before the day ended", async () => {
      const m = await newMerchant("Payout Late");
      await call(settingsHandler as Handler, "PATCH /v1/merchant", { token: m.secret, body: { timeZone: zone } });
      await write(m.id, "2026-05-12", [["charge", "USD", 100, 3]]);
      await write(m.id, "2026-05-13", [["charge", "USD", 200, 6]]);
      const late = await handlePayoutRun(ports, { kind: "payouts.run", merchantId: m.id, date: "2026-05-12" });
      expect(late.created.map((p) => [p.date, p.amount])).toEqual([
        ["2026-05-12", 97],
        ["2026-05-13", 194],
      ]);
      expect(late.scheduled?.name).toBe(`payouts-${m.id}-2026-05-15`);

      const early = await handlePayoutRun(ports, { kind: "payouts.run", merchantId: m.id, date: "2026-05-15" });
      expect(early.created).toEqual([]);
      expect(await schedule(`payouts-${m.id}-2026-05-15-deferred`)).toMatchObject({ fireAt: "2026-05-16T04:05:00.000Z" });
    });
  });

  describe("the API", () => {
    it("lists payouts newest first with filters, shows one with its transactions, and walls it from other merchants", async () => {
      const list = await api("GET /v1/payouts", a);
      expect(list.status).toBe(200);
      expect(list.body.data.map((p: { currency: string }) => p.currency).sort()).toEqual(["JPY", "USD"]);
      expect(list.body.data[0]).not.toHaveProperty("balanceTransactions");
      const ids = list.body.data.map((p: { id: string }) => p.id);
      expect([...ids].sort().reverse()).toEqual(ids);

      const usd = await api("GET /v1/payouts", a, { query: { currency: "usd", status: "paid" } });
      expect(usd.body.data).toEqual([expect.objectContaining({ currency: "USD", amount: 2293, balanceTransactionCount: 5 })]);
      expect((await api("GET /v1/payouts", a, { query: { status: "failed" } })).body.data).toEqual([]);
      // (Ids are monotonic ULIDs, so their time may be the wall clock's rather than the test clock's.)
      expect((await api("GET /v1/payouts", a, { query: { createdAfter: "2099-01-01T00:00:00Z" } })).body.data).toEqual([]);
      expect((await api("GET /v1/payouts", a, { query: { createdBefore: "2001-01-01T00:00:00Z" } })).body.data).toEqual([]);
      expect((await api("GET /v1/payouts", a, { query: { createdAfter: "2001-01-01T00:00:00Z" } })).body.data).toHaveLength(2);

      const paged = await api("GET /v1/payouts", a, { query: { limit: "1" } });
      expect(paged.body.data).toHaveLength(1);
      const rest = await api("GET /v1/payouts", a, { query: { limit: "1", cursor: paged.body.nextCursor } });
      expect([...paged.body.data, ...rest.body.data].map((p: { id: string }) => p.id)).toEqual(ids);

      const id = usd.body.data[0].id;
      const one = await api("GET /v1/payouts/{id}", a, { id });
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ id, amount: 2293, date: day });
      expect(one.body.balanceTransactions.map((t: { kind: string; net: number }) => [t.kind, t.net])).toEqual([
        ["charge", 941],
        ["charge", 2397],
        ["charge", 455],
        ["refund", -500],
        ["dispute", -1000],
      ]);

      const walled = await api("GET /v1/payouts/{id}", b, { id });
      expect(walled.status).toBe(404);
      expect((await api("GET /v1/payouts", b, { query: { limit: "100" } })).body.data.map((p: { id: string }) => p.id)).not.toContain(id);
      expect((await api("GET /v1/payouts", a, { query: { status: "nope" } })).status).toBe(400);
    });
  });

  describe("Stripe payouts", () => {
    const stripePayout = (overrides: Partial<Stripe.Payout> = {}) =>
      ({
        id: "po_1StripeTest",
        object: "payout",
        amount: 123_45,
        currency: "usd",
        arrival_date: Date.UTC(2026, 4, 18) / 1000,
        created: Date.UTC(2026, 4, 15, 3, 0) / 1000,
        status: "paid",
        failure_code: null,
        failure_message: null,
        ...overrides,
      }) as Stripe.Payout;

    it("keeps one record per Stripe payout id; a later failure fails it, a stale paid does not revive it", async () => {
      const m = await newMerchant("Payout Stripe");
      await call(settingsHandler as Handler, "PATCH /v1/merchant", { token: m.secret, body: { timeZone: zone } });
      const first = await recordStripePayout(ports, m.id, stripePayout(), "paid");
      const second = await recordStripePayout(ports, m.id, stripePayout(), "paid");
      expect(second).toEqual(first);
      expect(first).toMatchObject({
        currency: "USD",
        amount: 12345,
        status: "paid",
        source: "stripe",
        processorPayoutId: "po_1StripeTest",
        arrivalDate: "2026-05-18",
        date: "2026-05-14", // 03:00 UTC on the 15th is still the 14th in New York
      });
      expect(await payoutItems(m.id)).toHaveLength(1);

      const failed = await recordStripePayout(ports, m.id, stripePayout({ status: "failed", failure_code: "account_closed", failure_message: "The bank account has been closed" }), "failed");
      expect(failed).toMatchObject({ id: first?.id, status: "failed", failure: { code: "account_closed" } });
      expect(await recordStripePayout(ports, m.id, stripePayout(), "paid")).toMatchObject({ status: "failed" });
      expect(await payoutItems(m.id)).toHaveLength(1);
      expect((await eventsOf(m.id, "payout.paid")).length).toBe(1);
      expect((await eventsOf(m.id, "payout.failed")).length).toBe(1);

      const [concurrentA, concurrentB] = await Promise.all([
        recordStripePayout(ports, m.id, stripePayout({ id: "po_2StripeTest" }), "paid"),
        recordStripePayout(ports, m.id, stripePayout({ id: "po_2StripeTest" }), "paid"),
      ]);
      expect(concurrentA?.id).toBe(concurrentB?.id);
      expect(await payoutItems(m.id)).toHaveLength(2);
    });

    it("takes livemode from Stripe's payout, for the record and its event", async () => {
      const m = await newMerchant("Payout Live");
      const live = await recordStripePayout(ports, m.id, stripePayout({ id: "po_live", livemode: true }), "paid");
      const test = await recordStripePayout(ports, m.id, stripePayout({ id: "po_test", livemode: false }), "paid");
      expect([live?.livemode, test?.livemode]).toEqual([true, false]);
      const events = await eventsOf(m.id, "payout.paid");
      expect(Object.fromEntries(events.map((e) => [e.objectId, e.livemode]))).toEqual({
        [live?.id ?? ""]: true,
        [test?.id ?? ""]: false,
      });
      const shown = await api("GET /v1/payouts/{id}", m, { id: live?.id ?? "" });
      expect(shown.body.livemode).toBe(true);
    });

    it("reads a payout written before payouts carried livemode as livemode false", async () => {
      const m = await newMerchant("Payout Old");
      const recorded = await recordStripePayout(ports, m.id, stripePayout({ id: "po_old", livemode: true }), "paid");
      const [item] = await payoutItems(m.id);
      const { livemode: _, ...before } = item ?? {};
      await aws.db.send(new PutCommand({ TableName: aws.tableName, Item: before }));
      expect(Object.keys((await payoutItems(m.id))[0] ?? {})).not.toContain("livemode");

      expect((await api("GET /v1/payouts/{id}", m, { id: recorded?.id ?? "" })).body.livemode).toBe(false);
      expect((await api("GET /v1/payouts", m)).body.data).toEqual([expect.objectContaining({ livemode: false })]);
    });
  });

  describe("the payout email", () => {
    it("mails the merchant the day's summary once on payout.paid", async () => {
      const [event] = await eventsOf(a.id, "payout.paid").then((es) => es.filter((e) => e.data.payout.currency === "USD"));
      expect(event).toBeDefined();
      const sample = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json");
      const body = { id: event?.id, type: event?.eventType, merchantId: event?.merchantId, objectId: event?.objectId, occurredAt: event?.occurredAt, data: event?.data };
      const record = { ...sample.Records[0], body: JSON.stringify(body) } as SQSEvent["Records"][number];
      expect(await notificationsHandler({ Records: [record] })).toEqual({ batchItemFailures: [] });
      expect(await notificationsHandler({ Records: [record] })).toEqual({ batchItemFailures: [] });

      const merchant = await dynamoMerchantStore.readMerchant(a.id);
      const mails = await aws.mailTo(merchant?.value.email ?? "");
      const payoutMails = mails.filter((mail) => mail.subject.includes("Payout of"));
      expect(payoutMails).toHaveLength(1);
      expect(payoutMails[0]?.subject).toBe("[TEST MODE] Payout of $22.93 for May 14, 2026");
      expect(payoutMails[0]?.body.text).toContain("TEST MODE: this payout is simulated.");
      expect(payoutMails[0]?.body.text).toContain("Charges: 3 charges, $40.00.");
      expect(payoutMails[0]?.body.text).toContain("Disputes: 1 lost dispute, -$10.00.");
    });
  });
});
