/**
 * Consumer of the billing queue: the timed work every capability registers (shared/timers/registry.ts)
 * — invoice reminders and overdue timers, the daily payouts and their sweep, refund checks, the
 * sandbox's bank-debit settlements, subscription billing and its sweep, checkout sessions' and quotes' expiry, an
 * accepted quote's installments — and the events that plan, cancel or react to it (a checkout's invoice paid
 * finishes its session; a quote's acceptance issues its first invoice).
 */
import type { Clock } from "../../shared/domain/clock.ts";
import { type BillingTimerPorts, billingTimerPorts, clockFor, workClock } from "../../shared/composition.ts";
import { checkoutCompletion } from "../../shared/payment-links/completion.ts";
import { checkoutTimers } from "../../shared/payment-links/expiry.ts";
import { quoteAcceptance } from "../../shared/quotes/acceptance.ts";
import { quoteTimers } from "../../shared/quotes/expiry.ts";
import { quotePlanTimers } from "../../shared/quotes/installments.ts";
import { invoiceTimers } from "../../shared/invoices/timers.ts";
import { paymentTimers } from "../../shared/payments/timers.ts";
import { payoutTimers } from "../../shared/payouts/timers.ts";
import { subscriptionTimers } from "../../shared/subscriptions/timers.ts";
import { emfMetrics, type MetricsPort } from "../../shared/observability.ts";
import { testClockTimers } from "../../shared/test-clocks/advance.ts";
import { type TimerRegistry, timerRegistry, timersConsumer } from "../../shared/timers/registry.ts";
import { messageScope } from "../../shared/timers/scope.ts";

export const billingTimerRegistry = (ports: BillingTimerPorts): TimerRegistry =>
  timerRegistry(
    invoiceTimers(ports),
    payoutTimers(ports.payouts),
    paymentTimers(ports),
    subscriptionTimers(ports.subscriptionTimers),
    checkoutTimers(ports),
    quoteTimers(ports),
    quoteAcceptance(ports),
    quotePlanTimers(ports),
    checkoutCompletion(ports),
    testClockTimers(() =>
      ports.advance((clock, message) => billingTimerRegistry(ports.on(clock)).dispatch(message)),
    ),
  );

const clockOf = (body: unknown) => clockFor({ merchantId: messageScope(body).merchantId });
const workClockOf = (body: unknown) => workClock(messageScope(body));

/**
 * Each message is dispatched on the clock resolved for it — a test clock's time for its customers'
 * work — with the ports built on that clock; each schedule's firing reports how late it ran
 * (BillingRunLag, on real time).
 */
export const billingTimers = (
  portsFor: (clock: Clock) => BillingTimerPorts,
  metrics: MetricsPort = emfMetrics,
) =>
  timersConsumer(async (body) => billingTimerRegistry(portsFor(await workClockOf(body))), {
    metrics,
    clockFor: clockOf,
  });

export const handler = billingTimers(billingTimerPorts);
