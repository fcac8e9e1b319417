/**
 * Payments (`pay_…`) and refunds (`re_…`): collections in the merchant's partition, written in the
 * same transaction as the invoice change or balance transaction that goes with them.
 */
import type { BalanceTransaction } from "../payments/balance.ts";
import type { Payment } from "../payments/payment.ts";
import type { Refund } from "../payments/refund.ts";
import type { Change } from "../domain/records.ts";
import {
  asChange,
  beforeLivemode,
  collection,
  type ListQuery,
  type Page,
  type Versioned,
} from "./collection.ts";
import { tableName } from "./dynamo.ts";
import { itemMapping } from "./items.ts";
import { keys } from "./keys.ts";
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

/** Balance transactions are written once and never change: no version. Payouts read them. */
export const balanceTransactions = itemMapping<BalanceTransaction>({ type: "balanceTransaction" });

export interface PaymentStore {
  read(merchantId: string, id: string): Promise<Versioned<Payment> | undefined>;
  list(merchantId: string, query: ListQuery): Promise<Page<Payment>>;
  readRefund(merchantId: string, id: string): Promise<Versioned<Refund> | undefined>;
  listRefunds(merchantId: string, query: ListQuery): Promise<Page<Refund>>;
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
  list: (merchantId, query) => payments.list(merchantId, query),
  readRefund: (merchantId, id) => refunds.read(merchantId, id),
  listRefunds: (merchantId, query) => refunds.list(merchantId, query),
  putWrite: (merchantId, payment) => asChange(payments.putNewWrite(merchantId, payment)),
  replaceWrite: (merchantId, payment, version) =>
    asChange(
      payments.replaceWrite(
        merchantId,
        payment,
        version,
        "The payment was changed by another request; try again",
      ),
    ),
  putRefundWrite: (merchantId, refund) => asChange(refunds.putNewWrite(merchantId, refund)),
  replaceRefundWrite: (merchantId, refund, version) =>
    asChange(
      refunds.replaceWrite(
        merchantId,
        refund,
        version,
        "The refund was changed by another request; try again",
      ),
    ),
  processorRefWrite: (processorPaymentId, merchantId, paymentId) =>
    asChange(processorRefs.paymentRefWrite(processorPaymentId, merchantId, paymentId)),
  balanceWrite: (merchantId, entry) =>
    asChange({
      item: {
        Put: {
          TableName: tableName(),
          Item: balanceTransactions.toItem(keys.balanceTransaction(merchantId, entry.date, entry.id), entry),
          ConditionExpression: "attribute_not_exists(PK)",
        },
      },
    }),
};
