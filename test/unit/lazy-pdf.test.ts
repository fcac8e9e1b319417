/**
 * The functions that serve documents load pdf-lib only when a PDF is made or kept, never at cold
 * start: their other routes (lists, pages, signing) must not pay for it. Built with the house
 * bundling settings plus code splitting, an entry's static imports must not reach pdf-lib.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build, type Metafile } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { bundling } from "../../infra/bundling.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const outdir = mkdtempSync(join(tmpdir(), "kassa-lazy-pdf-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/**
 * The inputs an entry loads at import time: its output and every chunk it imports statically. Built
 * once per entry: several describes ask about the same function.
 */
const built = new Map<string, Promise<string[]>>();
const eagerInputs = (entry: string): Promise<string[]> => {
  const found = built.get(entry) ?? buildEagerInputs(entry);
  built.set(entry, found);
  return found;
};

async function buildEagerInputs(entry: string): Promise<string[]> {
  const { metafile } = (await build({
    ...bundling,
    mainFields: [...bundling.mainFields],
    external: [...bundling.external],
    banner: { js: bundling.banner },
    entryPoints: [join(repoRoot, entry)],
    bundle: true,
    splitting: true,
    format: "esm",
    outdir: join(outdir, entry.replace(/\W/g, "_")),
    metafile: true,
    write: false,
    logLevel: "silent",
  })) as { metafile: Metafile };
  const outputs = metafile.outputs;
  // Each dynamically imported module is an entry point of its own: start from the function's.
  const start = Object.keys(outputs).find((o) => outputs[o]?.entryPoint?.endsWith(entry)) as string;
  expect(start, entry).toBeDefined();
  const seen = new Set<string>();
  const walk = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const i of outputs[path]?.imports ?? [])
      if (i.kind === "import-statement" && !i.external) walk(i.path);
  };
  walk(start);
  return [...seen].flatMap((o) => Object.keys(outputs[o]?.inputs ?? {}));
}

/** What `entry` loads at cold start; never a near-empty list, which would pass every check below. */
async function coldPath(entry: string): Promise<string[]> {
  const eager = await eagerInputs(entry);
  expect(eager.length).toBeGreaterThan(10);
  return eager;
}

/** The inputs of `entry`'s cold path that match `pattern`: none when what it names loads on first use. */
const loadedAtColdStart = async (entry: string, pattern: RegExp) =>
  (await coldPath(entry)).filter((input) => pattern.test(input));

describe("pdf-lib is loaded on first use", () => {
  it.each([
    "functions/api/quotes.ts",
    "functions/hosted/quote.ts",
    "functions/api/invoices.ts",
    "functions/hosted/invoice.ts",
    "functions/api/payments.ts",
  ])(
    "%s does not import pdf-lib at cold start",
    async (entry) => {
      expect(await loadedAtColdStart(entry, /pdf-lib/)).toEqual([]);
    },
    60_000,
  );
});

describe("LiquidJS stays off the cold path of functions that only describe workflows", () => {
  // A workflow's schema bounds a template's length, not its syntax.
  it("functions/api/docs.ts does not import liquidjs at cold start", async () => {
    expect(await loadedAtColdStart("functions/api/docs.ts", /liquidjs/)).toEqual([]);
  }, 60_000);
});

describe("the Stripe webhook ingest verifies with node:crypto and loads no other operation", () => {
  it("functions/webhooks/stripe-ingest.ts imports neither the stripe SDK nor the payment operations at cold start", async () => {
    const eager = await coldPath("functions/webhooks/stripe-ingest.ts");
    expect(eager.filter((input) => input.includes("node_modules/stripe/"))).toEqual([]);
    expect(eager.filter((input) => input.startsWith("shared/api/")).sort()).toEqual([
      "shared/api/stripe-webhook.ts",
    ]);
  }, 60_000);
});

