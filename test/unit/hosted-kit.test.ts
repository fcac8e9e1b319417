/**
 * The hosted-page kit on its own, with no invoice in sight: the theme's one brand-colour and contrast
 * check, the page shell's CSP, the branded frame's TEST MODE band, and the pay-form flow driving a
 * payable that is not an invoice (what a quote or checkout page will hand it).
 */
import { createHash } from "node:crypto";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fixedClock } from "../../shared/domain/clock.ts";
import { PaymentDeclinedError } from "../../shared/domain/errors.ts";
import { brandedPage } from "../../shared/hosted/branded.ts";
import { htmlPage } from "../../shared/hosted/page.ts";
import { formToken, type PayFormSubject, payFormPage, submitPayForm } from "../../shared/hosted/pay-form.ts";
import {
  accentText,
  brandColorOf,
  neutralBrand,
  textOn,
  validBrandColor,
} from "../../shared/hosted/theme.ts";
import type { Merchant } from "../../shared/merchants/merchant.ts";

const merchant: Merchant = {
  id: "mer_kit",
  name: "Harbour Joinery",
  email: "office@harbour.example",
  timeZone: "Europe/Berlin",
  defaultCurrency: "EUR",
  branding: { brandColor: "#7C2D12", footerText: "Harbour Joinery GmbH" },
  invoiceNumberPrefix: "HJ",
  defaultPaymentTerms: "net_15",
  processor: "sandbox",
  createdAt: "2026-01-05T08:00:00.000Z",
  updatedAt: "2026-01-05T08:00:00.000Z",
};

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("base64");
const styleOf = (html: string) => /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? "";

describe("theme", () => {
  it("accepts only #rrggbb brand colours, lower-cased, and falls back to the neutral slate", () => {
    expect(validBrandColor("#7C2D12")).toBe("#7c2d12");
    for (const bad of ["red", "#fff", "#7c2d12;}", " #7c2d12", undefined, 7])
      expect(validBrandColor(bad)).toBeUndefined();
    expect(brandColorOf(merchant)).toBe("#7c2d12");
    expect(brandColorOf({ branding: { brandColor: "#fff;}</style>" } })).toBe(neutralBrand);
  });

  it("keeps brand-coloured text readable: a pale brand gives neutral links and dark text on the brand", () => {
    expect(accentText("#7c2d12")).toBe("#7c2d12");
    expect(accentText("#fde047")).toBe(neutralBrand);
    expect(textOn("#fde047")).toBe("#111827");
    expect(textOn("#7c2d12")).toBe("#ffffff");
  });
});

