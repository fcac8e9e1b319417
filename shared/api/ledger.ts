/**
 * Operations on the ledger (shared/ledger/): its entries, oldest first, by local day, account and
 * currency (JSON or CSV), and the trial balance now from the running per-account totals. Both read
 * the mode the merchant is in unless `livemode` names one.
 */
import * as z from "zod";
import { ledgerAccounts } from "../ledger/entry.ts";
import { defineOperation } from "../http/operation.ts";
import { calendarDate, currency, flag, listQuery, page, viewAndFormat } from "./common.ts";
import { ledgerEntryColumns } from "./csv-columns.ts";
import { lazy } from "../lazy.ts";

const money = lazy(() => z.number().int().nonnegative());
const account = lazy(() => z.enum(ledgerAccounts));
const livemode = lazy(() =>
  flag()
    .optional()
    .describe("The mode to read (true: live money, false: test); default the merchant's current mode"),
);

export const ledgerLine = lazy(() =>
  z.object({
    account: account(),
    debit: money().describe("Minor units; 0 when the line is a credit"),
    credit: money().describe("Minor units; 0 when the line is a debit"),
  }),
);

export const ledgerEntry = lazy(() =>
  z.object({
    id: z
      .string()
      .describe("le_<the source event's ULID>_<n>: the same entries whenever the event is posted"),
    livemode: z.boolean(),
    currency: z.string(),
    postedAt: z.string().describe("The instant of the event that posted it (ISO 8601)"),
    date: z
      .string()
      .describe("Its day in the merchant's time zone (YYYY-MM-DD): a balance transaction's own day"),
    description: z.string(),
    source: z
      .object({ object: z.string(), id: z.string() })
      .describe("The object the money belongs to: an invoice, payment, refund or payout"),
    eventId: z.string().describe("The domain event it was posted from (GET /v1/events/{id})"),
    lines: z.array(ledgerLine()).describe("Σ debit = Σ credit"),
  }),
);

export const listLedgerEntries = defineOperation({
  id: "listLedgerEntries",
  method: "GET",
  path: "/v1/ledger/entries",
  auth: "merchant",
  tag: "Ledger",
  summary: "List ledger entries, oldest first; filter by local day range, account and currency",
  query: () =>
    listQuery()
      .extend({
        from: calendarDate().optional().describe("The first local day (YYYY-MM-DD), included"),
        to: calendarDate().optional().describe("The last local day (YYYY-MM-DD), included; not before from"),
        account: account().optional().describe("Only entries with a line on this account"),
        currency: currency().optional(),
        livemode: livemode(),
        format: viewAndFormat().format,
      })
      .superRefine((query, ctx) => {
        if (query.from && query.to && query.from > query.to)
          ctx.addIssue({ code: "custom", path: ["to"], message: "must not be before from" });
      }),
  response: () => page(ledgerEntry()),
  csv: ledgerEntryColumns,
  status: 200,
});

export const accountBalance = lazy(() =>
  z.object({
    account: account(),
    currency: z.string(),
    debit: money().describe("Σ debits"),
    credit: money().describe("Σ credits"),
    balance: z.number().int().describe("debit − credit (negative: a credit balance)"),
  }),
);

export const getLedgerBalances = defineOperation({
  id: "getLedgerBalances",
  method: "GET",
  path: "/v1/ledger/balances",
  auth: "merchant",
  tag: "Ledger",
  summary:
    "The trial balance now (or at the end of a local day): each account's debits, credits and balance per currency (balances sum to zero)",
  query: () =>
    z.strictObject({
      currency: currency().optional(),
      livemode: livemode(),
      asOf: calendarDate()
        .optional()
        .describe(
          "The balances at the end of this local day (YYYY-MM-DD), summed from the daily rollups; default now, from the running totals",
        ),
    }),
  response: () =>
    z.object({
      livemode: z.boolean().describe("The mode the balances are of"),
      data: z.array(accountBalance()),
    }),
  status: 200,
});

export const ledgerOperations = [listLedgerEntries, getLedgerBalances];
