/**
 * The signed quote (issue 14 §2) against DynamoDB Local and the SES stand-in: after acceptance the
 * signed PDF is the published PDF's pages plus an audit-trail page (each event's UTC time, actor, IP,
 * user agent and the hash signed; the original's SHA-256), kept once and served to the merchant and
 * on the buyer's page, refused before acceptance; `quote.accepted` mails it to the buyer, each
 * countersigner and the merchant, and `quote.published` mails the buyer the quote — each once, even
 * when the event is delivered twice.
 */
import { createHash, randomUUID } from "node:crypto";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as quotes } from "../../functions/api/quotes.ts";
import { handler as hosted } from "../../functions/hosted/quote.ts";
import { handler as notificationsHandler } from "../../functions/notifications/send.ts";
import { notificationPorts } from "../../shared/composition.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { queuesFor } from "../../shared/outbox/routing.ts";
import { eventFromItem } from "../../shared/store/outbox.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { sampleEvent } from "../helpers/events.ts";
import { pdfPages } from "../helpers/pdf-text.ts";

let aws: TestAws;
let shop: TestMerchant;
let customerId = "";
const buyerEmail = `ada-${randomUUID().slice(0, 8)}@buyer.test`;
const carol = `carol-${randomUUID().slice(0, 8)}@shop.test`;
const dan = `dan-${randomUUID().slice(0, 8)}@shop.test`;

type Body = Record<string, unknown>;
const api = (routeKey: string, options: { id?: string; body?: object } = {}) =>
  merchantCall(quotes, routeKey, shop.secret, options);
const open = async (body: Body = {}) => {
  const draft = await expectStatus(
    api("POST /v1/quotes", {
      body: {
        customerId,
        currency: "USD",
        title: "Website rebuild",
        lineItems: [{ description: "Design", quantity: 2, unitAmount: 150_000 }],
        terms: "Net 30.",
        ...body,
      },
    }),
    201,
  );
  return expectStatus(api("POST /v1/quotes/{id}/publish", { id: draft.id }));
};
const tokenOf = (quote: Body) => String(quote.hostedUrl).split("/q/")[1] ?? "";
const bytesOf = (r: { raw: string }) => Buffer.from(r.raw, "base64");
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

const page = (token: string, signerToken?: string) =>
  signerToken
    ? call(hosted as never, "GET /q/{token}/countersign/{signerToken}", {
        pathParameters: { token, signerToken },
      })
    : call(hosted as never, "GET /q/{token}", { pathParameters: { token } });
const field = (html: string, name: string) =>
  new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1] ?? "";
