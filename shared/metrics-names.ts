/**
 * Kassa's own CloudWatch metrics: one namespace and one spelling of each name, for the code that
 * emits them (EMF through Powertools) and the stack's dashboard and alarms that read them. The
 * dashboard sums each name over whatever dimensions it is emitted with (processor, decline code,
 * Powertools' `service`), so an emitter may add dimensions without touching the stack.
 */
export const metricsNamespace = "Kassa";

/** The `service` dimension Powertools puts on every point Kassa emits (an alarm names it exactly). */
export const metricsService = "kassa";

export const metricNames = {
  /** Count: payments that succeeded at the processor. */
  paymentsSucceeded: "PaymentsSucceeded",
  /** Count: payment attempts the processor declined or that failed (by processor and decline code). */
  paymentsFailed: "PaymentsFailed",
  /** Count: refunds created. */
  refunds: "Refunds",
  /** Count: invoices finalized. */
  invoicesFinalized: "InvoicesFinalized",
  /** Count: webhook (event) deliveries to a merchant that failed. */
  webhookDeliveriesFailed: "WebhookDeliveriesFailed",
  /** Count: processor events rejected as not belonging to the payment they name. */
  rejectedProcessorEvents: "RejectedProcessorEvents",
  /** Seconds: how late the billing sweep ran timed work behind its due time. */
  billingRunLag: "BillingRunLag",
} as const;

export type MetricName = (typeof metricNames)[keyof typeof metricNames];
