/**
 * Consumer of the billing queue: the timed work every capability registers (shared/timers/registry.ts)
 * — invoice reminders and overdue timers, the daily payouts and their sweep, refund checks and the
 * sandbox's bank-debit settlements — and the events that plan or cancel it.
 */
import { type Mailer, sesMailer } from "../../shared/aws/mailer.ts";
import { scheduler, type SchedulerPort } from "../../shared/aws/scheduler.ts";
import { type Clock, systemClock } from "../../shared/domain/clock.ts";
import { invoiceTimers } from "../../shared/invoices/timers.ts";
import type { SandboxProcessor } from "../../shared/payments/sandbox.ts";
import type { PaymentPorts } from "../../shared/payments/ports.ts";
import { paymentTimers } from "../../shared/payments/timers.ts";
import { paymentPorts, payoutPorts, sandboxFor } from "../../shared/payments/wiring.ts";
import type { PayoutSweepPorts } from "../../shared/payouts/run.ts";
import { payoutTimers } from "../../shared/payouts/timers.ts";
import type { InvoiceStore } from "../../shared/invoices/ports.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore, type MerchantStore } from "../../shared/store/merchants.ts";
import { once } from "../../shared/store/processed.ts";
import type { Once } from "../../shared/timers/once.ts";
import { timerRegistry, timersConsumer } from "../../shared/timers/registry.ts";

export interface BillingTimerPorts {
  invoices: InvoiceStore;
  merchants: MerchantStore;
  mailer: Mailer;
  scheduler: () => SchedulerPort;
  once: Once;
  sandbox: () => SandboxProcessor;
  payouts: () => PayoutSweepPorts;
  payments: () => PaymentPorts;
  clock: Clock;
}

export const billingTimerRegistry = (ports: BillingTimerPorts) =>
  timerRegistry(invoiceTimers(ports), payoutTimers(ports.payouts), paymentTimers(ports));

export const billingTimers = (ports: BillingTimerPorts) => timersConsumer(billingTimerRegistry(ports));

export const handler = billingTimers({
  invoices: dynamoInvoiceStore,
  merchants: dynamoMerchantStore,
  mailer: sesMailer,
  scheduler,
  once,
  sandbox: () => sandboxFor(systemClock),
  payouts: () => payoutPorts(systemClock),
  payments: () => paymentPorts(systemClock),
  clock: systemClock,
});
