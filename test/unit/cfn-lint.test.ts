/**
 * `npm run lint:template` fails CI on cfn-lint errors only: cfn-lint's exit status is a bit mask
 * (1 fatal, 2 errors, 4 warnings, 8 informational). A stand-in binary exits with each.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { lintTemplate } from "../../infra/cfn-lint.ts";
import { repoRoot } from "../../infra/constructs/kassa-function.ts";

const dir = mkdtempSync(path.join(tmpdir(), "kassa-cfn-lint-"));
const template = path.join(dir, "Kassa.template.json");
writeFileSync(template, "{}");

/** A cfn-lint stand-in that records its arguments and exits with `status`. */
function fakeCfnLint(status: number): string {
  const bin = path.join(dir, `cfn-lint-${status}`);
  writeFileSync(bin, `#!/bin/sh\necho "$@" > "${bin}.args"\nexit ${status}\n`);
  chmodSync(bin, 0o755);
  return bin;
}

describe("lintTemplate", () => {
  it("passes a clean template and one with warnings only, with the repository's .cfnlintrc.yaml", () => {
    const clean = fakeCfnLint(0);
    expect(lintTemplate(template, clean)).toEqual({
      ok: true,
      summary: "cfn-lint: Kassa.template.json has no errors",
    });
    expect(readFileSync(`${clean}.args`, "utf8").trim()).toBe(
      `--config-file ${path.join(repoRoot, ".cfnlintrc.yaml")} -- ${template}`,
    );
    expect(lintTemplate(template, fakeCfnLint(4)).ok).toBe(true);
    expect(lintTemplate(template, fakeCfnLint(8)).ok).toBe(true);
  });

  it("fails on errors, alone or with warnings, and on a fatal failure", () => {
    for (const status of [1, 2, 6, 14]) {
      expect(lintTemplate(template, fakeCfnLint(status)), `status ${status}`).toEqual({
        ok: false,
        summary: `cfn-lint found errors in Kassa.template.json (exit status ${status})`,
      });
    }
  });

  it("fails with one line on how to install it when cfn-lint is not there", () => {
    const result = lintTemplate(template, path.join(dir, "no-such-cfn-lint"));
    expect(result.ok).toBe(false);
    expect(result.summary).toMatch(
      /^cfn-lint could not run \(.*ENOENT.*\): install it with pip install cfn-lint/,
    );
    expect(result.summary).not.toContain("\n");
  });
});
