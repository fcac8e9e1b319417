/**
 * The ledger through the real outbox (stream → dispatcher → ledger queue → consumer) against
 * DynamoDB Local: a merchant's invoices (tax, a discount, a fee), a void, partial payments (by hand,
 * then by card with the sandbox's fee), a refund, a lost dispute, an uncollectible invoice, a credit
 * balance earned and spent, and three payout days (paid, skipped with its shortfall carried, paid).
 * After every step the trial balance sums to zero; processor_balance always equals the net of the
 * balance transactions not yet paid out, and ends at zero once every day is paid out; entries link
 * their sources, read by account, day range and as CSV; redelivery posts nothing twice; another
 * merchant sees none of it.
 */
import { randomUUID } from "node:crypto";
import type { SQSEvent } from "aws-lambda";
import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as ledgerApi } from "../../functions/api/ledger.ts";
import { handler as taxRatesHandler } from "../../functions/api/tax-rates.ts";
import { handler as ledgerConsumer } from "../../functions/ledger/run.ts";
import type { Poller } from "../../infra/local/sqs-poller.ts";
import { tableScheduler } from "../../shared/aws/scheduler.ts";
import { invoicePorts, paymentPorts } from "../../shared/composition.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import type { LedgerEntry } from "../../shared/ledger/entry.ts";
import type { PricedLineRequest } from "../../shared/invoices/build.ts";
import { payInvoice } from "../../shared/invoices/pay.ts";
import { createInvoice } from "../../shared/invoices/service.ts";
import { updateMerchant } from "../../shared/merchants/service.ts";
import { applyDispute } from "../../shared/payments/disputes.ts";
import { refundPayment } from "../../shared/payments/refunds.ts";
import { recordStripePayout, runDailyPayouts } from "../../shared/payouts/run.ts";
import { ledgerEntriesBetween } from "../../shared/store/ledger.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { outboxEventFromItem } from "../../shared/store/outbox.ts";
import { dynamoPayoutStore } from "../../shared/store/payouts.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { eventually, type TestAws, useTestAws } from "../helpers/aws.ts";
import { consumeQueue, dispatchedQueues, dispatchFromStream } from "../helpers/pipeline.ts";

let aws: TestAws;
let shop: TestMerchant;
let other: TestMerchant;
let taxRateId: string;
const pollers: Poller[] = [];
const at = (iso: string) => fixedClock(new Date(iso));

const api = (handler: unknown, routeKey: string, options?: Parameters<typeof merchantCall>[3]) =>
  merchantCall(handler, routeKey, shop.secret, options);
const newCustomer = async (): Promise<string> =>
  (await expectStatus(api(customersHandler, "POST /v1/customers", { body: { email: `${randomUUID().slice(0, 8)}@ledger.test` } }), 201)).id;
const draft = async (customerId: string, body: object = {}, unitAmount = 0) =>
  expectStatus(
    api(invoicesHandler, "POST /v1/invoices", {
      body: { customerId, currency: "USD", lineItems: [{ description: "Work", unitAmount }], ...body },
    }),
    201,
  );
const finalize = async (id: string) => expectStatus(api(invoicesHandler, "POST /v1/invoices/{id}/finalize", { id }));
const invoiceOf = async (customerId: string, unitAmount: number, body: object = {}) =>
  finalize((await draft(customerId, body, unitAmount)).id);
const act = (id: string, action: string) => expectStatus(api(invoicesHandler, `POST /v1/invoices/{id}/${action}`, { id }));
const payByCard = async (invoiceId: string, iso: string) => {
  const { payment } = await payInvoice(paymentPorts(at(iso)), shop.id, invoiceId, "pm_card_visa");
  expect(payment.status).toBe("succeeded");
  return payment;
};
const payouts = (date: string) =>
  runDailyPayouts(
    { payouts: dynamoPayoutStore, merchants: dynamoMerchantStore, scheduler: tableScheduler, clock: at("2026-11-20T00:00:00Z") },
    shop.id,
    date,
  );

const entriesOf = async (m: TestMerchant, query: Record<string, string> = {}): Promise<LedgerEntry[]> => {
  const all: LedgerEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await expectStatus(
      merchantCall(ledgerApi, "GET /v1/ledger/entries", m.secret, { query: { limit: "100", ...query, ...(cursor ? { cursor } : {}) } }),
    );
    all.push(...page.data);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return all;
};
type Row = { account: string; currency: string; debit: number; credit: number; balance: number };
const balances = async (m: TestMerchant = shop): Promise<Row[]> =>
  (await expectStatus(merchantCall(ledgerApi, "GET /v1/ledger/balances", m.secret))).data;
