/**
 * Issue 15 §2 against DynamoDB Local, through the handlers: tasks (create with related objects that
 * must be the merchant's, the list filters status, dueBefore and relatedTo, PATCH done and open with
 * completedAt), the merchant's team (validation, teamEmails), customers' account owners (set and
 * cleared) and read-only unsubscribedAt, and the unsubscribe page: GET shows a button and changes
 * nothing, POST with the page's form or an RFC 8058 one-click body sets unsubscribedAt once (with
 * customer.updated), a second POST says already unsubscribed, a form without its token is refused.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as settingsHandler } from "../../functions/api/merchant-settings.ts";
import { handler as tasksHandler } from "../../functions/api/tasks.ts";
import { handler as unsubscribeHandler } from "../../functions/hosted/unsubscribe.ts";
import { unsubscribeLink } from "../../shared/composition.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { teamEmails } from "../../shared/merchants/merchant.ts";
import { keys } from "../../shared/store/keys.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
let shop: TestMerchant;

async function newCustomer(m: TestMerchant = shop, extra: object = {}): Promise<string> {
  const body = { email: `buyer-${randomUUID().slice(0, 8)}@tasks.test`, name: "Tia Task", ...extra };
  return (await expectStatus(merchantCall(customersHandler, "POST /v1/customers", m.secret, { body }), 201)).id;
}
const customer = (id: string, m: TestMerchant = shop) =>
  expectStatus(merchantCall(customersHandler, "GET /v1/customers/{id}", m.secret, { id }));
const createTask = (body: object, m: TestMerchant = shop) =>
  merchantCall(tasksHandler, "POST /v1/tasks", m.secret, { body });
const listTasks = async (query: Record<string, string>, m: TestMerchant = shop): Promise<string[]> =>
  (await expectStatus(merchantCall(tasksHandler, "GET /v1/tasks", m.secret, { query }))).data.map(
    (t: { id: string }) => t.id,
  );
const patchTask = (id: string, body: object) => merchantCall(tasksHandler, "PATCH /v1/tasks/{id}", shop.secret, { id, body });
const eventsOf = async (objectId: string, type: string) =>
  (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === objectId && i.eventType === type);

beforeAll(async () => {
  aws = await useTestAws([]);
  shop = await newMerchant("Task Tea");
});

describe("tasks", () => {
  it("creates a task related to the merchant's customer, and refuses another merchant's (400 naming the field)", async () => {
    const customerId = await newCustomer();
    const created = await expectStatus(
      createTask({ title: "Welcome call", body: "Ask about the beans", dueDate: "2026-05-01", related: { customerId } }),
      201,
    );
    expect(created).toMatchObject({ title: "Welcome call", status: "open", createdBy: "api", completedAt: null, related: { customerId } });
    expect(await eventsOf(created.id, "task.created")).toHaveLength(1);
    expect(await expectStatus(merchantCall(tasksHandler, "GET /v1/tasks/{id}", shop.secret, { id: created.id }))).toEqual(created);

    const strangers = await newCustomer(await newMerchant("Other Tea"));
    const refused = await createTask({ title: "Not mine", related: { customerId: strangers } });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: "related.customerId", message: "No such customer" }]);
  });

  it("lists by status, dueBefore and relatedTo, and PATCH done/open sets and clears completedAt", async () => {
    const m = await newMerchant("Filter Tea");
    const [alice, bob] = [await newCustomer(m), await newCustomer(m)];
    const early = (await expectStatus(createTask({ title: "Early", dueDate: "2026-03-01", related: { customerId: alice } }, m), 201)).id;
    const late = (await expectStatus(createTask({ title: "Late", dueDate: "2026-09-01", related: { customerId: bob } }, m), 201)).id;
    const undated = (await expectStatus(createTask({ title: "Whenever" }, m), 201)).id;

    expect(await listTasks({}, m)).toEqual([undated, late, early]);
    expect(await listTasks({ dueBefore: "2026-06-01" }, m)).toEqual([early]);
    expect(await listTasks({ relatedTo: bob }, m)).toEqual([late]);
    expect(await listTasks({ relatedTo: alice, dueBefore: "2026-02-01" }, m)).toEqual([]);

    const done = await expectStatus(merchantCall(tasksHandler, "PATCH /v1/tasks/{id}", m.secret, { id: late, body: { status: "done" } }));
    expect(done.completedAt).toEqual(expect.any(String));
    expect(await listTasks({ status: "done" }, m)).toEqual([late]);
    expect(await listTasks({ status: "open" }, m)).toEqual([undated, early]);
    expect(await eventsOf(late, "task.updated")).toHaveLength(1);

    const reopened = await expectStatus(merchantCall(tasksHandler, "PATCH /v1/tasks/{id}", m.secret, { id: late, body: { status: "open" } }));
    expect(reopened).toMatchObject({ status: "open", completedAt: null });
    expect(await listTasks({ status: "done" }, m)).toEqual([]);
  });

  it("is a 404 for another merchant's task, which stays as it was", async () => {
    const id = (await expectStatus(createTask({ title: "Mine" }), 201)).id;
    const other = await newMerchant("Prying Tea");
    expect((await merchantCall(tasksHandler, "PATCH /v1/tasks/{id}", other.secret, { id, body: { status: "done" } })).status).toBe(404);
    expect((await merchantCall(tasksHandler, "GET /v1/tasks/{id}", other.secret, { id })).status).toBe(404);
    expect((await patchTask(id, { title: "Still mine" })).body).toMatchObject({ title: "Still mine", status: "open" });
  });
});

describe("the merchant's team", () => {
  it("is set by PATCH /v1/merchant (lower-case, unique emails, at most 50) and read by teamEmails", async () => {
    const m = await newMerchant("Team Tea");
    const settings = await expectStatus(
      merchantCall(settingsHandler, "PATCH /v1/merchant", m.secret, {
        body: { team: [{ name: "Ann", email: "Ann@Team.test" }, { name: "Ben", email: "ben@team.test" }] },
      }),
    );
    expect(settings.team).toEqual([{ name: "Ann", email: "ann@team.test" }, { name: "Ben", email: "ben@team.test" }]);
    expect(teamEmails(settings)).toEqual([settings.email, "ann@team.test", "ben@team.test"]);

    const twice = await merchantCall(settingsHandler, "PATCH /v1/merchant", m.secret, {
      body: { team: [{ name: "Ann", email: "ann@team.test" }, { name: "Annie", email: "ANN@team.test" }] },
    });
    expect(twice.status).toBe(400);
    expect(twice.body.errors).toContainEqual({ path: "team", message: "must not repeat an email" });
    const many = Array.from({ length: 51 }, (_, i) => ({ name: `M${i}`, email: `m${i}@team.test` }));
    const tooMany = await merchantCall(settingsHandler, "PATCH /v1/merchant", m.secret, { body: { team: many } });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors[0].path).toBe("team");
    const bad = await merchantCall(settingsHandler, "PATCH /v1/merchant", m.secret, { body: { team: [{ name: "X", email: "nope" }] } });
    expect(bad.body.errors).toContainEqual({ path: "team.0.email", message: "must be an email address" });
    expect((await expectStatus(merchantCall(settingsHandler, "GET /v1/merchant", m.secret))).team).toEqual(settings.team);
  });
});

describe("customers' account owner and unsubscription", () => {
  it("sets the account owner on create and PATCH, clears it with null; unsubscribedAt is read-only", async () => {
    const id = await newCustomer(shop, { accountOwner: { name: "Ann", email: "Ann@Team.test" } });
    expect(await customer(id)).toMatchObject({ accountOwner: { name: "Ann", email: "ann@team.test" }, unsubscribedAt: null });

    const patched = await expectStatus(
      merchantCall(customersHandler, "PATCH /v1/customers/{id}", shop.secret, { id, body: { accountOwner: { name: "Ben", email: "ben@team.test" } } }),
    );
    expect(patched.accountOwner).toEqual({ name: "Ben", email: "ben@team.test" });
    const cleared = await expectStatus(merchantCall(customersHandler, "PATCH /v1/customers/{id}", shop.secret, { id, body: { accountOwner: null } }));
    expect(cleared.accountOwner).toBeNull();

    const readOnly = await merchantCall(customersHandler, "PATCH /v1/customers/{id}", shop.secret, {
      id,
      body: { unsubscribedAt: "2026-01-01T00:00:00Z" },
    });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.errors).toContainEqual({ path: "unsubscribedAt", message: "is not a known field" });
    expect((await customer(id)).unsubscribedAt).toBeNull();
  });
});

describe("the unsubscribe page (/u/{token})", () => {
  const tokenOf = (url: string) => /\/u\/([A-Za-z0-9_-]{32})$/.exec(url)?.[1] ?? "";
  const page = (token: string) => call(unsubscribeHandler as never, "GET /u/{token}", { pathParameters: { token } });
  const post = (token: string, fields: Record<string, string>) =>
    call(unsubscribeHandler as never, "POST /u/{token}", {
      pathParameters: { token },
      body: new URLSearchParams(fields).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  const formTokenIn = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1] ?? "";

  it("mints a link of its own kind valid a year; GET shows the button and changes nothing; the form unsubscribes once", async () => {
    const customerId = await newCustomer();
    const url = await unsubscribeLink(systemClock)(shop.id, customerId);
    expect(url).toMatch(new RegExp(`^${testPublicBaseUrl}/u/[A-Za-z0-9_-]{32}$`));
    const token = tokenOf(url);
    const item = (await aws.scanAll()).find((i) => i.PK === keys.hostedPage(token).PK);
    expect(item).toMatchObject({ kind: "unsubscribe", merchantId: shop.id, customerId });
    const days = (Date.parse(String(item?.validUntil)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(364.9);
    expect(days).toBeLessThanOrEqual(365);

    const shown = await page(token);
    expect(shown.status).toBe(200);
    expect(shown.headers["content-security-policy"]).toContain("form-action 'self'");
    expect(shown.raw).toContain(">Unsubscribe</button>");
    expect(shown.raw).toContain("Task Tea");
    expect((await customer(customerId)).unsubscribedAt).toBeNull();

    const refused = await post(token, { formToken: "1.x" });
    expect(refused.status).toBe(403);
    expect((await customer(customerId)).unsubscribedAt).toBeNull();

    const done = await post(token, { formToken: formTokenIn(shown.raw) });
    expect(done.status).toBe(200);
    expect(done.raw).toContain("You are unsubscribed");
    const unsubscribedAt = (await customer(customerId)).unsubscribedAt;
    expect(unsubscribedAt).toEqual(expect.any(String));
    expect(await eventsOf(customerId, "customer.updated")).toHaveLength(1);

    const again = await post(token, { formToken: formTokenIn(shown.raw) });
    expect(again.status).toBe(200);
    expect(again.raw).toContain("already unsubscribed");
    expect((await customer(customerId)).unsubscribedAt).toBe(unsubscribedAt);
    expect(await eventsOf(customerId, "customer.updated")).toHaveLength(1);
    expect((await page(token)).raw).not.toContain("<button");
  });

  it("takes a mail client's RFC 8058 one-click post without a form token", async () => {
    const customerId = await newCustomer();
    const token = tokenOf(await unsubscribeLink(systemClock)(shop.id, customerId));

    const done = await post(token, { "List-Unsubscribe": "One-Click" });

    expect(done.status).toBe(200);
    expect((await customer(customerId)).unsubscribedAt).toEqual(expect.any(String));
    expect((await post(token, { "List-Unsubscribe": "One-Click" })).raw).toContain("already unsubscribed");
  });

  it("takes the one-click post as multipart/form-data too (what RFC 8058 recommends)", async () => {
    const customerId = await newCustomer();
    const token = tokenOf(await unsubscribeLink(systemClock)(shop.id, customerId));
    const multipart = (value: string) =>
      call(unsubscribeHandler as never, "POST /u/{token}", {
        pathParameters: { token },
        body: `--b1\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\n${value}\r\n--b1--\r\n`,
        headers: { "content-type": "multipart/form-data; boundary=b1" },
      });

    expect((await multipart("Not-Now")).status).toBe(403);
    expect((await customer(customerId)).unsubscribedAt).toBeNull();
    expect((await multipart("One-Click")).status).toBe(200);
    expect((await customer(customerId)).unsubscribedAt).toEqual(expect.any(String));
  });

  it("is a 404 for an unknown token and for another kind's token (the portal's)", async () => {
    expect((await page("A".repeat(32))).status).toBe(404);
    const customerId = await newCustomer();
    const portal = await expectStatus(
      call(
        (await import("../../functions/hosted/portal.ts")).handler as never,
        "POST /v1/customers/{id}/portal-link",
        { token: shop.secret, pathParameters: { id: customerId } },
      ),
      201,
    );
    const portalToken = /\/c\/([A-Za-z0-9_-]{32})$/.exec(portal.url)?.[1] ?? "";
    expect((await page(portalToken)).status).toBe(404);
    expect((await post(portalToken, { "List-Unsubscribe": "One-Click" })).status).toBe(404);
    expect((await customer(customerId)).unsubscribedAt).toBeNull();
  });
});
