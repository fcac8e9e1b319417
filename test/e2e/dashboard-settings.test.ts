/**
 * The settings pages on one local runtime, in headless Chromium (issue 21 §3): the owner types a new
 * brand colour on the branding page and the framed preview of the hosted invoice page follows before
 * anything is saved (the buyer's page still shows the old colour); after saving, the buyer's hosted
 * invoice page wears it, and the email preview too. axe-core and screenshots at 1280 and 360 px of
 * every settings page in test-results/dashboard/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Frame, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { launchChromium, localRuntime, seriousViolations } from "../helpers/browser.ts";
import { signInInBrowser } from "../helpers/dashboard.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const shots = resolve(repoRoot, "test-results/dashboard");
const ownerEmail = "owner@quay-roasters.test";

/** The computed background of the hosted page's masthead (the brand colour), e.g. `rgb(185, 28, 28)`. */
const mastheadColour = (where: Page | Frame) =>
  where.evaluate<string>(`getComputedStyle(document.querySelector(".masthead")).backgroundColor`);

describe("the settings pages, in Chromium", () => {
  const runtime = localRuntime();
  const { running, ok, mails } = runtime;
  let browser: Browser | undefined;
  let page: Page;
  const base = () => running().info.apiUrl;
  let hostedPath = "";

  afterAll(async () => {
    await browser?.close();
    await runtime.stop();
  });

  /** axe at 1280 px, then screenshots at 1280 and 360 px (no sideways scrolling at 360). */
  async function checkAndShoot(name: string) {
    mkdirSync(shots, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(shots, `${name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await seriousViolations(page)).toEqual([]);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);
    await page.screenshot({ path: resolve(shots, `${name}-360.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  it("boots the local runtime and Chromium; makes a merchant with an open invoice", async () => {
    [browser] = await Promise.all([launchChromium(), runtime.boot()]);
    const { apiKey } = await ok(
      "/v1/merchants",
      "POST",
      { name: "Quay Roasters", email: ownerEmail },
      201,
      running().info.adminToken,
    );
    runtime.useKey(apiKey.secret);
    const customer = await ok("/v1/customers", "POST", { email: "bo@buyer.test", name: "Bo Buyer" }, 201);
    const draft = await ok(
      "/v1/invoices",
      "POST",
      {
        customerId: customer.id,
        currency: "USD",
        lineItems: [{ description: "Espresso, 1 kg", quantity: 2, unitAmount: 2400 }],
      },
      201,
    );
    const open = await ok(`/v1/invoices/${draft.id}/finalize`, "POST");
    hostedPath = new URL(open.hostedUrl as string).pathname;
    page = await (await browser.newContext()).newPage();
    await signInInBrowser(page, base(), ownerEmail, mails);
  }, 60_000);

  it("the preview follows the brand colour as it is typed; saved, the hosted invoice page wears it", async () => {
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await page.waitForURL(`${base()}/app/settings`);
    await page.getByRole("link", { name: "Branding" }).click();
    await page.waitForURL(`${base()}/app/settings/branding`);

    const frame = page.frameLocator("#branding-preview");
    const previewFrame = () => {
      const found = page.frame({ url: /\/app\/settings\/preview/ });
      if (!found) throw new Error("No preview frame");
      return found;
    };
    await frame.locator(".masthead").waitFor();
    // No colour yet: the neutral slate.
    expect(await mastheadColour(previewFrame())).toBe("rgb(51, 65, 85)");

    await page.getByLabel("Brand colour").fill("#b91c1c");
    await expect
      .poll(async () => page.locator("#branding-preview").getAttribute("src"), { timeout: 5_000 })
      .toContain("branding.brandColor=%23b91c1c");
    await expect
      .poll(async () => mastheadColour(previewFrame()), { timeout: 5_000 })
      .toBe("rgb(185, 28, 28)");
    expect(await frame.getByRole("heading", { level: 1 }).textContent()).toBe("Invoice INV-0042");

    // Not saved yet: the buyer's page keeps the old colour.
    const buyer = await (await browser!.newContext()).newPage();
    await buyer.goto(`${base()}${hostedPath}`);
    expect(await mastheadColour(buyer)).toBe("rgb(51, 65, 85)");

    await page.getByLabel("Footer text").fill("Quay Roasters Ltd · 4 Harbour Row");
    await page.getByRole("radio", { name: "Invoice email" }).check();
    await expect
      .poll(async () => page.locator("#branding-preview").getAttribute("src"), { timeout: 5_000 })
      .toContain("view=email");
    await expect
      .poll(async () => previewFrame().locator("body").textContent(), { timeout: 5_000 })
      .toContain("Quay Roasters Ltd · 4 Harbour Row");

    await page.getByRole("button", { name: "Save branding" }).click();
    await page.waitForURL(`${base()}/app/settings/branding`);
    expect(await page.getByRole("status").textContent()).toContain("Branding saved");
    expect((await ok("/v1/merchant")).branding).toEqual({
      brandColor: "#b91c1c",
      footerText: "Quay Roasters Ltd · 4 Harbour Row",
    });

    await buyer.reload();
    expect(await mastheadColour(buyer)).toBe("rgb(185, 28, 28)");
    expect(await buyer.locator(".site-footer").textContent()).toContain("Quay Roasters Ltd · 4 Harbour Row");
    await buyer.context().close();
    await checkAndShoot("settings-branding");
  }, 60_000);

  it("every other settings page passes axe at 1280 and 360 px", async () => {
    await ok("/v1/quote-templates", "POST", { name: "Standard", headerText: "Thanks for asking" }, 201);
    const pages: [string, string][] = [
      ["/app/settings", "settings"],
      ["/app/settings/invoices", "settings-invoices"],
      ["/app/settings/subscriptions", "settings-subscriptions"],
      ["/app/settings/quote-templates", "settings-quote-templates"],
      ["/app/settings/quote-templates/new", "settings-quote-template-new"],
    ];
    for (const [path, name] of pages) {
      await page.goto(`${base()}${path}`);
      await checkAndShoot(name);
    }
  }, 60_000);
});
