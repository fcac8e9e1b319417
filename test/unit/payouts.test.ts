/**
 * Payout arithmetic and timing: summarizeDay's per-currency sums (hand-worked and as properties:
 * Σ net, gross − fees − refunds − disputes, order independence), the run schedule at the merchant's
 * midnight, when the sweep takes a chain for dead, and the summary email.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BalanceTransaction,
  type BalanceType,
  balanceTransaction,
} from "../../shared/payments/balance.ts";
import { schedules } from "../../infra/manifest.ts";
import { type Payout, statusOfNet, summarizeDay } from "../../shared/payouts/payout.ts";
import { nextPayoutRun, payoutRunSchedule, payoutSweepMessage, reseedRun } from "../../shared/payouts/run.ts";
import { timerQueue } from "../../shared/timers/registry.ts";
import { payoutEmail } from "../../shared/notifications/payout-summary.ts";

const runs = { numRuns: 300 };
const now = new Date("2026-03-10T12:00:00Z");
let seq = 0;
const txn = (
  kind: BalanceType,
  currency: string,
  amount: number,
  fee = 0,
  date = "2026-03-10",
): BalanceTransaction =>
  balanceTransaction(
    `txn_${String(++seq).padStart(4, "0")}`,
    kind,
    { id: `src_${seq}`, currency },
    amount,
    fee,
    date,
    now,
  );

describe("summarizeDay", () => {
  it("sums a hand-worked day: USD charges, fees, a refund and a lost dispute, and a separate JPY payout", () => {
    const day = [
      txn("charge", "USD", 1000, 59),
      txn("charge", "USD", 2500, 103),
      txn("charge", "JPY", 5000, 180),
      txn("charge", "USD", 500, 45),
      txn("refund", "USD", -500),
      txn("dispute", "USD", -1000),
    ];
    const [jpy, usd, ...rest] = summarizeDay(day);
    expect(rest).toEqual([]);
    expect(usd).toMatchObject({
      currency: "USD",
      grossAmount: 4000,
      feeTotal: 207,
      refundTotal: 500,
      disputeTotal: 1000,
      amount: 2293,
      chargeCount: 3,
      refundCount: 1,
      disputeCount: 1,
    });
    // Totals and counts only: a payout never carries its transactions (a busy day has thousands).
    expect(usd).toEqual({
      currency: "USD",
      amount: 2293,
      grossAmount: 4000,
      feeTotal: 207,
      refundTotal: 500,
      disputeTotal: 1000,
      chargeCount: 3,
      refundCount: 1,
      disputeCount: 1,
      balanceTransactionCount: 5,
    });
    expect(jpy).toMatchObject({
      currency: "JPY",
      grossAmount: 5000,
      feeTotal: 180,
      refundTotal: 0,
      disputeTotal: 0,
      amount: 4820,
      chargeCount: 1,
    });
    expect(statusOfNet(2293)).toBe("paid");
  });

  it("gives nothing for a day without transactions, and a non-positive net is skipped", () => {
    expect(summarizeDay([])).toEqual([]);
    const [only] = summarizeDay([txn("charge", "EUR", 300, 30), txn("refund", "EUR", -300)]);
    expect(only?.amount).toBe(-30);
    expect(statusOfNet(-30)).toBe("skipped");
    expect(statusOfNet(0)).toBe("skipped");
  });

  it("refuses transactions that are not integer minor units or whose net is not amount − fee", () => {
    expect(() => summarizeDay([{ ...txn("charge", "USD", 100, 3), amount: 100.5 }])).toThrow(RangeError);
    expect(() => summarizeDay([{ ...txn("charge", "USD", 100, 3), net: 100 }])).toThrow(RangeError);
  });

  const transaction = fc
    .record({
      kind: fc.constantFrom<BalanceType>("charge", "refund", "dispute"),
      currency: fc.constantFrom("USD", "JPY", "KWD", "EUR"),
      amount: fc.integer({ min: 1, max: 10_000_000_000 }),
      feeShare: fc.integer({ min: 0, max: 100 }),
    })
    .map(({ kind, currency, amount, feeShare }) =>
      kind === "charge"
        ? txn("charge", currency, amount, Math.floor((amount * feeShare) / 1000))
        : txn(kind, currency, -amount),
    );

  it("pays out Σ net per currency, = gross − fees − refunds − disputes, one summary per currency present", () => {
    fc.assert(
      fc.property(fc.array(transaction, { maxLength: 60 }), (transactions) => {
        const summaries = summarizeDay(transactions);
        const currencies = [...new Set(transactions.map((t) => t.currency))].sort();
        expect(summaries.map((s) => s.currency)).toEqual(currencies);
        for (const s of summaries) {
          const mine = transactions.filter((t) => t.currency === s.currency);
          expect(s.amount).toBe(mine.reduce((sum, t) => sum + t.net, 0));
          expect(s.amount).toBe(s.grossAmount - s.feeTotal - s.refundTotal - s.disputeTotal);
          expect(s.grossAmount).toBe(
            mine.filter((t) => t.kind === "charge").reduce((sum, t) => sum + t.amount, 0),
          );
          expect(s.chargeCount + s.refundCount + s.disputeCount).toBe(mine.length);
          expect(s.balanceTransactionCount).toBe(mine.length);
          expect(s.refundTotal).toBeGreaterThanOrEqual(0);
          expect(s.disputeTotal).toBeGreaterThanOrEqual(0);
        }
      }),
      runs,
    );
  });

  it("does not depend on the order of the transactions", () => {
    fc.assert(
      fc.property(
        fc
          .array(transaction, { maxLength: 40 })
          .chain((ts) =>
            fc.tuple(
              fc.constant(ts),
              fc.shuffledSubarray(ts, { minLength: ts.length, maxLength: ts.length }),
            ),
          ),
        ([transactions, shuffled]) => {
          expect(summarizeDay(shuffled)).toEqual(summarizeDay(transactions));
        },
      ),
      runs,
    );
  });
});

describe("the payout run schedule", () => {
  it("runs day D 5 minutes after the merchant's midnight that ends D", () => {
    const berlin = nextPayoutRun("mer_1", "Europe/Berlin", new Date("2026-03-10T22:30:00Z"));
    expect(berlin).toEqual({
      name: "payouts-mer_1-2026-03-10",
      at: new Date("2026-03-10T23:05:00Z"),
      queue: "billing",
      payload: { kind: "payouts.run", merchantId: "mer_1", date: "2026-03-10" },
    });
    // 23:30 UTC is already the 11th in Berlin.
    expect(nextPayoutRun("mer_1", "Europe/Berlin", new Date("2026-03-10T23:30:00Z")).payload).toMatchObject({
      date: "2026-03-11",
    });
    expect(nextPayoutRun("mer_2", "America/New_York", new Date("2026-03-10T23:30:00Z")).at).toEqual(
      new Date("2026-03-11T04:05:00Z"),
    );
  });

  it("follows the merchant's midnight across a DST change", () => {
    // New York springs forward on 2026-03-08: the 7th ends at 05:00 UTC, the 8th at 04:00 UTC.
    expect(payoutRunSchedule("mer_1", "2026-03-07", "America/New_York").at).toEqual(
      new Date("2026-03-08T05:05:00Z"),
    );
    expect(payoutRunSchedule("mer_1", "2026-03-08", "America/New_York").at).toEqual(
      new Date("2026-03-09T04:05:00Z"),
    );
  });
});

describe("the payout chain sweep", () => {
  const merchant = { id: "mer_1", timeZone: "America/New_York" };
  const now = new Date("2026-05-15T12:00:00Z"); // 08:00 on the 15th in New York

  it("leaves a chain alone while its next run is not long past due", () => {
    const pending = { date: "2026-05-15", runAt: "2026-05-16T04:05:00.000Z" };
    expect(reseedRun(merchant, pending, now)).toBeUndefined();
    // Fired minutes ago and still in the queue's retries: alive.
    expect(
      reseedRun(merchant, { date: "2026-05-15", runAt: "2026-05-15T11:05:00.000Z" }, now),
    ).toBeUndefined();
  });

  it("re-seeds a dead chain with the run of the day it stopped at, a minute from now", () => {
    const dead = { date: "2026-05-13", runAt: "2026-05-14T04:05:00.000Z" };
    expect(reseedRun(merchant, dead, now)).toEqual({
      name: "payouts-mer_1-2026-05-13",
      at: new Date("2026-05-15T12:01:00Z"),
      queue: "billing",
      payload: { kind: "payouts.run", merchantId: "mer_1", date: "2026-05-13" },
    });
  });

  it("seeds a merchant without a chain with the run for its current day", () => {
    expect(reseedRun(merchant, undefined, now)).toEqual(nextPayoutRun("mer_1", "America/New_York", now));
  });

  it("is declared in the manifest as a daily schedule the billing consumer understands", () => {
    const sweep = schedules.find((s) => s.name === "payout-chain-sweep");
    expect(sweep).toMatchObject({ expression: "rate(1 day)", queue: timerQueue });
    expect(payoutSweepMessage().parse(sweep?.payload)).toEqual({ kind: "payouts.sweep" });
  });
});

describe("the payout email", () => {
  const merchant = { name: "Acme <Coffee>", email: "owner@acme.test", timeZone: "Europe/Berlin" };
  const usd = summarizeDay([
    txn("charge", "USD", 1000, 59),
    txn("charge", "USD", 2500, 103),
    txn("charge", "USD", 500, 45),
    txn("refund", "USD", -500),
    txn("dispute", "USD", -1000),
  ])[0];
  const payout: Payout = {
    id: "po_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
    ...(usd as NonNullable<typeof usd>),
    date: "2026-03-10",
    status: "paid",
    source: "sandbox",
    livemode: false,
    arrivalDate: "2026-03-11",
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };

  it("lists the day's charges, fees, refunds, disputes and net, and the arrival date", () => {
    const mail = payoutEmail(merchant, payout);
    expect(mail.to).toEqual({ email: "owner@acme.test", name: "Acme <Coffee>" });
    expect(mail.subject).toBe("[TEST MODE] Payout of $22.93 for Mar 10, 2026");
    for (const line of [
      "Charges: 3 charges, $40.00.",
      "Fees: -$2.07.",
      "Refunds: 1 refund, -$5.00.",
      "Disputes: 1 lost dispute, -$10.00.",
      "Net: $22.93.",
      "Expected in your bank account on Mar 11, 2026.",
      payout.id,
    ]) {
      expect(mail.text).toContain(line);
    }
    expect(mail.html).toContain("Acme &lt;Coffee&gt;");
    expect(mail.html).not.toContain("<Coffee>");
  });

  it("says a sandbox payout is simulated test money, in the subject, the text and the HTML", () => {
    const mail = payoutEmail(merchant, payout);
    expect(mail.subject.startsWith("[TEST MODE]")).toBe(true);
    expect(mail.text.split("\n")[2]).toBe(
      "TEST MODE: this payout is simulated. The sandbox sends no money to any bank account.",
    );
    expect(mail.html).toContain("TEST MODE: this payout is simulated.");
  });

  it("says nothing of test mode on a live Stripe payout", () => {
    const live: Payout = {
      ...payout,
      source: "stripe",
      livemode: true,
      processorPayoutId: "po_1",
    };
    const mail = payoutEmail(merchant, live);
    expect(mail.subject).toBe("Payout of $22.93 for Mar 10, 2026");
    expect(`${mail.text}${mail.html}`).not.toMatch(/TEST MODE|simulated/i);
  });
});
