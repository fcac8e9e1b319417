/**
 * Quote templates (issue 14 §1) against DynamoDB Local: CRUD, exactly one default per merchant (the
 * first; moved by isDefault in one write, also under concurrent creations; the default not deletable
 * while others exist), bad input, `templateId` on quotes (the merchant's default when not given; an
 * unknown or another merchant's id a 400 naming it), and publish freezing the template onto the
 * quote: default terms, the page and the PDF following its sections, texts, colour — and staying so
 * when the template is edited or deleted afterwards.
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as settings } from "../../functions/api/merchant-settings.ts";
import { handler as templates } from "../../functions/api/quote-templates.ts";
import { handler as quotes } from "../../functions/api/quotes.ts";
import { handler as hosted } from "../../functions/hosted/quote.ts";
import { keys } from "../../shared/store/keys.ts";
import { call, expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { pdfText } from "../helpers/pdf-text.ts";

let aws: TestAws;

type Body = Record<string, unknown>;

/** A merchant with a customer, and its calls. */
async function shopWith(name: string) {
  const shop: TestMerchant = await newMerchant(name);
  const api = (
    handler: unknown,
    routeKey: string,
    options: { id?: string; body?: object; query?: Record<string, string> } = {},
  ) => merchantCall(handler, routeKey, shop.secret, options);
  const customerId = (
    await expectStatus(
      api(customers, "POST /v1/customers", { body: { email: "ada@buyer.test", name: "Ada Buyer" } }),
      201,
    )
  ).id as string;
  return {
    shop,
    template: (body: Body) => api(templates, "POST /v1/quote-templates", { body }),
    newTemplate: async (body: Body = {}) =>
      expectStatus(api(templates, "POST /v1/quote-templates", { body: { name: "Standard", ...body } }), 201),
    getTemplate: (id: string) => expectStatus(api(templates, "GET /v1/quote-templates/{id}", { id })),
    patchTemplate: (id: string, body: Body) => api(templates, "PATCH /v1/quote-templates/{id}", { id, body }),
    deleteTemplate: (id: string) => api(templates, "DELETE /v1/quote-templates/{id}", { id }),
    list: (query: Record<string, string> = {}) =>
      expectStatus(api(templates, "GET /v1/quote-templates", { query: { limit: "100", ...query } })),
    createQuote: (body: Body = {}) =>
      api(quotes, "POST /v1/quotes", {
        body: {
          customerId,
          currency: "USD",
          title: "Website rebuild",
          lineItems: [{ description: "Design sprint", quantity: 2, unitAmount: 150_000 }],
          comments: "Thanks for considering us.",
          countersigners: [{ name: "Cora Counter", email: "cora@shop.test" }],
          paymentPlan: {
            installments: [
              { percent: 30, dueAfterDays: 0 },
              { percent: 70, dueAfterDays: 30 },
            ],
          },
          ...body,
        },
      }),
    patchQuote: (id: string, body: Body) => api(quotes, "PATCH /v1/quotes/{id}", { id, body }),
    publish: (id: string) => expectStatus(api(quotes, "POST /v1/quotes/{id}/publish", { id })),
    getQuote: (id: string) => expectStatus(api(quotes, "GET /v1/quotes/{id}", { id })),
    revise: (id: string) => api(quotes, "POST /v1/quotes/{id}/revise", { id }),
    pdf: async (id: string) => {
      const r = await api(quotes, "GET /v1/quotes/{id}/pdf", { id });
      expect(r.status, r.raw).toBe(200);
      return Buffer.from(r.raw, "base64");
    },
    branding: (branding: Body) => expectStatus(api(settings, "PATCH /v1/merchant", { body: { branding } })),
  };
}

const page = async (quote: { hostedUrl: string }) => {
  const r = await call(hosted as never, "GET /q/{token}", {
    pathParameters: { token: quote.hostedUrl.split("/q/")[1] ?? "" },
  });
  expect(r.status, r.raw.slice(0, 300)).toBe(200);
  return r.raw;
};
/** The page without its form token, which is issued afresh each time it is shown. */
const pageAsShown = async (quote: { hostedUrl: string }) =>
  (await page(quote)).replace(/name="formToken" value="[^"]*"/g, 'name="formToken"');
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
const defaults = (list: { data: { id: string; isDefault: boolean }[] }) =>
  list.data.filter((t) => t.isDefault).map((t) => t.id);
const merchantItems = async (merchantId: string, type: string) =>
  (await aws.scanAll()).filter((i) => i.PK === `MERCHANT#${merchantId}` && i.type === type);

