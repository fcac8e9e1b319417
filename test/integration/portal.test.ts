/**
 * The customer portal (issue 12 §6) against DynamoDB Local, through its handler: the merchant's
 * portal link (a week on the customer's clock), the page (the buyer's subscriptions with the actions
 * the merchant's `portal` setting allows, open invoices to pay, past ones with their PDFs), each
 * action as the API's use case (cancel at period end, pause, resume; the same 409s), a new card
 * through the update-card page, and the walls: a disallowed action is absent and a 403 that writes
 * nothing, another customer's subscription a 404, a link past its week a 410, an unknown token a 404.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as settingsHandler } from "../../functions/api/merchant-settings.ts";
import { handler as subscriptionsHandler } from "../../functions/api/subscriptions.ts";
import { handler as portalHandler } from "../../functions/hosted/portal.ts";
import { handler as updateCardHandler } from "../../functions/hosted/update-card.ts";
import { portalLinkPorts } from "../../shared/composition.ts";
import { portalLink } from "../../shared/customers/portal.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { keys } from "../../shared/store/keys.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
let shop: TestMerchant;

const day = 86_400_000;

async function newCustomer(m: TestMerchant = shop): Promise<string> {
  const body = { email: `buyer-${randomUUID().slice(0, 8)}@portal.test`, name: "Pia Portal" };
  return (await expectStatus(merchantCall(customersHandler, "POST /v1/customers", m.secret, { body }), 201)).id;
}

/** A monthly subscription started today: its first period is billed at once (an open invoice, emailed). */
async function subscribe(customerId: string, m: TestMerchant = shop): Promise<string> {
  const body = {
    customerId,
    items: [{ description: "Tea of the month", unitAmount: 2_500 }],
    currency: "USD",
    interval: "month",
    collectionMethod: "send_invoice",
  };
  return (await expectStatus(merchantCall(subscriptionsHandler, "POST /v1/subscriptions", m.secret, { body }), 201))
    .id;
}
const subscription = async (id: string) =>
  expectStatus(merchantCall(subscriptionsHandler, "GET /v1/subscriptions/{id}", shop.secret, { id }));

const settle = (portal: object, m: TestMerchant = shop) =>
  expectStatus(merchantCall(settingsHandler, "PATCH /v1/merchant", m.secret, { body: { portal } }));

const linkFor = (customerId: string, m: TestMerchant = shop) =>
  merchantCall(portalHandler, "POST /v1/customers/{id}/portal-link", m.secret, { id: customerId });
const tokenOf = (url: string) => /\/c\/([A-Za-z0-9_-]{32})$/.exec(url)?.[1] ?? "";
async function portalToken(customerId: string): Promise<string> {
  return tokenOf((await expectStatus(linkFor(customerId), 201)).url);
}

const page = (token: string, query?: Record<string, string>) =>
  call(portalHandler as never, "GET /c/{token}", { pathParameters: { token }, ...(query ? { query } : {}) });
const formTokenIn = (html: string) => /name="formToken" value="([^"]+)"/.exec(html)?.[1] ?? "";
const form = (formToken: string) => ({
  body: new URLSearchParams({ formToken }).toString(),
  headers: { "content-type": "application/x-www-form-urlencoded" },
});
/** Posts `action` of `subscriptionId` with the page's own form token (or `formToken`). */
async function act(token: string, subscriptionId: string, action: string, formToken?: string) {
  const presented = formToken ?? formTokenIn((await page(token)).raw);
  return call(portalHandler as never, `POST /c/{token}/subscriptions/{subscriptionId}/${action}`, {
    pathParameters: { token, subscriptionId },
    ...form(presented),
  });
}
async function updateCard(token: string) {
  return call(portalHandler as never, "POST /c/{token}/update-card", {
    pathParameters: { token },
    ...form(formTokenIn((await page(token)).raw)),
  });
}

beforeAll(async () => {
  aws = await useTestAws(["billing"]);
  shop = await newMerchant("Portal Tea");
});

