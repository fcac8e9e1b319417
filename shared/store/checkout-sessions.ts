/**
 * Checkout sessions: a collection in the merchant's partition (`SK = cs_…`). The domain's
 * `expiresAt` is stored as `sessionExpiresAt`: `expiresAt` is the table's TTL attribute, and
 * DynamoDB would delete the session (the record of a purchase) once it passed.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { DomainEvent } from "../domain/events.ts";
import type { CheckoutSession } from "../payment-links/checkout-session.ts";
import type { CheckoutStatus } from "../payment-links/checkout-status.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";
import { eventPut } from "./outbox.ts";
import {
  collection,
  type Filter,
  type ListQuery,
  type Page,
  transact,
  type Versioned,
} from "./collection.ts";

const sessions = collection<CheckoutSession>({
  type: "checkoutSession",
  idKind: "checkoutSession",
  label: "checkout session",
  attributes: {
    toAttributes: ({ expiresAt, ...rest }) => ({ ...rest, sessionExpiresAt: expiresAt }),
    fromAttributes: ({ sessionExpiresAt, ...rest }) =>
      ({ ...rest, expiresAt: sessionExpiresAt }) as unknown as CheckoutSession,
  },
});

export interface CheckoutSessionListQuery extends Omit<ListQuery, "filter"> {
  paymentLinkId?: string;
  /** As presented at `now`: an open session past its time counts as expired. */
  status?: { is: CheckoutStatus; now: Date };
}

function statusFilter({ is, now }: { is: CheckoutStatus; now: Date }): Filter {
  const values = { ":open": "open", ":now": now.toISOString() };
  const names = { "#status": "status", "#expires": "sessionExpiresAt" };
  if (is === "open") return { expression: "#status = :open AND #expires > :now", names, values };
  if (is === "expired")
    return {
      expression: "(#status = :expired OR (#status = :open AND #expires <= :now))",
      names,
      values: { ...values, ":expired": "expired" },
    };
  return { expression: "#status = :complete", names: { "#status": "status" }, values: { ":complete": is } };
}

function filterOf(query: CheckoutSessionListQuery): Filter | undefined {
  const parts: Filter[] = [];
  if (query.paymentLinkId)
    parts.push({
      expression: "#link = :link",
      names: { "#link": "paymentLinkId" },
      values: { ":link": query.paymentLinkId },
    });
  if (query.status) parts.push(statusFilter(query.status));
  if (parts.length === 0) return undefined;
  return {
    expression: parts.map((p) => p.expression).join(" AND "),
    names: Object.assign({}, ...parts.map((p) => p.names)),
    values: Object.assign({}, ...parts.map((p) => p.values)),
  };
}

export interface CheckoutSessionStore {
  read(merchantId: string, id: string): Promise<Versioned<CheckoutSession> | undefined>;
  /** A new session; it is the buyer's, not an event of the merchant's (those come with completion). */
  create(merchantId: string, session: CheckoutSession): Promise<void>;
  list(merchantId: string, query: CheckoutSessionListQuery): Promise<Page<CheckoutSession>>;
  /** Replaces a session still at `version` (a lost race is a 409). */
  replace(merchantId: string, next: CheckoutSession, version: number): Promise<void>;
  /**
   * Holds one of the link's redemptions for a checkout about to charge: one conditional ADD, so
   * concurrent buyers can never hold more than `maxRedemptions` (undefined: no limit). False: none left.
   */
  reserveRedemption(merchantId: string, paymentLinkId: string, maxRedemptions?: number): Promise<boolean>;
  /** Gives a held redemption back (the charge failed). */
  releaseRedemption(merchantId: string, paymentLinkId: string): Promise<void>;
  /**
   * Completes a session: it (still at `version`), the link's `timesRedeemed` +1 (its version moved, so
   * a PATCH racing it is a 409; the held redemption stays held, now as a completed one) and the event,
   * in one transaction.
   */
  complete(merchantId: string, next: CheckoutSession, version: number, event: DomainEvent): Promise<void>;
  /**
   * Expires a session: it (still at `version`), the event and, when `releaseHold`, the redemption
   * its crashed payment held given back, in one transaction.
   */
  expire(
    merchantId: string,
    next: CheckoutSession,
    version: number,
    releaseHold: boolean,
    event: DomainEvent,
  ): Promise<void>;
}

const holds = (merchantId: string, paymentLinkId: string) => ({
  TableName: tableName(),
  Key: keys.paymentLinkHolds(merchantId, paymentLinkId),
});

const release = (merchantId: string, paymentLinkId: string) => ({
  ...holds(merchantId, paymentLinkId),
  UpdateExpression: "ADD held :minus",
  ConditionExpression: "held > :zero",
  ExpressionAttributeValues: { ":minus": -1, ":zero": 0 },
});

export const dynamoCheckoutSessionStore: CheckoutSessionStore = {
  read: (merchantId, id) => sessions.read(merchantId, id),
  create: (merchantId, session) =>
    transact([sessions.putNewWrite(merchantId, session)], "The checkout session already exists"),
  list(merchantId, { paymentLinkId, status, ...query }) {
    const filter = filterOf({
      ...query,
      ...(paymentLinkId ? { paymentLinkId } : {}),
      ...(status ? { status } : {}),
    });
    return sessions.list(merchantId, { ...query, ...(filter ? { filter } : {}) });
  },
  replace: (merchantId, next, version) =>
    transact(
      [sessions.replaceWrite(merchantId, next, version)],
      "The checkout session was changed by another request",
    ),
  async reserveRedemption(merchantId, paymentLinkId, maxRedemptions) {
    try {
      await documentClient().send(
        new UpdateCommand({
          ...holds(merchantId, paymentLinkId),
          UpdateExpression: "ADD held :one SET #type = :type",
          ...(maxRedemptions !== undefined
            ? {
                ConditionExpression: "attribute_not_exists(held) OR held < :max",
                ExpressionAttributeValues: { ":one": 1, ":type": "paymentLinkHolds", ":max": maxRedemptions },
              }
            : { ExpressionAttributeValues: { ":one": 1, ":type": "paymentLinkHolds" } }),
          ExpressionAttributeNames: { "#type": "type" },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof Error && error.name === "ConditionalCheckFailedException") return false;
      throw error;
    }
  },
  async releaseRedemption(merchantId, paymentLinkId) {
    await documentClient().send(new UpdateCommand(release(merchantId, paymentLinkId)));
  },
  expire: (merchantId, next, version, releaseHold, event) =>
    transact(
      [
        sessions.replaceWrite(merchantId, next, version),
        ...(releaseHold
          ? [{ item: { Update: release(merchantId, next.paymentLinkId) }, conflict: "No redemption is held" }]
          : []),
        { item: eventPut(event) },
      ],
      "The checkout session was changed by another request",
    ),
  complete: (merchantId, next, version, event) =>
    transact(
      [
        sessions.replaceWrite(
          merchantId,
          next,
          version,
          "The checkout session was changed by another request",
        ),
        {
          item: {
            Update: {
              TableName: tableName(),
              Key: keys.merchantObject(merchantId, next.paymentLinkId),
              UpdateExpression: "ADD timesRedeemed :one, version :one",
              ConditionExpression: "attribute_exists(PK)",
              ExpressionAttributeValues: { ":one": 1 },
            },
          },
          conflict: "The payment link no longer exists",
        },
        { item: eventPut(event) },
      ],
      "The checkout session was changed by another request",
    ),
};
