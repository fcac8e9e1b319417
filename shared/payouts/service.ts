/** Payout reads for the API: payouts (totals), and the balance transactions a payout sums, by page. */
import { NotFoundError } from "../domain/errors.ts";
import type { Position } from "../http/cursor.ts";
import type { BalanceTransaction } from "../payments/balance.ts";
import type { Payout, PayoutFilter } from "./payout.ts";
import type { PayoutStore } from "./ports.ts";
import { withSavedView } from "../views/apply.ts";
import type { SavedViewPorts } from "../views/ports.ts";

export interface PayoutReadPorts {
  payouts: PayoutStore;
}

export async function getPayout(
  { payouts }: PayoutReadPorts,
  merchantId: string,
  id: string,
): Promise<Payout> {
  const found = await payouts.read(merchantId, id);
  if (!found) throw new NotFoundError("Payout");
  return found.value;
}

export async function listPayouts(
  { payouts, views }: PayoutReadPorts & SavedViewPorts,
  merchantId: string,
  query: PayoutFilter & { limit: number; after?: Position; view?: string | undefined },
): Promise<{ items: Payout[]; next?: Position }> {
  const { limit, after, view, ...own } = query;
  const filter = await withSavedView(views, merchantId, "payouts", view, own);
  const page = await payouts.list(merchantId, filter, { limit, ...(after ? { after } : {}) });
  return { items: page.items, ...(page.next ? { next: page.next } : {}) };
}

/**
 * One page of the balance transactions a payout sums: its day's, in its currency, oldest first. A
 * Stripe payout has none (Stripe batches its own balance).
 */
export async function listPayoutBalanceTransactions(
  ports: PayoutReadPorts,
  merchantId: string,
  id: string,
  query: { limit: number; after?: Position },
): Promise<{ items: BalanceTransaction[]; next?: Position }> {
  const payout = await getPayout(ports, merchantId, id);
  if (payout.source === "stripe") return { items: [] };
  return ports.payouts.balanceTransactionsPage(merchantId, payout.date, payout.currency, query);
}
