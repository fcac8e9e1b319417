/**
 * The fault suite's tools (test/integration/faults.test.ts reduced, test/soak/faults.test.ts full):
 * a seeded random source so a failing run can be replayed, DynamoDB faults injected into the
 * handlers' own document client, and deliveries that retry the way SQS and API clients do — a
 * failed message comes back, a 5xx or a 409 is sent again with the same Idempotency-Key — and in a
 * storm deliver every message three times at once. Each unit of work (a message or a request) runs
 * in its own async context, so a fault is charged to the work it hit: `survived` counts the units a
 * fault hit that still completed.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { DynamoDBDocumentClient, ServiceInputTypes, ServiceOutputTypes } from "@aws-sdk/lib-dynamodb";
import type { FinalizeRequestMiddleware } from "@smithy/types";

/** mulberry32: small, fast, and the same sequence for the same seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The suite's record of one run: what was injected, and what the checks afterwards found. */
export interface FaultCounts {
  /** Faults injected, by kind. */
  injected: Record<string, number>;
  /** Units of work (messages, requests) a fault hit that still completed. */
  survived: number;
  /** Units of work retried after a failure (a redelivery or a client's retry). */
  retries: number;
  lost: number;
  doubled: number;
}

export const newCounts = (): FaultCounts => ({ injected: {}, survived: 0, retries: 0, lost: 0, doubled: 0 });

export const totalInjected = (counts: FaultCounts) =>
  Object.values(counts.injected).reduce((a, b) => a + b, 0);

/** The unit of work the current async context belongs to: how many faults hit it. */
const unit = new AsyncLocalStorage<{ hits: number }>();

/** Records a fault of `kind` against the current unit of work. */
export function charge(counts: FaultCounts, kind: string): void {
  counts.injected[kind] = (counts.injected[kind] ?? 0) + 1;
  const current = unit.getStore();
  if (current) current.hits++;
}

/** The request's body as serialized (a string or bytes). */
function requestText(request: unknown): string {
  const body = (request as { body?: string | Uint8Array }).body ?? "{}";
  return typeof body === "string" ? body : new TextDecoder().decode(body);
}

/** How many items the transaction writes. */
function transactItemCount(request: unknown): number {
  return (JSON.parse(requestText(request)) as { TransactItems?: unknown[] }).TransactItems?.length ?? 1;
}

const singleWrites = new Set(["PutItemCommand", "UpdateItemCommand", "DeleteItemCommand"]);

/** DynamoDB's throttling answer: nothing written; the SDK's retry strategy backs off and tries again. */
function throttled(): Error {
  return Object.assign(new Error("Rate of requests exceeds the allowed throughput (injected)"), {
    name: "ProvisionedThroughputExceededException",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
  });
}

/**
 * A transaction cancelled by a concurrent one touching an item (nothing written; not retried by the
 * SDK, so the code above sees it), with a reason per item as DynamoDB gives them.
 */
function transactionConflict(itemCount: number): Error {
  const reasons = Array.from({ length: Math.max(itemCount, 1) }, (_, i) => ({
    Code: i === 0 ? "TransactionConflict" : "None",
    ...(i === 0 ? { Message: "Transaction is ongoing for the item" } : {}),
  }));
  return Object.assign(
    new Error(
      `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(", ")}]`,
    ),
    {
      name: "TransactionCanceledException",
      $fault: "client",
      $metadata: { httpStatusCode: 400 },
      CancellationReasons: reasons,
    },
  );
}

/** A single-item write that met an item a transaction holds (nothing written; not retried by the SDK). */
function writeConflict(): Error {
  return Object.assign(new Error("Transaction is ongoing for the item (injected)"), {
    name: "TransactionConflictException",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
  });
}

/**
 * Fails a `rate` fraction of the client's requests before they reach DynamoDB: a transaction with a
 * TransactionConflict, a single-item write with TransactionConflictException (each half the time),
 * anything else with throttling. It sits inside the SDK's retry loop, so every attempt draws anew
 * and throttling meets the retry strategy as deployed. Returns a switch: `set(0)` stops it.
 */
