/**
 * Dashboard sign-in, sessions and CSRF, through the dashboard function in-process (the events API
 * Gateway would deliver) with sessions in the table. The users module stands behind a fake of the
 * dashboard's port (shared/dashboard/sessions.ts `DashboardPorts`): users in a map, sign-in links
 * that work once; the real module's own rules (15-minute links, per-address limits, emails) are
 * its own tests'. Pages are three test routes of three permissions.
 */
import { createHash } from "node:crypto";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { clockFor } from "../../shared/composition.ts";
import { contentSecurityPolicy, dashboardHandler } from "../../shared/dashboard/app.ts";
import { assets } from "../../shared/dashboard/assets.ts";
import type { DashboardRoute } from "../../shared/dashboard/context.ts";
import { pageRoutesFor } from "../../shared/dashboard/pages/index.ts";
import { type DashboardPorts, type DashboardUser, randomToken } from "../../shared/dashboard/sessions.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { dynamoWindowCounter } from "../../shared/store/rate-windows.ts";
import { dynamoSessionStore } from "../../shared/store/sessions.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";
import { DashboardClient, handlerTransport } from "../helpers/dashboard.ts";

const hour = 3600_000;
const clock = fixedClock(new Date("2026-12-01T09:00:00Z"));

/** The users module as the dashboard's port sees it. */
const users = new Map<string, DashboardUser>();
const links = new Map<string, { userId: string; used: boolean }>();
const mailed: { email: string; token: string }[] = [];
const linkError = () =>
  Object.assign(new Error("This sign-in link is used, expired or unknown"), { name: "SignInLinkError" });
const ports: DashboardPorts = {
  // The real store, its user taken from this file's users module (the store's own read of the user's
  // item is proven below, "reads the session, its user and its merchant in one request").
  sessions: {
    ...dynamoSessionStore,
    readSignedIn: async (merchantId, idHash, userId) => {
      const read = await dynamoSessionStore.readSignedIn(merchantId, idHash, userId);
      const user = users.get(userId);
      return { ...read, user: user?.merchantId === merchantId ? user : undefined };
    },
  },
  users: {
    endSessions: async (_merchantId, userId) => {
      const user = users.get(userId);
      if (user) users.set(userId, { ...user, sessionsValidAfter: clock.now().toISOString() });
    },
  },
  signIn: {
    request: async (email) => {
      for (const user of users.values()) {
        if (user.email !== email) continue;
        const token = randomToken();
        links.set(token, { userId: user.id, used: false });
        mailed.push({ email, token });
      }
    },
    consume: async (token) => {
      const link = links.get(token);
      const user = link && users.get(link.userId);
      if (!link || link.used || !user) throw linkError();
      link.used = true;
      return user;
    },
    inspect: async (token) => (links.get(token)?.used === false ? "valid" : "invalid"),
  },
  limits: dynamoWindowCounter,
  clock,
  publicBaseUrl: testPublicBaseUrl,
};

/** What the test routes did: a write the CSRF checks must prevent. */
const done: string[] = [];
const pageRoutes: DashboardRoute[] = [
  {
    method: "GET",
    path: "/app/",
    permission: "read",
    handle: async (request) => ({
      kind: "page",
      title: "Home",
      body: `<h1>Hello ${request.user.email}</h1>`,
    }),
  },
  {
    method: "POST",
    path: "/app/things/{id}/touch",
    permission: "documents",
    handle: async (request) => {
      done.push(request.params.id ?? "");
      return { kind: "redirect", location: "/app/", notice: `Touched ${request.params.id}` };
    },
  },
  {
    method: "GET",
    path: "/app/settings",
    permission: "money",
    handle: async () => ({ kind: "page", title: "Settings", body: "<h1>Settings</h1>" }),
  },
];

const handler = dashboardHandler({ ports: () => ports, pageRoutesFor: async () => pageRoutes, clockFor });
const transport = handlerTransport(handler as never);
const newClient = () => new DashboardClient(transport);
const sessionCookie = "__Host-kassa_session";
const lastLink = (email: string) => {
  const mail = mailed.filter((m) => m.email === email).at(-1);
  if (!mail) throw new Error(`No sign-in link was mailed to ${email}`);
  return Promise.resolve(`${testPublicBaseUrl}/app/sign-in/${mail.token}`);
};

