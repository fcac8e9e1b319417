/**
 * `npm run bench`: runs each section in turn, prints its table and writes its figures to
 * `.kassa/bench/<section>.json`. Add later sections (DynamoDB requests/capacity per operation, webhook
 * timing) to `sections` below.
 */
import { relative } from "node:path";
import { bundleJson, bundleSection, bundleTable } from "./bundles.ts";
import { printTable, type Row, writeJson } from "./report.ts";

interface Section {
  title: string;
  /** JSON file under `.kassa/bench/`. */
  file: string;
  run: () => Promise<{ rows: Row[]; json: unknown }>;
}

const sections: Section[] = [
  {
    title: "Bundles: size and cold import (median of fresh node processes)",
    file: "bundles.json",
    run: async () => {
      const results = await bundleSection();
      return { rows: bundleTable(results), json: bundleJson(results) };
    },
  },
];

const started = performance.now();
let failed = false;
for (const section of sections) {
  const t0 = performance.now();
  try {
    const { rows, json } = await section.run();
    printTable(section.title, rows);
    const path = writeJson(section.file, json);
    console.log(
      `wrote ${relative(process.cwd(), path)} (${((performance.now() - t0) / 1000).toFixed(1)} s)\n`,
    );
  } catch (e) {
    failed = true;
    console.error(`Section "${section.title}" failed:`, e);
  }
}
console.log(`bench done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (failed) process.exitCode = 1;
