/**
 * Report rollups (shared/reports/ports.ts): counter items in the merchant's partition moved only by
 * `ADD`, each change in one transaction with a marker that makes it happen once — per (contributor,
 * event id) or per (rollup, member). Never in the transaction of the payment or customer that caused
 * it: concurrent payments of one merchant meet only here, and a conflict between them is retried.
 */
import { BatchGetCommand, type TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { Clock } from "../domain/clock.ts";
import type { NamedCustomer, Rollup, RollupStore, Tally } from "../reports/ports.ts";
import { cancellationReasons, documentClient, queryItems, sendTransaction, tableName } from "./dynamo.ts";
import { keys, type RollupKeyParts } from "./keys.ts";

/** The event markers live as long as a message can be redelivered (queue retention: 14 days). */
export const eventMarkerSeconds = 14 * 24 * 3600;
/** A member's marker outlives its period (a month at most) and that period's redeliveries. */
const memberMarkerSeconds = 62 * 24 * 3600;

type TransactItem = NonNullable<
  ConstructorParameters<typeof TransactWriteCommand>[0]["TransactItems"]
>[number];

const rollupAttributes = new Set(["PK", "SK", "type", "period", "dims"]);

/** Counters to add to one item named like a rollup: a report's `Tally`, or the ledger's (whose grains are its own). */
export type KeyedTally = { rollup: RollupKeyParts; add: Tally["add"] };

/** One Update per rollup item (a transaction may not touch an item twice): same-item tallies summed. */
export function updates(merchantId: string, tallies: readonly KeyedTally[]): TransactItem[] {
  const byKey = new Map<string, { rollup: RollupKeyParts; add: Record<string, number> }>();
  for (const { rollup, add } of tallies) {
    const key = keys.rollup(merchantId, rollup);
    const held = byKey.get(key.SK) ?? { rollup, add: {} };
    for (const [name, value] of Object.entries(add)) held.add[name] = (held.add[name] ?? 0) + value;
    byKey.set(key.SK, held);
  }
  return [...byKey.values()].flatMap(({ rollup, add }) => {
    const counters = Object.entries(add).filter(([, value]) => value !== 0);
    if (counters.length === 0) return [];
    return [
      {
        Update: {
          TableName: tableName(),
          Key: keys.rollup(merchantId, rollup),
          UpdateExpression: `SET #type = :type, #period = :period, #dims = :dims ADD ${counters
            .map((_, i) => `#c${i} :c${i}`)
            .join(", ")}`,
          ExpressionAttributeNames: {
            "#type": "type",
            "#period": "period",
            "#dims": "dims",
            ...Object.fromEntries(counters.map(([name], i) => [`#c${i}`, name])),
          },
          ExpressionAttributeValues: {
            ":type": "rollup",
            ":period": rollup.period,
            ":dims": [...rollup.dims],
            ...Object.fromEntries(counters.map(([, value], i) => [`:c${i}`, value])),
          },
        },
      },
    ];
  });
}

/**
 * Runs marker + updates; false when the marker (the first item) was there already. Concurrent events
 * of one merchant meet on its day's items: their conflicts are retried by `sendTransaction`.
 */
export async function markAndAdd(marker: TransactItem, adds: TransactItem[]): Promise<boolean> {
  try {
    await sendTransaction({ TransactItems: [marker, ...adds] });
    return true;
  } catch (error) {
    if (cancellationReasons(error)[0] === "ConditionalCheckFailed") return false;
    throw error;
  }
}

export const markerPut = (Key: { PK: string; SK: string }, expiresAt: number): TransactItem => ({
  Put: {
    TableName: tableName(),
    Item: { ...Key, type: "rollupMarker", expiresAt },
    ConditionExpression: "attribute_not_exists(PK)",
  },
});

export const dynamoRollupStore = (clock: Clock): RollupStore => {
  const expiresIn = (seconds: number) => Math.floor(clock.now().getTime() / 1000) + seconds;
  return {
    addOnce: (merchantId, { contributor, eventId }, tallies) =>
      markAndAdd(
        markerPut(keys.processedMessage(`reports-${contributor}`, eventId), expiresIn(eventMarkerSeconds)),
        updates(merchantId, tallies),
      ),
    addOncePerMember: (merchantId, rollup, member, tallies) =>
      markAndAdd(
        markerPut(keys.rollupMember(merchantId, rollup, member), expiresIn(memberMarkerSeconds)),
        updates(merchantId, tallies),
      ),
    async read(merchantId, { fromPeriod, toPeriod, ...ref }) {
      const range = keys.rollupRange(merchantId, ref, fromPeriod, toPeriod);
      const rollups: Rollup[] = [];
      for await (const item of queryItems({
        KeyConditionExpression: "PK = :pk AND SK BETWEEN :from AND :to",
        ExpressionAttributeValues: { ":pk": range.PK, ":from": range.from, ":to": range.to },
      }))
        rollups.push({
          period: String(item.period),
          dims: (item.dims as string[] | undefined) ?? [],
          counts: Object.fromEntries(
            Object.entries(item).filter(
              (entry): entry is [string, number] =>
                !rollupAttributes.has(entry[0]) && typeof entry[1] === "number",
            ),
          ),
        });
      return rollups;
    },
  };
};

/** BatchGetItem takes at most 100 keys. */
const batchKeys = 100;

/** The listed customers' ids, names and emails: one BatchGetItem per 100, only those fields read. */
export async function customerNames(merchantId: string, ids: readonly string[]): Promise<NamedCustomer[]> {
  const found: NamedCustomer[] = [];
  for (let start = 0; start < ids.length; start += batchKeys) {
    let pending: Record<string, unknown>[] = ids
      .slice(start, start + batchKeys)
      .map((id) => ({ ...keys.merchantObject(merchantId, id) }));
    while (pending.length > 0) {
      const out = await documentClient().send(
        new BatchGetCommand({
          RequestItems: {
            [tableName()]: {
              Keys: pending,
              ProjectionExpression: "id, #name, email",
              ExpressionAttributeNames: { "#name": "name" },
            },
          },
        }),
      );
      for (const item of out.Responses?.[tableName()] ?? [])
        found.push({
          id: String(item.id),
          ...(typeof item.name === "string" ? { name: item.name } : {}),
          email: String(item.email),
        });
      pending = out.UnprocessedKeys?.[tableName()]?.Keys ?? [];
    }
  }
  return found;
}