describe("the notifications' templates stay off the Stripe webhook ingest's cold path", () => {
  // It only verifies and queues; the composition it shares must not pull in the outbox's routing.
  it("functions/webhooks/stripe-ingest.ts does not import intl-messageformat at cold start", async () => {
    expect(await loadedAtColdStart("functions/webhooks/stripe-ingest.ts", /intl-messageformat/)).toEqual([]);
  }, 60_000);
});

describe("the sandbox processor and csv-stringify load on first use", () => {
  // Reads, lists and pages never charge; the sandbox's Stripe-shaped fixtures come with its first charge.
  it.each(["functions/api/payments.ts", "functions/hosted/invoice.ts", "functions/billing/timers.ts"])(
    "%s does not import the sandbox at cold start",
    async (entry) => {
      expect(await loadedAtColdStart(entry, /payments\/sandbox\.ts|stripe-fixtures/)).toEqual([]);
    },
    60_000,
  );
  // Only a list answered as CSV writes CSV.
  it.each(["functions/api/customers.ts", "functions/api/invoices.ts", "functions/api/payments.ts"])(
    "%s does not import csv-stringify at cold start",
    async (entry) => {
      expect(await loadedAtColdStart(entry, /csv-stringify/)).toEqual([]);
    },
    60_000,
  );
});

describe("the QR encoder loads with the first QR code", () => {
  it("functions/api/payment-links.ts does not import qrcode-generator at cold start", async () => {
    expect(await loadedAtColdStart("functions/api/payment-links.ts", /qrcode-generator/)).toEqual([]);
  }, 60_000);
});

describe("workflows load LiquidJS and the message catalog with the first text they check or write", () => {
  // The API: reading and listing workflows check no template (shared/workflows/service.ts). The engine:
  // most events on its queue match no workflow, or run steps that write no text.
  it.each(["functions/api/workflows.ts", "functions/workflows/run.ts"])(
    "%s imports neither liquidjs nor the translator at cold start",
    async (entry) => {
      expect(await loadedAtColdStart(entry, /liquidjs|intl-messageformat|shared\/i18n\/translator/)).toEqual(
        [],
      );
    },
    60_000,
  );
});

describe("the docs function serves a stored document and loads no operation's schemas", () => {
  // infra/generate-openapi.ts writes the document; test/handlers/docs.test.ts checks it is current.
  it("functions/api/docs.ts imports neither the generator nor another operation module at cold start", async () => {
    const eager = await coldPath("functions/api/docs.ts");
    expect(eager).not.toContain("shared/http/openapi.ts");
    expect(eager.filter((input) => input.startsWith("shared/api/")).sort()).toEqual([
      "shared/api/docs.ts",
      "shared/api/openapi-stored.ts",
      "shared/api/openapi.generated.ts",
    ]);
  }, 60_000);
});

describe("the views function validates a view's filters without every list's operations", () => {
  // shared/api/list-filters.ts holds each list's filters apart from its operations' schemas.
  it("functions/api/views.ts imports no other collection's operation module at cold start", async () => {
    const eager = await coldPath("functions/api/views.ts");
    expect(eager.filter((input) => input.startsWith("shared/api/")).sort()).toEqual([
      "shared/api/common.ts",
      "shared/api/list-filters.ts",
      "shared/api/views.ts",
    ]);
  }, 60_000);
});

describe("the hosted pages build only their own operations' schemas", () => {
  // Their operations live apart from the merchant API's (shared/api/hosted-*.ts, the token in common.ts).
  it.each([
    "functions/hosted/invoice.ts",
    "functions/hosted/quote.ts",
    "functions/hosted/portal.ts",
    "functions/hosted/update-card.ts",
    "functions/hosted/unsubscribe.ts",
  ])(
    "%s imports neither the invoice nor the quote operations at cold start",
    async (entry) => {
      expect(await loadedAtColdStart(entry, /^shared\/api\/(invoices|quotes)\.ts$/)).toEqual([]);
    },
    60_000,
  );
});
