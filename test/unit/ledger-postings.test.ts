/**
 * The ledger's posting rules: each money-moving event posts balanced lines to the accounts the rule
 * names, with the amounts of the invoice, payment, refund, dispute or payout it carries; a void
 * undoes a finalize (and a write-off), a recovered write-off leaves receivables and bad debt at zero,
 * and a redelivered event posts the same entries.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DomainEvent } from "../../shared/domain/events.ts";
import type { LedgerAccount, LedgerEntry } from "../../shared/ledger/entry.ts";
import { linesOf, postingsFor } from "../../shared/ledger/postings.ts";

const context = { timeZone: "America/New_York", livemode: false };

const event = (type: string, data: Record<string, unknown>, occurredAt = "2026-05-14T15:00:00.000Z"): DomainEvent => ({
  id: "evt_01JZZZZZZZZZZZZZZZZZZZZZZZ",
  type,
  merchantId: "mer_1",
  occurredAt,
  livemode: false,
  data,
});

/** Debit-positive balance per account over the entries. */
function balances(entries: readonly LedgerEntry[]): Partial<Record<LedgerAccount, number>> {
  const sum: Partial<Record<LedgerAccount, number>> = {};
  for (const entry of entries)
    for (const line of entry.lines) sum[line.account] = (sum[line.account] ?? 0) + line.debit - line.credit;
  return Object.fromEntries(Object.entries(sum).filter(([, v]) => v !== 0));
}

const balanced = (entry: LedgerEntry) =>
  entry.lines.reduce((s, l) => s + l.debit, 0) === entry.lines.reduce((s, l) => s + l.credit, 0);

const invoice = {
  id: "inv_1",
  number: "INV-0001",
  currency: "USD",
  // subtotal 10 000, discount 1 000, tax 900 (exclusive), fee 500 → total 10 400; credit 400 applied.
  total: 10_400,
  discountTotal: 1_000,
  taxTotal: 900,
  feeTotal: 500,
  appliedBalance: 400,
  amountDue: 10_000,
  creditedToBalance: 0,
  amountRemaining: 10_000,
};

const bt = (kind: string, amount: number, fee: number, date = "2026-05-14") => ({
  id: "txn_1",
  kind,
  amount,
  fee,
  net: amount - fee,
  currency: "USD",
  sourceId: "pay_1",
  date,
});

