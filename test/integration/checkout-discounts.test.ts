/**
 * Discount codes on the checkout page (issue 13 §2) against DynamoDB Local: a link with
 * `allowDiscountCodes` shows a labelled box; the session fixes the code and the totals the money
 * engine computes with it (a document discount before tax, as the purchase's invoice prices it); a
 * code that cannot apply is named on the form (400, nothing written); the invoice carries the code,
 * so it is redeemed exactly once, when the invoice is finalized, however many cards are tried.
 */
import { createHash } from "node:crypto";
import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as sessionsApi } from "../../functions/api/checkout-sessions.ts";
import { handler as discountCodes } from "../../functions/api/discount-codes.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as links } from "../../functions/api/payment-links.ts";
import { handler as products } from "../../functions/api/products.ts";
import { handler as taxRates } from "../../functions/api/tax-rates.ts";
import { handler as hosted } from "../../functions/hosted/checkout.ts";
import { liveTotalsScript } from "../../shared/payment-links/checkout-page.ts";
import { formTokenIn, newPaymentLink, page, post, sessionIdOf } from "../helpers/checkout.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";

let aws: TestAws;
let shop: TestMerchant;
const p = { beans: "", mug: "" };
let vat = "";
const codes: Record<string, string> = {};

const created = async (handler: unknown, route: string, body: object) =>
  (await expectStatus(merchantCall(handler as never, route, shop.secret, { body }), 201)).id as string;
const newLink = (body: object) => newPaymentLink(shop.secret, body);
const submit = async (slug: string, form: Record<string, string>) =>
  post(slug, { formToken: formTokenIn((await page(slug)).raw), ...form });
const start = async (slug: string, form: Record<string, string>) => {
  const r = await submit(slug, { email: "buyer@example.com", "quantity.0": "2", ...form });
  expect(r.status, r.raw).toBe(303);
  return sessionIdOf(r.headers.location);
};
const pay = async (slug: string, sessionId: string, card: string) => {
  const formToken = formTokenIn((await page(slug, { session: sessionId })).raw);
  return post(slug, { formToken, session: sessionId, card });
};
const session = (id: string) =>
  expectStatus(merchantCall(sessionsApi, "GET /v1/checkout-sessions/{id}", shop.secret, { id }));
const codeOf = (id: string) =>
  expectStatus(merchantCall(discountCodes, "GET /v1/discount-codes/{id}", shop.secret, { id }));
const setCode = (id: string, update: string, values: Record<string, unknown>) =>
  aws.db.send(
    new UpdateCommand({
      TableName: aws.tableName,
      Key: { PK: `MERCHANT#${shop.id}`, SK: id },
      UpdateExpression: update,
      ExpressionAttributeValues: values,
    }),
  );
/** The table's items but the failed-code windows (a code that cannot apply counts there, writing nothing else). */
const itemsButWindows = async () => (await aws.scanAll()).filter((i) => i.type !== "rate-window").length;
const itemsOf = async (type: string) =>
  (await aws.scanAll()).filter((i) => i.type === type && i.PK === `MERCHANT#${shop.id}`);
/** Beans (12.99, 1–5, 2 to start) and a mug (8.00), 10 % tax on top. */
const breakfast = (allowDiscountCodes = true) =>
  newLink({
    name: "Breakfast box",
    lineItems: [
      { productId: p.beans, quantity: 2, adjustableQuantity: { min: 1, max: 5 } },
      { productId: p.mug },
    ],
    taxRateIds: [vat],
    allowDiscountCodes,
  });

beforeAll(async () => {
  aws = await useTestAws(["stripe-events"]);
  shop = await newMerchant("Discount Shop");
  p.beans = await created(products, "POST /v1/products", {
    name: "Beans",
    unitAmount: 1299,
    currency: "USD",
  });
  p.mug = await created(products, "POST /v1/products", { name: "Mug", unitAmount: 800, currency: "USD" });
  vat = await created(taxRates, "POST /v1/tax-rates", {
    name: "Sales tax",
    percentage: 10,
    inclusive: false,
  });
  const code = (body: object) =>
    created(discountCodes, "POST /v1/discount-codes", { duration: "once", ...body });
  codes.spring = await code({ code: "SPRING15", percentOff: 15 });
  codes.five = await code({ code: "FIVEOFF", amountOff: 500, currency: "USD" });
  codes.euro = await code({ code: "EURO5", amountOff: 500, currency: "EUR" });
  codes.old = await code({ code: "OLDIE", percentOff: 10, expiresAt: "2099-01-01T00:00:00Z" });
  await setCode(codes.old, "SET redeemableUntil = :past", { ":past": "2020-01-01T00:00:00.000Z" });
  codes.gone = await code({ code: "GONE", percentOff: 10, maxRedemptions: 1 });
  await setCode(codes.gone, "SET timesRedeemed = :one", { ":one": 1 });
  codes.off = await code({ code: "PAUSED", percentOff: 10, active: false });
  codes.once = await code({ code: "ONCE", percentOff: 20, maxRedemptions: 1 });
  codes.free = await code({ code: "FREE", percentOff: 100 });
});

