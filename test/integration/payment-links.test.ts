/**
 * Payment links (issue 13 §1) against DynamoDB Local: the resource, its public URL and slug claim, the
 * rules a link must keep (each a 400 naming the field, nothing written), PATCH with frozen line items,
 * deactivation, the list, and the QR code of the URL.
 */
import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler } from "../../functions/api/payment-links.ts";
import { handler as products } from "../../functions/api/products.ts";
import { handler as taxRates } from "../../functions/api/tax-rates.ts";
import { handler as testClocks } from "../../functions/api/test-clocks.ts";
import { ConflictError } from "../../shared/domain/errors.ts";
import { type PaymentLink, slugPattern } from "../../shared/payment-links/payment-link.ts";
import { qrSvg } from "../../shared/payment-links/qr.ts";
import { dynamoPaymentLinkStore as store, slugTaken } from "../../shared/store/payment-links.ts";
import { type TestAws, testPublicBaseUrl, useTestAws } from "../helpers/aws.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";

let aws: TestAws;
let a: TestMerchant;
let b: TestMerchant;
/** A's products: one-time USD, monthly USD, yearly USD, one-time EUR, archived; B's one-time USD. */
const p = { once: "", monthly: "", yearly: "", euro: "", archived: "", theirs: "" };
let taxRate = "";
let archivedRate = "";
let theirRate = "";
let clock = "";
let theirClock = "";

const create = (body: object, token = a.secret) => merchantCall(handler, "POST /v1/payment-links", token, { body });
const get = (id: string, token = a.secret) => merchantCall(handler, "GET /v1/payment-links/{id}", token, { id });
const patch = (id: string, body: object, token = a.secret) =>
  merchantCall(handler, "PATCH /v1/payment-links/{id}", token, { id, body });
const list = (query: Record<string, string> = {}, token = a.secret) => merchantCall(handler, "GET /v1/payment-links", token, { query });
const qr = (id: string, token = a.secret) => merchantCall(handler, "GET /v1/payment-links/{id}/qr.svg", token, { id });

const product = async (token: string, body: object) => (await expectStatus(merchantCall(products, "POST /v1/products", token, { body }), 201)).id as string;
const rate = async (token: string) =>
  (await expectStatus(merchantCall(taxRates, "POST /v1/tax-rates", token, { body: { name: "VAT", percentage: 25, inclusive: true } }), 201)).id as string;
const testClock = async (token: string) =>
  (await expectStatus(merchantCall(testClocks, "POST /v1/test-clocks", token, { body: { frozenTime: "2030-01-01T00:00:00Z" } }), 201)).id as string;

const item = async (merchantId: string, sk: string, pk = `MERCHANT#${merchantId}`) =>
  (await aws.db.send(new GetCommand({ TableName: aws.tableName, Key: { PK: pk, SK: sk } }))).Item;
const eventsOf = async (id: string) =>
  (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === id).sort((x, y) => String(x.SK).localeCompare(String(y.SK)));
const slugOf = (url: string) => url.slice(`${testPublicBaseUrl}/l/`.length);
/** What a completed checkout does to the link (§3): one more redemption, the version moved. */
const redeem = (merchantId: string, id: string) =>
  aws.db.send(
    new UpdateCommand({
      TableName: aws.tableName,
      Key: { PK: `MERCHANT#${merchantId}`, SK: id },
      UpdateExpression: "ADD timesRedeemed :one, version :one",
      ExpressionAttributeValues: { ":one": 1 },
    }),
  );

const basic = () => ({ name: "Coffee beans", lineItems: [{ productId: p.once }] });

