/**
 * `npm run redispatch -- --since <ISO time> [--until <ISO time>]`: re-queues the outbox events of
 * that range from the table to the queues that care (see shared/outbox/redispatch.ts). Run it with
 * the operator's AWS credentials and the deployment's TABLE_NAME, QUEUE_URL_NOTIFICATIONS and
 * QUEUE_URL_BILLING (the stack's outputs TableName, NotificationsQueueUrl, BillingQueueUrl).
 */
import { sqsQueue } from "../../shared/aws/queue.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { parseRedispatchArgs, redispatch } from "../../shared/outbox/redispatch.ts";
import { allMerchantIds, outboxEventsBetween } from "../../shared/store/outbox-range.ts";

try {
  const range = parseRedispatchArgs(process.argv.slice(2), systemClock.now());
  const summary = await redispatch(
    { merchantIds: allMerchantIds, eventsBetween: outboxEventsBetween, queue: sqsQueue },
    range,
  );
  console.log(JSON.stringify({ from: range.from.toISOString(), to: range.to.toISOString(), ...summary }));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
