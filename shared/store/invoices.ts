/**
 * Invoices: a collection in the merchant's partition (finalized ones also in GSI1 by due date), the
 * per-merchant number counter, hosted-page tokens, and the transactions that move an invoice through
 * its lifecycle together with everything the move touches.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { ConflictError } from "../domain/errors.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { PaymentLock } from "../domain/invoice-lifecycle.ts";
import type { CustomerEffect, InvoiceStore, StoredInvoice } from "../invoices/ports.ts";
import {
  asChange,
  collection,
  type ExtraWrite,
  queryPage,
  transact,
  type TransactItem,
} from "./collection.ts";
import { customerTallyWrite } from "./customers.ts";
import { redemptionWrite } from "./discount-codes.ts";
import { batchGetItems, documentClient, tableName } from "./dynamo.ts";
import { indexKeys, type Key, keys } from "./keys.ts";
import { invoiceByDueQuery, invoiceQuery } from "./list-filters.ts";
import { versionedMerchant } from "./merchants.ts";
import { eventPut } from "./outbox.ts";

const invoices = collection<StoredInvoice>({
  type: "invoice",
  idKind: "invoice",
  label: "invoice",
  indexKeys: (invoice, merchantId) =>
    invoice.dueDate ? keys.invoiceByDue(merchantId, invoice.dueDate, invoice.id) : {},
});

/**
 * Side effects of an invoice's move on its customer: the open-invoice count and the credit balance;
 * `atVersion`: only if the customer is still at that version (a finalize that did not read it).
 */
const customerEffect = (
  merchantId: string,
  invoice: StoredInvoice,
  effect: CustomerEffect,
  atVersion?: number,
): ExtraWrite =>
  customerTallyWrite(
    merchantId,
    invoice.customerId,
    {
      ...(effect.openInvoices ? { openInvoices: effect.openInvoices } : {}),
      ...(effect.balance ? { balance: { currency: invoice.currency, delta: effect.balance } } : {}),
      ...(atVersion !== undefined ? { atVersion } : {}),
    },
    atVersion !== undefined
      ? customerChangedSincePriced
      : effect.balance
        ? "The customer's credit balance was changed by another request, or the customer no longer exists"
        : "The invoice's customer no longer exists",
  );

/** `replace`'s customer effect: a bare ±1 is the open-count move alone (as callers always gave it). */
const asEffect = (effect: 1 | -1 | CustomerEffect | undefined): CustomerEffect | undefined =>
  typeof effect === "number" ? { openInvoices: effect } : effect;

const hasEffect = (effect: CustomerEffect | undefined): effect is CustomerEffect =>
  effect !== undefined && (effect.openInvoices !== undefined || (effect.balance ?? 0) !== 0);

const put = (item: TransactItem, conflict?: string): ExtraWrite => ({
  item,
  ...(conflict ? { conflict } : {}),
});

const lockConflict = "The invoice was changed by another request";

/** Replaces the invoice's payment lock (or removes it), nothing else; it moves the version like any change. */
const lockWrite = (
  merchantId: string,
  invoiceId: string,
  expectedVersion: number,
  lock: PaymentLock | undefined,
): ExtraWrite =>
  put(
    {
      Update: {
        TableName: tableName(),
        Key: keys.merchantObject(merchantId, invoiceId),
        UpdateExpression: `${lock ? "SET paymentLock = :lock" : "REMOVE paymentLock"} ADD version :one`,
        ConditionExpression: "version = :expected",
        ExpressionAttributeValues: {
          ":expected": expectedVersion,
          ":one": 1,
          ...(lock ? { ":lock": lock } : {}),
        },
      },
    },
    lockConflict,
  );

/**
 * The invoice, its merchant and any other items of the merchant's partition named by `more`, in one
 * BatchGetItem (consistent reads, as each read alone was); found by sort key, absent when missing.
 */
async function readWithMerchant(merchantId: string, id: string, more: Key[] = []) {
  const invoiceKey = keys.merchantObject(merchantId, id);
  const merchantKey = keys.merchant(merchantId);
  const found = new Map(
    (await batchGetItems([invoiceKey, merchantKey, ...more])).map((item) => [String(item.SK), item]),
  );
  return {
    invoice: invoices.versioned(found.get(invoiceKey.SK)),
    merchant: versionedMerchant(found.get(merchantKey.SK)),
    found,
  };
}

