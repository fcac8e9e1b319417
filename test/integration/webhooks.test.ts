/**
 * Issue 17 §1 against the emulators: webhook endpoints through their handlers (the secret shown once
 * and sealed at rest, the closed event catalog, rotation), and delivery to a loopback receiver —
 * signatures verified (during a rotation too), retries after 500s and a timeout, every event of a
 * scenario delivered successfully once in each object's order, redeliver and replay, and an endpoint
 * failing three days straight disabled on a pinned clock (with the merchant's email).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as eventsHandler } from "../../functions/api/events.ts";
import { handler as endpointsHandler } from "../../functions/api/webhook-endpoints.ts";
import { handler as notificationsHandler } from "../../functions/notifications/send.ts";
import { outboundWebhooks } from "../../functions/outbound-webhooks/run.ts";
import { type Poller, pollQueue } from "../../infra/local/sqs-poller.ts";
import { functionNamed } from "../../infra/manifest.ts";
import { hideMessage } from "../../shared/aws/queue.ts";
import { webhookDeliveryPorts } from "../../shared/composition.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { eventFromItem } from "../../shared/store/outbox.ts";
import { fanOut, deliver } from "../../shared/webhooks/delivery.ts";
import { type OutboundPort, outboundHttp } from "../../shared/webhooks/outbound.ts";
import { verifySignature } from "../../shared/webhooks/signature.ts";
import { merchantCall, newMerchant, type TestMerchant, expectStatus } from "../helpers/api.ts";
import { eventually, type TestAws, useTestAws } from "../helpers/aws.ts";
import { sampleEvent } from "../helpers/events.ts";
import { dispatchedQueues, dispatchFromStream } from "../helpers/pipeline.ts";

let aws: TestAws;
let shop: TestMerchant;

const api = (routeKey: string, options: { id?: string; body?: object; query?: Record<string, string> } = {}, m = shop) =>
  merchantCall(endpointsHandler, routeKey, m.secret, options);

/** Every queue the dispatcher routes to (the scenario runs the stream's dispatcher), and its failures. */
const queues = [...dispatchedQueues];

beforeAll(async () => {
  aws = await useTestAws(queues);
  // Loopback receivers, as on a developer's laptop (`npm start` sets it; the cloud never does).
  process.env.KASSA_ALLOW_LOOPBACK_WEBHOOKS = "1";
  shop = await newMerchant("Hook Shop");
});

afterAll(() => {
  delete process.env.KASSA_ALLOW_LOOPBACK_WEBHOOKS;
});

