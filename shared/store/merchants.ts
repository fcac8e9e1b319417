/**
 * Merchant and API key persistence. A merchant, its first key and the `merchant.created` event are
 * written in one transaction: either all exist or none.
 */
import { GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { DomainEvent } from "../domain/events.ts";
import type { ApiKey, Merchant } from "../merchants/merchant.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { keys, withoutKeys } from "./keys.ts";
import { eventPut } from "./outbox.ts";

export interface MerchantStore {
  createMerchant(merchant: Merchant, key: ApiKey, secretHash: string, event: DomainEvent): Promise<void>;
  findApiKeyByHash(secretHash: string): Promise<ApiKey | undefined>;
}

export const dynamoMerchantStore: MerchantStore = {
  async createMerchant(merchant, key, secretHash, event) {
    const TableName = tableName();
    await documentClient().send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName,
              Item: {
                ...keys.merchant(merchant.id),
                ...keys.merchantListing(merchant.createdAt, merchant.id),
                type: "merchant",
                version: 1,
                ...merchant,
              },
              ConditionExpression: "attribute_not_exists(PK)",
            },
          },
          {
            Put: {
              TableName,
              Item: {
                ...keys.apiKeyByHash(secretHash),
                ...keys.apiKeyListing(merchant.id, key.id),
                type: "apiKey",
                version: 1,
                ...key,
              },
              ConditionExpression: "attribute_not_exists(PK)",
            },
          },
          eventPut(event),
        ],
      }),
    );
  },

  async findApiKeyByHash(secretHash) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.apiKeyByHash(secretHash) }),
    );
    return Item ? (withoutKeys(Item) as ApiKey) : undefined;
  },
};
