/**
 * The outbox dispatcher: the table's stream (filtered to event items) → the queues that care.
 * Records go out in stream order; at the first failure the rest of the batch is reported failed,
 * so Lambda retries from there and nothing is skipped (consumers deduplicate by event id).
 */
import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { type QueuePort, sqsQueue } from "../../shared/aws/queue.ts";
import { dispatchEvent } from "../../shared/outbox/dispatch.ts";
import { eventFromItem } from "../../shared/store/outbox.ts";

export function dispatcher(queue: QueuePort) {
  return async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    for (const [index, record] of event.Records.entries()) {
      try {
        const image = record.dynamodb?.NewImage;
        if (!image) continue;
        const domainEvent = eventFromItem(unmarshall(image as Record<string, AttributeValue>));
        await dispatchEvent(queue, domainEvent);
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

export const handler = dispatcher(sqsQueue);
