/**
 * The developer settings in headless Chromium on one local runtime (issue 21 §3): the owner adds a
 * webhook endpoint for a loopback receiver (the signing secret shown once verifies what arrives), an
 * event reaches it and shows in the endpoint's delivery log, "send again" delivers it a second time;
 * the owner creates a viewer API key (shown once: it reads, may not write) and revokes it (it stops
 * working); the processor page shows the sandbox. axe-core and screenshots at 1280 and 360 px of every
 * page into test-results/dashboard/.
 */
import { mkdirSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { verifySignature } from "../../shared/webhooks/signature.ts";
import { eventually } from "../helpers/aws.ts";
import { launchChromium, localRuntime, seriousViolations } from "../helpers/browser.ts";
import { signInInBrowser } from "../helpers/dashboard.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const shots = resolve(repoRoot, "test-results/dashboard");
const ownerEmail = "owner@quay-dev.test";

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  type: string;
  id: string;
}

describe("the developer settings, in Chromium", () => {
  const runtime = localRuntime();
  const { running, ok, mails, request } = runtime;
  let browser: Browser | undefined;
  let page: Page;
  const base = () => running().info.apiUrl;
  const received: Received[] = [];
  const receiver: Server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk) => {
      raw += chunk;
    });
    req.on("end", () => {
      const event = JSON.parse(raw) as { id: string; type: string };
      received.push({ headers: req.headers, raw, type: event.type, id: event.id });
      res.writeHead(200, { "content-type": "text/plain" }).end("thanks");
    });
  });

  /** axe at 1280 px, then screenshots at 1280 and 360 px (the page must not scroll sideways at 360). */
  async function checkAndShoot(name: string) {
    mkdirSync(shots, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await seriousViolations(page), `${name} at 1280`).toEqual([]);
    await page.screenshot({ path: resolve(shots, `${name}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await seriousViolations(page), `${name} at 360`).toEqual([]);
    expect(await page.evaluate<number>("document.documentElement.scrollWidth")).toBeLessThanOrEqual(360);
    await page.screenshot({ path: resolve(shots, `${name}-360.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 800 });
  }

  const notice = () => page.getByRole("status").textContent();
  const secretShown = () => page.getByLabel("Secret", { exact: true }).inputValue();

  afterAll(async () => {
    await browser?.close();
    await runtime.stop();
    receiver.close();
  });

  it("boots the local runtime, Chromium and a loopback receiver; the owner signs in", async () => {
    [browser] = await Promise.all([
      launchChromium(),
      runtime.boot(),
      new Promise<void>((done) => receiver.listen(0, "127.0.0.1", done)),
    ]);
    const { apiKey } = await ok(
      "/v1/merchants",
      "POST",
      { name: "Quay Dev", email: ownerEmail },
      201,
      running().info.adminToken,
    );
    runtime.useKey(apiKey.secret);
    page = await (await browser.newContext()).newPage();
    // The revoke button asks first.
    page.on("dialog", (dialog) => void dialog.accept());
    await signInInBrowser(page, base(), ownerEmail, mails);
  }, 40_000);

  let secret = "";
  it("adds an endpoint for the receiver: its secret is shown once, and verifies what arrives", async () => {
    await page.goto(`${base()}/app/settings/webhooks`);
    await checkAndShoot("dashboard-webhooks");
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/kassa`;
    await page.getByLabel("URL").fill(url);
    await page.getByLabel("Description").fill("Local receiver");
    await page.getByLabel("customer.*", { exact: true }).check();
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await page.getByRole("heading", { name: "Endpoint added" }).waitFor();
    secret = await secretShown();
    expect(secret).toMatch(/^whsec_/);
    await checkAndShoot("dashboard-webhook-secret");

    const customer = await ok("/v1/customers", "POST", { email: "ada@buyer.test", name: "Ada" }, 201);
    const first = await eventually(async () => received.find((r) => r.type === "customer.created"), 30_000);
    const header = String(first.headers["kassa-signature"]);
    expect(verifySignature(header, secret, first.raw, Math.floor(Date.now() / 1000))).toBe(true);
    expect(JSON.parse(first.raw)).toMatchObject({ objectId: customer.id });
  }, 60_000);

  it("the endpoint's page shows the delivery in its log; 'Send again' delivers it once more", async () => {
    await page.getByRole("link", { name: "Go to the endpoint" }).click();
    // The receiver answered before the delivery was recorded: the log may lag a moment.
    await eventually(async () => {
      await page.reload();
      return (await page.getByRole("main").textContent())?.includes("HTTP 200") ? true : undefined;
    }, 20_000);
    const deliveries = page.getByRole("region", { name: "Deliveries" });
    expect(await deliveries.textContent()).toContain("customer.created");
    await checkAndShoot("dashboard-webhook-endpoint");

    const eventId = received.find((r) => r.type === "customer.created")?.id ?? "";
    await deliveries.getByRole("button", { name: "Send again" }).first().click();
    expect(await notice()).toBe(`Sending ${eventId} again`);
    await eventually(
      async () => (received.filter((r) => r.id === eventId).length === 2 ? true : undefined),
      20_000,
    );
    const log = await ok(
      `/v1/webhook-endpoints/${new URL(page.url()).pathname.split("/").at(-1)}/deliveries`,
    );
    expect(log.data.map((d: { cause: string }) => d.cause).sort()).toEqual(["event", "redeliver"]);
  }, 60_000);

  it("creates a viewer API key (shown once: it reads, may not write), then revokes it", async () => {
    await page.goto(`${base()}/app/settings/api-keys`);
    await checkAndShoot("dashboard-api-keys");
    await page.getByLabel("Name").fill("Reporting");
    await page.getByLabel("Role").selectOption("viewer");
    await page.getByRole("button", { name: "Create key" }).click();
    await page.getByRole("heading", { name: "API key created" }).waitFor();
    const key = await secretShown();
    expect((await request("/v1/customers", "GET", undefined, key)).status).toBe(200);
    expect((await request("/v1/customers", "POST", { email: "no@buyer.test" }, key)).status).toBe(403);

    await page.getByRole("link", { name: "Back to API keys" }).click();
    const row = page.getByRole("row").filter({ hasText: "Reporting" });
    expect(await row.textContent()).toContain("Viewer");
    await row.getByRole("button", { name: "Revoke" }).click();
    expect(await notice()).toMatch(/^Revoked Reporting \(sk_/);
    await eventually(
      async () => ((await request("/v1/customers", "GET", undefined, key)).status === 401 ? true : undefined),
      40_000,
    );
  }, 60_000);

  it("the processor page shows the sandbox and offers to connect Stripe", async () => {
    await page.goto(`${base()}/app/settings/processor`);
    expect(await page.getByRole("main").textContent()).toContain("Sandbox (test mode)");
    expect(await page.getByRole("button", { name: "Connect Stripe" }).count()).toBe(1);
    await checkAndShoot("dashboard-processor");
  }, 30_000);
});
