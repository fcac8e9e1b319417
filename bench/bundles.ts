/**
 * Bench section 1: for every manifest function, the deployed bundle's size (minified, gzip) and its
 * cold `import()` time in fresh `node` processes, relative to the function's own floor (bench/floors.ts:
 * only the SDK clients, zod, middy and Powertools modules it loads, bundled the same way, built in
 * this run) and to an empty handler.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build, type Metafile } from "esbuild";
import { bundleEntryFile, bundleOptions, bundling } from "../infra/bundling.ts";
import { functions } from "../infra/manifest.ts";
import {
  addFloorImports,
  coldProjectFiles,
  type FloorImports,
  floorSource,
  packagesInOutput,
} from "./floors.ts";
import type { Row } from "./report.ts";
import { benchDir } from "./report.ts";
import { median, ratio, round } from "./stats.ts";

const repoRoot = join(import.meta.dirname, "..");
const bundlesDir = join(benchDir, "bundles");
const emptyName = "(empty handler)";

/** Fresh processes per bundle; override with BENCH_SAMPLES. One extra, discarded warm-up run each. */
const samples = Math.max(1, Number(process.env.BENCH_SAMPLES ?? 10) || 10);
const importTimeoutMs = 15_000;

export interface BundleResult {
  name: string;
  entry: string;
  bundle?: string;
  /** The code a cold start reads: index.mjs and the chunks it imports statically. */
  minifiedBytes?: number;
  gzipBytes?: number;
  /** Chunks loaded on first use (`await import()`), never at cold start. */
  lazyBytes?: number;
  importMs?: number[];
  importMedianMs?: number;
  emptyMedianMs?: number;
  /** importMedianMs / emptyMedianMs */
  ratio?: number;
  /** The floor bundle's import samples, median and what it holds (package short names). */
  floorBundle?: string;
  floorMinifiedBytes?: number;
  floorImportMs?: number[];
  floorMedianMs?: number;
  floorModules?: string;
  /** importMedianMs / floorMedianMs: the target is ≤ 1.25. */
  floorRatio?: number;
  error?: string;
}

/** The ratio to its own floor a function should stay within. */
export const floorTarget = 1.25;

/**
 * Builds one entry as deployed (`bundleOptions`: index.mjs plus lazy chunks) into `dir`; `cold` are the
 * files a cold start reads (the entry and the chunks it imports statically), `lazyBytes` the rest.
 */
async function buildBundle(dir: string, entry: string) {
  const outdir = join(bundlesDir, dir);
  const { metafile } = await build({ ...bundleOptions(join(repoRoot, entry), outdir), metafile: true });
  const outputs = (metafile as Metafile).outputs;
  const code = Object.keys(outputs).filter((o) => o.endsWith(".mjs"));
  const start = code.find((o) => o.endsWith(`/${bundleEntryFile}`)) as string;
  const cold = new Set<string>();
  const walk = (output: string) => {
    if (cold.has(output)) return;
    cold.add(output);
    for (const i of outputs[output]?.imports ?? [])
      if (i.kind === "import-statement" && !i.external) walk(i.path);
  };
  walk(start);
  const lazyBytes = code.filter((o) => !cold.has(o)).reduce((sum, o) => sum + (outputs[o]?.bytes ?? 0), 0);
  return {
    outfile: join(repoRoot, start),
    cold: [...cold].map((o) => join(repoRoot, o)),
    lazyBytes,
    metafile: metafile as Metafile,
  };
}

/** Builds `entry`'s floor bundle next to its real one, from the real bundle's metafile. */
async function buildFloor(dir: string, entry: string, metafile: Metafile) {
  const imports: FloorImports = new Map();
  const kept = packagesInOutput(metafile);
  for (const file of coldProjectFiles(metafile, entry))
    addFloorImports(readFileSync(join(repoRoot, file), "utf8"), imports, kept);
  const floorEntry = join(bundlesDir, `${dir}.floor.ts`);
  writeFileSync(floorEntry, floorSource(imports));
  const { outfile } = await buildBundle(join(dir, "floor"), relative(repoRoot, floorEntry));
  const modules = [...imports.keys()].map((s) => s.replace(/^@[^/]+\//, "").replace(/^client-/, ""));
  return { outfile, modules: modules.sort().join(" ") };
}

/**
 * The child: time `await import(url)` and print `{ms}` or `{error}` as one JSON line. It exits at once so
 * handles a module might open cannot keep it alive.
 */
const childScript = `
const url = process.env.KASSA_BENCH_BUNDLE_URL;
const t0 = performance.now();
let out;
try { await import(url); out = { ms: performance.now() - t0 }; }
catch (e) { out = { error: String(e?.stack ?? e).split("\\n").slice(0, 2).join(" | ") }; }
process.stdout.write(JSON.stringify(out) + "\\n", () => process.exit(0));
`;

/** A clean environment: no AWS_* or app settings, proving import needs neither. */
function childEnv(bundle: string): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR } = process.env;
  return { PATH, HOME, TMPDIR, KASSA_BENCH_BUNDLE_URL: pathToFileURL(bundle).href };
}

export function importOnce(bundle: string): { ms: number } | { error: string } {
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", childScript], {
    env: childEnv(bundle),
    encoding: "utf8",
    timeout: importTimeoutMs,
  });
  const line = run.stdout?.trim().split("\n").pop();
  if (run.error) return { error: `spawn failed: ${run.error.message}` };
  try {
    return JSON.parse(line ?? "") as { ms: number } | { error: string };
  } catch {
    return { error: `no result (exit ${run.status ?? run.signal}): ${run.stderr.trim().slice(0, 300)}` };
  }
}

