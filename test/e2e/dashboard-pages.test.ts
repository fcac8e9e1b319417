/**
 * The dashboard's pages per role on the local runtime, in headless Chromium (issue 20 "Must be
 * proven"): an admin refunds a payment partially; a viewer sees no write control and the server
 * refuses the viewer's forged posts (403, nothing changed); saved views round-trip with /v1/views;
 * every main page at 1280 and 360 px saved to test-results/dashboard/, checked by axe-core and for
 * sideways scrolling at 360 px. The data is made through the API, a payout by the local clock.
 */
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/aws.ts";
import { type Json, launchChromium, localRuntime, seriousViolations } from "../helpers/browser.ts";
import { signInInBrowser } from "../helpers/dashboard.ts";

const repoRoot = resolve(import.meta.dirname, "../..");
const artefacts = resolve(repoRoot, "test-results/dashboard");
const team = {
  owner: "owner@fjord-pages.test",
  admin: "admin@fjord-pages.test",
  viewer: "viewer@fjord-pages.test",
};
const indexPages = [
  "invoices",
  "payments",
  "subscriptions",
  "quotes",
  "payment-links",
  "customers",
  "payouts",
  "tasks",
];

// The steps run in order and share what earlier steps made, so a failure names its step.
describe("dashboard pages per role, in Chromium", () => {
  const runtime = localRuntime();
  const { running, request, ok, mails } = runtime;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  /** What the seeding step made, by name. */
  const ids = {
    customer: "",
    paidInvoices: [] as string[],
    openInvoice: "",
    payment: "",
    subscription: "",
    quote: "",
    paymentLink: "",
    task: "",
    payout: "",
  };
  const base = () => running().info.apiUrl;
  /** The admin's signed-in page (the refund step signs in), used again by later steps. */
  let admin: Page | undefined;
  const adminPage = (): Page => {
    if (!admin) throw new Error("No admin page (see the refund step)");
    return admin;
  };

  /** A signed-in page of `email` in its own browser context (its own cookies). */
  const signedInPage = async (email: string): Promise<Page> => {
    if (!browser) throw new Error("Chromium did not start (see the first step)");
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    await signInInBrowser(page, base(), email, mails);
    return page;
  };
  /**
   * What makes the page wider than the viewport: the document's scroll width when it exceeds the
   * viewport, with the outermost elements that stick out (what scrolls inside its own region — a
   * `.table-wrap`, the navigation row — does not widen the page and is left out).
   */
  const sidewaysScroll = (page: Page): Promise<string | undefined> =>
    page.evaluate<string | undefined>(`(() => {
      const width = document.documentElement.clientWidth;
      const scroll = document.documentElement.scrollWidth;
      if (scroll <= width) return undefined;
      const inScroller = (e) => {
        for (let p = e.parentElement; p && p !== document.body; p = p.parentElement)
          if (getComputedStyle(p).overflowX !== "visible") return true;
        return false;
      };
      const sticksOut = (e) => e.getBoundingClientRect().right > width + 1 && !inScroller(e);
      const out = [...document.querySelectorAll("body *")]
        .filter((e) => sticksOut(e) && !(e.parentElement && sticksOut(e.parentElement)))
        .slice(0, 5)
        .map((e) => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).split(" ").join(".") : ""));
      return "scrollWidth " + scroll + " > " + width + ": " + out.join(", ");
    })()`);
  /** The `action`s of the page's POST forms. */
  const postActions = (page: Page): Promise<string[]> =>
    page
      .locator("form[method=post]")
      .evaluateAll((forms) => forms.map((f) => f.getAttribute("action") ?? ""));
  /** The invoice numbers a page's table links to, in order. */
  const linkedNumbers = (page: Page): Promise<string[]> =>
    page.locator("main table a[href^='/app/invoices/']").allTextContents();

  afterAll(async () => {
    await browser?.close();
    await runtime.stop();
  });

  it("boots the local runtime and Chromium", async () => {
    [browser] = await Promise.all([launchChromium(), runtime.boot()]);
    mkdirSync(artefacts, { recursive: true });
  }, 60_000);

  it("seeds a merchant, its team (an admin, a viewer) and everyday data through the API", async () => {
    const created = await ok(
      "/v1/merchants",
      "POST",
      { name: "Fjord Pages", email: team.owner },
      201,
      running().info.adminToken,
    );
    runtime.useKey(created.apiKey.secret);
    await ok("/v1/users", "POST", { email: team.admin, role: "admin", name: "Ada Admin" }, 201);
    await ok("/v1/users", "POST", { email: team.viewer, role: "viewer", name: "Vic Viewer" }, 201);

    const customer = await ok("/v1/customers", "POST", { email: "buyer@shop.test", name: "Bea Buyer" }, 201);
    ids.customer = customer.id;
    const invoice = async (description: string, unitAmount: number): Promise<Json> => {
      const draft = await ok(
        "/v1/invoices",
        "POST",
        { customerId: customer.id, currency: "USD", lineItems: [{ description, quantity: 1, unitAmount }] },
        201,
      );
      return ok(`/v1/invoices/${draft.id}/finalize`, "POST");
    };
    for (const [description, amount] of [
      ["Espresso beans, 5 kg", 10_000],
      ["Grinder service", 4_500],
    ] as const) {
      const paid = await ok(`/v1/invoices/${(await invoice(description, amount)).id}/pay`, "POST", {
        paymentMethod: "pm_card_visa",
      });
      expect(paid.status).toBe("paid");
      ids.paidInvoices.push(paid.number);
      ids.payment ||= paid.payment.id;
    }
    ids.openInvoice = (await invoice("Filter papers", 2_400)).id;
    ids.subscription = (
      await ok(
        "/v1/subscriptions",
        "POST",
        {
          customerId: customer.id,
          currency: "USD",
          interval: "month",
          collectionMethod: "send_invoice",
          items: [{ description: "Beans of the month", unitAmount: 3_900 }],
        },
        201,
      )
    ).id;
    const quote = await ok(
      "/v1/quotes",
      "POST",
      {
        customerId: customer.id,
        currency: "USD",
        title: "Café fit-out",
        lineItems: [{ description: "Espresso machine", quantity: 1, unitAmount: 250_000 }],
      },
      201,
    );
    ids.quote = (await ok(`/v1/quotes/${quote.id}/publish`, "POST")).id;
    const product = await ok(
      "/v1/products",
      "POST",
      { name: "Mug", unitAmount: 1_500, currency: "USD" },
      201,
    );
    ids.paymentLink = (
      await ok(
        "/v1/payment-links",
        "POST",
        { name: "Mugs", lineItems: [{ productId: product.id, quantity: 1 }] },
        201,
      )
    ).id;
    ids.task = (
      await ok(
        "/v1/tasks",
        "POST",
        { title: "Call Bea about the fit-out", related: { customerId: customer.id, quoteId: quote.id } },
        201,
      )
    ).id;

    // Past the merchant's midnight the day's card money is paid out (sandbox).
    await runtime.advanceLocalClock(26 * 3600);
    ids.payout = await eventually(async () => (await request("/v1/payouts")).body.data?.[0]?.id, 30_000);
  }, 90_000);

  it("an admin refunds a payment partially on its page; the API shows the refund and the payment partially refunded", async () => {
    admin = await signedInPage(team.admin);
    const page = admin;
    // The refund form asks before it sends (data-confirm): the admin says yes.
    page.on("dialog", (dialog) => void dialog.accept());
    await page.goto(`${base()}/app/payments/${ids.payment}`);
    await page.getByLabel("Amount (USD)").fill("40.00");
    await page.getByLabel("Reason").selectOption("requested_by_customer");
    await page.getByRole("button", { name: "Refund", exact: true }).click();
    await expect.poll(() => page.getByRole("status").textContent()).toBe("Refunded $40.00");
    expect(new URL(page.url()).pathname).toBe(`/app/payments/${ids.payment}`);

    const refunds = await ok(`/v1/refunds?paymentId=${ids.payment}`);
    expect(refunds.data).toHaveLength(1);
    expect(refunds.data[0]).toMatchObject({
      amount: 4_000,
      status: "succeeded",
      reason: "requested_by_customer",
    });
    expect(await ok(`/v1/payments/${ids.payment}`)).toMatchObject({
      status: "partially_refunded",
      amountRefunded: 4_000,
    });
    // The page says so too, and offers only what is left.
    const main = (await page.textContent("main")) ?? "";
    expect(main).toContain("partially refunded");
    expect(main).toContain("$60.00");
  }, 60_000);

  it("saves a view from the invoices page; GET /v1/views has it with the page's filters", async () => {
    const page = adminPage();
    await page.goto(`${base()}/app/invoices?status=paid&currency=USD`);
    await page.getByLabel("View name").fill("Paid in dollars");
    await page.getByRole("button", { name: "Save as view" }).click();
    await page.waitForURL(/\/app\/invoices\?view=view_/);
    expect(await page.getByRole("status").textContent()).toBe("Saved the view “Paid in dollars”.");

    const viewId = new URL(page.url()).searchParams.get("view");
    const saved = (await ok("/v1/views?object=invoices")).data as Json[];
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      id: viewId,
      object: "invoices",
      name: "Paid in dollars",
      filters: { status: "paid", currency: "USD" },
    });
    const tab = page
      .getByRole("navigation", { name: "Saved views" })
      .getByRole("link", { name: "Paid in dollars" });
    expect(await tab.getAttribute("aria-current")).toBe("page");
    expect((await linkedNumbers(page)).sort()).toEqual([...ids.paidInvoices].sort());
  }, 30_000);

  it("shows a view made through POST /v1/views as a tab that filters the page as the API does", async () => {
    const page = adminPage();
    const view = await ok(
      "/v1/views",
      "POST",
      { object: "invoices", name: "Still open", filters: { status: "open" } },
      201,
    );
    await page.goto(`${base()}/app/invoices`);
    await page
      .getByRole("navigation", { name: "Saved views" })
      .getByRole("link", { name: "Still open" })
      .click();
    await page.waitForURL(`${base()}/app/invoices?view=${view.id}`);
    const fromApi = ((await ok(`/v1/invoices?view=${view.id}`)).data as Json[]).map((i) => i.number);
    expect(fromApi.length, "the open invoice and the subscription's first").toBe(2);
    expect(await linkedNumbers(page)).toEqual(fromApi);
  }, 30_000);

  /** The pages a viewer is checked on: every index page and the detail pages that have actions. */
  const viewerPaths = () => [
    ...indexPages.map((name) => `/app/${name}`),
    `/app/invoices/${ids.openInvoice}`,
    `/app/payments/${ids.payment}`,
    `/app/subscriptions/${ids.subscription}`,
    `/app/quotes/${ids.quote}`,
    `/app/customers/${ids.customer}`,
    `/app/tasks/${ids.task}`,
  ];
  let viewer: Page | undefined;

  it("shows a viewer no write control: the only forms that post are sign-out's", async () => {
    viewer = await signedInPage(team.viewer);
    const writes: string[] = [];
    for (const path of viewerPaths()) {
      const response = await viewer.goto(`${base()}${path}`);
      expect(response?.status(), path).toBe(200);
      for (const action of await postActions(viewer))
        if (action !== "/app/sign-out" && action !== "/app/sign-out-everywhere")
          writes.push(`${path}: ${action}`);
    }
    expect(writes).toEqual([]);

    // The same look finds the controls where the role has them: the admin's invoice page.
    await adminPage().goto(`${base()}/app/invoices/${ids.openInvoice}`);
    expect(await postActions(adminPage())).toEqual(
      expect.arrayContaining([
        `/app/invoices/${ids.openInvoice}/void`,
        `/app/invoices/${ids.openInvoice}/record-payment`,
      ]),
    );
  }, 60_000);

  it("refuses the viewer's forged void and refund with 403 (valid session and CSRF token); nothing changes", async () => {
    const page = viewer;
    if (!page) throw new Error("No viewer page (see the step before)");
    await page.goto(`${base()}/app/invoices/${ids.openInvoice}`);
    const csrf = await page.locator("input[name=csrf]").first().inputValue();
    const session = (await page.context().cookies()).find((c) => c.name === "kassa_session");
    if (!session) throw new Error("The viewer has no session cookie");
    const post = (path: string, fields: Record<string, string>) =>
      fetch(`${base()}${path}`, {
        method: "POST",
        redirect: "manual",
        headers: {
          cookie: `kassa_session=${session.value}`,
          origin: base(),
          accept: "text/html",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ csrf, ...fields }).toString(),
      });

    for (const [path, fields] of [
      [`/app/invoices/${ids.openInvoice}/void`, {}],
      [`/app/payments/${ids.payment}/refund`, { amount: "10.00", once: "forged-by-a-viewer" }],
    ] as const) {
      const refused = await post(path, fields);
      expect(refused.status, path).toBe(403);
      // Refused for the role, past the CSRF and origin checks (those say the form is out of date).
      expect(await refused.text()).toContain("Your role (viewer) may not do this");
    }
    expect((await ok(`/v1/invoices/${ids.openInvoice}`)).status).toBe("open");
    expect((await ok(`/v1/refunds?paymentId=${ids.payment}`)).data).toHaveLength(1);
    expect(await ok(`/v1/payments/${ids.payment}`)).toMatchObject({ amountRefunded: 4_000 });

    // The same cookie and token do work where the viewer may act: signing out.
    const signOut = await post("/app/sign-out", {});
    expect(signOut.status).toBe(303);
  }, 30_000);

  it("every main page at 1280 and 360 px: screenshots in test-results/dashboard/, axe at both, no sideways scrolling", async () => {
    if (!browser) throw new Error("Chromium did not start (see the first step)");
    const visitor = await (await browser.newContext()).newPage();
    contexts.push(visitor.context());
    const signedIn = adminPage();
    const pages: [name: string, page: Page, path: string][] = [
      ["sign-in", visitor, "/app/sign-in"],
      ["home", signedIn, "/app/"],
      ...indexPages.map((name): [string, Page, string] => [name, signedIn, `/app/${name}`]),
      ["invoice", signedIn, `/app/invoices/${ids.openInvoice}`],
      ["payment", signedIn, `/app/payments/${ids.payment}`],
      ["subscription", signedIn, `/app/subscriptions/${ids.subscription}`],
      ["quote", signedIn, `/app/quotes/${ids.quote}`],
      ["customer", signedIn, `/app/customers/${ids.customer}`],
      ["payout", signedIn, `/app/payouts/${ids.payout}`],
      ["payment-link", signedIn, `/app/payment-links/${ids.paymentLink}`],
      ["task", signedIn, `/app/tasks/${ids.task}`],
    ];
    // Every page is looked at in full before the test fails, so one run lists all that is wrong.
    const problems: string[] = [];
    for (const [name, page, path] of pages) {
      await page.setViewportSize({ width: 1280, height: 800 });
      const response = await page.goto(`${base()}${path}`);
      expect(response?.status(), path).toBe(200);
      for (const violation of await seriousViolations(page)) problems.push(`${name}: ${violation}`);
      await page.screenshot({ path: resolve(artefacts, `${name}-1280.png`), fullPage: true });
      await page.setViewportSize({ width: 360, height: 740 });
      const scroll = await sidewaysScroll(page);
      if (scroll) problems.push(`${name} at 360 px: ${scroll}`);
      for (const violation of await seriousViolations(page)) problems.push(`${name} at 360 px: ${violation}`);
      await page.screenshot({ path: resolve(artefacts, `${name}-360.png`), fullPage: true });
    }
    expect(problems).toEqual([]);
  }, 120_000);
});