describe("a discount code on the checkout page", () => {
  it("is a labelled box only on links that allow codes", async () => {
    const allowing = await page((await breakfast()).slug);
    expect(allowing.raw).toMatch(/<label for="f-discountCode">Discount code \(optional\)<\/label>/);
    expect(allowing.raw).toContain('<input id="f-discountCode" name="discountCode"');
    const plain = await page((await breakfast(false)).slug);
    expect(plain.status).toBe(200);
    expect(plain.raw).not.toContain('name="discountCode"');
  });

  it("fixes a percent code and the totals the engine computes with it, before tax (any case typed)", async () => {
    const link = await breakfast();
    const id = await start(link.slug, { "quantity.0": "3", discountCode: " spring15 " });

    // 3 × 12.99 + 8.00 = 46.97; 15 % off: 7.0455 → 7.05, shared 5.85 / 1.20 (pro rata, largest
    // remainder); tax 10 % on 33.12 and 6.80: 3.31 + 0.68 = 3.99; total 46.97 − 7.05 + 3.99 = 43.91.
    expect(await session(id)).toMatchObject({
      status: "open",
      discountCode: "SPRING15",
      subtotal: 4697,
      discountTotal: 705,
      taxTotal: 399,
      total: 4391,
      lineItems: [
        { quantity: 3, amountSubtotal: 3897, amountDiscount: 585, amountTax: 331, amountTotal: 3643 },
        { quantity: 1, amountSubtotal: 800, amountDiscount: 120, amountTax: 68, amountTotal: 748 },
      ],
    });
    const shown = (await page(link.slug, { session: id })).raw;
    expect(shown).toContain("Discount (SPRING15)");
    expect(shown).toContain("−$7.05");
    expect(shown).toContain("Pay $43.91");
    // Applying a code is not redeeming it: the purchase's invoice does, when it is finalized.
    expect((await codeOf(codes.spring as string)).timesRedeemed).toBe(0);
  });

  it("pays an amount code's invoice with the code on it, redeemed once though the first card was declined", async () => {
    const link = await breakfast();
    const id = await start(link.slug, { "quantity.0": "2", discountCode: "FIVEOFF" });
    // 2 × 12.99 + 8.00 = 33.98; 5.00 off shared 3.82 / 1.18; tax on 22.16 and 6.82: 2.22 + 0.68 = 2.90;
    // total 33.98 − 5.00 + 2.90 = 31.88.
    expect(await session(id)).toMatchObject({ discountTotal: 500, taxTotal: 290, total: 3188 });

    expect((await pay(link.slug, id, "4000000000000002")).status).toBe(402);
    const paid = await pay(link.slug, id, "4242424242424242");
    expect(paid.status, paid.raw).toBe(303);

    const done = await session(id);
    expect(done.status).toBe("complete");
    const invoice = await expectStatus(
      merchantCall(invoices, "GET /v1/invoices/{id}", shop.secret, { id: done.invoiceId }),
    );
    expect(invoice).toMatchObject({
      status: "paid",
      subtotal: 3398,
      discountTotal: 500,
      taxTotal: 290,
      total: 3188,
      amountPaid: 3188,
      discounts: [{ code: "FIVEOFF", amountOff: 500, amount: 500 }],
    });
    expect((await itemsOf("invoice")).filter((i) => i.id === done.invoiceId)).toHaveLength(1);
    expect((await codeOf(codes.five as string)).timesRedeemed).toBe(1);
  });

  it("names a code that cannot apply on the form (400) with the other problems, and writes nothing", async () => {
    const link = await breakfast();
    for (const [code, says] of [
      ["NOPE", "This discount code is not valid."],
      ["oldie", "The discount code OLDIE expired at 2020-01-01T00:00:00.000Z."],
      ["GONE", "The discount code GONE has reached its maximum of 1 redemptions."],
      ["PAUSED", "The discount code PAUSED is inactive."],
      ["EURO5", "The discount code EURO5 is for amounts in EUR, not USD."],
      // A card cannot pay nothing: free orders are not checked out on this page.
      ["FREE", "The discount code FREE makes this order free, which cannot be checked out here."],
    ] as const) {
      const before = await itemsButWindows();
      const r = await submit(link.slug, {
        email: "buyer@example.com",
        "quantity.0": "2",
        discountCode: code,
      });
      expect(r.status, code).toBe(400);
      expect(r.raw).toContain(`<span class="field-error" id="f-discountCode-error">${says}</span>`);
      expect(r.raw).toMatch(/id="f-discountCode"[^>]*aria-invalid="true"/);
      expect(r.raw).toContain(`value="${code}"`);
      expect(await itemsButWindows(), `${code}: nothing written`).toBe(before);
    }
    const both = await submit(link.slug, { email: "nope", discountCode: "NOPE" });
    expect(both.status).toBe(400);
    expect(both.raw).toContain("Enter a valid email address.");
    expect(both.raw).toContain("This discount code is not valid.");
  });

  it("ignores a code posted to a link that takes none: the session charges the full price", async () => {
    const link = await breakfast(false);
    const id = await start(link.slug, { discountCode: "SPRING15" });
    const fixed = await session(id);
    expect(fixed).toMatchObject({ discountTotal: 0, total: 3738 });
    expect(fixed.discountCode).toBeUndefined();
  });

  it("refuses to pay when the code was used up since it was applied (409), charging and redeeming nothing", async () => {
    const link = await breakfast();
    const first = await start(link.slug, { discountCode: "ONCE" });
    const second = await start(link.slug, { discountCode: "ONCE" });
    expect((await pay(link.slug, first, "4242424242424242")).status).toBe(303);
    const payments = (await itemsOf("payment")).length;

    const late = await pay(link.slug, second, "4242424242424242");
    expect(late.status).toBe(409);
    expect(late.raw).toContain("This discount code can no longer be used. Nothing has been charged.");
    expect((await session(second)).status).toBe("open");
    expect((await itemsOf("payment")).length).toBe(payments);
    expect((await codeOf(codes.once as string)).timesRedeemed).toBe(1);
    const linkNow = await expectStatus(
      merchantCall(links, "GET /v1/payment-links/{id}", shop.secret, { id: link.id }),
    );
    expect(linkNow.timesRedeemed).toBe(1);
    expect((await aws.scanAll()).find((i) => i.SK === `PLINKHOLDS#${link.id}`)?.held).toBe(1);
  });
});

