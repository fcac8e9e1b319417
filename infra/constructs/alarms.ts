/**
 * Alarms on what needs a human: anything in a DLQ, function errors, API 5xx, the outbox stream
 * falling behind (IteratorAge), processor events rejected as not belonging to the payment they
 * name. They notify one SNS topic; subscribe an address or a chat integration to it after the
 * first deploy.
 */
import { Duration } from "aws-cdk-lib";
import * as cloudwatch from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import * as sns from "aws-cdk-lib/aws-sns";
import type * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { metricNames, metricsNamespace, metricsService } from "../../shared/metrics-names.ts";
import { type KassaData, pascalCase } from "./data.ts";
import type { KassaServices } from "./services.ts";

/** How old (ms) the oldest unprocessed stream record may get before the IteratorAge alarm fires: one hour. */
export const iteratorAgeAlarmMs = 3_600_000;

export interface KassaAlarmsProps {
  readonly data: KassaData;
  readonly services: KassaServices;
}

export class KassaAlarms extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: KassaAlarmsProps) {
    super(scope, id);
    const { data, services } = props;
    this.topic = new sns.Topic(this, "Topic", { displayName: "Kassa alarms", enforceSSL: true });
    const action = new SnsAction(this.topic);

    const dlqs: [string, sqs.IQueue][] = [
      ...Object.entries(data.queues).map(([name, pair]): [string, sqs.IQueue] => [
        `${pascalCase(name)}Dlq`,
        pair.dlq,
      ]),
      ...Object.entries(data.streamFailureQueues).map(([fn, dlq]): [string, sqs.IQueue] => [
        `${pascalCase(fn)}Failures`,
        dlq,
      ]),
      ["ScheduleDeliveryFailures", data.scheduleDlq],
    ];
    for (const [name, dlq] of dlqs) {
      this.add(
        new cloudwatch.Alarm(this, `${name}Depth`, {
          alarmDescription: `${name}: messages are waiting in a dead-letter queue`,
          metric: dlq.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: "Maximum",
          }),
          threshold: 0,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        action,
      );
    }

    for (const [name, fn] of Object.entries(services.functions)) {
      this.add(
        new cloudwatch.Alarm(this, `${pascalCase(name)}Errors`, {
          alarmDescription: `${name}: the function reported errors`,
          metric: fn.function.metricErrors({ period: Duration.minutes(5), statistic: "Sum" }),
          threshold: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        action,
      );
    }

    // The table's stream keeps records 24 h: a dispatcher falling behind by an hour is told long
    // before events age out (and `npm run redispatch` re-queues any that did).
    for (const [name, fn] of Object.entries(services.functions)) {
      if (!data.streamFailureQueues[name]) continue;
      this.add(
        new cloudwatch.Alarm(this, `${pascalCase(name)}IteratorAge`, {
          alarmDescription: `${name}: the oldest outbox stream record waits over an hour (the stream keeps 24 h; re-queue older events with npm run redispatch)`,
          metric: fn.function.metric("IteratorAge", { period: Duration.minutes(5), statistic: "Maximum" }),
          threshold: iteratorAgeAlarmMs,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
        action,
      );
    }

    this.add(
      new cloudwatch.Alarm(this, "Api5xx", {
        alarmDescription: "The HTTP API answered with 5xx (never expected: client mistakes are 4xx)",
        metric: services.api.metricServerError({ period: Duration.minutes(5), statistic: "Sum" }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      action,
    );

    // The stripe-events consumer emits RejectedProcessorEvents (EMF, shared/composition.ts).
    this.add(
      new cloudwatch.Alarm(this, "RejectedProcessorEvents", {
        alarmDescription:
          "A processor event named a payment it does not belong to (another account, mode, amount or currency): possible forgery",
        metric: new cloudwatch.Metric({
          namespace: metricsNamespace,
          metricName: metricNames.rejectedProcessorEvents,
          dimensionsMap: { service: metricsService },
          period: Duration.minutes(5),
          statistic: "Sum",
        }),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      action,
    );
  }

  private add(alarm: cloudwatch.Alarm, action: SnsAction): void {
    alarm.addAlarmAction(action);
    this.alarms.push(alarm);
  }
}
