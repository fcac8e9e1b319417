/**
 * The dashboard's developer settings against DynamoDB Local (and a loopback Stripe), every change read
 * back through the API: the processor page connects Stripe through the API's use case (one account,
 * a fresh onboarding link) and chooses the processor (the API's 409 until the account can take
 * charges); API keys are created with a role (the secret shown once, sealed at rest, a double submit
 * making one key) and revoked; webhook endpoints are added (secret once), edited, rotated, deleted,
 * and an endpoint's page shows its delivery log (the receiver's answer escaped) with "send again" and
 * a replay of days. Bad input is a 400 naming the field and writes nothing; another merchant's ids
 * are 404s; viewers get no forms and the routes name the API's permissions; each page's first load
 * stays under 150 KB.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as apiKeysHandler } from "../../functions/api/api-keys.ts";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as settingsHandler } from "../../functions/api/merchant-settings.ts";
import { handler as endpointsHandler } from "../../functions/api/webhook-endpoints.ts";
import { merchantPorts, webhookDeliveryPorts } from "../../shared/composition.ts";
import type { DashboardResult } from "../../shared/dashboard/context.ts";
import { allPageRoutes } from "../../shared/dashboard/pages/index.ts";
import { dashboardRouter } from "../../shared/dashboard/router.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../shared/domain/errors.ts";
import { getMerchant, setStripeAccountStatus } from "../../shared/merchants/service.ts";
import { eventFromItem } from "../../shared/store/outbox.ts";
import type { Role } from "../../shared/users/roles.ts";
import { deliver, fanOut } from "../../shared/webhooks/delivery.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { firstLoadBytes, openPage, pageBody, signedIn, testCsrfToken } from "../helpers/dashboard-pages.ts";
import { takeQueued } from "../helpers/fixtures.ts";
import { type StripeFake, startStripeFake } from "../helpers/stripe-fake.ts";

const pageRoutes = await allPageRoutes();

let aws: TestAws;
let stripe: StripeFake;
let shop: TestMerchant;
let other: TestMerchant;

const unique = () => randomUUID().slice(0, 8);
const api = (
  handler: unknown,
  routeKey: string,
  options: Parameters<typeof merchantCall>[3] = {},
  m = shop,
) => merchantCall(handler, routeKey, m.secret, options);
const post = (url: string, form: Record<string, string> = {}, role: Role = "owner") =>
  openPage(signedIn(shop, role), url, { form: { csrf: testCsrfToken, ...form } });
const page = (url: string, role: Role = "owner") => pageBody(openPage(signedIn(shop, role), url));
const route = dashboardRouter(pageRoutes);
const permissionOf = (method: "GET" | "POST", path: string) => {
  const matched = route(method, path);
  return typeof matched === "object" ? matched.route.permission : matched;
};

/** The secret a "shown once" page carries in its readonly field. */
const shownSecret = (result: DashboardResult) =>
  result.kind === "page" ? (/id="shown-secret"[^>]*value="([^"]+)"/.exec(result.body)?.[1] ?? "") : "";

async function budgetOf(url: string, role: Role = "owner") {
  const user = signedIn(shop, role);
  const merchant = await getMerchant(merchantPorts(systemClock), shop.id);
  return firstLoadBytes(await openPage(user, url), user, merchant);
}

beforeAll(async () => {
  aws = await useTestAws(["webhooks"]);
  stripe = await startStripeFake();
  process.env.STRIPE_API_BASE = `http://127.0.0.1:${stripe.port}`;
  process.env.STRIPE_SECRET_KEY = "sk_test_dashboard_settings_0123456789";
  [shop, other] = await Promise.all([newMerchant("Dash Dev"), newMerchant("Other Dev")]);
});

afterAll(async () => {
  await stripe?.stop();
  delete process.env.STRIPE_API_BASE;
  delete process.env.STRIPE_SECRET_KEY;
});