export const dynamoInvoiceStore: InvoiceStore = {
  read: (merchantId, id) => invoices.read(merchantId, id),
  async readForFinalize(merchantId, id) {
    const counterKey = keys.counter(merchantId, "invoice");
    const { found, ...read } = await readWithMerchant(merchantId, id, [counterKey]);
    return { ...read, counter: Number(found.get(counterKey.SK)?.value ?? 0) };
  },
  async readForPayment(merchantId, id) {
    const { found: _, ...read } = await readWithMerchant(merchantId, id);
    return read;
  },
  create: (merchantId, invoice, event, extra = []) => invoices.create(merchantId, invoice, event, extra),
  replace: (merchantId, invoice, version, [event, ...more], customerDelta, extra = []) => {
    const effect = asEffect(customerDelta);
    return invoices.replace(merchantId, invoice, version, event as DomainEvent, [
      ...(hasEffect(effect) ? [customerEffect(merchantId, invoice, effect)] : []),
      ...extra,
      ...more.map((e) => put(eventPut(e))),
    ]);
  },
  remove: (merchantId, id, version, event) => invoices.remove(merchantId, id, version, event),
  list: (merchantId, filter, page, now) => invoices.list(merchantId, invoiceQuery(filter, page, now)),

  async listByDueDate(merchantId, filter, request, now) {
    const { index, pk } = indexKeys.invoicesByDue(merchantId);
    const page = await queryPage(
      {
        IndexName: index,
        KeyConditionExpression: "GSI1PK = :pk",
        ExpressionAttributeValues: { ":pk": pk },
        ScanIndexForward: true,
      },
      invoiceByDueQuery(filter, request, now),
      (item) =>
        ({
          PK: String(item.PK),
          SK: String(item.SK),
          GSI1PK: String(item.GSI1PK),
          GSI1SK: String(item.GSI1SK),
        }) as never,
    );
    return { ...page, items: page.items.map(invoices.fromItem) };
  },

  /**
   * One transaction: the counter moves from n to n + 1 only if it is still n, the draft becomes the
   * open invoice numbered n + 1, its hosted token is claimed, the customer's open count grows (and its
   * credit balance moves by what the invoice applied or credited, a debit guarded; with
   * `customerVersion`, only if the customer is still at it) and its discount codes are redeemed. A
   * lost race on the counter cancels everything; the caller re-reads and retries, so numbers stay
   * gapless.
   *
   * Its size is bounded whatever the invoice holds: 5 fixed items (invoice, event, counter, hosted
   * page, customer) + one per discount code (at most `maxDocumentDiscounts` = 5) = at most 10 of
   * DynamoDB's 100. Nothing that grows with the lines belongs here: products are marked referenced
   * before it (the catalog's `markReferenced`).
   */
  async finalize(merchantId, invoice, version, f) {
    const TableName = tableName();
    const counterKey = keys.counter(merchantId, "invoice");
    const counter = put(
      f.counter === 0
        ? {
            Put: {
              TableName,
              Item: { ...counterKey, type: "counter", value: 1 },
              ConditionExpression: "attribute_not_exists(PK)",
            },
          }
        : {
            Update: {
              TableName,
              Key: counterKey,
              UpdateExpression: "SET #value = :next",
              ConditionExpression: "#value = :current",
              ExpressionAttributeNames: { "#value": "value" },
              ExpressionAttributeValues: { ":next": f.counter + 1, ":current": f.counter },
            },
          },
      counterRace,
    );
    const hosted = put(
      {
        Put: {
          TableName,
          Item: {
            ...keys.hostedPage(f.hostedToken),
            type: "hostedPage",
            kind: "invoice",
            merchantId,
            invoiceId: invoice.id,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
      "Hosted page token collision; try again",
    );
    const codes = f.discountCodeIds.map((id) => redemptionWrite(merchantId, id, invoice.currency, f.now));
    await invoices.replace(merchantId, invoice, version, f.event, [
      counter,
      hosted,
      customerEffect(
        merchantId,
        invoice,
        { openInvoices: 1, balance: f.balanceDelta ?? 0 },
        f.customerVersion,
      ),
      ...codes,
    ]);
  },

  async markOverdue(merchantId, invoiceId, at, event) {
    try {
      await transact(
        [
          {
            item: {
              Update: {
                TableName: tableName(),
                Key: keys.merchantObject(merchantId, invoiceId),
                UpdateExpression: "SET overdueNotifiedAt = :at",
                ConditionExpression: "#status = :open AND attribute_not_exists(overdueNotifiedAt)",
                ExpressionAttributeNames: { "#status": "status" },
                ExpressionAttributeValues: { ":at": at, ":open": "open" },
              },
            },
          },
          { item: eventPut(event) },
        ],
        "not open",
      );
      return true;
    } catch (error) {
      if (error instanceof ConflictError) return false;
      throw error;
    }
  },

  replaceWrites: (merchantId, invoice, version, customerDelta) => {
    const effect = asEffect(customerDelta);
    return [
      asChange(invoices.replaceWrite(merchantId, invoice, version)),
      ...(hasEffect(effect) ? [asChange(customerEffect(merchantId, invoice, effect))] : []),
    ];
  },

  paymentLockWrite: (merchantId, invoiceId, expectedVersion, lock) =>
    asChange(lockWrite(merchantId, invoiceId, expectedVersion, lock)),

  replaceLock: (merchantId, invoiceId, expectedVersion, lock) =>
    transact([lockWrite(merchantId, invoiceId, expectedVersion, lock)], lockConflict),

  async findHosted(token) {
    const { Item } = await documentClient().send(
      new GetCommand({ TableName: tableName(), Key: keys.hostedPage(token) }),
    );
    return Item?.kind === "invoice"
      ? { merchantId: String(Item.merchantId), invoiceId: String(Item.invoiceId) }
      : undefined;
  },
};

/** The conflict message of a lost race on the invoice counter (the service retries on it). */
export const counterRace = "Another invoice took this number; retrying";

/** A finalize's customer, taken from the draft, moved on since (the service re-runs, reading it). */
const customerChangedSincePriced =
  "The invoice's customer changed since the draft was priced, or no longer exists; retrying";
