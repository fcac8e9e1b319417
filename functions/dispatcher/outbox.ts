/**
 * The outbox dispatcher: the table's stream (filtered to event items) → the queues that care.
 * Records go out in stream order; at the first failure the rest of the batch is reported failed,
 * so Lambda retries from there and nothing is skipped (consumers deduplicate by event id).
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { outboxPorts } from "../../shared/composition.ts";
import { dispatchEvent } from "../../shared/outbox/dispatch.ts";

export function dispatcher(ports: ReturnType<typeof outboxPorts>) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    for (const [index, record] of event.Records.entries()) {
      try {
        const image = record.dynamodb?.NewImage;
        if (!image) continue;
        const domainEvent = ports.eventOf(image);
        await dispatchEvent(ports.queue, domainEvent);
      } catch (error) {
        console.error(JSON.stringify({ level: "ERROR", message: "Dispatch failed", error: String(error) }));
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
