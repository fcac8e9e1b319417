/**
 * `npm run bench`: runs each section in turn, prints its table and writes its figures to
 * `.kassa/bench/<section>.json`. `BENCH_SECTIONS=bundles,cost` runs only the sections whose JSON file
 * names are listed (a busy machine need not run them all).
 */
import { relative } from "node:path";

// The bench runs on the machine's Node 20; the SDK's reminder about Node 22 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
import { bundleJson, bundleSection, bundleTable } from "./bundles.ts";
import { checkoutSection } from "./checkout.ts";
import { costSection } from "./cost.ts";
import { dynamoSection } from "./dynamodb.ts";
import { stopBenchEnvironment } from "./environment.ts";
import { subscriptionSection } from "./subscriptions.ts";
import { webhookSection } from "./webhooks.ts";
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
  {
    title: "DynamoDB requests and capacity units per API operation (DynamoDB Local)",
    file: "dynamodb.json",
    run: async () => {
      const rows = await dynamoSection();
      return { rows, json: rows };
    },
  },
  {
    title: "Subscription billing runs: the sweep over the due index, then the billing queue (DynamoDB Local)",
    file: "subscriptions.json",
    run: async () => {
      const rows = await subscriptionSection();
      return { rows, json: rows };
    },
  },
  {
    title: "Cost of 1,000 subscription renewals on AWS beside Stripe Billing (billing step measured in this run)",
    file: "cost.json",
    run: async () => {
      const rows = await costSection();
      return { rows, json: rows };
    },
  },
  {
    title: "Checkout page: weight and server time to price and render it (after 50 warm-up renders)",
    file: "checkout.json",
    run: async () => {
      const rows = await checkoutSection();
      return { rows, json: rows };
    },
  },
  {
    title: "Stripe webhook ingest handler, in-process (after 20 warm-up calls)",
    file: "webhooks.json",
    run: async () => {
      const rows = await webhookSection();
      return { rows, json: rows };
    },
  },
];

const only = process.env.BENCH_SECTIONS?.split(",").map((s) => s.trim());
const started = performance.now();
let failed = false;
for (const section of sections.filter((s) => !only || only.includes(s.file.replace(/\.json$/, "")))) {
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
await stopBenchEnvironment();
console.log(`bench done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
if (failed) process.exitCode = 1;
