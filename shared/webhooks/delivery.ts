/**
 * Fan-out and delivery. Fan-out turns one catalogued event into one delivery per active endpoint
 * subscribed to it (once per endpoint and event, whatever the redeliveries of the message). A
 * delivery is one message on the deliveries queue; each receive is one attempt:
 * - only the first pending delivery of its line (endpoint × object, in `sequence` order) is
 *   attempted; a later one's message is dropped, and the line's next delivery is sent on when the one
 *   before it completes — so successes reach the receiver in each object's order (a later one's
 *   message also re-sends a first one that is long overdue, so a lost message cannot block a line);
 * - a lease on the delivery keeps two copies of a message from posting at once;
 * - 2xx is success; anything else is retried by hiding the message (ChangeMessageVisibility) for the
 *   backoff's delay, for up to three days from the first attempt, then the delivery has `failed`;
 * - an endpoint whose attempts have all failed for three days is disabled (one conditional write,
 *   with `webhook_endpoint.disabled`, which emails the merchant).
 */
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { presentEvent } from "../events/service.ts";
import {
  type DeliveryAttempt,
  deliveryLine,
  failedTooLong,
  presentEndpoint,
  previousSecretInForce,
  retryDelaySeconds,
  type StoredEndpoint,
} from "./endpoint.ts";
import { subscribesTo } from "./event-types.ts";
import type { DeliveryMessage, DeliveryPorts, StoredDelivery, WebhookPorts } from "./ports.ts";
import { secretContext } from "./service.ts";
import { signatureHeader } from "./signature.ts";

/** One event to every active endpoint subscribed to its type. */
export async function fanOut(
  ports: Pick<WebhookPorts, "store" | "queues" | "clock">,
  event: { id: string; type: string; merchantId: string; objectId?: string | undefined; sequence?: number | undefined },
) {
  const endpoints = await ports.store.allEndpoints(event.merchantId);
  for (const endpoint of endpoints) {
    if (!endpoint.active || !subscribesTo(endpoint.events, event.type)) continue;
    const now = ports.clock.now();
    const id = newId("webhookDelivery", now);
    const made = await ports.store.createDelivery(event.merchantId, {
      claim: `${endpoint.id}:${event.id}`,
      delivery: {
        id,
        endpointId: endpoint.id,
        eventId: event.id,
        eventType: event.type,
        status: "pending",
        cause: "event",
        attempts: [],
        nextAttemptAt: null,
        createdAt: now.toISOString(),
        completedAt: null,
        line: deliveryLine(event, id),
      },
    });
    // Sent again when the claim was made before: that message may be the one a crash lost.
    await ports.queues.deliver({ kind: "webhook.deliver", merchantId: event.merchantId, endpointId: endpoint.id, deliveryId: made.id });
  }
}

/** How long an attempt holds its delivery beyond its own timeout (the writes around the post). */
const leaseMarginMs = 20_000;

/** How late a line's first delivery may be before a later one's message sends it on again. */
const overdueMs = 15 * 60 * 1000;

/**
 * The line's first delivery should have been attempted long ago (its message lost): send it again,
 * so one lost message cannot hold an object's deliveries back. Copies meet the lease.
 */
async function wakeIfOverdue(ports: DeliveryPorts, merchantId: string, endpointId: string, headId: string) {
  const head = await ports.store.readDelivery(merchantId, endpointId, headId);
  if (head?.status !== "pending") return;
  const due = Date.parse(head.nextAttemptAt ?? head.createdAt);
  if (ports.clock.now().getTime() - due > overdueMs)
    await ports.queues.deliver({ kind: "webhook.deliver", merchantId, endpointId, deliveryId: headId });
}

/** Sends the next delivery of the line on, if one waits. */
async function sendNext(ports: DeliveryPorts, merchantId: string, delivery: StoredDelivery) {
  const next = await ports.store.lineHead(merchantId, delivery.endpointId, delivery.line.group);
  if (next) await ports.queues.deliver({ kind: "webhook.deliver", merchantId, endpointId: delivery.endpointId, deliveryId: next });
}

async function signingSecrets(ports: DeliveryPorts, merchantId: string, endpoint: StoredEndpoint, now: Date) {
  const context = secretContext(merchantId, endpoint.id);
  const current = await ports.sealer.open(context, endpoint.secret);
  if (!previousSecretInForce(endpoint, now) || !endpoint.previousSecret) return [current];
  return [current, await ports.sealer.open(context, endpoint.previousSecret)];
}

