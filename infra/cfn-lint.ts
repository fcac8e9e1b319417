/**
 * Runs cfn-lint (AWS's CloudFormation linter) on a template with the repository's `.cfnlintrc.yaml`
 * and says whether it passed: any error fails, warnings are printed and pass (the ones not worth
 * printing are ignored in `.cfnlintrc.yaml`, each with its reason).
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { repoRoot } from "./constructs/kassa-function.ts";

/** cfn-lint's exit status is a bit mask: 1 a fatal failure, 2 errors, 4 warnings, 8 informational. */
const fatalOrErrors = 0b11;

export interface LintResult {
  ok: boolean;
  /** One line for the operator. */
  summary: string;
}

export function lintTemplate(templateFile: string, cfnLint = process.env.CFN_LINT ?? "cfn-lint"): LintResult {
  const run = spawnSync(
    cfnLint,
    ["--config-file", path.join(repoRoot, ".cfnlintrc.yaml"), "--", templateFile],
    {
      stdio: ["ignore", "inherit", "inherit"],
    },
  );
  if (run.error || run.status === null) {
    return {
      ok: false,
      summary: `cfn-lint could not run (${run.error?.message ?? `killed by ${run.signal}`}): install it with pip install cfn-lint, or set CFN_LINT to its path`,
    };
  }
  if (run.status & fatalOrErrors) {
    return {
      ok: false,
      summary: `cfn-lint found errors in ${path.basename(templateFile)} (exit status ${run.status})`,
    };
  }
  const warnings = run.status & 0b100 ? " (warnings above)" : "";
  return { ok: true, summary: `cfn-lint: ${path.basename(templateFile)} has no errors${warnings}` };
}