const balanceOf = (rows: Row[], account: string) => rows.find((r) => r.account === account)?.balance ?? 0;

/** The balance transactions' net not yet paid out: Σ of every transaction − Σ paid payouts. */
async function unpaidNet(): Promise<number> {
  const items = (await aws.scanAll()).filter((i) => i.PK === `MERCHANT#${shop.id}`);
  const moved = items.filter((i) => i.type === "balanceTransaction").reduce((s, t) => s + Number(t.net), 0);
  const paid = items
    .filter((i) => i.type === "payout" && i.status === "paid")
    .reduce((s, p) => s + Number(p.amount), 0);
  return moved - paid;
}

let posted = 0;
/**
 * Waits until the consumer has posted `more` new entries, then checks the trial balance: per
 * currency Σ debits = Σ credits over the running totals, and the entries agree with them.
 */
async function step(more: number): Promise<Row[]> {
  posted += more;
  const entries = await eventually(async () => {
    const found = await entriesOf(shop);
    return found.length === posted ? found : undefined;
  }, 30_000);
  const rows = await balances();
  for (const currency of new Set(rows.map((r) => r.currency))) {
    const of = rows.filter((r) => r.currency === currency);
    expect(of.reduce((s, r) => s + r.balance, 0), currency).toBe(0);
    expect(of.reduce((s, r) => s + r.debit, 0)).toBe(of.reduce((s, r) => s + r.credit, 0));
  }
  for (const entry of entries)
    expect(entry.lines.reduce((s, l) => s + l.debit - l.credit, 0), entry.id).toBe(0);
  // The running totals are the entries' lines summed.
  const summed: Record<string, number> = {};
  for (const entry of entries)
    for (const l of entry.lines) summed[l.account] = (summed[l.account] ?? 0) + l.debit - l.credit;
  expect(Object.fromEntries(rows.filter((r) => r.balance !== 0).map((r) => [r.account, r.balance]))).toEqual(
    Object.fromEntries(Object.entries(summed).filter(([, v]) => v !== 0)),
  );
  return rows;
}

const ids: Record<string, string> = {};
const fees: number[] = [];

