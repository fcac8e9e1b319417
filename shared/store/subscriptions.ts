/**
 * Subscriptions: a collection in the merchant's partition (`SK = sub_…`). A subscription with a
 * period left to bill carries the sparse due index (GSI2, `keys.dueWork`) at its `nextBillingAt`, in
 * its clock's partition (a test clock's id, else a wall shard), so a billing run — the sweep on the
 * wall clock, a test clock's advance — reads only what is due. Billing a period writes the period's
 * claim (`keys.subscriptionPeriod`), the invoice and the subscription's next state in one
 * transaction: whatever fires twice, one invoice per period.
 */
import { DeleteCommand, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { DomainEvent } from "../domain/events.ts";
import type { Change } from "../domain/records.ts";
import { type StoredSubscription, terminalSubscriptionStatuses } from "../subscriptions/subscription.ts";
import {
  asChange,
  collection,
  type ExtraWrite,
  type ListQuery,
  type Page,
  type Versioned,
} from "./collection.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { dueClock, indexKeys, keys, merchantIdOf } from "./keys.ts";
import { eventPut } from "./outbox.ts";

/** Whether the subscription waits for a billing run: a period left to bill, not in a final status. */
const pendingBilling = (subscription: StoredSubscription) =>
  subscription.nextBillingAt !== null && !terminalSubscriptionStatuses.includes(subscription.status);

const subscriptions = collection<StoredSubscription>({
  type: "subscription",
  idKind: "subscription",
  label: "subscription",
  indexKeys: (subscription, merchantId): Record<string, string> =>
    pendingBilling(subscription) && subscription.nextBillingAt
      ? keys.dueWork(
          dueClock(subscription.id, subscription.testClockId),
          subscription.nextBillingAt,
          merchantId,
          subscription.id,
        )
      : {},
});

/** A due subscription as a billing run finds it (the index holds the whole item). */
export interface DueSubscription {
  merchantId: string;
  subscription: Versioned<StoredSubscription>;
}

/** A billed period whose invoice a run has not finished collecting. */
export interface UncollectedPeriod {
  merchantId: string;
  subscriptionId: string;
  period: number;
}

export interface SubscriptionStore {
  read(merchantId: string, id: string): Promise<Versioned<StoredSubscription> | undefined>;
  /** `extra`: changes of other capabilities in the same transaction (the customer's counter, a code's redemption). */
  create(
    merchantId: string,
    subscription: StoredSubscription,
    event: DomainEvent,
    extra?: readonly Change[],
  ): Promise<void>;
  replace(
    merchantId: string,
    subscription: StoredSubscription,
    version: number,
    event: DomainEvent,
    extra?: readonly Change[],
  ): Promise<void>;
  list(merchantId: string, query: ListQuery): Promise<Page<StoredSubscription>>;
  /** The change that replaces the subscription if still at `version`, for another unit of work. */
  replaceWrite(merchantId: string, subscription: StoredSubscription, version: number): Change;
  /** The changes that replace the subscription if still at `version`, with its events. */
  replaceWrites(
    merchantId: string,
    subscription: StoredSubscription,
    version: number,
    events: readonly DomainEvent[],
  ): Change[];
  /** The change that claims period `period` of a subscription for `invoiceId` (fails if claimed). */
  claimPeriodWrite(merchantId: string, subscriptionId: string, period: number, invoiceId: string): Change;
  /**
   * The change, beside a period's claim, that marks it uncollected: in the wall clock's due index
   * from `collectBy` until its invoice is collected (`periodCollected`), so the sweep finishes a
   * run that died after billing it.
   */
  uncollectedWrite(merchantId: string, subscriptionId: string, period: number, collectBy: string): Change;
  /** The period's invoice is collected: its mark is gone (idempotent). */
  periodCollected(merchantId: string, subscriptionId: string, period: number): Promise<void>;
  /**
   * Billed periods whose collection is overdue (`collectBy` at or before `until`) on one wall-clock
   * partition of the due index, earliest first: one query page, as `due`.
   */
  uncollected(
    clock: string,
    until: string,
    limit: number,
    after?: Record<string, unknown>,
  ): Promise<{ items: UncollectedPeriod[]; next?: Record<string, unknown> }>;
  /** The invoice a period's claim names, if the period was billed. */
  periodInvoice(merchantId: string, subscriptionId: string, period: number): Promise<string | undefined>;
  /**
   * A ticket among the merchant's renewals due at `instant` (1 for the first): where its billing
   * goes in the merchant's paced run. A repeat takes another ticket (a gap in the pace, nothing more).
   */
  claimBillingSlot(merchantId: string, instant: string): Promise<number>;
  /** How many tickets the merchant's renewals due at `instant` took (0: none). */
  billingSlotsTaken(merchantId: string, instant: string): Promise<number>;
  /**
   * Subscriptions due on one clock partition (`dueClock`) at or before `until`, earliest first: one
   * query page of at most `limit`; `after` continues from the previous page's `next`.
   */
  due(
    clock: string,
    until: string,
    limit: number,
    after?: Record<string, unknown>,
  ): Promise<{ items: DueSubscription[]; next?: Record<string, unknown> }>;
}

/**
 * One page of the items of `type` due on a clock partition of the due index at or before `until`
 * (subscriptions and uncollected periods share the index), earliest first.
 */
async function dueOfType(
  type: "subscription" | "uncollectedPeriod",
  clock: string,
  until: string,
  limit: number,
  after: Record<string, unknown> | undefined,
) {
  const index = indexKeys.dueWork(clock);
  const { Items = [], LastEvaluatedKey } = await documentClient().send(
    new QueryCommand({
      TableName: tableName(),
      IndexName: index.index,
      // `~` sorts after every character of `#<merchantId>#<id>`: everything due at `until` too.
      KeyConditionExpression: "GSI2PK = :pk AND GSI2SK <= :until",
      FilterExpression: "#type = :type",
      ExpressionAttributeNames: { "#type": "type" },
      ExpressionAttributeValues: { ":pk": index.pk, ":until": `${until}~`, ":type": type },
      Limit: limit,
      ...(after ? { ExclusiveStartKey: after } : {}),
    }),
  );
  return { Items, LastEvaluatedKey };
}

/** A due instant's tickets are kept a week past it: every renewal of that instant is planned by then. */
const slotsKeptSeconds = 7 * 24 * 3600;

export const dynamoSubscriptionStore: SubscriptionStore = {
  read: (merchantId, id) => subscriptions.read(merchantId, id),
  create: (merchantId, subscription, event, extra = []) =>
    subscriptions.create(merchantId, subscription, event, extra as unknown as ExtraWrite[]),
  replace: (merchantId, subscription, version, event, extra = []) =>
    subscriptions.replace(merchantId, subscription, version, event, extra as unknown as ExtraWrite[]),
  list: (merchantId, query) => subscriptions.list(merchantId, query),
  replaceWrite: (merchantId, subscription, version) =>
    asChange(subscriptions.replaceWrite(merchantId, subscription, version)),
  replaceWrites: (merchantId, subscription, version, events) => [
    asChange(subscriptions.replaceWrite(merchantId, subscription, version)),
    ...events.map((event) => asChange({ item: eventPut(event) })),
  ],
  claimPeriodWrite: (merchantId, subscriptionId, period, invoiceId) =>
    asChange({
      item: {
        Put: {
          TableName: tableName(),
          Item: {
            ...keys.subscriptionPeriod(merchantId, subscriptionId, period),
            type: "subscriptionPeriod",
            subscriptionId,
            period,
            invoiceId,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
      conflict: "This period of the subscription is already billed",
    }),
  uncollectedWrite: (merchantId, subscriptionId, period, collectBy) =>
    asChange({
      item: {
        Put: {
          TableName: tableName(),
          Item: {
            ...keys.uncollectedPeriod(merchantId, subscriptionId, period),
            ...keys.dueWork(dueClock(subscriptionId), collectBy, merchantId, `${subscriptionId}#${period}`),
            type: "uncollectedPeriod",
            merchantId,
            subscriptionId,
            period,
          },
        },
      },
    }),
  async periodCollected(merchantId, subscriptionId, period) {
    await documentClient().send(
      new DeleteCommand({
        TableName: tableName(),
        Key: keys.uncollectedPeriod(merchantId, subscriptionId, period),
      }),
    );
  },
  async uncollected(clock, until, limit, after) {
    const { Items, LastEvaluatedKey } = await dueOfType("uncollectedPeriod", clock, until, limit, after);
    return {
      items: Items.map((item) => ({
        merchantId: String(item.merchantId),
        subscriptionId: String(item.subscriptionId),
        period: Number(item.period),
      })),
      ...(LastEvaluatedKey ? { next: LastEvaluatedKey } : {}),
    };
  },
  async periodInvoice(merchantId, subscriptionId, period) {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.subscriptionPeriod(merchantId, subscriptionId, period),
        ConsistentRead: true,
      }),
    );
    return Item ? String(Item.invoiceId) : undefined;
  },
  async claimBillingSlot(merchantId, instant) {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({
        TableName: tableName(),
        Key: keys.billingSlots(merchantId, instant),
        UpdateExpression: "SET #type = :type, expiresAt = :expiresAt ADD n :one",
        ExpressionAttributeNames: { "#type": "type" },
        ExpressionAttributeValues: {
          ":type": "billingSlots",
          ":one": 1,
          ":expiresAt": Math.floor(Date.parse(instant) / 1000) + slotsKeptSeconds,
        },
        ReturnValues: "UPDATED_NEW",
      }),
    );
    return Number(Attributes?.n ?? 1);
  },
  async billingSlotsTaken(merchantId, instant) {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.billingSlots(merchantId, instant),
        ConsistentRead: true,
      }),
    );
    return Number(Item?.n ?? 0);
  },
  async due(clock, until, limit, after) {
    const { Items, LastEvaluatedKey } = await dueOfType("subscription", clock, until, limit, after);
    return {
      items: Items.map((item) => ({
        merchantId: merchantIdOf(String(item.PK)),
        subscription: { value: subscriptions.fromItem(item), version: Number(item.version) },
      })),
      ...(LastEvaluatedKey ? { next: LastEvaluatedKey } : {}),
    };
  },
};
