/**
 * Idempotency records on the single table. Own implementation rather than Powertools' utility:
 * Powertools keys records by a hash of the event and wants its own table layout and a persistence
 * layer per function, while Kassa needs (1) records scoped to the merchant, (2) the exact stored
 * response replayed byte for byte with a header added, (3) "same key, different body" told apart
 * from a replay, and (4) nothing written for requests that fail — all of which is a few conditional
 * writes on the table every function already uses.
 *
 * A record is claimed (conditional put) before the operation runs, completed with the response
 * after a success, and deleted after a failure so the client can retry with the same key.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Sealed } from "../auth/sealed.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";

export const idempotencyRetentionSeconds = 24 * 3600;

export interface StoredResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A completed request's response as kept: as it was, or sealed when it carries a secret. */
export type KeptResponse = StoredResponse | { sealed: Sealed };

export type IdempotencyRecord =
  | { status: "in_progress"; fingerprint: string; lockedUntil: number }
  | { status: "completed"; fingerprint: string; response: KeptResponse };

export interface IdempotencyStore {
  /** Claims the key; returns the existing record instead when there is a live one. */
  claim(
    scope: string,
    key: string,
    fingerprint: string,
    nowMs: number,
    lockMs: number,
  ): Promise<IdempotencyRecord | undefined>;
  get(scope: string, key: string): Promise<IdempotencyRecord | undefined>;
  complete(scope: string, key: string, response: KeptResponse): Promise<void>;
  release(scope: string, key: string): Promise<void>;
}

export const dynamoIdempotencyStore: IdempotencyStore = {
  async claim(scope, key, fingerprint, nowMs, lockMs) {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.idempotency(scope, key),
            type: "idempotency",
            status: "in_progress",
            fingerprint,
            lockedUntil: nowMs + lockMs,
            expiresAt: Math.floor(nowMs / 1000) + idempotencyRetentionSeconds,
          },
          // An expired record (TTL deletion lags) or an abandoned claim may be taken over.
          ConditionExpression:
            "attribute_not_exists(PK) OR expiresAt < :nowSeconds OR (#status = :inProgress AND lockedUntil < :now)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":nowSeconds": Math.floor(nowMs / 1000),
            ":inProgress": "in_progress",
            ":now": nowMs,
          },
        }),
      );
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return this.get(scope, key);
    }
  },
  async get(scope, key) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.idempotency(scope, key), ConsistentRead: true }),
    );
    return Item as IdempotencyRecord | undefined;
  },
  async complete(scope, key, response) {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.idempotency(scope, key),
        UpdateExpression: "SET #status = :completed, #response = :response REMOVE lockedUntil",
        ExpressionAttributeNames: { "#status": "status", "#response": "response" },
        ExpressionAttributeValues: { ":completed": "completed", ":response": response },
      }),
    );
  },
  async release(scope, key) {
    await documentClient().send(
      new DeleteCommand({ TableName: tableName(), Key: keys.idempotency(scope, key) }),
    );
  },
};
