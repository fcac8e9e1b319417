/**
 * `npm start` and `npm test` check Java 17+ and (for the browser tests) Chromium up front and print
 * one line on how to install what is missing. The real probe runs against a fake PATH here.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  chromiumPath,
  javaMajor,
  missingPrerequisites,
  type PrerequisiteProbe,
  systemProbe,
} from "../../infra/local/prerequisites.ts";

const root = mkdtempSync(path.join(tmpdir(), "kassa-prereq-"));

/** A PATH holding only a `java` that prints `versionLine` to stderr as the real one does (or no java). */
function fakePath(versionLine?: string): NodeJS.ProcessEnv {
  const dir = path.join(root, String(Math.random()).slice(2));
  mkdirSync(dir);
  if (versionLine !== undefined) {
    writeFileSync(path.join(dir, "java"), `#!/bin/sh\necho '${versionLine}' >&2\n`);
    chmodSync(path.join(dir, "java"), 0o755);
  }
  return { PATH: dir };
}

/** The system probe on a fake PATH, with or without Chromium on disk. */
function probe(env: NodeJS.ProcessEnv, chromium: boolean): PrerequisiteProbe {
  return { ...systemProbe(env), exists: (p) => p === chromiumPath && chromium };
}

describe("missingPrerequisites", () => {
  it("is silent when Java 17+ and Chromium are there", () => {
    const java21 = fakePath('openjdk version "21.0.3" 2024-04-16');
    expect(missingPrerequisites({ browser: true }, probe(java21, true))).toBeUndefined();
  });

  it("names a missing Java and the one command that installs it", () => {
    expect(missingPrerequisites({ browser: false }, probe(fakePath(), true))).toBe(
      "Java 17+ (for DynamoDB Local) is not installed. Install with: apt-get install -y openjdk-17-jre-headless",
    );
  });

  it("refuses a Java older than 17", () => {
    const java11 = fakePath('openjdk version "11.0.22" 2024-01-16');
    expect(missingPrerequisites({ browser: false }, probe(java11, true))).toBe(
      "Java 11 is too old for DynamoDB Local (needs 17+). Install with: apt-get install -y openjdk-17-jre-headless",
    );
  });

  it("checks Chromium only for the browser tests, and says both in one line when both are missing", () => {
    const java17 = fakePath('openjdk version "17.0.15" 2025-04-15');
    expect(missingPrerequisites({ browser: false }, probe(java17, false))).toBeUndefined();
    expect(missingPrerequisites({ browser: true }, probe(java17, false))).toBe(
      `Chromium (for the browser tests) is not at ${chromiumPath}. Install with: apt-get install -y chromium`,
    );
    const both = missingPrerequisites({ browser: true }, probe(fakePath(), false));
    expect(both).toBe(
      `Java 17+ (for DynamoDB Local) is not installed; Chromium (for the browser tests) is not at ${chromiumPath}. Install with: apt-get install -y openjdk-17-jre-headless chromium`,
    );
    expect(both).not.toContain("\n");
  });
});

describe("javaMajor", () => {
  it("reads modern and 1.x version strings", () => {
    expect(javaMajor('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajor('java version "1.8.0_292"')).toBe(8);
    expect(javaMajor('openjdk version "24" 2025-03-18')).toBe(24);
    expect(javaMajor("something else")).toBeUndefined();
  });
});
