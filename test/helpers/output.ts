/**
 * Captures what the process writes while a test runs — Powertools' log lines and EMF metrics go to
 * stdout/stderr — with the logger at DEBUG and metrics on (the suite runs them silent and off).
 */
import { vi } from "vitest";
import { logger } from "../../shared/observability.ts";

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON lines, asserted field by field
type Json = Record<string, any>;

export interface CapturedOutput {
  /** Everything written, line by line. */
  text(): string;
  /** The JSON lines that are log lines (not EMF). */
  logs(): Json[];
  /** The EMF lines: each with its `_aws` metadata, dimensions and values as top-level fields. */
  metrics(): Json[];
  restore(): void;
}

export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const spy = (stream: NodeJS.WriteStream) =>
    vi.spyOn(stream, "write").mockImplementation((chunk: unknown) => {
      chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return true;
    });
  // console.* too: under vitest it does not reach the streams.
  const consoleSpies = (["log", "info", "warn", "error", "debug"] as const).map((method) =>
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      chunks.push(`${args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" ")}\n`);
    }),
  );
  const spies = [spy(process.stdout), spy(process.stderr), ...consoleSpies];
  const metricsSetting = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = "false";
  logger.setLogLevel("DEBUG");
  const json = (): Json[] =>
    chunks
      .join("")
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Json);
  return {
    text: () => chunks.join(""),
    logs: () => json().filter((line) => !line._aws),
    metrics: () => json().filter((line) => line._aws),
    restore: () => {
      for (const s of spies) s.mockRestore();
      logger.setLogLevel("SILENT");
      if (metricsSetting === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
      else process.env.POWERTOOLS_METRICS_DISABLED = metricsSetting;
    },
  };
}
