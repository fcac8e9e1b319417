/**
 * Dashboard sessions (shared/dashboard/sessions.ts): one item each, keyed by the hash of the cookie's
 * secret in the merchant's partition. `expiresAt` (the table's TTL) follows the session's own end, so
 * DynamoDB clears sessions nobody signed out of; the dashboard checks the times itself, since TTL
 * deletion may lag by days.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Session, SessionStore } from "../dashboard/sessions.ts";
import { ConflictError } from "../domain/errors.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";

const ttl = (at: Date) => Math.ceil(at.getTime() / 1000);

export const dynamoSessionStore: SessionStore = {
  async create(session, expiresAt) {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.dashboardSession(session.merchantId, session.idHash),
            type: "dashboardSession",
            userId: session.userId,
            csrfToken: session.csrfToken,
            createdAt: session.createdAt,
            lastSeenAt: session.lastSeenAt,
            expiresAt: ttl(expiresAt),
          },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError("Session id collision; sign in again");
      throw error;
    }
  },
  async read(merchantId, idHash): Promise<Session | undefined> {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.dashboardSession(merchantId, idHash) }),
    );
    return Item?.type === "dashboardSession"
      ? {
          merchantId,
          idHash,
          userId: String(Item.userId),
          csrfToken: String(Item.csrfToken),
          createdAt: String(Item.createdAt),
          lastSeenAt: String(Item.lastSeenAt),
        }
      : undefined;
  },
  async touch(merchantId, idHash, lastSeenAt, expiresAt) {
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.dashboardSession(merchantId, idHash),
          UpdateExpression: "SET lastSeenAt = :seen, expiresAt = :expires",
          // A session signed out meanwhile stays gone.
          ConditionExpression: "attribute_exists(PK)",
          ExpressionAttributeValues: { ":seen": lastSeenAt, ":expires": ttl(expiresAt) },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  },
  async remove(merchantId, idHash) {
    await documentClient().send(
      new DeleteCommand({ TableName: tableName(), Key: keys.dashboardSession(merchantId, idHash) }),
    );
  },
};
