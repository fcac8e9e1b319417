/**
 * One domain event to every queue that cares about its type. The stream's dispatcher and the
 * redispatch command both send through here, so a re-queued event arrives exactly as the first
 * delivery did (consumers deduplicate by event id).
 */
import type { QueuePort } from "../aws/queue.ts";
import type { DomainEvent } from "../domain/events.ts";
import { queuesFor } from "./routing.ts";

export async function dispatchEvent(queue: QueuePort, event: DomainEvent): Promise<number> {
  const targets = queuesFor(event.type);
  for (const name of targets) await queue.send(name, event);
  return targets.length;
}
