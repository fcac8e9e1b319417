/**
 * The checkout page's live totals on the local runtime, in headless Chromium: the page's one inline
 * script runs under its CSP (allowed by its hash, fetching only from the page's origin), a changed
 * quantity and a discount code show the server's totals without leaving the page, a bad code is
 * announced in the totals' live region, and the session started then fixes the same total.
 */
import { chromium } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { assertBrowserResponseDocumented, assertFetchedDocumented } from "../helpers/contract.ts";
import { newDataDir, type RunningStack, startLocalStack } from "../helpers/local-stack.ts";

describe("the checkout page's live totals on the local runtime", () => {
  let stack: RunningStack | undefined;
  let key: string;
  let url: string;

  const running = (): RunningStack => {
    if (!stack) throw new Error("The local runtime did not start (see the first step)");
    return stack;
  };
  const request = async (path: string, method = "GET", body?: unknown, token = key) => {
    const target = `${running().info.apiUrl}${path}`;
    const response = await assertFetchedDocumented(
      method,
      target,
      await fetch(target, {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
    );
    // biome-ignore lint/suspicious/noExplicitAny: responses are asserted field by field
    return { status: response.status, body: (await response.json()) as Record<string, any> };
  };

  afterAll(async () => {
    if (stack?.child.exitCode === null) await stack.interrupt();
  });

  it("boots the local runtime", async () => {
    stack = await startLocalStack(newDataDir());
  }, 40_000);

  it("creates a link with an adjustable item, tax and discount codes", async () => {
    const created = await request(
      "/v1/merchants",
      "POST",
      { name: "Roastery", email: "owner@roastery.test" },
      running().info.adminToken,
    );
    expect(created.status).toBe(201);
    key = created.body.apiKey.secret as string;
    const beans = await request("/v1/products", "POST", { name: "Beans", unitAmount: 1299, currency: "USD" });
    const tax = await request("/v1/tax-rates", "POST", {
      name: "Sales tax",
      percentage: 10,
      inclusive: false,
    });
    expect(
      (await request("/v1/discount-codes", "POST", { code: "SPRING15", percentOff: 15, duration: "once" }))
        .status,
    ).toBe(201);
    const link = await request("/v1/payment-links", "POST", {
      name: "Beans",
      lineItems: [{ productId: beans.body.id, quantity: 2, adjustableQuantity: { min: 1, max: 5 } }],
      taxRateIds: [tax.body.id],
      allowDiscountCodes: true,
    });
    expect(link.status).toBe(201);
    url = link.body.url as string;
  });

  it("shows the server's totals as the buyer changes the quantity and the code, and the session fixes them", async () => {
    const browser = await chromium.launch({
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    try {
      const page = await browser.newPage();
      const violations: string[] = [];
      page.on("console", (message) => {
        if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
      });
      const checked: Promise<void>[] = [];
      page.on("response", (response) =>
        checked.push(assertBrowserResponseDocumented(running().info.apiUrl, response)),
      );
      await page.goto(url);
      const total = () => page.textContent('[data-t="total"]');
      // 2 × 12.99 = 25.98, 10 % tax: 28.58.
      expect(await total()).toBe("$28.58");

      await page.fill("#q0", "3");
      // 3 × 12.99 = 38.97, tax 3.90: 42.87.
      await expect.poll(total).toBe("$42.87");
      expect(await page.textContent('[data-t="line.0"]')).toBe("$38.97");
      expect(await page.isHidden("#discount-row")).toBe(true);

      await page.fill("#f-discountCode", "spring15");
      // 15 % off 38.97: 5.85; tax on 33.12: 3.31; total 36.43.
      await expect.poll(total).toBe("$36.43");
      expect(await page.isVisible("#discount-row")).toBe(true);
      expect(await page.textContent('[data-t="discount"]')).toBe("−$5.85");
      expect(await page.textContent('[data-t="discountLabel"]')).toBe("Discount (SPRING15)");

      await page.fill("#f-discountCode", "NOPE");
      await expect.poll(() => page.textContent("#totals-note")).toBe("This discount code is not valid.");
      expect(
        await page.$eval("#totals-note", (note) => note.closest("[aria-live]")?.getAttribute("aria-live")),
      ).toBe("polite");

      // Priced again (the totals did not move while the code was bad), before the form is sent.
      await page.fill("#f-discountCode", "SPRING15");
      await expect.poll(() => page.textContent("#totals-note")).toBe("Priced for your order.");
      expect(await total()).toBe("$36.43");
      await page.fill("#f-email", "buyer@roastery.test");
      await page.click("button[type=submit]");
      await page.waitForURL(/\?session=cs_/);
      expect(await page.textContent("button[type=submit]")).toBe("Pay $36.43");
      expect(violations).toEqual([]);
      await Promise.all(checked);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