/** The attempt as recorded: the answer's status and first KiB, or why there was none. */
function attemptOf(at: Date, result: Awaited<ReturnType<DeliveryPorts["outbound"]["post"]>>): DeliveryAttempt {
  return result.outcome === "responded"
    ? { at: at.toISOString(), status: result.status, responseBody: result.body, durationMs: result.durationMs }
    : { at: at.toISOString(), error: result.error, responseBody: "", durationMs: result.durationMs };
}

/**
 * One receive of a delivery's message: at most one attempt. Answers the seconds the message is to
 * stay hidden before its next receive when it is to be retried; undefined when it is done with.
 */
export async function deliver(
  ports: DeliveryPorts,
  { merchantId, endpointId, deliveryId }: DeliveryMessage,
): Promise<number | undefined> {
  const { store } = ports;
  const delivery = await store.readDelivery(merchantId, endpointId, deliveryId);
  if (!delivery) return undefined;
  if (delivery.status !== "pending") {
    // Completed by an earlier copy of this message, which may have crashed before sending the next on.
    await sendNext(ports, merchantId, delivery);
    return undefined;
  }
  const head = await store.lineHead(merchantId, endpointId, delivery.line.group);
  if (head !== delivery.id) {
    if (head) await wakeIfOverdue(ports, merchantId, endpointId, head);
    return undefined;
  }
  const now = ports.clock.now();
  // A second copy of the message (a kick from the line) while the retry waits: it waits too.
  const early = delivery.nextAttemptAt ? Date.parse(delivery.nextAttemptAt) - now.getTime() : 0;
  if (early > 1000) return Math.ceil(early / 1000);
  const endpoint = (await store.readEndpoint(merchantId, endpointId))?.value;
  const event = await store.event(merchantId, delivery.eventId);
  if (!endpoint?.active || !event) {
    const error = !endpoint ? "endpoint deleted" : !endpoint.active ? "endpoint disabled" : "event no longer retained";
    await store.complete(merchantId, delivery, {
      status: "failed",
      attempt: { at: now.toISOString(), error, responseBody: "", durationMs: 0 },
      at: now,
    });
    await sendNext(ports, merchantId, delivery);
    return undefined;
  }
  if (!(await store.lease(merchantId, endpointId, deliveryId, now, new Date(now.getTime() + ports.timeoutMs + leaseMarginMs))))
    return undefined;

  const body = JSON.stringify(presentEvent(event));
  const timestamp = Math.floor(now.getTime() / 1000);
  const result = await ports.outbound.post({
    url: endpoint.url,
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "Kassa-Webhooks/1",
      "Kassa-Event-Id": event.id,
      "Kassa-Signature": signatureHeader(await signingSecrets(ports, merchantId, endpoint, now), timestamp, body),
    },
    timeoutMs: ports.timeoutMs,
  });
  const attempt = attemptOf(now, result);
  if (result.outcome === "responded" && result.status >= 200 && result.status < 300) {
    await store.complete(merchantId, delivery, { status: "succeeded", attempt, at: now });
    if (endpoint.failingSince !== null) await store.markHealthy(merchantId, endpointId);
    await sendNext(ports, merchantId, delivery);
    return undefined;
  }

  await failing(ports, merchantId, endpoint, now);
  const firstAttemptAt = new Date(delivery.attempts[0]?.at ?? attempt.at);
  const delay = retryDelaySeconds(ports.retry, delivery.attempts.length + 1, firstAttemptAt, now);
  if (delay === undefined) {
    await store.complete(merchantId, delivery, { status: "failed", attempt, at: now });
    await sendNext(ports, merchantId, delivery);
    return undefined;
  }
  await store.recordRetry(merchantId, delivery, attempt, new Date(now.getTime() + delay * 1000));
  return delay;
}

/** A failed attempt: the endpoint's streak starts, or — three days on — the endpoint is disabled. */
async function failing(ports: DeliveryPorts, merchantId: string, endpoint: StoredEndpoint, now: Date) {
  if (endpoint.failingSince === null) {
    await ports.store.markFailing(merchantId, endpoint.id, now);
    return;
  }
  if (!failedTooLong(endpoint.failingSince, now)) return;
  const disabled = { ...presentEndpoint(endpoint), active: false, disabledAt: now.toISOString(), updatedAt: now.toISOString() };
  await ports.store.disable(
    merchantId,
    endpoint,
    endpoint.failingSince,
    newEvent("webhook_endpoint.disabled", merchantId, endpoint.id, now, { webhookEndpoint: disabled }),
  );
}
