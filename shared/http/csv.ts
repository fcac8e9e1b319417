/**
 * CSV exports of lists: a list's columns (name, meaning, how to read a row) and the writer that turns
 * rows into RFC 4180 text with `csv-stringify` — UTF-8 without a BOM, CRLF line ends, a field quoted
 * when it holds a comma, a quote, a CR or an LF. A text cell that a spreadsheet would run as a formula
 * (starting with `=`, `+`, `-`, `@`, TAB or CR) is prefixed with `'`; number and amount cells are
 * written as numbers and never touched, so `-12.50` stays a number.
 */
import { stringify } from "csv-stringify/sync";
import { majorUnits } from "../domain/format.ts";

export type CsvKind = "text" | "number" | "amount";

/** One column of a list's CSV export. */
export interface CsvColumn<T> {
  readonly name: string;
  /** What the column holds, for the README and the OpenAPI document. */
  readonly description: string;
  readonly kind: CsvKind;
  /** The cell of `row`: text, an integer, or (amount) the major-unit decimal string; empty when absent. */
  cell(row: T): string | number | undefined;
}

type Maybe<V> = V | null | undefined;

export const textColumn = <T>(
  name: string,
  description: string,
  value: (row: T) => Maybe<string | boolean>,
): CsvColumn<T> => ({
  name,
  description,
  kind: "text",
  cell: (row) => {
    const v = value(row);
    return v === null || v === undefined ? undefined : String(v);
  },
});

export const numberColumn = <T>(
  name: string,
  description: string,
  value: (row: T) => Maybe<number>,
): CsvColumn<T> => ({ name, description, kind: "number", cell: (row) => value(row) ?? undefined });

/** An amount of minor units in the row's currency (its `currency` column), written in major units. */
export const amountColumn = <T extends { currency: string }>(
  name: string,
  description: string,
  value: (row: T) => Maybe<number>,
): CsvColumn<T> => ({
  name,
  description: `${description} (major units, e.g. 42.50)`,
  kind: "amount",
  cell: (row) => {
    const v = value(row);
    return v === null || v === undefined ? undefined : majorUnits(v, row.currency);
  },
});

/** Characters that make a spreadsheet read a cell as a formula (or hide what follows). */
const formulaStart = /^[=+\-@\t\r]/;

/** A text cell made inert: `=HYPERLINK("x")` → `'=HYPERLINK("x")`. */
export const neutralise = (text: string): string => (formulaStart.test(text) ? `'${text}` : text);

const options = {
  record_delimiter: "\r\n",
  // RFC 4180: a field with a line break is quoted; csv-stringify quotes only its own delimiter by default.
  quoted_match: /[\r\n]/,
} as const;

/** The header line (CRLF-terminated). */
export const csvHeader = (columns: readonly CsvColumn<never>[]): string =>
  stringify([columns.map((c) => c.name)], options);

/** One row as a CRLF-terminated line. */
export function csvLine<T>(columns: readonly CsvColumn<T>[], row: T): string {
  return stringify(
    [
      columns.map((column) => {
        const cell = column.cell(row);
        if (cell === undefined) return "";
        return column.kind === "text" && typeof cell === "string" ? neutralise(cell) : cell;
      }),
    ],
    options,
  );
}

/** The column list as documentation: `name` — description, one per line. */
export const describeColumns = (columns: readonly CsvColumn<never>[]): string =>
  columns.map((c) => `\`${c.name}\` — ${c.description}`).join("; ");
