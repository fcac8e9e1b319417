/**
 * Payments (`pay_…`) and refunds (`re_…`): collections in the merchant's partition, written in the
 * same transaction as the invoice change or balance transaction that goes with them.
 */
import type { DomainEvent } from "../domain/events.ts";
import type { BalanceTransaction } from "../payments/balance.ts";
import { type Payment, storedPayment } from "../payments/payment.ts";
import type { PaymentStore, Replacing } from "../payments/ports.ts";
import type { Refund } from "../payments/refund.ts";
import type { Change } from "../domain/records.ts";
import { asChange, beforeLivemode, collection, type ExtraWrite, newVersion, transact } from "./collection.ts";
import { tableName } from "./dynamo.ts";
import { itemMapping } from "./items.ts";
import { keys } from "./keys.ts";
import { paymentQuery, refundQuery } from "./list-filters.ts";
import { eventPut } from "./outbox.ts";
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

const balancePut = (merchantId: string, entry: BalanceTransaction): ExtraWrite => ({
  item: {
    Put: {
      TableName: tableName(),
      Item: balanceTransactions.toItem(keys.balanceTransaction(merchantId, entry.date, entry.id), entry),
      ConditionExpression: "attribute_not_exists(PK)",
    },
  },
});

const paymentChanged = "The payment was changed by another request; try again";
const refundChanged = "The refund was changed by another request; try again";

const replacePayment = (merchantId: string, { value, expectedVersion }: Replacing<Payment>) =>
  payments.replaceWrite(merchantId, value, expectedVersion, paymentChanged);
const replaceRefund = (merchantId: string, { value, expectedVersion }: Replacing<Refund>) =>
  refunds.replaceWrite(merchantId, value, expectedVersion, refundChanged);
const events = (list: readonly (DomainEvent | undefined)[]): ExtraWrite[] =>
  list.flatMap((event) => (event ? [{ item: eventPut(event) }] : []));

const store: PaymentStore = {
  read: async (merchantId, id) => {
    const found = await payments.read(merchantId, id);
    return found && { ...found, value: storedPayment(found.value) };
  },
  list: async (merchantId, filter, page) => {
    const found = await payments.list(merchantId, paymentQuery(filter, page));
    return { ...found, items: found.items.map(storedPayment) };
  },
  readRefund: (merchantId, id) => refunds.read(merchantId, id),
  listRefunds: (merchantId, filter, page) => refunds.list(merchantId, refundQuery(filter, page)),
  putWrite: (merchantId, payment) => asChange(payments.putNewWrite(merchantId, payment)),

  async recordAttempt(merchantId, { payment, event, changes }) {
    await transact(
      [...changes, payments.putNewWrite(merchantId, payment), ...events([event])],
      "The payable was changed by another request; try again",
    );
    return { value: payment, version: newVersion };
  },

  recordOutcome: (merchantId, work) =>
    transact(
      [
        ...(work.payment ? [replacePayment(merchantId, work.payment)] : []),
        ...(work.payment && work.processorPaymentId
          ? [processorRefs.paymentRefWrite(work.processorPaymentId, merchantId, work.payment.value.id)]
          : []),
        ...(work.balance ? [balancePut(merchantId, work.balance)] : []),
        ...(work.changes ?? []),
        ...events(work.events),
      ],
      "The payment was changed by another request",
    ),

  recordRefund: (merchantId, { payment, refund, event }) =>
    transact(
      [replacePayment(merchantId, payment), refunds.putNewWrite(merchantId, refund), ...events([event])],
      "The payment was changed by another request; try again",
    ),

  recordRefundChange: (merchantId, work) =>
    transact(
      [
        replaceRefund(merchantId, work.refund),
        ...(work.payment ? [replacePayment(merchantId, work.payment)] : []),
        ...(work.balance ? [balancePut(merchantId, work.balance)] : []),
        ...events([work.event]),
      ],
      "The refund was changed by another request",
    ),

  recordDispute: (merchantId, { payment, balance, event }) =>
    transact(
      [
        replacePayment(merchantId, payment),
        ...(balance ? [balancePut(merchantId, balance)] : []),
        ...events([event]),
      ],
      "The payment was changed by another request",
    ),
};

export const dynamoPaymentStore = {
  ...store,
  /** A balance transaction on its own (the payouts tests seed a merchant's balance with it). */
  balanceWrite: (merchantId: string, entry: BalanceTransaction): Change =>
    asChange(balancePut(merchantId, entry)),
};
