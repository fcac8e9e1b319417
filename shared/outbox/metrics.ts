/**
 * The business metrics a committed domain event stands for. The outbox stream delivers each event
 * once its unit of work committed, and the dispatcher counts it after it went out — so a lost race,
 * a rolled-back write or a retried API call counts nothing, and a payment is counted however its
 * outcome arrived (the API's answer, the processor's webhook, the sandbox's settlement). Dimensions
 * are low-cardinality facts (processor, decline code), never a merchant.
 */
import * as z from "zod";
import type { DomainEvent } from "../domain/events.ts";
import { metricNames } from "../metrics-names.ts";
import type { MetricPoint } from "../observability.ts";
import { lazy } from "../lazy.ts";

const paymentData = lazy(() =>
  z.looseObject({
    payment: z.looseObject({
      processor: z.string().catch("unknown"),
      failure: z.looseObject({ declineCode: z.string() }).optional().catch(undefined),
    }),
  }),
);

const count = (name: MetricPoint["name"], dimensions?: Record<string, string>): MetricPoint => ({
  name,
  value: 1,
  unit: "Count",
  ...(dimensions ? { dimensions } : {}),
});

export function eventMetrics(event: DomainEvent): MetricPoint[] {
  switch (event.type) {
    case "payment.succeeded":
    case "payment.failed": {
      const payment = paymentData().safeParse(event.data).data?.payment;
      const processor = payment?.processor ?? "unknown";
      return event.type === "payment.succeeded"
        ? [count(metricNames.paymentsSucceeded, { processor })]
        : [
            count(metricNames.paymentsFailed, {
              processor,
              declineCode: payment?.failure?.declineCode ?? "unknown",
            }),
          ];
    }
    case "refund.created":
      return [count(metricNames.refunds)];
    case "invoice.finalized":
      return [count(metricNames.invoicesFinalized)];
    default:
      return [];
  }
}