describe("page shell", () => {
  it("allows exactly its style block by hash, is never indexed or cached unless it says so", () => {
    const page = htmlPage({ title: "A <b> page", style: "body{color:red}", body: "<p>hi</p>" });
    expect(page.headers["content-security-policy"]).toBe(
      `default-src 'none'; style-src 'sha256-${sha256("body{color:red}")}'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    expect(page.headers["cache-control"]).toBe("no-store");
    expect(page.html).toContain("<title>A &lt;b&gt; page</title>");
    expect(page.html).toContain('<meta name="robots" content="noindex, nofollow">');
    expect(htmlPage({ title: "Docs", style: "", body: "", indexable: true }).html).not.toContain("robots");
  });

  it("allows a page's one inline script by its hash, fetching from its own origin only", () => {
    const script = 'document.title="x"';
    const page = htmlPage({ title: "Live", style: "body{color:red}", body: "<p>hi</p>", script });
    expect(page.headers["content-security-policy"]).toBe(
      `default-src 'none'; style-src 'sha256-${sha256("body{color:red}")}'; script-src 'sha256-${sha256(script)}'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
    expect(page.html).toContain(`<p>hi</p>\n<script>${script}</script>\n</body>`);
  });
});

describe("branded frame", () => {
  it("says TEST MODE first for a test-mode merchant, and its styles and the page's share one hashed block", () => {
    const page = brandedPage({
      merchant,
      locale: "en-US",
      title: "Quote Q-7",
      testModeNotice: "TEST MODE · sandbox quote",
      style: ".quote{color:var(--accent)}",
      main: "<p class=quote>Quote</p>",
    });
    expect(page.html.indexOf("TEST MODE · sandbox quote")).toBeLessThan(
      page.html.indexOf('<header class="masthead">'),
    );
    expect(page.html).toContain('<span class="mark" aria-hidden="true">HJ</span>');
    expect(page.html).toContain('<footer class="site-footer"><p>Harbour Joinery GmbH</p></footer>');
    const style = styleOf(page.html);
    expect(style).toContain("--brand:#7c2d12");
    expect(style.endsWith(".quote{color:var(--accent)}")).toBe(true);
    expect(page.headers["content-security-policy"]).toContain(`'sha256-${sha256(style)}'`);

    const live = brandedPage({
      locale: "en-US",
      title: "Q",
      testModeNotice: "TEST MODE",
      style: "",
      main: "",
      merchant: { ...merchant, processor: "stripe", stripeLivemode: true },
    });
    expect(live.html).not.toContain("TEST MODE");
  });
});

describe("pay form with a payable that is not an invoice", () => {
  const secret = "kit-test-cursor-secret-0123456789";
  const clock = fixedClock(new Date("2026-03-02T10:00:00.000Z"));
  const now = Math.floor(clock.now().getTime() / 1000);
  const context = {
    token: "qt_kit_token",
    backUrl: "/q/qt_kit_token",
    publicBaseUrl: "https://pay.kassa.test",
    clock,
    cardAttempts: {
      take: async () => ({ taken: true as const, slot: { giveBack: async () => {} } }),
      retryAfter: async () => undefined,
    },
  };

  beforeEach(() => {
    vi.stubEnv("CURSOR_SECRET", secret);
    vi.stubEnv("SANDBOX", "enabled");
  });
  afterEach(() => vi.unstubAllEnvs());

  /** A quote whose charges are recorded; `decline` makes the card decline. */
  const quote = (overrides: Partial<PayFormSubject> = {}, decline = false) => {
    const charged: string[] = [];
    const payable: PayFormSubject = {
      merchant,
      locale: "en-US",
      kind: "quote",
      number: "Q-7",
      amountDue: 125_000,
      currency: "EUR",
      payable: true,
      charge: async (card) => {
        if (decline)
          throw new PaymentDeclinedError("insufficient_funds", "Your card has insufficient funds.");
        charged.push(card);
      },
      checkout: async () => ({ url: "https://checkout.example/never" }),
      ...overrides,
    };
    return { payable, charged };
  };
  const post = (body: string): APIGatewayProxyEventV2 =>
    ({
      body,
      isBase64Encoded: false,
      headers: { host: "pay.kassa.test" },
    }) as unknown as APIGatewayProxyEventV2;

  it("renders the sandbox card page naming the quote, and charges its card once on a signed post", async () => {
    const { payable, charged } = quote();
    const page = await payFormPage(payable, context);
    expect(page.status).toBe(200);
    const html = page.raw?.body ?? "";
    expect(html).toContain("<div>Quote Q-7</div>");
    expect(html).toContain("TEST MODE · sandbox card page");
    expect(html).toContain('href="/q/qt_kit_token">Back to the quote</a>');

    const token = formToken(secret, context.token, now);
    const paid = await submitPayForm(
      payable,
      context,
      post(`formToken=${encodeURIComponent(token)}&card=4242+4242+4242+4242`),
    );
    expect(paid.status).toBe(303);
    expect(paid.headers.location).toBe("/q/qt_kit_token?paid=1");
    expect(charged).toEqual(["4242424242424242"]);
  });

  it("reads in the buyer's locale: words, amount, test cards and the page's lang", async () => {
    const { payable } = quote({ locale: "nb-NO", savesCard: "quote" });
    const html = (await payFormPage(payable, context)).raw?.body ?? "";
    expect(html).toContain('<html lang="nb-NO">');
    expect(html).toContain("<title>Betal Q-7</title>");
    expect(html).toContain("<div>Tilbud Q-7</div>");
    expect(html).toContain('<div class="amount">1\u00a0250,00\u00a0€</div>');
    expect(html).toContain('<label for="card">Kortnummer</label>');
    expect(html).toContain("Kortet ditt lagres for de senere betalingene av dette tilbudet.");
    expect(html).toContain('<button type="submit">Betal 1\u00a0250,00\u00a0€</button>');
    expect(html).toContain('href="/q/qt_kit_token">Tilbake til tilbudet</a>');
    expect(html).toContain("<caption>Testkort i sandkassen</caption>");
    expect(html).toContain("<td>avvises (insufficient_funds)</td>");
    expect(html).not.toContain("Pay ");
  });

  it("refuses a forged or foreign form token and charges nothing", async () => {
    const { payable, charged } = quote();
    const foreign = formToken(secret, "another_page", now);
    const refused = await submitPayForm(
      payable,
      context,
      post(`formToken=${encodeURIComponent(foreign)}&card=4242424242424242`),
    );
    expect(refused.status).toBe(403);
    expect(charged).toEqual([]);
  });

  it("sends the buyer back when nothing is payable, and shows a decline on the form", async () => {
    const closed = quote({ payable: false });
    expect((await payFormPage(closed.payable, context)).headers.location).toBe("/q/qt_kit_token");

    const declined = quote({}, true);
    const token = formToken(secret, context.token, now);
    const answer = await submitPayForm(
      declined.payable,
      context,
      post(`formToken=${encodeURIComponent(token)}&card=4000000000009995`),
    );
    expect(answer.status).toBe(402);
    expect(answer.raw?.body ?? "").toContain(
      "Your card was declined (insufficient_funds). Try another card.",
    );
    expect(declined.charged).toEqual([]);
  });
});
