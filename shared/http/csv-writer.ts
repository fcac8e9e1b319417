/**
 * The CSV writer: rows of a list's columns (`csv.ts`) as RFC 4180 text with `csv-stringify` — UTF-8
 * without a BOM, CRLF line ends, a field quoted when it holds a comma, a quote, a CR or an LF. A text
 * cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, TAB or CR) is
 * prefixed with `'`; number and amount cells are written as numbers and never touched, so `-12.50`
 * stays a number. Its own module so that only CSV responses load `csv-stringify`.
 */
import { stringify } from "csv-stringify/sync";
import type { CsvColumn } from "./csv.ts";

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
