/**
 * Team users, roles and sign-in links against the emulators, through the real handlers: owners manage
 * the team (`/v1/users`), API keys act with a role and are refused what it may not do (403), the
 * last owner stays, and the links the emails carry work once, for their lifetime on the clock port,
 * whoever races for them — while a sign-in request tells its caller nothing.
 */
import { randomUUID } from "node:crypto";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as apiKeys } from "../../functions/api/api-keys.ts";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as merchantSettings } from "../../functions/api/merchant-settings.ts";
import { handler as products } from "../../functions/api/products.ts";
import { handler as users } from "../../functions/api/users.ts";
import { notificationPorts, signInPorts, userPorts } from "../../shared/composition.ts";
import { type Clock, fixedClock } from "../../shared/domain/clock.ts";
import { notificationFor } from "../../shared/notifications/registry.ts";
import { outboxEventFromItem } from "../../shared/store/outbox.ts";
import { userItem } from "../../shared/store/users.ts";
import { endSessions, getUser } from "../../shared/users/service.ts";
import {
  consumeSignInLink,
  inspectSignInLink,
  requestSignIn,
  SignInLinkError,
} from "../../shared/users/sign-in.ts";
import {
  call,
  expectStatus,
  type Handler,
  merchantCall,
  newMerchant,
  type TestMerchant,
} from "../helpers/api.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
beforeAll(async () => {
  aws = await useTestAws([]);
});

const unique = () => randomUUID().slice(0, 8);

