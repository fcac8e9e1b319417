/**
 * Dashboard sessions (shared/dashboard/sessions.ts): one item each, keyed by the hash of the cookie's
 * secret in the merchant's partition, read on every request in one BatchGetItem with the user's and
 * the merchant's items. `expiresAt` (the table's TTL) follows the session's own end, so
 * DynamoDB clears sessions nobody signed out of; the dashboard checks the times itself, since TTL
 * deletion may lag by days.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Session, SessionStore } from "../dashboard/sessions.ts";
import { ConflictError } from "../domain/errors.ts";
import { batchGetItems, documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { type Key, keys } from "./keys.ts";
import { versionedMerchant } from "./merchants.ts";
import { userItem } from "./users.ts";

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
  async readSignedIn(merchantId, idHash, userId) {
    const sessionKey = keys.dashboardSession(merchantId, idHash);
    const userKey = userItem.key(merchantId, userId);
    const merchantKey = keys.merchant(merchantId);
    const items = await batchGetItems([sessionKey, userKey, merchantKey]);
    const at = (key: Key) => items.find((item) => item.PK === key.PK && item.SK === key.SK);
    const item = at(sessionKey);
    const session: Session | undefined =
      item?.type === "dashboardSession"
        ? {
            merchantId,
            idHash,
            userId: String(item.userId),
            csrfToken: String(item.csrfToken),
            createdAt: String(item.createdAt),
            lastSeenAt: String(item.lastSeenAt),
          }
        : undefined;
    return {
      session,
      user: userItem.fromItem(at(userKey)),
      merchant: versionedMerchant(at(merchantKey))?.value,
    };
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
