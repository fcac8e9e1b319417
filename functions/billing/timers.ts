/**
 * Consumer of the billing queue: the timed work every capability registers (shared/timers/registry.ts)
 * — invoice reminders and overdue timers, the daily payouts and their sweep, refund checks, the
 * sandbox's bank-debit settlements, subscription billing and its sweep — and the events that plan,
 * cancel or react to it.
 */
import * as z from "zod";
import type { Clock } from "../../shared/domain/clock.ts";
import { type BillingTimerPorts, billingTimerPorts, clockFor } from "../../shared/composition.ts";
import { invoiceTimers } from "../../shared/invoices/timers.ts";
import { paymentTimers } from "../../shared/payments/timers.ts";
import { payoutTimers } from "../../shared/payouts/timers.ts";
import { subscriptionTimers } from "../../shared/subscriptions/timers.ts";
import { emfMetrics, type MetricsPort } from "../../shared/observability.ts";
import { timerRegistry, timersConsumer } from "../../shared/timers/registry.ts";

export const billingTimerRegistry = (ports: BillingTimerPorts) =>
  timerRegistry(
    invoiceTimers(ports),
    payoutTimers(ports.payouts),
    paymentTimers(ports),
    subscriptionTimers(ports.subscriptionTimers),
  );

const scoped = z.looseObject({ merchantId: z.string().optional() });

const clockOf = (body: unknown) => clockFor({ merchantId: scoped.safeParse(body).data?.merchantId });

/**
 * Each message is dispatched on the clock resolved for it, with the ports built on that clock; each
 * schedule's firing reports how late it ran (BillingRunLag).
 */
export const billingTimers = (
  portsFor: (clock: Clock) => BillingTimerPorts,
  metrics: MetricsPort = emfMetrics,
) => timersConsumer((body) => billingTimerRegistry(portsFor(clockOf(body))), { metrics, clockFor: clockOf });

export const handler = billingTimers(billingTimerPorts);
