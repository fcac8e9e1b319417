/**
 * Webhook endpoints (a collection in the merchant's partition, `we_…`), their deliveries
 * (`WHD#<endpoint>#<delivery>`: an endpoint's list is one key range), each pending delivery's place
 * in its line (`WHDLINE#<endpoint>#<object>#<order>`), and the claims that make a fan-out or replay
 * create a delivery once (`UNIQUE#webhook-delivery#…`). Reads of the outbox's event items for
 * deliveries and replays.
 */
import { GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../domain/errors.ts";
import { idRange } from "../domain/ids.ts";
import type { StoredEndpoint, WebhookDelivery } from "../webhooks/endpoint.ts";
import type { StoredDelivery, WebhookStore } from "../webhooks/ports.ts";
import { collection, queryPage, transact } from "./collection.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { itemMapping } from "./items.ts";
import { keys } from "./keys.ts";
import { eventFromItem, eventPut } from "./outbox.ts";

const endpoints = collection<StoredEndpoint>({ type: "webhookEndpoint", idKind: "webhookEndpoint", label: "webhook endpoint" });

const deliveries = itemMapping<StoredDelivery>({ type: "webhookDelivery" });

/** Deliveries are kept 30 days after their three days of retries (the deliveries list's reach). */
const deliveryKeepSeconds = 33 * 24 * 3600;

const present = ({ line: _, ...delivery }: StoredDelivery): WebhookDelivery => delivery;

const deliveryKey = (merchantId: string, d: Pick<StoredDelivery, "endpointId" | "id">) =>
  keys.webhookDelivery(merchantId, d.endpointId, d.id);

const lineKey = (merchantId: string, d: Pick<StoredDelivery, "endpointId" | "line">) =>
  keys.webhookLine(merchantId, d.endpointId, d.line.group, d.line.order);

async function readDelivery(merchantId: string, endpointId: string, id: string) {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: keys.webhookDelivery(merchantId, endpointId, id), ConsistentRead: true }),
  );
  return Item?.type === deliveries.type ? deliveries.fromItem(Item) : undefined;
}

