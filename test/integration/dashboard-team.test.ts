/**
 * The dashboard's team page against DynamoDB Local, every change read back through `/v1/users`: the
 * owner invites a viewer (the invitation email is the API's; a double submit invites once), changes a
 * role, resends an invitation and removes a user; the last owner stays (the API's 409); a bad or taken
 * address is the API's 400 or 409 and writes nothing; another merchant's user is a 404. Through the
 * whole dashboard function, an admin is refused the page and its forms (403) and has no "Team" entry.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as usersHandler } from "../../functions/api/users.ts";
import { clockFor, dashboardPorts, notificationPorts } from "../../shared/composition.ts";
import { dashboardHandler } from "../../shared/dashboard/app.ts";
import { pageRoutesFor } from "../../shared/dashboard/pages/index.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { ConflictError, NotFoundError, ValidationError } from "../../shared/domain/errors.ts";
import { notificationFor } from "../../shared/notifications/registry.ts";
import { outboxEventFromItem } from "../../shared/store/outbox.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";
import { DashboardClient, handlerTransport } from "../helpers/dashboard.ts";
import { openPage, pageBody, signedIn, testCsrfToken } from "../helpers/dashboard-pages.ts";

let aws: TestAws;
let shop: TestMerchant;
let ownerId: string;

const unique = () => randomUUID().slice(0, 8);
const team = (routeKey: string, options: Parameters<typeof merchantCall>[3] = {}, m = shop) =>
  merchantCall(usersHandler, routeKey, m.secret, options);
const teamList = async () =>
  (await expectStatus(team("GET /v1/users", { query: { limit: "100" } }))).data as {
    id: string;
    email: string;
    role: string;
    status: string;
  }[];
const post = (url: string, form: Record<string, string> = {}) =>
  openPage(signedIn(shop, "owner"), url, { form: { csrf: testCsrfToken, ...form } });

/** The `once` value of the form posting to `action` on a page. */
const onceOf = (page: string, action: string) =>
  new RegExp(`action="${action}"[^]*?name="once" value="([^"]+)"`).exec(page)?.[1] ?? "";

/** The `user.invited` events about a user, oldest first. */
const invitations = async (userId: string) =>
  (await aws.scanAll())
    .filter((i) => i.type === "event" && i.eventType === "user.invited" && i.objectId === userId)
    .map(outboxEventFromItem)
    .sort((a, b) => a.id.localeCompare(b.id));

/** The mail an invitation event sends, rendered as the notification pipeline would. */
async function invitationMail(event: Awaited<ReturnType<typeof invitations>>[number]) {
  const notification = notificationFor(event.type);
  if (!notification) throw new Error(`No notification for ${event.type}`);
  const [mail] = await notification.render(
    { ...event, data: notification.data().parse(event.data) },
    notificationPorts(systemClock),
  );
  if (!mail) throw new Error("The invitation sent no mail");
  return mail;
}

beforeAll(async () => {
  aws = await useTestAws([]);
  shop = await newMerchant("Dash Team");
  ownerId = (await teamList())[0]?.id ?? "";
});