describe("payment links against DynamoDB Local", () => {
  beforeAll(async () => {
    aws = await useTestAws();
    a = await newMerchant("Link Shop");
    b = await newMerchant("Other Shop");
    p.once = await product(a.secret, { name: "Beans", unitAmount: 1299, currency: "USD" });
    p.monthly = await product(a.secret, { name: "Club", unitAmount: 900, currency: "USD", recurring: { interval: "month" } });
    p.yearly = await product(a.secret, { name: "Club yearly", unitAmount: 9000, currency: "USD", recurring: { interval: "year" } });
    p.euro = await product(a.secret, { name: "Bohnen", unitAmount: 1199, currency: "EUR" });
    p.archived = await product(a.secret, { name: "Old beans", unitAmount: 999, currency: "USD", active: false });
    p.theirs = await product(b.secret, { name: "Their beans", unitAmount: 1299, currency: "USD" });
    taxRate = await rate(a.secret);
    archivedRate = await rate(a.secret);
    await expectStatus(merchantCall(taxRates, "PATCH /v1/tax-rates/{id}", a.secret, { id: archivedRate, body: { active: false } }));
    theirRate = await rate(b.secret);
    clock = await testClock(a.secret);
    theirClock = await testClock(b.secret);
  });

  it("creates a link: 201 with its public url and embed button, the link, its slug claim and payment_link.created in one write", async () => {
    const before = await aws.countItems();
    const r = await create({
      name: `Tea & "Cakes" <3>`,
      lineItems: [
        { productId: p.once, quantity: 2, adjustableQuantity: { min: 1, max: 10 } },
        { productId: p.monthly },
      ],
      allowDiscountCodes: true,
      collectShippingAddress: { allowedCountries: ["no", "SE"] },
      trialDays: 14,
      testClockId: clock,
      customFields: [
        { key: "size", label: "Cup size", type: "dropdown", options: ["S", "M", "L"] },
        { key: "note", label: "Note", type: "text", optional: true },
      ],
      maxRedemptions: 5,
      expiresAt: "2099-01-01T01:00:00+01:00",
      afterCompletion: { type: "redirect", url: "https://shop.test/thanks" },
      taxRateIds: [taxRate],
      metadata: { campaign: "spring" },
    });

    expect(r.status, r.raw).toBe(201);
    const url = r.body.url as string;
    expect(url.startsWith(`${testPublicBaseUrl}/l/`)).toBe(true);
    expect(slugOf(url)).toMatch(slugPattern);
    expect(r.body).toEqual({
      id: expect.stringMatching(/^plink_[0-9A-HJKMNP-TV-Z]{26}$/),
      url,
      name: `Tea & "Cakes" <3>`,
      lineItems: [
        { productId: p.once, quantity: 2, adjustableQuantity: { min: 1, max: 10 } },
        { productId: p.monthly, quantity: 1 },
      ],
      currency: "USD",
      interval: "month",
      allowDiscountCodes: true,
      collectBillingAddress: false,
      collectShippingAddress: { allowedCountries: ["NO", "SE"] },
      collectPhone: false,
      trialDays: 14,
      testClockId: clock,
      customFields: [
        { key: "size", label: "Cup size", type: "dropdown", options: ["S", "M", "L"], optional: false },
        { key: "note", label: "Note", type: "text", optional: true },
      ],
      maxRedemptions: 5,
      expiresAt: "2099-01-01T00:00:00.000Z",
      active: true,
      afterCompletion: { type: "redirect", url: "https://shop.test/thanks" },
      taxRateIds: [taxRate],
      timesRedeemed: 0,
      embed: { buttonHtml: expect.any(String) },
      metadata: { campaign: "spring" },
      createdAt: expect.any(String),
      updatedAt: r.body.createdAt,
    });
    // The button is one self-contained <a>: the url, inline styles only, the name escaped.
    const button = r.body.embed.buttonHtml as string;
    expect(button).toMatch(new RegExp(`^<a href="${url}" style="[^"<>]+">Tea &amp; &quot;Cakes&quot; &lt;3&gt;</a>$`));
    expect(button).not.toMatch(/<link|<script|<img|url\(|@import/);

    expect(await aws.countItems()).toBe(before + 3);
    const stored = await item(a.id, r.body.id);
    expect(stored).toMatchObject({ type: "paymentLink", version: 1, slug: slugOf(url), linkExpiresAt: "2099-01-01T00:00:00.000Z" });
    expect(stored, "the expiry is not the table's TTL attribute").not.toHaveProperty("expiresAt");
    expect(await item(a.id, "PLINK", `PLINK#${slugOf(url)}`)).toMatchObject({ type: "paymentLinkSlug", merchantId: a.id, paymentLinkId: r.body.id });
    expect(await store.findBySlug(slugOf(url))).toEqual({ merchantId: a.id, paymentLinkId: r.body.id });
    expect(await eventsOf(r.body.id)).toEqual([expect.objectContaining({ eventType: "payment_link.created", data: { paymentLink: r.body } })]);
    expect((await get(r.body.id)).body).toEqual(r.body);
  });

  it("gives every link its own slug, and applies the defaults", async () => {
    const [one, two] = await Promise.all([create(basic()), create(basic())]);
    expect(one.status).toBe(201);
    expect(one.body.url).not.toBe(two.body.url);
    expect(one.body).toMatchObject({
      lineItems: [{ productId: p.once, quantity: 1 }],
      currency: "USD",
      allowDiscountCodes: false,
      collectBillingAddress: false,
      collectPhone: false,
      customFields: [],
      active: true,
      taxRateIds: [],
      metadata: {},
      timesRedeemed: 0,
    });
    expect(one.body).not.toHaveProperty("interval");
    expect(one.body).not.toHaveProperty("afterCompletion");
  });

  it("refuses a slug another link holds: the claim's condition fails and nothing is written", async () => {
    const taken = slugOf((await create(basic())).body.url);
    const before = await aws.countItems();
    const now = new Date().toISOString();
    const link: PaymentLink = {
      ...(basic() as Pick<PaymentLink, "name">),
      id: "plink_01KQA0000000000000000000ZZ",
      slug: taken,
      lineItems: [{ productId: p.once, quantity: 1 }],
      currency: "USD",
      allowDiscountCodes: false,
      collectBillingAddress: false,
      collectPhone: false,
      customFields: [],
      active: true,
      taxRateIds: [],
      metadata: {},
      timesRedeemed: 0,
      createdAt: now,
      updatedAt: now,
    };
    const event = { id: "evt_01KQA0000000000000000000ZZ", type: "payment_link.created", merchantId: a.id, occurredAt: now, livemode: false, data: {} };
    await expect(store.create(a.id, link, event)).rejects.toEqual(new ConflictError(slugTaken));
    expect(await aws.countItems()).toBe(before);
  });

  const refusals: [string, () => object, string][] = [
    ["another merchant's product", () => ({ ...basic(), lineItems: [{ productId: p.theirs }] }), "lineItems.0.productId"],
    ["another merchant's product beside a trial (the items' error only)", () => ({ ...basic(), lineItems: [{ productId: p.theirs }], trialDays: 7 }), "lineItems.0.productId"],
    ["an archived product", () => ({ ...basic(), lineItems: [{ productId: p.archived }] }), "lineItems.0.productId"],
    ["items in two currencies", () => ({ ...basic(), lineItems: [{ productId: p.once }, { productId: p.euro }] }), "lineItems.1.productId"],
    ["recurring items on two intervals", () => ({ ...basic(), lineItems: [{ productId: p.monthly }, { productId: p.yearly }] }), "lineItems.1.productId"],
    ["no line items", () => ({ ...basic(), lineItems: [] }), "lineItems"],
    ["21 line items", () => ({ ...basic(), lineItems: Array(21).fill({ productId: p.once }) }), "lineItems"],
    ["a quantity of 1000", () => ({ ...basic(), lineItems: [{ productId: p.once, quantity: 1000 }] }), "lineItems.0.quantity"],
    ["a fractional quantity", () => ({ ...basic(), lineItems: [{ productId: p.once, quantity: 1.5 }] }), "lineItems.0.quantity"],
    ["a quantity of 0", () => ({ ...basic(), lineItems: [{ productId: p.once, quantity: 0 }] }), "lineItems.0.quantity"],
    ["an adjustable range with min above max", () => ({ ...basic(), lineItems: [{ productId: p.once, adjustableQuantity: { min: 5, max: 2 } }] }), "lineItems.0.adjustableQuantity.min"],
    ["a quantity outside its adjustable range", () => ({ ...basic(), lineItems: [{ productId: p.once, quantity: 7, adjustableQuantity: { min: 1, max: 5 } }] }), "lineItems.0.quantity"],
    ["an adjustable max of 1000", () => ({ ...basic(), lineItems: [{ productId: p.once, adjustableQuantity: { min: 1, max: 1000 } }] }), "lineItems.0.adjustableQuantity.max"],
    ["a trial without a recurring item", () => ({ ...basic(), trialDays: 7 }), "trialDays"],
    ["a trial of 731 days", () => ({ ...basic(), lineItems: [{ productId: p.monthly }], trialDays: 731 }), "trialDays"],
    ["another merchant's test clock", () => ({ ...basic(), testClockId: theirClock }), "testClockId"],
    ["4 custom fields", () => ({ ...basic(), customFields: ["a", "b", "c", "d"].map((key) => ({ key, label: key, type: "text" })) }), "customFields"],
    ["two custom fields with one key", () => ({ ...basic(), customFields: [{ key: "k", label: "One", type: "text" }, { key: "k", label: "Two", type: "numeric" }] }), "customFields.1.key"],
    ["a dropdown without options", () => ({ ...basic(), customFields: [{ key: "k", label: "Pick", type: "dropdown" }] }), "customFields.0.options"],
    ["a dropdown of 21 options", () => ({ ...basic(), customFields: [{ key: "k", label: "Pick", type: "dropdown", options: Array.from({ length: 21 }, (_, i) => `o${i}`) }] }), "customFields.0.options"],
    ["a text field with options", () => ({ ...basic(), customFields: [{ key: "k", label: "Say", type: "text", options: ["x"] }] }), "customFields.0.options"],
    ["a redirect to an http URL", () => ({ ...basic(), afterCompletion: { type: "redirect", url: "http://shop.test/thanks" } }), "afterCompletion.url"],
    ["an expiry in the past", () => ({ ...basic(), expiresAt: "2020-01-01T00:00:00Z" }), "expiresAt"],
    ["another merchant's tax rate", () => ({ ...basic(), taxRateIds: [theirRate] }), "taxRateIds.0"],
    ["an archived tax rate", () => ({ ...basic(), taxRateIds: [archivedRate] }), "taxRateIds.0"],
    ["maxRedemptions of 0", () => ({ ...basic(), maxRedemptions: 0 }), "maxRedemptions"],
  ];

  it.each(refusals)("refuses %s: a 400 naming the field, nothing written", async (_name, body, path) => {
    const before = await aws.countItems();
    const r = await create(body());
    expect(r.status, r.raw).toBe(400);
    expect(r.headers["content-type"]).toBe("application/problem+json");
    expect((r.body.errors as { path: string }[]).map((e) => e.path)).toEqual([path]);
    expect(await aws.countItems()).toBe(before);
  });

  it("refuses a test clock to a live merchant (400 on testClockId)", async () => {
    const live = await newMerchant("Live Link Shop");
    const liveClock = await testClock(live.secret);
    const liveProduct = await product(live.secret, { name: "Beans", unitAmount: 1299, currency: "USD" });
    await aws.db.send(
      new UpdateCommand({
        TableName: aws.tableName,
        Key: { PK: `MERCHANT#${live.id}`, SK: "MERCHANT" },
        UpdateExpression: "SET processor = :stripe, stripeLivemode = :live",
        ExpressionAttributeValues: { ":stripe": "stripe", ":live": true },
      }),
    );
    const r = await create({ name: "Live", lineItems: [{ productId: liveProduct }], testClockId: liveClock }, live.secret);
    expect(r.status, r.raw).toBe(400);
    expect(r.body.errors).toEqual([{ path: "testClockId", message: expect.stringContaining("test mode only") }]);
  });

  it("PATCH changes the settings, merges metadata, reprices new line items and keeps the url; payment_link.updated", async () => {
    const link = (await create({ ...basic(), metadata: { keep: "1", drop: "2" } })).body;
    const r = await patch(link.id, {
      name: "Coffee club",
      lineItems: [{ productId: p.yearly, quantity: 3 }],
      trialDays: 30,
      collectPhone: true,
      metadata: { drop: null, add: "3" },
    });
    expect(r.status, r.raw).toBe(200);
    expect(r.body).toMatchObject({
      url: link.url,
      name: "Coffee club",
      lineItems: [{ productId: p.yearly, quantity: 3 }],
      currency: "USD",
      interval: "year",
      trialDays: 30,
      collectPhone: true,
      metadata: { keep: "1", add: "3" },
    });
    expect(r.body.embed.buttonHtml).toContain(">Coffee club</a>");
    expect((await eventsOf(link.id)).map((e) => e.eventType)).toEqual(["payment_link.created", "payment_link.updated"]);

    // Back to one-time items: the interval goes, and the trial with it must go too.
    const trialLeft = await patch(link.id, { lineItems: [{ productId: p.once }] });
    expect(trialLeft.status).toBe(400);
    expect(trialLeft.body.errors).toEqual([{ path: "trialDays", message: expect.any(String) }]);
    const oneTime = await patch(link.id, { lineItems: [{ productId: p.once }], trialDays: null });
    expect(oneTime.status, oneTime.raw).toBe(200);
    expect(oneTime.body).not.toHaveProperty("interval");
    expect(oneTime.body).not.toHaveProperty("trialDays");
  });

  it("PATCH active: false deactivates the link (payment_link.deactivated); reactivating is an update", async () => {
    const link = (await create(basic())).body;
    const off = await patch(link.id, { active: false });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    const on = await patch(link.id, { active: true });
    expect(on.body.active).toBe(true);
    expect((await eventsOf(link.id)).map((e) => e.eventType)).toEqual([
      "payment_link.created",
      "payment_link.deactivated",
      "payment_link.updated",
    ]);
  });

  it("freezes the line items once a checkout completed (409, nothing written); everything else stays editable, and the same items sent back are no change", async () => {
    const link = (await create({ ...basic(), maxRedemptions: 10 })).body;
    await redeem(a.id, link.id);
    await redeem(a.id, link.id);
    const before = await item(a.id, link.id);

    const frozen = await patch(link.id, { lineItems: [{ productId: p.once, quantity: 2 }] });
    expect(frozen.status, frozen.raw).toBe(409);
    expect(frozen.body.detail).toContain("frozen");
    const belowRedeemed = await patch(link.id, { maxRedemptions: 1 });
    expect(belowRedeemed.status).toBe(409);
    expect(await item(a.id, link.id)).toEqual(before);

    const renamed = await patch(link.id, { name: "Still for sale", maxRedemptions: 2, lineItems: link.lineItems });
    expect(renamed.status, renamed.raw).toBe(200);
    expect(renamed.body).toMatchObject({ name: "Still for sale", maxRedemptions: 2, timesRedeemed: 2, lineItems: link.lineItems });
  });

  it("PATCH keeps the rules: a past expiry, another merchant's clock or tax rate are 400s naming the field", async () => {
    const link = (await create(basic())).body;
    const before = await item(a.id, link.id);
    for (const [body, path] of [
      [{ expiresAt: "2020-01-01T00:00:00Z" }, "expiresAt"],
      [{ testClockId: theirClock }, "testClockId"],
      [{ taxRateIds: [theirRate] }, "taxRateIds.0"],
      [{ lineItems: [{ productId: p.theirs }] }, "lineItems.0.productId"],
    ] as const) {
      const r = await patch(link.id, body);
      expect(r.status, r.raw).toBe(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    }
    expect(await item(a.id, link.id)).toEqual(before);
  });

  it("lists newest first, filtered by active and creation time, paged by cursor; another merchant's links are 404s", async () => {
    const merchant = await newMerchant("List Shop");
    const beans = await product(merchant.secret, { name: "Beans", unitAmount: 100, currency: "USD" });
    const made: string[] = [];
    for (const name of ["first", "second", "third"]) {
      made.push((await expectStatus(create({ name, lineItems: [{ productId: beans }] }, merchant.secret), 201)).id);
    }
    await patch(made[1] as string, { active: false }, merchant.secret);

    const all = await list({}, merchant.secret);
    expect(all.body.data.map((l: { id: string }) => l.id)).toEqual([...made].reverse());
    const active = await list({ active: "true" }, merchant.secret);
    expect(active.body.data.map((l: { id: string }) => l.id)).toEqual([made[2], made[0]]);
    const inactive = await list({ active: "false" }, merchant.secret);
    expect(inactive.body.data.map((l: { id: string }) => l.id)).toEqual([made[1]]);
    const created = (await get(made[1] as string, merchant.secret)).body.createdAt as string;
    const since = await list({ createdAfter: created }, merchant.secret);
    expect(since.body.data.map((l: { id: string }) => l.id)).toEqual([made[2], made[1]]);

    const first = await list({ limit: "2" }, merchant.secret);
    expect(first.body.data).toHaveLength(2);
    const rest = await list({ limit: "2", cursor: first.body.nextCursor }, merchant.secret);
    expect(rest.body.data.map((l: { id: string }) => l.id)).toEqual([made[0]]);
    expect(rest.body.nextCursor).toBeNull();

    expect((await get(made[0] as string, a.secret)).status).toBe(404);
    expect((await patch(made[0] as string, { name: "mine" }, a.secret)).status).toBe(404);
    expect((await qr(made[0] as string, a.secret)).status).toBe(404);
  });

  it("serves the url's QR code as SVG: the quiet zone and finder pattern in place, the same for the same url", async () => {
    const link = (await create(basic())).body;
    const r = await qr(link.id);
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toBe("image/svg+xml");
    const svg = r.raw;
    expect(svg).toBe(qrSvg(link.url));
    expect((await qr(link.id)).raw, "the same url, the same image").toBe(svg);
    expect(qrSvg(`${link.url}x`)).not.toBe(svg);
    expect(svg.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
    expect(svg).toContain(`<title>${link.url}</title>`);
    // The url (41 bytes) needs version 3 at error correction M: 29 modules, plus 4 of quiet zone a side.
    expect(link.url).toHaveLength(41);
    expect(svg).toContain('viewBox="0 0 37 37"');
    const dark = new Set([...svg.matchAll(/M(\d+) (\d+)h1v1h-1z/g)].map((m) => `${m[1]},${m[2]}`));
    // The top-left finder pattern: a 7×7 dark ring from (4,4), a light ring, a 3×3 dark core.
    for (let i = 4; i <= 10; i++) {
      for (const at of [`${i},4`, `${i},10`, `4,${i}`, `10,${i}`]) expect(dark.has(at), at).toBe(true);
    }
    for (const at of ["5,5", "9,5", "5,9", "9,9"]) expect(dark.has(at), at).toBe(false);
    for (const at of ["6,6", "7,7", "8,8"]) expect(dark.has(at), at).toBe(true);
    // Nothing is drawn in the quiet zone.
    for (const key of dark) {
      const [x, y] = key.split(",").map(Number) as [number, number];
      expect(x >= 4 && x < 33 && y >= 4 && y < 33, key).toBe(true);
    }
  });

  it("answers 404 for an unknown id and refuses a request without a key", async () => {
    expect((await get("plink_01KQA0000000000000000000AA")).status).toBe(404);
    const anonymous = await call(handler, "GET /v1/payment-links", {});
    expect(anonymous.status).toBe(401);
  });
});
