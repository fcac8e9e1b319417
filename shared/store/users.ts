/**
 * Team users and their sign-in links. A user is a merchant object (`usr_…` in the merchant's
 * partition) with an email claim (`UNIQUE#user-email#<email>`), found across merchants by email
 * through GSI1 (`USER_EMAIL#<email>`) for sign-in. The owner count is one item moved in every
 * change's transaction, so the last owner can never be demoted or removed, even by two owners
 * demoting each other at once. Links are items keyed by the SHA-256 of their token, used once by a
 * conditional update and removed by the table's TTL.
 */
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../domain/errors.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { OwnerDelta, SignInLink, SignInLinkStore, UserStore } from "../users/ports.ts";
import type { User } from "../users/user.ts";
import { asChange, collection, type ExtraWrite, transact } from "./collection.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { indexKeys, keys } from "./keys.ts";
import { eventPut } from "./outbox.ts";

const users = collection<User>({
  type: "user",
  idKind: "user",
  label: "user",
  indexKeys: (user, merchantId) => keys.userByEmail(user.email, merchantId, user.id),
});

/**
 * A user's item key and its mapping back, for a store that reads the user in a batch with its own
 * items (the dashboard's sessions: session and user in one BatchGetItem on every request).
 */
export const userItem = {
  key: (merchantId: string, userId: string) => keys.merchantObject(merchantId, userId),
  /** The user of an item, or undefined when the item is none (removed) or not a user's. */
  fromItem: (item: Record<string, unknown> | undefined): User | undefined =>
    item?.type === "user" ? users.fromItem(item) : undefined,
};

export const lastOwner = "The team's last owner cannot be removed or demoted; make another user owner first";
const alreadyUser = "That address is already a user of this merchant";

const claimEmail = (user: User): ExtraWrite => ({
  item: {
    Put: {
      TableName: tableName(),
      Item: {
        ...keys.merchantUnique(user.merchantId, "user-email", user.email),
        type: "unique",
        userId: user.id,
      },
      ConditionExpression: "attribute_not_exists(PK)",
    },
  },
  conflict: alreadyUser,
});

const releaseEmail = (user: User): ExtraWrite => ({
  item: {
    Delete: {
      TableName: tableName(),
      Key: keys.merchantUnique(user.merchantId, "user-email", user.email),
      ConditionExpression: "userId = :id",
      ExpressionAttributeValues: { ":id": user.id },
    },
  },
});

/** The owner count moved by `delta`; taking one away needs another owner left. */
const ownerCount = (merchantId: string, delta: OwnerDelta): ExtraWrite[] =>
  delta === 0
    ? []
    : [
        {
          item: {
            Update: {
              TableName: tableName(),
              Key: keys.userOwners(merchantId),
              UpdateExpression: "ADD #owners :delta SET #type = :type",
              ...(delta < 0 ? { ConditionExpression: "#owners > :one" } : {}),
              ExpressionAttributeNames: { "#owners": "owners", "#type": "type" },
              ExpressionAttributeValues: {
                ":delta": delta,
                ":type": "userOwners",
                ...(delta < 0 ? { ":one": 1 } : {}),
              },
            },
          },
          conflict: lastOwner,
        },
      ];

export const dynamoUserStore: UserStore = {
  read: (merchantId, userId) => users.read(merchantId, userId),
  list: (merchantId, page) => users.list(merchantId, page),
  async findByEmail(email) {
    const { index, pk } = indexKeys.usersByEmail(email);
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        IndexName: index,
        KeyConditionExpression: "GSI1PK = :pk",
        ExpressionAttributeValues: { ":pk": pk },
        Limit: 100,
      }),
    );
    return (out.Items ?? []).map(users.fromItem);
  },
  create: (user, owners, event) =>
    users.create(user.merchantId, user, event, [claimEmail(user), ...ownerCount(user.merchantId, owners)]),
  firstOwnerWrites: (user) =>
    [users.putNewWrite(user.merchantId, user), claimEmail(user), ...ownerCount(user.merchantId, 1)].map(
      asChange,
    ),
  async replace(user, expectedVersion, owners, event?: DomainEvent) {
    const writes = [
      users.replaceWrite(user.merchantId, user, expectedVersion),
      ...ownerCount(user.merchantId, owners),
    ];
    await transact(
      event ? [...writes, { item: eventPut(event) }] : writes,
      "The user was changed by another request",
    );
  },
  remove: (user, expectedVersion, owners, event) =>
    users.remove(user.merchantId, user.id, expectedVersion, event, [
      releaseEmail(user),
      ...ownerCount(user.merchantId, owners),
    ]),
  announce: (user, expectedVersion, event) =>
    transact(
      [
        {
          item: {
            ConditionCheck: {
              TableName: tableName(),
              Key: keys.merchantObject(user.merchantId, user.id),
              ConditionExpression: "version = :expected",
              ExpressionAttributeValues: { ":expected": expectedVersion },
            },
          },
        },
        { item: eventPut(event) },
      ],
      "The user was changed by another request",
    ),
};

const linkOf = (item: Record<string, unknown>): SignInLink => ({
  merchantId: String(item.merchantId),
  userId: String(item.userId),
  purpose: item.purpose === "invitation" ? "invitation" : "sign_in",
  validUntil: String(item.validUntil),
  ...(typeof item.usedAt === "string" ? { usedAt: item.usedAt } : {}),
});

export const dynamoSignInLinkStore: SignInLinkStore = {
  async put(tokenHash, link) {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.signInLink(tokenHash),
            type: "signInLink",
            ...link,
            expiresAt: Math.ceil(Date.parse(link.validUntil) / 1000),
          },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError("Sign-in link collision; try again");
      throw error;
    }
  },
  async find(tokenHash) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.signInLink(tokenHash), ConsistentRead: true }),
    );
    return Item ? linkOf(Item) : undefined;
  },
  async use(tokenHash, at) {
    try {
      const { Attributes } = await documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.signInLink(tokenHash),
          UpdateExpression: "SET usedAt = :at",
          ConditionExpression: "attribute_exists(PK) AND attribute_not_exists(usedAt) AND validUntil > :at",
          ExpressionAttributeValues: { ":at": at },
          ReturnValues: "ALL_NEW",
        }),
      );
      return Attributes ? linkOf(Attributes) : undefined;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  },
};
