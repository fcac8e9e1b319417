/**
 * The events feed's reads of the outbox event items (`EVT#<evt id>` in the merchant's partition):
 * event ids are ULIDs, so a descending query on the prefix is newest first.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { DomainEvent } from "../domain/events.ts";
import { type Filter, type Page, queryPage } from "./collection.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";
import { eventFromItem } from "./outbox.ts";

export interface EventQuery {
  limit: number;
  after?: Record<string, unknown>;
  type?: string;
  objectId?: string;
}

export interface EventStore {
  get(merchantId: string, id: string): Promise<DomainEvent | undefined>;
  list(merchantId: string, query: EventQuery): Promise<Page<DomainEvent>>;
}

function filterOf({ type, objectId }: EventQuery): Filter | undefined {
  const clauses: Filter[] = [
    ...(type
      ? [
          {
            expression: "#eventType = :eventType",
            names: { "#eventType": "eventType" },
            values: { ":eventType": type },
          },
        ]
      : []),
    ...(objectId
      ? [
          {
            expression: "#objectId = :objectId",
            names: { "#objectId": "objectId" },
            values: { ":objectId": objectId },
          },
        ]
      : []),
  ];
  if (clauses.length === 0) return undefined;
  return {
    expression: clauses.map((c) => c.expression).join(" AND "),
    names: Object.assign({}, ...clauses.map((c) => c.names)),
    values: Object.assign({}, ...clauses.map((c) => c.values)),
  };
}

export const dynamoEventStore: EventStore = {
  async get(merchantId, id) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.event(merchantId, id) }),
    );
    return Item?.type === "event" ? eventFromItem(Item) : undefined;
  },
  async list(merchantId, query) {
    const { PK, SKPrefix } = keys.eventPrefix(merchantId);
    const page = await queryPage(
      {
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": PK, ":prefix": SKPrefix },
      },
      { limit: query.limit, after: query.after, filter: filterOf(query) },
      (item) => keys.event(merchantId, String(item.id)),
    );
    return { ...page, items: page.items.map(eventFromItem) };
  },
};
