/**
 * The customer portal on the local runtime (sandbox), in headless Chromium: the buyer opens the
 * portal from the link in their subscription email, cancels at period end, updates the card (through
 * the update-card page the portal sends them to) and pays an open invoice on its hosted page; a
 * receipt then sits in the history. What the merchant disallows is absent, and refused by the server.
 */
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/aws.ts";
import { launchChromium, localRuntime } from "../helpers/browser.ts";

// The steps run in order and share what earlier steps created, so a failure names its step.
describe("the customer portal on the local runtime", () => {
  const runtime = localRuntime();
  const { running, request, mailsTo } = runtime;
  let customerId: string;
  let subscriptionId: string;
  let openInvoiceId: string;
  let portalUrl: string;

  afterAll(runtime.stop);

  it("boots the local runtime", async () => {
    await runtime.boot();
  }, 40_000);

  it("creates a merchant, a customer with a card, a subscription charged to it and an open invoice", async () => {
    const created = await request("/v1/merchants", "POST", { name: "Tea Club", email: "owner@tea.test" }, running().info.adminToken);
    runtime.useKey(created.body.apiKey.secret);
    customerId = (await request("/v1/customers", "POST", { email: "member@tea.test", name: "Mia Member" })).body.id as string;
    expect((await request(`/v1/customers/${customerId}/payment-methods`, "POST", { paymentMethod: "pm_card_visa" })).status).toBe(201);
    const subscription = await request("/v1/subscriptions", "POST", {
      customerId,
      items: [{ description: "Tea of the month", unitAmount: 2_900 }],
      currency: "USD",
      interval: "month",
    });
    expect(subscription.status).toBe(201);
    subscriptionId = subscription.body.id as string;
    const draft = await request("/v1/invoices", "POST", {
      customerId,
      currency: "USD",
      lineItems: [{ description: "Teapot, cast iron", quantity: 1, unitAmount: 4_500 }],
    });
    const open = await request(`/v1/invoices/${draft.body.id}/finalize`, "POST");
    expect(open.body.status).toBe("open");
    openInvoiceId = open.body.id as string;
  });

  it("mails the buyer their portal link with the subscription's confirmation", async () => {
    const confirmation = await eventually(async () =>
      (await mailsTo("member@tea.test")).find((m) => m.subject.includes("Your subscription to Tea Club is confirmed")),
    20_000);
    portalUrl = /Manage your subscription and see your invoices in your account: (\S+)/.exec(confirmation.body.text ?? "")?.[1] ?? "";
    expect(portalUrl).toMatch(new RegExp(`^${running().info.apiUrl}/c/[A-Za-z0-9_-]{32}$`));
  }, 30_000);

  it("lets the buyer cancel at period end, update the card and pay the open invoice; pause is not offered", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const responsesDocumented = runtime.watchResponses(page);
      await page.goto(portalUrl);
      expect(await page.textContent("body")).toContain("TEST MODE");
      expect(await page.textContent(".merchant-name")).toBe("Tea Club");
      const subscription = page.locator(`[data-subscription="${subscriptionId}"]`);
      expect(await subscription.textContent()).toContain("$29.00 per month");
      expect(await subscription.locator(".next").textContent()).toMatch(/^Next billing date: /);
      // The merchant's defaults leave pause out: no button for it.
      expect(await page.getByRole("button", { name: "Pause subscription" }).count()).toBe(0);
      expect(await page.textContent(".on-file")).toBe("Visa •••• 4242 · expires 12/2034");

      await subscription.getByRole("button", { name: "Cancel at period end" }).click();
      await page.waitForURL(/\?done=canceled$/);
      expect(await page.textContent("[role=status]")).toContain("Your subscription is canceled");
      expect(await subscription.locator(".next").textContent()).toMatch(/^Cancels on /);
      expect(await subscription.getByRole("button", { name: "Cancel at period end" }).count()).toBe(0);

      await page.getByRole("button", { name: "Update card" }).click();
      await page.waitForURL(/\/c\/[A-Za-z0-9_-]{32}\/payment-method$/);
      await page.fill("#card", "5555 5555 5555 4444");
      await page.click("button[type=submit]");
      await page.waitForURL(/\?saved=1$/);
      expect(await page.textContent(".on-file")).toBe("Mastercard •••• 4444 · expires 12/2034");

      await page.goto(portalUrl);
      expect(await page.textContent(".on-file")).toBe("Mastercard •••• 4444 · expires 12/2034");
      await page.locator(`.open-invoices [data-invoice="${openInvoiceId}"]`).getByRole("link", { name: "Pay" }).click();
      await page.getByRole("link", { name: /^Pay \$45\.00$/ }).click();
      await page.fill("#card", "4242 4242 4242 4242");
      await page.click("button[type=submit]");
      await page.waitForURL(/\?paid=1$/);
      expect(await page.textContent("body")).toContain("Paid on");

      await page.goto(portalUrl);
      expect(await page.textContent(".sheet")).toContain("Nothing to pay.");
      const receipt = page.locator(`.past-invoices [data-invoice="${openInvoiceId}"]`).getByRole("link", { name: "Receipt (PDF)" });
      const pdf = await page.request.get((await receipt.getAttribute("href")) ?? "");
      expect(pdf.status()).toBe(200);
      expect(pdf.headers()["content-type"]).toBe("application/pdf");
      await responsesDocumented();
    } finally {
      await browser.close();
    }
    expect((await request(`/v1/subscriptions/${subscriptionId}`)).body).toMatchObject({ status: "active", cancelAtPeriodEnd: true });
    const customer = await request(`/v1/customers/${customerId}`);
    const methods = await request(`/v1/customers/${customerId}/payment-methods`);
    expect(methods.body.data.find((m: { id: string }) => m.id === customer.body.defaultPaymentMethodId)).toMatchObject({
      card: { brand: "mastercard", last4: "4444" },
    });
    expect((await request(`/v1/invoices/${openInvoiceId}`)).body).toMatchObject({ status: "paid", amountRemaining: 0 });
  }, 90_000);

  it("shows no action the merchant disallows, and the server refuses them (403 naming the setting, nothing changed)", async () => {
    // A second subscription, still renewing, so a cancel button would have something to cancel.
    const second = await request("/v1/subscriptions", "POST", {
      customerId,
      items: [{ description: "Biscuits", unitAmount: 900 }],
      currency: "USD",
      interval: "month",
    });
    // A fresh link the merchant makes, and the form token its page issues while the actions are allowed.
    const issued = await request(`/v1/customers/${customerId}/portal-link`, "POST");
    expect(issued.status).toBe(201);
    const fresh = issued.body.url as string;
    const formToken = /name="formToken" value="([^"]+)"/.exec(await (await fetch(fresh)).text())?.[1] ?? "";
    expect(formToken).not.toBe("");

    const settings = await request("/v1/merchant", "PATCH", { portal: { cancel: "never", pause: false, updatePaymentMethod: false } });
    expect(settings.body.portal).toEqual({ cancel: "never", pause: false, updatePaymentMethod: false });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(fresh);
      expect(await page.locator(`[data-subscription="${second.body.id}"]`).count()).toBe(1);
      expect(await page.getByRole("button").count()).toBe(0);
      expect(await page.textContent("body")).not.toContain("Payment method");
    } finally {
      await browser.close();
    }
    for (const [path, setting] of [
      [`subscriptions/${second.body.id}/cancel`, "portal.cancel"],
      [`subscriptions/${second.body.id}/pause`, "portal.pause"],
      ["update-card", "portal.updatePaymentMethod"],
    ]) {
      const refused = await fetch(`${fresh}/${path}`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ formToken }).toString(),
        redirect: "manual",
      });
      expect(refused.status, path).toBe(403);
      expect(((await refused.json()) as { detail: string }).detail).toContain(setting);
    }
    expect((await request(`/v1/subscriptions/${second.body.id}`)).body).toMatchObject({ cancelAtPeriodEnd: false, pauseAt: null });
  }, 60_000);
});
