/**
 * The checkout page of a payment link and the checkout sessions it starts (issue 13 §2, first slice)
 * against DynamoDB Local: the page prices the offer on the server and writes nothing; the buyer's
 * POST starts a session with the prices of that moment, the quantities picked and the answers the
 * link collects (each problem named on the page, nothing written); inactive, expired, sold-out and
 * broken links are a 410 page; the merchant lists and reads sessions.
 */
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as sessionsApi } from "../../functions/api/checkout-sessions.ts";
import { handler as links } from "../../functions/api/payment-links.ts";
import { handler as products } from "../../functions/api/products.ts";
import { handler as taxRates } from "../../functions/api/tax-rates.ts";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as subscriptions } from "../../functions/api/subscriptions.ts";
import { handler as testClocks } from "../../functions/api/test-clocks.ts";
import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { billingTimerRegistry } from "../../functions/billing/timers.ts";
import { localScheduleGroup } from "../../shared/aws/scheduler.ts";
import { billingTimerPorts, checkoutPorts, withSavedViews } from "../../shared/composition.ts";
import { keys } from "../../shared/store/keys.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import {
  getCheckoutSession,
  listCheckoutSessions,
  offerOf,
  payCheckout,
} from "../../shared/payment-links/checkout.ts";
import { formTokenIn, newPaymentLink, page, post, sessionIdOf } from "../helpers/checkout.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";

let aws: TestAws;
let shop: TestMerchant;
let other: TestMerchant;
const p = { beans: "", mug: "", club: "" };
let vat = "";

const product = async (token: string, body: object) =>
  (await expectStatus(merchantCall(products, "POST /v1/products", token, { body }), 201)).id as string;
const newLink = (body: object, token = shop.secret) => newPaymentLink(token, body);
/** The page's own form, filled in. */
const submit = async (slug: string, form: Record<string, string>) =>
  post(slug, { formToken: formTokenIn((await page(slug)).raw), ...form });
const sessionsOf = async (merchantId: string) =>
  (await aws.scanAll()).filter((i) => i.type === "checkoutSession" && i.PK === `MERCHANT#${merchantId}`);
const setLink = (merchantId: string, id: string, update: string, values: Record<string, unknown>) =>
  aws.db.send(
    new UpdateCommand({
      TableName: aws.tableName,
      Key: { PK: `MERCHANT#${merchantId}`, SK: id },
      UpdateExpression: update,
      ExpressionAttributeValues: values,
    }),
  );

beforeAll(async () => {
  aws = await useTestAws(["stripe-events"]);
  shop = await newMerchant("Checkout Shop");
  other = await newMerchant("Other Shop");
  p.beans = await product(shop.secret, { name: "Beans", unitAmount: 1299, currency: "USD" });
  p.mug = await product(shop.secret, { name: "Mug", unitAmount: 800, currency: "USD" });
  p.club = await product(shop.secret, {
    name: "Club",
    unitAmount: 900,
    currency: "USD",
    recurring: { interval: "month" },
  });
  vat = (
    await expectStatus(
      merchantCall(taxRates, "POST /v1/tax-rates", shop.secret, {
        body: { name: "Sales tax", percentage: 10, inclusive: false },
      }),
      201,
    )
  ).id as string;
});