describe("the team page", () => {
  it("lists the users with role and status, and offers the invite form", async () => {
    const page = await pageBody(openPage(signedIn(shop, "owner"), "/app/team"));
    expect(page).toContain(shop.email);
    expect(page).toContain("Owner");
    expect(page).toContain('<span class="badge badge-neutral">invited</span>');
    expect(page).toContain('action="/app/team/invite"');
    expect(page).toContain(`action="/app/team/${ownerId}/role"`);
  });

  it("the owner invites a viewer: the API lists them invited and the invitation email goes out, once for a double submit", async () => {
    const email = `Vera-${unique()}@dash.test`;
    const page = await pageBody(openPage(signedIn(shop, "owner"), "/app/team"));
    const form = { email, role: "viewer", name: "Vera", once: onceOf(page, "/app/team/invite") };

    const [first, second] = [await post("/app/team/invite", form), await post("/app/team/invite", form)];

    expect(first).toEqual({
      kind: "redirect",
      location: "/app/team",
      notice: `Invited ${email.toLowerCase()} as viewer: they have a link for 7 days`,
    });
    expect(second).toEqual(first);
    const vera = (await teamList()).filter((u) => u.email === email.toLowerCase());
    expect(vera).toEqual([expect.objectContaining({ role: "viewer", status: "invited" })]);
    const events = await invitations(vera[0]?.id ?? "");
    expect(events).toHaveLength(1);
    const mail = await invitationMail(events[0]!);
    expect([mail.to.email, mail.subject]).toEqual([email.toLowerCase(), "Dash Team invited you to Kassa"]);
    expect(mail.text).toContain(`${testPublicBaseUrl}/app/sign-in/`);
    expect(mail.text).toContain("as a viewer");
  });

  it("changes a role, resends an invitation and removes a user, as the API then shows", async () => {
    const user = await expectStatus(
      team("POST /v1/users", { body: { email: `mo-${unique()}@dash.test`, role: "viewer" } }),
      201,
    );

    expect(await post(`/app/team/${user.id}/role`, { role: "member" })).toMatchObject({
      kind: "redirect",
      notice: `${user.email} is now member`,
    });
    expect((await expectStatus(team("GET /v1/users/{id}", { id: user.id }))).role).toBe("member");

    await post(`/app/team/${user.id}/resend-invitation`);
    expect(await invitations(user.id)).toHaveLength(2);

    await post(`/app/team/${user.id}/remove`);
    expect((await team("GET /v1/users/{id}", { id: user.id })).status).toBe(404);
  });

  it("keeps the last owner: demoting or removing them is the API's 409", async () => {
    await expect(post(`/app/team/${ownerId}/role`, { role: "admin" })).rejects.toBeInstanceOf(ConflictError);
    await expect(post(`/app/team/${ownerId}/remove`)).rejects.toBeInstanceOf(ConflictError);
    expect(await teamList()).toContainEqual(expect.objectContaining({ id: ownerId, role: "owner" }));
  });

  it("refuses a bad address (400 naming email) and a taken one (409), writing nothing", async () => {
    const before = await teamList();
    const bad = post("/app/team/invite", { email: "not-an-address", role: "viewer", once: unique() });
    await expect(bad).rejects.toBeInstanceOf(ValidationError);
    await expect(bad).rejects.toMatchObject({ errors: [expect.objectContaining({ path: "email" })] });
    const badRole = post("/app/team/invite", {
      email: `x-${unique()}@dash.test`,
      role: "boss",
      once: unique(),
    });
    await expect(badRole).rejects.toMatchObject({ errors: [expect.objectContaining({ path: "role" })] });
    const taken = post("/app/team/invite", { email: shop.email, role: "admin", once: unique() });
    await expect(taken).rejects.toBeInstanceOf(ConflictError);
    expect(await teamList()).toEqual(before);
  });

  it("answers 404 for another merchant's user", async () => {
    const other = await newMerchant("Other Team");
    const theirs: string = (await expectStatus(team("GET /v1/users", {}, other))).data[0].id;
    await expect(post(`/app/team/${theirs}/role`, { role: "viewer" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(post(`/app/team/${theirs}/remove`)).rejects.toBeInstanceOf(NotFoundError);
    expect((await expectStatus(team("GET /v1/users/{id}", { id: theirs }, other))).role).toBe("owner");
  });
});

describe("the team page through the dashboard function", () => {
  const handler = dashboardHandler({ ports: () => dashboardPorts(), pageRoutesFor, clockFor });

  /** A user invited through the API, signed in with their invitation link. */
  async function signedInAs(role: string) {
    const user = await expectStatus(
      team("POST /v1/users", { body: { email: `${role}-${unique()}@dash.test`, role } }),
      201,
    );
    const [invited] = await invitations(user.id);
    const link = /https?:\/\/\S+\/app\/sign-in\/[\w-]{43}/.exec((await invitationMail(invited!)).text)?.[0];
    if (!link) throw new Error("No link in the invitation");
    const client = new DashboardClient(handlerTransport(handler as never));
    await client.signIn(user.email, async () => link);
    return client;
  }

  it("refuses an admin the page and its forms (403), and shows them no Team entry; the owner has one", async () => {
    const admin = await signedInAs("admin");
    const home = await admin.get("/app/");
    expect(home.status).toBe(200);
    expect(home.text).not.toContain('href="/app/team"');

    const page = await admin.get("/app/team");
    expect(page.status).toBe(403);
    expect(page.text).toContain("Not allowed");
    const before = await teamList();
    const invite = await admin.post("/app/team/invite", {
      email: `sneaky-${unique()}@dash.test`,
      role: "owner",
      once: unique(),
    });
    expect(invite.status).toBe(403);
    expect((await admin.post(`/app/team/${ownerId}/remove`)).status).toBe(403);
    expect(await teamList()).toEqual(before);

    const owner = await signedInAs("owner");
    const ownerHome = await owner.get("/app/");
    expect(ownerHome.text).toContain('href="/app/team"');
    expect((await owner.get("/app/team")).status).toBe(200);
  });
});
