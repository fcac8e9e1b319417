/**
 * What the payment use cases run on (the payment store and its units of work, the payables, clock,
 * processor, scheduler, fees) and the small helpers they share: the merchant, the connected account
 * a processor request runs on, and the balance transaction of a money movement.
 */
import type { SchedulerPort } from "../aws/scheduler.ts";
import type { Clock } from "../domain/clock.ts";
import { localDate } from "../domain/calendar.ts";
import { NotFoundError } from "../domain/errors.ts";
import type { DomainEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import type { Change, Page, PageRequest, Versioned } from "../domain/records.ts";
import type { Merchant } from "../merchants/merchant.ts";
import { type BalanceTransaction, type BalanceType, balanceTransaction } from "./balance.ts";
import type { PaymentFilter, RefundFilter } from "./filters.ts";
import type { Payables } from "./payable.ts";
import type { Payment } from "./payment.ts";
import type { PaymentProcessor } from "./processor.ts";
import type { Refund } from "./refund.ts";

/** A value a unit of work replaces if it is still at the version it was read at. */
export interface Replacing<T> {
  value: T;
  expectedVersion: number;
}

/**
 * The payment store. Each `record…` is one unit of work, committed atomically with its events and
 * the changes other capabilities hand in (a payable's hold, what it was paid); a lost race on any of
 * them (a stale version) throws a ConflictError and writes nothing.
 */
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
  /** The change that adds a new payment to another capability's unit of work (a manual payment). */
  putWrite(merchantId: string, payment: Payment): Change;
  /** A new processor attempt: the payment, its event, and the payable's hold; the payment as recorded. */
  recordAttempt(
    merchantId: string,
    work: { payment: Payment; event: DomainEvent; changes: readonly Change[] },
  ): Promise<Versioned<Payment>>;
  /**
   * An outcome applied (or what a duplicate still fills in or ends): the payment, the processor id
   * it newly learnt (remembered with the payment: disputes carry only that), the money it moved, its events and the payable's changes.
   */
  recordOutcome(
    merchantId: string,
    work: {
      payment?: Replacing<Payment>;
      processorPaymentId?: string;
      balance?: BalanceTransaction;
      events: readonly DomainEvent[];
      changes?: readonly Change[];
    },
  ): Promise<void>;
  /** A refund asked for: the new refund, its amount reserved on the payment, its event. */
  recordRefund(
    merchantId: string,
    work: { payment: Replacing<Payment>; refund: Refund; event: DomainEvent },
  ): Promise<void>;
  /** A refund changed (claimed for a check, named, settled), with the payment and money it moves. */
  recordRefundChange(
    merchantId: string,
    work: {
      refund: Replacing<Refund>;
      payment?: Replacing<Payment>;
      balance?: BalanceTransaction;
      event?: DomainEvent;
    },
  ): Promise<void>;
  /** A dispute report applied to the payment, with what a lost one takes back. */
  recordDispute(
    merchantId: string,
    work: { payment: Replacing<Payment>; balance?: BalanceTransaction; event: DomainEvent },
  ): Promise<void>;
}

/** All payments need of merchants: to read one. */
export interface MerchantReader {
  readMerchant(merchantId: string): Promise<Versioned<Merchant> | undefined>;
}

export interface PaymentPorts {
  payments: PaymentStore;
  merchants: MerchantReader;
  /** What payments pay, by kind (`payableFor`): each capability registers its own. */
  payables: Payables;
  clock: Clock;
  processorFor(merchant: Merchant): Promise<PaymentProcessor>;
  /** Plans the checks of refunds (and charges) whose outcome the processor has not told yet. */
  scheduler: SchedulerPort;
  /**
   * The processor's fee on a payment. Computed from the payment itself (the sandbox's published
   * rate; 0 for Stripe, whose fees arrive with its payouts) so that an outcome gives the same final
   * state whichever of its reports — API answer, payment_intent or checkout event — lands first.
   */
  feeFor(payment: Payment): number;
  /**
   * The customer's twin at a processor with hosted checkout (made if missing), on which a checkout
   * that keeps the buyer's method saves it; `undefined` when the processor keeps none.
   */
  processorCustomerOf?(
    merchant: Merchant,
    processor: PaymentProcessor,
    customerId: string,
  ): Promise<string | undefined>;
}

/**
 * The balance transaction of a money movement, dated by the merchant's local day, but never before
 * `balanceDatesFrom` (a day that may be paid out already, after a time zone change).
 */
export const moneyMoved = (
  merchant: Merchant,
  kind: BalanceType,
  source: { id: string; currency: string },
  amount: number,
  fee: number,
  now: Date,
): BalanceTransaction =>
  balanceTransaction(
    newId("balanceTransaction", now),
    kind,
    source,
    amount,
    fee,
    latestDay(localDate(now, merchant.timeZone), merchant.balanceDatesFrom),
    now,
  );

const latestDay = (day: string, floor: string | undefined) => (floor && floor > day ? floor : day);

/**
 * The connected account a processor request runs on. Only Stripe has one: the sandbox is no
 * account, and the events consumer rejects a sandbox payment's event that names one.
 */
export const connectedAccount = (merchant: Merchant, processor: PaymentProcessor): { accountId?: string } =>
  processor.name === "stripe" && merchant.stripeAccountId ? { accountId: merchant.stripeAccountId } : {};

export async function merchantOf(ports: PaymentPorts, merchantId: string): Promise<Merchant> {
  const merchant = await ports.merchants.readMerchant(merchantId);
  if (!merchant) throw new NotFoundError("Merchant");
  return merchant.value;
}
