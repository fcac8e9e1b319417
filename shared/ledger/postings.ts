/**
 * The posting rules (issue 17 §2): each money-moving domain event becomes balanced ledger entries.
 * Pure: an event and the merchant's zone and mode in, entries out, so a redelivered event posts the
 * same entries (same ids) and the rules are tested without a table.
 *
 * Accounts are debit-positive here (`signed`): assets and expenses grow by debits (accounts
 * receivable, processor balance, bank, discounts, refunds, disputes, fees, bad debt), liabilities and
 * income by credits (revenue, tax payable, fees income, customer credit).
 *
 * - invoice finalized: Dr accounts receivable (amount due) + customer credit (credit balance applied)
 *   + discounts (discount total, a contra-revenue account: revenue is booked before discounts) / Cr
 *   revenue (subtotal after inclusive tax is taken out, before discounts) + tax payable + fees income
 *   + customer credit (what lines summing below zero credit to the customer). Revenue is the
 *   remainder, so the entry balances by construction whatever the tax mode.
 * - invoice voided: the finalize entry reversed (the credit applied goes back to the customer, as the
 *   invoice service does), plus the write-off reversed when it was uncollectible. What was paid before
 *   the void stays received: the invoice's receivable ends at −amountPaid, money owed back.
 * - invoice marked uncollectible: Dr bad debt / Cr accounts receivable, the amount remaining (kept on
 *   the invoice as `amountWrittenOff`); paid in full later: the write-off is recovered (Dr accounts
 *   receivable / Cr bad debt), so its payments, which credit receivables, leave them at zero.
 * - payment (processor): Dr processor balance / Cr accounts receivable, the charge; what it brought
 *   beyond what the invoice owed (`excess`) is credited to refunds, which the automatic refund of
 *   that excess then clears. Its fee as its own entry: Dr processor fees / Cr processor balance.
 * - payment recorded by hand: Dr bank / Cr accounts receivable.
 * - refund (and a refund's reversal when it fails): its balance transaction — Dr refunds / Cr
 *   processor balance; a manual payment's refund: Dr refunds / Cr bank.
 * - dispute lost: Dr disputes (+ dispute fees, the balance transaction's fee) / Cr processor balance.
 * - payout paid: Dr bank / Cr processor balance; a paid payout that fails later (the bank returned
 *   it, `failure.afterPaid`): Dr processor balance / Cr bank. One that fails before it is paid moves
 *   nothing.
 *
 * Every processor-side line is a balance transaction's own figures (amount, fee, net) on its day, so
 * processor balance = Σ balance transactions' net − Σ payouts paid and not returned, exactly.
 */
import * as z from "zod";
import { localDate } from "../domain/calendar.ts";
import type { DomainEvent } from "../domain/events.ts";
import { type LedgerAccount, type LedgerEntry, type LedgerLine, ledgerAccounts } from "./entry.ts";
import { lazy } from "../lazy.ts";

/** The events that move money: the ledger queue gets exactly these (shared/outbox/routing.ts). */
export const ledgerEventTypes = [
  "invoice.finalized",
  "invoice.voided",
  "invoice.marked_uncollectible",
  "invoice.paid",
  "payment.succeeded",
  "payment.recorded",
  "refund.succeeded",
  "refund.failed",
  "payment.dispute_closed",
  "payout.paid",
  "payout.failed",
] as const;

/** What an event does not say itself: the merchant's zone (local dates) and mode (invoice events carry none). */
export interface PostingContext {
  timeZone: string;
  livemode: boolean;
}

/** Signed amounts per account: positive debits, negative credits. */
export type Signed = Partial<Record<LedgerAccount, number>>;

/** Adds signed maps account by account. */
export function combine(...parts: Signed[]): Signed {
  const sum: Signed = {};
  for (const part of parts)
    for (const [account, amount] of Object.entries(part) as [LedgerAccount, number][])
      sum[account] = (sum[account] ?? 0) + amount;
  return sum;
}

const negate = (signed: Signed): Signed =>
  Object.fromEntries(Object.entries(signed).map(([account, amount]) => [account, -amount]));

/**
 * The lines of a signed map in chart order, zero accounts left out. Throws when it does not balance
 * or holds a non-integer: a posting rule's bug must stop the event, never post half of it.
 */
export function linesOf(signed: Signed): LedgerLine[] {
  let total = 0;
  const lines: LedgerLine[] = [];
  for (const account of ledgerAccounts) {
    const amount = signed[account] ?? 0;
    if (!Number.isSafeInteger(amount)) throw new RangeError(`${account}: ${amount} is not minor units`);
    total += amount;
    if (amount !== 0) lines.push({ account, debit: Math.max(amount, 0), credit: Math.max(-amount, 0) });
  }
  if (total !== 0) throw new RangeError(`The lines do not balance: debits − credits = ${total}`);
  return lines;
}

