/**
 * The buyer's quote page (issue 14 §2) against DynamoDB Local: the page in the hosted kit (labelled
 * inputs, no scripts), its PDF, the buyer's signature with its audit fields (whose hash is the PDF's
 * SHA-256), a stale tab refused with nothing written, decline, the countersign flow to accepted,
 * accepting without a signature, the pages of expired and canceled quotes, and a signed quote its
 * expiry timer leaves open.
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as quotes } from "../../functions/api/quotes.ts";
import { handler as hosted } from "../../functions/hosted/quote.ts";
import { notificationPorts, quotePorts } from "../../shared/composition.ts";
import { fixedClock, systemClock } from "../../shared/domain/clock.ts";
import { quoteCountersign } from "../../shared/notifications/quote-countersign.ts";
import { expireQuote } from "../../shared/quotes/expiry.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";

let aws: TestAws;
let shop: TestMerchant;
let customerId = "";

type Body = Record<string, unknown>;
const api = (routeKey: string, options: { id?: string; body?: object } = {}) =>
  merchantCall(quotes, routeKey, shop.secret, options);
const get = async (id: string) => expectStatus(api("GET /v1/quotes/{id}", { id }));
const open = async (body: Body = {}) => {
  const draft = await expectStatus(
    api("POST /v1/quotes", {
      body: {
        customerId,
        currency: "USD",
        title: "Website rebuild",
        lineItems: [{ description: "Design", quantity: 2, unitAmount: 150_000 }],
        terms: "Net 30. Work starts on acceptance.",
        comments: "Thanks for considering us.",
        paymentPlan: {
          installments: [
            { percent: 30, dueAfterDays: 0 },
            { percent: 70, dueAfterDays: 30 },
          ],
        },
        ...body,
      },
    }),
    201,
  );
  return expectStatus(api("POST /v1/quotes/{id}/publish", { id: draft.id }));
};
const tokenOf = (quote: { hostedUrl: string }) => quote.hostedUrl.split("/q/")[1] ?? "";

const page = (token: string, signerToken?: string) =>
  signerToken
    ? call(hosted as never, "GET /q/{token}/countersign/{signerToken}", {
        pathParameters: { token, signerToken },
      })
    : call(hosted as never, "GET /q/{token}", { pathParameters: { token } });
const post = (routeKey: string, pathParameters: Record<string, string>, form: Record<string, string>) =>
  call(hosted as never, routeKey, {
    pathParameters,
    body: new URLSearchParams(form).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": "QuoteBrowser/1.0" },
  });
const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? "";

/** Fills and posts the sign form the page shows (its form token and the contentHash it showed). */
async function sign(token: string, form: Record<string, string>, signerToken?: string) {
  const shown = (await page(token, signerToken)).raw;
  const fields = { formToken: field(shown, "formToken"), contentHash: field(shown, "contentHash"), ...form };
  return signerToken
    ? post("POST /q/{token}/countersign/{signerToken}", { token, signerToken }, fields)
    : post("POST /q/{token}/sign", { token }, fields);
}
const eventsOf = async (type: string, objectId: string) =>
  (await aws.scanAll()).filter((i) => i.type === "event" && i.objectId === objectId && i.eventType === type);

