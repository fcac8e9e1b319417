/**
 * `npm run lint:template`: synthesizes the stack into a temporary folder (asset bundling skipped:
 * the template is what is checked) and lints it with cfn-lint (infra/cfn-lint.ts). Exits 1 when
 * cfn-lint reports an error or cannot run; `.ci/run` calls it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { lintTemplate } from "./cfn-lint.ts";
import { buildApp } from "./stack.ts";

const outdir = mkdtempSync(path.join(tmpdir(), "kassa-template-"));
try {
  const { app, stack } = buildApp({
    outdir,
    // An example sender: the template's shape does not depend on the address.
    context: { "aws:cdk:bundling-stacks": [], "kassa:mailFrom": "billing@example.com" },
  });
  app.synth();
  const result = lintTemplate(path.join(outdir, stack.templateFile));
  (result.ok ? console.log : console.error)(result.summary);
  process.exitCode = result.ok ? 0 : 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