describe("the processor page", () => {
  const merchant = async () => expectStatus(api(settingsHandler, "GET /v1/merchant"));

  it("is the owner's: the page and its actions need the team permission, as the API's connect does", () => {
    for (const [method, path] of [
      ["GET", "/app/settings/processor"],
      ["POST", "/app/settings/processor/connect"],
      ["POST", "/app/settings/processor/choose"],
    ] as const)
      expect(permissionOf(method, path), `${method} ${path}`).toBe("team");
  });

  it("shows the sandbox until Stripe is connected; connecting creates one account and answers Stripe's onboarding link", async () => {
    const before = await page("/app/settings/processor");
    expect(before).toContain("Sandbox (test mode)");
    expect(before).toContain("Not connected");
    expect(before).toContain(">Connect Stripe</button>");

    const first = await pageBody(post("/app/settings/processor/connect"));
    const second = await pageBody(post("/app/settings/processor/connect"));

    const { stripeAccountId } = await merchant();
    expect(stripeAccountId).toMatch(/^acct_/);
    expect(stripe.requests.filter((r) => r.method === "POST" && r.path === "/v1/accounts")).toHaveLength(1);
    const links = stripe.requests.filter((r) => r.path === "/v1/account_links");
    expect(links).toHaveLength(2);
    expect(links[0]?.body).toMatchObject({
      account: stripeAccountId,
      return_url: "https://pay.kassa.test/app/settings/processor",
      refresh_url: "https://pay.kassa.test/app/settings/processor",
    });
    for (const answer of [first, second])
      expect(answer).toContain(`href="https://connect.stripe.com/setup/s/${stripeAccountId}/`);
    const after = await page("/app/settings/processor");
    expect(after).toContain(stripeAccountId);
    expect(after).toContain("not yet: finish onboarding at Stripe");
    expect(after).toContain(">Continue Stripe onboarding</button>");
  });

  it("chooses Stripe only once the account can take charges (the API's 409), and back to the sandbox", async () => {
    await expect(post("/app/settings/processor/choose", { processor: "stripe" })).rejects.toBeInstanceOf(
      ConflictError,
    );
    expect((await merchant()).processor).toBeUndefined();

    await setStripeAccountStatus(merchantPorts(systemClock), shop.id, true);
    expect(await post("/app/settings/processor/choose", { processor: "stripe" })).toEqual({
      kind: "redirect",
      location: "/app/settings/processor",
      notice: "Payments now go through Stripe",
    });
    expect((await merchant()).processor).toBe("stripe");
    expect(await page("/app/settings/processor")).toMatch(/<option value="stripe" selected>/);

    await post("/app/settings/processor/choose", { processor: "sandbox" });
    expect((await merchant()).processor).toBe("sandbox");
  });

  it.each([["paypal"], [""]])(
    "refuses processor %j with a 400 naming processor, changing nothing",
    async (value) => {
      const before = await merchant();
      const refused = post("/app/settings/processor/choose", { processor: value });
      await expect(refused).rejects.toBeInstanceOf(ValidationError);
      await expect(refused).rejects.toMatchObject({
        errors: [expect.objectContaining({ path: "processor" })],
      });
      expect(await merchant()).toEqual(before);
    },
  );
});

