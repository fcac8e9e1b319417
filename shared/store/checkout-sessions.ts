/**
 * Checkout sessions: a collection in the merchant's partition (`SK = cs_…`). The domain's
 * `expiresAt` is stored as `sessionExpiresAt`: `expiresAt` is the table's TTL attribute, and
 * DynamoDB would delete the session (the record of a purchase) once it passed.
 */
import type { CheckoutSession, CheckoutStatus } from "../payment-links/checkout-session.ts";
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
}

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
};
