/**
 * What the end-to-end tests share: the local runtime (`npm start` in a child process, booted once
 * per file), the API over HTTP with every response checked against the OpenAPI document, the mail
 * viewer's store, the local and test clocks, and headless Chromium.
 */
import { readFileSync } from "node:fs";
import { type Browser, chromium, type Page } from "playwright-core";
import { expect } from "vitest";
import { eventually, type MailRecord } from "./aws.ts";
import { assertBrowserResponseDocumented, assertFetchedDocumented } from "./contract.ts";
import { newDataDir, type RunningStack, startLocalStack } from "./local-stack.ts";

// biome-ignore lint/suspicious/noExplicitAny: responses are asserted field by field
export type Json = Record<string, any>;

export interface Reply {
  status: number;
  headers: Headers;
  /** The parsed JSON body; `{}` when there is none. */
  body: Json;
  text: string;
}

const axeSource = readFileSync(new URL("../../node_modules/axe-core/axe.min.js", import.meta.url), "utf8");

/**
 * axe-core's serious and critical violations on the page as it stands. Kassa's pages' CSP allows no
 * injected script, so axe is evaluated over the DevTools protocol (which CSP does not govern) rather
 * than added as a `<script>`: the page is audited with its own policy in force.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  const results = await page.evaluate<{
    passes: unknown[];
    violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
  }>("axe.run()");
  expect(results.passes.length, "axe ran its rules").toBeGreaterThan(10);
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

/** How wide the page lays out (more than the viewport: it scrolls sideways). */
export const scrollWidth = (page: Page): Promise<number> =>
  page.evaluate<number>("document.documentElement.scrollWidth");

/** Debian's Chromium, headless, without the background traffic a profile would make. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface LocalRuntime {
  /** Boots `npm start` on `dataDir` (a fresh folder by default). */
  boot(dataDir?: string): Promise<RunningStack>;
  /** The booted runtime; throws when it did not start, so later steps name the first one. */
  running(): RunningStack;
  /** Ctrl-C to the runtime if it still runs (for `afterAll`). */
  stop(): Promise<void>;
  /** The merchant's API key `request` sends unless given another token. */
  useKey(secret: string): void;
  /** A JSON request to the API (Bearer `token` when there is one). */
  request(path: string, method?: string, body?: unknown, token?: string): Promise<Reply>;
  /** The body of a reply that must have `status`; anything else fails with the reply. */
  ok(path: string, method?: string, body?: unknown, status?: number, token?: string): Promise<Json>;
  /** Every mail the SES stand-in holds, oldest first. */
  mails(): Promise<MailRecord[]>;
  mailsTo(address: string): Promise<MailRecord[]>;
  /** Lets time pass on the runtime's own clock, firing what falls due. */
  advanceLocalClock(seconds: number): Promise<{ fired: number; now: string }>;
  /** Moves a test clock and waits until everything due up to then has run. */
  advanceTestClock(clockId: string, frozenTime: string, timeoutMs?: number): Promise<Json>;
  /** Checks each response `page` gets from the API against the OpenAPI document; await the result at the end. */
  watchResponses(page: Page): () => Promise<void>;
}

export function localRuntime(): LocalRuntime {
  let stack: RunningStack | undefined;
  let key = "";
  const running = (): RunningStack => {
    if (!stack) throw new Error("The local runtime did not start (see the first step)");
    return stack;
  };
  const request = async (path: string, method = "GET", body?: unknown, token = key): Promise<Reply> => {
    const url = `${running().info.apiUrl}${path}`;
    const response = await assertFetchedDocumented(
      method,
      url,
      await fetch(url, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    const text = await response.text();
    let parsed: Json = {};
    try {
      if (text) parsed = JSON.parse(text) as Json;
    } catch {
      // Not JSON (a page, a PDF): the caller reads `text`.
    }
    return { status: response.status, headers: response.headers, body: parsed, text };
  };
  const ok: LocalRuntime["ok"] = async (path, method = "GET", body, status = 200, token = key) => {
    const reply = await request(path, method, body, token);
    if (reply.status !== status) {
      throw new Error(
        `${method} ${path}: expected ${status}, got ${reply.status} ${reply.text}\n${running().output().slice(-4_000)}`,
      );
    }
    return reply.body;
  };
  const mails = async () =>
    ((await (await fetch(`${running().info.mailUrl}/store`)).json()) as { emails: MailRecord[] }).emails;
  return {
    boot: async (dataDir = newDataDir()) => {
      stack = await startLocalStack(dataDir);
      return stack;
    },
    running,
    stop: async () => {
      if (stack?.child.exitCode === null) await stack.interrupt();
    },
    useKey: (secret) => {
      key = secret;
    },
    request,
    ok,
    mails,
    mailsTo: async (address) =>
      (await mails()).filter((m) => m.destination.to.some((to) => to.includes(address))),
    advanceLocalClock: async (seconds) =>
      (await ok("/_local/clock", "POST", { advanceSeconds: seconds })) as { fired: number; now: string },
    advanceTestClock: async (clockId, frozenTime, timeoutMs = 60_000) => {
      await ok(`/v1/test-clocks/${clockId}/advance`, "POST", { frozenTime });
      const clock = await eventually(async () => {
        const now = await ok(`/v1/test-clocks/${clockId}`);
        return now.status === "advancing" ? undefined : now;
      }, timeoutMs);
      if (clock.status !== "ready" || clock.frozenTime !== frozenTime)
        throw new Error(`Test clock ${clockId} did not reach ${frozenTime}: ${JSON.stringify(clock)}`);
      return clock;
    },
    watchResponses: (page) => {
      const checked: Promise<void>[] = [];
      page.on("response", (response) =>
        checked.push(assertBrowserResponseDocumented(running().info.apiUrl, response)),
      );
      return async () => {
        await Promise.all(checked);
      };
    },
  };
}
