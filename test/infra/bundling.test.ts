/**
 * What CDK uploads for a function: `KassaFunction` bundles in this process (no Docker) with the house
 * settings, code-split — `index.mjs` holds the cold path, each `await import()` is a chunk of its own —
 * and the result runs: the uploaded directory's `index.handler` is the function's handler.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, describe, expect, it } from "vitest";
import { KassaFunction } from "../../infra/constructs/kassa-function.ts";

const outdir = mkdtempSync(path.join(tmpdir(), "kassa-bundling-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

describe("a function's bundle as CDK uploads it", () => {
  it("is index.mjs plus lazy chunks, and index.handler loads without pdf-lib until a PDF is made", async () => {
    const app = new App({ outdir });
    const stack = new Stack(app, "Bundled");
    new KassaFunction(stack, "Invoices", {
      entry: "functions/api/invoices.ts",
      description: "bundling test",
      timeoutSeconds: 10,
    });
    const assembly = app.synth();
    const fn = Object.values(Template.fromStack(stack).findResources("AWS::Lambda::Function"))[0];
    expect(fn?.Properties.Handler).toBe("index.handler");
    // The one asset of the stack: the function's code.
    const assets = readdirSync(assembly.directory).filter((f) => f.startsWith("asset."));
    expect(assets).toHaveLength(1);
    const assetDir = path.join(assembly.directory, assets[0] as string);
    expect(existsSync(path.join(assetDir, "index.mjs"))).toBe(true);
    const chunks = readdirSync(path.join(assetDir, "chunks")).filter((f) => f.endsWith(".mjs"));
    expect(chunks.length).toBeGreaterThan(1);
    // pdf-lib's text is in a chunk the entry does not import statically.
    const entry = readFileSync(path.join(assetDir, "index.mjs"), "utf8");
    const pdfChunk = chunks.find((c) =>
      readFileSync(path.join(assetDir, "chunks", c), "utf8").includes("PDFDocument"),
    );
    expect(pdfChunk).toBeDefined();
    expect(entry).not.toContain("PDFDocument");
    const { handler } = await import(pathToFileURL(path.join(assetDir, "index.mjs")).href);
    expect(typeof handler).toBe("function");
  }, 60_000);
});
