/**
 * Payouts against DynamoDB Local: a run pays out each currency of a merchant's local day once (even
 * when it fires twice, or twice at once), only that day's and that merchant's transactions; the run
 * chains the next day's schedule at the merchant's midnight before its day's work, and a sweep
 * re-seeds a chain that died; the API lists and walls payouts and pages a payout's balance
 * transactions, even for a day of 5,000; Stripe payouts are recorded once per Stripe payout;
 * payout.paid mails the merchant its summary.
 */
import type { ExtraWrite } from "../../shared/store/collection.ts";
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { SQSEvent } from "aws-lambda";
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as settingsHandler } from "../../functions/api/merchant-settings.ts";
import { billingTimers, handler as billingHandler } from "../../functions/billing/timers.ts";
import { handler as payoutsHandler } from "../../functions/api/payouts.ts";
import { handler as notificationsHandler } from "../../functions/notifications/send.ts";
import { sesMailer } from "../../shared/aws/mailer.ts";
import { localScheduleGroup, tableScheduler } from "../../shared/aws/scheduler.ts";
import { startOfLocalDay } from "../../shared/domain/calendar.ts";
import { type Clock, fixedClock } from "../../shared/domain/clock.ts";
import { newId } from "../../shared/domain/ids.ts";
import { type BalanceTransaction, type BalanceType, balanceTransaction } from "../../shared/payments/balance.ts";
import {
  handlePayoutRun,
  type PayoutPorts,
  type PayoutSweepPorts,
  recordStripePayout,
  runDailyPayouts,
  startPayoutChain,
  sweepPayoutChains,
} from "../../shared/payouts/run.ts";
import { transact } from "../../shared/store/collection.ts";
import { billingTimerPorts, paymentPorts, sandboxFor } from "../../shared/composition.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { dynamoPaymentStore } from "../../shared/store/payments.ts";
import { dynamoPayoutStore } from "../../shared/store/payouts.ts";
import { once } from "../../shared/store/processed.ts";
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
const portsAt = (at: Clock): PayoutSweepPorts => ({ payouts: dynamoPayoutStore, merchants: dynamoMerchantStore, scheduler: tableScheduler, clock: at });
const ports = portsAt(clock);

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

/** The merchant's pending payout runs (the local scheduler's items), by name. */
const payoutSchedulesOf = async (merchantId: string) =>
  (await aws.scanAll())
    .filter((i) => i.type === "schedule" && String(i.name).startsWith(`payouts-${merchantId}-`))
    .map((i) => ({ name: i.name, fireAt: i.fireAt }));

const chainMarker = async (merchantId: string) =>
  (await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: keys.payoutChain(merchantId), ConsistentRead: true }))).Item;

