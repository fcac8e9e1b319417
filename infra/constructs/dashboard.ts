/**
 * One CloudWatch dashboard: Kassa's business metrics (names from `shared/metrics-names.ts`) above
 * the platform's own: API traffic and errors, each function's invocations, errors, throttles and
 * duration, queue depth and age, the outbox stream's iterator age.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { Construct } from "constructs";
import { metricNames, metricsNamespace } from "../../shared/metrics-names.ts";
import type { KassaData } from "./data.ts";
import type { KassaServices } from "./services.ts";

export interface KassaDashboardProps {
  readonly data: KassaData;
  readonly services: KassaServices;
}

const period = Duration.minutes(5);

/**
 * A Kassa metric summed over every dimension set it is emitted with: a SEARCH on the name, so the
 * graph needs no change when an emitter adds a dimension (processor, decline code, service).
 */
export function kassaMetric(name: string, statistic: "Sum" | "Maximum", label: string): cloudwatch.IMetric {
  const search = `SEARCH('Namespace="${metricsNamespace}" MetricName="${name}"', '${statistic}', ${period.toSeconds()})`;
  return new cloudwatch.MathExpression({
    expression: statistic === "Sum" ? `SUM(${search})` : `MAX(${search})`,
    label,
    period,
  });
}

export class KassaDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: KassaDashboardProps) {
    super(scope, id);
    const { data, services } = props;
    const fns = Object.entries(services.functions);
    const perFunction = (
      title: string,
      metricOf: (fn: (typeof fns)[number][1]) => cloudwatch.IMetric,
    ): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({ title, width: 12, left: fns.map(([, fn]) => metricOf(fn)) });
    const queues = Object.entries(data.queues);

    this.dashboard = new cloudwatch.Dashboard(this, "Dashboard", {
      defaultInterval: Duration.hours(24),
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: "Payments",
            width: 8,
            left: [
              kassaMetric(metricNames.paymentsSucceeded, "Sum", "succeeded"),
              kassaMetric(metricNames.paymentsFailed, "Sum", "failed"),
              kassaMetric(metricNames.refunds, "Sum", "refunds"),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: "Invoices and deliveries",
            width: 8,
            left: [
              kassaMetric(metricNames.invoicesFinalized, "Sum", "invoices finalized"),
              kassaMetric(metricNames.webhookDeliveriesFailed, "Sum", "webhook deliveries failed"),
              kassaMetric(metricNames.rejectedProcessorEvents, "Sum", "rejected processor events"),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: "Billing run lag (s)",
            width: 8,
            left: [kassaMetric(metricNames.billingRunLag, "Maximum", "billing-run lag")],
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: "API requests and errors",
            width: 12,
            left: [
              services.api.metricCount({ period, statistic: "Sum" }),
              services.api.metricClientError({ period, statistic: "Sum" }),
              services.api.metricServerError({ period, statistic: "Sum" }),
            ],
          }),
          new cloudwatch.GraphWidget({
            title: "API latency (ms)",
            width: 12,
            left: [
              services.api.metricLatency({ period, statistic: "p50" }),
              services.api.metricLatency({ period, statistic: "p99" }),
            ],
          }),
        ],
        [
          perFunction("Invocations", (fn) => fn.function.metricInvocations({ period, statistic: "Sum" })),
          perFunction("Errors", (fn) => fn.function.metricErrors({ period, statistic: "Sum" })),
        ],
        [
          perFunction("Throttles", (fn) => fn.function.metricThrottles({ period, statistic: "Sum" })),
          perFunction("Duration p99 (ms)", (fn) => fn.function.metricDuration({ period, statistic: "p99" })),
        ],
        [
          new cloudwatch.GraphWidget({
            title: "Queue depth (visible messages, DLQs included)",
            width: 8,
            left: queues.flatMap(([, pair]) => [
              pair.queue.metricApproximateNumberOfMessagesVisible({ period, statistic: "Maximum" }),
              pair.dlq.metricApproximateNumberOfMessagesVisible({ period, statistic: "Maximum" }),
            ]),
          }),
          new cloudwatch.GraphWidget({
            title: "Oldest message age (s)",
            width: 8,
            left: queues.map(([, pair]) =>
              pair.queue.metricApproximateAgeOfOldestMessage({ period, statistic: "Maximum" }),
            ),
          }),
          new cloudwatch.GraphWidget({
            title: "Outbox stream iterator age (ms)",
            width: 8,
            left: fns
              .filter(([name]) => data.streamFailureQueues[name])
              .map(([, fn]) => fn.function.metric("IteratorAge", { period, statistic: "Maximum" })),
          }),
        ],
      ],
    });
  }
}
