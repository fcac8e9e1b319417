/**
 * Lookups from processor ids to Kassa's: a payment intent to its payment (for disputes, which carry
 * only the processor's ids) and a connected account to its merchant (for account.updated).
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { ExtraWrite } from "./collection.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { itemMapping } from "./items.ts";
import { keys } from "./keys.ts";

/** Both kinds of reference are `processorRef` items, never versioned. */
const paymentRefs = itemMapping<{ merchantId: string; paymentId: string }>({ type: "processorRef" });
const accountRefs = itemMapping<{ merchantId: string }>({ type: "processorRef" });

export const processorRefs = {
  /**
   * Claims a processor payment for a Kassa payment. Never overwritten: once a `pi_…` points at a
   * payment, a claim for another payment fails the transaction it is in (re-writing the same mapping
   * is harmless), so no later outcome can redirect the disputes of one merchant's payment to another.
   */
  paymentRefWrite(processorPaymentId: string, merchantId: string, paymentId: string): ExtraWrite {
    return {
      item: {
        Put: {
          TableName: tableName(),
          Item: paymentRefs.toItem(keys.processorPayment(processorPaymentId), { merchantId, paymentId }),
          ConditionExpression:
            "attribute_not_exists(PK) OR (merchantId = :merchantId AND paymentId = :paymentId)",
          ExpressionAttributeValues: { ":merchantId": merchantId, ":paymentId": paymentId },
        },
      },
      conflict: `The processor payment ${processorPaymentId} belongs to another payment`,
    };
  },
  async findPayment(
    processorPaymentId: string,
  ): Promise<{ merchantId: string; paymentId: string } | undefined> {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.processorPayment(processorPaymentId) }),
    );
    return Item ? { merchantId: String(Item.merchantId), paymentId: String(Item.paymentId) } : undefined;
  },
  accountRefWrite(accountId: string, merchantId: string): ExtraWrite {
    return {
      item: {
        Put: {
          TableName: tableName(),
          Item: accountRefs.toItem(keys.stripeAccount(accountId), { merchantId }),
        },
      },
    };
  },
  async findAccountMerchant(accountId: string): Promise<string | undefined> {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.stripeAccount(accountId) }),
    );
    return Item ? String(Item.merchantId) : undefined;
  },
};