const billingRecord = (body: unknown) =>
  ({ ...sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json").Records[0], body: JSON.stringify(body) }) as SQSEvent["Records"][number];

const inZone = async (name: string) => {
  const m = await newMerchant(name);
  const r = await call(settingsHandler as Handler, "PATCH /v1/merchant", { token: m.secret, body: { timeZone: zone } });
  expect(r.status).toBe(200);
  return m;
};

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

    it("creates one payout per currency with the day's net and counts its transactions", async () => {
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
        balanceTransactionCount: usdTxns.length,
      });
      expect(usd?.id).toMatch(/^po_/);
      expect(created.find((p) => p.currency === "JPY")?.balanceTransactionCount).toBe(jpyTxns.length);

      const stored = await dynamoPayoutStore.read(a.id, usd?.id ?? "");
      expect(stored?.value).toEqual(usd);
      const paid = await eventsOf(a.id, "payout.paid");
      expect(paid.map((e) => e.objectId).sort()).toEqual(created.map((p) => p.id).sort());
      expect(paid.find((e) => e.objectId === usd?.id)?.data.payout).toEqual(usd);
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

  describe("a negative day carried forward", () => {
    it("carries a shortfall into the currency's next payout, once, and clears it when paid", async () => {
      const m = await inZone("Payout Carry");
      await write(m.id, "2026-05-01", [["refund", "USD", -500], ["charge", "EUR", 1_000, 59]]);
      await write(m.id, "2026-05-03", [["charge", "USD", 300, 39], ["refund", "USD", -100]]);
      await write(m.id, "2026-05-04", [["charge", "USD", 2_000, 88]]);
      await write(m.id, "2026-05-05", [["charge", "USD", 1_000, 59]]);

      const first = await runDailyPayouts(ports, m.id, "2026-05-01");
      expect(first.map((p) => [p.currency, p.status, p.amount, p.carriedIn])).toEqual([
        ["EUR", "paid", 941, 0],
        ["USD", "skipped", -500, 0],
      ]);
      // A day without USD transactions makes no payout: the shortfall waits.
      expect(await runDailyPayouts(ports, m.id, "2026-05-02")).toEqual([]);
      // Still not positive with the shortfall: skipped again, the sum carried on.
      const [third] = await runDailyPayouts(ports, m.id, "2026-05-03");
      expect(third).toMatchObject({ status: "skipped", amount: 161 - 500, carriedIn: -500 });
      // Two runs of the next day at once: one payout, the carry taken once.
      const racing = await Promise.all([runDailyPayouts(ports, m.id, "2026-05-04"), runDailyPayouts(ports, m.id, "2026-05-04")]);
      expect(racing.flat().map((p) => [p.status, p.amount, p.carriedIn])).toEqual([["paid", 1_912 - 339, -339]]);
      const [fifth] = await runDailyPayouts(ports, m.id, "2026-05-05");
      expect(fifth).toMatchObject({ status: "paid", amount: 941, carriedIn: 0 });
      // Paid out = every USD transaction's net, exactly.
      const usd = (await payoutItems(m.id)).filter((p) => p.currency === "USD" && p.status === "paid");
      expect(usd.reduce((sum, p) => sum + Number(p.amount), 0)).toBe(-500 + 161 + 1_912 + 941);
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

    it("schedules the next run before the day's work, so a day that fails is retried and the chain goes on", async () => {
      const m = await inZone("Payout Failing Day");
      await write(m.id, day, [["charge", "USD", 3000, 90]]);
      const broken: PayoutPorts = {
        ...ports,
        payouts: {
          ...dynamoPayoutStore,
          balanceTransactionsOfDay: async () => {
            throw new Error("DynamoDB is having a bad day");
          },
        },
      };
      const run = { kind: "payouts.run", merchantId: m.id, date: day } as const;
      await expect(handlePayoutRun(broken, run)).rejects.toThrow("a bad day");
      // The message fails (and is retried), yet tomorrow's run is already there.
      expect(await schedule(`payouts-${m.id}-2026-05-15`)).toMatchObject({ fireAt: "2026-05-16T04:05:00.000Z", payload: { date: "2026-05-15" } });
      expect(await chainMarker(m.id)).toMatchObject({ date: "2026-05-15", runAt: "2026-05-16T04:05:00.000Z" });
      expect(await payoutItems(m.id)).toEqual([]);

      // The redelivery pays the day out: it was not lost.
      const retried = await handlePayoutRun(ports, run);
      expect(retried.created.map((p) => [p.date, p.amount])).toEqual([[day, 2910]]);
      expect(await payoutSchedulesOf(m.id)).toHaveLength(1);
    });

    it("on the billing queue: a run whose day fails is a batch failure (retried) with the next run scheduled; the sweep message seeds missing chains", async () => {
      const m = await inZone("Payout Queue");
      await write(m.id, day, [["charge", "USD", 500, 20]]);
      const failing = billingTimers(() => ({
        ...billingTimerPorts(clock),
        invoices: dynamoInvoiceStore,
        merchants: dynamoMerchantStore,
        mailer: sesMailer,
        scheduler: () => tableScheduler,
        once,
        sandbox: () => sandboxFor(clock),
        payouts: () => ({ ...ports, payouts: { ...dynamoPayoutStore, createDaily: async () => { throw new Error("throttled"); } } }),
        payments: () => paymentPorts(clock),
        subscriptionTimers: undefined as never,
        clock,
      }));
      const run = billingRecord({ kind: "payouts.run", merchantId: m.id, date: day });
      expect(await failing({ Records: [run] })).toEqual({ batchItemFailures: [{ itemIdentifier: run.messageId }] });
      expect(await payoutSchedulesOf(m.id)).toEqual([{ name: `payouts-${m.id}-2026-05-15`, fireAt: "2026-05-16T04:05:00.000Z" }]);
      expect(await payoutItems(m.id)).toEqual([]);

      // A merchant whose chain never started (its merchant.created was lost) is seeded by the sweep.
      const orphan = await inZone("Payout Orphan");
      expect(await chainMarker(orphan.id)).toBeUndefined();
      expect(await billingHandler({ Records: [billingRecord({ kind: "payouts.sweep" })] })).toEqual({ batchItemFailures: [] });
      expect(await chainMarker(orphan.id)).toBeDefined();
      expect(await payoutSchedulesOf(orphan.id)).toHaveLength(1);
    });

    it("a daily sweep re-seeds a chain that died, once however often it fires, and leaves a live chain alone", async () => {
      const [dead, live] = await Promise.all([inZone("Payout Dead Chain"), inZone("Payout Live Chain")]);
      // The dead chain last scheduled the run for the 13th; that run fired and its message died in
      // the DLQ before it could schedule the next: its schedule is gone, its marker stays behind.
      const the13th = fixedClock(new Date("2026-05-13T16:00:00Z"));
      await startPayoutChain(portsAt(the13th), dead.id);
      await aws.db.send(new DeleteCommand({ TableName: aws.tableName, Key: keys.schedule(localScheduleGroup, `payouts-${dead.id}-2026-05-13`) }));
      await write(dead.id, "2026-05-13", [["charge", "USD", 1000, 30]]);
      await write(dead.id, "2026-05-14", [["charge", "USD", 2000, 60]]);
      await startPayoutChain(ports, live.id);
      const liveBefore = await payoutSchedulesOf(live.id);
      expect(liveBefore).toEqual([{ name: `payouts-${live.id}-2026-05-15`, fireAt: "2026-05-16T04:05:00.000Z" }]);

      const sweepAt = fixedClock(new Date("2026-05-15T06:00:00Z"));
      const reseeded = await sweepPayoutChains(portsAt(sweepAt));
      expect(reseeded).toContain(dead.id);
      expect(reseeded).not.toContain(live.id);
      // The run of the day the chain stopped at, a minute from now.
      const reseed = { name: `payouts-${dead.id}-2026-05-13`, fireAt: "2026-05-15T06:01:00.000Z" };
      expect(await payoutSchedulesOf(dead.id)).toEqual([reseed]);
      expect(await payoutSchedulesOf(live.id)).toEqual(liveBefore);

      // The sweep fires again before the re-seeded run did: still one run for the dead chain.
      await sweepPayoutChains(portsAt(sweepAt));
      expect(await payoutSchedulesOf(dead.id)).toEqual([reseed]);

      // The re-seeded run is delivered twice: it catches up both days, once, and continues the chain.
      const message = (await schedule(reseed.name))?.payload;
      const first = await handlePayoutRun(ports, message);
      const second = await handlePayoutRun(ports, message);
      expect(first.created.map((p) => [p.date, p.amount])).toEqual([
        ["2026-05-13", 970],
        ["2026-05-14", 1940],
      ]);
      expect(second.created).toEqual([]);
      expect(await payoutItems(dead.id)).toHaveLength(2);
      expect(await chainMarker(dead.id)).toMatchObject({ date: "2026-05-15" });

      // Alive again, the chain is left alone by the next sweep.
      expect(await sweepPayoutChains(portsAt(fixedClock(new Date("2026-05-15T12:00:00Z"))))).not.toContain(dead.id);
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
      expect(one.body).toMatchObject({ id, amount: 2293, date: day, balanceTransactionCount: 5 });
      expect(one.body).not.toHaveProperty("balanceTransactions");
      // Its day's transactions in its currency (not JPY, not the days around it), oldest first.
      const txns = await api("GET /v1/payouts/{id}/balance-transactions", a, { id });
      expect(txns.status).toBe(200);
      expect(txns.body.nextCursor).toBeNull();
      expect(txns.body.data.map((t: { kind: string; net: number; currency: string }) => [t.kind, t.net, t.currency])).toEqual([
        ["charge", 941, "USD"],
        ["charge", 2397, "USD"],
        ["charge", 455, "USD"],
        ["refund", -500, "USD"],
        ["dispute", -1000, "USD"],
      ]);

      const walled = await api("GET /v1/payouts/{id}", b, { id });
      expect(walled.status).toBe(404);
      expect((await api("GET /v1/payouts/{id}/balance-transactions", b, { id })).status).toBe(404);
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
      // Stripe batches its own balance: no Kassa balance transactions make it up.
      const txns = await api("GET /v1/payouts/{id}/balance-transactions", m, { id: first?.id ?? "" });
      expect(txns.body).toEqual({ data: [], nextCursor: null });

      const failed = await recordStripePayout(ports, m.id, stripePayout({ status: "failed", failure_code: "account_closed", failure_message: "The bank account has been closed" }), "failed");
      expect(failed).toMatchObject({ id: first?.id, status: "failed", failure: { code: "account_closed", afterPaid: true } });
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

      // A payout that fails before it was ever paid: nothing left the balance, nothing came back.
      const neverPaid = await recordStripePayout(ports, m.id, stripePayout({ id: "po_3StripeTest", status: "failed", failure_code: "no_account" }), "failed");
      expect(neverPaid).toMatchObject({ status: "failed", failure: { code: "no_account", afterPaid: false } });
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

  describe("a busy day", () => {
    const count = 5_000;
    let m: Merchant;
    let usd: BalanceTransaction[];

    beforeAll(async () => {
      m = await inZone("Payout Busy Day");
      const now = clock.now();
      // 5,000 USD transactions (every 10th a refund, every 50th a lost dispute) and two in EUR.
      usd = Array.from({ length: count }, (_, i) => {
        const kind: BalanceType = i % 50 === 49 ? "dispute" : i % 10 === 9 ? "refund" : "charge";
        const amount = kind === "charge" ? 1000 + i : -(100 + (i % 300));
        const fee = kind === "charge" ? 29 + (i % 13) : 0;
        return balanceTransaction(newId("balanceTransaction", now), kind, { id: newId("payment", now), currency: "USD" }, amount, fee, day, now);
      });
      const eur = [1, 2].map(() => balanceTransaction(newId("balanceTransaction", now), "charge", { id: newId("payment", now), currency: "EUR" }, 700, 20, day, now));
      const items = [...usd, ...eur].map((t) => (dynamoPaymentStore.balanceWrite(m.id, t) as unknown as ExtraWrite).item.Put?.Item);
      const batches = Array.from({ length: Math.ceil(items.length / 25) }, (_, i) => items.slice(i * 25, i * 25 + 25));
      for (let i = 0; i < batches.length; i += 8) {
        await Promise.all(
          batches.slice(i, i + 8).map(async (batch) => {
            let pending = { [aws.tableName]: batch.map((Item) => ({ PutRequest: { Item } })) };
            while (Object.keys(pending).length > 0) {
              const out = await aws.db.send(new BatchWriteCommand({ RequestItems: pending }));
              pending = (out.UnprocessedItems ?? {}) as typeof pending;
            }
          }),
        );
      }
    });

    it("pays out 5,000 transactions as one payout of totals, well under DynamoDB's 400 KB item limit", async () => {
      const created = await runDailyPayouts(ports, m.id, day);
      expect(created.map((p) => p.currency)).toEqual(["EUR", "USD"]);
      const payout = created.find((p) => p.currency === "USD");
      const sum = (ts: BalanceTransaction[], f: (t: BalanceTransaction) => number) => ts.reduce((s, t) => s + f(t), 0);
      const of = (kind: BalanceType) => usd.filter((t) => t.kind === kind);
      expect(payout).toMatchObject({
        amount: sum(usd, (t) => t.net),
        grossAmount: sum(of("charge"), (t) => t.amount),
        feeTotal: sum(usd, (t) => t.fee),
        refundTotal: -sum(of("refund"), (t) => t.amount),
        disputeTotal: -sum(of("dispute"), (t) => t.amount),
        chargeCount: of("charge").length,
        refundCount: of("refund").length,
        disputeCount: of("dispute").length,
        balanceTransactionCount: count,
        status: "paid",
      });
      const { Item } = await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: keys.merchantObject(m.id, payout?.id ?? ""), ConsistentRead: true }));
      expect(Item).toBeDefined();
      expect(Object.values(Item ?? {}).some(Array.isArray), "the stored payout holds no per-transaction list").toBe(false);
      expect(Buffer.byteLength(JSON.stringify(Item))).toBeLessThan(2_000);
      expect(await runDailyPayouts(ports, m.id, day)).toEqual([]);
    });

    it("pages the payout's 5,000 balance transactions, each exactly once, oldest first", async () => {
      const [payout] = (await api("GET /v1/payouts", m, { query: { currency: "USD" } })).body.data;
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r = await api("GET /v1/payouts/{id}/balance-transactions", m, { id: payout.id, query: { limit: "100", ...(cursor ? { cursor } : {}) } });
        expect(r.status, r.raw).toBe(200);
        expect(r.body.data.length).toBeLessThanOrEqual(100);
        seen.push(...r.body.data.map((t: { id: string; currency: string }) => t.id));
        cursor = r.body.nextCursor;
        pages++;
      } while (cursor);
      expect(pages).toBe(count / 100);
      expect(seen).toEqual(usd.map((t) => t.id));

      // A cursor belongs to its payout's list: another payout's (the day's EUR payout) refuses it.
      const first = await api("GET /v1/payouts/{id}/balance-transactions", m, { id: payout.id, query: { limit: "10" } });
      const [eur] = (await api("GET /v1/payouts", m, { query: { currency: "EUR" } })).body.data;
      const elsewhere = await api("GET /v1/payouts/{id}/balance-transactions", m, { id: eur.id, query: { limit: "10", cursor: first.body.nextCursor } });
      expect(elsewhere.status).toBe(400);
      expect((await api("GET /v1/payouts/{id}/balance-transactions", m, { id: payout.id, query: { limit: "101" } })).status).toBe(400);
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
