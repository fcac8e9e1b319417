/**
 * Consumer of the reports queue: each event is folded into the rollups of every report contributor
 * that names its type, each contributor once per event id (a redelivery adds nothing).
 */
import { clockFor, reportContributors } from "../../shared/composition.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import { eventMessage } from "../../shared/outbox/message.ts";
import { sqsConsumer } from "../../shared/queue-consumer.ts";
import type { ReportContributor } from "../../shared/reports/contributor.ts";

/** One event per record, with the contributors on the clock resolved for its merchant. */
export function reports(contributorsFor: (clock: Clock) => readonly ReportContributor[]) {
  return sqsConsumer(eventMessage, async (event) => {
    for (const contributor of contributorsFor(clockFor({ merchantId: event.merchantId })))
      if (contributor.eventTypes.includes(event.type)) await contributor.apply(event);
  });
}

export const handler = reports(reportContributors);
