/**
 * The columns of each list's CSV export (`Accept: text/csv` or `?format=csv`), read from the object
 * the JSON list returns. Amounts are in major units with the row's `currency` beside them; times are
 * ISO 8601 instants as in JSON. The README's "Saved views and CSV exports" lists the same columns.
 */
import type * as z from "zod";
import type { Quote } from "../quotes/quote.ts";
import type { Subscription } from "../subscriptions/subscription.ts";
import {
  amountColumn as amount,
  type CsvColumn,
  numberColumn as number,
  textColumn as text,
} from "../http/csv.ts";
import type { checkoutSession } from "./checkout-sessions.ts";
import type { customer } from "./customers.ts";
import type { invoice } from "./invoices.ts";
import type { ledgerEntry } from "./ledger.ts";
import { ledgerAccounts } from "../ledger/entry.ts";
import type { payment } from "./payment.ts";
import type { paymentLink } from "./payment-links.ts";
import type { refund } from "./payments.ts";
import type { payout } from "./payouts.ts";
import type { task } from "./tasks.ts";

/** A row: what the list's item schema (a `lazy` thunk) parses to. */
type Row<S extends () => z.ZodType> = z.output<ReturnType<S>>;

const id = <T extends { id: string }>(what: string) => text<T>("id", `The ${what}'s id`, (r) => r.id);
const created = <T extends { createdAt: string }>() =>
  text<T>("createdAt", "When it was created (ISO 8601)", (r) => r.createdAt);
const currency = <T extends { currency: string }>() =>
  text<T>("currency", "ISO 4217 code of the amounts", (r) => r.currency);

export const customerColumns: CsvColumn<Row<typeof customer>>[] = [
  id("customer"),
  text("email", "Email", (r) => r.email),
  text("name", "Name", (r) => r.name),
  text("companyName", "Company name", (r) => r.companyName),
  text("phone", "Phone", (r) => r.phone),
  text("country", "Address country (ISO 3166-1 alpha-2)", (r) => r.address?.country),
  text("city", "Address city", (r) => r.address?.city),
  text("postalCode", "Address postal code", (r) => r.address?.postalCode),
  text("accountOwnerEmail", "The account owner's email", (r) => r.accountOwner?.email),
  text("testClockId", "The test clock it is bound to", (r) => r.testClockId),
  created(),
];

export const invoiceColumns: CsvColumn<Row<typeof invoice>>[] = [
  id("invoice"),
  text("number", "Invoice number (once finalized)", (r) => r.number),
  text("status", "draft, open, paid, void or uncollectible", (r) => r.status),
  text("overdue", "true when open and past due", (r) => r.overdue),
  text("customerId", "The customer's id", (r) => r.customerId),
  text("customerEmail", "The customer's email", (r) => r.customer.email),
  text("customerName", "The customer's name", (r) => r.customer.name),
  currency(),
  amount("subtotal", "Σ lines before discounts", (r) => r.subtotal),
  amount("discountTotal", "Σ discounts", (r) => r.discountTotal),
  amount("taxTotal", "Σ taxes", (r) => r.taxTotal),
  amount("total", "Total", (r) => r.total),
  amount("amountPaid", "Paid so far", (r) => r.amountPaid),
  amount("amountRemaining", "Still to pay", (r) => r.amountRemaining),
  text("dueDate", "Due date (YYYY-MM-DD)", (r) => r.dueDate),
  text("issuedAt", "When it was finalized", (r) => r.issuedAt),
  text("paidAt", "When it was paid", (r) => r.paidAt),
  text("subscriptionId", "The subscription it bills", (r) => r.subscriptionId),
  created(),
];

export const paymentColumns: CsvColumn<Row<typeof payment>>[] = [
  id("payment"),
  text("status", "processing, succeeded, failed, partially_refunded, refunded or disputed", (r) => r.status),
  currency(),
  amount("amount", "Amount charged", (r) => r.amount),
  amount("fee", "Processor fee", (r) => r.fee),
  amount("net", "amount − fee", (r) => r.net),
  amount("amountRefunded", "Refunded so far", (r) => r.amountRefunded),
  text("customerId", "The customer's id", (r) => r.customerId),
  text("invoiceId", "The invoice it paid", (r) => r.invoiceId),
  text("processor", "sandbox or stripe", (r) => r.processor),
  text("livemode", "false for test-mode money", (r) => r.livemode),
  text("paidAt", "When it succeeded", (r) => r.paidAt),
  created(),
];

export const subscriptionColumns: CsvColumn<Subscription>[] = [
  id("subscription"),
  text("status", "The subscription's status", (r) => r.status),
  text("customerId", "The customer's id", (r) => r.customerId),
  currency(),
  text("interval", "month, quarter, half_year or year", (r) => r.interval),
  number("itemCount", "How many items it bills", (r) => r.items.length),
  text("currentPeriodStart", "Start of the current period", (r) => r.currentPeriodStart),
  text("currentPeriodEnd", "End of the current period", (r) => r.currentPeriodEnd),
  text("cancelAtPeriodEnd", "true when it ends at the period's end", (r) => r.cancelAtPeriodEnd),
  text("canceledAt", "When it was canceled", (r) => r.canceledAt),
  text("trialEnd", "End of its trial", (r) => r.trialEnd),
  created(),
];

