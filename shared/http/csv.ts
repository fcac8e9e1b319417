/**
 * CSV exports of lists: a list's columns (name, meaning, how to read a row). The writer that turns
 * rows into text is `csv-writer.ts`, loaded only by responses that are CSV.
 */
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

/** The column list as documentation: `name` — description, one per line. */
export const describeColumns = (columns: readonly CsvColumn<never>[]): string =>
  columns.map((c) => `\`${c.name}\` — ${c.description}`).join("; ");
