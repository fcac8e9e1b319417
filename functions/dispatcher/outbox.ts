/**
 * The outbox dispatcher: the table's stream (filtered to event items) → the queues that care.
 * Records go out in stream order; at the first failure the rest of the batch is reported failed,
 * so Lambda retries from there and nothing is skipped (consumers deduplicate by event id). Each
 * event that went out is logged (its id is the correlation id every consumer logs) and counted in
 * the business metrics it stands for.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { outboxPorts } from "../../shared/composition.ts";
import { dispatchEvent } from "../../shared/outbox/dispatch.ts";
import { eventMetrics } from "../../shared/outbox/metrics.ts";
import { emfMetrics, inLogContext, log, logContext, stopwatch } from "../../shared/observability.ts";

export function dispatcher(ports: ReturnType<typeof outboxPorts>, metrics = emfMetrics) {
  return async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
    for (const [index, record] of event.Records.entries()) {
      const elapsed = stopwatch();
      const sent = await inLogContext(
        context,
        { sequenceNumber: record.dynamodb?.SequenceNumber },
        async () => {
          try {
            const image = record.dynamodb?.NewImage;
            if (!image) return true;
            const domainEvent = ports.eventOf(image);
            logContext({
              type: domainEvent.type,
              eventId: domainEvent.id,
              correlationId: domainEvent.correlationId ?? domainEvent.id,
            });
            const queues = await dispatchEvent(ports.queue, domainEvent);
            for (const point of eventMetrics(domainEvent)) metrics.emit(point);
            log.info("Event dispatched", { outcome: "dispatched", queues, latencyMs: elapsed() });
            return true;
          } catch (error) {
            log.error("Event dispatched", { outcome: "failed", latencyMs: elapsed(), error: String(error) });
            return false;
          }
        },
      );
      if (!sent) {
        return {
          batchItemFailures: event.Records.slice(index).map((r) => ({
            itemIdentifier: r.dynamodb?.SequenceNumber ?? "",
          })),
        };
      }
    }
    return { batchItemFailures: [] };
  };
}

export const handler = dispatcher(outboxPorts());
