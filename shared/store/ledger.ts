/**
 * The ledger's items (shared/ledger/ports.ts), in the merchant's partition:
 * - entries `LEDGER#<mode>#<local day>#<entry id>`: a range of days is one Query, oldest first;
 * - per-account rollups (report `ledger` of shared/store/keys.ts `rollup`): a `day` item per mode,
 *   day, currency and account, and a running `total` item per mode, currency and account, each with
 *   `debit` and `credit` counters moved only by `ADD`.
 * An event's entries, their rollups and the event's marker are one transaction, so an event is
 * posted whole and once; concurrent events of one merchant meet on the rollups and are retried
 * (as the reports' are).
 */
import type { Clock } from "../domain/clock.ts";
import type { Page, PageRequest } from "../domain/records.ts";
import type { LedgerAccount, LedgerEntry } from "../ledger/entry.ts";
import type { AccountBalance, LedgerEntryQuery, LedgerStore } from "../ledger/ports.ts";
import { type Filter, queryPage } from "./collection.ts";
import { queryItems, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";
import { eventMarkerSeconds, type KeyedTally, markAndAdd, markerPut, updates } from "./reports.ts";

const report = "ledger";
/** The running totals are one "period" that never ends. */
const allTime = { grain: "total", period: "all" } as const;

/** Each line's debit and credit, added to its account's day and running total. */
export function ledgerTallies(entries: readonly LedgerEntry[]): KeyedTally[] {
  return entries.flatMap((entry) =>
    entry.lines.flatMap((line) => {
      const dims = [entry.currency, line.account];
      const add = { debit: line.debit, credit: line.credit };
      return [
        { rollup: { report, livemode: entry.livemode, grain: "day", period: entry.date, dims }, add },
        { rollup: { report, livemode: entry.livemode, ...allTime, dims }, add },
      ];
    }),
  );
}

const entryPut = (merchantId: string, entry: LedgerEntry) => ({
  Put: {
    TableName: tableName(),
    Item: {
      ...keys.ledgerEntry(merchantId, entry.livemode, entry.date, entry.id),
      type: "ledgerEntry",
      ...entry,
      // For the account filter: a list `contains` can test.
      accounts: entry.lines.map((line) => line.account),
    },
    ConditionExpression: "attribute_not_exists(PK)",
  },
});

const entryOf = (item: Record<string, unknown>): LedgerEntry => ({
  id: String(item.id),
  livemode: item.livemode === true,
  currency: String(item.currency),
  postedAt: String(item.postedAt),
  date: String(item.date),
  description: String(item.description),
  source: item.source as LedgerEntry["source"],
  eventId: String(item.eventId),
  lines: item.lines as LedgerEntry["lines"],
});

function filterOf(query: LedgerEntryQuery): Filter | undefined {
  const clauses: Filter[] = [
    ...(query.account
      ? [{ expression: "contains(accounts, :account)", values: { ":account": query.account } }]
      : []),
    ...(query.currency
      ? [{ expression: "currency = :currency", values: { ":currency": query.currency } }]
      : []),
  ];
  if (clauses.length === 0) return undefined;
  return {
    expression: clauses.map((c) => c.expression).join(" AND "),
    values: Object.assign({}, ...clauses.map((c) => c.values)),
  };
}

async function listEntries(
  merchantId: string,
  query: LedgerEntryQuery,
  page: Pick<PageRequest, "limit" | "after">,
): Promise<Page<LedgerEntry>> {
  const range = keys.ledgerEntryRange(merchantId, query.livemode, query.from, query.to);
  const found = await queryPage(
    {
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":pk": range.PK, ":from": range.from, ":to": range.to },
      ScanIndexForward: true,
    },
    { limit: page.limit, after: page.after, filter: filterOf(query) },
    (item) => keys.ledgerEntry(merchantId, query.livemode, String(item.date), String(item.id)),
  );
  return { items: found.items.map(entryOf), ...(found.next ? { next: found.next } : {}) };
}

export const dynamoLedgerStore = (clock: Clock): LedgerStore => ({
  postOnce: (merchantId, eventId, entries) =>
    markAndAdd(
      markerPut(
        keys.processedMessage("ledger", eventId),
        Math.floor(clock.now().getTime() / 1000) + eventMarkerSeconds,
      ),
      [
        ...entries.map((entry) => entryPut(merchantId, entry)),
        ...updates(merchantId, ledgerTallies(entries)),
      ],
    ),
  list: listEntries,
  async balances(merchantId, livemode, asOf) {
    const range = asOf
      ? keys.rollupRange(merchantId, { report, livemode, grain: "day" }, "0000-00-00", asOf)
      : keys.rollupRange(
          merchantId,
          { report, livemode, grain: allTime.grain },
          allTime.period,
          allTime.period,
        );
    const sums = new Map<string, AccountBalance>();
    for await (const item of queryItems({
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
      ExpressionAttributeValues: { ":pk": range.PK, ":from": range.from, ":to": range.to },
    })) {
      const [currency = "", account = ""] = item.dims as string[];
      const row = sums.get(`${currency}#${account}`) ?? {
        account: account as LedgerAccount,
        currency,
        debit: 0,
        credit: 0,
        balance: 0,
      };
      row.debit += Number(item.debit ?? 0);
      row.credit += Number(item.credit ?? 0);
      row.balance = row.debit - row.credit;
      sums.set(`${currency}#${account}`, row);
    }
    return [...sums.values()];
  },
});

/**
 * Every entry of `livemode` dated `from` to `to` (local days, both included), optionally in one
 * currency, oldest first: all pages (the accounting exports read a period whole).
 */
export async function ledgerEntriesBetween(
  merchantId: string,
  query: { livemode: boolean; from: string; to: string; currency?: string | undefined },
): Promise<LedgerEntry[]> {
  const entries: LedgerEntry[] = [];
  let after: Record<string, unknown> | undefined;
  do {
    const page = await listEntries(merchantId, query, { limit: 100, ...(after ? { after } : {}) });
    entries.push(...page.items);
    after = page.next;
  } while (after);
  return entries;
}
