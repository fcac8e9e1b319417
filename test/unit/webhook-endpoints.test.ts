/**
 * Outbound webhooks' pure rules: the closed event catalog and its per-prefix wildcards (and that the
 * dispatcher routes exactly the catalog to the webhooks queue), the retry schedule (first retry
 * within 30 s, doubling with jitter, capped at 12 h and at the three days), an object's delivery
 * line, and what a patch does to a disabled endpoint.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { queuesFor } from "../../shared/outbox/routing.ts";
import {
  deliveryLine,
  failedTooLong,
  maxRetryDelaySeconds,
  patchEndpoint,
  retryDelaySeconds,
  retryWindowMs,
  type StoredEndpoint,
} from "../../shared/webhooks/endpoint.ts";
import { isWebhookEventName, subscribesTo, webhookEventTypes } from "../../shared/webhooks/event-types.ts";
import { workflowTriggers } from "../../shared/workflows/workflow.ts";

describe("the event catalog", () => {
  it("holds every workflow trigger, and the dispatcher routes exactly the catalog to the webhooks queue", () => {
    for (const type of workflowTriggers) expect(webhookEventTypes).toContain(type);
    for (const type of webhookEventTypes) expect(queuesFor(type)).toContain("webhooks");
    for (const type of ["merchant.created", "subscription.bill", "test_clock.advance", "segment.build", "nothing.at_all"])
      expect(queuesFor(type)).not.toContain("webhooks");
  });

  it("holds every event type the code emits with a literal type (a merchant's creation aside: no endpoint exists yet; and a sign-in request, which changes nothing)", () => {
    const sources = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? sources(join(dir, entry.name))
          : entry.name.endsWith(".ts")
            ? [readFileSync(join(dir, entry.name), "utf8")]
            : [],
      );
    const emitted = new Set(
      sources("shared").flatMap((source) =>
        [...source.matchAll(/newEvent(?:<[^>]*>)?\(\s*"([a-z_]+\.[a-z_.]+)"/g)].map((m) => m[1] as string),
      ),
    );
    expect(emitted.size).toBeGreaterThan(40);
    expect([...emitted].filter((type) => !webhookEventTypes.includes(type)).sort()).toEqual([
      "merchant.created",
      "user.sign_in_requested",
    ]);
  });

  it("accepts catalogued types and known prefixes' wildcards only", () => {
    for (const name of ["invoice.paid", "payment.*", "subscription.*", "webhook_endpoint.disabled"])
      expect(isWebhookEventName(name), name).toBe(true);
    for (const name of ["*", "*.*", "invoice.*.*", "nothing.*", "invoice.pai", "invoice", "merchant.created", "payment.*x", ".*"])
      expect(isWebhookEventName(name), name).toBe(false);
  });

  it("matches an event by its exact type or its prefix's wildcard", () => {
    expect(subscribesTo(["payment.*"], "payment.succeeded")).toBe(true);
    expect(subscribesTo(["payment.*"], "payment_link.created")).toBe(false);
    expect(subscribesTo(["invoice.paid"], "invoice.paid")).toBe(true);
    expect(subscribesTo(["invoice.paid"], "invoice.voided")).toBe(false);
  });
});

describe("the retry schedule", () => {
  const first = new Date("2026-12-01T00:00:00Z");
  const at = (ms: number) => new Date(first.getTime() + ms);

  it("retries first within 30 s, then doubles (jittered down to half at most), capped at 12 h", () => {
    const high = { firstDelaySeconds: 30, random: () => 0.999_999 };
    const low = { firstDelaySeconds: 30, random: () => 0 };
    expect(retryDelaySeconds(high, 1, first, first)).toBe(30);
    expect(retryDelaySeconds(low, 1, first, first)).toBe(15);
    expect(retryDelaySeconds(high, 2, first, first)).toBe(60);
    expect(retryDelaySeconds(low, 5, first, first)).toBe(240);
    expect(retryDelaySeconds(high, 20, first, first)).toBe(maxRetryDelaySeconds);
  });

  it("never waits past the three days, and stops once they are over", () => {
    const policy = { firstDelaySeconds: 30, random: () => 0.999_999 };
    expect(retryDelaySeconds(policy, 20, first, at(retryWindowMs - 90_000))).toBe(90);
    expect(retryDelaySeconds(policy, 20, first, at(retryWindowMs))).toBeUndefined();
    expect(failedTooLong(first.toISOString(), at(retryWindowMs - 1))).toBe(false);
    expect(failedTooLong(first.toISOString(), at(retryWindowMs))).toBe(true);
    expect(failedTooLong(null, at(retryWindowMs * 2))).toBe(false);
  });
});

describe("delivery lines", () => {
  it("orders an object's deliveries by sequence, then event id; events about no object stand alone", () => {
    const a = deliveryLine({ id: "evt_B", objectId: "cus_1", sequence: 9 }, "whd_1");
    const b = deliveryLine({ id: "evt_A", objectId: "cus_1", sequence: 10 }, "whd_2");
    expect(a.group).toBe("cus_1");
    expect(a.order < b.order).toBe(true);
    expect(deliveryLine({ id: "evt_C" }, "whd_3").group).toBe("evt_C");
  });
});

describe("patching an endpoint", () => {
  const disabled = {
    id: "we_1",
    url: "https://x.example/h",
    events: ["invoice.paid"],
    description: null,
    active: false,
    disabledAt: "2026-12-04T00:00:00.000Z",
    failingSince: "2026-12-01T00:00:00.000Z",
    previousSecretExpiresAt: null,
    createdAt: "2026-11-01T00:00:00.000Z",
    updatedAt: "2026-12-04T00:00:00.000Z",
    secret: { alg: "A256GCM", kid: "k", iv: "i", tag: "t", ciphertext: "c" },
    previousSecret: null,
  } satisfies StoredEndpoint;

  it("re-enabling clears Kassa's disabling and the failure streak; other patches keep them", () => {
    const now = new Date("2026-12-05T00:00:00Z");
    expect(patchEndpoint(disabled, { active: true }, now)).toMatchObject({ active: true, disabledAt: null, failingSince: null });
    expect(patchEndpoint(disabled, { description: "x" }, now)).toMatchObject({
      active: false,
      disabledAt: disabled.disabledAt,
      failingSince: disabled.failingSince,
    });
  });
});
