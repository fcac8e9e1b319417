/**
 * Payouts (`po_…`): a collection in the merchant's partition. Each is created in one transaction
 * with its outbox event and a uniqueness item that makes it the only one of its kind:
 * - sandbox payouts claim `UNIQUE#payout#<date>#<currency>`: one per merchant, day and currency;
 * - Stripe payouts claim `UNIQUE#stripe-payout#<Stripe payout id>`: one per Stripe payout.
 * A second creation fails with a ConflictError; the item names the payout that won.
 * Also reads a day's balance transactions (`BTX#<date>#…`), which payouts are made of, and keeps
 * each merchant's payout chain marker (`PAYOUT_CHAIN`: the run it waits for next).
 */
import { BatchGetCommand, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { BalanceTransaction } from "../payments/balance.ts";
import type { Payout } from "../payouts/payout.ts";
import type { ChainMarker, PayoutStore } from "../payouts/ports.ts";
import { beforeLivemode, collection, type ExtraWrite, queryPage } from "./collection.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { allOf } from "./filters.ts";
import { type Key, keys } from "./keys.ts";
import { balanceTransactions } from "./payments.ts";
import { payoutQuery } from "./list-filters.ts";

const payouts = collection<Payout>({
  type: "payout",
  idKind: "payout",
  label: "payout",
  defaults: beforeLivemode,
});

const dayClaim = (merchantId: string, date: string, currency: string): Key =>
  keys.merchantUnique(merchantId, "payout", `${date}#${currency}`);
const stripeClaim = (merchantId: string, processorPayoutId: string): Key =>
  keys.merchantUnique(merchantId, "stripe-payout", processorPayoutId);

const claim = (key: Key, payoutId: string, conflict: string): ExtraWrite => ({
  item: {
    Put: {
      TableName: tableName(),
      Item: { ...key, type: "unique", payoutId },
      ConditionExpression: "attribute_not_exists(PK)",
    },
  },
  conflict,
});

async function claimedBy(key: Key): Promise<string | undefined> {
  const { Item } = await documentClient().send(
    new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true }),
  );
  return Item?.payoutId as string | undefined;
}

/**
 * The currency's carry after `payout`, on condition no other payout moved it since it was read: a
 * Put when it changes, else only a ConditionCheck (a day that leaves it at 0 writes no item).
 */
function carryWrite(
  merchantId: string,
  payout: Payout,
  { expectedVersion, next }: { expectedVersion: number; next: number },
): ExtraWrite {
  const Key = keys.payoutCarry(merchantId, payout.currency);
  const condition =
    expectedVersion === 0
      ? { ConditionExpression: "attribute_not_exists(PK)" }
      : {
          ConditionExpression: "version = :expectedCarryVersion",
          ExpressionAttributeValues: { ":expectedCarryVersion": expectedVersion },
        };
  const conflict = "Another payout moved this currency's carried balance";
  if (next === (payout.carriedIn ?? 0))
    return { item: { ConditionCheck: { TableName: tableName(), Key, ...condition } }, conflict };
  return {
    item: {
      Put: {
        TableName: tableName(),
        Item: {
          ...Key,
          type: "payoutCarry",
          currency: payout.currency,
          amount: next,
          // The payout that set it, for whoever reads the item.
          payoutId: payout.id,
          version: expectedVersion + 1,
        },
        ...condition,
      },
    },
    conflict,
  };
}

export const duplicateDayPayout = "A payout for this day and currency already exists";
export const duplicateStripePayout = "This Stripe payout is already recorded";

export const dynamoPayoutStore: PayoutStore = {
  read: (merchantId, id) => payouts.read(merchantId, id),
  list: (merchantId, filter, page) => payouts.list(merchantId, payoutQuery(filter, page)),
  createDaily: (merchantId, payout, event, carry) =>
    payouts.create(merchantId, payout, event, [
      claim(dayClaim(merchantId, payout.date, payout.currency), payout.id, duplicateDayPayout),
      carryWrite(merchantId, payout, carry),
    ]),
  async carry(merchantId, currency) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.payoutCarry(merchantId, currency), ConsistentRead: true }),
    );
    return { amount: Number(Item?.amount ?? 0), version: Number(Item?.version ?? 0) };
  },
  createFromStripe: (merchantId, payout, event) =>
    payouts.create(merchantId, payout, event, [
      claim(stripeClaim(merchantId, payout.processorPayoutId), payout.id, duplicateStripePayout),
    ]),
  replace: (merchantId, payout, expectedVersion, event) =>
    payouts.replace(merchantId, payout, expectedVersion, event),
  findDaily: (merchantId, date, currency) => claimedBy(dayClaim(merchantId, date, currency)),
  findByStripePayout: (merchantId, processorPayoutId) =>
    claimedBy(stripeClaim(merchantId, processorPayoutId)),
  async balanceTransactionsOfDay(merchantId, date) {
    const { PK, SKPrefix } = keys.balanceDayPrefix(merchantId, date);
    const items: BalanceTransaction[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await documentClient().send(
        new QueryCommand({
          TableName: tableName(),
          KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
          ExpressionAttributeValues: { ":pk": PK, ":prefix": SKPrefix },
          ConsistentRead: true,
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of out.Items ?? []) items.push(balanceTransactions.fromItem(item));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  },
  async balanceTransactionsPage(merchantId, date, currency, query) {
    const { PK, SKPrefix } = keys.balanceDayPrefix(merchantId, date);
    const page = await queryPage(
      {
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues: { ":pk": PK, ":prefix": SKPrefix },
        ScanIndexForward: true,
      },
      { ...query, filter: allOf([{ attribute: "currency", equals: currency }]) },
      (item) => keys.balanceTransaction(merchantId, date, String(item.id)),
    );
    return { ...page, items: page.items.map(balanceTransactions.fromItem) };
  },
  async markNextRun(merchantId, { date, runAt }) {
    try {
      await documentClient().send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.payoutChain(merchantId),
          UpdateExpression: "SET #type = :type, merchantId = :merchantId, #date = :date, runAt = :runAt",
          // A late redelivery of an older run must not take the marker back to a day already done.
          ConditionExpression: "attribute_not_exists(PK) OR #date <= :date",
          ExpressionAttributeNames: { "#type": "type", "#date": "date" },
          ExpressionAttributeValues: {
            ":type": "payoutChain",
            ":merchantId": merchantId,
            ":date": date,
            ":runAt": runAt,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  },
  async chainMarkers(merchantIds) {
    const markers = new Map<string, ChainMarker>();
    let pending: Record<string, unknown>[] = merchantIds.map((id) => ({ ...keys.payoutChain(id) }));
    while (pending.length > 0) {
      const out = await documentClient().send(
        new BatchGetCommand({
          RequestItems: { [tableName()]: { Keys: pending, ConsistentRead: true } },
        }),
      );
      for (const item of out.Responses?.[tableName()] ?? [])
        markers.set(String(item.merchantId), { date: String(item.date), runAt: String(item.runAt) });
      pending = out.UnprocessedKeys?.[tableName()]?.Keys ?? [];
    }
    return markers;
  },
};
