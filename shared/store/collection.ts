/**
 * A merchant's collection of one kind of object (customers, products, …): items in the merchant's
 * partition whose sort key is the object's id (a prefixed ULID), so a query lists them newest first
 * and a creation-time range is a key range. Every write goes in one transaction with its outbox
 * event and any uniqueness items, conditioned on the expected version: a lost race is a 409.
 */
import {
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { ConflictError, ContendedError, storeBusy } from "../domain/errors.ts";
import type { DomainEvent } from "../domain/events.ts";
import { type IdKind, idRange } from "../domain/ids.ts";
import type { Change, Page, Versioned } from "../domain/records.ts";
import { cancellationReasons, documentClient, sendTransaction, tableName } from "./dynamo.ts";
import { type AttributeMapping, itemMapping } from "./items.ts";
import { type Key, keys } from "./keys.ts";
import { eventPut, sequenceEvents } from "./outbox.ts";

export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** An extra item in a write's transaction, with the message to give when its condition fails. */
export interface ExtraWrite {
  item: TransactItem;
  conflict?: string;
}

export interface Filter {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, unknown>;
}

export interface ListQuery {
  limit: number;
  /** The key of the last item of the previous page. */
  after?: Record<string, unknown>;
  createdAfter?: Date;
  createdBefore?: Date;
  filter?: Filter;
}

/** A list request's page position and creation-time window, from the API's query strings. */
export function listWindow(query: {
  limit: number;
  after?: Record<string, unknown> | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
}): Pick<ListQuery, "limit" | "after" | "createdAfter" | "createdBefore"> {
  return {
    limit: query.limit,
    ...(query.after ? { after: query.after } : {}),
    ...(query.createdAfter ? { createdAfter: new Date(query.createdAfter) } : {}),
    ...(query.createdBefore ? { createdBefore: new Date(query.createdBefore) } : {}),
  };
}

export type { Page, Versioned } from "../domain/records.ts";

/** A capability's port hands its store's writes on as opaque changes; the store commits them. */
export const asChange = (write: ExtraWrite): Change => write as unknown as Change;

/** Writes of the store itself and changes handed back by a capability: both are `ExtraWrite`s. */
type Write = ExtraWrite | Change;

/**
 * Runs a transaction, turning a failed condition into a ConflictError with the failing item's message.
 * Conflicts and throttling are retried first (`sendTransaction`); one still conflicting is a ConflictError.
 * Its events carry the version the transaction leaves their objects at (`sequenceEvents`).
 */
export async function transact(writes: readonly Write[], defaultConflict: string): Promise<void> {
  const items = writes as readonly ExtraWrite[];
  try {
    await sendTransaction({ TransactItems: sequenceEvents(items.map((i) => i.item)) });
  } catch (error) {
    const reasons = cancellationReasons(error);
    const failed = reasons.indexOf("ConditionalCheckFailed");
    if (failed >= 0) throw new ConflictError(items[failed]?.conflict ?? defaultConflict);
    if (reasons.includes("TransactionConflict")) throw new ContendedError(defaultConflict);
    if (reasons.some((r) => r === "ThrottlingError" || r === "ProvisionedThroughputExceeded")) {
      throw storeBusy();
    }
    throw error;
  }
}

/**
 * The most items a filtered list evaluates for one request: a filter that matches rarely answers
 * with what it found and a cursor to read on (possibly no items at all), never a scan of the whole
 * partition inside one request.
 */
export const maxEvaluatedPerPage = 1_000;

/**
 * One page of a query on the table's primary key, in descending sort-key order (newest first for
 * ULID keys), as raw items. Unfiltered: one query of limit + 1 tells whether there is a next page.
 * Filtered: read on until the page is full, the key range ends or `maxEvaluatedPerPage` items were
 * evaluated; then the next page starts after the last item evaluated, matching or not. `keyOf` gives
 * the key to continue after an item. Shared by collections and the events feed.
 */
export async function queryPage(
  input: {
    KeyConditionExpression: string;
    ExpressionAttributeValues: Record<string, unknown>;
    IndexName?: string;
    ScanIndexForward?: boolean;
  },
  query: { limit: number; after?: Record<string, unknown> | undefined; filter?: Filter | undefined },
  keyOf: (item: Record<string, unknown>) => Key,
): Promise<Page<Record<string, unknown>>> {
  const { filter } = query;
  const items: Record<string, unknown>[] = [];
  let startKey = query.after;
  let evaluated = 0;
  for (;;) {
    const request: QueryCommandInput = {
      TableName: tableName(),
      ...input,
      ExpressionAttributeValues: { ...input.ExpressionAttributeValues, ...filter?.values },
      ...(filter ? { FilterExpression: filter.expression } : {}),
      ...(filter?.names ? { ExpressionAttributeNames: filter.names } : {}),
      ScanIndexForward: input.ScanIndexForward ?? false,
      Limit: filter ? Math.min(100, maxEvaluatedPerPage - evaluated) : query.limit + 1,
      ...(startKey ? { ExclusiveStartKey: startKey } : {}),
    };
    const out = await documentClient().send(new QueryCommand(request));
    items.push(...(out.Items ?? []));
    evaluated += out.ScannedCount ?? out.Items?.length ?? 0;
    startKey = out.LastEvaluatedKey;
    if (items.length > query.limit || !startKey || evaluated >= maxEvaluatedPerPage) break;
  }
  const page = items.slice(0, query.limit);
  const last = page.at(-1);
  // A full page continues after its last item; a page cut short by the budget, after the last evaluated.
  const next =
    items.length > query.limit && last ? (keyOf(last) as unknown as Record<string, unknown>) : startKey;
  return { items: page, ...(next ? { next: next as Record<string, string> } : {}) };
}

export interface Collection<T extends { id: string }> {
  read(merchantId: string, id: string): Promise<Versioned<T> | undefined>;
  get(merchantId: string, id: string): Promise<T | undefined>;
  create(merchantId: string, value: T, event: DomainEvent, extra?: readonly Write[]): Promise<void>;
  replace(
    merchantId: string,
    value: T,
    expectedVersion: number,
    event: DomainEvent,
    extra?: readonly Write[],
  ): Promise<void>;
  remove(
    merchantId: string,
    id: string,
    expectedVersion: number,
    event: DomainEvent,
    extra?: readonly Write[],
  ): Promise<void>;
  list(merchantId: string, query: ListQuery): Promise<Page<T>>;
  /** The object of an item this collection wrote (e.g. one read through an index). */
  fromItem(item: Record<string, unknown>): T;
  /**
   * The object and its version of an item read by its key elsewhere (a batch of reads across
   * collections); undefined when there is no item or it is not one of this collection's.
   */
  versioned(item: Record<string, unknown> | undefined): Versioned<T> | undefined;
  /** The write that adds a new object, for a transaction of its own module. */
  putNewWrite(merchantId: string, value: T, conflict?: string): ExtraWrite;
  /**
   * The write that replaces an object if it is still at `expectedVersion`, for another unit of work;
   * a lost race says the object was changed by another request unless `conflict` says otherwise.
   */
  replaceWrite(merchantId: string, value: T, expectedVersion: number, conflict?: string): ExtraWrite;
}

/** The version a new object is written at; each replace moves it on by one. */
export const newVersion = 1;

/** Money (payments, refunds, payouts) written before it carried a mode reads as test mode. */
export const beforeLivemode = { livemode: false } as const;

export interface CollectionSpec<T> {
  type: string;
  idKind: IdKind;
  label: string;
  /** Index attributes derived from the object (e.g. a GSI for another sort order). */
  indexKeys?: (value: T, merchantId: string) => Record<string, string>;
  /** Values for fields that items written before those fields existed lack. */
  defaults?: Partial<T>;
  /** How the object's fields are stored, when one is named like a storage attribute (items.ts). */
  attributes?: AttributeMapping<T>;
}

export function collection<T extends { id: string }>(spec: CollectionSpec<T>): Collection<T> {
  const changed = `The ${spec.label} was changed by another request; fetch it and try again`;
  const mapping = itemMapping<T>({
    type: spec.type,
    ...(spec.attributes ? { attributes: spec.attributes } : {}),
    ...(spec.defaults ? { defaults: spec.defaults } : {}),
  });
  const { fromItem } = mapping;
  const put = (
    merchantId: string,
    value: T,
    version: number,
    condition: string,
    values?: Record<string, unknown>,
    conflict?: string,
  ): ExtraWrite => ({
    item: {
      Put: {
        TableName: tableName(),
        Item: mapping.toItem(
          { ...keys.merchantObject(merchantId, value.id), ...spec.indexKeys?.(value, merchantId) },
          value,
          version,
        ),
        ConditionExpression: condition,
        ...(values ? { ExpressionAttributeValues: values } : {}),
      },
    },
    ...(conflict ? { conflict } : {}),
  });
  const putNewWrite = (merchantId: string, value: T, conflict?: string) =>
    put(merchantId, value, newVersion, "attribute_not_exists(PK)", undefined, conflict);
  const replaceWrite = (merchantId: string, value: T, expectedVersion: number, conflict = changed) =>
    put(
      merchantId,
      value,
      expectedVersion + 1,
      "version = :expected",
      { ":expected": expectedVersion },
      conflict,
    );
  const versioned = (item: Record<string, unknown> | undefined): Versioned<T> | undefined =>
    item && item.type === spec.type ? { value: fromItem(item), version: Number(item.version) } : undefined;
  return {
    async read(merchantId, id) {
      const { Item } = await documentClient().send(
        new GetCommand({
          TableName: tableName(),
          Key: keys.merchantObject(merchantId, id),
          ConsistentRead: true,
        }),
      );
      return versioned(Item);
    },
    async get(merchantId, id) {
      return (await this.read(merchantId, id))?.value;
    },
    async create(merchantId, value, event, extra = []) {
      await transact([putNewWrite(merchantId, value), ...extra, { item: eventPut(event) }], changed);
    },
    async replace(merchantId, value, expectedVersion, event, extra = []) {
      await transact(
        [replaceWrite(merchantId, value, expectedVersion), ...extra, { item: eventPut(event) }],
        changed,
      );
    },
    async remove(merchantId, id, expectedVersion, event, extra = []) {
      await transact(
        [
          {
            item: {
              Delete: {
                TableName: tableName(),
                Key: keys.merchantObject(merchantId, id),
                ConditionExpression: "version = :expected",
                ExpressionAttributeValues: { ":expected": expectedVersion },
              },
            },
          },
          ...extra,
          { item: eventPut(event) },
        ],
        changed,
      );
    },
    async list(merchantId, query) {
      const { lower, upper } = idRange(spec.idKind, query.createdAfter, query.createdBefore);
      const page = await queryPage(
        {
          KeyConditionExpression: "PK = :pk AND SK BETWEEN :lower AND :upper",
          ExpressionAttributeValues: {
            ":pk": keys.merchantObject(merchantId, "").PK,
            ":lower": lower,
            ":upper": upper,
          },
        },
        query,
        (item) => keys.merchantObject(merchantId, String(item.id)),
      );
      return { ...page, items: page.items.map(fromItem) };
    },
    fromItem,
    versioned,
    putNewWrite,
    replaceWrite,
  };
}
