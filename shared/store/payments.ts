/**
 * Payments (`pay_…`) and refunds (`re_…`): collections in the merchant's partition, written in the
 * same transaction as the invoice change or balance transaction that goes with them.
 */
import type { BalanceTransaction } from "../payments/balance.ts";
import type { Payment } from "../payments/payment.ts";
import type { Refund } from "../payments/refund.ts";
import type { Change, PageRequest } from "../domain/records.ts";
import type { PaymentFilter, RefundFilter } from "../payments/filters.ts";
import {
  asChange,
  beforeLivemode,
  collection,
  type ExtraWrite,
  type Page,
  type Versioned,
} from "./collection.ts";
import { tableName } from "./dynamo.ts";
import { keys } from "./keys.ts";
import { paymentQuery, refundQuery } from "./list-filters.ts";
import { processorRefs } from "./processor-refs.ts";

const payments = collection<Payment>({
  type: "payment",
  idKind: "payment",
  label: "payment",
  defaults: beforeLivemode,
});
const refunds = collection<Refund>({
  type: "refund",
  idKind: "refund",
  label: "refund",
  defaults: beforeLivemode,
});

function putNew(merchantId: string, type: string, value: { id: string }): ExtraWrite {
  return {
    item: {
      Put: {
        TableName: tableName(),
        Item: { ...keys.merchantObject(merchantId, value.id), type, version: 1, ...value },
        ConditionExpression: "attribute_not_exists(PK)",
      },
    },
  };
}

function replace(
  merchantId: string,
  type: string,
  value: { id: string },
  expectedVersion: number,
  conflict: string,
): ExtraWrite {
  return {
    item: {
      Put: {
        TableName: tableName(),
        Item: { ...keys.merchantObject(merchantId, value.id), type, version: expectedVersion + 1, ...value },
        ConditionExpression: "version = :expected",
        ExpressionAttributeValues: { ":expected": expectedVersion },
      },
    },
    conflict,
  };
}

export interface PaymentStore {
  read(merchantId: string, id: string): Promise<Versioned<Payment> | undefined>;
  /** Newest first; only the store turns the filter into conditions. */
  list(
    merchantId: string,
    filter: PaymentFilter,
    page: Pick<PageRequest, "limit" | "after">,
  ): Promise<Page<Payment>>;
  readRefund(merchantId: string, id: string): Promise<Versioned<Refund> | undefined>;
  listRefunds(
    merchantId: string,
    filter: RefundFilter,
    page: Pick<PageRequest, "limit" | "after">,
  ): Promise<Page<Refund>>;
  /** The write that adds a new payment to another change's transaction. */
  putWrite(merchantId: string, payment: Payment): Change;
  /** The write that replaces a payment if it is still at `expectedVersion`. */
  replaceWrite(merchantId: string, payment: Payment, expectedVersion: number): Change;
  putRefundWrite(merchantId: string, refund: Refund): Change;
  replaceRefundWrite(merchantId: string, refund: Refund, expectedVersion: number): Change;
  balanceWrite(merchantId: string, entry: BalanceTransaction): Change;
  /** Remembers which payment a processor payment id belongs to (disputes carry only the latter). */
  processorRefWrite(processorPaymentId: string, merchantId: string, paymentId: string): Change;
}

export const dynamoPaymentStore: PaymentStore = {
  read: (merchantId, id) => payments.read(merchantId, id),
  list: (merchantId, filter, page) => payments.list(merchantId, paymentQuery(filter, page)),
  readRefund: (merchantId, id) => refunds.read(merchantId, id),
  listRefunds: (merchantId, filter, page) => refunds.list(merchantId, refundQuery(filter, page)),
  putWrite: (merchantId, payment) => asChange(putNew(merchantId, "payment", payment)),
  replaceWrite: (merchantId, payment, version) =>
    asChange(
      replace(
        merchantId,
        "payment",
        payment,
        version,
        "The payment was changed by another request; try again",
      ),
    ),
  putRefundWrite: (merchantId, refund) => asChange(putNew(merchantId, "refund", refund)),
  replaceRefundWrite: (merchantId, refund, version) =>
    asChange(
      replace(merchantId, "refund", refund, version, "The refund was changed by another request; try again"),
    ),
  processorRefWrite: (processorPaymentId, merchantId, paymentId) =>
    asChange(processorRefs.paymentRefWrite(processorPaymentId, merchantId, paymentId)),
  balanceWrite: (merchantId, entry) =>
    asChange({
      item: {
        Put: {
          TableName: tableName(),
          Item: {
            ...keys.balanceTransaction(merchantId, entry.date, entry.id),
            type: "balanceTransaction",
            ...entry,
          },
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
    }),
};
