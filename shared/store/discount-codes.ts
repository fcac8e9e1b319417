/**
 * Discount codes: a collection in the merchant's partition, plus one uniqueness item per code
 * (`UNIQUE#discount-code#<CODE>`) written in the same transaction as the code. Redemption is one
 * conditional update (`ADD timesRedeemed 1`; alone, or as an item of a document's transaction), so
 * concurrent redemptions can never exceed `maxRedemptions`; it also bumps `version`, so a PATCH
 * racing a redemption gets a 409 instead of overwriting the count.
 *
 * The domain's `expiresAt` is stored as `redeemableUntil` (the collection's attribute mapping):
 * `expiresAt` is the table's TTL attribute, and DynamoDB would delete a code once it expired.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { DiscountCode } from "../discount-codes/discount-code.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { Change } from "../domain/records.ts";
import {
  asChange,
  collection,
  type ExtraWrite,
  type Filter,
  type ListQuery,
  type Page,
  type Versioned,
} from "./collection.ts";
import { documentClient, isConditionFailure, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";

const itemType = "discountCode";
const codes = collection<DiscountCode>({
  type: itemType,
  idKind: "discountCode",
  label: "discount code",
  attributes: {
    toAttributes: ({ expiresAt, ...rest }) => ({
      ...rest,
      ...(expiresAt !== undefined ? { redeemableUntil: expiresAt } : {}),
    }),
    fromAttributes: ({ redeemableUntil, ...rest }) =>
      ({
        ...rest,
        ...(redeemableUntil !== undefined ? { expiresAt: redeemableUntil } : {}),
      }) as unknown as DiscountCode,
  },
});

const claimCode = (merchantId: string, code: string, discountCodeId: string): ExtraWrite => ({
  item: {
    Put: {
      TableName: tableName(),
      Item: { ...keys.merchantUnique(merchantId, "discount-code", code), type: "unique", discountCodeId },
      ConditionExpression: "attribute_not_exists(PK)",
    },
  },
  conflict: `A discount code ${code} already exists`,
});

/**
 * The writes that create a code (its item and its code's uniqueness), as changes of another unit of
 * work: a workflow's step creates its single-use code in the transaction that advances the enrollment.
 */
export const newCodeChanges = (merchantId: string, discountCode: DiscountCode): Change[] => [
  asChange(codes.putNewWrite(merchantId, discountCode)),
  asChange(claimCode(merchantId, discountCode.code, discountCode.id)),
];

export interface DiscountCodeStore {
  read(merchantId: string, id: string): Promise<Versioned<DiscountCode> | undefined>;
  /** The id of the merchant's code (upper case), from its uniqueness item. */
  findIdByCode(merchantId: string, code: string): Promise<string | undefined>;
  create(merchantId: string, discountCode: DiscountCode, event: DomainEvent): Promise<void>;
  replace(merchantId: string, next: DiscountCode, version: number, event: DomainEvent): Promise<void>;
  list(merchantId: string, query: ListQuery & { active?: boolean }): Promise<Page<DiscountCode>>;
  /**
   * Adds one redemption if, at `now`, the code is active, below its limit, unexpired and (for an
   * amount off) in `currency`: the updated code, or undefined when the condition did not hold.
   */
  redeem(merchantId: string, id: string, currency: string, now: Date): Promise<DiscountCode | undefined>;
  /** Takes one redemption back: the updated code, or undefined when it had none. */
  release(merchantId: string, id: string): Promise<DiscountCode | undefined>;
}

/** `ADD timesRedeemed ±1, version 1` on one code, if it exists and (when given) `condition` holds. */
function counterUpdate(merchantId: string, id: string, delta: 1 | -1, condition?: Filter) {
  return {
    TableName: tableName(),
    Key: keys.merchantObject(merchantId, id),
    UpdateExpression: "ADD #times :delta, #version :one",
    ConditionExpression: `attribute_exists(PK) AND #type = :type${condition ? ` AND ${condition.expression}` : ""}`,
    ExpressionAttributeNames: {
      "#times": "timesRedeemed",
      "#version": "version",
      "#type": "type",
      ...condition?.names,
    },
    ExpressionAttributeValues: { ":delta": delta, ":one": 1, ":type": itemType, ...condition?.values },
  };
}

/** Redeemable at `now` for a document in `currency`: active, below its limit, unexpired, same currency for an amount off. */
const redeemable = (currency: string, now: Date): Filter => ({
  expression:
    "#active = :true" +
    " AND (attribute_not_exists(#max) OR #times < #max)" +
    " AND (attribute_not_exists(#until) OR #until > :now)" +
    " AND (attribute_not_exists(#amountOff) OR #currency = :currency)",
  names: {
    "#active": "active",
    "#max": "maxRedemptions",
    "#until": "redeemableUntil",
    "#amountOff": "amountOff",
    "#currency": "currency",
  },
  values: { ":true": true, ":now": now.toISOString(), ":currency": currency },
});

const hasRedemptions: Filter = { expression: "#times > :zero", values: { ":zero": 0 } };

/**
 * The redemption as an item of another transaction (e.g. an invoice's finalization), so the document
 * and the count move together; the same condition as `redeem`.
 */
export function redemptionWrite(merchantId: string, id: string, currency: string, now: Date): ExtraWrite {
  return {
    item: { Update: counterUpdate(merchantId, id, 1, redeemable(currency, now)) },
    conflict:
      "A discount code can no longer be redeemed (inactive, expired, used up or for another currency)",
  };
}

/**
 * A redemption counted for a document priced with the code earlier and bound by it since (an accepted
 * quote: its price was frozen at publish and signed), as an item of that document's transaction. It
 * counts whatever the code's state now — inactive, expired or used up since — so it may take the
 * count past `maxRedemptions`: the document was promised the code when it was still redeemable.
 */
export function promisedRedemptionWrite(merchantId: string, id: string): ExtraWrite {
  return {
    item: { Update: counterUpdate(merchantId, id, 1) },
    conflict: "The discount code no longer exists",
  };
}

async function update(
  merchantId: string,
  id: string,
  delta: 1 | -1,
  condition: Filter,
): Promise<DiscountCode | undefined> {
  try {
    const { Attributes } = await documentClient().send(
      new UpdateCommand({ ...counterUpdate(merchantId, id, delta, condition), ReturnValues: "ALL_NEW" }),
    );
    return codes.fromItem(Attributes ?? {});
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

export const dynamoDiscountCodeStore: DiscountCodeStore = {
  read: (merchantId, id) => codes.read(merchantId, id),
  async findIdByCode(merchantId, code) {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.merchantUnique(merchantId, "discount-code", code),
        ConsistentRead: true,
      }),
    );
    return Item?.discountCodeId as string | undefined;
  },
  create: (merchantId, discountCode, event) =>
    codes.create(merchantId, discountCode, event, [
      claimCode(merchantId, discountCode.code, discountCode.id),
    ]),
  replace: (merchantId, next, version, event) => codes.replace(merchantId, next, version, event),
  async list(merchantId, { active, ...query }) {
    return codes.list(merchantId, {
      ...query,
      ...(active !== undefined
        ? {
            filter: {
              expression: "#active = :active",
              names: { "#active": "active" },
              values: { ":active": active },
            },
          }
        : {}),
    });
  },
  redeem: (merchantId, id, currency, now) => update(merchantId, id, 1, redeemable(currency, now)),
  release: (merchantId, id) => update(merchantId, id, -1, hasRedemptions),
};