describe("the API keys page", () => {
  const keys = async (m = shop) =>
    (await expectStatus(api(apiKeysHandler, "GET /v1/api-keys", { query: { limit: "100" } }, m))).data as {
      id: string;
      name: string;
      role: string;
      status: string;
      hint: string;
    }[];

  it("is the owner's", () => {
    expect(permissionOf("GET", "/app/settings/api-keys")).toBe("team");
    expect(permissionOf("POST", "/app/settings/api-keys")).toBe("team");
    expect(permissionOf("POST", "/app/settings/api-keys/key_x/revoke")).toBe("team");
  });

  it("creates a key with a role: its secret shown once (sealed at rest), working with the role; a double submit makes one", async () => {
    const name = `Shop ${unique()}`;
    const form = { name, role: "viewer", once: unique() };
    const before = (await keys()).length;

    const first = await post("/app/settings/api-keys", form);
    const again = await post("/app/settings/api-keys", form);

    const secret = shownSecret(first);
    expect(secret).toMatch(/^sk_/);
    expect(shownSecret(again)).toBe(secret);
    expect(first).toMatchObject({ kind: "page", title: "API key created" });
    const made = (await keys()).filter((k) => k.name === name);
    expect(made).toEqual([expect.objectContaining({ role: "viewer", status: "active" })]);
    expect((await keys()).length).toBe(before + 1);
    expect(JSON.stringify(await aws.scanAll()), "the secret is never at rest in plain").not.toContain(secret);

    const asViewer = (routeKey: string, body?: object) =>
      call(customersHandler as never, routeKey, { token: secret, ...(body ? { body } : {}) });
    expect((await asViewer("GET /v1/customers")).status).toBe(200);
    expect((await asViewer("POST /v1/customers", { email: `v-${unique()}@dev.test` })).status).toBe(403);

    const list = await page("/app/settings/api-keys");
    expect(list).toContain(name);
    expect(list).toContain(made[0]?.hint ?? "hint");
    expect(list).not.toContain(secret);
  });

  it.each([
    ["no name", { name: "" }, "name"],
    ["an unknown role", { role: "boss" }, "role"],
  ])("refuses %s with a 400 naming the field, writing nothing", async (_, change, path) => {
    const before = await keys();
    const refused = post("/app/settings/api-keys", { name: "Ok", role: "member", once: unique(), ...change });
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ errors: [expect.objectContaining({ path })] });
    expect(await keys()).toEqual(before);
  });

  it("revokes a key: the API shows it revoked and it stops working; another merchant's key is a 404", async () => {
    const made = await post("/app/settings/api-keys", { name: "Short lived", role: "admin", once: unique() });
    const secret = shownSecret(made);
    const key = (await keys()).find((k) => k.name === "Short lived");
    if (!key) throw new Error("no key");

    expect(await post(`/app/settings/api-keys/${key.id}/revoke`)).toMatchObject({
      kind: "redirect",
      location: "/app/settings/api-keys",
      notice: expect.stringContaining(`Revoked Short lived (${key.hint})`),
    });
    expect((await keys()).find((k) => k.id === key.id)?.status).toBe("revoked");
    expect((await call(customersHandler as never, "GET /v1/customers", { token: secret })).status).toBe(401);
    expect(await page("/app/settings/api-keys")).not.toContain(`/app/settings/api-keys/${key.id}/revoke`);

    await expect(post(`/app/settings/api-keys/${other.keyId}/revoke`)).rejects.toBeInstanceOf(NotFoundError);
    expect((await keys(other)).find((k) => k.id === other.keyId)?.status).toBe("active");
  });
});