export const dynamoWebhookStore: WebhookStore = {
  readEndpoint: (merchantId, id) => endpoints.read(merchantId, id),
  createEndpoint: (merchantId, endpoint, event) => endpoints.create(merchantId, endpoint, event),
  async replaceEndpoint(merchantId, endpoint, version, event) {
    await transact(
      [endpoints.replaceWrite(merchantId, endpoint, version), ...(event ? [{ item: eventPut(event) }] : [])],
      "The webhook endpoint was changed by another request; fetch it and try again",
    );
  },
  removeEndpoint: (merchantId, id, version, event) => endpoints.remove(merchantId, id, version, event),
  listEndpoints: (merchantId, page) => endpoints.list(merchantId, page),
  async allEndpoints(merchantId) {
    // Creation checks the maximum by counting, so two racing creations may pass it by one: read
    // well beyond it, so fan-out never leaves an endpoint out.
    return (await endpoints.list(merchantId, { limit: 100 })).items;
  },

  async createDelivery(merchantId, { delivery, claim }) {
    const now = Date.parse(delivery.createdAt);
    const claimKey = claim ? keys.merchantUnique(merchantId, "webhook-delivery", claim) : undefined;
    try {
      await transact(
        [
          ...(claimKey
            ? [
                {
                  item: {
                    Put: {
                      TableName: tableName(),
                      Item: { ...claimKey, type: "webhookDeliveryClaim", deliveryId: delivery.id, expiresAt: Math.floor(now / 1000) + deliveryKeepSeconds },
                      ConditionExpression: "attribute_not_exists(PK)",
                    },
                  },
                  conflict: "claimed",
                },
              ]
            : []),
          {
            item: {
              Put: {
                TableName: tableName(),
                Item: { ...deliveries.toItem(deliveryKey(merchantId, delivery), delivery), expiresAt: Math.floor(now / 1000) + deliveryKeepSeconds },
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
          },
          {
            item: {
              Put: {
                TableName: tableName(),
                Item: { ...lineKey(merchantId, delivery), type: "webhookLine", deliveryId: delivery.id },
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
          },
        ],
        "The webhook delivery exists already",
      );
      return { id: delivery.id, created: true };
    } catch (error) {
      if (!(claimKey && error instanceof ConflictError && error.message === "claimed")) throw error;
      const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: claimKey, ConsistentRead: true }));
      return { id: String(Item?.deliveryId), created: false };
    }
  },
  readDelivery,
  async listDeliveries(merchantId, endpointId, page) {
    const { PK, SKPrefix } = keys.webhookDeliveryPrefix(merchantId, endpointId);
    const found = await queryPage(
      {
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": PK, ":prefix": SKPrefix },
      },
      page,
      (item) => keys.webhookDelivery(merchantId, endpointId, String(item.id)),
    );
    return { ...found, items: found.items.map((item) => present(deliveries.fromItem(item))) };
  },
  async lineHead(merchantId, endpointId, group) {
    const { PK, SKPrefix } = keys.webhookLinePrefix(merchantId, endpointId, group);
    const { Items = [] } = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": PK, ":prefix": SKPrefix },
        ConsistentRead: true,
        Limit: 1,
      }),
    );
    return Items[0] ? String(Items[0].deliveryId) : undefined;
  },
  async lease(merchantId, endpointId, id, now, until) {
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.webhookDelivery(merchantId, endpointId, id),
          UpdateExpression: "SET leaseUntil = :until",
          ConditionExpression: "#status = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":until": until.toISOString(), ":now": now.toISOString(), ":pending": "pending" },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  },
  async recordRetry(merchantId, delivery, attempt, nextAttemptAt) {
    await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: deliveryKey(merchantId, delivery),
        UpdateExpression: "SET attempts = list_append(attempts, :attempt), nextAttemptAt = :next REMOVE leaseUntil",
        ConditionExpression: "#status = :pending",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: { ":attempt": [attempt], ":next": nextAttemptAt.toISOString(), ":pending": "pending" },
      }),
    );
  },
  async complete(merchantId, delivery, { status, attempt, at }) {
    await transact(
      [
        {
          item: {
            Update: {
              TableName: tableName(),
              Key: deliveryKey(merchantId, delivery),
              UpdateExpression: `SET #status = :status, completedAt = :at, nextAttemptAt = :null${attempt ? ", attempts = list_append(attempts, :attempt)" : ""} REMOVE leaseUntil`,
              ConditionExpression: "#status = :pending",
              ExpressionAttributeNames: { "#status": "status" },
              ExpressionAttributeValues: {
                ":status": status,
                ":at": at.toISOString(),
                ":null": null,
                ":pending": "pending",
                ...(attempt ? { ":attempt": [attempt] } : {}),
              },
            },
          },
        },
        { item: { Delete: { TableName: tableName(), Key: lineKey(merchantId, delivery) } } },
      ],
      "The webhook delivery was completed by another attempt",
    );
  },
  async markFailing(merchantId, endpointId, at) {
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.merchantObject(merchantId, endpointId),
          UpdateExpression: "SET failingSince = :at",
          ConditionExpression: "attribute_exists(PK) AND failingSince = :null",
          ExpressionAttributeValues: { ":at": at.toISOString(), ":null": null },
        }),
      );
    } catch (error) {
      // A streak already running (or the endpoint deleted) keeps what it has.
      if (!isConditionFailure(error)) throw error;
    }
  },
  async markHealthy(merchantId, endpointId) {
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.merchantObject(merchantId, endpointId),
          UpdateExpression: "SET failingSince = :null",
          ConditionExpression: "attribute_exists(PK) AND failingSince <> :null",
          ExpressionAttributeValues: { ":null": null },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  },
  async disable(merchantId, endpoint, failingSince, event) {
    try {
      await transact(
        [
          {
            item: {
              Update: {
                TableName: tableName(),
                Key: keys.merchantObject(merchantId, endpoint.id),
                UpdateExpression: "SET active = :false, disabledAt = :at, updatedAt = :at, version = version + :one",
                ConditionExpression: "active = :true AND failingSince = :since",
                ExpressionAttributeValues: {
                  ":false": false,
                  ":true": true,
                  ":at": event.occurredAt,
                  ":since": failingSince,
                  ":one": 1,
                },
              },
            },
          },
          { item: eventPut(event) },
        ],
        "The webhook endpoint changed",
      );
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  },

  async eventsBetween(merchantId, { from, to, after, limit }) {
    const { PK, SKPrefix } = keys.eventPrefix(merchantId);
    const { lower, upper } = idRange("event", from, to);
    const { Items = [] } = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: "PK = :pk AND SK BETWEEN :lower AND :upper",
        ExpressionAttributeValues: {
          ":pk": PK,
          ":lower": after ? `${SKPrefix}${after}~` : `${SKPrefix}${lower}`,
          ":upper": `${SKPrefix}${upper}`,
        },
        ScanIndexForward: true,
        Limit: limit,
      }),
    );
    return Items.filter((item) => item.type === "event").map(eventFromItem);
  },
  async event(merchantId, id) {
    const { Item } = await documentClient().send(new GetCommand({ TableName: tableName(), Key: keys.event(merchantId, id) }));
    return Item?.type === "event" ? eventFromItem(Item) : undefined;
  },
};

