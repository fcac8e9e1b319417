/**
 * The invoice and quote editors on the local runtime, in headless Chromium (issue 21 "Must be
 * proven"): the owner builds a quote with a 3-installment plan in the editor, the totals shown while
 * typing (the server's preview) are what `GET /v1/quotes/{id}` then shows, and "Create and publish"
 * publishes it; the invoice editor's live totals follow a line typed in. axe-core and screenshots of
 * the editors (new quote, new invoice, a draft invoice's edit) at 1280 and 360 px into
 * test-results/dashboard/, none scrolling sideways at 360 px.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { formatMoney } from "../../shared/domain/format.ts";
import { launchChromium, localRuntime, scrollWidth, seriousViolations } from "../helpers/browser.ts";
import { signInInBrowser } from "../helpers/dashboard.ts";

const artefacts = resolve(import.meta.dirname, "../../test-results/dashboard");
const ownerEmail = "owner@atlas-fitouts.test";

describe("the invoice and quote editors, in Chromium", () => {
  const runtime = localRuntime();
  const { running, ok, mails } = runtime;
  let browser: Browser | undefined;
  let page: Page | undefined;
  const base = () => running().info.apiUrl;
  const owner = (): Page => {
    if (!page) throw new Error("Not signed in (see the first step)");
    return page;
  };
  const ids = { customer: "", taxRate: "", draftInvoice: "" };

  /** axe and a screenshot at 1280 and at 360 px; nothing may widen the page at 360 px. */
  async function checkAndShoot(name: string) {
    const p = owner();
    mkdirSync(artefacts, { recursive: true });
    for (const [width, height] of [
      [1280, 800],
      [360, 740],
    ] as const) {
      await p.setViewportSize({ width, height });
      expect(await seriousViolations(p), `${name} at ${width} px`).toEqual([]);
      expect(await scrollWidth(p)).toBeLessThanOrEqual(width);
      await p.screenshot({ path: resolve(artefacts, `${name}-${width}.png`), fullPage: true });
    }
    await p.setViewportSize({ width: 1280, height: 800 });
  }

  /** Waits for the live totals to show `expected` (the preview answers 300 ms after the last keystroke). */
  async function totalsShowing(expected: RegExp): Promise<void> {
    const totals = owner().locator("#totals");
    await expect.poll(async () => (await totals.textContent()) ?? "", { timeout: 10_000 }).toMatch(expected);
  }

  afterAll(async () => {
    await browser?.close();
    await runtime.stop();
  });

  it("boots the runtime and Chromium; a merchant with a customer and a tax rate; the owner signs in", async () => {
    [browser] = await Promise.all([launchChromium(), runtime.boot()]);
    const { apiKey } = await ok(
      "/v1/merchants",
      "POST",
      { name: "Atlas Fit-outs", email: ownerEmail },
      201,
      running().info.adminToken,
    );
    runtime.useKey(apiKey.secret);
    ids.customer = (await ok("/v1/customers", "POST", { email: "bo@buyer.test", name: "Bo Buyer" }, 201)).id;
    ids.taxRate = (
      await ok("/v1/tax-rates", "POST", { name: "VAT", percentage: 20, inclusive: false }, 201)
    ).id;
    ids.draftInvoice = (
      await ok(
        "/v1/invoices",
        "POST",
        {
          customerId: ids.customer,
          currency: "USD",
          lineItems: [{ description: "Survey", unitAmount: 15000 }],
        },
        201,
      )
    ).id;
    page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await signInInBrowser(page, base(), ownerEmail, mails);
  }, 40_000);

  it("builds a quote with a 3-installment plan; the totals shown while typing are the API's; publishes it", async () => {
    const p = owner();
    await p.goto(`${base()}/app/quotes`);
    await p.getByRole("link", { name: "New quote" }).click();
    await p.waitForURL(`${base()}/app/quotes/new`);
    await p.getByLabel("Customer", { exact: true }).selectOption(ids.customer);
    await p.locator('[name="lineItems.0.description"]').fill("Shop fit-out");
    await p.locator('[name="lineItems.0.quantity"]').fill("2");
    await p.locator('[name="lineItems.0.unitAmount"]').fill("1250.00");
    await p.locator(`[name="lineItems.0.taxRateIds"][value="${ids.taxRate}"]`).check();
    await p.locator('[name="lineItems.1.description"]').fill("Lighting plan");
    await p.locator('[name="lineItems.1.unitAmount"]').fill("333.33");
    await p.locator('[name="lineItems.1.discount"]').fill("10%");
    await p.getByLabel("Title").fill("Flagship store");
    for (const [row, share, days] of [
      [0, "40%", "0"],
      [1, "30%", "30"],
      [2, "30%", "60"],
    ] as const) {
      await p.locator(`[name="paymentPlan.installments.${row}.share"]`).fill(share);
      await p.locator(`[name="paymentPlan.installments.${row}.dueAfterDays"]`).fill(days);
    }
    await totalsShowing(/Installment[\s\S]*At acceptance[\s\S]*60 days after/);
    const total = await p.locator("#totals [data-total]").textContent();
    const installments = await p.locator("#totals [data-installment]").allTextContents();
    await checkAndShoot("dashboard-quote-editor");

    await p.getByRole("button", { name: "Create and publish" }).click();
    await p.waitForURL(/\/app\/quotes\/quo_/);
    const id = p.url().split("/").at(-1) ?? "";
    const quote = await ok(`/v1/quotes/${id}`);
    expect(quote).toMatchObject({ status: "open", title: "Flagship store" });
    expect(total).toBe(formatMoney(quote.total, "USD"));
    expect(installments).toEqual(
      quote.paymentPlan.installments.map((i: { amount: number }) => formatMoney(i.amount, "USD")),
    );
    expect(quote.paymentPlan.installments.map((i: { percent: number }) => i.percent)).toEqual([40, 30, 30]);
    expect(await p.getByRole("status").textContent()).toContain("Quote published");
  }, 40_000);

  it("the invoice editors: live totals on a new invoice; a draft's edit shows its saved totals", async () => {
    const p = owner();
    await p.goto(`${base()}/app/invoices/new`);
    await p.getByLabel("Customer", { exact: true }).selectOption(ids.customer);
    await p.locator('[name="lineItems.0.description"]').fill("Consulting");
    await p.locator('[name="lineItems.0.quantity"]').fill("3");
    await p.locator('[name="lineItems.0.unitAmount"]').fill("95");
    await totalsShowing(/Total\s*\$285\.00/);
    await checkAndShoot("dashboard-invoice-editor");

    await p.goto(`${base()}/app/invoices/${ids.draftInvoice}`);
    await p.getByRole("link", { name: "Edit" }).click();
    await p.waitForURL(`${base()}/app/invoices/${ids.draftInvoice}/edit`);
    await totalsShowing(/Total\s*\$150\.00/);
    await checkAndShoot("dashboard-invoice-edit");
  }, 40_000);
});