describe("ledger posting rules", () => {
  it("books a finalized invoice: receivable, credit used and discount against revenue, tax and fees", () => {
    const [entry, ...rest] = postingsFor(event("invoice.finalized", { invoice }), context);
    expect(rest).toEqual([]);
    expect(entry?.lines).toEqual([
      { account: "accounts_receivable", debit: 10_000, credit: 0 },
      { account: "revenue", debit: 0, credit: 10_000 },
      { account: "tax_payable", debit: 0, credit: 900 },
      { account: "discounts", debit: 1_000, credit: 0 },
      { account: "fees_income", debit: 0, credit: 500 },
      { account: "customer_credit", debit: 400, credit: 0 },
    ]);
    expect(entry).toMatchObject({
      id: "le_01JZZZZZZZZZZZZZZZZZZZZZZZ_1",
      currency: "USD",
      date: "2026-05-14",
      source: { object: "invoice", id: "inv_1" },
      eventId: "evt_01JZZZZZZZZZZZZZZZZZZZZZZZ",
      postedAt: "2026-05-14T15:00:00.000Z",
      livemode: false,
    });
  });

  it("takes invoice entries' mode from the merchant (invoice events carry none) and dates them locally", () => {
    const [entry] = postingsFor(event("invoice.finalized", { invoice }, "2026-05-15T02:00:00.000Z"), {
      ...context,
      livemode: true,
    });
    expect(entry?.livemode).toBe(true);
    expect(entry?.date).toBe("2026-05-14"); // 22:00 in New York
  });

  it("credits the customer what lines summing below zero gave them (a proration credit)", () => {
    const credit = { ...invoice, total: 0, discountTotal: 0, taxTotal: 0, feeTotal: 0, appliedBalance: 0, amountDue: 0, amountRemaining: 0, creditedToBalance: 700 };
    const [entry] = postingsFor(event("invoice.finalized", { invoice: credit }), context);
    expect(entry?.lines).toEqual([
      { account: "revenue", debit: 700, credit: 0 },
      { account: "customer_credit", debit: 0, credit: 700 },
    ]);
  });

  it("reverses a finalize on void, and a write-off too when the invoice was uncollectible", () => {
    const finalized = postingsFor(event("invoice.finalized", { invoice }), context);
    const voided = postingsFor(event("invoice.voided", { invoice: { ...invoice, amountRemaining: 0 } }), context);
    expect(balances([...finalized, ...voided])).toEqual({});

    const partly = { ...invoice, amountRemaining: 6_000, amountWrittenOff: 6_000 };
    const all = [
      ...finalized,
      ...postingsFor(event("payment.recorded", { payment: { id: "pay_1", amount: 4_000, currency: "USD", processor: "manual" } }), context),
      ...postingsFor(event("invoice.marked_uncollectible", { invoice: partly }), context),
      ...postingsFor(event("invoice.voided", { invoice: { ...partly, amountRemaining: 0 } }), context),
    ];
    // What was paid stays received (bank) and owed back (receivable −4 000); no bad debt, no revenue.
    expect(balances(all)).toEqual({ accounts_receivable: -4_000, bank: 4_000 });
  });

  it("writes off what remains, and recovers it when the invoice is paid after all", () => {
    const remaining = { ...invoice, amountRemaining: 6_000 };
    const [writeOff] = postingsFor(event("invoice.marked_uncollectible", { invoice: { ...remaining, amountWrittenOff: 6_000 } }), context);
    expect(writeOff?.lines).toEqual([
      { account: "accounts_receivable", debit: 0, credit: 6_000 },
      { account: "bad_debt", debit: 6_000, credit: 0 },
    ]);
    const all = [
      ...postingsFor(event("invoice.finalized", { invoice }), context),
      ...postingsFor(event("payment.recorded", { payment: { id: "pay_1", amount: 4_000, currency: "USD" } }), context),
      writeOff as LedgerEntry,
      ...postingsFor(event("payment.recorded", { payment: { id: "pay_2", amount: 6_000, currency: "USD" } }), context),
      ...postingsFor(event("invoice.paid", { invoice: { ...remaining, amountRemaining: 0, amountWrittenOff: 6_000 } }), context),
    ];
    expect(balances(all)).toMatchObject({ bank: 10_000 });
    expect(balances(all).accounts_receivable).toBeUndefined();
    expect(balances(all).bad_debt).toBeUndefined();
  });

  it("posts nothing for an invoice paid without a write-off (its payments did the work)", () => {
    expect(postingsFor(event("invoice.paid", { invoice: { ...invoice, amountRemaining: 0 } }), context)).toEqual([]);
  });

  it("books a processor payment and its fee as two entries on the balance transaction's day", () => {
    const entries = postingsFor(
      event("payment.succeeded", { payment: { id: "pay_1", amount: 5_000, currency: "USD", invoiceId: "inv_1" }, balanceTransaction: bt("charge", 5_000, 175, "2026-05-13") }),
      context,
    );
    expect(entries.map((e) => [e.date, e.lines])).toEqual([
      ["2026-05-13", [
        { account: "accounts_receivable", debit: 0, credit: 5_000 },
        { account: "processor_balance", debit: 5_000, credit: 0 },
      ]],
      ["2026-05-13", [
        { account: "processor_balance", debit: 0, credit: 175 },
        { account: "processor_fees", debit: 175, credit: 0 },
      ]],
    ]);
    expect(new Set(entries.map((e) => e.id)).size).toBe(2);
  });

  it("credits a payment's excess to refunds, which the excess's own refund clears", () => {
    const paid = postingsFor(
      event("payment.succeeded", { payment: { id: "pay_1", amount: 5_000, currency: "USD", excess: { amount: 1_000 } }, balanceTransaction: bt("charge", 5_000, 0) }),
      context,
    );
    const refunded = postingsFor(
      event("refund.succeeded", { refund: { id: "re_1", amount: 1_000, currency: "USD", paymentId: "pay_1" }, balanceTransaction: bt("refund", -1_000, 0) }),
      context,
    );
    expect(balances([...paid, ...refunded])).toEqual({ accounts_receivable: -4_000, processor_balance: 4_000 });
  });

  it("books refunds against the processor balance, a failed refund's reversal back, a manual refund against the bank", () => {
    const refund = { id: "re_1", amount: 1_500, currency: "USD", paymentId: "pay_1" };
    const [succeeded] = postingsFor(event("refund.succeeded", { refund, balanceTransaction: bt("refund", -1_500, 0) }), context);
    expect(succeeded?.lines).toEqual([
      { account: "processor_balance", debit: 0, credit: 1_500 },
      { account: "refunds", debit: 1_500, credit: 0 },
    ]);
    expect(succeeded?.source).toEqual({ object: "refund", id: "re_1" });
    const [failed] = postingsFor(event("refund.failed", { refund, balanceTransaction: bt("refund", 1_500, 0) }), context);
    expect(balances([succeeded as LedgerEntry, failed as LedgerEntry])).toEqual({});
    // A refund that never settled (no balance transaction) moved nothing.
    expect(postingsFor(event("refund.failed", { refund }), context)).toEqual([]);
    const [manual] = postingsFor(
      event("refund.succeeded", { refund, payment: { id: "pay_1", amount: 5_000, currency: "USD", processor: "manual" } }),
      context,
    );
    expect(manual?.lines).toEqual([
      { account: "refunds", debit: 1_500, credit: 0 },
      { account: "bank", debit: 0, credit: 1_500 },
    ]);
  });

  it("books a lost dispute and its fee; a won one moves nothing", () => {
    const payment = { id: "pay_1", amount: 5_000, currency: "USD" };
    const [lost] = postingsFor(event("payment.dispute_closed", { payment, balanceTransaction: bt("dispute", -5_000, 1_500) }), context);
    expect(lost?.lines).toEqual([
      { account: "processor_balance", debit: 0, credit: 6_500 },
      { account: "disputes", debit: 5_000, credit: 0 },
      { account: "dispute_fees", debit: 1_500, credit: 0 },
    ]);
    expect(postingsFor(event("payment.dispute_closed", { payment }), context)).toEqual([]);
  });

  it("books a payout from the processor balance to the bank, in the payout's mode", () => {
    const [entry] = postingsFor(event("payout.paid", { payout: { id: "po_1", amount: 3_325, currency: "USD", livemode: true } }), context);
    expect(entry?.livemode).toBe(true);
    expect(entry?.lines).toEqual([
      { account: "processor_balance", debit: 0, credit: 3_325 },
      { account: "bank", debit: 3_325, credit: 0 },
    ]);
  });

  it("reverses a paid payout the bank returned, and books nothing for one that failed before it was paid", () => {
    const payout = { id: "po_1", amount: 3_325, currency: "USD", livemode: true };
    const failure = { code: "account_closed", message: "Closed" };
    const [returned] = postingsFor(event("payout.failed", { payout: { ...payout, failure: { ...failure, afterPaid: true } } }), context);
    expect(returned?.lines).toEqual([
      { account: "processor_balance", debit: 3_325, credit: 0 },
      { account: "bank", debit: 0, credit: 3_325 },
    ]);
    expect(returned?.source).toEqual({ object: "payout", id: "po_1" });
    expect(postingsFor(event("payout.failed", { payout: { ...payout, failure: { ...failure, afterPaid: false } } }), context)).toEqual([]);
    // Recorded before failures said so: nothing is known to have been paid.
    expect(postingsFor(event("payout.failed", { payout: { ...payout, failure } }), context)).toEqual([]);
  });

  it("posts nothing for events that move no money, and refuses a malformed money event", () => {
    expect(postingsFor(event("customer.created", { customer: { id: "cus_1" } }), context)).toEqual([]);
    expect(() => postingsFor(event("invoice.finalized", { invoice: { ...invoice, total: 10.5 } }), context)).toThrow();
    expect(() => postingsFor(event("payment.succeeded", { payment: { id: "pay_1", amount: 1, currency: "USD" } }), context)).toThrow(/balance transaction/);
  });

  it("refuses lines that do not balance or are not minor units", () => {
    expect(() => linesOf({ bank: 100, revenue: -99 })).toThrow(/balance/);
    expect(() => linesOf({ bank: 0.5, revenue: -0.5 })).toThrow(/minor units/);
  });

  it("balances every finalize, whatever the invoice's figures (property)", () => {
    fc.assert(
      fc.property(
        fc.nat(1_000_000), fc.nat(100_000), fc.nat(100_000), fc.nat(100_000), fc.nat(100_000), fc.nat(100_000),
        (total, discountTotal, taxTotal, feeTotal, credit, creditedToBalance) => {
          const applied = Math.min(credit, total);
          const snapshot = { ...invoice, total, discountTotal, taxTotal, feeTotal, appliedBalance: applied, amountDue: total - applied, amountRemaining: total - applied, creditedToBalance };
          for (const entry of postingsFor(event("invoice.finalized", { invoice: snapshot }), context)) expect(balanced(entry)).toBe(true);
          const both = [
            ...postingsFor(event("invoice.finalized", { invoice: snapshot }), context),
            ...postingsFor(event("invoice.voided", { invoice: snapshot }), context),
          ];
          expect(balances(both)).toEqual({});
        },
      ),
    );
  });
});
