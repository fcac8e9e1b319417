/**
 * Journal CSV files for accounting tools' manual-journal import, from the ledger's entries of one
 * currency (neither layout has a currency column, so a file set is one currency). Layouts as the tools
 * document them:
 * - Xero (help.xero.com "Enter multiple manual journals using an import template"): Narration, Date
 *   (dd/mm/yyyy), Description, AccountCode, TaxRate, Amount (positive = debit, negative = credit),
 *   TrackingName1/TrackingOption1/TrackingName2/TrackingOption2; rows with the same narration and date
 *   form one journal; at most 300 lines per file.
 * - QuickBooks Online (Intuit "Import journal entries"): Journal No., Journal Date, Account Name,
 *   Debits, Credits, Description, Name; rows with the same journal number form one entry. Dates
 *   MM/DD/YYYY (a US company's format). Intuit documents no line limit there: Kassa cuts at 1,000.
 * An entry's lines never straddle two files (each file imports balanced journals), so a file holds
 * whole entries up to the tool's limit; the parts are numbered from 1 in the entries' order.
 */
import { type CsvColumn, amountColumn, textColumn } from "../http/csv.ts";
import { csvHeader, csvLine } from "../http/csv-writer.ts";
import type { AccountMapping } from "./account-mapping.ts";
import type { LedgerEntry, LedgerLine } from "./entry.ts";

export const exportFormats = ["xero", "quickbooks"] as const;
export type ExportFormat = (typeof exportFormats)[number];

/** One journal line as a row: the entry it belongs to, the line and its account as the merchant mapped it. */
interface Row {
  entry: LedgerEntry;
  line: LedgerLine;
  code: string;
  name: string;
  taxRate: string;
  currency: string;
}

const [dmy, mdy] = [
  (date: string) => date.split("-").reverse().join("/"),
  (date: string) => {
    const [y, m, d] = date.split("-");
    return `${m}/${d}/${y}`;
  },
];

/** The line's text: Kassa's account and the entry's source, so a reader finds both in Kassa. */
const lineText = ({ entry, line }: Row) =>
  `${line.account}: ${entry.description} (${entry.source.object} ${entry.source.id})`;

/**
 * QuickBooks' journal number: the entry id without its prefix, its last 21 characters when longer
 * (the field's length), so re-exporting a range numbers each entry the same.
 */
export const journalNumber = (entryId: string) => entryId.slice(entryId.indexOf("_") + 1).slice(-21);

const xeroColumns: CsvColumn<Row>[] = [
  // Narration groups rows into one journal (with the date): the entry id keeps two entries of a day apart.
  textColumn("Narration", "The entry's description and id", ({ entry }) => `${entry.description} (${entry.id})`),
  textColumn("Date", "The entry's local date, dd/mm/yyyy", ({ entry }) => dmy(entry.date)),
  textColumn("Description", "Kassa account, entry description and source object", lineText),
  textColumn("AccountCode", "The mapped account code", (row) => row.code),
  textColumn("TaxRate", "The mapped Xero tax rate name", (row) => row.taxRate),
  amountColumn("Amount", "Debit positive, credit negative", ({ line }) => line.debit - line.credit),
  ...["TrackingName1", "TrackingOption1", "TrackingName2", "TrackingOption2"].map((name) =>
    textColumn<Row>(name, "Left empty", () => undefined),
  ),
];

const quickbooksColumns: CsvColumn<Row>[] = [
  textColumn("Journal No.", "The entry id without its prefix (last 21 characters)", ({ entry }) =>
    journalNumber(entry.id),
  ),
  textColumn("Journal Date", "The entry's local date, MM/DD/YYYY", ({ entry }) => mdy(entry.date)),
  textColumn("Account Name", "The mapped QuickBooks account name", (row) => row.name),
  amountColumn("Debits", "The debit, empty on a credit line", ({ line }) => line.debit || undefined),
  amountColumn("Credits", "The credit, empty on a debit line", ({ line }) => line.credit || undefined),
  textColumn("Description", "Kassa account, entry description and source object", lineText),
  textColumn("Name", "Left empty: Kassa's entries name no customer", () => undefined),
];

export const exportLayouts: Record<ExportFormat, { columns: CsvColumn<Row>[]; maxLines: number }> = {
  xero: { columns: xeroColumns, maxLines: 300 },
  quickbooks: { columns: quickbooksColumns, maxLines: 1_000 },
};

/** The entries in file order: by local date, then when they were posted, then id. */
const inOrder = (entries: readonly LedgerEntry[]) =>
  [...entries].sort(
    (a, b) =>
      a.date.localeCompare(b.date) || a.postedAt.localeCompare(b.postedAt) || a.id.localeCompare(b.id),
  );

/**
 * The entries (of `currency`; others are left out) cut into parts of at most `maxLines` lines, whole
 * entries only; no entries is one empty part. Lines of zero are left out (they post nothing).
 */
export function exportParts(
  entries: readonly LedgerEntry[],
  currency: string,
  maxLines: number,
): LedgerEntry[][] {
  const parts: LedgerEntry[][] = [[]];
  let lines = 0;
  for (const entry of inOrder(entries.filter((e) => e.currency === currency))) {
    const count = postingLines(entry).length;
    const current = parts.at(-1) as LedgerEntry[];
    if (current.length > 0 && lines + count > maxLines) {
      parts.push([entry]);
      lines = count;
    } else {
      current.push(entry);
      lines += count;
    }
  }
  return parts;
}

const postingLines = (entry: LedgerEntry) => entry.lines.filter((l) => l.debit !== 0 || l.credit !== 0);

/** One part's CSV (header row first) in `format`'s layout, accounts as `mapping` maps them. */
export function exportCsv(format: ExportFormat, part: readonly LedgerEntry[], mapping: AccountMapping): string {
  const { columns } = exportLayouts[format];
  const rows = part.flatMap((entry) =>
    postingLines(entry).map((line): Row => ({ entry, line, ...mapping[line.account], currency: entry.currency })),
  );
  return csvHeader(columns as CsvColumn<never>[]) + rows.map((row) => csvLine(columns, row)).join("");
}

/** The file's name: what, which currency and range, which part of how many. */
export const exportFilename = (
  format: ExportFormat,
  query: { currency: string; from: string; to: string },
  part: number,
  parts: number,
) => `kassa-${format}-journals-${query.currency}-${query.from}-to-${query.to}-part-${part}-of-${parts}.csv`;
