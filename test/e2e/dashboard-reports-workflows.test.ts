/**
 * Reports and workflows in the dashboard on one local runtime, in headless Chromium (issue 21): the
 * owner creates a workflow from the welcome template, a buyer pays through a payment link (hosted
 * checkout, sandbox card), and the enrollment with its step log shows on the workflow's page; a step
 * edit the API refuses is shown at its control; the reports page charts the payment. Screenshots of
 * every reports and workflows page at 1280 and 360 px in test-results/dashboard/, axe at both.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/aws.ts";
import {
  type Json,
  launchChromium,
  localRuntime,
  scrollWidth,
  seriousViolations,
} from "../helpers/browser.ts";
import { signInInBrowser } from "../helpers/dashboard.ts";

const artefacts = resolve(import.meta.dirname, "../../test-results/dashboard");
const ownerEmail = "owner@linen-loft.test";
const buyerEmail = "nora@buyer.test";

describe("reports and workflows in the dashboard, in Chromium", () => {
  const runtime = localRuntime();
  const { running, ok, mails, mailsTo } = runtime;
  let browser: Browser | undefined;
  let owner: Page | undefined;
  let link: Json = {};
  let workflowId = "";
  const base = () => running().info.apiUrl;
  const ownerPage = (): Page => {
    if (!owner) throw new Error("The owner did not sign in (see the first steps)");
    return owner;
  };
  const chromium = (): Browser => {
    if (!browser) throw new Error("Chromium did not start (see the first step)");
    return browser;
  };
  const notice = (page: Page) => page.getByRole("status").textContent();

  /** axe at 1280 and 360 px, screenshots at both; the page must not scroll sideways at 360. */
  async function checkAndShoot(page: Page, name: string) {
    mkdirSync(artefacts, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await seriousViolations(page), name).toEqual([]);
    await page.screenshot({ path: resolve(artefacts, `${name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await scrollWidth(page), name).toBeLessThanOrEqual(360);
    expect(await seriousViolations(page), `${name} at 360 px`).toEqual([]);
    await page.screenshot({ path: resolve(artefacts, `${name}-360.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  afterAll(async () => {
    await browser?.close();
    await runtime.stop();
  });

  it("boots the local runtime and Chromium; a merchant with a payment link; the owner signs in", async () => {
    [browser] = await Promise.all([launchChromium(), runtime.boot()]);
    const { apiKey } = await ok(
      "/v1/merchants",
      "POST",
      { name: "Linen Loft", email: ownerEmail },
      201,
      running().info.adminToken,
    );
    runtime.useKey(apiKey.secret);
    const towel = await ok(
      "/v1/products",
      "POST",
      { name: "Linen towel", currency: "USD", unitAmount: 2_400 },
      201,
    );
    link = await ok(
      "/v1/payment-links",
      "POST",
      { name: "Towel", lineItems: [{ productId: towel.id }] },
      201,
    );
    owner = await (await browser.newContext()).newPage();
    await signInInBrowser(owner, base(), ownerEmail, mails);
  }, 40_000);

  it("the owner creates a workflow from the welcome template on the workflows page", async () => {
    const page = ownerPage();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Workflows" }).click();
    await page.waitForURL(`${base()}/app/workflows`);
    await checkAndShoot(page, "workflows-empty");
    await page.getByRole("button", { name: "Create: Welcome email after the first purchase" }).click();
    await page.waitForURL(/\/app\/workflows\/wf_\w+$/);
    workflowId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    expect(await notice(page)).toContain("Created “Welcome email after the first purchase”");
    expect(await page.getByLabel("Subject").inputValue()).toBe("Welcome, {{ customer.name }}");
    expect(await ok(`/v1/workflows/${workflowId}`)).toMatchObject({
      template: "welcome_email",
      active: true,
    });
  });

  it("a buyer pays through the payment link; the enrollment and its step log show on the workflow's page", async () => {
    const buyer = await chromium().newPage();
    await buyer.goto(link.url);
    await buyer.getByLabel("Email", { exact: true }).fill(buyerEmail);
    await buyer.getByLabel("Name (optional)").fill("Nora Buyer");
    await buyer.getByRole("button", { name: "Continue" }).click();
    await buyer.waitForURL(/\?session=cs_/);
    await buyer.getByLabel("Card number").fill("4242 4242 4242 4242");
    await buyer.getByRole("button", { name: "Pay $24.00" }).click();
    await buyer.waitForURL(/\?session=cs_[0-9A-Z]{26}$/);
    await buyer.context().close();
    await eventually(
      async () => (await mailsTo(buyerEmail)).find((m) => m.subject === "[TEST MODE] Welcome, Nora Buyer"),
      30_000,
    );
    // The email goes out before its step is recorded done: wait for the engine to finish the step.
    await eventually(async () => {
      const { data } = await ok(`/v1/workflows/${workflowId}/enrollments`);
      return data.some((e: { status: string }) => e.status === "completed");
    }, 30_000);

    const page = ownerPage();
    await page.goto(`${base()}/app/workflows/${workflowId}`);
    const row = page
      .getByRole("region", { name: "Enrollments" })
      .getByRole("row")
      .filter({ hasText: "Nora Buyer" });
    expect(await row.textContent()).toContain("completed");
    await checkAndShoot(page, "workflow");
    await row.getByRole("link", { name: /^wfe_/ }).click();
    await page.waitForURL(/\/enrollments\/\w+$/);
    const log = page.getByRole("region", { name: "Step log" });
    expect(await log.getByRole("row").nth(1).textContent()).toMatch(
      /^0Send emailcompleted.*Email to nora@buyer\.test/,
    );
    await checkAndShoot(page, "workflow-enrollment");
  }, 60_000);

  it("a step edit the API refuses shows its message at the step's field; a good one saves a new version", async () => {
    const page = ownerPage();
    await page.goto(`${base()}/app/workflows/${workflowId}`);
    await page.getByLabel("Subject").fill("Welcome, {{ customer.nickname }}");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    expect(await page.getByRole("alert").textContent()).toContain("steps.0.subject");
    expect(await page.getByLabel("Subject").getAttribute("aria-invalid")).toBe("true");
    expect(await page.getByLabel("Subject").inputValue()).toBe("Welcome, {{ customer.nickname }}");
    await checkAndShoot(page, "workflow-refused");
    expect((await ok(`/v1/workflows/${workflowId}`)).version).toBe(1);

    await page.getByLabel("Subject").fill("Welcome aboard, {{ customer.name }}");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    expect(await notice(page)).toContain("(version 2)");
    expect((await ok(`/v1/workflows/${workflowId}`)).steps[0].subject).toBe(
      "Welcome aboard, {{ customer.name }}",
    );
    await page.goto(`${base()}/app/workflows`);
    await page.getByRole("button", { name: "Disable" }).click();
    expect(await notice(page)).toContain("is disabled");
    expect((await ok(`/v1/workflows/${workflowId}`)).active).toBe(false);
    await checkAndShoot(page, "workflows");
  });

  it("the reports pages chart the payment, with the API's figures (axe, 1280 and 360 px)", async () => {
    const page = ownerPage();
    const today = new Intl.DateTimeFormat("en-CA", { timeZone: (await ok("/v1/merchant")).timeZone }).format(
      new Date(),
    );
    const gross = await eventually(async () => {
      const revenue = await ok(`/v1/reports/revenue?from=${today}&to=${today}&currency=USD`);
      return revenue.data[0]?.grossVolume === 2_400 ? revenue.data[0] : undefined;
    }, 30_000);
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Reports" }).click();
    await page.waitForURL(`${base()}/app/reports`);
    expect(await page.locator("svg.chart rect.bar-a").count()).toBe(30);
    expect(await page.locator(".stat").filter({ hasText: "Gross volume" }).textContent()).toContain("$24.00");
    expect(gross.grossVolume).toBe(2_400);
    await checkAndShoot(page, "reports-revenue");
    for (const [tab, name] of [
      ["MRR", "reports-mrr"],
      ["Receivables", "reports-receivables"],
      ["Top customers", "reports-top-customers"],
    ] as const) {
      await page.getByRole("navigation", { name: "Reports" }).getByRole("link", { name: tab }).click();
      await page.waitForLoadState();
      await checkAndShoot(page, name);
    }
    expect(await page.getByRole("link", { name: "Nora Buyer" }).count()).toBe(1);
  }, 60_000);
});