describe("the webhooks pages", () => {
  const endpoint = (id: string, m = shop) =>
    api(endpointsHandler, "GET /v1/webhook-endpoints/{id}", { id }, m);
  const endpointCount = async () =>
    (await expectStatus(api(endpointsHandler, "GET /v1/webhook-endpoints", { query: { limit: "100" } }))).data
      .length as number;
  /** A form with repeated names (ticked checkboxes), which `openPage`'s record cannot carry. */
  const openPageWith = async (url: string, pairs: [string, string][]) => {
    const matched = route("POST", url);
    if (typeof matched !== "object") throw new Error(`no route ${url}`);
    return matched.route.handle({
      method: "POST",
      path: url,
      params: matched.params,
      query: new URLSearchParams(),
      form: new URLSearchParams([["csrf", testCsrfToken], ...pairs]),
      clock: systemClock,
      user: signedIn(shop),
      csrfToken: testCsrfToken,
    });
  };

  it("names the API's permissions: reading for every role, changes for money", () => {
    expect(permissionOf("GET", "/app/settings/webhooks")).toBe("read");
    expect(permissionOf("GET", "/app/settings/webhooks/we_x")).toBe("read");
    for (const action of [
      "",
      "/we_x",
      "/we_x/rotate-secret",
      "/we_x/delete",
      "/we_x/redeliver",
      "/we_x/replay",
    ])
      expect(permissionOf("POST", `/app/settings/webhooks${action}`), action).toBe("money");
  });

  let endpointId = "";
  it("adds an endpoint from ticked wildcards and typed types: its secret shown once (sealed at rest); a double submit adds one", async () => {
    const once = unique();
    const pairs: [string, string][] = [
      ["once", once],
      ["url", "https://hooks.example.com/erp"],
      ["description", "ERP"],
      ["events", "customer.*"],
      ["events", "payment.*"],
      ["events", "invoice.paid, invoice.voided"],
    ];
    const before = await endpointCount();

    const first = await openPageWith("/app/settings/webhooks", pairs);
    const again = await openPageWith("/app/settings/webhooks", pairs);

    const secret = shownSecret(first);
    expect(secret).toMatch(/^whsec_/);
    expect(shownSecret(again)).toBe(secret);
    expect(await endpointCount()).toBe(before + 1);
    endpointId =
      first.kind === "page" ? (/href="\/app\/settings\/webhooks\/(we_\w+)"/.exec(first.body)?.[1] ?? "") : "";
    expect(await expectStatus(endpoint(endpointId))).toMatchObject({
      url: "https://hooks.example.com/erp",
      description: "ERP",
      events: ["customer.*", "payment.*", "invoice.paid", "invoice.voided"],
      active: true,
    });
    expect(JSON.stringify(await aws.scanAll())).not.toContain(secret);

    const list = await page("/app/settings/webhooks");
    expect(list).toContain(`href="/app/settings/webhooks/${endpointId}">https://hooks.example.com/erp</a>`);
    expect(list).not.toContain(secret);
  });

  it.each([
    ["an event Kassa does not send", [["events", "invoice.pai"]], "events.0"],
    ["no events", [], "events"],
    [
      "a plain http URL",
      [
        ["url", "http://hooks.example.com/h"],
        ["events", "customer.*"],
      ],
      "url",
    ],
    [
      "no URL",
      [
        ["url", ""],
        ["events", "customer.*"],
      ],
      "url",
    ],
  ] as [string, [string, string][], string][])(
    "refuses %s with a 400 naming the field, writing nothing",
    async (_, change, path) => {
      const before = await aws.countItems();
      const names = new Set(change.map(([name]) => name));
      const base: [string, string][] = [["url", "https://hooks.example.com/x"]].filter(
        ([name]) => !names.has(name as string),
      ) as [string, string][];
      const refused = openPageWith("/app/settings/webhooks", [["once", unique()], ...base, ...change]);
      await expect(refused).rejects.toBeInstanceOf(ValidationError);
      await expect(refused).rejects.toMatchObject({
        errors: expect.arrayContaining([expect.objectContaining({ path })]),
      });
      expect(await aws.countItems()).toBe(before);
    },
  );

  it("an endpoint's page shows its delivery log, the receiver's answer escaped; 'send again' makes a new delivery", async () => {
    const customer = await expectStatus(
      api(customersHandler, "POST /v1/customers", { body: { email: `hook-${unique()}@dev.test` } }),
      201,
    );
    const item = (await aws.scanAll()).find(
      (i) => i.type === "event" && i.eventType === "customer.created" && i.objectId === customer.id,
    );
    if (!item) throw new Error("no customer.created event");
    const event = eventFromItem(item);
    const queued: { deliveryId: string }[] = [];
    const ports = {
      ...webhookDeliveryPorts(systemClock),
      queues: { deliver: async (m: { deliveryId: string }) => void queued.push(m), replay: async () => {} },
      outbound: {
        post: async () => ({
          outcome: "responded" as const,
          status: 500,
          body: "<b>nope</b>",
          durationMs: 12,
        }),
      },
    };
    await fanOut(ports, event);
    const deliveryId = queued[0]?.deliveryId ?? "";
    await deliver(ports, { kind: "webhook.deliver", merchantId: shop.id, endpointId, deliveryId });

    const shown = await page(`/app/settings/webhooks/${endpointId}`);
    expect(shown).toContain("customer.created");
    expect(shown).toContain(event.id);
    expect(shown).toContain("HTTP 500, 12 ms");
    expect(shown).toContain("&lt;b&gt;nope&lt;/b&gt;");
    expect(shown).not.toContain("<b>nope</b>");
    expect(shown).toContain(`name="eventId" value="${event.id}"`);

    await takeQueued(aws, "webhooks");
    // Pressed twice: sent again once.
    const again = { eventId: event.id, once: unique() };
    for (let press = 0; press < 2; press++)
      expect(await post(`/app/settings/webhooks/${endpointId}/redeliver`, again)).toMatchObject({
        kind: "redirect",
        location: `/app/settings/webhooks/${endpointId}`,
      });
    const deliveries = (
      await expectStatus(
        api(endpointsHandler, "GET /v1/webhook-endpoints/{id}/deliveries", { id: endpointId }),
      )
    ).data as { eventId: string; cause: string; status: string }[];
    expect(
      deliveries
        .filter((d) => d.eventId === event.id)
        .map((d) => d.cause)
        .sort(),
    ).toEqual(["event", "redeliver"]);
    expect(await takeQueued(aws, "webhooks")).toEqual([
      expect.objectContaining({ kind: "webhook.deliver", endpointId, merchantId: shop.id }),
    ]);
    await expect(
      post(`/app/settings/webhooks/${endpointId}/redeliver`, {
        eventId: "evt_01KZZZZZZZZZZZZZZZZZZZZZZZ",
        once: unique(),
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it("replays the days asked for (the merchant's days) on the webhooks queue; a range backwards or a bad date is a 400 naming it", async () => {
    await expectStatus(api(settingsHandler, "PATCH /v1/merchant", { body: { timeZone: "Europe/Berlin" } }));
    await takeQueued(aws, "webhooks");
    expect(
      await post(`/app/settings/webhooks/${endpointId}/replay`, {
        from: "2026-03-01",
        to: "2026-03-02",
        once: unique(),
      }),
    ).toMatchObject({
      kind: "redirect",
      notice: expect.stringContaining("Replaying the events of 2026-03-01 to 2026-03-02"),
    });
    expect(await takeQueued(aws, "webhooks")).toEqual([
      expect.objectContaining({
        kind: "webhook.replay",
        endpointId,
        from: "2026-02-28T23:00:00.000Z",
        to: "2026-03-02T23:00:00.000Z",
      }),
    ]);

    for (const [form, path] of [
      [{ from: "2026-03-05", to: "2026-03-01" }, "to"],
      [{ from: "yesterday", to: "2026-03-01" }, "from"],
      [{ from: "2026-03-01", to: "2026-02-30x" }, "to"],
    ] as const) {
      const refused = post(`/app/settings/webhooks/${endpointId}/replay`, { ...form, once: unique() });
      await expect(refused).rejects.toMatchObject({ errors: [expect.objectContaining({ path })] });
    }
    expect(await takeQueued(aws, "webhooks")).toEqual([]);
  });

  it("edits an endpoint (events, description cleared, off) as the API then shows; a bad value is a 400 naming it", async () => {
    expect(
      await openPageWith(`/app/settings/webhooks/${endpointId}`, [
        ["url", "https://hooks.example.com/erp2"],
        ["description", ""],
        ["events", "invoice.*"],
        ["events", ""],
        ["active", "false"],
      ]),
    ).toMatchObject({ kind: "redirect", notice: "Endpoint saved" });
    expect(await expectStatus(endpoint(endpointId))).toMatchObject({
      url: "https://hooks.example.com/erp2",
      description: null,
      events: ["invoice.*"],
      active: false,
    });
    const shown = await page(`/app/settings/webhooks/${endpointId}`);
    expect(shown).toContain(">disabled</span>");
    expect(shown).not.toContain("/redeliver");
    expect(shown).toMatch(/value="invoice\.\*" checked/);

    const before = await expectStatus(endpoint(endpointId));
    const refused = openPageWith(`/app/settings/webhooks/${endpointId}`, [
      ["url", "https://hooks.example.com/erp2"],
      ["events", "invoice.*"],
      ["active", "maybe"],
    ]);
    await expect(refused).rejects.toMatchObject({ errors: [expect.objectContaining({ path: "active" })] });
    expect(await expectStatus(endpoint(endpointId))).toEqual(before);
  });

  it("rotates the secret (shown once, the old one signing for the hours chosen) and deletes the endpoint", async () => {
    const rotated = await post(`/app/settings/webhooks/${endpointId}/rotate-secret`, {
      expireOldAfterHours: "72",
      once: unique(),
    });
    expect(shownSecret(rotated)).toMatch(/^whsec_/);
    const after = await expectStatus(endpoint(endpointId));
    expect(Date.parse(after.previousSecretExpiresAt) - Date.parse(after.updatedAt)).toBe(72 * 3600_000);
    await expect(
      post(`/app/settings/webhooks/${endpointId}/rotate-secret`, {
        expireOldAfterHours: "500",
        once: unique(),
      }),
    ).rejects.toMatchObject({ errors: [expect.objectContaining({ path: "expireOldAfterHours" })] });

    expect(await post(`/app/settings/webhooks/${endpointId}/delete`)).toMatchObject({
      kind: "redirect",
      location: "/app/settings/webhooks",
    });
    expect((await endpoint(endpointId)).status).toBe(404);
  });

  it("answers 404 for another merchant's endpoint, page and actions alike, changing nothing", async () => {
    const theirs = await expectStatus(
      api(
        endpointsHandler,
        "POST /v1/webhook-endpoints",
        { body: { url: "https://hooks.example.com/theirs", events: ["customer.*"] } },
        other,
      ),
      201,
    );
    const { secret: _, ...before } = theirs;
    await expect(page(`/app/settings/webhooks/${theirs.id}`)).rejects.toBeInstanceOf(NotFoundError);
    for (const [action, form] of [
      ["", { url: "https://evil.example/x", events: "customer.*" }],
      ["/rotate-secret", { expireOldAfterHours: "0", once: unique() }],
      ["/delete", {}],
      ["/replay", { from: "2026-03-01", to: "2026-03-02", once: unique() }],
    ] as const)
      await expect(post(`/app/settings/webhooks/${theirs.id}${action}`, form), action).rejects.toBeInstanceOf(
        NotFoundError,
      );
    expect(await expectStatus(endpoint(theirs.id, other))).toEqual(before);
  });

  it("shows a viewer the endpoints and log but no form", async () => {
    const result = await openPageWith("/app/settings/webhooks", [
      ["once", unique()],
      ["url", "https://hooks.example.com/dash"],
      ["events", "customer.*"],
    ]);
    const id =
      result.kind === "page"
        ? (/href="\/app\/settings\/webhooks\/(we_\w+)"/.exec(result.body)?.[1] ?? "")
        : "";
    for (const url of ["/app/settings/webhooks", `/app/settings/webhooks/${id}`]) {
      const shown = await page(url, "viewer");
      expect(shown).toContain("https://hooks.example.com/dash");
      expect(shown, url).not.toContain('method="post"');
    }
  });
});

it("keeps every page's first load (page in the shell, stylesheet, script; brotli) under 150 KB", async () => {
  const created = await expectStatus(
    api(endpointsHandler, "POST /v1/webhook-endpoints", {
      body: { url: "https://hooks.example.com/budget", events: ["customer.*"] },
    }),
    201,
  );
  for (const url of [
    "/app/settings/processor",
    "/app/settings/api-keys",
    "/app/settings/webhooks",
    `/app/settings/webhooks/${created.id}`,
  ])
    expect(await budgetOf(url), url).toBeLessThan(150 * 1024);
});
