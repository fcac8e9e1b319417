/**
 * The merchant's ledger account mapping (`keys.ledgerAccountMapping`): one versioned item, replaced
 * with its event in one transaction conditioned on the version read (the first write on its absence).
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { DomainEvent } from "../domain/events.ts";
import type { AccountMapping } from "../ledger/account-mapping.ts";
import { transact } from "./collection.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";
import { eventPut } from "./outbox.ts";

export interface StoredAccountMapping {
  accounts: Partial<AccountMapping>;
  updatedAt: string;
  version: number;
}

export interface AccountMappingStore {
  read(merchantId: string): Promise<StoredAccountMapping | undefined>;
  /** Writes the mapping if it is still at `expectedVersion` (0: never written); a lost race is a 409. */
  replace(
    merchantId: string,
    mapping: { accounts: AccountMapping; updatedAt: string },
    expectedVersion: number,
    event: DomainEvent,
  ): Promise<void>;
}

export const dynamoAccountMappingStore: AccountMappingStore = {
  async read(merchantId) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.ledgerAccountMapping(merchantId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      accounts: Item.accounts as Partial<AccountMapping>,
      updatedAt: String(Item.updatedAt),
      version: Number(Item.version),
    };
  },
  async replace(merchantId, mapping, expectedVersion, event) {
    await transact(
      [
        {
          item: {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.ledgerAccountMapping(merchantId),
                type: "ledgerAccountMapping",
                version: expectedVersion + 1,
                accounts: mapping.accounts,
                updatedAt: mapping.updatedAt,
              },
              ...(expectedVersion === 0
                ? { ConditionExpression: "attribute_not_exists(PK)" }
                : {
                    ConditionExpression: "version = :expected",
                    ExpressionAttributeValues: { ":expected": expectedVersion },
                  }),
            },
          },
        },
        { item: eventPut(event) },
      ],
      "The account mapping was changed by another request; fetch it and try again",
    );
  },
};
