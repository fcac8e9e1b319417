/**
 * SQS consumers are per-record functions. This wrapper validates each body with the consumer's zod
 * schema (built on the first record, not at import: shared/lazy.ts), runs the records, and reports
 * the ones that threw as partial batch failures so only they are retried (and, after the queue's max
 * receives, moved to its DLQ).
 *
 * Each record gets one log line (shared/observability.ts): its kind or event type, the event id it
 * carries, its `correlationId` — the id of the request or message that caused the event, which the
 * dispatcher sends beside it (else the event's own id) — the outcome and the latency. A consumer adds
 * what only it knows (a Stripe event's id) with `logContext`.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import * as z from "zod";
import { inLogContext, log, logContext, stopwatch } from "./observability.ts";
import { lazy } from "./lazy.ts";

/** What a log line may name of any message: ids, types and kinds, nothing of its content. */
const named = lazy(() =>
  z.looseObject({
    correlationId: z.string().optional(),
    id: z.string().optional(),
    type: z.string().optional(),
    kind: z.string().optional(),
  }),
);

/** `schema` builds the body's schema: called once, on the first record. */
export function sqsConsumer<S extends z.ZodType>(
  schema: () => S,
  handleRecord: (body: z.output<S>, record: SQSRecord) => Promise<void>,
) {
  const bodySchema = lazy(schema);
  return async (event: SQSEvent, context?: Context): Promise<SQSBatchResponse> => {
    const batchItemFailures: SQSBatchResponse["batchItemFailures"] = [];
    for (const record of event.Records) {
      const elapsed = stopwatch();
      const failed = await inLogContext(
        context,
        { messageId: record.messageId, correlationId: record.messageId },
        async () => {
          try {
            const raw: unknown = JSON.parse(record.body);
            const about = named().safeParse(raw).data;
            logContext({
              kind: about?.kind,
              type: about?.type,
              eventId: about?.id,
              correlationId: about?.correlationId ?? about?.id,
            });
            await handleRecord(bodySchema().parse(raw), record);
            log.info("Message", { outcome: "processed", latencyMs: elapsed() });
            return false;
          } catch (error) {
            log.error("Message", {
              outcome: "failed",
              latencyMs: elapsed(),
              error: error instanceof Error ? error.message : String(error),
            });
            return true;
          }
        },
      );
      if (failed) batchItemFailures.push({ itemIdentifier: record.messageId });
    }
    return { batchItemFailures };
  };
}
