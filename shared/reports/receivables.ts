/**
 * Receivables (issue 16 §1), pure: open invoices by how many days they are past due, as of a local
 * date of the merchant. An invoice not yet due (or without a due date) is `current`; one due
 * yesterday is 1 day past due.
 */
import { localDate } from "../domain/calendar.ts";
import type { Clock } from "../domain/clock.ts";
import type { CurrencyCode } from "../domain/currency.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { merchantLivemode } from "../payments/mode.ts";
export const agingBuckets = ["current", "1_30", "31_60", "61_90", "over_90"] as const;
export type AgingBucket = (typeof agingBuckets)[number];

/** What the report needs of an open invoice. */
export interface Receivable {
  currency: string;
  /** Local date `YYYY-MM-DD`; absent on an invoice with no due date. */
  dueDate?: string | undefined;
  amountRemaining: number;
}

export interface ReceivablesRow {
  currency: string;
  bucket: AgingBucket;
  count: number;
  amount: number;
}

/** Whole days from `from` to `to` (local dates). */
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

export function agingBucket(dueDate: string | undefined, today: string): AgingBucket {
  const late = dueDate ? daysBetween(dueDate, today) : 0;
  if (late <= 0) return "current";
  if (late <= 30) return "1_30";
  if (late <= 60) return "31_60";
  if (late <= 90) return "61_90";
  return "over_90";
}

/**
 * Every currency that has an open invoice, each with all five buckets in order (zeros included),
 * currencies in alphabetical order.
 */
export function receivablesReport(invoices: Iterable<Receivable>, today: string): ReceivablesRow[] {
  const byCurrency = new Map<string, Map<AgingBucket, ReceivablesRow>>();
  for (const invoice of invoices) {
    let buckets = byCurrency.get(invoice.currency);
    if (!buckets) {
      buckets = new Map(
        agingBuckets.map((bucket) => [bucket, { currency: invoice.currency, bucket, count: 0, amount: 0 }]),
      );
      byCurrency.set(invoice.currency, buckets);
    }
    const row = buckets.get(agingBucket(invoice.dueDate, today)) as ReceivablesRow;
    row.count += 1;
    row.amount += invoice.amountRemaining;
  }
  return [...byCurrency.keys()].sort().flatMap((currency) => [...(byCurrency.get(currency)?.values() ?? [])]);
}

/** What the report reads: the open invoices (of one currency if given), a page at a time. */
export interface ReceivablesPorts {
  openInvoices(
    merchantId: string,
    currency: CurrencyCode | undefined,
    after: Record<string, unknown> | undefined,
  ): Promise<{ items: Receivable[]; next?: Record<string, unknown> | undefined }>;
  merchantOf(merchantId: string): Promise<Merchant | undefined>;
  clock: Clock;
}

/**
 * `GET /v1/reports/receivables` as of now, in the merchant's local date. Invoices keep no mode of their
 * own: a merchant's invoices are of its current mode, so asking for the other mode finds none.
 */
export async function receivables(
  ports: ReceivablesPorts,
  merchantId: string,
  query: { currency?: CurrencyCode | undefined; livemode?: boolean | undefined },
) {
  const merchant = await ports.merchantOf(merchantId);
  const mode = merchant ? merchantLivemode(merchant) : false;
  const livemode = query.livemode ?? mode;
  const now = ports.clock.now();
  const open: Receivable[] = [];
  if (livemode === mode) {
    let after: Record<string, unknown> | undefined;
    do {
      const page = await ports.openInvoices(merchantId, query.currency, after);
      open.push(...page.items);
      after = page.next;
    } while (after);
  }
  return {
    livemode,
    asOf: now.toISOString(),
    data: receivablesReport(open, localDate(now, merchant?.timeZone ?? "UTC")),
  };
}
