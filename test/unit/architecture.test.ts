/**
 * The seams, checked on the source: capabilities speak to the store only through their ports (the
 * composition root wires the store's adapters in), payments know nothing of invoices (the invoice
 * plugs in as a payable), the environment is read in one place, and handlers stay thin.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith(".ts"))
    .map((entry) => relative(root, join(entry.parentPath, entry.name)).split("\\").join("/"))
    .sort();
}

const read = (file: string) => readFileSync(join(root, file), "utf8");

/** The repository paths a file imports (static, re-exports and dynamic), resolved from its folder. */
function importsOf(file: string, source: string): string[] {
  const specifiers = [
    ...source.matchAll(/\b(?:import|export)\s[^;]*?\sfrom\s*["']([^"']+)["']/g),
    ...source.matchAll(/\bimport\s*\(\s*["']([^"']+)["']\s*\)/g),
    ...source.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
  ].map((m) => m[1] as string);
  return specifiers
    .filter((s) => s.startsWith("."))
    .map((s) =>
      normalize(join(dirname(file), s))
        .split("\\")
        .join("/"),
    );
}

interface ImportRule {
  /** Files under these folders… */
  from: string[];
  /** …must not import anything under these. */
  forbidden: string[];
}

/** Each forbidden import as `file → imported path`. */
function importViolations(files: ReadonlyMap<string, string>, rule: ImportRule): string[] {
  const under = (path: string, folders: string[]) => folders.some((f) => path.startsWith(`${f}/`));
  return [...files]
    .filter(([file]) => under(file, rule.from))
    .flatMap(([file, source]) =>
      importsOf(file, source)
        .filter((target) => under(target, rule.forbidden))
        .map((target) => `${file} → ${target}`),
    );
}

const shared = new Map(sourceFiles("shared").map((file) => [file, read(file)]));

const capabilitiesWithoutStore: ImportRule = {
  from: ["shared/invoices", "shared/payouts"],
  forbidden: ["shared/store"],
};

/** Payments: the same rule, and no invoice either (the invoice plugs in as a payable). */
const paymentsOnTheirOwn: ImportRule = {
  from: ["shared/payments"],
  forbidden: ["shared/store", "shared/invoices"],
};

const maxHandlerLines = 80;

describe("the architecture's seams", () => {
  it("reads an import of the store where it is written, and only where it is written", () => {
    const files = new Map([
      ["shared/invoices/x.ts", 'import type { A } from "../store/a.ts";\nexport { b } from "./b.ts";'],
      ["shared/payouts/y.ts", 'const m = await import("../store/m.ts");'],
      ["shared/customers/z.ts", 'import { c } from "../store/c.ts";'],
    ]);
    expect(importViolations(files, capabilitiesWithoutStore)).toEqual([
      "shared/invoices/x.ts → shared/store/a.ts",
      "shared/payouts/y.ts → shared/store/m.ts",
    ]);
  });

  it("keeps shared/invoices/ and shared/payouts/ off the store: they speak to their ports", () => {
    expect(importViolations(shared, capabilitiesWithoutStore)).toEqual([]);
  });

  it("keeps shared/payments/ off the store and off invoices", () => {
    expect(importViolations(shared, paymentsOnTheirOwn)).toEqual([]);
  });

  it("reads the environment only in shared/config.ts", () => {
    const readers = [...sourceFiles("shared"), ...sourceFiles("functions")].filter(
      (file) => file !== "shared/config.ts" && /\bprocess\.env\b/.test(read(file)),
    );
    expect(readers).toEqual([]);
  });

  it(`keeps every handler under functions/ at ${maxHandlerLines} lines or fewer`, () => {
    const long = sourceFiles("functions")
      .map((file) => ({ file, lines: read(file).trimEnd().split("\n").length }))
      .filter(({ lines }) => lines > maxHandlerLines);
    expect(long).toEqual([]);
  });
});