async function sign(token: string, name: string, signerToken?: string) {
  const shown = (await page(token, signerToken)).raw;
  const r = await call(
    hosted as never,
    signerToken ? "POST /q/{token}/countersign/{signerToken}" : "POST /q/{token}/sign",
    {
      pathParameters: signerToken ? { token, signerToken } : { token },
      body: new URLSearchParams({
        formToken: field(shown, "formToken"),
        contentHash: field(shown, "contentHash"),
        name,
        consent: "yes",
      }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded", "user-agent": `SignerBrowser/${name}` },
    },
  );
  expect(r.status, r.raw).toBe(303);
}
const signedPdf = (id: string) => api("GET /v1/quotes/{id}/signed-pdf", { id });
const hostedSignedPdf = (token: string) =>
  call(hosted as never, "GET /q/{token}/signed-pdf", { pathParameters: { token } });
const keptSignedPdfs = async (id: string) =>
  (await aws.scanAll()).filter((i) => i.type === "quoteSignedPdf" && i.SK === `QUOTESIGNEDPDF#${id}`);

/** Published, signed by the buyer, countersigned by Carol and Dan: accepted. */
async function acceptedWithCountersigners() {
  const quote = await open({
    countersigners: [
      { name: "Carol Seller", email: carol },
      { name: "Dan Seller", email: dan },
    ],
  });
  const token = tokenOf(quote);
  await sign(token, "Ada Buyer");
  const links = await notificationPorts(systemClock).quoteCountersignLinks(shop.id, quote.id);
  for (const link of links) await sign(token, link.name, link.url.split("/countersign/")[1]);
  const accepted = await expectStatus(api("GET /v1/quotes/{id}", { id: quote.id }));
  expect(accepted.status).toBe("accepted");
  return { quote: accepted, token };
}

const sampleRecord = sampleEvent<SQSEvent>("sqs-notifications-merchant-created.json").Records[0]!;
/** The outbox's event of this type for this quote, delivered to the notifications consumer twice. */
async function deliverTwice(type: string, quoteId: string) {
  const [event, ...others] = (await aws.scanAll()).filter(
    (i) => i.type === "event" && i.eventType === type && i.objectId === quoteId,
  );
  expect(others).toEqual([]);
  const body = JSON.stringify(eventFromItem(event!));
  for (let i = 0; i < 2; i++) {
    const record: SQSRecord = { ...sampleRecord, messageId: randomUUID(), body };
    expect(await notificationsHandler({ Records: [record] })).toEqual({ batchItemFailures: [] });
  }
}
/** Mail to `to` about the quote numbered `number` (its revisions are numbered apart: Q-0001-2). */
const mailsAbout = async (to: string, number: string) =>
  (await aws.mailTo(to)).filter((m) => m.subject.toLowerCase().includes(`quote ${number.toLowerCase()} `));

beforeAll(async () => {
  aws = await useTestAws();
  shop = await newMerchant("Signed Quote Shop");
  customerId = (
    await expectStatus(
      merchantCall(customers, "POST /v1/customers", shop.secret, {
        body: { email: buyerEmail, name: "Ada Buyer" },
      }),
      201,
    )
  ).id;
});

describe("the signed PDF of an accepted quote", () => {
  it("is refused with a 409 problem before acceptance (API and buyer's page), and the page offers no link to it", async () => {
    const quote = await open({ countersigners: [{ name: "Carol Seller", email: carol }] });
    const token = tokenOf(quote);
    for (const r of [await signedPdf(quote.id), await hostedSignedPdf(token)]) {
      expect(r.status, r.raw).toBe(409);
      expect(r.headers["content-type"]).toContain("application/problem+json");
      expect(r.body.detail).toContain("once it is accepted");
    }
    await sign(token, "Ada Buyer");
    expect((await signedPdf(quote.id)).status).toBe(409);
    expect((await page(token)).raw).not.toContain("/signed-pdf");
    expect(await keptSignedPdfs(quote.id)).toEqual([]);
  });

  it("is the published PDF's pages, then an audit trail: published, each signature with time, actor, IP, user agent and hash, accepted; and the original's SHA-256", async () => {
    const { quote, token } = await acceptedWithCountersigners();
    const original = bytesOf(await api("GET /v1/quotes/{id}/pdf", { id: quote.id }));
    expect(sha256(original)).toBe(quote.contentHash);

    const r = await signedPdf(quote.id);
    expect(r.status, r.raw).toBe(200);
    expect(r.headers["content-type"]).toBe("application/pdf");
    const pages = await pdfPages(bytesOf(r));
    const originalPages = await pdfPages(original);
    expect(pages.slice(0, originalPages.length)).toEqual(originalPages);
    const trail = pages.slice(originalPages.length).join("\n");
    expect(trail).toContain("Audit trail");
    expect(trail).toContain(quote.contentHash);
    expect(trail).toContain(`${quote.hostedUrl}/pdf`);
    expect(trail).toContain(`${quote.publishedAt} · Published as quote ${quote.number}`);
    expect(trail).toContain(`Actor: Signed Quote Shop <${shop.email}> (merchant)`);
    const [buyer, first, second] = quote.signatures as Body[];
    expect(trail).toContain(`${buyer?.signedAt} · Signed by the buyer on the quote's page`);
    expect(trail).toContain(`Actor: Ada Buyer <${buyerEmail}> (buyer)`);
    expect(trail).toContain(`${first?.signedAt} · Countersigned on the quote's page`);
    expect(trail).toContain(`Actor: Carol Seller <${carol}> (countersigner for Signed Quote Shop)`);
    expect(trail).toContain(`Actor: Dan Seller <${dan}> (countersigner for Signed Quote Shop)`);
    expect(second?.signedAt).toBeDefined();
    for (const s of quote.signatures as Body[]) {
      expect(trail).toContain(`IP address: ${s.ip}`);
      expect(trail).toContain(`User agent: ${s.userAgent}`);
    }
    expect(trail.match(new RegExp(`Content hash: ${quote.contentHash}`, "g"))).toHaveLength(5);
    expect(trail).toContain(`${quote.acceptedAt} · Quote accepted`);
    expect(trail).not.toMatch(/viewed/i);
    // Oldest first: the events in the order they happened.
    const at = [...trail.matchAll(/^(\d{4}-\d\d-\d\dT[\d:.]+Z) · /gm)].map((m) => m[1]);
    expect(at).toHaveLength(5);
    expect([...at].sort()).toEqual(at);

    // Kept once: the buyer's download and a second request get the same bytes.
    expect(bytesOf(await signedPdf(quote.id)).equals(bytesOf(r))).toBe(true);
    const fromPage = await hostedSignedPdf(token);
    expect(fromPage.status).toBe(200);
    expect(bytesOf(fromPage).equals(bytesOf(r))).toBe(true);
    expect(await keptSignedPdfs(quote.id)).toHaveLength(1);
    expect((await page(token)).raw).toContain(`href="/q/${token}/signed-pdf"`);
  });

  it("marks an acceptance the merchant recorded offline as such: the merchant's word, no IP or user agent", async () => {
    const quote = await open();
    // Signed on paper before the quote was published here: the trail still lists events oldest first.
    const acceptedAt = "2026-01-02T03:04:05.000Z";
    const accepted = await expectStatus(
      api("POST /v1/quotes/{id}/accept", {
        id: quote.id,
        body: { name: "Ada Buyer", email: buyerEmail, acceptedAt },
      }),
    );
    const trail = (await pdfPages(bytesOf(await signedPdf(quote.id)))).at(-1) ?? "";
    expect(trail).toContain(
      `${accepted.acceptance.acceptedAt} · Accepted offline (outside Kassa), as recorded by the merchant`,
    );
    expect(trail).toContain(`Actor: Ada Buyer <${buyerEmail}> (buyer (offline))`);
    expect(trail).toContain(
      `Recorded by Signed Quote Shop through Kassa's API at ${accepted.acceptance.recordedAt}`,
    );
    expect(trail).toContain("so no IP, user agent or signed hash was captured from the buyer");
    expect(trail).not.toContain("IP address:");
    expect(trail).not.toContain("Signed by the buyer");
    expect(trail).toContain(quote.contentHash);
    expect(trail.indexOf("Accepted offline")).toBeLessThan(trail.indexOf("Published as quote"));
  });

  it("is another merchant's quote's: 404, nothing made", async () => {
    const { quote } = await acceptedWithCountersigners();
    const other = await newMerchant("Other Shop");
    const r = await merchantCall(quotes, "GET /v1/quotes/{id}/signed-pdf", other.secret, { id: quote.id });
    expect(r.status).toBe(404);
    expect(await keptSignedPdfs(quote.id)).toEqual([]);
  });
});

describe("the quote emails", () => {
  it("are routed to the notifications queue", () => {
    for (const type of ["quote.published", "quote.accepted"])
      expect(queuesFor(type)).toContain("notifications");
  });

  it("quote.accepted, delivered twice, mails the signed PDF once each to the buyer (with its link), each countersigner and the merchant", async () => {
    const { quote, token } = await acceptedWithCountersigners();
    await deliverTwice("quote.accepted", quote.id);
    const signed = bytesOf(await signedPdf(quote.id));
    const accepted = (to: string) =>
      mailsAbout(to, quote.number).then((mails) => mails.filter((m) => m.subject.includes("accepted")));

    const toBuyer = await accepted(buyerEmail);
    expect(toBuyer.map((m) => m.subject)).toEqual([
      `[TEST MODE] Quote ${quote.number} from Signed Quote Shop is accepted`,
    ]);
    expect(toBuyer[0]!.body.text).toContain(`https://pay.kassa.test/q/${token}/signed-pdf`);
    expect(toBuyer[0]!.body.text).toContain(quote.contentHash);
    for (const to of [carol, dan, shop.email]) expect(await accepted(to), to).toHaveLength(1);
    expect((await accepted(shop.email))[0]!.subject).toBe(
      `[TEST MODE] Quote ${quote.number} accepted by Ada Buyer`,
    );
    for (const to of [buyerEmail, carol, dan, shop.email]) {
      const [mail] = await accepted(to);
      expect(mail!.attachments.map((a) => [a.filename, a.contentType])).toEqual([
        [`${quote.number}-signed.pdf`, "application/pdf"],
      ]);
      expect(Buffer.from(mail!.attachments[0]!.content, "base64").equals(signed)).toBe(true);
    }
    expect(await keptSignedPdfs(quote.id)).toHaveLength(1);
  });

  it("quote.published, delivered twice, mails the buyer the quote once: number, total, expiry, link; a revision says which quote it replaces", async () => {
    const quote = await open();
    await deliverTwice("quote.published", quote.id);
    const [mail, ...more] = await mailsAbout(buyerEmail, quote.number);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe(`[TEST MODE] Quote ${quote.number} from Signed Quote Shop`);
    expect(mail!.body.text).toContain(
      `Signed Quote Shop sent you quote ${quote.number} (Website rebuild) for $3,000.00.`,
    );
    expect(mail!.body.text).toMatch(/It is valid until [A-Z][a-z]{2} \d{1,2}, \d{4}\./);
    expect(mail!.body.text).toContain(`sign or decline it here: ${quote.hostedUrl}`);
    expect(mail!.body.text).not.toContain("replaces");

    const draft = await expectStatus(api("POST /v1/quotes/{id}/revise", { id: quote.id }), 201);
    const revision = await expectStatus(api("POST /v1/quotes/{id}/publish", { id: draft.id }));
    await deliverTwice("quote.published", revision.id);
    const revised = await mailsAbout(buyerEmail, revision.number);
    expect(revised.map((m) => m.subject)).toEqual([
      `[TEST MODE] Revised quote ${revision.number} from Signed Quote Shop (replaces ${quote.number})`,
    ]);
    expect(revised[0]!.body.text).toContain(
      `It replaces quote ${quote.number}, which you received earlier and can no longer sign.`,
    );
    expect(revised[0]!.body.text).toContain(revision.hostedUrl);
  });
});