describe("the checkout page (GET /l/{slug})", () => {
  it("shows the items priced on the server, a labelled form without external assets, and writes nothing", async () => {
    const { slug } = await newLink({
      name: "Breakfast box",
      lineItems: [
        { productId: p.beans, quantity: 2, adjustableQuantity: { min: 1, max: 5 } },
        { productId: p.mug },
      ],
      taxRateIds: [vat],
      collectPhone: true,
      customFields: [{ key: "grind", label: "Grind", type: "dropdown", options: ["Whole", "Fine"] }],
    });
    const before = await aws.countItems();
    const r = await page(slug);

    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toMatch(/text\/html/);
    // 2 × 12.99 + 8.00 = 33.98; 10 % tax on top: 3.40; total 37.38.
    expect(r.raw).toContain("$33.98");
    expect(r.raw).toContain("$3.40");
    expect(r.raw).toContain("$37.38");
    // One inline script at most (live totals, allowed by its hash: see checkout-discounts.test.ts).
    expect(r.raw.match(/<script/gi) ?? []).toHaveLength(1);
    expect(r.raw).not.toMatch(/(src|href)="https?:/i);
    expect(Buffer.byteLength(r.raw)).toBeLessThan(60 * 1024);
    // Every visible input and select has a label.
    const controls = [...r.raw.matchAll(/<(?:input|select)\b[^>]*\bid="([^"]+)"/g)].map((m) => m[1]);
    expect(controls.length).toBeGreaterThanOrEqual(4);
    for (const id of controls)
      expect(r.raw, `label for ${id}`).toMatch(new RegExp(`<label[^>]* for="${id}"`));
    expect(r.raw).toContain('name="quantity.0"');
    expect(r.raw).not.toContain('name="quantity.1"');
    expect(await aws.countItems()).toBe(before);
  });

  it("answers 404 for a slug that names no link", async () => {
    expect((await page("AAAAAAAAAAAAAAAA")).status).toBe(404);
  });

  it("is a friendly 410 page for inactive, expired and sold-out links, and for products no longer sold", async () => {
    const inactive = await newLink({ name: "Gone", lineItems: [{ productId: p.beans }], active: false });
    const expired = await newLink({ name: "Old", lineItems: [{ productId: p.beans }] });
    await setLink(shop.id, expired.id, "SET linkExpiresAt = :past", { ":past": "2020-01-01T00:00:00.000Z" });
    const soldOut = await newLink({
      name: "Last ones",
      lineItems: [{ productId: p.beans }],
      maxRedemptions: 2,
    });
    await setLink(shop.id, soldOut.id, "SET timesRedeemed = :n", { ":n": 2 });
    const archivedProduct = await product(shop.secret, {
      name: "Seasonal",
      unitAmount: 500,
      currency: "USD",
    });
    const archived = await newLink({ name: "Seasonal", lineItems: [{ productId: archivedProduct }] });
    await expectStatus(
      merchantCall(products, "PATCH /v1/products/{id}", shop.secret, {
        id: archivedProduct,
        body: { active: false },
      }),
    );

    for (const [slug, says] of [
      [inactive.slug, "no longer active"],
      [expired.slug, "expired"],
      [soldOut.slug, "sold out"],
      [archived.slug, "no longer available"],
    ] as const) {
      const before = await aws.countItems();
      const shown = await page(slug);
      expect(shown.status, says).toBe(410);
      expect(shown.raw).toContain(says);
      expect(shown.raw).toContain("Nothing has been charged");
      const posted = await post(slug, { formToken: "x", email: "buyer@example.com" });
      expect(posted.status, says).toBe(410);
      expect(await aws.countItems(), `${says}: nothing written`).toBe(before);
    }
  });
});

describe("starting a checkout (POST /l/{slug})", () => {
  it("creates an open session with the prices fixed now, the quantity picked and the answers, then redirects to it", async () => {
    const link = await newLink({
      name: "Breakfast box",
      lineItems: [
        { productId: p.beans, quantity: 2, adjustableQuantity: { min: 1, max: 5 } },
        { productId: p.mug },
      ],
      taxRateIds: [vat],
      collectPhone: true,
      collectShippingAddress: { allowedCountries: ["NO", "SE"] },
      customFields: [
        { key: "grind", label: "Grind", type: "dropdown", options: ["Whole", "Fine"] },
        { key: "note", label: "Note", type: "text", optional: true },
      ],
    });
    const before = Date.now();
    const r = await submit(link.slug, {
      "quantity.0": "3",
      email: "Buyer@Example.com",
      name: "Ada Buyer",
      phone: "+47 22 33 44 55",
      "shipping.line1": "Storgata 1",
      "shipping.city": "Oslo",
      "shipping.postalCode": "0155",
      "shipping.country": "NO",
      "custom.grind": "Fine",
    });
    expect(r.status, r.raw).toBe(303);
    const id = sessionIdOf(r.headers.location);
    expect(r.headers.location).toBe(`/l/${link.slug}?session=${id}`);

    const session = await expectStatus(
      merchantCall(sessionsApi, "GET /v1/checkout-sessions/{id}", shop.secret, { id }),
    );
    // 3 × 12.99 + 8.00 = 46.97; tax 10 %: 4.70 (line by line: 3.90 + 0.80); total 51.67.
    expect(session).toMatchObject({
      id,
      paymentLinkId: link.id,
      status: "open",
      currency: "USD",
      lineItems: [
        { productId: p.beans, description: "Beans", quantity: 3, unitAmount: 1299, amountSubtotal: 3897 },
        { productId: p.mug, description: "Mug", quantity: 1, unitAmount: 800, amountSubtotal: 800 },
      ],
      subtotal: 4697,
      taxTotal: 470,
      total: 5167,
      taxRateIds: [vat],
      email: "buyer@example.com",
      name: "Ada Buyer",
      phone: "+47 22 33 44 55",
      shippingAddress: { line1: "Storgata 1", city: "Oslo", postalCode: "0155", country: "NO" },
      customFields: { grind: "Fine" },
    });
    const created = Date.parse(session.createdAt);
    expect(created).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(session.expiresAt) - created).toBe(30 * 60 * 1000);
    expect(session.customerId).toBeUndefined();

    // The page of the session shows what was fixed; a later price change does not move it.
    await expectStatus(
      merchantCall(products, "PATCH /v1/products/{id}", shop.secret, {
        id: p.mug,
        body: { unitAmount: 900 },
      }),
    );
    const shown = await page(link.slug, { session: id });
    expect(shown.status).toBe(200);
    expect(shown.raw).toContain("$51.67");
    expect(shown.raw).toContain("Pay $51.67");
    expect(shown.raw).toContain(`name="session" value="${id}"`);
    expect(
      (await expectStatus(merchantCall(sessionsApi, "GET /v1/checkout-sessions/{id}", shop.secret, { id })))
        .total,
    ).toBe(5167);
  });

  it("names every missing or invalid answer on the page (400) and writes nothing", async () => {
    const link = await newLink({
      name: "Box",
      lineItems: [{ productId: p.beans, quantity: 1, adjustableQuantity: { min: 1, max: 3 } }],
      collectPhone: true,
      collectBillingAddress: true,
      collectShippingAddress: { allowedCountries: ["NO"] },
      customFields: [
        { key: "grind", label: "Grind", type: "dropdown", options: ["Whole", "Fine"] },
        { key: "cups", label: "Cups a day", type: "numeric" },
      ],
    });
    const before = await sessionsOf(shop.id);
    const r = await submit(link.slug, {
      "quantity.0": "4",
      email: "not-an-email",
      "shipping.line1": "Storgata 1",
      "shipping.city": "Oslo",
      "shipping.postalCode": "0155",
      "shipping.country": "SE",
      "custom.grind": "Coarse",
      "custom.cups": "many",
    });
    expect(r.status).toBe(400);
    for (const message of [
      "Choose a quantity from 1 to 3.",
      "Enter a valid email address.",
      "Enter a phone number.",
      "Enter the street address.",
      "Choose a country from the list.",
      "Choose one of the options for &quot;Grind&quot;.",
      "Enter a number for &quot;Cups a day&quot;.",
    ])
      expect(r.raw, message).toContain(message);
    expect(r.raw).toContain('role="alert"');
    expect(r.raw).toContain('aria-invalid="true"');
    // What the buyer typed stays in the form.
    expect(r.raw).toContain('value="not-an-email"');
    expect(await sessionsOf(shop.id)).toHaveLength(before.length);
  });

  it("refuses a post without the page's form token (403) and writes nothing", async () => {
    const link = await newLink({ name: "Box", lineItems: [{ productId: p.beans }] });
    const another = await newLink({ name: "Other box", lineItems: [{ productId: p.beans }] });
    const before = await aws.countItems();
    for (const formToken of ["", `${Math.floor(Date.now() / 1000)}.forged`]) {
      const r = await post(link.slug, { formToken, email: "buyer@example.com" });
      expect(r.status).toBe(403);
      expect(r.raw).toContain("This form has expired");
    }
    // Another link's token does not open this one.
    const foreign = formTokenIn((await page(another.slug)).raw);
    expect((await post(link.slug, { formToken: foreign, email: "buyer@example.com" })).status).toBe(403);
    expect(await aws.countItems()).toBe(before);
  });

  it("shows a session only on its own link's page", async () => {
    const link = await newLink({ name: "Box", lineItems: [{ productId: p.beans }] });
    const another = await newLink({ name: "Other box", lineItems: [{ productId: p.mug }] });
    const id = sessionIdOf((await submit(link.slug, { email: "buyer@example.com" })).headers.location);
    const shown = await page(another.slug, { session: id });
    expect(shown.status).toBe(200);
    expect(shown.raw).not.toContain("buyer@example.com");
    expect(shown.raw).toContain('name="formToken"');
  });
});