describe("quote templates", () => {
  beforeAll(async () => {
    aws = await useTestAws();
  });

  it("creates qtpl_… templates showing every section by default; the first is the default, and isDefault on a later one moves it", async () => {
    const s = await shopWith("Template Shop");
    const first = await s.newTemplate({ name: "Standard", isDefault: false });
    expect(first).toMatchObject({
      id: expect.stringMatching(/^qtpl_[0-9A-Z]{26}$/),
      name: "Standard",
      sections: { lineItems: true, paymentPlan: true, terms: true, signatureBlock: true, comments: true },
      isDefault: true,
    });
    const second = await s.newTemplate({ name: "Lean", sections: { comments: false } });
    expect(second).toMatchObject({ isDefault: false, sections: { comments: false, terms: true } });
    expect(defaults(await s.list())).toEqual([first.id]);

    const third = await s.newTemplate({ name: "Enterprise", isDefault: true });
    expect(third.isDefault).toBe(true);
    expect((await s.getTemplate(first.id)).isDefault).toBe(false);
    expect(defaults(await s.list())).toEqual([third.id]);
    expect(await s.getTemplate(third.id)).toEqual(third);
    const events = (await aws.scanAll()).filter(
      (i) =>
        i.type === "event" && i.eventType === "quote_template.created" && i.PK === `MERCHANT#${s.shop.id}`,
    );
    expect(events).toHaveLength(3);
  });

  it("keeps exactly one default when templates are created at once on a merchant that has none", async () => {
    const s = await shopWith("Racing Template Shop");
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) => s.newTemplate({ name: `T${i}`, isDefault: i % 2 === 0 })),
    );
    const list = await s.list();
    expect(list.data).toHaveLength(6);
    expect(defaults(list)).toHaveLength(1);
    expect(made.map((t) => t.id)).toContain(defaults(list)[0]);
    const [record] = (await aws.scanAll()).filter(
      (i) => i.PK === `MERCHANT#${s.shop.id}` && i.SK === keys.quoteTemplateDefault(s.shop.id).SK,
    );
    expect(record).toMatchObject({ templateId: defaults(list)[0], templates: 6 });
  });

  it("updates: texts set and cleared with null, sections merged, isDefault true moves the default; false on the default is a 400 naming isDefault", async () => {
    const s = await shopWith("Editing Template Shop");
    const standard = await s.newTemplate({ headerText: "Hello", accentColor: "#aabbcc" });
    const other = await s.newTemplate({ name: "Other" });

    const edited = await expectStatus(
      s.patchTemplate(standard.id, {
        name: "Standard v2",
        headerText: null,
        footerText: "Registered in Berlin",
        sections: { paymentPlan: false },
      }),
    );
    expect(edited).toMatchObject({
      name: "Standard v2",
      footerText: "Registered in Berlin",
      accentColor: "#aabbcc",
      isDefault: true,
      sections: { paymentPlan: false, lineItems: true, comments: true },
    });
    expect(edited.headerText).toBeUndefined();

    const refused = await s.patchTemplate(standard.id, { isDefault: false });
    expect(refused.status).toBe(400);
    expect(JSON.stringify(refused.body.errors)).toContain("isDefault");
    expect((await s.getTemplate(standard.id)).isDefault).toBe(true);

    expect((await expectStatus(s.patchTemplate(other.id, { isDefault: true }))).isDefault).toBe(true);
    expect(defaults(await s.list())).toEqual([other.id]);
    // Saying false of a template that is not the default changes nothing.
    expect((await expectStatus(s.patchTemplate(standard.id, { isDefault: false }))).isDefault).toBe(false);
    expect(defaults(await s.list())).toEqual([other.id]);
  });

  it("lists newest first, a page at a time", async () => {
    const s = await shopWith("Paging Template Shop");
    const made = [];
    for (const name of ["A", "B", "C"]) made.push((await s.newTemplate({ name })).id);
    const first = await s.list({ limit: "2" });
    expect(first.data.map((t: { id: string }) => t.id)).toEqual([made[2], made[1]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await s.list({ limit: "2", cursor: first.nextCursor });
    expect(second.data.map((t: { id: string }) => t.id)).toEqual([made[0]]);
    expect(second.nextCursor).toBeNull();
  });

  it("refuses bad templates with a 400 naming the field, writing nothing", async () => {
    const s = await shopWith("Bad Template Shop");
    await s.newTemplate();
    const before = await aws.countItems();
    for (const [body, field] of [
      [{}, "name"],
      [{ name: "X", accentColor: "red" }, "accentColor"],
      [{ name: "X", accentColor: "#12345" }, "accentColor"],
      [{ name: "X", logoUrl: "javascript:alert(1)" }, "logoUrl"],
      [{ name: "X", sections: { pricing: false } }, "sections.pricing"],
      [{ name: "X", sections: { terms: "no" } }, "sections.terms"],
      [{ name: "X", isDefault: true, id: "qtpl_01J0000000000000000000000" }, "id"],
    ] as const) {
      const r = await s.template(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(
        r.body.errors.map((e: { path: string }) => e.path),
        JSON.stringify(body),
      ).toContain(field);
    }
    expect(await aws.countItems()).toBe(before);
  });

  it("deletes: the default is refused (409) while others exist; another goes even while a draft names it, and that draft is published with the default", async () => {
    const s = await shopWith("Deleting Template Shop");
    const standard = await s.newTemplate({ headerText: "Standard header" });
    const special = await s.newTemplate({ name: "Special", headerText: "Special header" });
    const draft = await expectStatus(s.createQuote({ templateId: special.id }), 201);
    expect(draft.templateId).toBe(special.id);

    const refused = await s.deleteTemplate(standard.id);
    expect(refused.status).toBe(409);
    expect((await s.getTemplate(standard.id)).isDefault).toBe(true);

    expect((await s.deleteTemplate(special.id)).status).toBe(204);
    expect((await s.list()).data.map((t: { id: string }) => t.id)).toEqual([standard.id]);
    const published = await s.publish(draft.id);
    expect(published).toMatchObject({
      templateId: standard.id,
      template: { id: standard.id, headerText: "Standard header" },
    });

    // The last template, the default, can go: quotes are then published without one.
    expect((await s.deleteTemplate(standard.id)).status).toBe(204);
    expect(await merchantItems(s.shop.id, "quoteTemplateDefault")).toEqual([]);
    const plain = await s.publish((await expectStatus(s.createQuote(), 201)).id);
    expect(plain.templateId).toBeUndefined();
    expect(plain.template).toBeUndefined();
    // And the next template is the default again.
    expect((await s.newTemplate({ name: "Fresh start" })).isDefault).toBe(true);
  });
});

describe("templates on quotes", () => {
  beforeAll(async () => {
    aws = await useTestAws();
  });

  it("a new quote gets the merchant's default template; an unknown or another merchant's templateId is a 400 naming it, on create and PATCH, writing nothing", async () => {
    const s = await shopWith("Quoting Template Shop");
    const other = await shopWith("Other Template Shop");
    const theirs = await other.newTemplate({ name: "Theirs" });
    expect((await expectStatus(s.createQuote(), 201)).templateId).toBeUndefined();

    const standard = await s.newTemplate();
    const lean = await s.newTemplate({ name: "Lean" });
    const quote = await expectStatus(s.createQuote(), 201);
    expect(quote.templateId).toBe(standard.id);

    const before = await aws.countItems();
    for (const templateId of [theirs.id, `qtpl_${"0".repeat(26)}`, "tpl_nope"]) {
      for (const r of [await s.createQuote({ templateId }), await s.patchQuote(quote.id, { templateId })]) {
        expect(r.status, `${templateId}: ${r.raw}`).toBe(400);
        expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(["templateId"]);
        expect(r.raw).not.toContain("Theirs");
      }
    }
    expect(await aws.countItems()).toBe(before);

    expect((await expectStatus(s.patchQuote(quote.id, { templateId: lean.id }))).templateId).toBe(lean.id);
    const cleared = await expectStatus(s.patchQuote(quote.id, { templateId: null }));
    expect(cleared.templateId).toBeUndefined();
    // Cleared: published with whatever is the default then.
    expect((await s.publish(quote.id)).templateId).toBe(standard.id);
  });

  it("publish freezes the template: default terms fill a quote without terms, and later edits or deletion change neither the quote, its page nor its PDF", async () => {
    const s = await shopWith("Freezing Template Shop");
    const template = await s.newTemplate({
      headerText: "Prepared by the Berlin studio",
      defaultTerms: "Payable within 30 days.",
    });
    const withOwnTerms = await s.publish((await expectStatus(s.createQuote({ terms: "Net 10" }), 201)).id);
    expect(withOwnTerms.terms).toBe("Net 10");
    const quote = await s.publish((await expectStatus(s.createQuote(), 201)).id);
    expect(quote).toMatchObject({
      templateId: template.id,
      terms: "Payable within 30 days.",
      template: { id: template.id, name: "Standard", headerText: "Prepared by the Berlin studio" },
    });
    expect(quote.template.defaultTerms).toBeUndefined();
    const pageBefore = await pageAsShown(quote);
    const pdf = await s.pdf(quote.id);
    expect(sha256(pdf)).toBe(quote.contentHash);

    await expectStatus(
      s.patchTemplate(template.id, {
        headerText: "Rebranded header",
        defaultTerms: "Payable at once.",
        accentColor: "#ff0000",
        sections: { lineItems: false },
      }),
    );
    expect(await s.getQuote(quote.id)).toEqual(quote);
    expect(await pageAsShown(quote)).toBe(pageBefore);
    expect(sha256(await s.pdf(quote.id))).toBe(quote.contentHash);
    const newDefault = await s.newTemplate({ name: "New default", isDefault: true });
    expect((await s.deleteTemplate(template.id)).status).toBe(204);
    expect(await pageAsShown(quote)).toBe(pageBefore);
    expect(await s.getQuote(quote.id)).toEqual(quote);

    // A revision is a draft again: it still names the deleted template, and is published with the default.
    const revision = await expectStatus(s.revise(quote.id), 201);
    expect(revision).toMatchObject({ templateId: template.id, terms: "Payable within 30 days." });
    expect(revision.template).toBeUndefined();
    expect(await s.publish(revision.id)).toMatchObject({
      templateId: newDefault.id,
      template: { id: newDefault.id, name: "New default" },
    });
  });

  it("the page follows the frozen template: its accent colour, header and footer text (escaped), and only the sections it shows", async () => {
    const s = await shopWith("Page Template Shop");
    await s.branding({ brandColor: "#112233", footerText: "Merchant footer" });
    const full = await s.publish((await expectStatus(s.createQuote({ terms: "Net 30" }), 201)).id);
    const plain = await page(full);
    expect(plain).toContain("--brand:#112233");
    for (const shown of [
      "Merchant footer",
      "Design sprint",
      "Payment plan",
      "Net 30",
      "Thanks for considering us.",
      "Signatures",
      "Cora Counter: not signed yet",
    ])
      expect(plain).toContain(shown);

    await s.newTemplate({
      name: "Minimal",
      headerText: "<b>Studio</b> & co",
      footerText: "Template footer",
      accentColor: "#aabbcc",
      sections: {
        lineItems: false,
        paymentPlan: false,
        terms: false,
        signatureBlock: false,
        comments: false,
      },
    });
    const minimal = await s.publish((await expectStatus(s.createQuote({ terms: "Net 30" }), 201)).id);
    const html = await page(minimal);
    expect(html).toContain("--brand:#aabbcc");
    expect(html).not.toContain("#112233");
    expect(html).toContain("&lt;b&gt;Studio&lt;/b&gt; &amp; co");
    expect(html).not.toContain("<b>Studio</b>");
    expect(html).toContain("Template footer");
    expect(html).not.toContain("Merchant footer");
    for (const hidden of [
      "Design sprint",
      "Payment plan",
      "Net 30",
      "Thanks for considering us.",
      "Signatures",
    ])
      expect(html, hidden).not.toContain(hidden);
    // What the buyer needs stays: the total and the sign form.
    expect(html).toContain("$3,000.00");
    expect(html).toContain('name="contentHash"');
  });

  it("the PDF follows it too: header and footer text, and only the sections it shows", async () => {
    const s = await shopWith("Pdf Template Shop");
    await s.branding({ footerText: "Merchant footer" });
    const full = await pdfText(
      await s.pdf((await s.publish((await expectStatus(s.createQuote({ terms: "Net 30" }), 201)).id)).id),
    );
    for (const shown of [
      "Merchant footer",
      "Design sprint",
      "PAYMENT PLAN",
      "Net 30",
      "COMMENTS",
      "SIGNATURES",
    ])
      expect(full).toContain(shown);

    await s.newTemplate({
      name: "Minimal",
      headerText: "Prepared by the Berlin studio",
      footerText: "Template footer",
      accentColor: "#aabbcc",
      sections: {
        lineItems: false,
        paymentPlan: false,
        terms: false,
        signatureBlock: false,
        comments: false,
      },
    });
    const text = await pdfText(
      await s.pdf((await s.publish((await expectStatus(s.createQuote({ terms: "Net 30" }), 201)).id)).id),
    );
    expect(text).toContain("Prepared by the Berlin studio");
    expect(text).toContain("Template footer");
    expect(text).toContain("$3,000.00");
    for (const hidden of [
      "Merchant footer",
      "Design sprint",
      "PAYMENT PLAN",
      "Net 30",
      "COMMENTS",
      "SIGNATURES",
    ])
      expect(text, hidden).not.toContain(hidden);
  });
});
