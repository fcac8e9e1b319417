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

const customers = collection<Customer>({ type: "customer", idKind: "customer", label: "customer" });
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
};