const amount = lazy(() => z.number().int());
const invoiceSnapshot = lazy(() =>
  z.object({
    id: z.string(),
    number: z.string().optional(),
    currency: z.string(),
    total: amount(),
    discountTotal: amount(),
    taxTotal: amount(),
    feeTotal: amount(),
    appliedBalance: amount().default(0),
    amountDue: amount().optional(),
    creditedToBalance: amount().default(0),
    amountRemaining: amount(),
    amountWrittenOff: amount().optional(),
  }),
);
type InvoiceSnapshot = z.output<ReturnType<typeof invoiceSnapshot>>;
const invoiceEvent = lazy(() => z.object({ invoice: invoiceSnapshot() }));

const balanceTransaction = lazy(() =>
  z.object({
    id: z.string(),
    kind: z.enum(["charge", "refund", "dispute"]),
    amount: amount(),
    fee: amount(),
    net: amount(),
    currency: z.string(),
    sourceId: z.string(),
    date: z.string(),
  }),
);
const paymentSnapshot = lazy(() =>
  z.object({
    id: z.string(),
    amount: amount(),
    currency: z.string(),
    processor: z.string().optional(),
    invoiceId: z.string().optional(),
    paidAt: z.string().optional(),
    excess: z.object({ amount: amount() }).optional(),
  }),
);
const paymentEvent = lazy(() =>
  z.object({
    payment: paymentSnapshot(),
    balanceTransaction: balanceTransaction().optional(),
  }),
);
const refundEvent = lazy(() =>
  z.object({
    refund: z.object({ id: z.string(), amount: amount(), currency: z.string(), paymentId: z.string() }),
    payment: paymentSnapshot().optional(),
    balanceTransaction: balanceTransaction().optional(),
  }),
);
const payoutEvent = lazy(() =>
  z.object({
    payout: z.object({
      id: z.string(),
      amount: amount(),
      currency: z.string(),
      livemode: z.boolean(),
      failure: z.object({ afterPaid: z.boolean().optional() }).optional(),
    }),
  }),
);

/** What finalizing the invoice booked (see the module header); a void books its negation. */
export function finalizedAmounts(invoice: InvoiceSnapshot): Signed {
  const amountDue = invoice.amountDue ?? invoice.total - invoice.appliedBalance;
  const revenue =
    invoice.total - invoice.creditedToBalance - invoice.taxTotal - invoice.feeTotal + invoice.discountTotal;
  return {
    accounts_receivable: amountDue,
    customer_credit: invoice.appliedBalance - invoice.creditedToBalance,
    discounts: invoice.discountTotal,
    revenue: -revenue,
    tax_payable: -invoice.taxTotal,
    fees_income: -invoice.feeTotal,
  };
}

/** The amount written off when the invoice was marked uncollectible (0 if it never was). */
const writtenOff = (invoice: InvoiceSnapshot) => invoice.amountWrittenOff ?? 0;
const writeOff = (amount: number): Signed => ({ bad_debt: amount, accounts_receivable: -amount });

/** Builds an event's entries: ids `le_<event ULID>_<n>`, so a redelivery names the same entries. */
function poster(event: DomainEvent, context: PostingContext) {
  const entries: LedgerEntry[] = [];
  const ulid = event.id.slice(event.id.indexOf("_") + 1);
  const dayOf = (instant: string) => localDate(new Date(instant), context.timeZone);
  return {
    entries,
    dayOf,
    post(entry: {
      currency: string;
      description: string;
      source: LedgerEntry["source"];
      signed: Signed;
      livemode?: boolean;
      date?: string;
    }) {
      const lines = linesOf(entry.signed);
      if (lines.length === 0) return;
      entries.push({
        id: `le_${ulid}_${entries.length + 1}`,
        livemode: entry.livemode ?? event.livemode,
        currency: entry.currency,
        postedAt: event.occurredAt,
        date: entry.date ?? dayOf(event.occurredAt),
        description: entry.description,
        source: entry.source,
        eventId: event.id,
        lines,
      });
    },
  };
}

const invoiceName = (invoice: InvoiceSnapshot) => `Invoice ${invoice.number ?? invoice.id}`;