let aws: TestAws;
let merchant: TestMerchant;
let owner: DashboardUser;
let viewer: DashboardUser;

const addUser = (email: string, role: DashboardUser["role"]): DashboardUser => {
  const user: DashboardUser = {
    id: `usr_${randomToken().replace(/[-_]/g, "").slice(0, 20)}`,
    merchantId: merchant.id,
    email,
    name: null,
    role,
    sessionsValidAfter: null,
  };
  users.set(user.id, user);
  return user;
};
/** The session item of a client's cookie. */
const itemOf = async (client: DashboardClient) => {
  const secret = client.cookies.get(sessionCookie)?.split(".").at(-1) ?? "";
  const sk = `SESSION#${createHash("sha256").update(secret).digest("base64url")}`;
  return (await sessionItems()).find((i) => i.SK === sk);
};
const sessionItems = async () => (await aws.scanAll()).filter((i) => i.type === "dashboardSession");

describe("dashboard sessions", () => {
  beforeAll(async () => {
    aws = await useTestAws([]);
    merchant = await newMerchant("Dashboard Shop");
    owner = addUser("owner@dashboard.test", "owner");
    viewer = addUser("viewer@dashboard.test", "viewer");
  });
  beforeEach(() => {
    clock.set(new Date("2026-12-01T09:00:00Z"));
    done.length = 0;
  });

  it("sends a visitor without a session to sign-in, naming the page (a local path only)", async () => {
    const client = newClient();
    const r = await client.get("/app/invoices?status=open");
    expect(r.status).toBe(303);
    expect(r.headers.location).toBe(`/app/sign-in?next=${encodeURIComponent("/app/invoices?status=open")}`);
    expect(r.headers["content-security-policy"]).toBe(contentSecurityPolicy);

    const signIn = await client.get(r.headers.location ?? "");
    expect(signIn.status).toBe(200);
    expect(signIn.text).toContain('name="csrf"');
  });

  it("lands on the page asked for, and never on another site", async () => {
    const client = newClient();
    await client.get("/app/sign-in?next=%2Fapp%2Fsettings%3Ftab%3Dx");
    await client.post("/app/sign-in", { email: owner.email });
    const link = new URL(await lastLink(owner.email)).pathname;
    await client.get(link);
    const landed = await client.post(link);
    expect(landed.headers.location).toBe("/app/settings?tab=x");

    const other = newClient();
    await other.get("/app/sign-in?next=%2F%2Fattacker.test%2Fapp%2F");
    await other.post("/app/sign-in", { email: owner.email });
    const otherLink = new URL(await lastLink(owner.email)).pathname;
    await other.get(otherLink);
    expect((await other.post(otherLink)).headers.location).toBe("/app/");
  });

  it("signs in by link: the link's page consumes nothing, its button starts a session with a strict cookie", async () => {
    const sessionsBefore = (await sessionItems()).length;
    const client = newClient();
    await client.get("/app/sign-in");
    const asked = await client.post("/app/sign-in", { email: owner.email });
    expect(asked.status).toBe(200);
    expect(asked.text).toContain("Check your email");
    const link = new URL(await lastLink(owner.email)).pathname;
    const token = link.split("/").at(-1) ?? "";

    // A mail scanner fetching the link, twice.
    for (const scanner of [newClient(), newClient()]) {
      const page = await scanner.get(link);
      expect(page.status).toBe(200);
      expect(page.text).toContain(">Sign in</button>");
    }
    expect(links.get(token)?.used, "a GET of the link consumes nothing").toBe(false);
    expect(await sessionItems(), "and starts no session").toHaveLength(sessionsBefore);

    await client.get(link);
    const signedIn = await client.post(link);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toBe("/app/");
    const cookie = signedIn.setCookies.find((c) => c.startsWith(`${sessionCookie}=`)) ?? "";
    expect(cookie).toMatch(
      new RegExp(
        `^${sessionCookie}=${merchant.id}\\.${owner.id}\\.[A-Za-z0-9_-]{43}; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Lax$`,
      ),
    );
    // The store keeps the secret's hash, never the secret.
    const secret = cookie.split(";")[0]?.split(".").at(-1) ?? "";
    const item = await itemOf(client);
    expect(item, "stored under the secret's SHA-256").toBeDefined();
    expect(JSON.stringify(await sessionItems())).not.toContain(secret);
    expect(item?.expiresAt).toBe(Math.ceil((clock.now().getTime() + 8 * hour) / 1000));

    const home = await client.get("/app/");
    expect(home.status).toBe(200);
    expect(home.text).toContain(`Hello ${owner.email}`);
  });

  it("uses a link once: the second press is refused and starts nothing", async () => {
    const client = newClient();
    await client.signIn(owner.email, () => lastLink(owner.email));
    const link = new URL(await lastLink(owner.email)).pathname;
    const before = (await sessionItems()).length;
    const again = newClient();
    const page = await again.get(link);
    expect(page.status).toBe(410);
    expect(page.text).toContain("This sign-in link does not work");
    // The button pressed anyway, with a good sign-in form token.
    await again.get("/app/sign-in");
    const pressed = await again.post(link);
    expect(pressed.status).toBe(410);
    expect(again.cookies.has(sessionCookie)).toBe(false);
    expect(await sessionItems()).toHaveLength(before);
  });

  it("gives a new session id at every sign-in and ends the one before", async () => {
    const client = newClient();
    await client.signIn(owner.email, () => lastLink(owner.email));
    const first = client.cookies.get(sessionCookie);
    // Another link, asked for elsewhere, opened in the signed-in browser.
    const elsewhere = newClient();
    await elsewhere.get("/app/sign-in");
    await elsewhere.post("/app/sign-in", { email: owner.email });
    const link = new URL(await lastLink(owner.email)).pathname;
    await client.get(link);
    expect((await client.post(link)).status).toBe(303);
    const second = client.cookies.get(sessionCookie);
    expect(second).toBeDefined();
    expect(second).not.toBe(first);
    const stale = newClient();
    stale.cookies.set(sessionCookie, first ?? "");
    expect((await stale.get("/app/")).status).toBe(303);
  });

  it("refuses a POST without the session's CSRF token, or with a wrong one, before the route runs", async () => {
    const client = newClient();
    await client.signIn(owner.email, () => lastLink(owner.email));
    await client.get("/app/");
    const items = await aws.countItems();
    for (const csrf of ["", "A".repeat(43), `${client.csrf}x`]) {
      const r = await client.post("/app/things/t1/touch", { csrf });
      expect(r.status, `csrf "${csrf}"`).toBe(403);
    }
    const token = client.csrf;
    client.csrf = undefined;
    expect((await client.post("/app/things/t1/touch")).status, "no csrf field").toBe(403);
    client.csrf = token;
    expect(done, "the route never ran").toEqual([]);
    expect(await aws.countItems(), "nothing written").toBe(items);

    const ok = await client.post("/app/things/t1/touch");
    expect(ok.status).toBe(303);
    expect(done).toEqual(["t1"]);
    // The notice shows once.
    expect((await client.get("/app/")).text).toContain("Touched t1");
    expect((await client.get("/app/")).text).not.toContain("Touched t1");
  });

  it("refuses a forged POST from another origin even with the right token", async () => {
    const client = newClient();
    await client.signIn(owner.email, () => lastLink(owner.email));
    await client.get("/app/");
    for (const headers of <Record<string, string>[]>[
      { origin: "https://attacker.test" },
      { origin: "null" },
      { referer: "https://attacker.test/page" },
    ]) {
      const r = await client.post("/app/things/t2/touch", {}, headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
    }
    expect(done).toEqual([]);
    const same = await client.post("/app/things/t2/touch", {}, { origin: testPublicBaseUrl });
    expect(same.status).toBe(303);
    expect(done).toEqual(["t2"]);
  });

  it("ends a session after 8 idle hours, and after 7 days however busy", async () => {
    const client = newClient();
    await client.signIn(owner.email, () => lastLink(owner.email));
    clock.advance(8 * hour - 60_000);
    expect((await client.get("/app/")).status, "just inside the idle limit").toBe(200);
    clock.advance(8 * hour - 60_000);
    expect((await client.get("/app/")).status, "used again: idle time starts over").toBe(200);
    clock.advance(8 * hour + 1000);
    const idle = await client.get("/app/");
    expect(idle.status).toBe(303);
    expect(idle.setCookies).toContain(`${sessionCookie}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`);

    const busy = newClient();
    await busy.signIn(owner.email, () => lastLink(owner.email));
    const started = clock.now().getTime();
    while (clock.now().getTime() + 7 * hour < started + 7 * 24 * hour) {
      clock.advance(7 * hour);
      expect((await busy.get("/app/")).status).toBe(200);
    }
    clock.set(new Date(started + 7 * 24 * hour));
    expect((await busy.get("/app/")).status, "7 days after sign-in").toBe(303);
  });

  it("writes lastSeenAt at most once a minute", async () => {
    const client = newClient();
    await client.signIn(owner.email, () => lastLink(owner.email));
    const createdAt = clock.now().toISOString();
    const lastSeen = async () => (await itemOf(client))?.lastSeenAt;
    clock.advance(59_000);
    await client.get("/app/");
    expect(await lastSeen(), "59 s later: not written").toBe(createdAt);
    clock.advance(2_000);
    await client.get("/app/");
    expect(await lastSeen(), "61 s later: written").toBe(clock.now().toISOString());
  });

  it("ends a removed user's session at once", async () => {
    const member = addUser("member@dashboard.test", "member");
    const client = newClient();
    await client.signIn(member.email, () => lastLink(member.email));
    expect((await client.get("/app/")).status).toBe(200);
    users.delete(member.id);
    expect((await client.get("/app/")).status).toBe(303);
    expect((await sessionItems()).filter((i) => i.userId === member.id)).toEqual([]);
  });

  it("signs out (the session is deleted) and signs out everywhere (every session of the user ends)", async () => {
    const member = addUser("member2@dashboard.test", "member");
    const laptop = newClient();
    const phone = newClient();
    await laptop.signIn(member.email, () => lastLink(member.email));
    await phone.signIn(member.email, () => lastLink(member.email));
    const stolen = laptop.cookies.get(sessionCookie);

    await laptop.get("/app/");
    const out = await laptop.post("/app/sign-out");
    expect(out.status).toBe(303);
    expect(out.headers.location).toBe("/app/sign-in");
    expect(laptop.cookies.has(sessionCookie)).toBe(false);
    expect((await laptop.get("/app/sign-in")).text).toContain("You are signed out.");
    const replay = newClient();
    replay.cookies.set(sessionCookie, stolen ?? "");
    expect((await replay.get("/app/")).status, "the old cookie opens nothing").toBe(303);
    expect((await phone.get("/app/")).status, "the phone is still signed in").toBe(200);

    await laptop.signIn(member.email, () => lastLink(member.email));
    clock.advance(1000);
    await phone.get("/app/");
    expect((await phone.post("/app/sign-out-everywhere")).status).toBe(303);
    expect((await laptop.get("/app/")).status, "the laptop's session ended too").toBe(303);
    expect((await phone.get("/app/")).status).toBe(303);
    // A sign-in after that works again.
    clock.advance(1000);
    await phone.signIn(member.email, () => lastLink(member.email));
    expect((await phone.get("/app/")).status).toBe(200);
  });

  it("answers 403 to a role without the route's permission, 404 to an unknown page", async () => {
    const client = newClient();
    await client.signIn(viewer.email, () => lastLink(viewer.email));
    const page = await client.get("/app/settings");
    expect(page.status).toBe(403);
    expect(page.text).toContain("Not allowed");
    const api = await client.get("/app/settings", { accept: "application/json" });
    expect(api.status).toBe(403);
    expect(JSON.parse(api.text).type).toBe("urn:kassa:problem:forbidden");
    await client.get("/app/");
    expect((await client.post("/app/things/t3/touch")).status).toBe(403);
    expect(done).toEqual([]);
    const missing = await client.get("/app/nothing-here");
    expect(missing.status).toBe(404);
    expect(missing.text).toContain("Page not found");
  });

  it("says the same for an address without an account, and limits sign-in requests per source address", async () => {
    const client = new DashboardClient(handlerTransport(handler as never, { sourceIp: "203.0.113.9" }));
    await client.get("/app/sign-in");
    const unknown = await client.post("/app/sign-in", { email: "nobody@dashboard.test" });
    expect(unknown.status).toBe(200);
    expect(unknown.text).toContain("Check your email");
    for (let i = 1; i < 30; i++)
      expect((await client.post("/app/sign-in", { email: `x${i}@dashboard.test` })).status).toBe(200);
    const limited = await client.post("/app/sign-in", { email: owner.email });
    expect(limited.status).toBe(429);
    const elsewhere = new DashboardClient(handlerTransport(handler as never, { sourceIp: "203.0.113.10" }));
    await elsewhere.get("/app/sign-in");
    expect((await elsewhere.post("/app/sign-in", { email: owner.email })).status).toBe(200);
  });

  it("sends the CSP on every response, compresses pages, and keeps the first load under 150 KB", async () => {
    const client = newClient();
    const signIn = await client.get("/app/sign-in");
    expect(signIn.headers["content-encoding"]).toBe("br");
    expect(signIn.headers.vary).toContain("accept-encoding");
    await client.signIn(owner.email, () => lastLink(owner.email));
    const home = await client.get("/app/");
    const css = await client.get(assets.stylesheet.url);
    const js = await client.get(assets.script.url);
    for (const r of [signIn, home, css, js])
      expect(r.headers["content-security-policy"]).toBe(contentSecurityPolicy);
    expect(home.text).toContain(`href="${assets.stylesheet.url}"`);
    expect(home.text).toContain(`src="${assets.script.url}"`);
    expect(home.text, "no inline script or style").not.toMatch(/<script>|<style|style="/);
    const transferred = home.raw.length + css.raw.length + js.raw.length;
    expect(transferred).toBeLessThan(150 * 1024);
  });

  it("serves the real pages in the shell: the invoice page, its nav marked, its actions' forms carrying the session's token, under 150 KB", async () => {
    const api = (handler: unknown, routeKey: string, body: object) =>
      expectStatus(merchantCall(handler, routeKey, merchant.secret, { body }), 201);
    const customer = await api(customersHandler, "POST /v1/customers", {
      email: "dana@dashboard.test",
      name: "Dana",
    });
    const invoice = await api(invoicesHandler, "POST /v1/invoices", {
      customerId: customer.id,
      currency: "USD",
      lineItems: [{ description: "Espresso beans", quantity: 2, unitAmount: 1250 }],
    });
    const real = dashboardHandler({ ports: () => ports, pageRoutesFor, clockFor });
    const client = new DashboardClient(handlerTransport(real as never));
    await client.signIn(owner.email, () => lastLink(owner.email));
    const page = await client.get(`/app/invoices/${invoice.id}`);
    expect(page.status, page.text.slice(0, 500)).toBe(200);
    expect(page.headers["content-encoding"]).toBe("br");
    expect(page.text).toContain('<a href="/app/invoices" aria-current="page">Invoices</a>');
    expect(page.text).toContain("Dashboard Shop");
    expect(page.text).toContain("TEST MODE");
    const session = await itemOf(client);
    expect(page.text).toContain(`name="csrf" value="${session?.csrfToken}"`);
    const css = await client.get(assets.stylesheet.url);
    const js = await client.get(assets.script.url);
    expect(page.raw.length + css.raw.length + js.raw.length).toBeLessThan(150 * 1024);

    // The first page after signing in: the home page (its chart inline SVG), HTML + CSS + JS compressed.
    const home = await client.get("/app/");
    expect(home.status, home.text.slice(0, 500)).toBe(200);
    expect(home.text).toContain('<a href="/app/" aria-current="page">Home</a>');
    expect(home.text).toContain("<svg");
    expect(home.raw.length + css.raw.length + js.raw.length).toBeLessThan(150 * 1024);
    const list = await client.get("/app/invoices");
    expect(list.status).toBe(200);
    expect(list.text).toContain(invoice.id);

    // A download: sent as is (a PDF is compressed inside), with the CSP all the same.
    const pdf = await client.get(`/app/invoices/${invoice.id}/pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    expect(pdf.headers["content-encoding"]).toBeUndefined();
    expect(pdf.raw.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdf.headers["content-security-policy"]).toBe(contentSecurityPolicy);
  });
});
