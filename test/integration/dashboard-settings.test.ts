/**
 * The dashboard's settings pages against DynamoDB Local, every change read back through the API
 * (`GET /v1/merchant`, `/v1/quote-templates`): the index links every settings page a role may open;
 * branding, invoice and subscription settings save through `PATCH /v1/merchant`'s use case, a bad
 * value is that operation's 400 naming the field and writes nothing; the live preview renders the
 * hosted invoice page and the invoice email with unsaved values (a value the API would refuse is left
 * out) and writes nothing; quote templates are created (once for a double submit), edited and
 * deleted (the default's 409 is the API's), another merchant's is a 404; viewers and members are
 * refused by the routes' permission; every page stays under the 150 KB first load.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as settingsHandler } from "../../functions/api/merchant-settings.ts";
import { handler as templatesHandler } from "../../functions/api/quote-templates.ts";
import { handler as usersHandler } from "../../functions/api/users.ts";
import { clockFor, dashboardPorts, merchantPorts, notificationPorts } from "../../shared/composition.ts";
import { contentSecurityPolicy, dashboardHandler } from "../../shared/dashboard/app.ts";
import type { DashboardResult } from "../../shared/dashboard/context.ts";
import { allPageRoutes, pageRoutesFor } from "../../shared/dashboard/pages/index.ts";
import { dashboardRouter } from "../../shared/dashboard/router.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { NotFoundError, StateConflictError, ValidationError } from "../../shared/domain/errors.ts";
import { getMerchant } from "../../shared/merchants/service.ts";
import { notificationFor } from "../../shared/notifications/registry.ts";
import { outboxEventFromItem } from "../../shared/store/outbox.ts";
import { can, type Role } from "../../shared/users/roles.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { DashboardClient, handlerTransport } from "../helpers/dashboard.ts";
import { firstLoadBytes, openPage, pageBody, signedIn, testCsrfToken } from "../helpers/dashboard-pages.ts";

const pageRoutes = await allPageRoutes();

let aws: TestAws;
let shop: TestMerchant;

const unique = () => randomUUID().slice(0, 8);
const owner = () => signedIn(shop, "owner");
const post = (url: string, form: Record<string, string>) =>
  openPage(owner(), url, { form: { csrf: testCsrfToken, ...form } });
const settings = async () => expectStatus(merchantCall(settingsHandler, "GET /v1/merchant", shop.secret));
const templateList = async () =>
  (
    await expectStatus(
      merchantCall(templatesHandler, "GET /v1/quote-templates", shop.secret, { query: { limit: "100" } }),
    )
  ).data as { id: string; name: string; isDefault: boolean; sections: Record<string, boolean> }[];

/** Runs an action with a form that may repeat names, as the dashboard's router matches it. */
async function runWithForm(url: string, form: URLSearchParams): Promise<DashboardResult> {
  const matched = dashboardRouter(pageRoutes)("POST", url);
  if (typeof matched !== "object") throw new Error(`No route for POST ${url}`);
  return matched.route.handle({
    method: "POST",
    path: url,
    params: matched.params,
    query: new URLSearchParams(),
    form,
    clock: systemClock,
    user: owner(),
    csrfToken: testCsrfToken,
  });
}

/** Whether `role` passes the permission of the route serving `method url` (checked before it runs). */
const allowed = (role: Role, method: "GET" | "POST", url: string) => {
  const matched = dashboardRouter(pageRoutes)(method, url);
  if (typeof matched !== "object") throw new Error(`No route for ${method} ${url}`);
  return can(role, matched.route.permission);
};

async function document(url: string) {
  const result = await openPage(owner(), url);
  if (result.kind !== "document") throw new Error(`Expected a document, got ${result.kind}`);
  return result;
}

beforeAll(async () => {
  aws = await useTestAws([]);
  shop = await newMerchant("Dash Settings");
});