describe("the merchant's checkout sessions", () => {
  it("lists sessions newest first, filtered by link and status, with an open one past its 30 minutes shown as expired", async () => {
    const first = await newLink({ name: "First", lineItems: [{ productId: p.beans }] });
    const second = await newLink({ name: "Second", lineItems: [{ productId: p.mug }] });
    const ids = [];
    for (const slug of [first.slug, second.slug, first.slug])
      ids.push(sessionIdOf((await submit(slug, { email: "buyer@example.com" })).headers.location));

    const ofFirst = await expectStatus(
      merchantCall(sessionsApi, "GET /v1/checkout-sessions", shop.secret, {
        query: { paymentLinkId: first.id, limit: "1" },
      }),
    );
    expect(ofFirst.data.map((s: { id: string }) => s.id)).toEqual([ids[2]]);
    const next = await expectStatus(
      merchantCall(sessionsApi, "GET /v1/checkout-sessions", shop.secret, {
        query: { paymentLinkId: first.id, limit: "1", cursor: ofFirst.nextCursor },
      }),
    );
    expect(next.data.map((s: { id: string }) => s.id)).toEqual([ids[0]]);

    const open = await expectStatus(
      merchantCall(sessionsApi, "GET /v1/checkout-sessions", shop.secret, {
        query: { paymentLinkId: second.id, status: "open" },
      }),
    );
    expect(open.data.map((s: { id: string }) => s.id)).toEqual([ids[1]]);

    // 31 minutes later the same sessions are expired, by the list's filter and by the read.
    const later = withSavedViews(checkoutPorts(fixedClock(new Date(Date.now() + 31 * 60 * 1000))));
    const expired = await listCheckoutSessions(later, shop.id, {
      limit: 100,
      paymentLinkId: first.id,
      status: "expired",
    });
    expect(expired.items.map((s) => s.id)).toEqual([ids[2], ids[0]]);
    expect(expired.items.every((s) => s.status === "expired")).toBe(true);
    const stillOpen = await listCheckoutSessions(later, shop.id, {
      limit: 100,
      paymentLinkId: first.id,
      status: "open",
    });
    expect(stillOpen.items).toEqual([]);
    expect((await getCheckoutSession(later, shop.id, ids[1] as string)).status).toBe("expired");
  });

  it("keeps sessions behind the tenant wall", async () => {
    const link = await newLink({ name: "Box", lineItems: [{ productId: p.beans }] });
    const id = sessionIdOf((await submit(link.slug, { email: "buyer@example.com" })).headers.location);
    expect(
      (await merchantCall(sessionsApi, "GET /v1/checkout-sessions/{id}", other.secret, { id })).status,
    ).toBe(404);
    const theirs = await expectStatus(
      merchantCall(sessionsApi, "GET /v1/checkout-sessions", other.secret, {
        query: { paymentLinkId: link.id },
      }),
    );
    expect(theirs.data).toEqual([]);
  });
});

