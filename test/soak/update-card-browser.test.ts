/**
 * The buyer's update-card page on the local runtime (sandbox), in headless Chromium: the link Kassa
 * mails opens the merchant's page with the card on file, a declined card shows its error and saves
 * nothing, `4000 0000 0000 0341` saves and becomes the default the API then reports.
 */
import { afterAll, describe, expect, it } from "vitest";
import { table } from "../../infra/table.ts";
import { updateCardLinkPorts } from "../../shared/composition.ts";
import { updateCardLink } from "../../shared/customers/update-card.ts";
import { systemClock } from "../../shared/domain/clock.ts";
import { launchChromium, localRuntime } from "../helpers/browser.ts";

// The steps run in order and share what earlier steps created, so a failure names its step.
describe("the update-card page on the local runtime", () => {
  const runtime = localRuntime();
  const { running, request } = runtime;
  let merchantId: string;
  let customerId: string;
  let firstMethod: string;
  let link: string;

  afterAll(runtime.stop);

  it("boots the local runtime", async () => {
    await runtime.boot();
  }, 40_000);

  it("creates a merchant and a customer with a saved card", async () => {
    const created = await request("/v1/merchants", "POST", { name: "Tea Club", email: "owner@tea.test" }, running().info.adminToken);
    expect(created.status).toBe(201);
    runtime.useKey(created.body.apiKey.secret);
    merchantId = created.body.merchant.id as string;
    const customer = await request("/v1/customers", "POST", { email: "member@tea.test", name: "Mia Member" });
    customerId = customer.body.id as string;
    const saved = await request(`/v1/customers/${customerId}/payment-methods`, "POST", { paymentMethod: "pm_card_visa" });
    expect(saved.status).toBe(201);
    firstMethod = saved.body.id as string;
  });

  it("mints the customer's link, as the renewal-failure email does", async () => {
    // The link function writes to the runtime's table, as the functions it runs would.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: running().info.endpoints.dynamodb,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      TABLE_NAME: table.localName,
      PUBLIC_BASE_URL: running().info.apiUrl,
    });
    link = await updateCardLink(updateCardLinkPorts(systemClock), merchantId, customerId);
    expect(link).toMatch(new RegExp(`^${running().info.apiUrl}/c/[A-Za-z0-9_-]{32}/payment-method$`));
  });

  it("shows the card on file, refuses a declined card, then saves 4000 0000 0000 0341 as the default", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const responsesDocumented = runtime.watchResponses(page);
      await page.goto(link);
      expect(await page.textContent("body")).toContain("TEST MODE");
      expect(await page.textContent(".merchant-name")).toBe("Tea Club");
      expect(await page.textContent(".on-file")).toBe("Visa •••• 4242 · expires 12/2034");

      await page.fill("#card", "4000 0000 0000 0002");
      await page.click("button[type=submit]");
      await expect.poll(() => page.textContent("[role=alert]")).toContain("declined");
      expect(await page.textContent(".on-file")).toBe("Visa •••• 4242 · expires 12/2034");

      await page.fill("#card", "4000 0000 0000 0341");
      await page.click("button[type=submit]");
      await page.waitForURL(/\?saved=1$/);
      expect(await page.textContent("[role=status]")).toContain("your new card is saved");
      expect(await page.textContent(".on-file")).toBe("Visa •••• 0341 · expires 12/2034");
      await responsesDocumented();
    } finally {
      await browser.close();
    }
    const customer = await request(`/v1/customers/${customerId}`);
    expect(customer.body.defaultPaymentMethodId).not.toBe(firstMethod);
    const methods = await request(`/v1/customers/${customerId}/payment-methods`);
    expect(methods.body.data).toHaveLength(2);
    expect(methods.body.data.find((m: { id: string }) => m.id === customer.body.defaultPaymentMethodId)).toMatchObject({
      type: "card",
      card: { brand: "visa", last4: "0341" },
    });
  }, 60_000);
});