/** The entries `event` posts; none for an event that moves no money (or an unknown type). */
export function postingsFor(event: DomainEvent, context: PostingContext): LedgerEntry[] {
  const { entries, post, dayOf } = poster(event, context);
  switch (event.type) {
    case "invoice.finalized":
    case "invoice.voided":
    case "invoice.marked_uncollectible":
    case "invoice.paid": {
      const { invoice } = invoiceEvent().parse(event.data);
      // Invoice events carry livemode false (they move no money themselves): the merchant's mode, as
      // the payments that settle the invoice carry.
      const base = {
        currency: invoice.currency,
        source: { object: "invoice", id: invoice.id },
        livemode: context.livemode,
      };
      if (event.type === "invoice.finalized")
        post({
          ...base,
          description: `${invoiceName(invoice)} finalized`,
          signed: finalizedAmounts(invoice),
        });
      else if (event.type === "invoice.voided")
        post({
          ...base,
          description: `${invoiceName(invoice)} voided`,
          signed: combine(negate(finalizedAmounts(invoice)), negate(writeOff(writtenOff(invoice)))),
        });
      else if (event.type === "invoice.marked_uncollectible")
        post({
          ...base,
          description: `${invoiceName(invoice)} marked uncollectible`,
          signed: writeOff(invoice.amountWrittenOff ?? invoice.amountRemaining),
        });
      else if (writtenOff(invoice) > 0)
        post({
          ...base,
          description: `${invoiceName(invoice)} paid after write-off: bad debt recovered`,
          signed: negate(writeOff(writtenOff(invoice))),
        });
      break;
    }
    case "payment.succeeded": {
      const { payment, balanceTransaction: bt } = paymentEvent().parse(event.data);
      if (!bt) throw new Error(`${event.type} ${event.id} carries no balance transaction`);
      const source = { object: "payment", id: payment.id };
      const excess = payment.excess?.amount ?? 0;
      const paid = payment.invoiceId ? ` of invoice ${payment.invoiceId}` : "";
      post({
        currency: bt.currency,
        date: bt.date,
        description: `Payment ${payment.id}${paid}`,
        source,
        signed: {
          processor_balance: bt.amount,
          accounts_receivable: -(bt.amount - excess),
          refunds: -excess,
        },
      });
      post({
        currency: bt.currency,
        date: bt.date,
        description: `Processor fee on payment ${payment.id}`,
        source,
        signed: { processor_fees: bt.fee, processor_balance: -bt.fee },
      });
      break;
    }
    case "payment.recorded": {
      const { payment } = paymentEvent().parse(event.data);
      post({
        currency: payment.currency,
        // The day the money reached the bank, which the merchant may give (a past `paidAt`).
        date: dayOf(payment.paidAt ?? event.occurredAt),
        description: `Manual payment ${payment.id}${payment.invoiceId ? ` of invoice ${payment.invoiceId}` : ""}`,
        source: { object: "payment", id: payment.id },
        signed: { bank: payment.amount, accounts_receivable: -payment.amount },
      });
      break;
    }
    case "refund.succeeded":
    case "refund.failed": {
      const { refund, payment, balanceTransaction: bt } = refundEvent().parse(event.data);
      const source = { object: "refund", id: refund.id };
      const what = event.type === "refund.succeeded" ? "Refund" : "Failed refund reversed";
      if (bt)
        post({
          currency: bt.currency,
          date: bt.date,
          description: `${what} ${refund.id} of payment ${refund.paymentId}`,
          source,
          signed: { refunds: -bt.amount, processor_fees: bt.fee, processor_balance: bt.net },
        });
      else if (event.type === "refund.succeeded" && payment?.processor === "manual")
        post({
          currency: refund.currency,
          description: `Refund ${refund.id} of manual payment ${refund.paymentId}`,
          source,
          signed: { refunds: refund.amount, bank: -refund.amount },
        });
      break;
    }
    case "payment.dispute_closed": {
      const { payment, balanceTransaction: bt } = paymentEvent().parse(event.data);
      // Only a lost dispute moves money (a won one carries no balance transaction).
      if (bt)
        post({
          currency: bt.currency,
          date: bt.date,
          description: `Dispute lost on payment ${payment.id}`,
          source: { object: "payment", id: payment.id },
          signed: { disputes: -bt.amount, dispute_fees: bt.fee, processor_balance: bt.net },
        });
      break;
    }
    case "payout.paid": {
      const { payout } = payoutEvent().parse(event.data);
      post({
        currency: payout.currency,
        livemode: payout.livemode,
        description: `Payout ${payout.id}`,
        source: { object: "payout", id: payout.id },
        signed: { bank: payout.amount, processor_balance: -payout.amount },
      });
      break;
    }
    case "payout.failed": {
      const { payout } = payoutEvent().parse(event.data);
      if (payout.failure?.afterPaid)
        post({
          currency: payout.currency,
          livemode: payout.livemode,
          description: `Payout ${payout.id} returned by the bank`,
          source: { object: "payout", id: payout.id },
          signed: { processor_balance: payout.amount, bank: -payout.amount },
        });
      break;
    }
  }
  return entries;
}
