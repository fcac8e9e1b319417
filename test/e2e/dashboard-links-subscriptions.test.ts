/**
 * Payment links and subscriptions from the dashboard on one local runtime (sandbox), in headless
 * Chromium (issue 21 "Must be proven"): the owner builds a payment link in the editor, its page shares
 * the URL, the QR code and the embed snippet; a buyer pays through the link's hosted checkout with a
 * sandbox card and the payment shows in the dashboard. The owner starts a subscription, changes it
 * after the live proration preview (the same figures `POST /v1/subscriptions/{id}/preview-change`
 * answers) and the API shows the change. Each page at 1280 and 360 px in test-results/dashboard/,
 * checked by axe-core at both widths and for sideways scrolling.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { formatMoney } from "../../shared/domain/format.ts";
import { eventually } from "../helpers/aws.ts";
import {
  type Json,
  launchChromium,
  localRuntime,
  scrollWidth,
  seriousViolations,
} from "../helpers/browser.ts";
import { signInInBrowser } from "../helpers/dashboard.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const artefacts = resolve(repoRoot, "test-results/dashboard");
const ownerEmail = "owner@loom-links.test";

// The steps run in order and share what earlier steps made, so a failure names its step.
describe("payment links and subscriptions in the dashboard, in Chromium", () => {
  const runtime = localRuntime();
  const { running, ok, mails } = runtime;
  let browser: Browser | undefined;
  let owner: Page | undefined;
  const made = { socks: "", basic: "", pro: "", customer: "", link: "", subscription: "" };
  const base = () => running().info.apiUrl;
  const ownerPage = (): Page => {
    if (!owner) throw new Error("The owner did not sign in (see the payment link step)");
    return owner;
  };
  const notice = (page: Page) => page.getByRole("status").textContent();

  /** axe and screenshots at 1280 and 360 px; at 360 the page must not scroll sideways. */
  async function checkAndShoot(page: Page, name: string) {
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 800 });
      expect(await seriousViolations(page), `${name} at ${width} px`).toEqual([]);
      expect(await scrollWidth(page), `${name} at ${width} px`).toBeLessThanOrEqual(width);
      await page.screenshot({ path: resolve(artefacts, `${name}-${width}.png`), fullPage: true });
    }
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  afterAll(async () => {
    await browser?.close();
    await runtime.stop();
  });

  it("boots the local runtime and Chromium; seeds a merchant, products and a customer with a card", async () => {
    [browser] = await Promise.all([launchChromium(), runtime.boot()]);
    mkdirSync(artefacts, { recursive: true });
    const created = await ok(
      "/v1/merchants",
      "POST",
      { name: "Loom Links", email: ownerEmail },
      201,
      running().info.adminToken,
    );
    runtime.useKey(created.apiKey.secret);
    const product = async (name: string, unitAmount: number, recurring?: boolean) =>
      (
        await ok(
          "/v1/products",
          "POST",
          { name, unitAmount, currency: "USD", ...(recurring ? { recurring: { interval: "month" } } : {}) },
          201,
        )
      ).id as string;
    made.socks = await product("Wool socks", 1_200);
    made.basic = await product("Basic plan", 3_100, true);
    made.pro = await product("Pro plan", 6_200, true);
    made.customer = (
      await ok("/v1/customers", "POST", { email: "sam@buyer.test", name: "Sam Buyer" }, 201)
    ).id;
    await ok(
      `/v1/customers/${made.customer}/payment-methods`,
      "POST",
      { paymentMethod: "pm_card_visa" },
      201,
    );
  }, 60_000);

  it("the owner builds a payment link in the editor; its page shares the URL, QR code and embed snippet", async () => {
    if (!browser) throw new Error("Chromium did not start (see the first step)");
    owner = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    const page = owner;
    await signInInBrowser(page, base(), ownerEmail, mails);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Payment links" }).click();
    await page.getByRole("link", { name: "New payment link" }).click();
    await page.waitForURL(`${base()}/app/payment-links/new`);
    await checkAndShoot(page, "payment-link-editor");

    await page.getByLabel("Name", { exact: true }).fill("Sock drawer");
    await page.locator('[name="lineItems.0.productId"]').selectOption(made.socks);
    await page.locator('[name="lineItems.0.adjustableQuantity.min"]').fill("1");
    await page.locator('[name="lineItems.0.adjustableQuantity.max"]').fill("4");
    await page.getByLabel("Discount codes may be entered").check();
    await page.getByLabel("The buyer sees").selectOption("message");
    await page.getByLabel("Message").fill("Thank you: your socks ship on Monday.");
    await page.getByRole("button", { name: "Create payment link" }).click();
    await page.waitForURL(/\/app\/payment-links\/plink_\w+$/);
    made.link = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    expect(await notice(page)).toContain("Payment link created");

    const link = await ok(`/v1/payment-links/${made.link}`);
    expect(link).toMatchObject({
      name: "Sock drawer",
      lineItems: [{ productId: made.socks, quantity: 1, adjustableQuantity: { min: 1, max: 4 } }],
      allowDiscountCodes: true,
    });
    expect(await page.getByLabel("Link", { exact: true }).inputValue()).toBe(link.url);
    expect(await page.getByLabel("Embed snippet").inputValue()).toBe(link.embed.buttonHtml);
    const qr = page.getByRole("img", { name: `QR code of ${link.url}` });
    await qr.waitFor();
    const loaded = `(() => { const img = document.querySelector('img[src$="/qr.svg"]'); return img.complete && img.naturalWidth > 0; })()`;
    expect(await page.evaluate<boolean>(loaded)).toBe(true);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download QR code (SVG)" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/\.svg$/);
    await checkAndShoot(page, "payment-link-page");
  }, 60_000);

  it("a buyer pays through the link's hosted checkout with a sandbox card; the payment shows in the dashboard", async () => {
    if (!browser) throw new Error("Chromium did not start (see the first step)");
    const link = await ok(`/v1/payment-links/${made.link}`);
    const buyer = await (await browser.newContext()).newPage();
    await buyer.goto(link.url);
    await buyer.getByLabel("Quantity of Wool socks").fill("3");
    await buyer.getByLabel("Email", { exact: true }).fill("liv@buyer.test");
    await buyer.getByRole("button", { name: "Continue" }).click();
    await buyer.waitForURL(/\?session=cs_/);
    await buyer.getByLabel("Card number").fill("4242 4242 4242 4242");
    await buyer.getByRole("button", { name: "Pay $36.00" }).click();
    await buyer.waitForURL(/\?session=cs_[0-9A-Z]{26}$/);
    expect(await buyer.getByRole("status").textContent()).toContain("Thank you: your socks ship on Monday.");
    await buyer.context().close();

    const [session] = (await ok(`/v1/checkout-sessions?paymentLinkId=${made.link}`)).data as Json[];
    expect(session).toMatchObject({ status: "complete", total: 3_600 });
    const page = ownerPage();
    await page.goto(`${base()}/app/payments`);
    const row = page.getByRole("row").filter({ hasText: "$36.00" });
    expect(await row.textContent()).toContain("succeeded");
    await row.getByRole("link").first().click();
    await page.waitForURL(`${base()}/app/payments/${session?.paymentId}`);
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("$36.00");
    await page.goto(`${base()}/app/payment-links/${made.link}`);
    expect(await page.locator("main").textContent()).toMatch(/Checkouts completed\s*1/);
  }, 60_000);

  it("the owner starts a subscription from the dashboard, charged at once", async () => {
    const page = ownerPage();
    await page.goto(`${base()}/app/subscriptions`);
    await page.getByRole("link", { name: "New subscription" }).click();
    await page.waitForURL(`${base()}/app/subscriptions/new`);
    await checkAndShoot(page, "subscription-new");
    await page.getByLabel("Customer", { exact: true }).selectOption(made.customer);
    await page.locator('[name="items.0.productId"]').selectOption(made.basic);
    await page.getByRole("button", { name: "Create subscription" }).click();
    await page.waitForURL(/\/app\/subscriptions\/sub_\w+$/);
    made.subscription = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    expect(await notice(page)).toBe("Subscription created: Active");
    const subscription = await ok(`/v1/subscriptions/${made.subscription}`);
    expect(subscription.items).toMatchObject([{ productId: made.basic, unitAmount: 3_100 }]);
    // The first period is paid: a prorated change needs it (the API's own 409 otherwise).
    await eventually(
      async () => (await ok(`/v1/invoices/${subscription.latestInvoiceId}`)).status === "paid" || undefined,
      20_000,
    );
  }, 60_000);

  it("the owner changes it to Pro after seeing the live proration preview; the API shows the change", async () => {
    const page = ownerPage();
    await page.getByRole("link", { name: "Change items" }).click();
    await page.waitForURL(`${base()}/app/subscriptions/${made.subscription}/change`);
    const subscription = await ok(`/v1/subscriptions/${made.subscription}`);

    await page.locator('[name="items.0.productId"]').selectOption(made.pro);
    const preview = page.locator("#change-preview");
    await preview.getByRole("button", { name: "Confirm change" }).waitFor();
    // What the API previews for the same change, asked now: the next invoice's lines and amount.
    const expected = await ok(`/v1/subscriptions/${made.subscription}/preview-change`, "POST", {
      items: [{ id: subscription.items[0].id, productId: made.pro }],
    });
    const next = expected.invoices.at(-1) as Json;
    const prorations = (next.lineItems as Json[]).filter((l) => l.proration);
    expect(prorations.map((l) => l.description)).toEqual([
      expect.stringMatching(/^Unused time on Basic plan/),
      expect.stringMatching(/^Remaining time on Pro plan/),
    ]);
    const shown = (await preview.textContent()) ?? "";
    for (const line of prorations) {
      expect(shown).toContain(line.description);
      expect(shown).toContain(formatMoney(line.amountTotal, "USD"));
    }
    expect(shown).toContain(formatMoney(next.amountDue, "USD"));
    // Nothing changed yet.
    expect((await ok(`/v1/subscriptions/${made.subscription}`)).items[0].productId).toBe(made.basic);
    await checkAndShoot(page, "subscription-change-preview");

    await preview.getByRole("button", { name: "Confirm change" }).click();
    await page.waitForURL(`${base()}/app/subscriptions/${made.subscription}`);
    expect(await notice(page)).toBe("Subscription changed");
    const changed = await ok(`/v1/subscriptions/${made.subscription}`);
    expect(changed.items).toMatchObject([
      { id: subscription.items[0].id, productId: made.pro, unitAmount: 6_200 },
    ]);
    const upcoming = await ok(`/v1/subscriptions/${made.subscription}/upcoming-invoice`);
    expect((upcoming.lineItems as Json[]).filter((l) => l.proration)).toHaveLength(2);
  }, 60_000);
});
