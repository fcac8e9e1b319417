/**
 * Reads the outbox event items of a creation-time range back from the table (event ids are ULIDs,
 * so a time range is a sort-key range), oldest first, and every merchant's id: what the redispatch
 * command walks.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { idRange } from "../domain/ids.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";
import { dynamoMerchantStore } from "./merchants.ts";
import { type OutboxEvent, outboxEventFromItem } from "./outbox.ts";

export async function* outboxEventsBetween(
  merchantId: string,
  from: Date,
  to: Date,
): AsyncIterable<OutboxEvent> {
  const { lower, upper } = idRange("event", from, to);
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: "PK = :pk AND SK BETWEEN :lower AND :upper",
        ExpressionAttributeValues: {
          ":pk": keys.eventPrefix(merchantId).PK,
          ":lower": keys.event(merchantId, lower).SK,
          ":upper": keys.event(merchantId, upper).SK,
        },
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of out.Items ?? []) if (item.type === "event") yield outboxEventFromItem(item);
    startKey = out.LastEvaluatedKey;
  } while (startKey);
}

export async function* allMerchantIds(): AsyncIterable<string> {
  let after: Record<string, unknown> | undefined;
  do {
    const page = await dynamoMerchantStore.listMerchants({ limit: 100, ...(after ? { after } : {}) });
    for (const merchant of page.items) yield merchant.id;
    after = page.next;
  } while (after);
}
