/**
 * Customers: a collection in the merchant's partition, plus one uniqueness item per email
 * (`UNIQUE#customer-email#<email>`) written in the same transaction as the customer.
 */
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { Customer } from "../customers/customer.ts";
import type { DomainEvent } from "../domain/events.ts";
import type { Change } from "../domain/records.ts";
import {
  asChange,
  collection,
  type ExtraWrite,
  type ListQuery,
  type Page,
  type Versioned,
} from "./collection.ts";
import { documentClient, tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";

/**
 * The credit balance is kept as one top-level number per currency (`balance_EUR`), not as a map: a
 * finalize or a subscription change then moves one currency with `ADD` and a guard on that number
 * alone, whether or not the customer ever had a balance (a nested path needs its map to exist).
 */
const balancePrefix = "balance_";
const balanceAttribute = (currency: string) => `${balancePrefix}${currency}`;

const customers = collection<Customer>({
  type: "customer",
  idKind: "customer",
  label: "customer",
  attributes: {
    toAttributes: ({ balance, ...customer }) => ({
      ...customer,
      ...Object.fromEntries(
        Object.entries(balance ?? {}).map(([currency, amount]) => [balanceAttribute(currency), amount]),
      ),
    }),
    fromAttributes: (attributes) => {
      const customer: Record<string, unknown> = {};
      const balance: Record<string, number> = {};
      for (const [name, value] of Object.entries(attributes)) {
        if (!name.startsWith(balancePrefix)) customer[name] = value;
        else if (Number(value) !== 0) balance[name.slice(balancePrefix.length)] = Number(value);
      }
      return { ...customer, ...(Object.keys(balance).length ? { balance } : {}) } as unknown as Customer;
    },
  },
});

/**
 * The one update of a customer's item that invoices and subscriptions make beside their own write:
 * it moves the open-invoice count and/or the credit balance in one currency, and the version (so a
 * customer edit or delete that read the item before loses with a 409). A debit is guarded: the
 * balance must still hold it, so two invoices never consume the same credit (the loser conflicts
 * and re-reads). `atVersion`: the write holds only if the item is still at that version (a
 * finalize that took the customer as a draft recorded it, unread).
 */
export function customerTallyWrite(
  merchantId: string,
  customerId: string,
  tally: { openInvoices?: 1 | -1; balance?: { currency: string; delta: number }; atVersion?: number },
  conflict: string,
): ExtraWrite {
  const adds = ["version :one"];
  const values: Record<string, unknown> = { ":one": 1, ":customer": "customer" };
  const names: Record<string, string> = { "#type": "type" };
  let condition = "#type = :customer";
  if (tally.atVersion !== undefined) {
    condition += " AND version = :seen";
    values[":seen"] = tally.atVersion;
  }
  if (tally.openInvoices) {
    adds.push("openInvoiceCount :open");
    values[":open"] = tally.openInvoices;
  }
  const delta = tally.balance?.delta ?? 0;
  if (tally.balance && delta !== 0) {
    names["#balance"] = balanceAttribute(tally.balance.currency);
    adds.push("#balance :balance");
    values[":balance"] = delta;
    if (delta < 0) {
      condition += " AND #balance >= :debit";
      values[":debit"] = -delta;
    }
  }
  return {
    item: {
      Update: {
        TableName: tableName(),
        Key: keys.merchantObject(merchantId, customerId),
        UpdateExpression: `ADD ${adds.join(", ")}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
    conflict,
  };
}
/** For the writes of objects kept in the customer's transaction (its saved payment methods). */
export const customerCollection = customers;
const duplicateEmail = "A customer with this email already exists";

const claimEmail = (merchantId: string, email: string, customerId: string): ExtraWrite => ({
  item: {
    Put: {
      TableName: tableName(),
      Item: { ...keys.merchantUnique(merchantId, "customer-email", email), type: "unique", customerId },
      ConditionExpression: "attribute_not_exists(PK)",
    },
  },
  conflict: duplicateEmail,
});

const releaseEmail = (merchantId: string, email: string, customerId: string): ExtraWrite => ({
  item: {
    Delete: {
      TableName: tableName(),
      Key: keys.merchantUnique(merchantId, "customer-email", email),
      ConditionExpression: "customerId = :id",
      ExpressionAttributeValues: { ":id": customerId },
    },
  },
});

/** A new default payment method must be one of the customer's, still there when the default is set. */
const methodOfCustomer = (merchantId: string, paymentMethodId: string, customerId: string): ExtraWrite => ({
  item: {
    ConditionCheck: {
      TableName: tableName(),
      Key: keys.merchantObject(merchantId, paymentMethodId),
      ConditionExpression: "customerId = :customer AND #type = :type",
      ExpressionAttributeNames: { "#type": "type" },
      ExpressionAttributeValues: { ":customer": customerId, ":type": "paymentMethod" },
    },
  },
  conflict: "The default payment method was removed by another request; fetch the customer and try again",
});

export interface CustomerStore {
  read(merchantId: string, id: string): Promise<Versioned<Customer> | undefined>;
  findIdByEmail(merchantId: string, email: string): Promise<string | undefined>;
  /** `extra`: changes of other capabilities in the same transaction (e.g. counting it on a test clock). */
  create(
    customer: Customer,
    merchantId: string,
    event: DomainEvent,
    extra?: readonly Change[],
  ): Promise<void>;
  replace(
    merchantId: string,
    previous: Customer,
    next: Customer,
    version: number,
    event: DomainEvent,
  ): Promise<void>;
  remove(
    merchantId: string,
    customer: Customer,
    version: number,
    event: DomainEvent,
    extra?: readonly Change[],
  ): Promise<void>;
  list(merchantId: string, query: ListQuery): Promise<Page<Customer>>;
  /**
   * The change that counts a subscription in a non-terminal status on its customer (+1 when it is
   * created, −1 when it ends, is canceled or expires), for the subscription's own transaction. It
   * moves the customer's version, so a delete that read the count before loses with a 409; a
   * customer deleted meanwhile fails the subscription's write.
   */
  subscriptionCountWrite(merchantId: string, customerId: string, delta: 1 | -1): Change;
  /**
   * The change that moves the customer's credit balance in `currency` by `delta` minor units
   * (positive credits the customer, negative consumes credit), for another capability's transaction
   * (a subscription change invoicing a net credit). A debit the balance no longer holds, or a customer
   * deleted meanwhile, fails the transaction with a conflict; it moves the customer's version. Not
   * with a finalize, void or open-count change of the same customer in one transaction (one write
   * per item): those move the balance themselves.
   */
  balanceWrite(merchantId: string, customerId: string, currency: string, delta: number): Change;
}

export const dynamoCustomerStore: CustomerStore = {
  read: (merchantId, id) => customers.read(merchantId, id),
  async findIdByEmail(merchantId, email) {
    const { Item } = await documentClient().send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.merchantUnique(merchantId, "customer-email", email),
      }),
    );
    return Item?.customerId as string | undefined;
  },
  create: (customer, merchantId, event, extra = []) =>
    customers.create(merchantId, customer, event, [
      claimEmail(merchantId, customer.email, customer.id),
      ...extra,
    ]),
  replace: (merchantId, previous, next, version, event) =>
    customers.replace(merchantId, next, version, event, [
      ...(previous.email === next.email
        ? []
        : [
            releaseEmail(merchantId, previous.email, previous.id),
            claimEmail(merchantId, next.email, next.id),
          ]),
      ...(next.defaultPaymentMethodId && next.defaultPaymentMethodId !== previous.defaultPaymentMethodId
        ? [methodOfCustomer(merchantId, next.defaultPaymentMethodId, next.id)]
        : []),
    ]),
  remove: (merchantId, customer, version, event, extra = []) =>
    customers.remove(merchantId, customer.id, version, event, [
      releaseEmail(merchantId, customer.email, customer.id),
      ...extra,
    ]),
  list: (merchantId, query) => customers.list(merchantId, query),
  subscriptionCountWrite: (merchantId, customerId, delta) =>
    asChange({
      item: {
        Update: {
          TableName: tableName(),
          Key: keys.merchantObject(merchantId, customerId),
          UpdateExpression: "ADD activeSubscriptionCount :delta, version :one",
          ConditionExpression: "#type = :customer",
          ExpressionAttributeNames: { "#type": "type" },
          ExpressionAttributeValues: { ":delta": delta, ":one": 1, ":customer": "customer" },
        },
      },
      conflict: "The subscription's customer no longer exists",
    }),
  balanceWrite: (merchantId, customerId, currency, delta) =>
    asChange(
      customerTallyWrite(
        merchantId,
        customerId,
        { balance: { currency, delta } },
        "The customer's credit balance was changed by another request, or the customer no longer exists",
      ),
    ),
};
