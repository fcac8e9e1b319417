/**
 * No function builds a zod schema at import. Building one runs zod code a cold start would otherwise
 * not: while every module built its schemas at import, API functions imported in up to 1.35× their
 * floor. Schemas are `lazy()` thunks, operations build theirs on first read (shared/lazy.ts,
 * shared/http/operation.ts), a queue consumer its body's on the first record and a timer's or a
 * notification's when a message first needs it (shared/queue-consumer.ts, shared/timers/registry.ts,
 * shared/notifications/notification.ts). zod's factories are counted, with the file that called them, while every
 * function's entry is imported. The one schema allowed is the environment's (shared/config.ts): the
 * logger is made at import with the log level it reads.
 */
import { readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it, vi } from "vitest";

const repoRoot = resolve(import.meta.dirname, "../..");

/** Each factory call made: `object from shared/api/customers.ts`. */
const calls: string[] = [];

/** The project file that called into zod: the first stack frame outside node_modules and this file. */
const caller = (): string => {
  const frames = new Error().stack?.split("\n").slice(1) ?? [];
  for (const frame of frames) {
    const file = frame.match(/(\/[^():\s]+\.ts)/)?.[1];
    if (file && !file.includes("node_modules") && !file.endsWith("lazy-schemas.test.ts"))
      return relative(repoRoot, file);
  }
  return "?";
};

vi.mock("zod", async (importOriginal) => {
  const zod = await importOriginal<Record<string, unknown>>();
  const counted = (path: string, value: unknown): unknown => {
    // Factories (`object`, `iso.datetime`), not classes (`ZodObject`) or constants.
    if (typeof value === "function" && !/^[A-Z$]/.test(path.split(".").pop() ?? "")) {
      const factory = value as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        calls.push(`${path} from ${caller()}`);
        return factory(...args);
      };
    }
    if (value && typeof value === "object" && ["iso", "coerce"].includes(path))
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, counted(`${path}.${k}`, v)]));
    return value;
  };
  return Object.fromEntries(Object.entries(zod).map(([name, value]) => [name, counted(name, value)]));
});

/** Every function's entry: the request-serving ones, and the queue and stream consumers. */
const entries = readdirSync(join(repoRoot, "functions"), { recursive: true, encoding: "utf8" })
  .filter((file) => file.endsWith(".ts"))
  .map((file) => join(repoRoot, "functions", file))
  .sort();

describe("a function's cold start", () => {
  it("covers every function: the API, hosted pages and dashboard, and the consumers", () => {
    expect(entries.length).toBeGreaterThan(45);
    expect(entries.map((entry) => relative(repoRoot, entry))).toEqual(
      expect.arrayContaining([
        "functions/api/customers.ts",
        "functions/billing/timers.ts",
        "functions/dispatcher/outbox.ts",
        "functions/notifications/send.ts",
      ]),
    );
  });

  it("builds no zod schema while its modules load (the environment's apart)", async () => {
    const byEntry: Record<string, string[]> = {};
    for (const entry of entries) {
      calls.length = 0;
      await import(entry);
      const built = calls.filter((call) => !call.endsWith("from shared/config.ts"));
      if (built.length) byEntry[relative(repoRoot, entry)] = [...new Set(built)];
    }
    expect(byEntry).toEqual({});
  });

  it("builds an operation's schemas when first read, once", async () => {
    const { createCustomer } = await import("../../shared/api/customers.ts");
    calls.length = 0;
    const body = createCustomer.body;
    expect(calls).toContain("strictObject from shared/api/customers.ts");
    calls.length = 0;
    expect(createCustomer.body).toBe(body);
    expect(calls).toEqual([]);
  });
});