describe("paying a checkout with the sandbox card form", () => {
  /** The session page's card form, posted with `card`. */
  const pay = async (slug: string, sessionId: string, card: string) => {
    const formToken = formTokenIn((await page(slug, { session: sessionId })).raw);
    return post(slug, { formToken, session: sessionId, card });
  };
  const start = async (slug: string, form: Record<string, string> = { email: "buyer@example.com" }) =>
    sessionIdOf((await submit(slug, form)).headers.location);
  const session = async (id: string) =>
    expectStatus(merchantCall(sessionsApi, "GET /v1/checkout-sessions/{id}", shop.secret, { id }));
  const linkOf = async (id: string) =>
    expectStatus(merchantCall(links, "GET /v1/payment-links/{id}", shop.secret, { id }));
  const eventsOf = async (type: string, objectId: string) =>
    (await aws.scanAll()).filter(
      (i) => i.type === "event" && i.objectId === objectId && i.eventType === type,
    );
  const itemsOf = async (type: string) =>
    (await aws.scanAll()).filter((i) => i.type === type && i.PK === `MERCHANT#${shop.id}`);

  it("completes exactly once: a new customer with the buyer's details, a paid numbered invoice, timesRedeemed +1, checkout.completed", async () => {
    const link = await newLink({
      name: "Mugs",
      lineItems: [{ productId: p.beans, quantity: 1, adjustableQuantity: { min: 1, max: 5 } }],
      taxRateIds: [vat],
      collectBillingAddress: true,
    });
    const email = `new-${Date.now()}@example.com`;
    const id = await start(link.slug, {
      "quantity.0": "2",
      email,
      name: "Nora New",
      "billing.line1": "Storgata 1",
      "billing.city": "Oslo",
      "billing.postalCode": "0155",
      "billing.country": "NO",
    });

    const r = await pay(link.slug, id, "4242 4242 4242 4242");
    expect(r.status, r.raw).toBe(303);
    expect(r.headers.location).toBe(`/l/${link.slug}?session=${id}`);

    const done = await session(id);
    expect(done).toMatchObject({ status: "complete", total: 2858 });
    expect(done.customerId).toMatch(/^cus_/);
    expect(done.paymentId).toMatch(/^pay_/);
    const invoice = await expectStatus(
      merchantCall(invoices, "GET /v1/invoices/{id}", shop.secret, { id: done.invoiceId }),
    );
    // 2 × 12.99 = 25.98, 10 % tax on top: 28.58 — the session's own total.
    expect(invoice).toMatchObject({
      status: "paid",
      total: 2858,
      amountPaid: 2858,
      customerId: done.customerId,
    });
    expect(invoice.number).toBeTruthy();
    const customer = await expectStatus(
      merchantCall(customers, "GET /v1/customers/{id}", shop.secret, { id: done.customerId }),
    );
    expect(customer).toMatchObject({
      email,
      name: "Nora New",
      address: { line1: "Storgata 1", city: "Oslo", postalCode: "0155", country: "NO" },
    });
    expect((await linkOf(link.id)).timesRedeemed).toBe(1);
    expect(await eventsOf("checkout.completed", id)).toHaveLength(1);
    expect((await page(link.slug, { session: id })).raw).toContain("Paid. Thank you!");

    // The same form posted again charges nothing and changes nothing.
    const payments = (await itemsOf("payment")).length;
    const again = await post(link.slug, {
      formToken: formTokenIn((await page(link.slug)).raw),
      session: id,
      card: "4242424242424242",
    });
    expect(again.status).toBe(303);
    expect((await itemsOf("payment")).length).toBe(payments);
    expect((await linkOf(link.id)).timesRedeemed).toBe(1);
    expect(await eventsOf("checkout.completed", id)).toHaveLength(1);
  });

  it("after paying, the buyer goes to the link's afterCompletion: the merchant's page, or its message", async () => {
    const redirecting = await newLink({
      name: "Beans to go",
      lineItems: [{ productId: p.beans }],
      afterCompletion: { type: "redirect", url: "https://shop.example/thanks" },
    });
    const paid = await pay(redirecting.slug, await start(redirecting.slug), "4242424242424242");
    expect(paid.status, paid.raw).toBe(303);
    expect(paid.headers.location).toBe("https://shop.example/thanks");

    const messaging = await newLink({
      name: "Beans with a note",
      lineItems: [{ productId: p.beans }],
      afterCompletion: { type: "message", message: "Thanks! Pick up your beans at the counter." },
    });
    const id = await start(messaging.slug);
    expect((await pay(messaging.slug, id, "4242424242424242")).headers.location).toBe(
      `/l/${messaging.slug}?session=${id}`,
    );
    const shown = (await page(messaging.slug, { session: id })).raw;
    expect(shown).toContain("Thanks! Pick up your beans at the counter.");
    expect(shown).not.toContain("Paid. Thank you!");
  });

  it("finds an existing customer by email whatever its case, and leaves its details alone", async () => {
    const email = `known-${Date.now()}@example.com`;
    const existing = await expectStatus(
      merchantCall(customers, "POST /v1/customers", shop.secret, { body: { email, name: "Kari Known" } }),
      201,
    );
    const link = await newLink({ name: "Beans", lineItems: [{ productId: p.beans }] });
    const id = await start(link.slug, { email: email.toUpperCase(), name: "Someone Else" });
    expect((await pay(link.slug, id, "4242424242424242")).status).toBe(303);

    const done = await session(id);
    expect(done.customerId).toBe(existing.id);
    expect(done.name).toBe("Someone Else");
    const customer = await expectStatus(
      merchantCall(customers, "GET /v1/customers/{id}", shop.secret, { id: existing.id }),
    );
    expect(customer.name).toBe("Kari Known");
  });

  it("carries the buyer's ?locale= into the session, onto the customer it creates and the invoice's snapshot", async () => {
    const link = await newLink({ name: "Kaffe", lineItems: [{ productId: p.beans }] });
    const shown = await page(link.slug, { locale: "nb-no" });
    expect(shown.status).toBe(200);
    expect(shown.raw).toContain('<html lang="nb-NO">');
    const chosen = /name="locale" value="([^"]+)"/.exec(shown.raw)?.[1];
    expect(chosen).toBe("nb-NO");
    const email = `norsk-${Date.now()}@example.com`;
    const started = await post(link.slug, { formToken: formTokenIn(shown.raw), locale: chosen ?? "", email });
    expect(started.status, started.raw).toBe(303);
    const id = sessionIdOf(started.headers.location);
    expect((await session(id)).locale).toBe("nb-NO");

    // The session's page reads in it, and its card form carries it on.
    const open = (await page(link.slug, { session: id })).raw;
    expect(open).toContain('<html lang="nb-NO">');
    expect(open).toContain("<h2>Din bestilling</h2>");
    expect((await pay(link.slug, id, "4242424242424242")).status).toBe(303);

    const done = await session(id);
    const customer = await expectStatus(
      merchantCall(customers, "GET /v1/customers/{id}", shop.secret, { id: done.customerId }),
    );
    expect(customer.locale).toBe("nb-NO");
    const invoice = await expectStatus(
      merchantCall(invoices, "GET /v1/invoices/{id}", shop.secret, { id: done.invoiceId }),
    );
    expect(invoice.customer.locale).toBe("nb-NO");
    expect((await page(link.slug, { session: id })).raw).toContain("Betalt. Takk for betalingen!");
  });

  it("names the problems of a form posted in Norwegian in Norwegian, and writes nothing", async () => {
    const link = await newLink({
      name: "Kaffe",
      lineItems: [{ productId: p.beans, quantity: 1, adjustableQuantity: { min: 1, max: 3 } }],
      collectBillingAddress: true,
    });
    const before = (await sessionsOf(shop.id)).length;
    const r = await post(link.slug, {
      formToken: formTokenIn((await page(link.slug, { locale: "nb-NO" })).raw),
      locale: "nb-NO",
      "quantity.0": "9",
      email: "ikke-en-adresse",
    });
    expect(r.status).toBe(400);
    expect(r.raw).toContain('<html lang="nb-NO">');
    expect(r.raw).toContain("Kontroller opplysningene dine:");
    for (const message of [
      "Velg et antall fra 1 til 3.",
      "Skriv inn en gyldig e-postadresse.",
      "Skriv inn gateadressen.",
      "Velg et land fra listen.",
    ])
      expect(r.raw).toContain(message);
    expect(r.raw).toContain('<input type="hidden" name="locale" value="nb-NO">');
    expect((await sessionsOf(shop.id)).length).toBe(before);
  });

  it("leaves an existing customer's locale alone, and ignores a locale the platform cannot format", async () => {
    const email = `engelsk-${Date.now()}@example.com`;
    const existing = await expectStatus(
      merchantCall(customers, "POST /v1/customers", shop.secret, { body: { email, locale: "en-GB" } }),
      201,
    );
    const link = await newLink({ name: "Beans", lineItems: [{ productId: p.beans }] });
    const id = await start(link.slug, { email, locale: "nb-NO" });
    expect((await pay(link.slug, id, "4242424242424242")).status).toBe(303);
    const customer = await expectStatus(
      merchantCall(customers, "GET /v1/customers/{id}", shop.secret, { id: existing.id }),
    );
    expect(customer.locale).toBe("en-GB");

    for (const bad of ["en_US", "zz-ZZ"]) {
      const shown = await page(link.slug, { locale: bad });
      expect(shown.status).toBe(200);
      expect(shown.raw).toContain('<html lang="en-US">');
      expect(shown.raw).not.toContain('name="locale"');
      const ignored = await start(link.slug, { email: `x-${Date.now()}@example.com`, locale: bad });
      expect((await session(ignored)).locale).toBeUndefined();
    }
  });

  it("shows a decline clearly, charges nothing, gives the redemption back, and lets the buyer try again", async () => {
    const link = await newLink({ name: "Last one", lineItems: [{ productId: p.beans }], maxRedemptions: 1 });
    const id = await start(link.slug);

    const declined = await pay(link.slug, id, "4000 0000 0000 0002");
    expect(declined.status).toBe(402);
    expect(declined.raw).toContain("Your card was declined (generic_decline)");
    expect(declined.raw).toContain('role="alert"');
    expect(declined.raw).toContain('name="card"');
    expect((await session(id)).status).toBe("open");
    expect((await linkOf(link.id)).timesRedeemed).toBe(0);

    // The only redemption was given back: the retry gets it.
    const paid = await pay(link.slug, id, "4242424242424242");
    expect(paid.status, paid.raw).toBe(303);
    const done = await session(id);
    expect(done.status).toBe("complete");
    const ofSession = (await itemsOf("invoice")).filter((i) => i.id === done.invoiceId);
    expect(ofSession).toHaveLength(1);
    expect((await linkOf(link.id)).timesRedeemed).toBe(1);
    // Sold out now.
    expect((await page(link.slug)).status).toBe(410);
  });

  it("refuses to pay a session past its 30 minutes, another link's session, or a card that is not one, charging nothing", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: p.beans }], maxRedemptions: 1 });
    const another = await newLink({ name: "Mugs", lineItems: [{ productId: p.mug }] });
    const id = await start(link.slug);
    const foreign = await start(another.slug);
    const before = await aws.countItems();

    const later = checkoutPorts(fixedClock(new Date(Date.now() + 31 * 60 * 1000)));
    const offer = await offerOf(later, link.slug);
    if (offer.state !== "open") throw new Error(`the link should sell: ${offer.state}`);
    const expired = await payCheckout(later, offer, id, "4242424242424242");
    expect(expired.state).toBe("closed");
    expect(expired.state === "closed" && expired.session?.status).toBe("expired");
    expect((await payCheckout(later, offer, foreign, "4242424242424242")).state).toBe("closed");

    const notACard = await pay(link.slug, id, "4242 abcd");
    expect(notACard.status).toBe(400);
    expect(notACard.raw).toContain("Enter a card number.");
    const formToken = formTokenIn((await page(link.slug)).raw);
    expect((await post(link.slug, { formToken, session: foreign, card: "4242424242424242" })).status).toBe(
      404,
    );

    expect(await aws.countItems()).toBe(before);
    // The one redemption is still there to be had.
    expect((await pay(link.slug, id, "4242424242424242")).status).toBe(303);
  });

  it("stops card testing on a session at the tenth declined card (429 with Retry-After), charging nothing", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: p.beans }], maxRedemptions: 1 });
    const id = await start(link.slug);
    for (let i = 0; i < 10; i++) expect((await pay(link.slug, id, "4000000000000002")).status).toBe(402);

    const blocked = await pay(link.slug, id, "4242424242424242");
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    expect(blocked.raw).toContain("Too many declined cards");
    expect((await session(id)).status).toBe("open");
    expect((await linkOf(link.id)).timesRedeemed).toBe(0);
    // Another buyer's session still gets the redemption the declines gave back.
    expect((await pay(link.slug, await start(link.slug), "4242424242424242")).status).toBe(303);
  });

  it("pays a session posted five times at once exactly once, leaving no second invoice and no redemption held", async () => {
    const link = await newLink({ name: "Pair", lineItems: [{ productId: p.beans }], maxRedemptions: 2 });
    const id = await start(link.slug);
    const formToken = formTokenIn((await page(link.slug, { session: id })).raw);

    const results = await Promise.all(
      Array.from({ length: 5 }, () => post(link.slug, { formToken, session: id, card: "4242424242424242" })),
    );

    for (const r of results) expect([303, 409], r.raw.slice(0, 300)).toContain(r.status);
    const done = await session(id);
    expect(done.status).toBe("complete");
    const invoicesOfSession = (await itemsOf("invoice")).filter(
      (i) => (i.metadata as Record<string, string> | undefined)?.checkoutSessionId === id,
    );
    expect(invoicesOfSession.map((i) => [i.id, i.status])).toEqual([[done.invoiceId, "paid"]]);
    expect(
      (await itemsOf("payment")).filter((i) => i.invoiceId === done.invoiceId && i.status === "succeeded"),
    ).toHaveLength(1);
    expect((await linkOf(link.id)).timesRedeemed).toBe(1);
    // The losers held no redemption (none saw the link sold out): one more buyer pays, the next
    // finds it sold out.
    const holds = (await aws.scanAll()).find((i) => i.SK === `PLINKHOLDS#${link.id}`);
    expect(holds?.held).toBe(1);
    expect(done.payingSince).toBeUndefined();
    expect((await pay(link.slug, await start(link.slug), "4242424242424242")).status).toBe(303);
    expect((await page(link.slug)).status).toBe(410);
  });

  it("with 5 redemptions left and 20 buyers paying at once, exactly 5 pay and 15 are refused before any charge", async () => {
    const link = await newLink({ name: "Limited", lineItems: [{ productId: p.mug }], maxRedemptions: 5 });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push(await start(link.slug, { email: `rush-${i}-${Date.now()}@example.com` }));
    const forms = await Promise.all(
      ids.map(async (id) => ({ id, formToken: formTokenIn((await page(link.slug, { session: id })).raw) })),
    );
    const paymentsBefore = (await itemsOf("payment")).length;
    const invoicesBefore = (await itemsOf("invoice")).length;

    const results = await Promise.all(
      forms.map(({ id, formToken }) => post(link.slug, { formToken, session: id, card: "4242424242424242" })),
    );

    expect(results.filter((r) => r.status === 303)).toHaveLength(5);
    const refused = results.filter((r) => r.status === 410);
    expect(refused).toHaveLength(15);
    for (const r of refused) expect(r.raw).toContain("sold out");
    const statuses = await Promise.all(ids.map(async (id) => (await session(id)).status));
    expect(statuses.filter((s) => s === "complete")).toHaveLength(5);
    expect(statuses.filter((s) => s === "open")).toHaveLength(15);
    expect((await itemsOf("payment")).length - paymentsBefore).toBe(5);
    expect((await itemsOf("invoice")).length - invoicesBefore).toBe(5);
    expect((await linkOf(link.id)).timesRedeemed).toBe(5);
  });
});

