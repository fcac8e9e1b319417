/**
 * Merchant and API key persistence. A merchant, its first key and the `merchant.created` event are
 * written in one transaction: either all exist or none. A key is one item, found by the hash of its
 * secret (every request) and listed per merchant through GSI1.
 */
import { GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../domain/errors.ts";
import type { ApiKey, Merchant } from "../merchants/merchant.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import { asChange, type ListQuery, type Page, transact, type Versioned } from "./collection.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { itemMapping } from "./items.ts";
import { indexKeys, keys } from "./keys.ts";
import { eventPut } from "./outbox.ts";
import { processorRefs } from "./processor-refs.ts";

const merchants = itemMapping<Merchant>({ type: "merchant" });

/** The merchant and its version of an item read by its key (alone, or in a batch with other items). */
export const versionedMerchant = (
  item: Record<string, unknown> | undefined,
): Versioned<Merchant> | undefined =>
  item ? { value: merchants.fromItem(item), version: Number(item.version) } : undefined;

const merchantItem = (merchant: Merchant, version: number) =>
  merchants.toItem(
    { ...keys.merchant(merchant.id), ...keys.merchantListing(merchant.createdAt, merchant.id) },
    merchant,
    version,
  );

/** An API key's item also holds the hash of its secret, which never leaves the store. */
const apiKeys = itemMapping<ApiKey & { secretHash?: string }>({
  type: "apiKey",
  // Keys made before keys had roles act for the owner, as they always did.
  defaults: { role: "owner" },
});

const apiKeyItem = (key: ApiKey, secretHash: string) =>
  apiKeys.toItem(
    { ...keys.apiKeyByHash(secretHash), ...keys.apiKeyListing(key.merchantId, key.id) },
    { secretHash, ...key },
    1,
  );

const apiKeyOf = (item: Record<string, unknown>): ApiKey => {
  const { secretHash: _, ...key } = apiKeys.fromItem(item);
  return key;
};

async function queryIndex<T>(
  index: string,
  pk: string,
  query: Pick<ListQuery, "limit" | "after">,
  fromItem: (item: Record<string, unknown>) => T,
  sk?: string,
): Promise<Page<T>> {
  const out = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: index,
      KeyConditionExpression: sk ? "GSI1PK = :pk AND GSI1SK = :sk" : "GSI1PK = :pk",
      ExpressionAttributeValues: { ":pk": pk, ...(sk ? { ":sk": sk } : {}) },
      ScanIndexForward: false,
      Limit: query.limit + 1,
      ...(query.after ? { ExclusiveStartKey: query.after } : {}),
    }),
  );
  const items = out.Items ?? [];
  const page = items.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(fromItem),
    ...(items.length > query.limit && last
      ? {
          next: { PK: last.PK, SK: last.SK, GSI1PK: last.GSI1PK, GSI1SK: last.GSI1SK } as Record<
            string,
            string
          >,
        }
      : {}),
  };
}

export const dynamoMerchantStore: MerchantStore = {
  async createMerchant(merchant, key, secretHash, event, extra = []) {
    const Put = (Item: Record<string, unknown>) => ({
      Put: { TableName: tableName(), Item, ConditionExpression: "attribute_not_exists(PK)" },
    });
    await transact(
      [
        { item: Put(merchantItem(merchant, 1)) },
        { item: Put(apiKeyItem(key, secretHash)) },
        ...extra,
        { item: eventPut(event) },
      ],
      "The merchant already exists",
    );
  },

  async readMerchant(merchantId) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.merchant(merchantId), ConsistentRead: true }),
    );
    return versionedMerchant(Item);
  },

  stripeAccountRefWrite: (accountId, merchantId) =>
    asChange(processorRefs.accountRefWrite(accountId, merchantId)),

  async replaceMerchant(merchant, expectedVersion, event, extra = []) {
    await transact(
      [
        {
          item: {
            Put: {
              TableName: tableName(),
              Item: merchantItem(merchant, expectedVersion + 1),
              ConditionExpression: "version = :expected",
              ExpressionAttributeValues: { ":expected": expectedVersion },
            },
          },
        },
        ...extra,
        { item: eventPut(event) },
      ],
      "The merchant was changed by another request; fetch it and try again",
    );
  },

  listMerchants: (query) =>
    queryIndex(indexKeys.merchants.index, indexKeys.merchants.pk, query, merchants.fromItem),

  async createApiKey(key, secretHash, event) {
    await transact(
      [
        {
          item: {
            Put: {
              TableName: tableName(),
              Item: apiKeyItem(key, secretHash),
              ConditionExpression: "attribute_not_exists(PK)",
            },
          },
        },
        { item: eventPut(event) },
      ],
      "The API key already exists",
    );
  },

  async listApiKeys(merchantId, query) {
    const { index, pk } = indexKeys.apiKeysOf(merchantId);
    return queryIndex(index, pk, query, apiKeyOf);
  },

  async findApiKeyHash(merchantId, keyId) {
    const { index, pk } = indexKeys.apiKeysOf(merchantId);
    const page = await queryIndex(index, pk, { limit: 1 }, apiKeys.fromItem, keyId);
    return page.items[0]?.secretHash;
  },

  async revokeApiKey(secretHash, merchantId, at, event) {
    await transact(
      [
        {
          item: {
            Update: {
              TableName: tableName(),
              Key: keys.apiKeyByHash(secretHash),
              UpdateExpression: "SET #status = :revoked, revokedAt = :at, version = version + :one",
              ConditionExpression: "merchantId = :merchantId AND #status = :active",
              ExpressionAttributeNames: { "#status": "status" },
              ExpressionAttributeValues: {
                ":revoked": "revoked",
                ":active": "active",
                ":at": at,
                ":merchantId": merchantId,
                ":one": 1,
              },
            },
          },
          conflict: "The API key is already revoked",
        },
        // A key is written at version 1 and changes once, here (active → revoked): the event's sequence is 2.
        { item: eventPut({ ...event, sequence: 2 }) },
      ],
      "The API key was changed by another request",
    );
    const key = await this.findApiKeyByHash(secretHash);
    if (!key) throw new ConflictError("The API key disappeared while being revoked");
    return key;
  },

  async findApiKeyByHash(secretHash) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.apiKeyByHash(secretHash) }),
    );
    return Item ? apiKeyOf(Item) : undefined;
  },

  async touchApiKey(secretHash, at, staleBefore) {
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.apiKeyByHash(secretHash),
          UpdateExpression: "SET lastUsedAt = :at",
          ConditionExpression:
            "attribute_exists(PK) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :staleBefore)",
          ExpressionAttributeValues: { ":at": at, ":staleBefore": staleBefore },
        }),
      );
    } catch (error) {
      // Another container recorded a recent use first: nothing to do.
      if (!isConditionFailure(error)) throw error;
    }
  },
};
