/**
 * The local entry points (`npm start`, `npm run invoke`) print readable log lines: Powertools' dev
 * mode, set before the logger is built.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const repo = resolve(import.meta.dirname, "../..");

describe("local logs", () => {
  it("npm start and npm run invoke import the readable-logs setting before anything that builds the logger", () => {
    for (const entry of ["start.ts", "invoke.ts"]) {
      const source = readFileSync(join(repo, "infra/local", entry), "utf8");
      const imports = source.split("\n").filter((line) => line.startsWith("import "));
      expect(imports[0], entry).toBe('import "./readable-logs.ts";');
    }
  });

  it("prints each line as indented JSON, with the unit's keys, and no EMF", () => {
    const script = join(mkdtempSync(join(tmpdir(), "kassa-logs-")), "print.mts");
    writeFileSync(
      script,
      [
        `import "${join(repo, "infra/local/readable-logs.ts")}";`,
        `const { inLogContext, log, emfMetrics } = await import("${join(repo, "shared/observability.ts")}");`,
        `await inLogContext(undefined, { route: "GET /v1/invoices" }, async () => log.info("API request", { status: 200 }));`,
        `emfMetrics.emit({ name: "Refunds", value: 1, unit: "Count" });`,
      ].join("\n"),
    );
    const { POWERTOOLS_LOG_LEVEL: _, POWERTOOLS_METRICS_DISABLED: __, ...env } = process.env;
    const run = spawnSync(join(repo, "node_modules/.bin/tsx"), [script], {
      cwd: repo,
      env,
      encoding: "utf8",
    });

    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('\n    "route": "GET /v1/invoices",\n');
    expect(JSON.parse(run.stdout)).toMatchObject({ level: "INFO", message: "API request", status: 200 });
    expect(run.stdout).not.toContain("_aws");
  });
});
