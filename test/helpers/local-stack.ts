/**
 * Boots the real `npm start` entry point in a child process (random ports, a temporary data folder)
 * and reads `.kassa/local.json` to find it, exactly as a developer's script would.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export interface LocalInfo {
  apiUrl: string;
  adminToken: string;
  mailUrl: string;
  endpoints: { dynamodb: string; sqs: string; ses: string };
}

export interface RunningStack {
  info: LocalInfo;
  child: ChildProcess;
  output: () => string;
  /** Sends Ctrl-C and waits for the process to exit; returns its exit code. */
  interrupt(): Promise<number | null>;
}

const repoRoot = resolve(import.meta.dirname, "../..");

export function newDataDir(): string {
  return mkdtempSync(join(tmpdir(), "kassa-e2e-"));
}

export async function startLocalStack(dataDir: string, timeoutMs = 60_000): Promise<RunningStack> {
  const infoFile = join(dataDir, "local.json");
  rmSync(infoFile, { force: true });
  const child = spawn(process.execPath, ["--import", "tsx", "infra/local/start.ts"], {
    cwd: repoRoot,
    env: {
      ...process.env,
      KASSA_DATA_DIR: dataDir,
      KASSA_API_PORT: "0",
      KASSA_DYNAMODB_PORT: "0",
      KASSA_SQS_PORT: "0",
      KASSA_SES_PORT: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group, so a runtime that never finished booting is killed with its DynamoDB Local.
    detached: true,
  });
  let output = "";
  child.stdout?.on("data", (c) => {
    output += String(c);
  });
  child.stderr?.on("data", (c) => {
    output += String(c);
  });
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(infoFile)) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) {
      // The whole group: killing only the runtime would orphan the DynamoDB Local (Java) it started.
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
      throw new Error(`npm start did not write local.json within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = JSON.parse(readFileSync(infoFile, "utf8")) as LocalInfo;
  // The runtime prints its banner just after writing local.json: wait for it, it is what a user reads.
  while (!output.includes(info.apiUrl) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return {
    info,
    child,
    output: () => output,
    interrupt: async () => {
      child.kill("SIGINT");
      return exited;
    },
  };
}