describe("the settings index", () => {
  it("links every settings page the role may open: the owner all, an admin all but the owner's", async () => {
    const links = [
      "branding",
      "invoices",
      "subscriptions",
      "quote-templates",
      "processor",
      "webhooks",
      "api-keys",
    ];
    const ownerPage = await pageBody(openPage(owner(), "/app/settings"));
    for (const link of links) expect(ownerPage).toContain(`href="/app/settings/${link}"`);
    expect(ownerPage).toContain('href="/app/team"');
    expect(ownerPage).toContain("INV-0001…, net 30");

    const adminPage = await pageBody(openPage(signedIn(shop, "admin"), "/app/settings"));
    expect(adminPage).toContain('href="/app/settings/webhooks"');
    for (const ownersOnly of ["/app/settings/processor", "/app/settings/api-keys", "/app/team"])
      expect(adminPage).not.toContain(`href="${ownersOnly}"`);
  });

  it("is refused to members and viewers with every settings page and action (the route's permission)", () => {
    const urls: ["GET" | "POST", string][] = [
      ["GET", "/app/settings"],
      ["GET", "/app/settings/branding"],
      ["POST", "/app/settings/branding"],
      ["GET", "/app/settings/preview"],
      ["GET", "/app/settings/invoices"],
      ["POST", "/app/settings/invoices"],
      ["GET", "/app/settings/subscriptions"],
      ["POST", "/app/settings/subscriptions"],
      ["GET", "/app/settings/quote-templates"],
      ["POST", "/app/settings/quote-templates/new"],
      ["POST", "/app/settings/quote-templates/qtp_x"],
      ["POST", "/app/settings/quote-templates/qtp_x/delete"],
    ];
    for (const [method, url] of urls) {
      expect([method, url, allowed("viewer", method, url)]).toEqual([method, url, false]);
      expect([method, url, allowed("member", method, url)]).toEqual([method, url, false]);
      expect([method, url, allowed("admin", method, url)]).toEqual([method, url, true]);
    }
  });

  it("keeps every settings page under the 150 KB first load", async () => {
    const merchant = await getMerchant(merchantPorts(systemClock), shop.id);
    const template = await expectStatus(
      merchantCall(templatesHandler, "POST /v1/quote-templates", shop.secret, { body: { name: "Budget" } }),
      201,
    );
    for (const url of [
      "/app/settings",
      "/app/settings/branding",
      "/app/settings/invoices",
      "/app/settings/subscriptions",
      "/app/settings/quote-templates",
      "/app/settings/quote-templates/new",
      `/app/settings/quote-templates/${template.id}`,
    ])
      expect([url, firstLoadBytes(await openPage(owner(), url), owner(), merchant) < 150 * 1024]).toEqual([
        url,
        true,
      ]);
  });
});

