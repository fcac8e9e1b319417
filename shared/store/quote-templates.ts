/**
 * Quote templates: a collection in the merchant's partition (`qtpl_…`), and one record of which is
 * the default and how many there are (`keys.quoteTemplateDefault`), written in the same transaction
 * as every template that is added, deleted or made the default. Its conditions keep exactly one
 * default: the first template claims it only if no record exists, the default is deleted only as
 * the last template, another only while it is not the default.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { QuoteTemplateStore } from "../quotes/templates.ts";
import type { StoredQuoteTemplate } from "../quotes/template.ts";
import { collection, type ExtraWrite } from "./collection.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";

const templates = collection<StoredQuoteTemplate>({
  type: "quoteTemplate",
  idKind: "quoteTemplate",
  label: "quote template",
});

/** The conflict of a lost race on the default's record (the use cases retry on a fresh read). */
const defaultRace = "Another request changed the merchant's quote templates; try again";

/** Every expression on the record names both (DynamoDB refuses a name it was given but does not use). */
const names = { "#templateId": "templateId", "#templates": "templates" };

const defaultUpdate = (
  merchantId: string,
  update: string,
  condition: string,
  values: Record<string, unknown>,
): ExtraWrite => ({
  item: {
    Update: {
      TableName: tableName(),
      Key: keys.quoteTemplateDefault(merchantId),
      UpdateExpression: update,
      ConditionExpression: condition,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    },
  },
  conflict: defaultRace,
});

export const dynamoQuoteTemplateStore: QuoteTemplateStore = {
  read: (merchantId, id) => templates.read(merchantId, id),
  list: (merchantId, page) => templates.list(merchantId, page),

  async readDefault(merchantId) {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.quoteTemplateDefault(merchantId),
        ConsistentRead: true,
      }),
    );
    return Item ? { templateId: String(Item.templateId), templates: Number(Item.templates) } : undefined;
  },

  create(merchantId, template, event, { asDefault, first }) {
    const claim: ExtraWrite = !first
      ? defaultUpdate(
          merchantId,
          `${asDefault ? "SET #templateId = :id " : ""}ADD #templates :one`,
          "attribute_exists(#templateId)",
          { ...(asDefault ? { ":id": template.id } : {}), ":one": 1 },
        )
      : {
          item: {
            Put: {
              TableName: tableName(),
              Item: {
                ...keys.quoteTemplateDefault(merchantId),
                type: "quoteTemplateDefault",
                templateId: template.id,
                templates: 1,
              },
              ConditionExpression: "attribute_not_exists(PK)",
            },
          },
          conflict: defaultRace,
        };
    return templates.create(merchantId, template, event, [claim]);
  },

  replace(merchantId, template, version, event, { asDefault }) {
    return templates.replace(
      merchantId,
      template,
      version,
      event,
      asDefault
        ? [
            defaultUpdate(merchantId, "SET #templateId = :id", "#templates > :none", {
              ":id": template.id,
              ":none": 0,
            }),
          ]
        : [],
    );
  },

  remove(merchantId, id, version, event, { last }) {
    const release: ExtraWrite = last
      ? {
          item: {
            Delete: {
              TableName: tableName(),
              Key: keys.quoteTemplateDefault(merchantId),
              ConditionExpression: "#templateId = :id AND #templates = :one",
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: { ":id": id, ":one": 1 },
            },
          },
          conflict: defaultRace,
        }
      : defaultUpdate(merchantId, "ADD #templates :minus", "#templateId <> :id", { ":id": id, ":minus": -1 });
    return templates.remove(merchantId, id, version, event, [release]);
  },
};
