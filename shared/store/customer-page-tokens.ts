/**
 * The tokens of a buyer's own pages (the update-card page, the portal, the unsubscribe page): a hosted-page item
 * (`keys.hostedPage`) of its `kind`, naming the merchant and customer, valid until `validUntil` on the
 * customer's clock. The table's TTL (`expiresAt`) removes it some time after; a customer on a test
 * clock gets none, since the clock's time is not the one DynamoDB deletes by. A token of one kind
 * never opens a page of another.
 */
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { CustomerPageToken, CustomerPageTokenStore } from "../customers/page-token.ts";
import { ConflictError } from "../domain/errors.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";

const customerPageTokens = (kind: "updateCard" | "portal" | "unsubscribe"): CustomerPageTokenStore => ({
  async put(token, { merchantId, customerId, validUntil }, ttl) {
    try {
      await documentClient().send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...keys.hostedPage(token),
            type: "hostedPage",
            kind,
            merchantId,
            customerId,
            validUntil,
            ...(ttl ? { expiresAt: Math.ceil(Date.parse(validUntil) / 1000) } : {}),
          },
          ConditionExpression: "attribute_not_exists(PK)",
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError("Hosted page token collision; try again");
      throw error;
    }
  },
  async find(token): Promise<CustomerPageToken | undefined> {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.hostedPage(token) }),
    );
    return Item?.kind === kind
      ? {
          merchantId: String(Item.merchantId),
          customerId: String(Item.customerId),
          validUntil: String(Item.validUntil),
        }
      : undefined;
  },
});

export const dynamoUpdateCardTokens = customerPageTokens("updateCard");
export const dynamoPortalTokens = customerPageTokens("portal");
export const dynamoUnsubscribeTokens = customerPageTokens("unsubscribe");
