/**
 * The buyer's quote page `/q/{token}` (issue 14 "Must be proven") on the local runtime (sandbox), in
 * headless Chromium: the buyer signs, each countersigner opens the link mailed to them and
 * countersigns, and the quote is accepted with every signature bound to the SHA-256 of its PDF;
 * decline with a reason; an expired link on a test clock; a stale tab after a revision refused and
 * pointed at the new version; axe-core on each page a buyer meets; a 360 px phone; a form refused
 * after its 30 minutes keeping what was typed; a whole sign flow without JavaScript; the first of
 * three installments signed and paid on the page (axe on the pay page too), the other two charged by
 * the customer's test clock on the saved card, each with its receipt.
 */
import { createHash } from "node:crypto";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/aws.ts";
import { type Json, launchChromium, localRuntime, scrollWidth, seriousViolations } from "../helpers/browser.ts";

const buyerEmail = "ada@buyer.test";

// The steps run in order and share what earlier steps created, so a failure names its step.
describe("the buyer's quote page, in Chromium", () => {
  const runtime = localRuntime();
  const { running, request, ok, mailsTo } = runtime;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let secret = "";
  let customerId = "";

  const chromium = (): Browser => {
    if (!browser) throw new Error("Chromium did not start (see the first step)");
    return browser;
  };
  /** A fresh page, its API responses checked against the OpenAPI document. */
  const newPage = async (on = context) => {
    const page = await on.newPage();
    return { page, documented: runtime.watchResponses(page) };
  };
  /** A published quote of $3,000.00 in two installments for `customer`. */
  const publish = async (body: Json = {}, customer = customerId) => {
    const draft = await ok(
      "/v1/quotes",
      "POST",
      {
        customerId: customer,
        currency: "USD",
        title: "Website rebuild",
        lineItems: [{ description: "Design", quantity: 2, unitAmount: 150_000 }],
        terms: "Net 30. Work starts on acceptance.",
        paymentPlan: {
          installments: [
            { percent: 30, dueAfterDays: 0 },
            { percent: 70, dueAfterDays: 30 },
          ],
        },
        ...body,
      },
      201,
    );
    return ok(`/v1/quotes/${draft.id}/publish`, "POST");
  };
  /** The page's main text. */
  const mainText = async (page: Page) => (await page.textContent("main")) ?? "";
  /** Types the name, ticks the consent and presses Sign (or Countersign's Sign). */
  const signAs = async (page: Page, name: string) => {
    await page.getByLabel("Your full name").fill(name);
    await page.getByLabel(/I agree this typed name is my electronic signature/).check();
    await page.getByRole("button", { name: "Sign", exact: true }).click();
  };
  /** The countersign link Kassa mailed `email` for quote `number`. */
  const countersignLink = async (email: string, number: string) => {
    const mail = await eventually(
      async () => (await mailsTo(email)).find((m) => m.subject.includes(`Quote ${number} is signed`)),
      20_000,
    );
    const link = /https?:\/\/\S+\/q\/[A-Za-z0-9_-]+\/countersign\/[A-Za-z0-9_-]+/.exec(mail.body.text)?.[0];
    if (!link) throw new Error(`No countersign link in the mail to ${email}: ${mail.body.text}`);
    return link;
  };
  /** SHA-256 (hex) of the bytes `GET /v1/quotes/{id}/pdf` returns. */
  const pdfHash = async (quoteId: string) => {
    const response = await fetch(`${running().info.apiUrl}/v1/quotes/${quoteId}/pdf`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/pdf");
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    return createHash("sha256").update(bytes).digest("hex");
  };
  const noFormsOn = async (page: Page) => expect(await page.locator("form, input, textarea").count()).toBe(0);

  afterAll(async () => {
    await browser?.close();
    await runtime.stop();
  });

  it("boots the local runtime and Chromium; a sandbox merchant and its buyer", async () => {
    [browser] = await Promise.all([launchChromium(), runtime.boot()]);
    context = await chromium().newContext();
    const created = await request(
      "/v1/merchants",
      "POST",
      { name: "Pixel Works", email: "owner@pixel.test" },
      running().info.adminToken,
    );
    expect(created.status).toBe(201);
    secret = created.body.apiKey.secret;
    runtime.useKey(secret);
    customerId = (await ok("/v1/customers", "POST", { email: buyerEmail, name: "Ada Buyer" }, 201)).id;
  }, 40_000);

  it("the buyer signs, each countersigner signs from the link mailed to them: accepted, every signature on the PDF's SHA-256", async () => {
    const quote = await publish({
      countersigners: [
        { name: "Carol Seller", email: "carol@pixel.test" },
        { name: "Dan Seller", email: "dan@pixel.test" },
      ],
    });
    const { page, documented } = await newPage();
    expect((await page.goto(quote.hostedUrl))?.status()).toBe(200);
    const shown = await mainText(page);
    for (const text of [quote.number, "Website rebuild", "$3,000.00", "$900.00", "$2,100.00", "Net 30."])
      expect(shown).toContain(text);
    expect(await seriousViolations(page), "the open page").toEqual([]);
    // What the buyer downloads is what they sign: the PDF link's bytes hash to the hash the consent names.
    const href = await page.getByRole("link", { name: "Download the quote (PDF)" }).getAttribute("href");
    const download = await page.request.get(new URL(href ?? "", page.url()).href);
    expect(download.headers()["content-type"]).toBe("application/pdf");
    const downloaded = createHash("sha256")
      .update(await download.body())
      .digest("hex");
    expect(
      await page.getByLabel(/I agree this typed name/).evaluate((e) => e.parentElement?.textContent),
    ).toContain(`its PDF's SHA-256 is ${downloaded}`);

    await signAs(page, "Ada Buyer");
    await page.waitForURL(/\?done=signed$/);
    expect(await page.getByRole("status").textContent()).toContain("your signature is recorded");
    expect(await mainText(page)).toContain("waiting for Pixel Works's countersignature");
    await noFormsOn(page);
    expect(await seriousViolations(page), "the signed page").toEqual([]);
    const userAgent = await page.evaluate<string>("navigator.userAgent");

    for (const [name, email] of [
      ["Carol Seller", "carol@pixel.test"],
      ["Dan Seller", "dan@pixel.test"],
    ] as const) {
      await page.goto(await countersignLink(email, quote.number));
      expect(await page.getByRole("heading", { name: `Countersign as ${name}` }).count()).toBe(1);
      if (name === "Carol Seller") expect(await seriousViolations(page), "the countersign page").toEqual([]);
      // A countersigner signs; only the buyer declines.
      expect(await page.getByRole("button", { name: "Decline" }).count()).toBe(0);
      await signAs(page, name);
      await page.waitForURL(/\?done=countersigned$/);
      expect(await page.getByRole("status").textContent()).toContain("your countersignature is recorded");
    }

    await page.goto(quote.hostedUrl);
    expect(await mainText(page)).toContain("This quote was accepted on");
    await noFormsOn(page);
    expect(await seriousViolations(page), "the accepted page").toEqual([]);
    await documented();
    await page.close();

    const hash = await pdfHash(quote.id);
    expect(downloaded).toBe(hash);
    const accepted = await ok(`/v1/quotes/${quote.id}`);
    expect(accepted.contentHash).toBe(hash);
    expect(accepted.status).toBe("accepted");
    expect(accepted.acceptedAt).toBe(accepted.signatures[2].signedAt);
    expect(accepted.signatures).toEqual(
      [
        ["Ada Buyer", buyerEmail, "buyer"],
        ["Carol Seller", "carol@pixel.test", "countersigner"],
        ["Dan Seller", "dan@pixel.test", "countersigner"],
      ].map(([name, email, role]) => ({
        name,
        email,
        role,
        signedAt: expect.any(String),
        ip: expect.stringMatching(/^[\d.:a-f]+$/),
        userAgent,
        contentHash: hash,
      })),
    );
  }, 40_000);

  it("on a 360 px phone: no horizontal scrolling; a form left open past its 30 minutes is refused (403) keeping what was typed; declines with the buyer's reason", async () => {
    const quote = await publish();
    const phone = await chromium().newContext({
      viewport: { width: 360, height: 780 },
      isMobile: true,
      hasTouch: true,
    });
    const { page, documented } = await newPage(phone);
    await page.goto(quote.hostedUrl);
    // The consent names the PDF's 64-digit hash: it wraps instead of widening the page.
    expect(await scrollWidth(page)).toBeLessThanOrEqual(360);

    /** Presses `button` on a form whose token has outlived its 30 minutes: the page again, saying so. */
    const pressLate = async (button: string) => {
      await runtime.advanceLocalClock(31 * 60);
      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST"),
        page.getByRole("button", { name: button, exact: true }).click(),
      ]);
      expect(refused.status()).toBe(403);
      expect(await page.getByRole("alert").textContent()).toBe("This form has expired. Please try again.");
    };
    await page.getByLabel("Your full name").fill("Ada Buyer");
    await page.getByLabel(/I agree this typed name is my electronic signature/).check();
    await pressLate("Sign");
    expect(await page.getByLabel("Your full name").inputValue()).toBe("Ada Buyer");
    expect(await page.getByLabel(/I agree this typed name/).isChecked()).toBe(true);
    await page.getByLabel("Reason (optional)").fill("Over budget this quarter");
    await pressLate("Decline");
    expect(await page.getByLabel("Reason (optional)").inputValue()).toBe("Over budget this quarter");
    expect((await ok(`/v1/quotes/${quote.id}`)).status).toBe("open");
    await page.getByRole("button", { name: "Decline" }).click();
    await page.waitForURL(/\?done=declined$/);
    expect(await page.getByRole("status").textContent()).toBe("You declined this quote.");
    expect(await mainText(page)).toContain("This quote was declined on");
    await noFormsOn(page);
    expect(await seriousViolations(page), "the declined page").toEqual([]);
    await documented();
    await phone.close();
    expect(await ok(`/v1/quotes/${quote.id}`)).toMatchObject({
      status: "declined",
      declineReason: "Over budget this quarter",
    });
  }, 30_000);

  it("an expired link (the customer's test clock past expiresAt) says so, offers no form, and a tab opened before takes nothing", async () => {
    const clock = await ok("/v1/test-clocks", "POST", { frozenTime: "2030-03-01T10:00:00Z" }, 201);
    const clocked = await ok(
      "/v1/customers",
      "POST",
      { email: "eve@buyer.test", name: "Eve Buyer", testClockId: clock.id },
      201,
    );
    const quote = await publish({ expiresAt: "2030-03-08T10:00:00Z" }, clocked.id);
    const { page, documented } = await newPage();
    await page.goto(quote.hostedUrl);
    expect(await page.getByRole("button", { name: "Sign", exact: true }).count()).toBe(1);

    await runtime.advanceTestClock(clock.id, "2030-03-09T10:00:00.000Z");
    expect((await ok(`/v1/quotes/${quote.id}`)).status).toBe("expired");
    // The tab still shows the form it was given before the expiry.
    await signAs(page, "Eve Buyer");
    await page.waitForURL(`${quote.hostedUrl}/sign`);
    expect(await page.getByRole("alert").textContent()).toBe("This quote is expired");
    // On the customer's clock: the day the expiry fired there, not today.
    expect(await mainText(page)).toMatch(/This quote expired on Mar [89], 2030\./);
    await noFormsOn(page);

    expect((await page.goto(quote.hostedUrl))?.status()).toBe(200);
    expect(await mainText(page)).toContain("This quote expired on");
    await noFormsOn(page);
    expect(await seriousViolations(page), "the expired page").toEqual([]);
    await documented();
    await page.close();
    expect((await ok(`/v1/quotes/${quote.id}`)).signatures).toBeUndefined();
  }, 40_000);

  it("without JavaScript: a stale tab after a revision is refused and points to the new version, which is signed and countersigned to accepted", async () => {
    const original = await publish({ countersigners: [{ name: "Carol Seller", email: "carol@pixel.test" }] });
    const noScript = await chromium().newContext({ javaScriptEnabled: false });
    let revision: Json = {};
    try {
      const { page, documented } = await newPage(noScript);
      await page.goto(original.hostedUrl);

      // The merchant revises the quote and publishes the revision while the tab stays open.
      const draft = await ok(`/v1/quotes/${original.id}/revise`, "POST", undefined, 201);
      await ok(`/v1/quotes/${draft.id}`, "PATCH", {
        lineItems: [{ description: "Design", quantity: 3, unitAmount: 150_000 }],
      });
      revision = await ok(`/v1/quotes/${draft.id}/publish`, "POST");
      expect(revision.number).toBe(`${original.number}-2`);

      const [refused] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST"),
        signAs(page, "Ada Buyer"),
      ]);
      expect(refused.status()).toBe(409);
      expect(await page.getByRole("alert").textContent()).toBe(
        "This quote was replaced by a newer version: open the new link you were sent",
      );
      expect(await mainText(page)).toContain("This quote was replaced by a newer version.");
      await noFormsOn(page);
      expect((await ok(`/v1/quotes/${original.id}`)).signatures).toBeUndefined();

      await page.getByRole("link", { name: "See the newer version" }).click();
      await page.waitForURL(revision.hostedUrl);
      expect(await mainText(page)).toContain("$4,500.00");
      await signAs(page, "Ada Buyer");
      await page.waitForURL(/\?done=signed$/);
      await page.goto(await countersignLink("carol@pixel.test", revision.number));
      await signAs(page, "Carol Seller");
      await page.waitForURL(/\?done=countersigned$/);
      expect(await page.getByRole("status").textContent()).toContain("your countersignature is recorded");
      await documented();
    } finally {
      await noScript.close();
    }
    const hash = await pdfHash(revision.id);
    const accepted = await ok(`/v1/quotes/${revision.id}`);
    expect(accepted.status).toBe("accepted");
    expect(accepted.signatures.map((s: Json) => [s.role, s.contentHash])).toEqual([
      ["buyer", hash],
      ["countersigner", hash],
    ]);
    expect((await ok(`/v1/quotes/${original.id}`)).status).toBe("superseded");
  }, 40_000);

  it("signs and pays the first of three installments on the page; the customer's test clock charges the other two on the saved card, each with its receipt", async () => {
    const start = "2031-01-06T10:00:00Z";
    const clock = await ok("/v1/test-clocks", "POST", { frozenTime: start }, 201);
    const grace = "grace@buyer.test";
    const clocked = await ok(
      "/v1/customers",
      "POST",
      { email: grace, name: "Grace Buyer", testClockId: clock.id },
      201,
    );
    const quote = await publish(
      {
        collectPayment: true,
        paymentPlan: {
          installments: [
            { percent: 40, dueAfterDays: 0 },
            { percent: 30, dueAfterDays: 30 },
            { percent: 30, dueAfterDays: 60 },
          ],
        },
      },
      clocked.id,
    );
    expect(quote.upfrontTotal).toBe(300_000);
    const { page, documented } = await newPage();
    await page.goto(quote.hostedUrl);
    await signAs(page, "Grace Buyer");
    await page.waitForURL(/\?done=accepted$/);
    // The billing queue issues installment 1's invoice on quote.accepted, moments after the signature.
    const payNow = page.getByRole("link", { name: "Pay $1,200.00 now" });
    await eventually(async () => {
      if (await payNow.count()) return true;
      await page.reload();
      return undefined;
    }, 20_000);
    expect(await mainText(page)).toContain("installment 1 of 3");
    await payNow.click();
    await page.waitForURL(`${quote.hostedUrl}/pay`);
    expect(await mainText(page)).toContain("saved for the later payments");
    expect(await seriousViolations(page), "the pay page").toEqual([]);
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByRole("button", { name: "Pay $1,200.00" }).click();
    await page.waitForURL(`${quote.hostedUrl}?paid=1`);
    expect(await page.getByRole("status").textContent()).toBe(
      "Thank you: your payment went through. A receipt is on its way to you by email.",
    );
    expect(await mainText(page)).toContain("Paid: $1,200.00. Thank you.");
    expect(await mainText(page)).toContain(
      "Each later installment is charged to your saved card on its due date.",
    );
    await documented();
    await page.close();

    /** The plan once every invoice.paid so far has reached it. */
    const planWith = (paid: number) =>
      eventually(async () => {
        const plan = (await ok(`/v1/quotes/${quote.id}`)).paymentPlan;
        return plan.installments.filter((i: Json) => i.status === "paid").length === paid ? plan : undefined;
      }, 20_000);
    expect((await planWith(1)).status).toBe("active");
    const day = (n: number) => new Date(Date.parse(start) + n * 86_400_000 + 3_600_000).toISOString();
    await runtime.advanceTestClock(clock.id, day(30));
    expect((await planWith(2)).installments[2].status).toBe("upcoming");
    await runtime.advanceTestClock(clock.id, day(60));
    const plan = await planWith(3);
    expect(plan.status).toBe("paid");
    const invoices = await Promise.all(plan.installments.map((i: Json) => ok(`/v1/invoices/${i.invoiceId}`)));
    expect(invoices.map((i) => [i.installment.number, i.status, i.total, i.amountPaid])).toEqual([
      [1, "paid", 120_000, 120_000],
      [2, "paid", 90_000, 90_000],
      [3, "paid", 90_000, 90_000],
    ]);
    expect(invoices.reduce((sum, i) => sum + i.amountPaid, 0)).toBe(quote.upfrontTotal);
    const receipts = await eventually(async () => {
      const mails = (await mailsTo(grace)).filter((m) => m.subject.includes("Receipt from Pixel Works"));
      return mails.length >= 3 ? mails : undefined;
    }, 20_000);
    expect(receipts.map((m) => /\$[\d,.]+ paid/.exec(m.subject)?.[0]).sort()).toEqual([
      "$1,200.00 paid",
      "$900.00 paid",
      "$900.00 paid",
    ]);
    for (const invoice of invoices)
      expect(receipts.filter((m) => m.body.text.includes(`for invoice ${invoice.number}.`))).toHaveLength(1);
  }, 60_000);
});