describe("live totals (POST /l/{slug}/price)", () => {
  const price = (slug: string, form: Record<string, string>) =>
    call(hosted as never, "POST /l/{slug}/price", {
      pathParameters: { slug },
      body: new URLSearchParams(form).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });

  it("answers the engine's totals for the form's quantities and code, formatted for the page, writing nothing", async () => {
    const link = await breakfast();
    const before = await aws.countItems();

    const r = await price(link.slug, { "quantity.0": "3", discountCode: "spring15" });

    expect(r.status, r.raw).toBe(200);
    // The same totals a session started with this form fixes (see above): 46.97 − 7.05 + 3.99.
    expect(r.body).toMatchObject({
      currency: "USD",
      subtotal: 4697,
      discountCode: "SPRING15",
      discountTotal: 705,
      taxTotal: 399,
      total: 4391,
      display: {
        "line.0": "$38.97",
        "line.1": "$8.00",
        subtotal: "$46.97",
        discountLabel: "Discount (SPRING15)",
        discount: "−$7.05",
        tax: "$3.99",
        total: "$43.91",
        amountDueNow: "$43.91",
      },
    });
    expect(await aws.countItems()).toBe(before);
    expect((await codeOf(codes.spring as string)).timesRedeemed).toBe(0);

    // The buyer's chosen locale comes with the form: the same totals, in their formats and words.
    const norsk = await price(link.slug, { "quantity.0": "3", discountCode: "spring15", locale: "nb-NO" });
    expect(norsk.body).toMatchObject({
      total: 4391,
      display: {
        subtotal: "46,97\u00a0USD",
        discountLabel: "Rabatt (SPRING15)",
        discount: "−7,05\u00a0USD",
        total: "43,91\u00a0USD",
      },
    });
    const refused = await price(link.slug, { "quantity.0": "3", discountCode: "NOPE", locale: "nb-NO" });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toContainEqual({
      path: "discountCode",
      message: "Denne rabattkoden er ikke gyldig.",
    });
  });

  it("names a bad quantity or code (400 problem), and refuses a link that no longer sells (409)", async () => {
    const link = await breakfast();
    const inactive = await newLink({ name: "Gone", lineItems: [{ productId: p.beans }], active: false });
    const before = await itemsButWindows();
    for (const [form, path] of [
      [{ "quantity.0": "6" }, "quantity.0"],
      [{ "quantity.0": "two" }, "quantity.0"],
      [{ "quantity.0": "2", discountCode: "NOPE" }, "discountCode"],
      [{ "quantity.0": "2", discountCode: "EURO5" }, "discountCode"],
    ] as const) {
      const r = await price(link.slug, form);
      expect(r.status, JSON.stringify(form)).toBe(400);
      expect(r.headers["content-type"]).toMatch(/^application\/problem\+json/);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual([path]);
    }
    expect((await price("AAAAAAAAAAAAAAAA", { "quantity.0": "2" })).status).toBe(404);
    const gone = await price(inactive.slug, {});
    expect(gone.status).toBe(409);
    expect(gone.body.detail).toBe("This payment link is no longer active.");
    expect(await itemsButWindows()).toBe(before);
  });

  it("refuses every code with a 429 after 10 that did not apply from one address on one link, on the price route and the form", async () => {
    const link = await breakfast();
    for (let i = 0; i < 10; i++) {
      const r = await price(link.slug, { "quantity.0": "2", discountCode: `GUESS${i}` });
      expect(r.status, `guess ${i}`).toBe(400);
    }
    // Good codes and bad quantities do not count; at the limit even a real code is refused.
    expect((await price(link.slug, { "quantity.0": "9" })).status).toBe(400);
    const blocked = await price(link.slug, { "quantity.0": "2", discountCode: "SPRING15" });
    expect(blocked.status).toBe(429);
    expect(blocked.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(Number(blocked.headers["retry-after"])).toBeGreaterThan(0);
    expect(blocked.body.detail).toMatch(/^Too many discount codes were tried\. Please try again in \d+ minutes?\.$/);
    const sessions = (await itemsOf("checkoutSession")).length;
    const form = await submit(link.slug, { email: "buyer@example.com", "quantity.0": "2", discountCode: "SPRING15" });
    expect(form.status).toBe(429);
    expect(form.raw).toContain("Too many discount codes were tried.");
    expect((await itemsOf("checkoutSession")).length).toBe(sessions);
    // Without a code the buyer still checks out; another link is not held back.
    expect((await price(link.slug, { "quantity.0": "2" })).status).toBe(200);
    const other = await breakfast();
    expect((await price(other.slug, { "quantity.0": "2", discountCode: "SPRING15" })).status).toBe(200);
  });

  it("is one inline script on the form page, allowed by its hash in the CSP, with the totals in a polite live region", async () => {
    const link = await breakfast();
    const r = await page(link.slug);
    const csp = r.headers["content-security-policy"] ?? "";
    const hash = createHash("sha256").update(liveTotalsScript, "utf8").digest("base64");

    expect(csp).toContain(`script-src 'sha256-${hash}';`);
    expect(csp).toContain("connect-src 'self';");
    expect(csp).not.toContain("unsafe-inline");
    expect([...r.raw.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1])).toEqual([
      liveTotalsScript,
    ]);
    expect(() => new Function(liveTotalsScript)).not.toThrow();
    expect(r.raw).toContain(`<form method="post" id="checkout" data-price="/l/${link.slug}/price">`);
    expect(r.raw).toMatch(/<div aria-live="polite">\n<table>/);
    expect(r.raw).toContain('<td class="num" data-t="total">$37.38</td>');
    expect(r.raw).toContain('<tr id="discount-row" hidden>');

    // Nothing to change on a fixed link: no script at all.
    const fixed = await newLink({ name: "Mug", lineItems: [{ productId: p.mug }] });
    const plain = await page(fixed.slug);
    expect(plain.raw).not.toMatch(/<script/i);
    expect(plain.headers["content-security-policy"]).not.toContain("script-src");
  });
});
