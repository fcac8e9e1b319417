/**
 * Accounting exports: the map from Kassa's ledger accounts to the merchant's chart of accounts, and
 * the ledger's journals as the CSV Xero or QuickBooks Online import as manual journals
 * (shared/ledger/exports.ts has the layouts).
 */
import * as z from "zod";
import { defineOperation } from "../http/operation.ts";
import { defaultAccountMapping } from "../ledger/account-mapping.ts";
import { ledgerAccounts } from "../ledger/entry.ts";
import { exportFormats } from "../ledger/exports.ts";
import { maxRangeDays, rangeProblem } from "../reports/periods.ts";
import { calendarDate, currency, flag } from "./common.ts";
import { lazy } from "../lazy.ts";

/** Printable text on one line: these cells go into another tool's import as they are. */
const cell = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]*$/u, "must not contain control characters");

const mappedAccount = lazy(() =>
  z.strictObject({
    code: cell(10).describe("Xero AccountCode: the code alone (200, not 200 - Sales), at most 10 characters"),
    name: cell(100).describe("QuickBooks Online Account Name (Parent:Sub for a sub-account)"),
    taxRate: cell(50).describe(
      "Xero TaxRate: the full name of a rate in the organisation's tax settings, e.g. Tax Exempt",
    ),
  }),
);

const accountsOf = <T extends z.ZodType>(value: T) =>
  z.strictObject(
    Object.fromEntries(ledgerAccounts.map((account) => [account, value])) as Record<
      (typeof ledgerAccounts)[number],
      T
    >,
  );

const accountMapping = lazy(() =>
  z.object({
    accounts: accountsOf(mappedAccount()).describe(
      `Every ledger account's mapping; until changed, placeholders (revenue: ${JSON.stringify(defaultAccountMapping.revenue)})`,
    ),
    updatedAt: z.string().nullable().describe("When it was last changed; null while it is the defaults"),
  }),
);

export const getAccountMapping = defineOperation({
  id: "getLedgerAccountMapping",
  method: "GET",
  path: "/v1/ledger/account-mapping",
  auth: "merchant",
  tag: "Ledger",
  summary: "The map from Kassa's ledger accounts to your chart of accounts, used by the accounting exports",
  response: accountMapping,
  status: 200,
});

export const updateAccountMapping = defineOperation({
  id: "updateLedgerAccountMapping",
  method: "PATCH",
  path: "/v1/ledger/account-mapping",
  auth: "merchant",
  tag: "Ledger",
  summary: "Change the mapping of some accounts; fields left out keep their values",
  body: () =>
    z.strictObject({
      accounts: accountsOf(
        mappedAccount()
          .partial()
          .refine((v) => Object.keys(v).length > 0, "must change a field"),
      )
        .partial()
        .refine((v) => Object.keys(v).length > 0, "must name at least one account"),
    }),
  response: accountMapping,
  status: 200,
});

export const exportJournals = defineOperation({
  id: "exportLedgerJournals",
  method: "GET",
  path: "/v1/ledger/exports/{format}",
  auth: "merchant",
  tag: "Ledger",
  summary:
    "The ledger's journals of a range and currency as the CSV Xero (format xero) or QuickBooks Online (quickbooks) imports as manual journals, one part at a time",
  params: () => z.strictObject({ format: z.enum(exportFormats) }),
  query: () =>
    z
      .strictObject({
        from: calendarDate().describe("The first local day (YYYY-MM-DD, the merchant's time zone)"),
        to: calendarDate().describe(`The last local day, included; at most ${maxRangeDays} days in all`),
        currency: currency().describe(
          "The currency of the file set (neither tool's layout has a currency column)",
        ),
        part: z.coerce
          .number()
          .int()
          .min(1)
          .max(10_000)
          .default(1)
          .describe("Which part (1 = first); Kassa-Export-Parts says how many, Link rel=next the next one"),
        livemode: flag().optional().describe("The mode to export; default the merchant's current mode"),
      })
      .superRefine(({ from, to }, ctx) => {
        const problem = rangeProblem(from, to);
        if (problem) ctx.addIssue({ code: "custom", path: ["to"], message: problem });
      }),
  produces: "text/csv",
  status: 200,
});

export const ledgerExportOperations = [getAccountMapping, updateAccountMapping, exportJournals];
