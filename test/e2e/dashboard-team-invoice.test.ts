/**
 * Two roles' journeys through the dashboard on one local runtime, in headless Chromium (issue 20):
 * the owner signs in by magic link and invites a viewer from /app/team; the viewer opens the
 * invitation from the mail, lands on /app/ and meets no write control (and the team page refuses
 * them). A member, invited by the owner's API key, creates an invoice from /app/invoices/new,
 * finalizes and sends it and records a manual payment; the API then shows it paid. axe-core on the
 * team and new-invoice pages; both at 1280 and 360 px in test-results/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { launchChromium, localRuntime, seriousViolations } from "../helpers/browser.ts";
import { signInInBrowser, signInLinkFor } from "../helpers/dashboard.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const ownerEmail = "owner@harbor-tea.test";
const viewerEmail = "viewer@harbor-tea.test";
const memberEmail = "member@harbor-tea.test";

describe("the team page and a new invoice, in Chromium", () => {
  const runtime = localRuntime();
  const { running, ok, mails } = runtime;
  let browser: Browser | undefined;
  const chromium = (): Browser => {
    if (!browser) throw new Error("Chromium did not start (see the first step)");
    return browser;
  };
  const base = () => running().info.apiUrl;
  let customerEmail = "";


  /** axe at 1280 px, then screenshots at 1280 and 360 px (the page must not scroll sideways at 360). */
  async function checkAndShoot(page: Page, name: string) {
    mkdirSync(resolve(repoRoot, "test-results"), { recursive: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(repoRoot, `test-results/${name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);
    await page.screenshot({ path: resolve(repoRoot, `test-results/${name}-360.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  /** Opens an emailed invitation link in a fresh browser and presses its button: ends on /app/. */
  async function acceptInvitation(email: string): Promise<Page> {
    const page = await (await chromium().newContext()).newPage();
    await page.goto(await signInLinkFor(email, mails));
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${base()}/app/`);
    return page;
  }

  const notice = (page: Page) => page.getByRole("status").textContent();

  afterAll(async () => {
    await browser?.close();
    await runtime.stop();
  });

  it("boots the local runtime and Chromium; makes a merchant and a customer", async () => {
    [browser] = await Promise.all([launchChromium(), runtime.boot()]);
    const { apiKey } = await ok(
      "/v1/merchants",
      "POST",
      { name: "Harbor Tea", email: ownerEmail },
      201,
      running().info.adminToken,
    );
    runtime.useKey(apiKey.secret);
    customerEmail = (await ok("/v1/customers", "POST", { email: "ada@buyer.test", name: "Ada Buyer" }, 201))
      .email;
  }, 40_000);

  it("the owner invites a viewer from the team page, which passes axe at 1280 and 360 px", async () => {
    const page = await (await chromium().newContext()).newPage();
    await signInInBrowser(page, base(), ownerEmail, mails);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Team" }).click();
    await page.waitForURL(`${base()}/app/team`);
    await checkAndShoot(page, "dashboard-team");

    await page.getByLabel("Email", { exact: true }).fill(viewerEmail);
    await page.getByLabel("Role", { exact: true }).selectOption("viewer");
    await page.getByLabel("Name").fill("Vic Viewer");
    await page.getByRole("button", { name: "Send invitation" }).click();
    await page.waitForURL(`${base()}/app/team`);
    expect(await notice(page)).toBe(`Invited ${viewerEmail} as viewer: they have a link for 7 days`);
    const row = page.getByRole("row").filter({ hasText: viewerEmail });
    expect(await row.textContent()).toContain("invited");
    expect(await row.getByLabel(`Role of ${viewerEmail}`).inputValue()).toBe("viewer");
  });

  it("the viewer opens the invitation, lands on /app/ and meets no write control; the team page refuses them", async () => {
    const page = await acceptInvitation(viewerEmail);
    expect(await page.locator(".top").textContent()).toContain(`${viewerEmail} · viewer`);
    const nav = page.getByRole("navigation", { name: "Main" });
    expect(await nav.getByRole("link", { name: "Team" }).count()).toBe(0);
    // The only forms that post are the header's sign-out buttons.
    expect(await page.locator('main form[method="post"]').count()).toBe(0);
    await nav.getByRole("link", { name: "Invoices" }).click();
    await page.waitForURL(`${base()}/app/invoices`);
    expect(await page.getByRole("link", { name: "New invoice" }).count()).toBe(0);
    expect(await page.locator('main form[method="post"]').count()).toBe(0);
    const refused = await page.goto(`${base()}/app/team`);
    expect(refused?.status()).toBe(403);
    await page.context().close();
  });

  let invoiceId = "";
  it("a member invited by the owner's API key creates an invoice from the new-invoice page (axe, 1280 and 360 px)", async () => {
    await ok("/v1/users", "POST", { email: memberEmail, role: "member", name: "Mia Member" }, 201);
    const page = await acceptInvitation(memberEmail);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Invoices" }).click();
    await page.getByRole("link", { name: "New invoice" }).click();
    await page.waitForURL(`${base()}/app/invoices/new`);
    expect(await page.getByLabel("Currency").inputValue()).toBe("USD");
    await checkAndShoot(page, "dashboard-new-invoice");

    await page
      .getByLabel("Customer", { exact: true })
      .selectOption({ label: `Ada Buyer (${customerEmail})` });
    await page.locator('[name="lineItems.0.description"]').fill("Sencha, 1 kg");
    await page.locator('[name="lineItems.0.quantity"]').fill("2");
    await page.locator('[name="lineItems.0.unitAmount"]').fill("24.50");
    await page.locator('[name="lineItems.1.description"]').fill("Delivery");
    await page.locator('[name="lineItems.1.unitAmount"]').fill("6");
    await page.getByLabel("Payment terms").selectOption("net_15");
    await page.getByRole("button", { name: "Create draft" }).click();
    await page.waitForURL(/\/app\/invoices\/inv_\w+$/);
    invoiceId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    expect(await notice(page)).toContain("Draft invoice created");
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toContain("Draft invoice");

    await page.getByRole("button", { name: "Finalize" }).click();
    expect(await notice(page)).toMatch(/^Invoice INV-\d+ finalized$/);
    await page.getByRole("button", { name: "Send" }).click();
    expect(await notice(page)).toBe(`Invoice sent to ${customerEmail}`);
    await page.getByLabel("Amount (USD)").fill("55.00");
    await page.getByRole("button", { name: "Record payment" }).click();
    expect(await notice(page)).toBe("Payment of $55.00 recorded: the invoice is paid");
    await page.context().close();
  });

  it("the API shows the invoice paid, with the lines as typed in minor units", async () => {
    const invoice = await ok(`/v1/invoices/${invoiceId}`);
    expect(invoice).toMatchObject({
      status: "paid",
      currency: "USD",
      paymentTerms: "net_15",
      total: 5500,
      amountPaid: 5500,
      amountRemaining: 0,
    });
    expect(
      invoice.lineItems.map((l: { description: string; quantity: number; unitAmount: number }) => [
        l.description,
        l.quantity,
        l.unitAmount,
      ]),
    ).toEqual([
      ["Sencha, 1 kg", 2, 2450],
      ["Delivery", 1, 600],
    ]);
    expect(invoice.customer.email).toBe(customerEmail);
  });
});
