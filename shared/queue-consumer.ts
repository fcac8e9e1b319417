/**
 * SQS consumers are per-record functions. This wrapper validates each body with the consumer's zod
 * schema, runs the records, and reports the ones that threw as partial batch failures so only they
 * are retried (and, after the queue's max receives, moved to its DLQ).
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { z } from "zod";

export function sqsConsumer<S extends z.ZodType>(
  schema: S,
  handleRecord: (body: z.output<S>, record: SQSRecord) => Promise<void>,
) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
    for (const record of event.Records) {
      try {
        const body = schema.parse(JSON.parse(record.body));
        await handleRecord(body, record);
      } catch (error) {
        console.error(
          JSON.stringify({
            level: "ERROR",
            message: "Record failed",
            messageId: record.messageId,
            error: error instanceof Error ? error.message : String(error),
          }),
        );
        batchItemFailures.push({ itemIdentifier: record.messageId });
      }
    }
    return { batchItemFailures };
  };
}
