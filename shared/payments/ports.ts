/**
 * What the payment use cases run on (stores, clock, processor, scheduler, fees) and the small
 * helpers they share: the merchant, the connected account a processor request runs on, and the
 * balance transaction of a money movement.
 */
import type { SchedulerPort } from "../aws/scheduler.ts";
import type { Clock } from "../domain/clock.ts";
import { localDate } from "../domain/calendar.ts";
import { NotFoundError } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { InvoiceStore } from "../invoices/ports.ts";
import type { MerchantStore } from "../store/merchants.ts";
import type { PaymentStore } from "../store/payments.ts";
import { type BalanceType, balanceTransaction } from "./balance.ts";
import type { Payment } from "./payment.ts";
import type { PaymentProcessor } from "./processor.ts";

export interface PaymentPorts {
  invoices: InvoiceStore;
  payments: PaymentStore;
  merchants: MerchantStore;
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
}

/** The balance transaction of a money movement, dated by the merchant's local day. */
export function moneyMoved(
  ports: PaymentPorts,
  merchant: Merchant,
  kind: BalanceType,
  source: { id: string; currency: string },
  amount: number,
  fee: number,
  now: Date,
) {
  const entry = balanceTransaction(
    newId("balanceTransaction", now),
    kind,
    source,
    amount,
    fee,
    localDate(now, merchant.timeZone),
    now,
  );
  return ports.payments.balanceWrite(merchant.id, entry);
}

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