describe("branding", () => {
  it("shows the saved values, the preview frame and the form that drives it", async () => {
    const page = await pageBody(openPage(owner(), "/app/settings/branding"));
    expect(page).toContain('data-preview="/app/settings/preview" data-preview-into="branding-preview"');
    expect(page).toMatch(
      /<iframe id="branding-preview"[^>]* src="\/app\/settings\/preview\?view=invoice" sandbox>/,
    );
    expect(page).toContain('name="branding.brandColor"');
    expect(page).not.toContain("style=");
  });

  it("saves colour, logo and footer through the API's use case; blank clears", async () => {
    const saved = await post("/app/settings/branding", {
      "branding.brandColor": "#0f766e",
      "branding.logoUrl": "https://cdn.example.com/logo.png",
      "branding.footerText": "Dash Settings Ltd · 1 Quay Street",
    });
    expect(saved).toMatchObject({ kind: "redirect", location: "/app/settings/branding" });
    expect((await settings()).branding).toEqual({
      brandColor: "#0f766e",
      logoUrl: "https://cdn.example.com/logo.png",
      footerText: "Dash Settings Ltd · 1 Quay Street",
    });
    const page = await pageBody(openPage(owner(), "/app/settings/branding"));
    expect(page).toMatch(/name="branding.brandColor"[^>]* value="#0f766e"/);

    await post("/app/settings/branding", {
      "branding.brandColor": "#0f766e",
      "branding.logoUrl": "",
      "branding.footerText": "Dash Settings Ltd · 1 Quay Street",
    });
    expect((await settings()).branding).toEqual({
      brandColor: "#0f766e",
      footerText: "Dash Settings Ltd · 1 Quay Street",
    });
  });

  it.each([
    ["branding.brandColor", { "branding.brandColor": "teal" }],
    ["branding.logoUrl", { "branding.logoUrl": "javascript:alert(1)" }],
    ["branding.footerText", { "branding.footerText": "x".repeat(501) }],
  ])("refuses a bad %s (400 naming it) and writes nothing", async (path, form) => {
    const before = await settings();
    const refused = post("/app/settings/branding", form);
    await expect(refused).rejects.toBeInstanceOf(ValidationError);
    await expect(refused).rejects.toMatchObject({ errors: [expect.objectContaining({ path })] });
    expect(await settings()).toEqual(before);
  });

  it("previews the hosted invoice page with the unsaved colour, footer and prefix, and writes nothing", async () => {
    const before = await settings();
    const preview = await document(
      "/app/settings/preview?view=invoice&branding.brandColor=%23b91c1c&branding.footerText=Unsaved+footer&invoiceNumberPrefix=ACME&csrf=x",
    );
    expect(preview.html).toContain("--brand:#b91c1c");
    expect(preview.html).toContain("Unsaved footer");
    expect(preview.html).toContain("ACME-0042");
    expect(preview.html).toContain("Ada Lovelace");
    // Priced by the money engine: 6 × 120.00 + 49.00.
    expect(preview.html).toContain("$769.00");
    expect(preview.policy).toMatch(/^default-src 'none'; style-src 'sha256-/);
    expect(await settings()).toEqual(before);
  });

  it("leaves out a value the API would refuse: the saved colour shows until the typed one is whole", async () => {
    const preview = await document("/app/settings/preview?view=invoice&branding.brandColor=%23b91c");
    expect(preview.html).toContain("--brand:#0f766e");
    const cleared = await document("/app/settings/preview?view=invoice&branding.brandColor=");
    expect(cleared.html).toContain("--brand:#334155");
  });

  it("previews the invoice email in the unsaved colour with the logo, under a policy for its inline styles", async () => {
    const preview = await document(
      "/app/settings/preview?view=email&branding.brandColor=%231d4ed8&branding.logoUrl=https%3A%2F%2Fcdn.example.com%2Fnew.png",
    );
    expect(preview.html).toContain("background:#1d4ed8");
    expect(preview.html).toContain('<img src="https://cdn.example.com/new.png"');
    expect(preview.html).toContain("INV-0042");
    expect(preview.policy).toContain("style-src 'unsafe-inline'");
    expect(preview.policy).not.toContain("script-src");
  });
});

describe("invoice and subscription settings", () => {
  it("saves the prefix, default terms and reminders; the API shows them", async () => {
    const saved = await post("/app/settings/invoices", {
      invoiceNumberPrefix: "DASH",
      defaultPaymentTerms: "net_15",
      invoiceReminders: "-3, 0 7",
    });
    expect(saved).toMatchObject({ kind: "redirect", location: "/app/settings/invoices" });
    expect(await settings()).toMatchObject({
      invoiceNumberPrefix: "DASH",
      defaultPaymentTerms: "net_15",
      invoiceReminders: [{ daysAfterDue: -3 }, { daysAfterDue: 0 }, { daysAfterDue: 7 }],
    });
    const page = await pageBody(openPage(owner(), "/app/settings/invoices"));
    expect(page).toMatch(/name="invoiceReminders"[^>]* value="-3, 0, 7"/);
    expect(page).toContain('<option value="net_15" selected>');

    await post("/app/settings/invoices", {
      invoiceNumberPrefix: "DASH",
      defaultPaymentTerms: "net_15",
      invoiceReminders: "",
    });
    expect((await settings()).invoiceReminders).toEqual([]);
  });

  it.each([
    ["invoiceNumberPrefix", { invoiceNumberPrefix: "inv-1" }],
    ["defaultPaymentTerms", { defaultPaymentTerms: "net_1000" }],
    ["invoiceReminders", { invoiceReminders: "3, soon" }],
    ["invoiceReminders", { invoiceReminders: "3, 3" }],
    ["invoiceReminders.0.daysAfterDue", { invoiceReminders: "400" }],
  ])("refuses a bad %s (400 naming it) and writes nothing", async (path, form) => {
    const before = await settings();
    const refused = post("/app/settings/invoices", {
      invoiceNumberPrefix: "DASH",
      defaultPaymentTerms: "net_15",
      invoiceReminders: "",
      ...form,
    });
    await expect(refused).rejects.toMatchObject({ errors: [expect.objectContaining({ path })] });
    expect(await settings()).toEqual(before);
  });

  it("shows the defaults, then saves dunning and renewal reminders (ticked intervals)", async () => {
    const page = await pageBody(openPage(owner(), "/app/settings/subscriptions"));
    expect(page).toMatch(/name="dunning.retryDays"[^>]* value="3, 5, 7"/);
    expect(page).toMatch(/name="renewalReminders.intervals" value="year" checked/);
    expect(page).not.toMatch(/name="renewalReminders.intervals" value="month" checked/);

    const saved = await runWithForm(
      "/app/settings/subscriptions",
      new URLSearchParams([
        ["dunning.retryDays", "2, 4, 8, 16"],
        ["dunning.finalAction", "mark_uncollectible"],
        ["renewalReminders.daysBefore", "10"],
        ["renewalReminders.intervals", "month"],
        ["renewalReminders.intervals", "year"],
      ]),
    );
    expect(saved).toMatchObject({ kind: "redirect", location: "/app/settings/subscriptions" });
    expect(await settings()).toMatchObject({
      dunning: { retryDays: [2, 4, 8, 16], finalAction: "mark_uncollectible" },
      renewalReminders: { daysBefore: 10, intervals: ["month", "year"] },
    });

    // No box ticked: no reminder emails.
    await runWithForm(
      "/app/settings/subscriptions",
      new URLSearchParams([
        ["dunning.retryDays", "2, 4, 8, 16"],
        ["dunning.finalAction", "mark_uncollectible"],
        ["renewalReminders.daysBefore", "10"],
      ]),
    );
    expect((await settings()).renewalReminders).toEqual({ daysBefore: 10, intervals: [] });
  });

  it.each([
    ["dunning.retryDays", [["dunning.retryDays", "5, 3"]]],
    ["dunning.retryDays", [["dunning.retryDays", ""]]],
    ["dunning.finalAction", [["dunning.finalAction", "forgive"]]],
    ["renewalReminders.daysBefore", [["renewalReminders.daysBefore", "soon"]]],
    ["renewalReminders.daysBefore", [["renewalReminders.daysBefore", "90"]]],
    ["renewalReminders.intervals.0", [["renewalReminders.intervals", "decade"]]],
  ] as [string, [string, string][]][])(
    "refuses a bad %s (400 naming it) and writes nothing",
    async (path, fields) => {
      const before = await settings();
      const form = new URLSearchParams([
        ["dunning.retryDays", "3"],
        ["dunning.finalAction", "cancel"],
        ["renewalReminders.daysBefore", "7"],
      ]);
      for (const [name, value] of fields) form.set(name, value);
      const refused = runWithForm("/app/settings/subscriptions", form);
      await expect(refused).rejects.toBeInstanceOf(ValidationError);
      await expect(refused).rejects.toMatchObject({ errors: [expect.objectContaining({ path })] });
      expect(await settings()).toEqual(before);
    },
  );
});

describe("quote templates", () => {
  it("creates a template from the form once for a double submit, with the sections ticked", async () => {
    const before = await templateList();
    const name = `Retainer ${unique()}`;
    const fields: [string, string][] = [
      ["once", unique()],
      ["name", name],
      ["sections", "lineItems"],
      ["sections", "terms"],
      ["headerText", "Thank you for considering us"],
      ["accentColor", "#7c3aed"],
      ["footerText", ""],
    ];
    const form = new URLSearchParams([["csrf", testCsrfToken], ...fields]);
    const first = await runWithForm("/app/settings/quote-templates/new", form);
    const second = await runWithForm("/app/settings/quote-templates/new", form);
    expect(second).toEqual(first);
    expect(first).toMatchObject({ kind: "redirect", location: "/app/settings/quote-templates" });
    const after = await templateList();
    expect(after).toHaveLength(before.length + 1);
    expect(after.find((t) => t.name === name)).toMatchObject({
      isDefault: false,
      headerText: "Thank you for considering us",
      accentColor: "#7c3aed",
      sections: { lineItems: true, paymentPlan: false, terms: true, signatureBlock: false, comments: false },
    });
    expect(after.find((t) => t.name === name)).not.toHaveProperty("footerText");
    const list = await pageBody(openPage(owner(), "/app/settings/quote-templates"));
    expect(list).toContain(name);
    expect(list).toContain("Line items, Terms");
  });

  it("edits a template (blank clears, made the default) and deletes another; the default's delete is the API's 409", async () => {
    const [made] = (await templateList()).filter((t) => t.name.startsWith("Retainer"));
    const page = await pageBody(openPage(owner(), `/app/settings/quote-templates/${made?.id}`));
    expect(page).toContain(">Thank you for considering us</textarea>");
    expect(page).toMatch(/name="sections" value="terms" checked/);

    await runWithForm(
      `/app/settings/quote-templates/${made?.id}`,
      new URLSearchParams([
        ["name", "Retainer, renamed"],
        ["sections", "lineItems"],
        ["headerText", ""],
        ["accentColor", "#7c3aed"],
        ["isDefault", "true"],
      ]),
    );
    const edited = (await templateList()).find((t) => t.id === made?.id);
    expect(edited).toMatchObject({
      name: "Retainer, renamed",
      isDefault: true,
      sections: { lineItems: true, terms: false },
    });
    expect(edited).not.toHaveProperty("headerText");

    await expect(
      runWithForm(`/app/settings/quote-templates/${made?.id}/delete`, new URLSearchParams()),
    ).rejects.toBeInstanceOf(StateConflictError);
    const other = (await templateList()).find((t) => !t.isDefault);
    expect(
      await runWithForm(`/app/settings/quote-templates/${other?.id}/delete`, new URLSearchParams()),
    ).toMatchObject({
      kind: "redirect",
      notice: "Template deleted",
    });
    expect((await templateList()).map((t) => t.id)).not.toContain(other?.id);
  });

  it("refuses a template without a name or with a bad colour (400 naming it), writing nothing", async () => {
    const before = await templateList();
    for (const [path, fields] of [
      ["name", [["name", ""]]],
      [
        "accentColor",
        [
          ["name", "Colourful"],
          ["accentColor", "purple"],
        ],
      ],
    ] as [string, [string, string][]][]) {
      const refused = runWithForm(
        "/app/settings/quote-templates/new",
        new URLSearchParams([["once", unique()], ...fields]),
      );
      await expect(refused).rejects.toMatchObject({ errors: [expect.objectContaining({ path })] });
    }
    expect(await templateList()).toEqual(before);
  });

  it("answers 404 for another merchant's template, changing nothing", async () => {
    const other = await newMerchant("Other Settings");
    const theirs = await expectStatus(
      merchantCall(templatesHandler, "POST /v1/quote-templates", other.secret, { body: { name: "Theirs" } }),
      201,
    );
    await expect(openPage(owner(), `/app/settings/quote-templates/${theirs.id}`)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(
      runWithForm(`/app/settings/quote-templates/${theirs.id}`, new URLSearchParams([["name", "Mine now"]])),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      runWithForm(`/app/settings/quote-templates/${theirs.id}/delete`, new URLSearchParams()),
    ).rejects.toBeInstanceOf(NotFoundError);
    const still = await expectStatus(
      merchantCall(templatesHandler, "GET /v1/quote-templates/{id}", other.secret, { id: theirs.id }),
    );
    expect(still.name).toBe("Theirs");
  });
});

describe("the preview through the dashboard function", () => {
  const handler = dashboardHandler({ ports: () => dashboardPorts(), pageRoutesFor, clockFor });

  /** An admin invited through the API, signed in with the link of their invitation email. */
  async function signedInAdmin() {
    const user = await expectStatus(
      merchantCall(usersHandler, "POST /v1/users", shop.secret, {
        body: { email: `admin-${unique()}@dash.test`, role: "admin" },
      }),
      201,
    );
    const [item] = (await aws.scanAll()).filter(
      (i) => i.type === "event" && i.eventType === "user.invited" && i.objectId === user.id,
    );
    const event = outboxEventFromItem(item as never);
    const notification = notificationFor(event.type);
    const [mail] =
      (await notification?.render(
        { ...event, data: notification.data().parse(event.data) },
        notificationPorts(systemClock),
      )) ?? [];
    const link = /https?:\/\/\S+\/app\/sign-in\/[\w-]{43}/.exec(mail?.text ?? "")?.[0];
    if (!link) throw new Error("No link in the invitation");
    const client = new DashboardClient(handlerTransport(handler as never));
    await client.signIn(user.email, async () => link);
    return client;
  }

  it("frames the preview: the page may frame its own origin, the preview only its own pages, under the renderer's policy", async () => {
    const admin = await signedInAdmin();
    const page = await admin.get("/app/settings/branding");
    expect(page.status).toBe(200);
    expect(page.headers["content-security-policy"]).toBe(contentSecurityPolicy);
    expect(contentSecurityPolicy).toContain("frame-src 'self'");
    expect(contentSecurityPolicy).toContain("frame-ancestors 'none'");

    const invoice = await admin.get("/app/settings/preview?view=invoice&branding.brandColor=%23b91c1c");
    expect(invoice.status).toBe(200);
    expect(invoice.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(invoice.headers["content-disposition"]).toBeUndefined();
    expect(invoice.text).toContain("--brand:#b91c1c");
    const policy = invoice.headers["content-security-policy"] ?? "";
    expect(policy).toMatch(/^default-src 'none'; style-src 'sha256-[\w+/=]+'; img-src 'self' data:;/);
    expect(policy).toMatch(/; frame-ancestors 'self'$/);
    expect(policy).not.toContain("frame-ancestors 'none'");

    const email = await admin.get("/app/settings/preview?view=email");
    expect(email.headers["content-security-policy"]).toBe(
      "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; base-uri 'none'; form-action 'none'; frame-ancestors 'self'",
    );
  });
});
