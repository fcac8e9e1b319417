/**
 * The house bundling settings for every function: minified, tree-shaken ESM for Node 24 (the Lambda
 * runtime, `lambdaRuntime`) with source maps and a `createRequire` banner (some dependencies still call
 * `require`), **code-split**: `index.mjs` holds what a cold start evaluates, and every `await import()`
 * (PDF making, the sandbox processor, CSV writing, QR codes…) is a chunk of its own under `chunks/`,
 * read from disk only when a request first needs it. A single-file bundle would carry those modules in
 * the one file Node parses at cold start, lazy or not: splitting took the invoices function from 1.43×
 * to 1.04× its floor (README "Performance"). The CDK construct (`bundleFunction` in its local bundling
 * step) and the bench both build with `bundleOptions`, so the measured bundle is the deployed one.
 */
import { type BuildOptions, buildSync } from "esbuild";

export const bundling = {
  platform: "node",
  format: "esm",
  target: "node24",
  minify: true,
  sourcemap: true,
  treeShaking: true,
  splitting: true,
  mainFields: ["module", "main"],
  banner:
    "import { createRequire as __kassaCreateRequire } from 'node:module'; const require = __kassaCreateRequire(import.meta.url);",
  /** The SDK is bundled too: pinned versions, and only the commands a function uses. */
  external: [] as string[],
} as const;

/** The file Lambda loads (`index.handler`); chunks sit beside it. */
export const bundleEntryFile = "index.mjs";

/** esbuild options building `entry` (absolute) into `outdir` as `index.mjs` plus `chunks/*.mjs`. */
export function bundleOptions(entry: string, outdir: string): BuildOptions {
  return {
    platform: bundling.platform,
    format: bundling.format,
    target: bundling.target,
    minify: bundling.minify,
    sourcemap: bundling.sourcemap,
    treeShaking: bundling.treeShaking,
    splitting: bundling.splitting,
    mainFields: [...bundling.mainFields],
    external: [...bundling.external],
    banner: { js: bundling.banner },
    entryPoints: { index: entry },
    outdir,
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    bundle: true,
    logLevel: "silent",
  };
}

/** Builds one function's bundle synchronously (CDK's local bundling is synchronous); throws on errors. */
export function bundleFunction(entry: string, outdir: string): void {
  buildSync({ ...bundleOptions(entry, outdir), logLevel: "error" });
}