describe("a checkout session's expiry (its one-time schedule)", () => {
  const start = async (slug: string, email = "buyer@example.com") =>
    sessionIdOf((await submit(slug, { email })).headers.location);
  const sessionItem = async (id: string) =>
    (
      await aws.db.send(
        new GetCommand({
          TableName: aws.tableName,
          Key: keys.merchantObject(shop.id, id),
          ConsistentRead: true,
        }),
      )
    ).Item;
  const expiryOf = async (id: string) =>
    (
      await aws.db.send(
        new GetCommand({
          TableName: aws.tableName,
          Key: keys.schedule(localScheduleGroup, `${id}-expiry`),
          ConsistentRead: true,
        }),
      )
    ).Item;
  const eventsOf = async (type: string, objectId: string) =>
    (await aws.scanAll()).filter(
      (i) => i.type === "event" && i.objectId === objectId && i.eventType === type,
    );
  const held = async (linkId: string) =>
    (await aws.scanAll()).find((i) => i.SK === `PLINKHOLDS#${linkId}`)?.held;
  /** The billing queue's consumer receiving what the session's schedule delivers, at `at`. */
  const fire = async (id: string, at: Date) => {
    const schedule = await expiryOf(id);
    if (!schedule) throw new Error(`no expiry schedule for ${id}`);
    await billingTimerRegistry(billingTimerPorts(fixedClock(at))).dispatch(schedule.payload);
  };
  const afterExpiry = () => new Date(Date.now() + 31 * 60_000);

  it("is planned when the session is created, named after it, at its expiresAt, on the billing queue", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: p.beans }] });
    const id = await start(link.slug);

    const session = await sessionItem(id);
    const schedule = await expiryOf(id);
    expect(schedule?.fireAt).toBe(session?.sessionExpiresAt);
    expect(schedule?.queue).toBe("billing");
    expect(schedule?.payload).toMatchObject({
      kind: "checkout.expire",
      merchantId: shop.id,
      checkoutSessionId: id,
    });
  });

  it("is planned on the link's test clock when it has one (it fires when the clock is advanced past it)", async () => {
    const clock = (
      await expectStatus(
        merchantCall(testClocks, "POST /v1/test-clocks", shop.secret, {
          body: { frozenTime: "2030-01-01T00:00:00Z" },
        }),
        201,
      )
    ).id as string;
    const link = await newLink({ name: "Beans", lineItems: [{ productId: p.beans }], testClockId: clock });
    const id = await start(link.slug);

    const onClock = (
      await aws.db.send(
        new GetCommand({
          TableName: aws.tableName,
          Key: keys.clockSchedule(shop.id, `${id}-expiry`),
          ConsistentRead: true,
        }),
      )
    ).Item;
    expect(onClock?.testClockId).toBe(clock);
    expect(onClock?.fireAt).toBe((await sessionItem(id))?.sessionExpiresAt);
    expect(onClock?.payload).toMatchObject({
      kind: "checkout.expire",
      checkoutSessionId: id,
      testClockId: clock,
    });
    expect(await expiryOf(id)).toBeUndefined();
  });

  it("expires an open session with one checkout.expired event; a second firing changes nothing", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: p.beans }] });
    const id = await start(link.slug);

    await fire(id, afterExpiry());
    const expired = await sessionItem(id);
    expect(expired?.status).toBe("expired");
    const events = await eventsOf("checkout.expired", id);
    expect(events).toHaveLength(1);

    await fire(id, afterExpiry());
    expect(await sessionItem(id)).toEqual(expired);
    expect(await eventsOf("checkout.expired", id)).toHaveLength(1);
  });

  it("gives back the redemption a crashed payment held, exactly once, so the last unit can be bought again", async () => {
    const link = await newLink({ name: "Last", lineItems: [{ productId: p.beans }], maxRedemptions: 1 });
    const id = await start(link.slug);
    // The payment stops for good after holding the redemption: the function died mid-charge.
    const base = checkoutPorts(fixedClock(new Date()));
    const crashing = {
      ...base,
      customers: {
        ...base.customers,
        store: { ...base.customers.store, findIdByEmail: () => new Promise<never>(() => {}) },
      },
    };
    const offer = await offerOf(crashing, link.slug);
    if (offer.state !== "open") throw new Error(`the link should sell: ${offer.state}`);
    void payCheckout(crashing, offer, id, "4242424242424242");
    await expect.poll(async () => (await sessionItem(id))?.redemptionHeld).toBe(true);
    expect(await held(link.id)).toBe(1);
    expect((await page(link.slug)).status).toBe(200);
    const another = await start(link.slug, "late@example.com");
    expect(
      (await payCheckout(checkoutPorts(fixedClock(new Date())), offer, another, "4242424242424242")).state,
    ).toBe("sold_out");

    await fire(id, afterExpiry());
    await fire(id, afterExpiry());

    const expired = await sessionItem(id);
    expect(expired?.status).toBe("expired");
    expect(expired?.redemptionHeld).toBeUndefined();
    expect(expired?.payingSince).toBeUndefined();
    expect(await held(link.id)).toBe(0);
    expect(await eventsOf("checkout.expired", id)).toHaveLength(1);
    const paid = await payCheckout(checkoutPorts(fixedClock(new Date())), offer, another, "4242424242424242");
    expect(paid.state).toBe("paid");
    expect(await held(link.id)).toBe(1);
  });

  it("waits for a payment still under way: the firing fails (the queue redelivers it) and changes nothing", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: p.beans }] });
    const id = await start(link.slug);
    const now = new Date(Date.now() + 29 * 60_000);
    await aws.db.send(
      new UpdateCommand({
        TableName: aws.tableName,
        Key: keys.merchantObject(shop.id, id),
        UpdateExpression: "SET payingSince = :since",
        ExpressionAttributeValues: { ":since": now.toISOString() },
      }),
    );
    const before = await sessionItem(id);

    await expect(fire(id, new Date(now.getTime() + 60_000))).rejects.toThrow(/payment under way/);
    expect(await sessionItem(id)).toEqual(before);
    expect(await eventsOf("checkout.expired", id)).toHaveLength(0);
  });

  it("voids the invoice a declined, abandoned checkout left open, and drops the subscription it built", async () => {
    const link = await newLink({
      name: "Club and beans",
      lineItems: [{ productId: p.beans }, { productId: p.club }],
    });
    const id = await start(link.slug, "abandons@example.com");
    const formToken = formTokenIn((await page(link.slug, { session: id })).raw);
    expect((await post(link.slug, { formToken, session: id, card: "4000000000000002" })).status).toBe(402);
    const abandoned = await sessionItem(id);
    expect(abandoned?.pendingSubscription?.id).toBe(abandoned?.subscriptionId);
    const invoiceId = abandoned?.invoiceId as string;
    const invoice = () =>
      expectStatus(merchantCall(invoices, "GET /v1/invoices/{id}", shop.secret, { id: invoiceId }));
    expect((await invoice()).status).toBe("open");

    await fire(id, afterExpiry());

    expect((await invoice()).status).toBe("void");
    const expired = await sessionItem(id);
    expect(expired?.status).toBe("expired");
    expect(expired).not.toHaveProperty("pendingSubscription");
    const [event] = await eventsOf("checkout.expired", id);
    expect(JSON.stringify(event)).not.toContain("pendingSubscription");
    expect(
      (
        await merchantCall(subscriptions, "GET /v1/subscriptions/{id}", shop.secret, {
          id: abandoned?.subscriptionId,
        })
      ).status,
    ).toBe(404);
  });

  it("leaves a session completed in the meantime alone", async () => {
    const link = await newLink({ name: "Beans", lineItems: [{ productId: p.beans }], maxRedemptions: 3 });
    const id = await start(link.slug);
    const formToken = formTokenIn((await page(link.slug, { session: id })).raw);
    expect((await post(link.slug, { formToken, session: id, card: "4242424242424242" })).status).toBe(303);
    const completed = await sessionItem(id);
    expect(completed?.status).toBe("complete");

    await fire(id, afterExpiry());

    expect(await sessionItem(id)).toEqual(completed);
    expect(await eventsOf("checkout.expired", id)).toHaveLength(0);
    expect(await held(link.id)).toBe(1);
  });
});
