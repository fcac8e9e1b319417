/**
 * The ledger's use cases: posting an event (the ledger queue's consumer), and the reads — entries by
 * local day, account and currency, and the trial balance from the running per-account totals.
 */
import type { DomainEvent } from "../domain/events.ts";
import { NotFoundError, ValidationError } from "../domain/errors.ts";
import { merchantLivemode } from "../payments/mode.ts";
import { type LedgerAccount, type LedgerEntry, ledgerAccounts } from "./entry.ts";
import type { AccountBalance, LedgerEntryQuery, LedgerPorts } from "./ports.ts";
import { postingsFor } from "./postings.ts";

/**
 * Posts the event's entries once (a redelivery finds the event's marker and writes nothing). An
 * event of a merchant that no longer exists posts nothing; one that moves no money writes nothing,
 * not even a marker.
 */
export async function postEvent(ports: LedgerPorts, event: DomainEvent): Promise<LedgerEntry[]> {
  const merchant = await ports.merchantOf(event.merchantId);
  if (!merchant) return [];
  const entries = postingsFor(event, { timeZone: merchant.timeZone, livemode: merchantLivemode(merchant) });
  if (entries.length === 0) return [];
  return (await ports.ledger.postOnce(event.merchantId, event.id, entries)) ? entries : [];
}

/** The mode a read asks for, or the merchant's current one. */
async function modeOf(ports: LedgerPorts, merchantId: string, asked: boolean | undefined) {
  if (asked !== undefined) return asked;
  const merchant = await ports.merchantOf(merchantId);
  if (!merchant) throw new NotFoundError("Merchant");
  return merchantLivemode(merchant);
}

export async function listLedgerEntries(
  ports: LedgerPorts,
  merchantId: string,
  query: Omit<LedgerEntryQuery, "livemode"> & {
    livemode?: boolean | undefined;
    limit: number;
    after?: Record<string, unknown> | undefined;
  },
) {
  const { limit, after, livemode, ...filters } = query;
  if (filters.from && filters.to && filters.from > filters.to)
    throw new ValidationError([{ path: "to", message: "must not be before from" }]);
  return ports.ledger.list(
    merchantId,
    { ...filters, livemode: await modeOf(ports, merchantId, livemode) },
    { limit, ...(after ? { after } : {}) },
  );
}

const chartOrder = (account: LedgerAccount) => ledgerAccounts.indexOf(account);

/**
 * The trial balance now, or at the end of local day `asOf`: every account touched, per currency
 * (currencies in code order, accounts in chart order), with Σ debits, Σ credits and debits − credits.
 * Per currency the balances sum to zero.
 */
export async function ledgerBalances(
  ports: LedgerPorts,
  merchantId: string,
  query: { livemode?: boolean | undefined; currency?: string | undefined; asOf?: string | undefined },
): Promise<{ livemode: boolean; data: AccountBalance[] }> {
  const livemode = await modeOf(ports, merchantId, query.livemode);
  const data = (await ports.ledger.balances(merchantId, livemode, query.asOf))
    .filter((row) => !query.currency || row.currency === query.currency)
    .sort((a, b) => a.currency.localeCompare(b.currency) || chartOrder(a.account) - chartOrder(b.account));
  return { livemode, data };
}
