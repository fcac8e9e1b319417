/** Payments: a collection in the merchant's partition (`pay_…`), written with the change that caused them. */
import type { Payment } from "../payments/payment.ts";
import { collection, type ExtraWrite, type ListQuery, type Page, type Versioned } from "./collection.ts";
import { tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";

const payments = collection<Payment>({ type: "payment", idKind: "payment", label: "payment" });

export interface PaymentStore {
  read(merchantId: string, id: string): Promise<Versioned<Payment> | undefined>;
  list(merchantId: string, query: ListQuery): Promise<Page<Payment>>;
  /** The write that adds a new payment to another change's transaction. */
  putWrite(merchantId: string, payment: Payment): ExtraWrite;
}

export const dynamoPaymentStore: PaymentStore = {
  read: (merchantId, id) => payments.read(merchantId, id),
  list: (merchantId, query) => payments.list(merchantId, query),
  putWrite: (merchantId, payment) => ({
    item: {
      Put: {
        TableName: tableName(),
        Item: { ...keys.merchantObject(merchantId, payment.id), type: "payment", version: 1, ...payment },
        ConditionExpression: "attribute_not_exists(PK)",
      },
    },
  }),
};