/** The merchant's events of `type` about `objectId` (all of its events of that type without one), oldest first. */
async function eventsOf(merchantId: string, type: string, objectId?: string) {
  return (await aws.scanAll())
    .filter((i) => i.type === "event" && i.merchantId === merchantId && i.eventType === type)
    .filter((i) => objectId === undefined || i.objectId === objectId)
    .map(outboxEventFromItem)
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** The mails the event's notification sends, rendered (and its links minted) on `clock`. */
async function mailsOf(event: Awaited<ReturnType<typeof eventsOf>>[number], clock: Clock) {
  const notification = notificationFor(event.type);
  if (!notification) throw new Error(`No notification for ${event.type}`);
  return notification.render(
    { ...event, data: notification.data().parse(event.data) },
    notificationPorts(clock),
  );
}

const tokenIn = (text: string): string => {
  const match = new RegExp(`${testPublicBaseUrl}/app/sign-in/([A-Za-z0-9_-]{43})\\b`).exec(text);
  if (!match?.[1]) throw new Error(`No sign-in link in: ${text}`);
  return match[1];
};

/** The link of the newest mail the event type sent about the user, minted on `clock`. */
async function linkFor(merchantId: string, type: string, userId: string, clock: Clock): Promise<string> {
  const event = (await eventsOf(merchantId, type, userId)).at(-1);
  if (!event) throw new Error(`No ${type} event for ${userId}`);
  const [mail] = await mailsOf(event, clock);
  if (!mail) throw new Error(`The ${type} event sent no mail`);
  return tokenIn(mail.text);
}

const team = (m: TestMerchant, routeKey: string, options: Parameters<typeof merchantCall>[3] = {}) =>
  merchantCall(users, routeKey, m.secret, options);

const keyWithRole = async (m: TestMerchant, role: string): Promise<string> =>
  (
    await expectStatus(
      merchantCall(apiKeys, "POST /v1/api-keys", m.secret, { body: { name: role, role } }),
      201,
    )
  ).secret;

describe("a new merchant", () => {
  it("has its owner as a user, invited by the welcome email with a 7-day link", async () => {
    const shop = await newMerchant("Owner Shop");

    const list = await expectStatus(team(shop, "GET /v1/users"));
    expect(list.data).toEqual([
      expect.objectContaining({
        email: shop.email,
        role: "owner",
        status: "invited",
        name: null,
        lastSignInAt: null,
      }),
    ]);
    const [welcome] = await eventsOf(shop.id, "merchant.created");
    const clock = fixedClock(new Date());
    const mails = await mailsOf(welcome!, clock);
    expect(mails.map((m) => [m.to.email, m.subject])).toEqual([[shop.email, "Welcome to Kassa, Owner Shop"]]);
    const token = tokenIn(mails[0]!.text);

    const signedIn = await consumeSignInLink(signInPorts(clock), token);
    expect(signedIn).toMatchObject({
      id: list.data[0].id,
      status: "active",
      lastSignInAt: clock.now().toISOString(),
    });
    expect((await expectStatus(team(shop, "GET /v1/users/{id}", { id: signedIn.id }))).status).toBe("active");
  });
});

describe("/v1/users", () => {
  let shop: TestMerchant;
  let ownerId: string;
  beforeAll(async () => {
    shop = await newMerchant("Team Shop");
    ownerId = (await expectStatus(team(shop, "GET /v1/users"))).data[0].id;
  });

  it("invites by email with a role (201), lower-cases the address, and refuses the same address twice (409)", async () => {
    const email = `Ann-${unique()}@Team.test`;
    const ann = await expectStatus(
      team(shop, "POST /v1/users", { body: { email, role: "viewer", name: "Ann" } }),
      201,
    );
    expect(ann).toMatchObject({ email: email.toLowerCase(), role: "viewer", name: "Ann", status: "invited" });
    expect(ann.id).toMatch(/^usr_[0-9A-Z]{26}$/);

    const again = await team(shop, "POST /v1/users", { body: { email: email.toUpperCase(), role: "admin" } });
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe("That address is already a user of this merchant");

    const [invited] = await eventsOf(shop.id, "user.invited", ann.id);
    const mails = await mailsOf(invited!, fixedClock(new Date()));
    expect(mails.map((m) => [m.to.email, m.subject])).toEqual([
      [email.toLowerCase(), "Team Shop invited you to Kassa"],
    ]);
    expect(mails[0]!.text).toContain("as a viewer");
    expect(mails[0]!.text).toContain("The link works once, for 7 days.");

    const listed = await expectStatus(team(shop, "GET /v1/users", { query: { limit: "100" } }));
    expect(listed.data.map((u: { id: string }) => u.id)).toEqual(expect.arrayContaining([ownerId, ann.id]));
    expect(await expectStatus(team(shop, "GET /v1/users/{id}", { id: ann.id }))).toEqual(ann);
  });

  it("changes a role and a name (user.updated), and resends an invitation only while invited", async () => {
    const bo = await expectStatus(
      team(shop, "POST /v1/users", { body: { email: `bo-${unique()}@team.test`, role: "member" } }),
      201,
    );

    const patched = await expectStatus(
      team(shop, "PATCH /v1/users/{id}", { id: bo.id, body: { role: "admin", name: "Bo" } }),
    );
    expect(patched).toMatchObject({ id: bo.id, role: "admin", name: "Bo" });
    expect((await eventsOf(shop.id, "user.updated", bo.id)).map((e) => e.data.changed)).toEqual([
      ["role", "name"],
    ]);

    const resent = await expectStatus(team(shop, "POST /v1/users/{id}/resend-invitation", { id: bo.id }));
    expect(resent.id).toBe(bo.id);
    expect(await eventsOf(shop.id, "user.invited", bo.id)).toHaveLength(2);
    const token = await linkFor(shop.id, "user.invited", bo.id, fixedClock(new Date()));
    await consumeSignInLink(signInPorts(fixedClock(new Date())), token);
    const refused = await team(shop, "POST /v1/users/{id}/resend-invitation", { id: bo.id });
    expect(refused.status).toBe(409);
  });

  it("keeps the last owner: demoting or removing them is a 409, until another user is owner", async () => {
    const demote = await team(shop, "PATCH /v1/users/{id}", { id: ownerId, body: { role: "admin" } });
    expect(demote.status).toBe(409);
    expect(demote.body.type).toBe("urn:kassa:problem:conflict");
    expect(demote.body.detail).toContain("last owner");
    expect((await team(shop, "DELETE /v1/users/{id}", { id: ownerId })).status).toBe(409);
    expect((await expectStatus(team(shop, "GET /v1/users/{id}", { id: ownerId }))).role).toBe("owner");

    const cy = await expectStatus(
      team(shop, "POST /v1/users", { body: { email: `cy-${unique()}@team.test`, role: "owner" } }),
      201,
    );
    // Two owners demoting each other at once: one wins, the other is the last owner's 409.
    const both = await Promise.all([
      team(shop, "PATCH /v1/users/{id}", { id: ownerId, body: { role: "admin" } }),
      team(shop, "PATCH /v1/users/{id}", { id: cy.id, body: { role: "admin" } }),
    ]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    const owners = (await expectStatus(team(shop, "GET /v1/users", { query: { limit: "100" } }))).data.filter(
      (u: { role: string }) => u.role === "owner",
    );
    expect(owners).toHaveLength(1);

    // Put the first owner back, and remove the other owner.
    const remaining = owners[0].id;
    if (remaining !== ownerId)
      await expectStatus(team(shop, "PATCH /v1/users/{id}", { id: ownerId, body: { role: "owner" } }));
    const other = remaining === ownerId ? cy.id : remaining;
    expect((await team(shop, "DELETE /v1/users/{id}", { id: other })).status).toBe(204);
    expect((await team(shop, "GET /v1/users/{id}", { id: other })).status).toBe(404);
    expect(await eventsOf(shop.id, "user.removed", other)).toHaveLength(1);
  });

  it("invites once per Idempotency-Key: a retry replays the first user", async () => {
    const body = { email: `ivy-${unique()}@team.test`, role: "member" };
    const headers = { "idempotency-key": `invite-${unique()}` };
    const invite = () => call(users as Handler, "POST /v1/users", { token: shop.secret, body, headers });

    const first = await invite();
    const retry = await invite();

    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.headers["idempotent-replayed"]).toBe("true");
    expect(retry.body).toEqual(first.body);
    expect(await eventsOf(shop.id, "user.invited", first.body.id)).toHaveLength(1);
  });

  it("ends a user's sessions: sessions started before sessionsValidAfter are over", async () => {
    const kai = await expectStatus(
      team(shop, "POST /v1/users", { body: { email: `kai-${unique()}@team.test`, role: "member" } }),
      201,
    );
    const clock = fixedClock(new Date("2026-07-01T08:00:00.000Z"));

    await endSessions(userPorts(clock), shop.id, kai.id);

    expect(await getUser(userPorts(clock), shop.id, kai.id)).toMatchObject({
      id: kai.id,
      sessionsValidAfter: "2026-07-01T08:00:00.000Z",
    });
    // What a session's batch read of the user finds (shared/store/users.ts `userItem`): the same user.
    const { Item } = await aws.db.send(
      new GetCommand({ TableName: aws.tableName, Key: userItem.key(shop.id, kai.id) }),
    );
    expect(userItem.fromItem(Item)).toEqual(await getUser(userPorts(clock), shop.id, kai.id));
    expect(userItem.fromItem(undefined)).toBeUndefined();
    // Another merchant's user is nobody here.
    expect(await getUser(userPorts(clock), (await newMerchant("Elsewhere")).id, kai.id)).toBeUndefined();
  });

  it("removes a user at once: their unused links stop working", async () => {
    const dee = await expectStatus(
      team(shop, "POST /v1/users", { body: { email: `dee-${unique()}@team.test`, role: "member" } }),
      201,
    );
    const clock = fixedClock(new Date());
    const token = await linkFor(shop.id, "user.invited", dee.id, clock);
    expect(await inspectSignInLink(signInPorts(clock), token)).toBe("valid");

    expect((await team(shop, "DELETE /v1/users/{id}", { id: dee.id })).status).toBe(204);

    expect(await inspectSignInLink(signInPorts(clock), token)).toBe("invalid");
    await expect(consumeSignInLink(signInPorts(clock), token)).rejects.toBeInstanceOf(SignInLinkError);
  });
});

describe("roles of API keys", () => {
  let shop: TestMerchant;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    shop = await newMerchant("Roles Shop");
    for (const role of ["admin", "member", "viewer"]) keys[role] = await keyWithRole(shop, role);
  });

  it("shows each key's role; keys are the owner's unless created with another", async () => {
    const listed = await expectStatus(merchantCall(apiKeys, "GET /v1/api-keys", shop.secret));
    expect(listed.data.map((k: { name: string; role: string }) => [k.name, k.role]).sort()).toEqual([
      ["Default key", "owner"],
      ["admin", "admin"],
      ["member", "member"],
      ["viewer", "viewer"],
    ]);
    const plain = await expectStatus(
      merchantCall(apiKeys, "POST /v1/api-keys", shop.secret, { body: { name: "CI" } }),
      201,
    );
    expect(plain.role).toBe("owner");
  });

  it.each(["admin", "member", "viewer"])(
    "refuses a %s key the team and the API keys with 403 forbidden, writing nothing",
    async (role) => {
      const secret = keys[role]!;
      const before = await aws.countItems();
      for (const [handler, routeKey, options] of [
        [users, "GET /v1/users", {}],
        [users, "POST /v1/users", { body: { email: `x-${unique()}@team.test`, role: "owner" } }],
        [apiKeys, "GET /v1/api-keys", {}],
        [apiKeys, "POST /v1/api-keys", { body: { name: "escalate", role: "owner" } }],
      ] as const) {
        const refused = await merchantCall(handler, routeKey, secret, options);
        expect(refused.status, routeKey).toBe(403);
        expect(refused.headers["content-type"]).toBe("application/problem+json");
        expect(refused.body).toMatchObject({
          type: "urn:kassa:problem:forbidden",
          title: "Forbidden",
          status: 403,
        });
        expect(refused.body.detail).toContain(`${role} role`);
      }
      expect(await aws.countItems()).toBe(before);
    },
  );

  it("lets a viewer read but not write; a member write documents but not the catalog; an admin the catalog", async () => {
    const viewerPost = await merchantCall(invoices, "POST /v1/invoices", keys.viewer!, {
      body: {
        customerId: "cus_01KQ9ZJ8X2M4N6P8R0T2V4X6Z9",
        currency: "USD",
        lineItems: [{ description: "X", unitAmount: 1 }],
      },
    });
    expect(viewerPost.status).toBe(403);
    expect(viewerPost.body.detail).toBe(
      "An API key with the viewer role may not call POST /v1/invoices: it needs the documents permission",
    );
    expect((await merchantCall(invoices, "GET /v1/invoices", keys.viewer!)).status).toBe(200);

    const customer = await merchantCall(customers, "POST /v1/customers", keys.member!, {
      body: { email: `m-${unique()}@buyer.test` },
    });
    expect(customer.status).toBe(201);
    const product = { name: "Beans", currency: "USD", unitAmount: 1200 };
    expect((await merchantCall(products, "POST /v1/products", keys.member!, { body: product })).status).toBe(
      403,
    );
    const byAdmin = await merchantCall(products, "POST /v1/products", keys.admin!, { body: product });
    // Settings are an admin's, but not the processor: that is the owner's.
    const settings = (secret: string, body: object) =>
      merchantCall(merchantSettings, "PATCH /v1/merchant", secret, { body });
    expect((await settings(keys.admin!, { supportEmail: "help@roles.test" })).status).toBe(200);
    const processor = await settings(keys.admin!, { processor: "sandbox" });
    expect(processor.status).toBe(403);
    expect(processor.body.detail).toBe(
      "Choosing the processor needs the team permission, which the admin role lacks",
    );
    expect((await settings(shop.secret, { processor: "sandbox" })).status).toBe(200);
    expect(byAdmin.status, byAdmin.raw).toBe(201);
  });
});