describe("the buyer's quote page", () => {
  beforeAll(async () => {
    aws = await useTestAws();
    shop = await newMerchant("Quote Page Shop");
    customerId = (
      await expectStatus(
        merchantCall(customers, "POST /v1/customers", shop.secret, {
          body: { email: "ada@buyer.test", name: "Ada Buyer" },
        }),
        201,
      )
    ).id;
  });

  it("shows the quote in the hosted kit: number, lines, totals, plan, terms, expiry, a PDF link, labelled inputs, no scripts", async () => {
    const quote = await open();
    const r = await page(tokenOf(quote));
    expect(r.status).toBe(200);
    expect(r.headers["content-type"]).toContain("text/html");
    expect(r.headers["content-security-policy"]).not.toContain("script-src");
    const html = r.raw;
    expect(html).not.toMatch(/<script|<link|src="http/i);
    for (const text of [
      quote.number,
      "Website rebuild",
      "Design",
      "$3,000.00",
      "$900.00",
      "$2,100.00",
      "30 days after acceptance",
      "Net 30. Work starts on acceptance.",
      "Thanks for considering us.",
      "Valid until",
      "I agree this typed name is my electronic signature",
    ])
      expect(html).toContain(text);
    expect(html).toContain(`href="/q/${tokenOf(quote)}/pdf"`);
    expect(html).toContain(`action="/q/${tokenOf(quote)}/sign"`);
    expect(field(html, "contentHash")).toBe(quote.contentHash);
    // Every visible input has a label naming it.
    for (const [, id] of html.matchAll(/<(?:input|textarea)(?![^>]*type="hidden")[^>]*id="([^"]+)"/g))
      expect(html).toContain(`for="${id}"`);
    expect(html).toContain('name="viewport" content="width=device-width, initial-scale=1"');
  });

  it("reads in the buyer's locale: an nb-NO customer's quote in Norwegian words and formats", async () => {
    const norsk = await expectStatus(
      merchantCall(customers, "POST /v1/customers", shop.secret, {
        body: { email: "kari@kjoper.test", name: "Kari Kjøper", locale: "nb-NO" },
      }),
      201,
    );
    const quote = await open({ customerId: norsk.id });
    const html = (await page(tokenOf(quote))).raw;
    expect(html).toContain('<html lang="nb-NO">');
    expect(html).toContain(`<h1 id="quote-title">Tilbud ${quote.number}</h1>`);
    for (const text of [
      "<dt>Gyldig til</dt>",
      "<dt>Utarbeidet for</dt><dd>Kari Kjøper</dd>",
      "3\u00a0000,00\u00a0USD",
      "900,00\u00a0USD",
      "<td>30 dager etter aksept</td>",
      "<td>Ved aksept</td>",
      ">Last ned tilbudet (PDF)</a>",
      "Jeg godtar at dette navnet er min elektroniske signatur",
      '<h2 id="decline-title">Avslå dette tilbudet</h2>',
    ])
      expect(html).toContain(text);
    expect(html).not.toContain("Valid until");
  });

  it("serves the PDF stored at publish: its SHA-256 is the contentHash the signature records", async () => {
    const quote = await open({ countersigners: [] });
    const token = tokenOf(quote);
    const pdf = await call(hosted as never, "GET /q/{token}/pdf", { pathParameters: { token } });
    expect(pdf.status).toBe(200);
    expect(pdf.headers["content-type"]).toBe("application/pdf");
    const hash = createHash("sha256").update(Buffer.from(pdf.raw, "base64")).digest("hex");
    expect(hash).toBe(quote.contentHash);

    const r = await sign(token, { name: "  Ada Buyer ", consent: "yes" });
    expect(r.status, r.raw).toBe(303);
    expect(r.headers.location).toBe(`/q/${token}?done=accepted`);
    const signed = await get(quote.id);
    expect(signed.status).toBe("accepted");
    expect(signed.acceptedAt).toBe(signed.signatures[0].signedAt);
    expect(signed.signatures).toEqual([
      {
        name: "Ada Buyer",
        email: "ada@buyer.test",
        role: "buyer",
        signedAt: expect.any(String),
        ip: "203.0.113.7",
        userAgent: "QuoteBrowser/1.0",
        contentHash: hash,
      },
    ]);
    expect(await eventsOf("quote.accepted", quote.id)).toHaveLength(1);
    expect((await page(token)).raw).toContain("This quote was accepted on");
    expect((await page(token)).raw).not.toContain('name="formToken"');
  });

  it("refuses an empty name or an unticked consent with a 400 naming it, writing nothing", async () => {
    const quote = await open();
    const token = tokenOf(quote);
    const before = await aws.countItems();
    const noName = await sign(token, { name: " ", consent: "yes" });
    expect(noName.status).toBe(400);
    expect(noName.raw).toContain("Enter your full name");
    const noConsent = await sign(token, { name: "Ada Buyer" });
    expect(noConsent.status).toBe(400);
    expect(noConsent.raw).toContain("Tick the box");
    const forged = await post(
      "POST /q/{token}/sign",
      { token },
      { name: "Ada", consent: "yes", contentHash: quote.contentHash, formToken: "1.x" },
    );
    expect(forged.status).toBe(403);
    expect(await aws.countItems()).toBe(before);
    expect((await get(quote.id)).status).toBe("open");
  });

  it("refuses a stale tab (409, nothing written): a hash that is not the quote's, and a quote superseded by its revision", async () => {
    const quote = await open();
    const token = tokenOf(quote);
    const before = await aws.countItems();
    const stale = await sign(token, { name: "Ada Buyer", consent: "yes", contentHash: "0".repeat(64) });
    expect(stale.status).toBe(409);
    expect(stale.raw).toContain("changed after the page was opened");
    expect(await aws.countItems()).toBe(before);

    // The tab was opened before the revision was published: its form is the old quote's.
    const shown = (await page(token)).raw;
    const revision = await expectStatus(api("POST /v1/quotes/{id}/revise", { id: quote.id }), 201);
    await expectStatus(api("POST /v1/quotes/{id}/publish", { id: revision.id }));
    const after = await aws.countItems();
    const late = await post(
      "POST /q/{token}/sign",
      { token },
      {
        formToken: field(shown, "formToken"),
        contentHash: field(shown, "contentHash"),
        name: "Ada",
        consent: "yes",
      },
    );
    expect(late.status).toBe(409);
    expect(late.raw).toContain("replaced by a newer version");
    expect(await aws.countItems()).toBe(after);
    expect((await get(quote.id)).signatures).toBeUndefined();
    const oldPage = (await page(token)).raw;
    expect(oldPage).toContain("This quote was replaced by a newer version");
    expect(oldPage).toContain(`href="/q/${tokenOf(await get(revision.id))}"`);
    expect(oldPage).not.toContain('name="formToken"');
  });

  it("two tabs signing at once: one signature is recorded, the other is a 409 (a write on the quote's version)", async () => {
    const quote = await open({ countersigners: [{ name: "Carol Seller", email: "carol@shop.test" }] });
    const token = tokenOf(quote);
    const shown = (await page(token)).raw;
    const form = (name: string) => ({
      formToken: field(shown, "formToken"),
      contentHash: field(shown, "contentHash"),
      name,
      consent: "yes",
    });
    const results = await Promise.all([
      post("POST /q/{token}/sign", { token }, form("Ada Buyer")),
      post("POST /q/{token}/sign", { token }, form("Ada B.")),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([303, 409]);
    expect((await get(quote.id)).signatures).toHaveLength(1);
    expect(await eventsOf("quote.signed", quote.id)).toHaveLength(1);
  });

  it("declines an open quote with the buyer's reason, once", async () => {
    const quote = await open();
    const token = tokenOf(quote);
    const formToken = field((await page(token)).raw, "formToken");
    const r = await post(
      "POST /q/{token}/decline",
      { token },
      { formToken, reason: "Over budget this quarter" },
    );
    expect(r.status, r.raw).toBe(303);
    expect(r.headers.location).toBe(`/q/${token}?done=declined`);
    expect(await get(quote.id)).toMatchObject({
      status: "declined",
      declinedAt: expect.any(String),
      declineReason: "Over budget this quarter",
    });
    expect(await eventsOf("quote.declined", quote.id)).toHaveLength(1);
    expect((await page(token)).raw).toContain("This quote was declined on");
    const again = await post("POST /q/{token}/decline", { token }, { formToken });
    expect(again.status).toBe(409);
    expect(await eventsOf("quote.declined", quote.id)).toHaveLength(1);
  });

  it("countersigning: the buyer's signature mails each countersigner their own link; the last one accepts", async () => {
    const quote = await open({
      countersigners: [
        { name: "Carol Seller", email: "carol@shop.test" },
        { name: "Dan Seller", email: "dan@shop.test" },
      ],
    });
    const token = tokenOf(quote);
    expect((await sign(token, { name: "Ada Buyer", consent: "yes" })).headers.location).toBe(
      `/q/${token}?done=signed`,
    );
    const signed = await get(quote.id);
    expect(signed.status).toBe("open");
    expect(signed).not.toHaveProperty("countersignerTokens");
    expect(await eventsOf("quote.signed", quote.id)).toHaveLength(1);
    expect((await page(token)).raw).toContain("waiting for");

    const mails = await quoteCountersign.render(
      { id: "evt_1", type: "quote.signed", merchantId: shop.id, objectId: quote.id, data: { quote: signed } },
      notificationPorts(systemClock),
    );
    expect(mails.map((m) => m.to.email)).toEqual(["carol@shop.test", "dan@shop.test"]);
    const links = mails.map((m) => /\/q\/([A-Za-z0-9_-]{32})\/countersign\/([A-Za-z0-9_-]{32})/.exec(m.text));
    expect(links.map((l) => l?.[1])).toEqual([token, token]);
    const [carol, dan] = links.map((l) => l?.[2] ?? "");
    expect(carol).not.toBe(dan);

    const carolsPage = await page(token, carol);
    expect(carolsPage.status).toBe(200);
    expect(carolsPage.raw).toContain("Countersign as Carol Seller");
    expect((await page(token, "x".repeat(32))).status).toBe(404);

    expect((await sign(token, { name: "Carol Seller", consent: "yes" }, carol)).status).toBe(303);
    expect((await get(quote.id)).status).toBe("open");
    expect(await eventsOf("quote.countersigned", quote.id)).toHaveLength(1);
    expect((await sign(token, { name: "Dan Seller", consent: "yes" }, dan)).status).toBe(303);
    const accepted = await get(quote.id);
    expect(accepted.status).toBe("accepted");
    expect(accepted.signatures.map((s: Body) => [s.role, s.email, s.contentHash])).toEqual([
      ["buyer", "ada@buyer.test", quote.contentHash],
      ["countersigner", "carol@shop.test", quote.contentHash],
      ["countersigner", "dan@shop.test", quote.contentHash],
    ]);
    expect(await eventsOf("quote.accepted", quote.id)).toHaveLength(1);
  });

  it("without requireSignature the page offers Accept: the same audit fields, role buyer", async () => {
    const quote = await open({ requireSignature: false });
    const token = tokenOf(quote);
    const html = (await page(token)).raw;
    expect(html).toContain("Accept this quote");
    expect(html).not.toContain('name="consent"');
    expect((await sign(token, { name: "Ada Buyer" })).status).toBe(303);
    const accepted = await get(quote.id);
    expect(accepted.status).toBe("accepted");
    expect(accepted.signatures[0]).toMatchObject({
      name: "Ada Buyer",
      role: "buyer",
      ip: "203.0.113.7",
      userAgent: "QuoteBrowser/1.0",
      contentHash: quote.contentHash,
    });
  });

  it("the pages of an expired and a canceled quote say so and offer no forms", async () => {
    const expired = await open();
    await expireQuote(
      {
        quotes: quotePorts(systemClock).quotes,
        clock: fixedClock(new Date(Date.parse(expired.expiresAt) + 1000)),
      },
      shop.id,
      expired.id,
    );
    const expiredPage = (await page(tokenOf(expired))).raw;
    expect(expiredPage).toContain("This quote expired on");
    expect(expiredPage).not.toContain('name="formToken"');

    const canceled = await open();
    const formToken = field((await page(tokenOf(canceled))).raw, "formToken");
    await expectStatus(api("POST /v1/quotes/{id}/cancel", { id: canceled.id }));
    const canceledPage = (await page(tokenOf(canceled))).raw;
    expect(canceledPage).toContain("This quote was canceled by Quote Page Shop");
    expect(canceledPage).not.toContain('name="formToken"');
    const late = await post("POST /q/{token}/decline", { token: tokenOf(canceled) }, { formToken });
    expect(late.status).toBe(409);
    expect((await get(canceled.id)).status).toBe("canceled");
  });

  it("a quote its buyer signed is not expired by its timer while it waits for countersignatures", async () => {
    const quote = await open({ countersigners: [{ name: "Carol Seller", email: "carol@shop.test" }] });
    await sign(tokenOf(quote), { name: "Ada Buyer", consent: "yes" });
    await expireQuote(
      {
        quotes: quotePorts(systemClock).quotes,
        clock: fixedClock(new Date(Date.parse(quote.expiresAt) + 1000)),
      },
      shop.id,
      quote.id,
    );
    expect((await get(quote.id)).status).toBe("open");
    expect(await eventsOf("quote.expired", quote.id)).toHaveLength(0);
  });

  it("an unknown token is a 404", async () => {
    expect((await page("a".repeat(32))).status).toBe(404);
  });
});
