/**
 * Saved payment methods: a collection in the merchant's partition, listed per customer through GSI1.
 * Every write goes in one transaction with the customer it belongs to, conditioned on the customer's
 * version, so a method never outlives its customer and the customer's default always names a method.
 */
import type { Customer } from "../customers/customer.ts";
import type { PaymentMethod } from "../customers/payment-method.ts";
import type { DomainEvent } from "../domain/events.ts";
import { collection, type ExtraWrite, type Page, queryPage, type Versioned } from "./collection.ts";
import { customerCollection } from "./customers.ts";
import { tableName } from "./dynamo.ts";
import { indexKeys, keys } from "./keys.ts";

const methods = collection<PaymentMethod>({
  type: "paymentMethod",
  idKind: "paymentMethod",
  label: "payment method",
  indexKeys: (method, merchantId) => keys.paymentMethodOfCustomer(merchantId, method.customerId, method.id),
  // `type` is the item's own attribute (items.ts): the method's kind is stored as `methodType`.
  attributes: {
    toAttributes: ({ type, ...rest }) => ({ ...rest, methodType: type }),
    fromAttributes: ({ methodType, ...rest }) => ({ ...rest, type: methodType }) as unknown as PaymentMethod,
  },
});

const customerChanged = "The customer was changed by another request; try again";

/** The customer unchanged since it was read at `version` (it still exists). */
const customerUnchanged = (merchantId: string, customerId: string, version: number): ExtraWrite => ({
  item: {
    ConditionCheck: {
      TableName: tableName(),
      Key: keys.merchantObject(merchantId, customerId),
      ConditionExpression: "version = :expected",
      ExpressionAttributeValues: { ":expected": version },
    },
  },
  conflict: customerChanged,
});

/** The customer's write in a method's transaction: its new state, or a check that it did not change. */
const customerWrite = (merchantId: string, customer: Customer, version: number, next?: Customer) =>
  next
    ? customerCollection.replaceWrite(merchantId, next, version, customerChanged)
    : customerUnchanged(merchantId, customer.id, version);

export interface PaymentMethodStore {
  read(merchantId: string, id: string): Promise<Versioned<PaymentMethod> | undefined>;
  /** Saves `method`; `nextCustomer` is the customer's new state if the method changes it (its default). */
  attach(
    merchantId: string,
    method: PaymentMethod,
    customer: { value: Customer; version: number },
    nextCustomer: Customer | undefined,
    event: DomainEvent,
  ): Promise<void>;
  detach(
    merchantId: string,
    method: Versioned<PaymentMethod>,
    customer: { value: Customer; version: number },
    nextCustomer: Customer | undefined,
    event: DomainEvent,
  ): Promise<void>;
  listOfCustomer(
    merchantId: string,
    customerId: string,
    query: { limit: number; after?: Record<string, unknown> },
  ): Promise<Page<PaymentMethod>>;
}

export const dynamoPaymentMethodStore: PaymentMethodStore = {
  read: (merchantId, id) => methods.read(merchantId, id),
  attach: (merchantId, method, customer, nextCustomer, event) =>
    methods.create(merchantId, method, event, [
      customerWrite(merchantId, customer.value, customer.version, nextCustomer),
    ]),
  detach: (merchantId, method, customer, nextCustomer, event) =>
    methods.remove(merchantId, method.value.id, method.version, event, [
      customerWrite(merchantId, customer.value, customer.version, nextCustomer),
    ]),
  async listOfCustomer(merchantId, customerId, query) {
    const { index, pk } = indexKeys.paymentMethodsOf(merchantId, customerId);
    const page = await queryPage(
      { IndexName: index, KeyConditionExpression: "GSI1PK = :pk", ExpressionAttributeValues: { ":pk": pk } },
      query,
      (item) =>
        ({
          PK: String(item.PK),
          SK: String(item.SK),
          GSI1PK: String(item.GSI1PK),
          GSI1SK: String(item.GSI1SK),
        }) as never,
    );
    return { ...page, items: page.items.map(methods.fromItem) };
  },
};
