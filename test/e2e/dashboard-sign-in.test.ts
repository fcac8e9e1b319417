/**
 * Signing in to the dashboard by magic link on the local runtime, in headless Chromium (issue 20):
 * a new merchant's owner asks for a link, opens it from the mail, presses the button, lands on
 * /app/ and signs out. axe-core on every page met; the signed-in page at 1280 and 360 px, saved
 * to test-results/.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { launchChromium, localRuntime, scrollWidth, seriousViolations } from "../helpers/browser.ts";
import {
  DashboardClient,
  fetchTransport,
  signInInBrowser,
  signInLinkFor,
  signInLinksSoFar,
} from "../helpers/dashboard.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const ownerEmail = "owner@dashboard-e2e.test";

describe("dashboard sign-in by magic link, in Chromium", () => {
  const runtime = localRuntime();
  const { running, request, mails } = runtime;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const chromium = (): Browser => {
    if (!browser) throw new Error("Chromium did not start (see the first step)");
    return browser;
  };
  const base = () => running().info.apiUrl;

  afterAll(async () => {
    await browser?.close();
    await runtime.stop();
  });

  it("boots the local runtime and Chromium, and prints the dashboard's address", async () => {
    [browser] = await Promise.all([launchChromium(), runtime.boot()]);
    context = await chromium().newContext();
    expect(running().output()).toContain(`Dashboard    ${base()}/app/`);
  }, 40_000);

  it("creates a merchant, whose owner is a dashboard user", async () => {
    const created = await request(
      "/v1/merchants",
      "POST",
      { name: "Fjord Coffee", email: ownerEmail },
      running().info.adminToken,
    );
    expect(created.status).toBe(201);
  });

  it("sends a visitor to the sign-in page, which passes axe", async () => {
    page = await context.newPage();
    const csp: string[] = [];
    page.on("response", (r) => {
      const header = r.headers()["content-security-policy"];
      if (header) csp.push(header);
    });
    await page.goto(`${base()}/app/invoices`);
    expect(new URL(page.url()).pathname).toBe("/app/sign-in");
    expect(new URL(page.url()).searchParams.get("next")).toBe("/app/invoices");
    expect(await seriousViolations(page)).toEqual([]);
    expect(csp.length).toBeGreaterThan(0);
    expect(csp.every((h) => h.includes("script-src 'self'") && !h.includes("unsafe"))).toBe(true);
  });

  it("signs in by the emailed link: its page consumes nothing until the button is pressed", async () => {
    const seen = await signInLinksSoFar(ownerEmail, mails);
    await page.goto(`${base()}/app/sign-in`);
    await page.getByLabel("Email").fill(ownerEmail);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await page.getByRole("heading", { name: "Check your email" }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const link = await signInLinkFor(ownerEmail, mails, seen);

    // A mail scanner fetches the link first: the page, and nothing used up.
    const scanner = await fetch(link);
    expect(scanner.status).toBe(200);
    await page.goto(link);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${base()}/app/`);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "kassa_session");
    expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", path: "/" });

    // Used once: the same link again is refused.
    const again = await fetch(link);
    expect(again.status).toBe(410);
  });

  it("shows the merchant, the user and role, the navigation and the TEST MODE badge; passes axe", async () => {
    const header = (await page.locator(".top").textContent()) ?? "";
    expect(header).toContain("Fjord Coffee");
    expect(header).toContain(`${ownerEmail} · owner`);
    expect(header).toContain("TEST MODE");
    // An owner sees every section: home, the eight record pages, reports, workflows, settings, team.
    expect(await page.getByRole("navigation", { name: "Main" }).getByRole("link").count()).toBe(13);
    expect(await seriousViolations(page)).toEqual([]);
    mkdirSync(resolve(repoRoot, "test-results"), { recursive: true });
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.screenshot({ path: resolve(repoRoot, "test-results/dashboard-1280.png"), fullPage: true });
  });

  it("fits 360 px without horizontal scrolling (screenshot in test-results/dashboard-360.png)", async () => {
    await page.setViewportSize({ width: 360, height: 740 });
    await page.reload();
    expect(await scrollWidth(page)).toBeLessThanOrEqual(360);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: resolve(repoRoot, "test-results/dashboard-360.png"), fullPage: true });
  });

  it("signs out: back on the sign-in page with a notice, and /app/ asks to sign in again", async () => {
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await page.waitForURL(`${base()}/app/sign-in`);
    expect(await page.getByRole("status").textContent()).toBe("You are signed out.");
    await page.goto(`${base()}/app/`);
    expect(new URL(page.url()).pathname).toBe("/app/sign-in");
  });

  let httpClient: DashboardClient | undefined;
  it("signs in over plain HTTP too (the test helper's client: cookie jar and scraped CSRF tokens)", async () => {
    const client = new DashboardClient(fetchTransport(base()));
    httpClient = client;
    const seen = await signInLinksSoFar(ownerEmail, mails);
    const done = await client.signIn(ownerEmail, () => signInLinkFor(ownerEmail, mails, seen));
    expect(done.headers.location).toBe("/app/");
    expect(client.cookies.has("kassa_session")).toBe(true);
    const home = await client.get("/app/");
    expect(home.status, "signed in: the home page, not the way to sign in").not.toBe(303);
    expect(home.text).toContain(`${ownerEmail} · owner`);
  });

  it("signs out everywhere from another browser: the HTTP client's session ends too", async () => {
    const other = await chromium().newContext();
    const otherPage = await other.newPage();
    await signInInBrowser(otherPage, base(), ownerEmail, mails);
    await otherPage.getByRole("button", { name: "Sign out everywhere" }).click();
    await otherPage.waitForURL(`${base()}/app/sign-in`);
    expect(await otherPage.getByRole("status").textContent()).toBe("You are signed out on every device.");
    const after = await httpClient?.get("/app/");
    expect(after?.status).toBe(303);
    expect(after?.headers.location).toBe("/app/sign-in?next=%2Fapp%2F");
    await other.close();
  });
});
