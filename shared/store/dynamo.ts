/**
 * The DynamoDB document client (a module singleton, created on first use) and the translation of
 * DynamoDB's race-lost signals into domain errors, so callers never inspect SDK exceptions.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, QueryCommand, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { config } from "../config.ts";

let client: DynamoDBDocumentClient | undefined;

export function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(new DynamoDBClient({}), {
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
