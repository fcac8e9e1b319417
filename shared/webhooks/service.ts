/**
 * Webhook endpoints' use cases: create (the secret shown once), read, list, patch, delete, rotate the
 * secret; a delivery's list; redeliver one event; replay a range of events.
 */
import { ConflictError, NotFoundError, requireFound, ValidationError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { newId } from "../domain/ids.ts";
import { takeOrThrow, windowLimits } from "../domain/limits.ts";
import {
  deliveryLine,
  type EndpointPatch,
  type NewEndpointInput,
  newWebhookSecret,
  patchEndpoint,
  presentEndpoint,
  type StoredEndpoint,
} from "./endpoint.ts";
import { subscribesTo } from "./event-types.ts";
import { maxEndpoints, type WebhookPorts } from "./ports.ts";

/** What a sealed secret is bound to: one endpoint of one merchant (moved elsewhere, it does not open). */
export const secretContext = (merchantId: string, endpointId: string) => `webhook-endpoint:${merchantId}:${endpointId}`;

async function checkUrl(ports: WebhookPorts, url: string | undefined) {
  if (url === undefined) return;
  const problem = await ports.checkUrl(url);
  if (problem) throw new ValidationError([{ path: "url", message: problem }]);
}

export async function createEndpoint(ports: WebhookPorts, merchantId: string, input: NewEndpointInput) {
  await checkUrl(ports, input.url);
  if ((await ports.store.allEndpoints(merchantId)).length >= maxEndpoints)
    throw new ConflictError(`A merchant has at most ${maxEndpoints} webhook endpoints; delete one first`);
  const now = ports.clock.now();
  const id = newId("webhookEndpoint", now);
  const secret = newWebhookSecret();
  const endpoint: StoredEndpoint = {
    id,
    url: input.url,
    events: [...new Set(input.events)],
    description: input.description ?? null,
    active: input.active ?? true,
    disabledAt: null,
    failingSince: null,
    previousSecretExpiresAt: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    secret: await ports.sealer.seal(secretContext(merchantId, id), secret),
    previousSecret: null,
  };
  const shown = presentEndpoint(endpoint);
  await ports.store.createEndpoint(
    merchantId,
    endpoint,
    newEvent("webhook_endpoint.created", merchantId, id, now, { webhookEndpoint: shown }),
  );
  return { ...shown, secret };
}

const readEndpoint = async (ports: WebhookPorts, merchantId: string, id: string) =>
  requireFound(await ports.store.readEndpoint(merchantId, id), "Webhook endpoint");

export async function getEndpoint(ports: WebhookPorts, merchantId: string, id: string) {
  return presentEndpoint((await readEndpoint(ports, merchantId, id)).value);
}

export async function listEndpoints(
  ports: WebhookPorts,
  merchantId: string,
  page: { limit: number; after?: Record<string, unknown> },
) {
  const found = await ports.store.listEndpoints(merchantId, page);
  return { ...found, items: found.items.map(presentEndpoint) };
}

export async function updateEndpoint(ports: WebhookPorts, merchantId: string, id: string, patch: EndpointPatch) {
  await checkUrl(ports, patch.url);
  const { value, version } = await readEndpoint(ports, merchantId, id);
  const now = ports.clock.now();
  const next = patchEndpoint(value, patch, now);
  const shown = presentEndpoint(next);
  await ports.store.replaceEndpoint(
    merchantId,
    next,
    version,
    newEvent("webhook_endpoint.updated", merchantId, id, now, { webhookEndpoint: shown }),
  );
  return shown;
}

export async function deleteEndpoint(ports: WebhookPorts, merchantId: string, id: string) {
  const { value, version } = await readEndpoint(ports, merchantId, id);
  const now = ports.clock.now();
  await ports.store.removeEndpoint(
    merchantId,
    id,
    version,
    newEvent("webhook_endpoint.deleted", merchantId, id, now, { webhookEndpoint: presentEndpoint(value) }),
  );
}

/**
 * A new secret, shown once; the old one keeps signing beside it (second in the header) for
 * `expireOldAfterHours` (0: at once), so receivers can switch without dropping a delivery.
 */
export async function rotateSecret(
  ports: WebhookPorts,
  merchantId: string,
  id: string,
  { expireOldAfterHours }: { expireOldAfterHours: number },
) {
  const { value, version } = await readEndpoint(ports, merchantId, id);
  const now = ports.clock.now();
  const secret = newWebhookSecret();
  const next: StoredEndpoint = {
    ...value,
    secret: await ports.sealer.seal(secretContext(merchantId, id), secret),
    previousSecret: expireOldAfterHours > 0 ? value.secret : null,
    previousSecretExpiresAt:
      expireOldAfterHours > 0 ? new Date(now.getTime() + expireOldAfterHours * 3600_000).toISOString() : null,
    updatedAt: now.toISOString(),
  };
  const shown = presentEndpoint(next);
  // The event says a rotation happened and until when the old secret signs; never a secret.
  await ports.store.replaceEndpoint(
    merchantId,
    next,
    version,
    newEvent("webhook_endpoint.updated", merchantId, id, now, { webhookEndpoint: shown }),
  );
  return { ...shown, secret };
}

export async function listDeliveries(
  ports: WebhookPorts,
  merchantId: string,
  endpointId: string,
  page: { limit: number; after?: Record<string, unknown> },
) {
  await readEndpoint(ports, merchantId, endpointId);
  return ports.store.listDeliveries(merchantId, endpointId, page);
}

/** Sends one event to one endpoint again, as a new delivery (whatever the endpoint subscribes to). */
export async function redeliver(ports: WebhookPorts, merchantId: string, eventId: string, endpointId: string) {
  const event = await ports.store.event(merchantId, eventId);
  if (!event) throw new NotFoundError("Event");
  const { value: endpoint } = await ports.store.readEndpoint(merchantId, endpointId).then((found) => {
    if (!found) throw new ValidationError([{ path: "endpointId", message: "No such webhook endpoint" }]);
    return found;
  });
  if (!endpoint.active) throw new ConflictError("The webhook endpoint is disabled; PATCH it active first");
  const now = ports.clock.now();
  const id = newId("webhookDelivery", now);
  await ports.store.createDelivery(merchantId, {
    delivery: {
      id,
      endpointId,
      eventId,
      eventType: event.type,
      status: "pending",
      cause: "redeliver",
      attempts: [],
      nextAttemptAt: null,
      createdAt: now.toISOString(),
      completedAt: null,
      line: deliveryLine(event, id),
    },
  });
  const delivery = requireFound(await ports.store.readDelivery(merchantId, endpointId, id), "Webhook delivery");
  try {
    await ports.queues.deliver({ kind: "webhook.deliver", merchantId, endpointId, deliveryId: id });
  } catch (error) {
    // Unsent, it would wait first in its line forever, holding the object's later deliveries back.
    await ports.store.complete(merchantId, delivery, {
      status: "failed",
      attempt: { at: now.toISOString(), error: "could not be queued", responseBody: "", durationMs: 0 },
      at: now,
    });
    throw error;
  }
  const { line: _, ...shown } = delivery;
  return shown;
}

/**
 * Replays the endpoint's subscribed events created in [from, to) that are still retained, oldest
 * first, as new deliveries (in each object's order like any other): accepted here (202), run page by
 * page on the webhooks queue. At most `windowLimits.webhookReplays` per endpoint and hour.
 */
export async function replay(
  ports: WebhookPorts,
  merchantId: string,
  endpointId: string,
  range: { from: string; to: string },
) {
  if (Date.parse(range.from) >= Date.parse(range.to))
    throw new ValidationError([{ path: "to", message: "must be after from" }]);
  const { value: endpoint } = await readEndpoint(ports, merchantId, endpointId);
  if (!endpoint.active) throw new ConflictError("The webhook endpoint is disabled; PATCH it active first");
  const now = ports.clock.now();
  await takeOrThrow(ports.windows, windowLimits.webhookReplays, merchantId, endpointId, now, "Webhook replays");
  const replayId = newId("webhookReplay", now);
  await ports.queues.replay({ kind: "webhook.replay", merchantId, endpointId, replayId, ...range });
  return { id: replayId, endpointId, from: range.from, to: range.to, status: "accepted" as const };
}

/** How long the events feed keeps events (shared/store/outbox.ts): what a replay can reach. */
const eventRetentionMs = 90 * 24 * 3600 * 1000;

/** Events a replay reads per message. */
const replayPage = 100;

/** One page of a replay: its deliveries (once per replay and event), then the next page's message. */
export async function replayPageRun(
  ports: Pick<WebhookPorts, "store" | "queues" | "clock">,
  message: { merchantId: string; endpointId: string; replayId: string; from: string; to: string; after?: string | undefined },
) {
  const { merchantId, endpointId, replayId } = message;
  const found = await ports.store.readEndpoint(merchantId, endpointId);
  if (!found?.value.active) return;
  // Events past their retention may linger until DynamoDB's TTL removes them: they are not replayed.
  const retainedFrom = ports.clock.now().getTime() - eventRetentionMs;
  const events = await ports.store.eventsBetween(merchantId, {
    from: new Date(Math.max(Date.parse(message.from), retainedFrom)),
    to: new Date(message.to),
    limit: replayPage,
    ...(message.after ? { after: message.after } : {}),
  });
  for (const event of events) {
    if (!subscribesTo(found.value.events, event.type)) continue;
    const now = ports.clock.now();
    const id = newId("webhookDelivery", now);
    const made = await ports.store.createDelivery(merchantId, {
      claim: `${endpointId}:${event.id}:${replayId}`,
      delivery: {
        id,
        endpointId,
        eventId: event.id,
        eventType: event.type,
        status: "pending",
        cause: "replay",
        attempts: [],
        nextAttemptAt: null,
        createdAt: now.toISOString(),
        completedAt: null,
        line: deliveryLine(event, id),
      },
    });
    await ports.queues.deliver({ kind: "webhook.deliver", merchantId, endpointId, deliveryId: made.id });
  }
  const last = events.at(-1);
  if (events.length === replayPage && last) await ports.queues.replay({ kind: "webhook.replay", ...message, after: last.id });
}