export async function bundleSection(): Promise<BundleResult[]> {
  rmSync(bundlesDir, { recursive: true, force: true });
  mkdirSync(bundlesDir, { recursive: true });
  const emptyEntry = join(bundlesDir, "empty-handler.ts");
  writeFileSync(emptyEntry, "export const handler = async () => ({});\n");

  // BENCH_FUNCTIONS=invoices,payments measures only those (a busy machine need not time them all).
  const only = process.env.BENCH_FUNCTIONS?.split(",").map((s) => s.trim());
  const targets = [
    { name: emptyName, dir: "_empty", entry: relative(repoRoot, emptyEntry) },
    ...functions
      .filter((f) => !only || only.includes(f.name))
      .map((f) => ({ name: f.name, dir: f.name, entry: f.entry })),
  ];

  const results: BundleResult[] = [];
  for (const t of targets) {
    const result: BundleResult = { name: t.name, entry: t.entry };
    try {
      const built = await buildBundle(t.dir, t.entry);
      result.bundle = built.outfile;
      const code = Buffer.concat(built.cold.map((file) => readFileSync(file)));
      result.minifiedBytes = code.length;
      result.gzipBytes = gzipSync(code).length;
      result.lazyBytes = built.lazyBytes;
      result.importMs = [];
      if (t.name !== emptyName) {
        const floor = await buildFloor(t.dir, t.entry, built.metafile);
        result.floorBundle = floor.outfile;
        result.floorModules = floor.modules;
        result.floorMinifiedBytes = readFileSync(floor.outfile).length;
        result.floorImportMs = [];
      }
    } catch (e) {
      result.error = `build failed: ${(e as Error).message.split("\n")[0]}`;
    }
    results.push(result);
  }

  // Round-robin over bundles, each right beside its floor, so drift in machine load hits every
  // bundle, baselines included, alike.
  for (let round = -1; round < samples; round++) {
    for (const r of results) {
      if (!r.bundle || r.error) continue;
      const sample = importOnce(r.bundle);
      if ("error" in sample) r.error = `import failed: ${sample.error}`;
      else if (round >= 0) r.importMs!.push(sample.ms);
      if (!r.floorBundle || r.error) continue;
      const floor = importOnce(r.floorBundle);
      if ("error" in floor) r.error = `floor import failed: ${floor.error}`;
      else if (round >= 0) r.floorImportMs!.push(floor.ms);
    }
  }

  const empty = results[0]!;
  const emptyMedian = empty.importMs?.length ? median(empty.importMs) : undefined;
  for (const r of results) {
    if (r.importMs?.length && !r.error) r.importMedianMs = median(r.importMs);
    else delete r.importMs;
    r.emptyMedianMs = emptyMedian;
    if (r.importMedianMs !== undefined && emptyMedian !== undefined) {
      r.ratio = ratio(r.importMedianMs, emptyMedian);
    }
    if (r.floorImportMs?.length && !r.error) r.floorMedianMs = median(r.floorImportMs);
    else delete r.floorImportMs;
    if (r.importMedianMs !== undefined && r.floorMedianMs !== undefined)
      r.floorRatio = ratio(r.importMedianMs, r.floorMedianMs);
  }
  return results;
}

const kb = (bytes?: number) => (bytes === undefined ? undefined : round(bytes / 1024, 1));
const ms = (value?: number) => (value === undefined ? undefined : round(value, 1));

export function bundleTable(results: readonly BundleResult[]): Row[] {
  return results.map((r) => ({
    function: r.name,
    "min bytes": r.minifiedBytes,
    "min KB": kb(r.minifiedBytes),
    "gzip bytes": r.gzipBytes,
    "gzip KB": kb(r.gzipBytes),
    "lazy KB": kb(r.lazyBytes),
    "import ms p50": ms(r.importMedianMs),
    "floor ms p50": ms(r.floorMedianMs),
    "x floor": r.floorRatio === undefined ? undefined : round(r.floorRatio, 2),
    "<= 1.25": r.floorRatio === undefined ? undefined : r.floorRatio <= floorTarget ? "yes" : "NO",
    "empty ms p50": ms(r.emptyMedianMs),
    "x empty": r.ratio === undefined ? undefined : round(r.ratio, 2),
    "floor KB": kb(r.floorMinifiedBytes),
    floor: r.floorModules,
    error: r.error,
  }));
}

/** The JSON form: rounded figures plus raw samples, paths relative to the repository. */
export function bundleJson(results: readonly BundleResult[]) {
  return {
    samplesPerBundle: samples,
    node: process.version,
    bundling: { ...bundling },
    functions: results.map((r) => ({
      ...r,
      bundle: r.bundle && relative(repoRoot, r.bundle),
      floorBundle: r.floorBundle && relative(repoRoot, r.floorBundle),
      floorImportMs: r.floorImportMs?.map((v) => round(v, 3)),
      floorMedianMs: r.floorMedianMs === undefined ? undefined : round(r.floorMedianMs, 3),
      floorRatio: r.floorRatio === undefined ? undefined : round(r.floorRatio, 3),
      importMs: r.importMs?.map((v) => round(v, 3)),
      importMedianMs: r.importMedianMs === undefined ? undefined : round(r.importMedianMs, 3),
      emptyMedianMs: r.emptyMedianMs === undefined ? undefined : round(r.emptyMedianMs, 3),
      ratio: r.ratio === undefined ? undefined : round(r.ratio, 3),
    })),
  };
}