describe("the portal link (POST /v1/customers/{id}/portal-link)", () => {
  it("is a fresh unguessable link per call, a week long, stored as a portal token", async () => {
    const customerId = await newCustomer();
    const first = await linkFor(customerId);
    const second = await expectStatus(linkFor(customerId), 201);

    expect(first.status).toBe(201);
    expect(first.body.url).toMatch(new RegExp(`^${testPublicBaseUrl}/c/[A-Za-z0-9_-]{32}$`));
    expect(second.url).not.toBe(first.body.url);
    const expiresIn = Date.parse(first.body.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(7 * day - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(7 * day);
    const item = (await aws.scanAll()).find((i) => i.PK === keys.hostedPage(tokenOf(first.body.url)).PK);
    expect(item).toMatchObject({ kind: "portal", merchantId: shop.id, customerId, validUntil: first.body.expiresAt });
  });

  it("replays the same link for a repeated Idempotency-Key", async () => {
    const customerId = await newCustomer();
    const send = () =>
      call(portalHandler as never, "POST /v1/customers/{id}/portal-link", {
        token: shop.secret,
        pathParameters: { id: customerId },
        headers: { "idempotency-key": `portal-${customerId}` },
      });
    const first = await send();
    const second = await send();

    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers["idempotent-replayed"]).toBe("true");
  });

  it("is a 404 for another merchant's customer, writing nothing", async () => {
    const strangers = await newCustomer(await newMerchant("Other Tea"));
    const before = await aws.countItems();
    expect((await linkFor(strangers)).status).toBe(404);
    expect(await aws.countItems()).toBe(before);
  });
});

describe("the portal page", () => {
  it("shows the buyer's subscriptions with the default actions, the open invoice to pay and the card section", async () => {
    const customerId = await newCustomer();
    const subscriptionId = await subscribe(customerId);
    const sub = await subscription(subscriptionId);
    const token = await portalToken(customerId);

    const shown = await page(token);

    expect(shown.status).toBe(200);
    expect(shown.headers["content-type"]).toMatch(/^text\/html/);
    expect(shown.raw).toContain("TEST MODE");
    expect(shown.raw).toContain("Portal Tea");
    expect(shown.raw).toContain(`data-subscription="${subscriptionId}"`);
    expect(shown.raw).toContain("Tea of the month");
    expect(shown.raw).toContain("$25.00 per month");
    expect(shown.raw).toContain(`Next billing date: ${new Intl.DateTimeFormat("en-US", { year: "numeric", month: "short", day: "numeric", timeZone: "UTC" }).format(new Date(sub.nextBillingAt))}.`);
    // The defaults: cancel at period end and a new card, no pause.
    expect(shown.raw).toContain(`/c/${token}/subscriptions/${subscriptionId}/cancel`);
    expect(shown.raw).not.toContain("/pause");
    expect(shown.raw).toContain(`/c/${token}/update-card`);
    const invoice = sub.latestInvoiceId as string;
    const openRow = new RegExp(`<tr data-invoice="${invoice}">.*?\\$25\\.00.*?<a href="${testPublicBaseUrl}/i/[A-Za-z0-9_-]{32}">Pay</a>`);
    expect(shown.raw).toMatch(openRow);
  });

  it("reads in the customer's locale: words, amounts and dates", async () => {
    const customerId = await newCustomer();
    await expectStatus(
      merchantCall(customersHandler, "PATCH /v1/customers/{id}", shop.secret, {
        id: customerId,
        body: { locale: "nb-NO" },
      }),
    );
    const sub = await subscription(await subscribe(customerId));
    const shown = (await page(await portalToken(customerId))).raw;

    expect(shown).toContain('<html lang="nb-NO">');
    expect(shown).toContain('<h1 id="title">Kontoen din</h1>');
    expect(shown).toContain("TESTMODUS");
    expect(shown).toContain("25,00\u00a0USD per måned");
    const next = new Intl.DateTimeFormat("nb-NO", { year: "numeric", month: "long", day: "numeric", timeZone: "UTC" });
    expect(shown).toContain(`Neste faktureringsdato: ${next.format(new Date(sub.nextBillingAt))}.`);
    expect(shown).toContain(">Si opp ved periodens slutt</button>");
    expect(shown).toContain("<h2>Åpne fakturaer</h2>");
    expect(shown).not.toContain("Your account");
  });

  it("lists paid invoices in the history with their PDF as the receipt", async () => {
    const customerId = await newCustomer();
    const subscriptionId = await subscribe(customerId);
    const invoiceId = (await subscription(subscriptionId)).latestInvoiceId as string;
    const { handler: invoicesHandler } = await import("../../functions/api/invoices.ts");
    await expectStatus(
      merchantCall(invoicesHandler, "POST /v1/invoices/{id}/payments", shop.secret, {
        id: invoiceId,
        body: { amount: 2_500, method: "bank_transfer" },
      }),
      201,
    );

    const shown = await page(await portalToken(customerId));

    expect(shown.raw).toContain("Nothing to pay.");
    expect(shown.raw).toMatch(
      new RegExp(`<tr data-invoice="${invoiceId}">.*?Paid.*?<a href="${testPublicBaseUrl}/i/[A-Za-z0-9_-]{32}/pdf">Receipt \\(PDF\\)</a>`),
    );
  });

  it("is a 410 page once the link is past its week, and a 404 for an unknown token or a token of another page", async () => {
    const customerId = await newCustomer();
    const subscriptionId = await subscribe(customerId);
    const stale = tokenOf((await portalLink(portalLinkPorts(fixedClock(new Date(Date.now() - 8 * day))), shop.id, customerId)).url);
    const fresh = tokenOf((await portalLink(portalLinkPorts(fixedClock(new Date(Date.now() - 6 * day))), shop.id, customerId)).url);

    expect((await page(fresh)).status).toBe(200);
    const expired = await page(stale);
    expect(expired.status).toBe(410);
    expect(expired.raw).toContain("This link has expired");
    expect(expired.raw).not.toContain("Tea of the month");
    const before = await aws.countItems();
    expect((await act(stale, subscriptionId, "cancel", formTokenIn((await page(fresh)).raw))).status).toBe(410);
    expect(await aws.countItems()).toBe(before);
    expect((await subscription(subscriptionId)).cancelAtPeriodEnd).toBe(false);

    expect((await page("x".repeat(32))).status).toBe(404);
    // A portal token opens no update-card page, and an update-card link no portal.
    const onCardPage = await call(updateCardHandler as never, "GET /c/{token}/payment-method", { pathParameters: { token: fresh } });
    expect(onCardPage.status).toBe(404);
    const cardLink = (await updateCard(fresh)).headers.location ?? "";
    expect((await page(/\/c\/([A-Za-z0-9_-]{32})\/payment-method$/.exec(cardLink)?.[1] ?? "")).status).toBe(404);
  });
});

describe("the portal's actions", () => {
  it("cancels at period end through the API's use case, then says so and offers it no more", async () => {
    const customerId = await newCustomer();
    const subscriptionId = await subscribe(customerId);
    const token = await portalToken(customerId);

    const done = await act(token, subscriptionId, "cancel");

    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`/c/${token}?done=canceled`);
    const after = await subscription(subscriptionId);
    expect(after).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    const shown = await page(token, { done: "canceled" });
    expect(shown.raw).toContain("Your subscription is canceled: it ends with the current period");
    expect(shown.raw).toContain("Cancels on ");
    expect(shown.raw).not.toContain(`${subscriptionId}/cancel`);
  });

  it("pauses and resumes when the merchant allows it; a second pause is the API's 409, shown on the page", async () => {
    const customerId = await newCustomer();
    const subscriptionId = await subscribe(customerId);
    const token = await portalToken(customerId);
    await settle({ pause: true });
    try {
      expect((await page(token)).raw).toContain(`${subscriptionId}/pause`);
      const formToken = formTokenIn((await page(token)).raw);

      const paused = await act(token, subscriptionId, "pause", formToken);
      expect(paused.status).toBe(303);
      expect(paused.headers.location).toBe(`/c/${token}?done=paused`);
      const pausing = await subscription(subscriptionId);
      expect(pausing.pauseAt).toBe(pausing.currentPeriodEnd);
      const shown = await page(token);
      expect(shown.raw).toContain("Pauses on ");
      expect(shown.raw).toContain(`${subscriptionId}/resume`);

      const again = await act(token, subscriptionId, "pause", formToken);
      expect(again.status).toBe(409);
      expect(again.headers["content-type"]).toMatch(/^text\/html/);
      expect(again.raw).toContain("The subscription is already set to pause");

      const resumed = await act(token, subscriptionId, "resume");
      expect(resumed.status).toBe(303);
      expect((await subscription(subscriptionId)).pauseAt).toBeNull();
    } finally {
      await settle({ pause: false });
    }
  });

  it("sends the buyer on to a fresh update-card page for their card", async () => {
    const customerId = await newCustomer();
    const token = await portalToken(customerId);

    const sent = await updateCard(token);

    expect(sent.status).toBe(303);
    const cardToken = new RegExp(`^${testPublicBaseUrl}/c/([A-Za-z0-9_-]{32})/payment-method$`).exec(sent.headers.location ?? "")?.[1] ?? "";
    expect(cardToken).not.toBe("");
    const cardPage = await call(updateCardHandler as never, "GET /c/{token}/payment-method", { pathParameters: { token: cardToken } });
    expect(cardPage.status).toBe(200);
    expect(cardPage.raw).toContain("Your payment method");
  });

  it("refuses the actions the merchant disallows with a 403 naming the setting, writing nothing, and does not show them", async () => {
    const customerId = await newCustomer();
    const subscriptionId = await subscribe(customerId);
    const token = await portalToken(customerId);
    const formToken = formTokenIn((await page(token)).raw);
    await settle({ cancel: "never", pause: false, updatePaymentMethod: false });
    try {
      const shown = await page(token);
      expect(shown.status).toBe(200);
      expect(shown.raw).toContain(`data-subscription="${subscriptionId}"`);
      expect(shown.raw).not.toMatch(/\/(cancel|pause|resume|update-card)"/);
      expect(shown.raw).not.toContain("Payment method");

      const before = await aws.countItems();
      for (const [action, setting] of [
        ["cancel", "portal.cancel"],
        ["pause", "portal.pause"],
        ["resume", "portal.pause"],
      ] as const) {
        const refused = await act(token, subscriptionId, action, formToken);
        expect(refused.status, action).toBe(403);
        expect(refused.body).toMatchObject({ type: "urn:kassa:problem:forbidden", status: 403 });
        expect(refused.body.detail).toContain(setting);
      }
      const card = await call(portalHandler as never, "POST /c/{token}/update-card", { pathParameters: { token }, ...form(formToken) });
      expect(card.status).toBe(403);
      expect(card.body.detail).toContain("portal.updatePaymentMethod");
      expect(await aws.countItems()).toBe(before);
      expect(await subscription(subscriptionId)).toMatchObject({ cancelAtPeriodEnd: false, pauseAt: null });
    } finally {
      await settle({ cancel: "at_period_end", pause: false, updatePaymentMethod: true });
    }
  });

  it("is a 404 for another customer's subscription (and another merchant's), writing nothing", async () => {
    const buyer = await newCustomer();
    const token = await portalToken(buyer);
    const neighbours = await subscribe(await newCustomer());
    const other = await newMerchant("Far Tea");
    const strangers = await subscribe(await newCustomer(other), other);

    const before = await aws.countItems();
    for (const subscriptionId of [neighbours, strangers]) {
      const refused = await act(token, subscriptionId, "cancel");
      expect(refused.status).toBe(404);
      expect(refused.body).toMatchObject({ type: "urn:kassa:problem:not-found" });
    }
    expect(await aws.countItems()).toBe(before);
    expect((await subscription(neighbours)).cancelAtPeriodEnd).toBe(false);
  });

  it("refuses a stale or forged form with the page again (403), changing nothing", async () => {
    const customerId = await newCustomer();
    const subscriptionId = await subscribe(customerId);
    const token = await portalToken(customerId);
    const before = await aws.countItems();

    const forged = await act(token, subscriptionId, "cancel", `${Math.floor(Date.now() / 1000)}.forged`);

    expect(forged.status).toBe(403);
    expect(forged.headers["content-type"]).toMatch(/^text\/html/);
    expect(forged.raw).toContain("This form has expired");
    expect(await aws.countItems()).toBe(before);
    expect((await subscription(subscriptionId)).cancelAtPeriodEnd).toBe(false);
  });
});

describe("the portal setting", () => {
  it("defaults to cancel at period end and a new card without pause, and merges the fields given", async () => {
    const m = await newMerchant("Settings Tea");
    expect(m.merchant.portal).toBeUndefined();
    expect(await settle({ pause: true }, m)).toMatchObject({
      portal: { cancel: "at_period_end", pause: true, updatePaymentMethod: true },
    });
    expect(await settle({ cancel: "never" }, m)).toMatchObject({
      portal: { cancel: "never", pause: true, updatePaymentMethod: true },
    });
    const refused = await merchantCall(settingsHandler, "PATCH /v1/merchant", m.secret, {
      body: { portal: { cancel: "now", refund: true } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(["portal.cancel", "portal.refund"]);
  });
});
