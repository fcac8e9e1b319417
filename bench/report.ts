/** Output helpers shared by every bench section: an aligned text table and the JSON results folder. */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export type Cell = string | number | null | undefined;
export type Row = Readonly<Record<string, Cell>>;

/** `.kassa/bench/` at the repository root (git-ignored). */
export const benchDir = join(import.meta.dirname, "..", ".kassa", "bench");

function decimals(n: number): number {
  return Number.isFinite(n) ? (String(n).split(".")[1]?.length ?? 0) : 0;
}

function show(cell: Cell, fraction: number): string {
  if (cell === null || cell === undefined) return "";
  if (typeof cell !== "number") return cell;
  if (Number.isNaN(cell)) return "n/a";
  return cell.toLocaleString("en-US", { minimumFractionDigits: fraction, maximumFractionDigits: fraction });
}

/**
 * Renders rows as an aligned table: columns are the row keys that hold a value in some row; numeric
 * columns are right-aligned with a common number of decimals.
 */
export function formatTable(title: string, rows: readonly Row[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))].filter((c) =>
    rows.some((r) => r[c] != null),
  );
  const numeric = columns.map((c) => rows.every((r) => r[c] == null || typeof r[c] === "number"));
  const fractions = columns.map((c) =>
    Math.max(0, ...rows.map((r) => (typeof r[c] === "number" ? decimals(r[c] as number) : 0))),
  );
  const cells = rows.map((r) => columns.map((c, i) => show(r[c], fractions[i]!)));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((line) => line[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  const header = line(columns);
  return [`== ${title} ==`, header, widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)].join(
    "\n",
  );
}

export function printTable(title: string, rows: readonly Row[]): void {
  console.log(`${formatTable(title, rows)}\n`);
}

/** Writes `data` as pretty JSON to `.kassa/bench/<file>` and returns the path. */
export function writeJson(file: string, data: unknown): string {
  mkdirSync(benchDir, { recursive: true });
  const path = join(benchDir, file);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
  return path;
}
