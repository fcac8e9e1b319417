/**
 * The DynamoDB document client (a module singleton, created on first use) and the translation of
 * DynamoDB's race-lost signals into domain errors, so callers never inspect SDK exceptions.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { awsClientConfig } from "../aws/clients.ts";
import type { Key } from "./keys.ts";
import { config } from "../config.ts";
import { type BackoffDeps, type BackoffPolicy, fullJitterMs, retryWithBackoff } from "../domain/backoff.ts";

let client: DynamoDBDocumentClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient(awsClientConfig), {
    marshallOptions: { removeUndefinedValues: true },
  });
  return client;
}

export const tableName = (): string => config.tableName();

/**
 * Every item a Query on the table matches, page after page: for ranges the caller knows are bounded
 * (a report's periods, a ledger's accounts, a clock's window of events), never a merchant's whole history.
 */
export async function* queryItems(
  input: Omit<QueryCommandInput, "TableName" | "ExclusiveStartKey">,
): AsyncGenerator<Record<string, unknown>> {
  let after: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({ TableName: tableName(), ...input, ...(after ? { ExclusiveStartKey: after } : {}) }),
    );
    yield* out.Items ?? [];
    after = out.LastEvaluatedKey;
  } while (after);
}

/**
 * The items at `requested` keys that exist, by consistent reads, one BatchGetItem per 100 keys (in
 * no particular order). A key named twice is asked once: DynamoDB refuses a batch that repeats a key,
 * and an id from a request may spell another requested item's key. Keys DynamoDB leaves unprocessed
 * (throttling, a response over 16 MB) are asked again after a backoff with full jitter.
 */
export async function batchGetItems(
  requested: readonly Key[],
): Promise<Record<string, unknown>[]> {
  const unique = [...new Map(requested.map((key) => [`${key.PK}\u0000${key.SK}`, key])).values()];
  const found: Record<string, unknown>[] = [];
  for (let i = 0; i < unique.length; i += 100) {
    let pending: Record<string, unknown>[] = unique.slice(i, i + 100).map((key) => ({ ...key }));
    for (let round = 0; pending.length > 0; round++) {
      if (round > 0)
        await new Promise((resolve) => setTimeout(resolve, fullJitterMs(round, transactionBackoff)));
      const out = await documentClient().send(
        new BatchGetCommand({ RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } } }),
      );
      found.push(...(out.Responses?.[tableName()] ?? []));
      pending = out.UnprocessedKeys?.[tableName()]?.Keys ?? [];
    }
  }
  return found;
}

/** Why each item of a cancelled transaction failed (`None` for those that did not), in the request's order. */
export const cancellationReasons = (error: unknown): string[] =>
  error instanceof Error && error.name === "TransactionCanceledException"
    ? ((error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? []).map(
        (reason) => reason.Code ?? "None",
      )
    : [];

/** What cancels a transaction that may simply run again: contention or throttling, never a condition. */
const transientReasons = new Set(["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"]);

/**
 * A transaction cancelled only by conflicts with other transactions or by throttling. It wrote
 * nothing, and running it again evaluates its conditions again: a race lost meanwhile fails it
 * then as a `ConditionalCheckFailed`, never as a second write.
 */
export function isTransientCancellation(error: unknown): boolean {
  const reasons = cancellationReasons(error);
  return (
    reasons.some((r) => transientReasons.has(r)) &&
    reasons.every((r) => r === "None" || transientReasons.has(r))
  );
}

/** 8 runs, windows of 50 ms doubling to 2 s: at most ~5 s of waiting, inside any function's timeout. */
export const transactionBackoff: BackoffPolicy = { baseMs: 25, capMs: 2_000, attempts: 8 };

/**
 * Every `TransactWriteItems` goes through here: the SDK does not retry a cancelled transaction
 * (HTTP 400), so a throttled or conflicting one runs again after a backoff with full jitter.
 * What is still cancelled after that, or cancelled by a condition, is thrown as DynamoDB said it.
 */
export async function sendTransaction(input: TransactWriteCommandInput, deps?: BackoffDeps): Promise<void> {
  await retryWithBackoff(
    () => documentClient().send(new TransactWriteCommand(input)),
    isTransientCancellation,
    transactionBackoff,
    deps,
  );
}

/** A conditional write whose condition did not hold (a lost race or a stale version). */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === "ConditionalCheckFailedException";
}

/** A transaction cancelled because one of its conditions failed (as opposed to throttling or a conflict). */
export function isTransactionConditionFailure(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== "TransactionCanceledException") return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.some((r) => r.Code === "ConditionalCheckFailed");
}
