/**
 * The hosted checkout page of a payment link (issue 13 "Must be proven") on the local runtime
 * (sandbox), in headless Chromium: a buyer changes a quantity, answers the link's custom fields and
 * pays; a declined card, then a good one; sold-out, expired and inactive links; axe-core on each
 * page a buyer meets; the page at 360 px; a whole purchase with JavaScript off; and a monthly
 * subscription bought on a test clock, renewed a month later on the card the checkout saved.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/aws.ts";
import { type Json, launchChromium, localRuntime, scrollWidth, seriousViolations } from "../helpers/browser.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const merchantEmail = "owner@knits.test";

// The steps run in order and share what earlier steps created, so a failure names its step.
describe("the checkout page of a payment link, in Chromium", () => {
  const runtime = localRuntime();
  const { running, request, ok, mailsTo } = runtime;
  let browser: Browser | undefined;
  let context: BrowserContext;
  /** The merchant's links: `bundle` sells adjustable socks and a pattern with custom fields; `single` sells once. */
  const link = { bundle: {} as Json, single: {} as Json };
  let socks: string;
  let pattern: string;
  let vat: string;
  /** The first buyer's page, from the form to the confirmation. */
  let buyer: Awaited<ReturnType<typeof newPage>> | undefined;

  const chromium = (): Browser => {
    if (!browser) throw new Error("Chromium did not start (see the first step)");
    return browser;
  };
  /** A fresh page in the shared context, its API responses checked against the OpenAPI document. */
  const newPage = async (on = context) => {
    const page = await on.newPage();
    return { page, documented: runtime.watchResponses(page) };
  };
  const currentBuyer = () => {
    if (!buyer) throw new Error("The buyer's page did not open (see the form step)");
    return buyer;
  };
  const sessionsOf = async (paymentLinkId: string) =>
    (await ok(`/v1/checkout-sessions?paymentLinkId=${paymentLinkId}`)).data as Json[];
  /** The buyer's details on the bundle's form. */
  const fillBundle = async (page: Page, details: { email: string; name: string; quantity: string }) => {
    await page.getByLabel("Quantity of Wool socks").fill(details.quantity);
    await page.getByLabel("Email", { exact: true }).fill(details.email);
    await page.getByLabel("Name (optional)").fill(details.name);
    await page.getByLabel("Gift message").fill("Happy birthday, Ola!");
    await page.getByLabel("Sock size").selectOption("M");
    await page.getByLabel("Shoe size (EU)").fill("42");
  };

  afterAll(async () => {
    await browser?.close();
    await runtime.stop();
  });

  it("boots the local runtime and Chromium", async () => {
    [browser] = await Promise.all([launchChromium(), runtime.boot()]);
    context = await chromium().newContext();
  }, 40_000);

  it("creates a sandbox merchant, two products, a 25 % tax rate and payment links through the API", async () => {
    const created = await request(
      "/v1/merchants",
      "POST",
      { name: "Nordic Knits", email: merchantEmail },
      running().info.adminToken,
    );
    expect(created.status).toBe(201);
    runtime.useKey(created.body.apiKey.secret);
    socks = (
      await ok("/v1/products", "POST", { name: "Wool socks", currency: "USD", unitAmount: 1_200 }, 201)
    ).id;
    pattern = (
      await ok("/v1/products", "POST", { name: "Knitting pattern", currency: "USD", unitAmount: 400 }, 201)
    ).id;
    vat = (await ok("/v1/tax-rates", "POST", { name: "VAT", percentage: 25, inclusive: false }, 201)).id;
    link.bundle = await ok(
      "/v1/payment-links",
      "POST",
      {
        name: "Winter bundle",
        lineItems: [
          { productId: socks, quantity: 1, adjustableQuantity: { min: 1, max: 5 } },
          { productId: pattern },
        ],
        taxRateIds: [vat],
        customFields: [
          { key: "gift", label: "Gift message", type: "text" },
          { key: "size", label: "Sock size", type: "dropdown", options: ["S", "M", "L"] },
          { key: "shoe", label: "Shoe size (EU)", type: "numeric" },
        ],
      },
      201,
    );
    expect(link.bundle.url).toMatch(new RegExp(`^${running().info.apiUrl}/l/[A-Za-z0-9_-]{16}$`));
    link.single = await ok(
      "/v1/payment-links",
      "POST",
      { name: "Pattern of the month", lineItems: [{ productId: pattern }], maxRedemptions: 1 },
      201,
    );
  });

  it("has no serious axe violation on the form; names each mistake in an announced summary and at its field, keeping what was typed", async () => {
    buyer = await newPage();
    const { page } = buyer;
    const form = await page.goto(link.bundle.url);
    expect(form?.status()).toBe(200);
    expect(await seriousViolations(page)).toEqual([]);

    // The browser's own checks pass (a valid email, a quantity in range); the server's do not.
    await page.getByLabel("Quantity of Wool socks").fill("3");
    await page.getByLabel("Email", { exact: true }).fill("Liv@Knits.test");
    await page.getByLabel("Shoe size (EU)").fill("forty-two");
    const [refused] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === "POST"),
      page.getByRole("button", { name: "Continue" }).click(),
    ]);
    expect(refused.status()).toBe(400);
    const summary = await page.getByRole("alert").textContent();
    expect(summary).toContain('Fill in "Gift message".');
    expect(summary).toContain('Fill in "Sock size".');
    expect(summary).toContain('Enter a number for "Shoe size (EU)".');
    const shoe = page.getByLabel("Shoe size (EU)");
    expect(await shoe.getAttribute("aria-invalid")).toBe("true");
    expect(await page.locator(`#${await shoe.getAttribute("aria-describedby")}`).textContent()).toBe(
      'Enter a number for "Shoe size (EU)".',
    );
    expect(await shoe.inputValue()).toBe("forty-two");
    expect(await page.getByLabel("Quantity of Wool socks").inputValue()).toBe("3");
    expect(await page.getByLabel("Email", { exact: true }).inputValue()).toBe("Liv@Knits.test");
    expect(await seriousViolations(page)).toEqual([]);
  }, 30_000);

  it("fixes the order at the buyer's quantity, priced by the server, on a card page without serious axe violation", async () => {
    const { page } = currentBuyer();
    await fillBundle(page, { email: "Liv@Knits.test", name: "Liv Lund", quantity: "3" });
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/\?session=cs_/);
    // 3 × $12.00 + $4.00 = $40.00; 25 % VAT on top: $10.00; $50.00 to pay.
    const order = await page.getByRole("table", { name: "Your order" }).textContent();
    expect(order).toContain("$40.00");
    expect(order).toContain("$10.00");
    expect(order).toContain("$50.00");
    expect(await seriousViolations(page)).toEqual([]);
  }, 30_000);

  it("sells 3 socks and a pattern with the buyer's answers: session complete, invoice paid, link redeemed once, both mails sent", async () => {
    const { page, documented } = currentBuyer();
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByRole("button", { name: "Pay $50.00" }).click();
    await page.waitForURL(/\?session=cs_[0-9A-Z]{26}$/);
    expect(await page.getByRole("status").textContent()).toBe(
      "Paid. Thank you! Your receipt goes to liv@knits.test.",
    );
    expect(await page.getByLabel("Card number").count()).toBe(0);
    await documented();
    await page.close();

    const sessions = await sessionsOf(link.bundle.id);
    expect(sessions).toHaveLength(1);
    const session = sessions.find((s) => s.email === "liv@knits.test");
    expect(session).toMatchObject({
      status: "complete",
      name: "Liv Lund",
      customFields: { gift: "Happy birthday, Ola!", size: "M", shoe: "42" },
      currency: "USD",
      subtotal: 4_000,
      taxTotal: 1_000,
      total: 5_000,
      taxRateIds: [vat],
      lineItems: [
        {
          productId: socks,
          description: "Wool socks",
          quantity: 3,
          unitAmount: 1_200,
          amountSubtotal: 3_600,
          amountTax: 900,
          amountTotal: 4_500,
        },
        {
          productId: pattern,
          description: "Knitting pattern",
          quantity: 1,
          unitAmount: 400,
          amountSubtotal: 400,
          amountTax: 100,
          amountTotal: 500,
        },
      ],
    });
    expect(await ok(`/v1/invoices/${session?.invoiceId}`)).toMatchObject({
      status: "paid",
      customerId: session?.customerId,
      total: 5_000,
      amountPaid: 5_000,
      amountRemaining: 0,
    });
    expect((await ok(`/v1/payments?invoiceId=${session?.invoiceId}`)).data).toEqual([
      expect.objectContaining({ id: session?.paymentId, status: "succeeded", amount: 5_000 }),
    ]);
    expect((await ok(`/v1/payment-links/${link.bundle.id}`)).timesRedeemed).toBe(1);

    const notice = await eventually(
      async () => (await mailsTo(merchantEmail)).find((m) => m.subject.includes("New order: Liv Lund")),
      20_000,
    );
    expect(notice.body.text).toContain("Gift message: Happy birthday, Ola!");
    expect(notice.body.text).toContain("Sock size: M");
    expect(notice.body.text).toContain("Shoe size (EU): 42");
    const confirmation = await eventually(
      async () =>
        (await mailsTo("liv@knits.test")).find((m) => m.subject.includes("Your order from Nordic Knits")),
      20_000,
    );
    expect(confirmation.subject).toContain("$50.00 paid");
    expect(confirmation.body.text).toContain("Wool socks × 3: $36.00.");
  }, 40_000);

  it("announces a declined card, then takes a good one: one payment succeeded, and the last unit sold once", async () => {
    const { page, documented } = await newPage();
    // A second buyer opens the same one-time offer before the first pays.
    const { page: late } = await newPage();
    await late.goto(link.single.url);

    await page.goto(link.single.url);
    await page.getByLabel("Email", { exact: true }).fill("mia@knits.test");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/\?session=cs_/);
    await page.getByLabel("Card number").fill("4000 0000 0000 0002");
    await page.getByRole("button", { name: "Pay $4.00" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      "Your card was declined (generic_decline). Nothing has been charged. Try another card.",
    );
    await page.getByLabel("Card number").fill("5555 5555 5555 4444");
    await page.getByRole("button", { name: "Pay $4.00" }).click();
    await page.waitForURL(/\?session=cs_[0-9A-Z]{26}$/);
    expect(await page.getByRole("status").textContent()).toContain("Paid. Thank you!");
    expect(await page.getByRole("alert").count()).toBe(0);

    // The second buyer's form, posted now, meets a sold-out offer: no session, no card form.
    await late.getByLabel("Email", { exact: true }).fill("noah@knits.test");
    const [soldOut] = await Promise.all([
      late.waitForResponse((r) => r.request().method() === "POST"),
      late.getByRole("button", { name: "Continue" }).click(),
    ]);
    expect(soldOut.status()).toBe(410);
    expect(await late.textContent("main")).toContain("This offer is sold out.");
    expect(await late.locator("form").count()).toBe(0);
    await documented();
    await Promise.all([page.close(), late.close()]);

    const sessions = await sessionsOf(link.single.id);
    expect(sessions.map((s) => [s.email, s.status])).toEqual([["mia@knits.test", "complete"]]);
    const payments = (await ok(`/v1/payments?invoiceId=${sessions[0]?.invoiceId}`)).data as Json[];
    expect(payments.map((p) => p.status).sort()).toEqual(["failed", "succeeded"]);
    expect(payments.find((p) => p.status === "succeeded")).toMatchObject({
      id: sessions[0]?.paymentId,
      amount: 400,
      method: { last4: "4444" },
    });
    expect((await ok(`/v1/payment-links/${link.single.id}`)).timesRedeemed).toBe(1);
  }, 30_000);

  it("fits a 360 px wide screen without horizontal scrolling (screenshot in test-results/checkout-360.png)", async () => {
    const narrow = await chromium().newContext({
      viewport: { width: 360, height: 780 },
      isMobile: true,
      hasTouch: true,
    });
    try {
      const page = await narrow.newPage();
      await page.goto(link.bundle.url);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(360);
      mkdirSync(resolve(repoRoot, "test-results"), { recursive: true });
      await page.screenshot({ path: resolve(repoRoot, "test-results/checkout-360.png"), fullPage: true });
      // The card page too: its table of test cards is the widest thing a buyer meets.
      await fillBundle(page, { email: "kai@knits.test", name: "Kai", quantity: "2" });
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(/\?session=cs_/);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(360);
    } finally {
      await narrow.close();
    }
  }, 30_000);

  it("completes a whole purchase with JavaScript disabled, through the plain forms", async () => {
    const noScript = await chromium().newContext({ javaScriptEnabled: false });
    try {
      const { page, documented } = await newPage(noScript);
      await page.goto(link.bundle.url);
      await fillBundle(page, { email: "nils@knits.test", name: "Nils", quantity: "2" });
      await page.getByRole("button", { name: "Continue" }).click();
      await page.waitForURL(/\?session=cs_/);
      // 2 × $12.00 + $4.00 = $28.00; 25 % VAT: $7.00; $35.00.
      await page.getByLabel("Card number").fill("4242 4242 4242 4242");
      await page.getByRole("button", { name: "Pay $35.00" }).click();
      await page.waitForURL(/\?session=cs_[0-9A-Z]{26}$/);
      expect(await page.getByRole("status").textContent()).toBe(
        "Paid. Thank you! Your receipt goes to nils@knits.test.",
      );
      await documented();
    } finally {
      await noScript.close();
    }
    const session = (await sessionsOf(link.bundle.id)).find((s) => s.email === "nils@knits.test");
    expect(session).toMatchObject({
      status: "complete",
      total: 3_500,
      customFields: { gift: "Happy birthday, Ola!", size: "M", shoe: "42" },
    });
    expect(await ok(`/v1/invoices/${session?.invoiceId}`)).toMatchObject({
      status: "paid",
      amountPaid: 3_500,
    });
    expect((await ok(`/v1/payment-links/${link.bundle.id}`)).timesRedeemed).toBe(2);
  }, 30_000);

  it("starts a monthly subscription from a link on a test clock: period 0 paid today, the next month charged to the saved card", async () => {
    const clock = await ok("/v1/test-clocks", "POST", { frozenTime: "2030-06-15T10:00:00Z" }, 201);
    const club = await ok(
      "/v1/products",
      "POST",
      { name: "Sock club", currency: "USD", unitAmount: 900, recurring: { interval: "month" } },
      201,
    );
    const clubLink = await ok(
      "/v1/payment-links",
      "POST",
      { name: "Sock club", lineItems: [{ productId: club.id }], taxRateIds: [vat], testClockId: clock.id },
      201,
    );
    const { page, documented } = await newPage();
    await page.goto(clubLink.url);
    // $9.00 + 25 % VAT = $11.25 today and every month after.
    await expect.poll(() => page.getByText("Then $11.25 per month").count()).toBe(1);
    await page.getByLabel("Email", { exact: true }).fill("sigrid@knits.test");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/\?session=cs_/);
    expect(await page.getByText("Your card will be saved for future payments").count()).toBe(1);
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByRole("button", { name: "Pay $11.25" }).click();
    await page.waitForURL(/\?session=cs_[0-9A-Z]{26}$/);
    expect(await page.getByRole("status").textContent()).toContain("Paid. Thank you!");
    await documented();
    await page.close();

    const [session] = await sessionsOf(clubLink.id);
    expect(session).toMatchObject({ status: "complete", amountDueNow: 1_125 });
    const subscription = await ok(`/v1/subscriptions/${session?.subscriptionId}`);
    expect(subscription).toMatchObject({
      status: "active",
      latestInvoiceId: session?.invoiceId,
      currentPeriodEnd: "2030-07-15T00:00:00.000Z",
    });
    expect(subscription.defaultPaymentMethodId).toMatch(/^pm_/);

    await runtime.advanceTestClock(clock.id, "2030-07-15T06:00:00.000Z");
    const billed = (await ok(`/v1/invoices?customerId=${session?.customerId}`)).data as Json[];
    expect(billed.map((i) => [i.status, i.total, i.periodStart])).toEqual([
      ["paid", 1_125, "2030-07-15T00:00:00.000Z"],
      ["paid", 1_125, "2030-06-15T00:00:00.000Z"],
    ]);
  }, 60_000);

  it("shows sold-out, expired and inactive links as a friendly 410 page with nothing to pay", async () => {
    const expiring = await ok(
      "/v1/payment-links",
      "POST",
      {
        name: "Early-bird pattern",
        lineItems: [{ productId: pattern }],
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      },
      201,
    );
    // A link cannot be given a past expiry: time passes on the runtime's clock instead.
    await runtime.advanceLocalClock(120);
    expect((await ok(`/v1/payment-links/${link.bundle.id}`, "PATCH", { active: false })).active).toBe(false);

    const { page, documented } = await newPage();
    for (const [url, reason] of [
      [link.single.url, "This offer is sold out."],
      [expiring.url, "This payment link has expired."],
      [link.bundle.url, "This payment link is no longer active."],
    ]) {
      const response = await page.goto(url);
      expect(response?.status(), reason).toBe(410);
      expect(await page.getByRole("heading", { level: 1 }).textContent()).not.toBe("");
      expect(await page.textContent("main")).toContain(reason);
      expect(await page.textContent("main")).toContain("Nothing has been charged.");
      expect(await page.locator("form, input, button").count(), reason).toBe(0);
    }
    // The three are one template: one audit covers them.
    expect(await seriousViolations(page)).toEqual([]);
    await documented();
    await page.close();
    expect(await sessionsOf(expiring.id)).toEqual([]);
  }, 30_000);
});
