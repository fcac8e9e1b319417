/**
 * Segments, their members and customers' behaviour stats, in the merchant's partition: a segment is a
 * collection item (`seg_…`; its domain `type` stored as `segmentType`), a member an item per
 * (segment, customer) in the segment's key range with the customer's index of its segments (GSI1),
 * and a customer's stats one item (`SEGSTATS#cus_…`) applied once per event through a marker put in
 * the same transaction. `memberCount` moves with `ADD` beside each member's write, never by a
 * rewrite of the segment (its updates `SET` their own fields).
 */
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  QueryCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import type { Customer } from "../customers/customer.ts";
import { systemClock } from "../domain/clock.ts";
import { ConflictError } from "../domain/errors.ts";
import type { MemberStore, SegmentCustomers, SegmentStore, StatsStore } from "../segments/ports.ts";
import type { CustomerStats, Segment } from "../segments/segment.ts";
import { emptyStats } from "../segments/segment.ts";
import { collection, queryPage, transact } from "./collection.ts";
import { customerCollection } from "./customers.ts";
import { batchGetItems, documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { eventPut } from "./outbox.ts";
import { indexKeys, keys } from "./keys.ts";

const segments = collection<Segment>({
  type: "segment",
  idKind: "segment",
  label: "segment",
  attributes: {
    toAttributes: ({ type, ...segment }) => ({ ...segment, segmentType: type }),
    fromAttributes: ({ segmentType, ...segment }) =>
      ({ ...segment, type: segmentType }) as unknown as Segment,
  },
});

const changed = "The segment was changed by another request; fetch it and try again";

/** Every page of a query on the table, for reads bounded by what a merchant has (its segments, a customer's memberships). */
async function queryAll(input: Omit<ConstructorParameters<typeof QueryCommand>[0], "TableName">) {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await documentClient().send(
      new QueryCommand({
        TableName: tableName(),
        ...input,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(out.Items ?? []));
    startKey = out.LastEvaluatedKey;
  } while (startKey);
  return items;
}

export const dynamoSegmentStore: SegmentStore = {
  read: (merchantId, id) => segments.read(merchantId, id),
  create: (merchantId, segment, event) => segments.create(merchantId, segment, event),
  async update(merchantId, segment, expectedVersion, event) {
    await transact(
      [
        {
          item: {
            Update: {
              TableName: tableName(),
              Key: keys.merchantObject(merchantId, segment.id),
              UpdateExpression:
                "SET #name = :name, filters = :filters, #status = :status, revision = :revision, updatedAt = :updatedAt ADD version :one",
              ConditionExpression: "version = :expected",
              ExpressionAttributeNames: { "#name": "name", "#status": "status" },
              ExpressionAttributeValues: {
                ":name": segment.name,
                ":filters": segment.filters,
                ":status": segment.status,
                ":revision": segment.revision,
                ":updatedAt": segment.updatedAt,
                ":one": 1,
                ":expected": expectedVersion,
              },
            },
          },
          conflict: changed,
        },
        { item: eventPut(event) },
      ],
      changed,
    );
  },
  remove: (merchantId, id, expectedVersion, event) => segments.remove(merchantId, id, expectedVersion, event),
  list: (merchantId, page) => segments.list(merchantId, page),
  async active(merchantId) {
    const { lower, upper } = { lower: "seg_", upper: "seg_~" };
    const items = await queryAll({
      KeyConditionExpression: "PK = :pk AND SK BETWEEN :lower AND :upper",
      FilterExpression: "segmentType = :active",
      ExpressionAttributeValues: {
        ":pk": keys.merchantObject(merchantId, "").PK,
        ":lower": lower,
        ":upper": upper,
        ":active": "active",
      },
      ConsistentRead: true,
    });
    return items.map(segments.fromItem);
  },
  async markReady(merchantId, id, revision) {
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.merchantObject(merchantId, id),
          UpdateExpression: "SET #status = :ready",
          ConditionExpression: "revision = :revision",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: { ":ready": "ready", ":revision": revision },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  },
};

const memberPrefix = (merchantId: string, segmentId: string) =>
  keys.segmentMemberPrefix(merchantId, segmentId);
const countBy = (merchantId: string, segmentId: string, delta: 1 | -1) => ({
  item: {
    Update: {
      TableName: tableName(),
      Key: keys.merchantObject(merchantId, segmentId),
      UpdateExpression: "ADD memberCount :delta",
      ConditionExpression: "attribute_exists(PK)",
      ExpressionAttributeValues: { ":delta": delta },
    },
  },
});

export const dynamoMemberStore: MemberStore = {
  async page(merchantId, segmentId, page) {
    const { PK, SKPrefix } = memberPrefix(merchantId, segmentId);
    const found = await queryPage(
      {
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": PK, ":prefix": SKPrefix },
      },
      page,
      (item) => keys.segmentMember(merchantId, segmentId, String(item.customerId)),
    );
    return { ...found, items: found.items.map((item) => String(item.customerId)) };
  },
  async segmentsOf(merchantId, customerId) {
    const index = indexKeys.segmentsOfCustomer(merchantId, customerId);
    const items = await queryAll({
      IndexName: index.index,
      KeyConditionExpression: "GSI1PK = :pk",
      ExpressionAttributeValues: { ":pk": index.pk },
    });
    return items.map((item) => String(item.segmentId));
  },
  async members(merchantId, segmentId, customerIds) {
    const found = await batchGetItems(
      customerIds.map((id) => ({ ...keys.segmentMember(merchantId, segmentId, id) })),
    );
    return new Set(found.map((item) => String(item.customerId)));
  },
  async add(merchantId, segmentId, customerId) {
    try {
      await transact(
        [
          {
            item: {
              Put: {
                TableName: tableName(),
                Item: {
                  ...keys.segmentMember(merchantId, segmentId, customerId),
                  ...keys.segmentOfCustomer(merchantId, customerId, segmentId),
                  type: "segmentMember",
                  segmentId,
                  customerId,
                },
                ConditionExpression: "attribute_not_exists(PK)",
              },
            },
          },
          countBy(merchantId, segmentId, 1),
        ],
        "The membership changed meanwhile",
      );
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  },
  async remove(merchantId, segmentId, customerId) {
    try {
      await transact(
        [
          {
            item: {
              Delete: {
                TableName: tableName(),
                Key: keys.segmentMember(merchantId, segmentId, customerId),
                ConditionExpression: "attribute_exists(PK)",
              },
            },
          },
          countBy(merchantId, segmentId, -1),
        ],
        "The membership changed meanwhile",
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      // The segment itself is gone: its member item goes without a count.
      const { Attributes } = await documentClient().send(
        new DeleteCommand({
          TableName: tableName(),
          Key: keys.segmentMember(merchantId, segmentId, customerId),
          ReturnValues: "ALL_OLD",
        }),
      );
      return Attributes !== undefined;
    }
  },
  async clear(merchantId, segmentId) {
    const { PK, SKPrefix } = memberPrefix(merchantId, segmentId);
    const items = await queryAll({
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
      ExpressionAttributeValues: { ":pk": PK, ":prefix": SKPrefix },
      ProjectionExpression: "PK, SK",
    });
    for (let i = 0; i < items.length; i += 25) {
      let pending = items.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      while (pending.length > 0) {
        const out = await documentClient().send(
          new BatchWriteCommand({ RequestItems: { [tableName()]: pending } }),
        );
        pending = (out.UnprocessedItems?.[tableName()] ?? []) as typeof pending;
      }
    }
  },
};

/**
 * How long an applied event's marker is kept: far beyond SQS's retention, so no redelivery outlives
 * it. Real time (never a test clock's): the marker must expire while a clock stands still.
 */
const markerSeconds = 30 * 24 * 3600;
const statsFields = ({ customerId, lastPaymentAt, paid, subscriptions, overdueInvoices }: CustomerStats) => ({
  customerId,
  ...(lastPaymentAt ? { lastPaymentAt } : {}),
  paid,
  subscriptions,
  overdueInvoices,
});
const statsOf = (item: Record<string, unknown>): CustomerStats => ({
  ...emptyStats(String(item.customerId)),
  ...(item.lastPaymentAt ? { lastPaymentAt: String(item.lastPaymentAt) } : {}),
  paid: (item.paid as CustomerStats["paid"]) ?? {},
  subscriptions: (item.subscriptions as CustomerStats["subscriptions"]) ?? {},
  overdueInvoices: (item.overdueInvoices as string[]) ?? [],
});

export const dynamoStatsStore: StatsStore = {
  async read(merchantId, customerId) {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.customerStats(merchantId, customerId),
        ConsistentRead: true,
      }),
    );
    return Item ? statsOf(Item) : undefined;
  },
  async readMany(merchantId, customerIds) {
    const found = await batchGetItems(customerIds.map((id) => ({ ...keys.customerStats(merchantId, id) })));
    return new Map(found.map((item) => [String(item.customerId), statsOf(item)]));
  },
  async applyOnce(merchantId, customerId, eventId, change) {
    const marker = keys.processedMessage("segments", eventId);
    for (let attempt = 1; ; attempt++) {
      const { Item } = await documentClient().send(
        new GetCommand({
          TableName: tableName(),
          Key: keys.customerStats(merchantId, customerId),
          ConsistentRead: true,
        }),
      );
      const version = Item ? Number(Item.version) : 0;
      const next = change(Item ? statsOf(Item) : emptyStats(customerId));
      try {
        await transact(
          [
            {
              item: {
                Put: {
                  TableName: tableName(),
                  Item: {
                    ...marker,
                    type: "processedMessage",
                    expiresAt: Math.floor(systemClock.now().getTime() / 1000) + markerSeconds,
                  },
                  ConditionExpression: "attribute_not_exists(PK)",
                },
              },
              conflict: "applied",
            },
            {
              item: {
                Put: {
                  TableName: tableName(),
                  Item: {
                    ...keys.customerStats(merchantId, customerId),
                    type: "customerStats",
                    version: version + 1,
                    ...statsFields(next),
                  },
                  ConditionExpression: Item ? "version = :version" : "attribute_not_exists(PK)",
                  ...(Item ? { ExpressionAttributeValues: { ":version": version } } : {}),
                },
              },
              conflict: "raced",
            },
          ],
          "raced",
        );
        return true;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        if (error.message === "applied") return false;
        if (attempt >= 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  },
  async remove(merchantId, customerId) {
    await documentClient().send(
      new DeleteCommand({ TableName: tableName(), Key: keys.customerStats(merchantId, customerId) }),
    );
  },
};

/** The customers a segment reads: one by id, a batch of a members' page, a page of the merchant's. */
export const dynamoSegmentCustomers: SegmentCustomers = {
  read: async (merchantId, customerId) => (await customerCollection.read(merchantId, customerId))?.value,
  async readMany(merchantId, customerIds) {
    const found = await batchGetItems(customerIds.map((id) => ({ ...keys.merchantObject(merchantId, id) })));
    return found
      .filter((item) => item.type === "customer")
      .map((item) => customerCollection.fromItem(item) as Customer);
  },
  list: (merchantId, page) => customerCollection.list(merchantId, page),
};