describe("webhook endpoints", () => {
  it("creates an endpoint with a whsec_ secret shown once and sealed at rest; get, list, patch, delete", async () => {
    const created = await expectStatus(
      api("POST /v1/webhook-endpoints", {
        body: { url: "https://hooks.example.com/kassa", events: ["invoice.paid", "payment.*", "invoice.paid"], description: "ERP" },
      }),
      201,
    );
    expect(created).toMatchObject({
      url: "https://hooks.example.com/kassa",
      events: ["invoice.paid", "payment.*"],
      description: "ERP",
      active: true,
      disabledAt: null,
      failingSince: null,
      previousSecretExpiresAt: null,
    });
    expect(created.id).toMatch(/^we_[0-9A-Z]{26}$/);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const raw = JSON.stringify(await aws.scanAll());
    expect(raw, "the secret is never at rest in plain").not.toContain(created.secret);

    const { secret: _, ...shown } = created;
    const got = await expectStatus(api("GET /v1/webhook-endpoints/{id}", { id: created.id }));
    expect(got).toEqual(shown);
    const list = await expectStatus(api("GET /v1/webhook-endpoints"));
    expect(list.data.map((e: { id: string }) => e.id)).toContain(created.id);
    expect(JSON.stringify(list)).not.toContain("whsec_");

    const patched = await expectStatus(
      api("PATCH /v1/webhook-endpoints/{id}", { id: created.id, body: { events: ["customer.*"], description: null, active: false } }),
    );
    expect(patched).toMatchObject({ events: ["customer.*"], description: null, active: false });

    const deleted = await api("DELETE /v1/webhook-endpoints/{id}", { id: created.id });
    expect(deleted.status).toBe(204);
    expect((await api("GET /v1/webhook-endpoints/{id}", { id: created.id })).status).toBe(404);
  });

  it.each([
    [{ url: "https://x.example/h", events: ["invoice.paid", "invoice.pai"] }, "events.1"],
    [{ url: "https://x.example/h", events: ["*"] }, "events.0"],
    [{ url: "https://x.example/h", events: ["nothing.*"] }, "events.0"],
    [{ url: "https://x.example/h", events: ["merchant.created"] }, "events.0"],
    [{ url: "http://hooks.example.com/h", events: ["invoice.paid"] }, "url"],
    [{ url: "not a url", events: ["invoice.paid"] }, "url"],
    [{ url: "https://x.example/h", events: [] }, "events"],
  ])("refuses %j with a 400 naming %s and writes nothing", async (body, path) => {
    const before = await aws.countItems();
    const r = await api("POST /v1/webhook-endpoints", { body });
    expect(r.status, r.raw).toBe(400);
    expect(r.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await aws.countItems()).toBe(before);
  });

  it("rotates the secret: the new one shown once, the old one kept (sealed) until the overlap ends", async () => {
    const created = await expectStatus(
      api("POST /v1/webhook-endpoints", { body: { url: "https://hooks.example.com/r", events: ["customer.created"] } }),
      201,
    );
    const rotated = await expectStatus(
      api("POST /v1/webhook-endpoints/{id}/rotate-secret", { id: created.id, body: { expireOldAfterHours: 2 } }),
    );
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const overlap = Date.parse(rotated.previousSecretExpiresAt) - Date.parse(rotated.updatedAt);
    expect(overlap).toBe(2 * 3600_000);
    const raw = JSON.stringify(await aws.scanAll());
    expect(raw).not.toContain(created.secret);
    expect(raw).not.toContain(rotated.secret);
    const defaulted = await expectStatus(api("POST /v1/webhook-endpoints/{id}/rotate-secret", { id: created.id }));
    expect(Date.parse(defaulted.previousSecretExpiresAt) - Date.parse(defaulted.updatedAt)).toBe(24 * 3600_000);
  });
});

/** What the loopback receiver got: each request, and what it answered. */
interface Received {
  eventId: string;
  objectId: string | undefined;
  headers: IncomingHttpHeaders;
  raw: string;
  answered: number | "hung";
  at: number;
}

/**
 * A receiver on 127.0.0.1: `answer` decides each request's fate (a status, or "hang" past the
 * sender's timeout); every request is recorded with its raw body.
 */