describe("the ledger", { timeout: 90_000 }, () => {
  beforeAll(async () => {
    aws = await useTestAws(["stripe-events", ...dispatchedQueues]);
    pollers.push(await dispatchFromStream(aws));
    pollers.push(await consumeQueue(aws, "ledger", "ledger"));
    [shop, other] = await Promise.all([newMerchant("Ledger Shop"), newMerchant("Ledger Other")]);
    await updateMerchant({ store: dynamoMerchantStore, clock: at("2026-11-01T00:00:00Z") }, shop.id, { timeZone: "UTC" });
    taxRateId = (
      await expectStatus(api(taxRatesHandler, "POST /v1/tax-rates", { body: { name: "Sales tax", percentage: 10, inclusive: false } }), 201)
    ).id;
    for (const name of ["ann", "ben", "cat", "dan", "eve", "fay"]) ids[name] = await newCustomer();
  }, 60_000);

  afterAll(async () => {
    await Promise.all(pollers.splice(0).map((p) => p.stop()));
  });

  it("books a finalized invoice: receivable against revenue before discount, tax and fees income", async () => {
    const a = await invoiceOf(ids.ann!, 10_000, {
      lineItems: [{ description: "Work", unitAmount: 10_000, taxRateIds: [taxRateId] }],
      discounts: [{ percentOff: 10 }],
      fees: [{ description: "Handling", amount: 500 }],
    });
    expect(a).toMatchObject({ subtotal: 10_000, discountTotal: 1_000, taxTotal: 900, feeTotal: 500, total: 10_400 });
    ids.a = a.id;
    await step(1);
    const [entry] = await entriesOf(shop);
    expect(entry).toMatchObject({ currency: "USD", livemode: false, source: { object: "invoice", id: a.id } });
    expect(entry?.lines).toEqual([
      { account: "accounts_receivable", debit: 10_400, credit: 0 },
      { account: "revenue", debit: 0, credit: 10_000 },
      { account: "tax_payable", debit: 0, credit: 900 },
      { account: "discounts", debit: 1_000, credit: 0 },
      { account: "fees_income", debit: 0, credit: 500 },
    ]);
  });

  it("reverses a voided invoice", async () => {
    const b = await invoiceOf(ids.ben!, 5_000);
    await act(b.id, "void");
    const rows = await step(2);
    // Only A is still receivable; B's revenue is gone.
    expect(balanceOf(rows, "accounts_receivable")).toBe(10_400);
    expect(balanceOf(rows, "revenue")).toBe(-10_000);
  });

  it("books partial payments: by hand to the bank, the rest by card to the processor with its fee", async () => {
    await expectStatus(
      api(invoicesHandler, "POST /v1/invoices/{id}/payments", { id: ids.a, body: { amount: 3_000, method: "bank_transfer" } }),
      201,
    );
    await step(1);
    const card = await payByCard(ids.a!, "2026-11-02T10:00:00Z");
    expect(card.amount).toBe(7_400);
    fees.push(card.fee);
    const rows = await step(2);
    expect(balanceOf(rows, "accounts_receivable")).toBe(0);
    expect(balanceOf(rows, "bank")).toBe(3_000);
    expect(balanceOf(rows, "processor_fees")).toBe(card.fee);
    expect(balanceOf(rows, "processor_balance")).toBe(7_400 - card.fee);
    expect(balanceOf(rows, "processor_balance")).toBe(await unpaidNet());
  });

  it("books a refund and a lost dispute against the processor balance", async () => {
    const c = await invoiceOf(ids.cat!, 20_000);
    const paidC = await payByCard(c.id, "2026-11-02T11:00:00Z");
    const d = await invoiceOf(ids.dan!, 8_000);
    const paidD = await payByCard(d.id, "2026-11-02T12:00:00Z");
    fees.push(paidC.fee, paidD.fee);
    await step(6);
    const refund = await refundPayment(paymentPorts(at("2026-11-03T09:00:00Z")), shop.id, paidC.id, { amount: 5_000 });
    expect(refund.status).toBe("succeeded");
    await applyDispute(paymentPorts(at("2026-11-03T10:00:00Z")), shop.id, paidD.id, {
      id: "dp_ledger",
      status: "lost",
      amount: 8_000,
      createdAt: "2026-11-02T20:00:00Z",
      reportedAt: "2026-11-03T10:00:00Z",
    });
    const rows = await step(2);
    expect(balanceOf(rows, "refunds")).toBe(5_000);
    expect(balanceOf(rows, "disputes")).toBe(8_000);
    expect(balanceOf(rows, "processor_balance")).toBe(await unpaidNet());
    const [refundEntry] = await entriesOf(shop, { account: "refunds" });
    expect(refundEntry).toMatchObject({ date: "2026-11-03", source: { object: "refund", id: refund.id } });
  });

  it("pays out a positive day, and carries a negative day's shortfall instead of paying it", async () => {
    const [first] = await payouts("2026-11-02");
    const charged = 7_400 + 20_000 + 8_000;
    expect(first).toMatchObject({ status: "paid", amount: charged - fees.reduce((s, f) => s + f, 0), carriedIn: 0 });
    let rows = await step(1);
    expect(balanceOf(rows, "bank")).toBe(3_000 + (first?.amount ?? 0));
    // What the processor still holds is the 3rd's refund and dispute, not yet paid out.
    expect(balanceOf(rows, "processor_balance")).toBe(-13_000);
    expect(await unpaidNet()).toBe(-13_000);

    const [second] = await payouts("2026-11-03");
    expect(second).toMatchObject({ status: "skipped", amount: -13_000, carriedIn: 0 });
    // A skipped day moves no money: nothing to post, and the shortfall is still the processor's.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    rows = await step(0);
    expect(balanceOf(rows, "processor_balance")).toBe(await unpaidNet());
  });

  it("writes off an uncollectible invoice", async () => {
    const e = await invoiceOf(ids.eve!, 6_000);
    ids.e = e.id;
    expect((await act(e.id, "mark-uncollectible")).amountWrittenOff).toBe(6_000);
    const rows = await step(2);
    expect(balanceOf(rows, "bad_debt")).toBe(6_000);
    expect(balanceOf(rows, "accounts_receivable")).toBe(0);
    const [writeOff] = await entriesOf(shop, { account: "bad_debt" });
    expect(writeOff?.source).toEqual({ object: "invoice", id: e.id });
  });

  it("credits a customer's balance and spends it on later invoices", async () => {
    // A downgrade credits 3,000 (only subscription changes make negative lines).
    const lineItems: PricedLineRequest[] = [
      { description: "Basic (rest of period)", quantity: 1, unitAmount: 1_000, proration: true },
      { description: "Unused time on Pro", quantity: 1, unitAmount: -4_000, proration: true },
    ];
    const credit = await createInvoice(invoicePorts(at("2026-11-04T08:00:00Z")), shop.id, {
      customerId: ids.fay!,
      currency: "USD",
      lineItems,
    });
    await finalize(credit.id);
    let rows = await step(1);
    expect(balanceOf(rows, "customer_credit")).toBe(-3_000);
    expect(await invoiceOf(ids.fay!, 2_000)).toMatchObject({ appliedBalance: 2_000, amountDue: 0 });
    const h = await invoiceOf(ids.fay!, 20_000);
    expect(h).toMatchObject({ appliedBalance: 1_000, amountDue: 19_000 });
    const paidH = await payByCard(h.id, "2026-11-04T10:00:00Z");
    fees.push(paidH.fee);
    rows = await step(4);
    // The ledger's customer credit is what customers hold: all of fay's was spent.
    expect(balanceOf(rows, "customer_credit")).toBe(0);
    const fay = await expectStatus(api(customersHandler, "GET /v1/customers/{id}", { id: ids.fay }));
    expect(fay.balance).toEqual({});
  });

  it("pays the next positive day net of the carried shortfall, and reconciles to the payouts exactly", async () => {
    const [third] = await payouts("2026-11-04");
    expect(third).toMatchObject({ status: "paid", carriedIn: -13_000, amount: 19_000 - (fees.at(-1) ?? 0) - 13_000 });
    const rows = await step(1);
    expect(balanceOf(rows, "processor_balance")).toBe(0);
    expect(await unpaidNet()).toBe(0);
    const paidOut = (await aws.scanAll())
      .filter((i) => i.PK === `MERCHANT#${shop.id}` && i.type === "payout" && i.status === "paid")
      .reduce((s, p) => s + Number(p.amount), 0);
    expect(balanceOf(rows, "bank")).toBe(3_000 + paidOut);
    // The whole story's trial balance, hand-checked.
    const chargedFees = fees.reduce((s, f) => s + f, 0);
    expect(Object.fromEntries(rows.map((r) => [r.account, r.balance]))).toEqual({
      accounts_receivable: 0,
      revenue: -(10_000 + 20_000 + 8_000 + 6_000 + (1_000 - 4_000) + 2_000 + 20_000),
      tax_payable: -900,
      discounts: 1_000,
      fees_income: -500,
      processor_balance: 0,
      processor_fees: chargedFees,
      refunds: 5_000,
      disputes: 8_000,
      bad_debt: 6_000,
      bank: 3_000 + paidOut,
      customer_credit: 0,
    });
  });

  it("reads entries by day range and account, as CSV too, and through ledgerEntriesBetween", async () => {
    const third = await entriesOf(shop, { from: "2026-11-03", to: "2026-11-03" });
    expect(third.map((e) => e.source.object)).toEqual(["refund", "payment"]);
    expect(third.every((e) => e.date === "2026-11-03")).toBe(true);
    const payoutsOnly = await entriesOf(shop, { account: "bank", from: "2026-11-01", to: "2026-11-30" });
    expect(payoutsOnly.map((e) => e.source.object)).toEqual(["payout", "payout"]);
    expect(await ledgerEntriesBetween(shop.id, { livemode: false, from: "2026-11-03", to: "2026-11-03", currency: "USD" })).toEqual(third);
    expect(await ledgerEntriesBetween(shop.id, { livemode: false, from: "2026-11-03", to: "2026-11-03", currency: "EUR" })).toEqual([]);

    const csv = await merchantCall(ledgerApi, "GET /v1/ledger/entries", shop.secret, {
      query: { from: "2026-11-03", to: "2026-11-03", format: "csv" },
    });
    expect(csv.status).toBe(200);
    const [header, ...lines] = csv.raw.trim().split(/\r?\n/);
    expect(header).toContain("processor_balance");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toContain("-50.00"); // the refund taken from the processor balance, in major units
  });

  it("reads the trial balance at the end of a past day from the daily rollups", async () => {
    const asOf = async (day: string): Promise<Row[]> =>
      (await expectStatus(merchantCall(ledgerApi, "GET /v1/ledger/balances", shop.secret, { query: { asOf: day } }))).data;
    const third = await asOf("2026-11-03");
    const summed: Record<string, number> = {};
    for (const entry of await entriesOf(shop, { to: "2026-11-03" }))
      for (const l of entry.lines) summed[l.account] = (summed[l.account] ?? 0) + l.debit - l.credit;
    expect(Object.fromEntries(third.map((r) => [r.account, r.balance]))).toEqual(summed);
    expect(third.reduce((sum, r) => sum + r.balance, 0)).toBe(0);
    // The card payments of the 2nd were not yet paid out at the end of the 3rd (the payout ran later).
    expect(balanceOf(third, "processor_balance")).toBe(7_400 + 20_000 + 8_000 - fees.slice(0, 3).reduce((s, f) => s + f, 0) - 13_000);
    expect(await asOf("2099-12-31")).toEqual(await balances());
    expect(await asOf("2026-10-31")).toEqual([]);
  });

  it("posts each event once, however often it is delivered", async () => {
    const before = await balances();
    const events = (await aws.scanAll()).filter(
      (i) => i.PK === `MERCHANT#${shop.id}` && i.type === "event" && ["invoice.finalized", "payment.succeeded", "payout.paid"].includes(String(i.eventType)),
    );
    expect(events.length).toBeGreaterThan(5);
    const sqs = (body: unknown) =>
      ({ Records: [{ messageId: randomUUID(), body: JSON.stringify(body), attributes: {}, messageAttributes: {} }] }) as unknown as SQSEvent;
    for (const item of events) expect(await ledgerConsumer(sqs(outboxEventFromItem(item)))).toEqual({ batchItemFailures: [] });
    expect(await balances()).toEqual(before);
    expect(await entriesOf(shop)).toHaveLength(posted);
  });

  it("reverses a Stripe payout the bank returned after it was paid; one that failed unpaid books nothing", async () => {
    const stripeShop = await newMerchant("Ledger Stripe Payouts");
    const ports = { payouts: dynamoPayoutStore, merchants: dynamoMerchantStore, clock: at("2026-11-20T00:00:00Z") };
    const payout = (id: string, status: "paid" | "failed") =>
      ({
        id,
        object: "payout",
        amount: 7_500,
        currency: "usd",
        arrival_date: Date.UTC(2026, 10, 22) / 1000,
        created: Date.UTC(2026, 10, 20) / 1000,
        status,
        livemode: false,
        failure_code: status === "failed" ? "account_closed" : null,
        failure_message: status === "failed" ? "The bank account has been closed" : null,
      }) as Stripe.Payout;
    await recordStripePayout(ports, stripeShop.id, payout("po_returned", "paid"), "paid");
    await recordStripePayout(ports, stripeShop.id, payout("po_returned", "failed"), "failed");
    await recordStripePayout(ports, stripeShop.id, payout("po_never_paid", "failed"), "failed");

    const entries = await eventually(async () => {
      const found = await entriesOf(stripeShop);
      return found.length >= 2 ? found : undefined;
    }, 30_000);
    expect(entries.map((e) => [e.source, e.lines])).toEqual([
      [
        { object: "payout", id: expect.any(String) },
        [
          { account: "processor_balance", debit: 0, credit: 7_500 },
          { account: "bank", debit: 7_500, credit: 0 },
        ],
      ],
      [
        { object: "payout", id: entries[0]?.source.id },
        [
          { account: "processor_balance", debit: 7_500, credit: 0 },
          { account: "bank", debit: 0, credit: 7_500 },
        ],
      ],
    ]);
    // The money is back in the processor's balance: the bank holds nothing of it.
    const rows = await balances(stripeShop);
    expect(balanceOf(rows, "bank")).toBe(0);
    expect(balanceOf(rows, "processor_balance")).toBe(0);
  });

  it("keeps each merchant's ledger to itself, and answers 400s naming the field", async () => {
    expect(await entriesOf(other)).toEqual([]);
    expect(await balances(other)).toEqual([]);
    const bad = await merchantCall(ledgerApi, "GET /v1/ledger/entries", shop.secret, { query: { from: "2026-11-05", to: "2026-11-01" } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('"to"');
    const account = await merchantCall(ledgerApi, "GET /v1/ledger/entries", shop.secret, { query: { account: "cash" } });
    expect(account.status).toBe(400);
    expect(JSON.stringify(account.body)).toContain('"account"');
    const unauthenticated = await call(ledgerApi as never, "GET /v1/ledger/balances", {});
    expect(unauthenticated.status).toBe(401);
  });
});
