/**
 * What `npm start` and `npm test` need besides Node: a Java runtime ≥ 17 for DynamoDB Local and,
 * for the browser tests, Debian's Chromium. Checked up front so a missing one is one line saying
 * how to install it, not a stack trace from deep inside a test run.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

/** Where the hosted-page end-to-end tests find Chromium (playwright-core drives it). */
export const chromiumPath = "/usr/bin/chromium";

export const minimumJava = 17;

export interface PrerequisiteProbe {
  /** `java -version`'s output, or undefined when no `java` can be started. */
  javaVersion(): string | undefined;
  exists(path: string): boolean;
}

/** Looks on the given PATH (the process's by default) and the file system. */
export function systemProbe(env: NodeJS.ProcessEnv = process.env): PrerequisiteProbe {
  return {
    javaVersion: () => {
      const run = spawnSync("java", ["-version"], { env, encoding: "utf8", timeout: 10_000 });
      return run.error ? undefined : `${run.stderr}${run.stdout}`;
    },
    exists: existsSync,
  };
}

/** The major version in `java -version` output: `"17.0.2"` → 17, `"1.8.0_292"` → 8. */
export function javaMajor(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 && match[2] ? Number(match[2]) : first;
}

/**
 * Undefined when everything needed is there, else the one line to print: what is missing and the
 * apt-get command that installs it.
 */
export function missingPrerequisites(
  needs: { browser: boolean },
  probe: PrerequisiteProbe = systemProbe(),
): string | undefined {
  const problems: string[] = [];
  const packages: string[] = [];
  const version = probe.javaVersion();
  const major = version === undefined ? undefined : javaMajor(version);
  if (major === undefined || major < minimumJava) {
    problems.push(
      version === undefined
        ? `Java ${minimumJava}+ (for DynamoDB Local) is not installed`
        : `Java ${major ?? "of unknown version"} is too old for DynamoDB Local (needs ${minimumJava}+)`,
    );
    packages.push("openjdk-17-jre-headless");
  }
  if (needs.browser && !probe.exists(chromiumPath)) {
    problems.push(`Chromium (for the browser tests) is not at ${chromiumPath}`);
    packages.push("chromium");
  }
  if (problems.length === 0) return undefined;
  return `${problems.join("; ")}. Install with: apt-get install -y ${packages.join(" ")}`;
}
