/**
 * `npm run lint:template`: synthesizes the stack into a temporary folder (asset bundling skipped:
 * the templates are what is checked) and lints each with cfn-lint (infra/cfn-lint.ts): the stack's
 * and its nested stacks' (the API routes' own, infra/constructs/services.ts). Exits 1 when
 * cfn-lint reports an error or cannot run; `.ci/run` calls it.
 */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
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
  const nested = readdirSync(outdir).filter((file) => file.endsWith(".nested.template.json"));
  let ok = true;
  for (const file of [stack.templateFile, ...nested]) {
    const result = lintTemplate(path.join(outdir, file));
    (result.ok ? console.log : console.error)(`${file}: ${result.summary}`);
    ok &&= result.ok;
  }
  process.exitCode = ok ? 0 : 1;
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