export const quoteColumns: CsvColumn<Quote>[] = [
  id("quote"),
  text("number", "Quote number (once published)", (r) => r.number),
  text("status", "draft, open, accepted, declined, expired, canceled or superseded", (r) => r.status),
  text("title", "Title", (r) => r.title),
  text("customerId", "The customer's id", (r) => r.customerId),
  text("customerEmail", "The customer's email", (r) => r.customer.email),
  currency(),
  amount("total", "Total", (r) => r.total),
  text("expiresAt", "When it expires", (r) => r.expiresAt),
  created(),
];

export const paymentLinkColumns: CsvColumn<Row<typeof paymentLink>>[] = [
  id("payment link"),
  text("name", "Name", (r) => r.name),
  text("url", "The link buyers open", (r) => r.url),
  text("active", "true while it sells", (r) => r.active),
  currency(),
  text("interval", "Recurring interval (empty: one-time)", (r) => r.interval),
  number("timesRedeemed", "Completed checkouts", (r) => r.timesRedeemed),
  number("maxRedemptions", "Most completed checkouts allowed", (r) => r.maxRedemptions),
  text("expiresAt", "When it stops selling", (r) => r.expiresAt),
  created(),
];

export const checkoutSessionColumns: CsvColumn<Row<typeof checkoutSession>>[] = [
  id("checkout session"),
  text("paymentLinkId", "The payment link", (r) => r.paymentLinkId),
  text("status", "The session's status", (r) => r.status),
  text("email", "The buyer's email", (r) => r.email),
  text("name", "The buyer's name", (r) => r.name),
  currency(),
  amount("total", "Total", (r) => r.total),
  amount("amountDueNow", "Charged at checkout", (r) => r.amountDueNow),
  text("customerId", "The customer it made", (r) => r.customerId),
  text("paymentId", "The payment", (r) => r.paymentId),
  text("subscriptionId", "The subscription it started", (r) => r.subscriptionId),
  created(),
];

export const refundColumns: CsvColumn<Row<typeof refund>>[] = [
  id("refund"),
  text("paymentId", "The refunded payment", (r) => r.paymentId),
  text("customerId", "The customer's id", (r) => r.customerId),
  text("status", "pending, succeeded or failed", (r) => r.status),
  currency(),
  amount("amount", "Amount refunded", (r) => r.amount),
  text("reason", "duplicate, fraudulent or requested_by_customer", (r) => r.reason),
  text("livemode", "false for test-mode money", (r) => r.livemode),
  created(),
];

export const payoutColumns: CsvColumn<Row<typeof payout>>[] = [
  id("payout"),
  text("date", "The local day it covers (YYYY-MM-DD)", (r) => r.date),
  text("status", "paid, failed or skipped", (r) => r.status),
  currency(),
  amount("amount", "Net paid out (negative when the day's net was)", (r) => r.amount),
  amount("grossAmount", "Σ charges", (r) => r.grossAmount),
  amount("feeTotal", "Σ fees", (r) => r.feeTotal),
  amount("refundTotal", "Σ refunds", (r) => r.refundTotal),
  amount("disputeTotal", "Σ lost disputes", (r) => r.disputeTotal),
  number("chargeCount", "Charges", (r) => r.chargeCount),
  number("refundCount", "Refunds", (r) => r.refundCount),
  text("source", "sandbox or stripe", (r) => r.source),
  text("livemode", "false for test-mode money", (r) => r.livemode),
  created(),
];

export const taskColumns: CsvColumn<Row<typeof task>>[] = [
  id("task"),
  text("title", "Title", (r) => r.title),
  text("status", "The task's status", (r) => r.status),
  text("dueDate", "Due date (YYYY-MM-DD)", (r) => r.dueDate),
  text("customerId", "Related customer", (r) => r.related.customerId),
  text("invoiceId", "Related invoice", (r) => r.related.invoiceId),
  text("paymentId", "Related payment", (r) => r.related.paymentId),
  text("subscriptionId", "Related subscription", (r) => r.related.subscriptionId),
  text("quoteId", "Related quote", (r) => r.related.quoteId),
  text("createdBy", "api, or the workflow that created it", (r) => r.createdBy),
  text("completedAt", "When it was completed", (r) => r.completedAt),
  created(),
];

/** One row per entry, one signed column per account (debit − credit), blank where the entry has no line. */
export const ledgerEntryColumns: CsvColumn<Row<typeof ledgerEntry>>[] = [
  id("ledger entry"),
  text("date", "Its local day (YYYY-MM-DD)", (r) => r.date),
  text("postedAt", "The instant of its event (ISO 8601)", (r) => r.postedAt),
  currency(),
  text("description", "What happened", (r) => r.description),
  text("sourceObject", "invoice, payment, refund or payout", (r) => r.source.object),
  text("sourceId", "The source object's id", (r) => r.source.id),
  text("eventId", "The event it was posted from", (r) => r.eventId),
  text("livemode", "false for test-mode money", (r) => r.livemode),
  ...ledgerAccounts.map((name) =>
    amount<Row<typeof ledgerEntry>>(name, `Debit − credit on ${name}`, (r) => {
      const line = r.lines.find((l) => l.account === name);
      return line ? line.debit - line.credit : undefined;
    }),
  ),
];