export function injectDynamoFaults(
  client: DynamoDBDocumentClient,
  counts: FaultCounts,
  random: () => number,
): { set(rate: number): void } {
  let rate = 0;
  const faults: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next, context) => async (args) => {
      if (rate > 0 && random() < rate) {
        const command = context.commandName ?? "";
        if (command === "TransactWriteItemsCommand" && random() < 0.5) {
          charge(counts, "dynamodb TransactionConflict");
          throw transactionConflict(transactItemCount(args.request));
        }
        if (singleWrites.has(command) && random() < 0.5) {
          charge(counts, "dynamodb TransactionConflictException");
          throw writeConflict();
        }
        charge(counts, "dynamodb throttling");
        throw throttled();
      }
      return next(args);
    };
  client.middlewareStack.addRelativeTo(faults, {
    name: "kassaFaultInjection",
    relation: "after",
    toMiddleware: "retryMiddleware",
    override: true,
  });
  return {
    set: (next) => {
      rate = next;
    },
  };
}

/**
 * Fails `command`s the client sends with a TransactionConflict (a transaction) or a
 * TransactionConflictException (a single write) until stopped: those after the first `after`, only
 * those whose request contains `matching`, at most `times` of them. A targeted fault for a regression
 * test, where which write of an operation fails matters.
 */
export function failEvery(
  client: DynamoDBDocumentClient,
  command: string,
  {
    after = 0,
    matching,
    times = Number.POSITIVE_INFINITY,
  }: { after?: number; matching?: string; times?: number },
): { readonly failed: number; stop(): void } {
  let seen = 0;
  let failed = 0;
  const name = `kassaFailEvery${command}`;
  const middleware: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next, context) => async (args) => {
      if (
        context.commandName === command &&
        (!matching || requestText(args.request).includes(matching)) &&
        ++seen > after &&
        failed < times
      ) {
        failed++;
        throw command === "TransactWriteItemsCommand"
          ? transactionConflict(transactItemCount(args.request))
          : writeConflict();
      }
      return next(args);
    };
  client.middlewareStack.addRelativeTo(middleware, {
    name,
    relation: "after",
    toMiddleware: "retryMiddleware",
    override: true,
  });
  return {
    get failed() {
      return failed;
    },
    stop: () => {
      client.middlewareStack.remove(name);
    },
  };
}

/**
 * Runs `work` (one delivery of one unit) until it reports success, as SQS redelivers a failed
 * message or a client retries a failed request; in its own async context so faults are charged to it.
 */
export async function untilDone(
  counts: FaultCounts,
  work: () => Promise<boolean>,
  maxAttempts = 50,
): Promise<void> {
  const context = { hits: 0 };
  await unit.run(context, async () => {
    for (let attempt = 1; ; attempt++) {
      if (await work()) break;
      counts.retries++;
      if (attempt >= maxAttempts) throw new Error(`Still failing after ${maxAttempts} attempts`);
    }
  });
  if (context.hits > 0) counts.survived++;
}

/**
 * Handles every unit `concurrency` at a time, each until done; in a storm each unit is delivered
 * `copies` times, the copies shuffled among the others so duplicates race.
 */
export async function deliverAll<T>(
  units: T[],
  handle: (unit: T) => Promise<boolean>,
  options: { counts: FaultCounts; concurrency: number; copies?: number; random: () => number },
): Promise<void> {
  const pending = units.flatMap((u) => Array.from({ length: options.copies ?? 1 }, () => u));
  for (let i = pending.length - 1; i > 0; i--) {
    const j = Math.floor(options.random() * (i + 1));
    [pending[i], pending[j]] = [pending[j] as T, pending[i] as T];
  }
  const worker = async () => {
    for (let next = pending.shift(); next !== undefined; next = pending.shift()) {
      const current = next;
      await untilDone(options.counts, () => handle(current));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
}

/** The counts as one line for the run's output and the README. */
export function describeCounts(label: string, counts: FaultCounts): string {
  const kinds = Object.entries(counts.injected)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(", ");
  return `${label}: injected ${totalInjected(counts)} (${kinds || "none"}) / survived ${counts.survived} / retries ${counts.retries} / lost ${counts.lost} / doubled ${counts.doubled}`;
}