async function startReceiver(answer: (eventId: string, nth: number) => number | "hang") {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const eventId = String(req.headers["kassa-event-id"]);
      const nth = received.filter((r) => r.eventId === eventId).length + 1;
      const fate = answer(eventId, nth);
      received.push({
        eventId,
        objectId: JSON.parse(raw).objectId,
        headers: req.headers,
        raw,
        answered: fate === "hang" ? "hung" : fate,
        at: Date.now(),
      });
      if (fate === "hang") {
        setTimeout(() => res.writeHead(200).end("too late"), 2_000);
        return;
      }
      res.writeHead(fate, { "content-type": "text/plain" }).end(fate >= 300 ? "<b>nope</b>" : "ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return {
    url,
    received,
    /** The requests that were answered 2xx. */
    succeeded: () => received.filter((r) => typeof r.answered === "number" && r.answered < 300),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The test's webhooks consumer: the real one with a 600 ms timeout and retries after about a second. */
const fastWebhooks = outboundWebhooks(
  (clock) => ({
    ...webhookDeliveryPorts(clock),
    outbound: outboundHttp({ allowLoopback: true }),
    retry: { firstDelaySeconds: 1, random: () => 0 },
    timeoutMs: 600,
  }),
  (receiptHandle, seconds) => hideMessage("webhooks", receiptHandle, seconds),
);

function poll(queue: string, name: string, handler: (event: SQSEvent) => Promise<unknown>): Poller {
  const q = aws.queues[queue];
  if (!q) throw new Error(`no queue ${queue}`);
  return pollQueue(
    aws.sqs,
    { ...q, dlqUrl: "", dlqArn: "", definition: { visibilityTimeoutSeconds: 30, maxReceiveCount: 40, retentionDays: 1 } },
    functionNamed(name),
    handler as never,
  );
}

const newCustomer = async (name: string) =>
  (
    await expectStatus(
      merchantCall(customersHandler, "POST /v1/customers", shop.secret, {
        body: { email: `${randomUUID().slice(0, 8)}@hooks.test`, name },
      }),
      201,
    )
  ).id as string;
const renameCustomer = (id: string, name: string) =>
  expectStatus(merchantCall(customersHandler, "PATCH /v1/customers/{id}", shop.secret, { id, body: { name } }));

/** The merchant's events about `objectIds`, oldest first, as GET /v1/events shows them. */
async function eventsAbout(objectIds: string[]) {
  const page = await expectStatus(merchantCall(eventsHandler, "GET /v1/events", shop.secret, { query: { limit: "100" } }));
  return (page.data as { id: string; type: string; objectId?: string }[])
    .filter((e) => e.objectId !== undefined && objectIds.includes(e.objectId))
    .reverse();
}

describe("delivery to a loopback receiver (stream → dispatcher → webhooks queue: fan-out, then attempts)", () => {
  const pollers: Poller[] = [];
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let endpoint: { id: string; secret: string };
  let scenario: { id: string; type: string; objectId?: string }[] = [];
  const startedAt = new Date(Date.now() - 1000).toISOString();

  beforeAll(async () => {
    pollers.push(await dispatchFromStream(aws));
    pollers.push(poll("webhooks", "outbound-webhooks", fastWebhooks));
  });
  afterAll(async () => {
    await Promise.all(pollers.map((p) => p.stop()));
    await receiver?.stop();
  });

  it("delivers every event of a scenario, signed, successfully once each, in each object's order, through 500s and a timeout", async () => {
    let first: string | undefined;
    let second: string | undefined;
    receiver = await startReceiver((eventId, nth) => {
      // The first customer's first update fails twice with a 500; the second customer's creation hangs once.
      if (eventId === first && nth <= 2) return 500;
      if (eventId === second && nth === 1) return "hang";
      return 200;
    });
    endpoint = await expectStatus(
      merchantCall(endpointsHandler, "POST /v1/webhook-endpoints", shop.secret, {
        body: { url: receiver.url, events: ["customer.*"] },
      }),
      201,
    );
    const ada = await newCustomer("Ada");
    const bob = await newCustomer("Bob");
    // The events the receiver must see are known once written; the receiver's rules read them lazily.
    await renameCustomer(ada, "Ada 2");
    await renameCustomer(ada, "Ada 3");
    await renameCustomer(bob, "Bob 2");
    await renameCustomer(ada, "Ada 4");
    scenario = await eventsAbout([ada, bob]);
    expect(scenario.map((e) => e.type)).toEqual([
      "customer.created",
      "customer.created",
      "customer.updated",
      "customer.updated",
      "customer.updated",
      "customer.updated",
    ]);
    first = scenario.find((e) => e.objectId === ada && e.type === "customer.updated")?.id;
    second = scenario.find((e) => e.objectId === bob && e.type === "customer.created")?.id;

    await eventually(async () => (receiver.succeeded().length >= scenario.length ? true : undefined), 60_000);
    // Nothing more arrives: every event succeeded once.
    await new Promise((r) => setTimeout(r, 1500));
    const succeeded = receiver.succeeded();
    expect(succeeded.map((r) => r.eventId).sort()).toEqual(scenario.map((e) => e.id).sort());

    // Retries: the 500s, then success; the timeout, then success.
    expect(receiver.received.filter((r) => r.eventId === first).map((r) => r.answered)).toEqual([500, 500, 200]);
    expect(receiver.received.filter((r) => r.eventId === second).map((r) => r.answered)).toEqual(["hung", 200]);

    // Per-object order: each customer's successes arrive in its events' order, whatever held one up.
    for (const objectId of [ada, bob])
      expect(succeeded.filter((r) => r.objectId === objectId).map((r) => r.eventId)).toEqual(
        scenario.filter((e) => e.objectId === objectId).map((e) => e.id),
      );

    // Every request is signed with the endpoint's secret over its raw body, and is the event as GET /v1/events/{id} shows it.
    for (const r of receiver.received) {
      expect(r.headers["content-type"]).toBe("application/json");
      expect(r.headers["user-agent"]).toBe("Kassa-Webhooks/1");
      expect(verifySignature(String(r.headers["kassa-signature"]), endpoint.secret, r.raw, Math.floor(Date.now() / 1000))).toBe(true);
      expect(verifySignature(String(r.headers["kassa-signature"]), "whsec_wrong", r.raw, Math.floor(Date.now() / 1000))).toBe(false);
      const shown = await expectStatus(merchantCall(eventsHandler, "GET /v1/events/{id}", shop.secret, { id: r.eventId }));
      expect(JSON.parse(r.raw)).toEqual(shown);
    }

    // The deliveries list: the retried one with its attempts (status, the body's first KiB, durations).
    const list = await expectStatus(
      merchantCall(endpointsHandler, "GET /v1/webhook-endpoints/{id}/deliveries", shop.secret, { id: endpoint.id, query: { limit: "100" } }),
    );
    const retried = list.data.find((d: { eventId: string }) => d.eventId === first);
    expect(retried).toMatchObject({ status: "succeeded", cause: "event", eventType: "customer.updated", nextAttemptAt: null });
    expect(retried.attempts.map((a: { status?: number }) => a.status)).toEqual([500, 500, 200]);
    expect(retried.attempts[0].responseBody).toBe("<b>nope</b>");
    const timedOut = list.data.find((d: { eventId: string }) => d.eventId === second);
    expect(timedOut.attempts[0]).toMatchObject({ responseBody: "" });
    expect(timedOut.attempts[0].error).toMatch(/600 ms/);
    expect(timedOut.attempts[0].durationMs).toBeGreaterThanOrEqual(500);
  }, 90_000);

  it("signs with the new secret first and the old one during a rotation's overlap, and with the new one only after", async () => {
    const rotated = await expectStatus(
      merchantCall(endpointsHandler, "POST /v1/webhook-endpoints/{id}/rotate-secret", shop.secret, {
        id: endpoint.id,
        body: { expireOldAfterHours: 1 },
      }),
    );
    const during = receiver.received.length;
    const carol = await newCustomer("Carol");
    const seen = await eventually(async () => receiver.received.slice(during).find((r) => r.objectId === carol), 30_000);
    const header = String(seen.headers["kassa-signature"]);
    const now = Math.floor(Date.now() / 1000);
    expect(header.split(",").filter((p) => p.startsWith("v1="))).toHaveLength(2);
    expect(verifySignature(header, rotated.secret, seen.raw, now)).toBe(true);
    expect(verifySignature(header, endpoint.secret, seen.raw, now)).toBe(true);
    // The new secret's v1 comes first.
    expect(verifySignature(header.split(",").slice(0, 2).join(","), rotated.secret, seen.raw, now)).toBe(true);

    const final = await expectStatus(
      merchantCall(endpointsHandler, "POST /v1/webhook-endpoints/{id}/rotate-secret", shop.secret, {
        id: endpoint.id,
        body: { expireOldAfterHours: 0 },
      }),
    );
    const after = receiver.received.length;
    const dave = await newCustomer("Dave");
    const late = await eventually(async () => receiver.received.slice(after).find((r) => r.objectId === dave), 30_000);
    const lateHeader = String(late.headers["kassa-signature"]);
    expect(verifySignature(lateHeader, final.secret, late.raw, Math.floor(Date.now() / 1000))).toBe(true);
    expect(verifySignature(lateHeader, rotated.secret, late.raw, Math.floor(Date.now() / 1000))).toBe(false);
    endpoint = { id: endpoint.id, secret: final.secret };
  }, 60_000);

  it("redelivers one event as a new delivery", async () => {
    const target = scenario[0];
    if (!target) throw new Error("the scenario ran first");
    const before = receiver.succeeded().filter((r) => r.eventId === target.id).length;
    const delivery = await expectStatus(
      merchantCall(endpointsHandler, "POST /v1/events/{id}/redeliver", shop.secret, { id: target.id, body: { endpointId: endpoint.id } }),
      201,
    );
    expect(delivery).toMatchObject({ eventId: target.id, endpointId: endpoint.id, cause: "redeliver", status: "pending" });
    await eventually(async () => (receiver.succeeded().filter((r) => r.eventId === target.id).length > before ? true : undefined), 30_000);
  }, 40_000);

  it("replays a range (202): every subscribed event again, oldest first per object, each once", async () => {
    const before = receiver.succeeded().length;
    const to = new Date().toISOString();
    const accepted = await merchantCall(endpointsHandler, "POST /v1/webhook-endpoints/{id}/replay", shop.secret, {
      id: endpoint.id,
      body: { from: startedAt, to },
    });
    expect(accepted.status, accepted.raw).toBe(202);
    expect(accepted.body).toMatchObject({ endpointId: endpoint.id, status: "accepted" });
    expect(accepted.body.id).toMatch(/^whr_/);
    const page = await expectStatus(merchantCall(eventsHandler, "GET /v1/events", shop.secret, { query: { limit: "100" } }));
    const expected = (page.data as { id: string; type: string; occurredAt: string }[])
      .filter((e) => e.type.startsWith("customer.") && e.occurredAt < to)
      .map((e) => e.id)
      .reverse();
    await eventually(async () => (receiver.succeeded().length - before >= expected.length ? true : undefined), 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    const replayed = receiver.succeeded().slice(before);
    expect(replayed.map((r) => r.eventId).sort()).toEqual([...expected].sort());
    for (const objectId of new Set(replayed.map((r) => r.objectId)))
      expect(replayed.filter((r) => r.objectId === objectId).map((r) => r.eventId)).toEqual(
        expected.filter((id) => replayed.find((r) => r.eventId === id)?.objectId === objectId),
      );
  }, 80_000);
});

describe("three days of failures (pinned clock)", () => {
  it("retries with backoff for three days, then fails the delivery and disables the endpoint, emailing the merchant", async () => {
    const merchant = await newMerchant("Failing Hooks");
    const start = new Date("2026-12-01T09:00:00.000Z");
    const clock = fixedClock(start);
    const answered: number[] = [];
    const down: OutboundPort = {
      post: async () => {
        answered.push(clock.now().getTime());
        return { outcome: "responded", status: 503, body: "down", durationMs: 3 };
      },
    };
    const created = await expectStatus(
      merchantCall(endpointsHandler, "POST /v1/webhook-endpoints", merchant.secret, {
        body: { url: "https://hooks.example.com/down", events: ["customer.created"] },
      }),
      201,
    );
    await expectStatus(
      merchantCall(customersHandler, "POST /v1/customers", merchant.secret, { body: { email: "pinned@hooks.test", name: "Pin" } }),
      201,
    );
    const eventItem = (await aws.scanAll()).find(
      (i) => i.type === "event" && i.merchantId === merchant.id && i.eventType === "customer.created",
    );
    if (!eventItem) throw new Error("no customer.created event");
    const event = eventFromItem(eventItem);
    const sent: { deliveryId: string }[] = [];
    const ports = {
      ...webhookDeliveryPorts(clock),
      queues: { deliver: async (m: { deliveryId: string }) => void sent.push(m), replay: async () => {} },
      outbound: down,
      retry: { firstDelaySeconds: 30, random: () => 0.5 },
      timeoutMs: 10_000,
    };
    await fanOut(ports, event);
    await fanOut(ports, event);
    const deliveryIds = [...new Set(sent.map((m) => m.deliveryId))];
    expect(deliveryIds, "one delivery per endpoint and event, however often fanned out").toHaveLength(1);
    const message = { kind: "webhook.deliver" as const, merchantId: merchant.id, endpointId: created.id, deliveryId: deliveryIds[0] as string };

    const delays: number[] = [];
    for (let receive = 0; receive < 60; receive++) {
      const wait = await deliver(ports, message);
      if (wait === undefined) break;
      delays.push(wait);
      clock.advance(wait * 1000);
    }
    expect(delays[0], "the first retry within 30 s").toBeLessThanOrEqual(30);
    expect(delays.every((d) => d <= 12 * 3600)).toBe(true);
    for (let i = 1; i < Math.min(delays.length, 10); i++) expect(delays[i]).toBeGreaterThan(delays[i - 1] as number);
    const spanMs = (answered.at(-1) as number) - (answered[0] as number);
    expect(spanMs).toBeGreaterThanOrEqual(3 * 24 * 3600_000);
    expect(spanMs).toBeLessThan(3 * 24 * 3600_000 + 60_000);

    const list = await expectStatus(
      merchantCall(endpointsHandler, "GET /v1/webhook-endpoints/{id}/deliveries", merchant.secret, { id: created.id }),
    );
    expect(list.data).toHaveLength(1);
    expect(list.data[0]).toMatchObject({ status: "failed", nextAttemptAt: null });
    expect(list.data[0].attempts).toHaveLength(answered.length);
    expect(list.data[0].attempts.every((a: { status: number }) => a.status === 503)).toBe(true);

    const endpoint = await expectStatus(
      merchantCall(endpointsHandler, "GET /v1/webhook-endpoints/{id}", merchant.secret, { id: created.id }),
    );
    expect(endpoint).toMatchObject({ active: false, failingSince: start.toISOString() });
    expect(Date.parse(endpoint.disabledAt) - start.getTime()).toBeGreaterThanOrEqual(3 * 24 * 3600_000);
    const disabled = (await aws.scanAll()).filter(
      (i) => i.type === "event" && i.eventType === "webhook_endpoint.disabled" && i.objectId === created.id,
    );
    expect(disabled).toHaveLength(1);
    expect(JSON.stringify(disabled)).not.toContain("whsec_");

    // The merchant's email, sent by the notifications consumer from that event.
    const record: SQSRecord = {
      ...sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json").Records[0]!,
      messageId: randomUUID(),
      body: JSON.stringify(eventFromItem(disabled[0] as Record<string, unknown>)),
    };
    expect(await notificationsHandler({ Records: [record] })).toEqual({ batchItemFailures: [] });
    const mail = await eventually(async () => (await aws.mailTo(merchant.email)).find((m) => m.subject.includes("Webhook endpoint disabled")));
    expect(mail.body.text).toContain(created.id);
    expect(mail.body.text).toContain("https://hooks.example.com/down");

    // A disabled endpoint gets nothing more: a new event's fan-out skips it.
    sent.length = 0;
    await fanOut(ports, { ...event, id: "evt_01KZZZZZZZZZZZZZZZZZZZZZZZ" });
    expect(sent).toEqual([]);
  }, 60_000);

  it("a later delivery's message re-sends an object's first delivery whose message was lost, once it is overdue", async () => {
    const merchant = await newMerchant("Lost Message");
    const clock = fixedClock(new Date());
    const created = await expectStatus(
      merchantCall(endpointsHandler, "POST /v1/webhook-endpoints", merchant.secret, {
        body: { url: "https://hooks.example.com/lost", events: ["customer.*"] },
      }),
      201,
    );
    const customer = await expectStatus(
      merchantCall(customersHandler, "POST /v1/customers", merchant.secret, { body: { email: "lost@hooks.test", name: "Lou" } }),
      201,
    );
    await expectStatus(merchantCall(customersHandler, "PATCH /v1/customers/{id}", merchant.secret, { id: customer.id, body: { name: "Lou 2" } }));
    const events = (await aws.scanAll())
      .filter((i) => i.type === "event" && i.merchantId === merchant.id && i.objectId === customer.id)
      .map((i) => eventFromItem(i))
      .sort((a, b) => a.id.localeCompare(b.id));
    expect(events.map((e) => e.type)).toEqual(["customer.created", "customer.updated"]);
    const sent: { deliveryId: string }[] = [];
    const posted: string[] = [];
    const ports = {
      ...webhookDeliveryPorts(clock),
      queues: { deliver: async (m: { deliveryId: string }) => void sent.push(m), replay: async () => {} },
      outbound: {
        post: async (request: { headers: Record<string, string> }) => {
          posted.push(String(request.headers["Kassa-Event-Id"]));
          return { outcome: "responded" as const, status: 200, body: "ok", durationMs: 1 };
        },
      },
    };
    for (const event of events) await fanOut(ports, event);
    const [first, second] = sent.map((m) => m.deliveryId);
    const message = (deliveryId: string) => ({ kind: "webhook.deliver" as const, merchantId: merchant.id, endpointId: created.id, deliveryId });
    sent.length = 0;

    // The first delivery's message is lost; the second's waits behind it, and is not sent early.
    expect(await deliver(ports, message(second as string))).toBeUndefined();
    expect(posted).toEqual([]);
    expect(sent).toEqual([]);
    clock.advance(16 * 60_000);
    expect(await deliver(ports, message(second as string))).toBeUndefined();
    expect(sent.map((m) => m.deliveryId)).toEqual([first]);
    // The re-sent first goes out, then sends the second on; both in order.
    sent.length = 0;
    await deliver(ports, message(first as string));
    expect(sent.map((m) => m.deliveryId)).toEqual([second]);
    await deliver(ports, message(second as string));
    expect(posted).toEqual(events.map((e) => e.id));
  });
});