describe("sign-in links", () => {
  let shop: TestMerchant;
  let other: TestMerchant;
  beforeAll(async () => {
    [shop, other] = await Promise.all([newMerchant("Link Shop"), newMerchant("Other Shop")]);
  });

  /** A user on `m`'s team with a fresh address. */
  const member = async (m: TestMerchant, email = `eve-${unique()}@link.test`) =>
    expectStatus(team(m, "POST /v1/users", { body: { email, role: "member" } }), 201);

  it("emails one 15-minute link per team the address is on; the GET inspects, the POST uses it once", async () => {
    const email = `fay-${unique()}@link.test`;
    const [here, there] = await Promise.all([member(shop, email), member(other, email)]);
    const clock = fixedClock(new Date());

    await requestSignIn(signInPorts(clock), email.toUpperCase());

    const [mail] = await mailsOf((await eventsOf(shop.id, "user.sign_in_requested", here.id))[0]!, clock);
    expect([mail?.to.email, mail?.subject]).toEqual([email, "Your sign-in link for Link Shop"]);
    expect(mail?.text).toContain("The link works once, for 15 minutes.");
    expect(await eventsOf(other.id, "user.sign_in_requested", there.id)).toHaveLength(1);

    const token = tokenIn(mail!.text);
    expect(await inspectSignInLink(signInPorts(clock), token)).toBe("valid");
    expect(await inspectSignInLink(signInPorts(clock), token)).toBe("valid");
    const user = await consumeSignInLink(signInPorts(clock), token);
    expect(user).toMatchObject({ id: here.id, merchantId: shop.id, status: "active" });
    expect(await inspectSignInLink(signInPorts(clock), token)).toBe("invalid");
    await expect(consumeSignInLink(signInPorts(clock), token)).rejects.toBeInstanceOf(SignInLinkError);
  });

  it("is used by exactly one of two racing requests", async () => {
    const gus = await member(shop);
    const clock = fixedClock(new Date());
    await requestSignIn(signInPorts(clock), gus.email);
    const token = await linkFor(shop.id, "user.sign_in_requested", gus.id, clock);

    const raced = await Promise.allSettled([
      consumeSignInLink(signInPorts(clock), token),
      consumeSignInLink(signInPorts(clock), token),
    ]);

    expect(raced.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    const lost = raced.find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(lost.reason).toBeInstanceOf(SignInLinkError);
  });

  it.each([
    ["a sign-in link", "user.sign_in_requested", 15 * 60_000],
    ["an invitation", "user.invited", 7 * 86_400_000],
  ])(
    "expires: %s works until its lifetime has passed on the clock, not a millisecond longer",
    async (_, type, lifetime) => {
      const hal = await member(shop);
      const clock = fixedClock(new Date());
      if (type === "user.sign_in_requested") await requestSignIn(signInPorts(clock), hal.email);
      const token = await linkFor(shop.id, type, hal.id, clock);

      clock.advance(lifetime - 1);
      expect(await inspectSignInLink(signInPorts(clock), token)).toBe("valid");
      clock.advance(1);
      expect(await inspectSignInLink(signInPorts(clock), token)).toBe("invalid");
      await expect(consumeSignInLink(signInPorts(clock), token)).rejects.toThrow(
        "This sign-in link is not valid any more; ask for a new one",
      );
    },
  );

  it("answers an unknown address exactly as a known one, and sends nothing", async () => {
    const ida = await member(shop);
    const clock = fixedClock(new Date());
    const before = (await aws.scanAll()).filter((i) => i.type === "event").length;

    const unknown = await requestSignIn(signInPorts(clock), `nobody-${unique()}@link.test`);
    expect((await aws.scanAll()).filter((i) => i.type === "event").length).toBe(before);
    const known = await requestSignIn(signInPorts(clock), ida.email);

    expect(unknown).toBe(known);
    expect(await eventsOf(shop.id, "user.sign_in_requested", ida.id)).toHaveLength(1);
  });

  it("sends at most 5 links per address in 15 minutes, silently, whether or not it is known", async () => {
    const jo = await member(shop);
    const clock = fixedClock(new Date("2026-06-01T10:00:00.000Z"));
    for (let i = 0; i < 7; i++)
      await expect(requestSignIn(signInPorts(clock), jo.email)).resolves.toBeUndefined();
    expect(await eventsOf(shop.id, "user.sign_in_requested", jo.id)).toHaveLength(5);

    clock.advance(15 * 60_000);
    await requestSignIn(signInPorts(clock), jo.email);
    expect(await eventsOf(shop.id, "user.sign_in_requested", jo.id)).toHaveLength(6);
  });

  it("mails in the merchant's locale", async () => {
    const oslo = await newMerchant("Oslo Bakeri");
    await expectStatus(
      merchantCall(merchantSettings, "PATCH /v1/merchant", oslo.secret, { body: { locale: "nb-NO" } }),
    );
    const kari = await member(oslo);
    const [mail] = await mailsOf(
      (await eventsOf(oslo.id, "user.invited", kari.id))[0]!,
      fixedClock(new Date()),
    );
    expect(mail?.subject).toBe("Oslo Bakeri har invitert deg til Kassa");
    expect(mail?.text).toContain("som medlem");
    expect(mail?.text).toContain("Lenken virker én gang, i 7 dager.");
  });
});
