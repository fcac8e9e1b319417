/**
 * Workflows on the local runtime (issue 15 "Must be proven"), in headless Chromium: (1) the welcome
 * email after a buyer's first payment through a payment link, not after the second; (2) on a test
 * clock, a renewal reminder with a single-use code and the renew-early link, the buyer renewing
 * early with it, and billing not billing that period again; (3) a purchase mailing the customer's
 * account owner and opening a task linked to the payment and the customer.
 */
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/aws.ts";
import { type Json, launchChromium, localRuntime } from "../helpers/browser.ts";

const merchantEmail = "owner@knits.test";

describe("workflows on the local runtime", () => {
  const runtime = localRuntime();
  const { running, request, ok, mailsTo } = runtime;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let socks = "";

  const chromium = (): Browser => {
    if (!browser) throw new Error("Chromium did not start (see the first step)");
    return browser;
  };
  /** Buys one of `link` as `email` with the sandbox's good card. */
  const buy = async (link: Json, email: string, total: string, name?: string) => {
    const page = await context.newPage();
    await page.goto(link.url);
    await page.getByLabel("Email", { exact: true }).fill(email);
    if (name) await page.getByLabel("Name (optional)").fill(name);
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/\?session=cs_/);
    await page.getByLabel("Card number").fill("4242 4242 4242 4242");
    await page.getByRole("button", { name: `Pay ${total}` }).click();
    await page.waitForURL(/\?session=cs_[0-9A-Z]{26}$/);
    expect(await page.getByRole("status").textContent()).toContain("Paid. Thank you!");
    await page.close();
  };

  afterAll(async () => {
    await browser?.close();
    await runtime.stop();
  });

  it("boots the local runtime and Chromium; a sandbox merchant with a product", async () => {
    [browser] = await Promise.all([launchChromium(), runtime.boot()]);
    context = await chromium().newContext();
    const created = await request(
      "/v1/merchants",
      "POST",
      { name: "Nordic Knits", email: merchantEmail },
      running().info.adminToken,
    );
    expect(created.status).toBe(201);
    runtime.useKey(created.body.apiKey.secret);
    socks = (
      await ok("/v1/products", "POST", { name: "Wool socks", currency: "USD", unitAmount: 1_200 }, 201)
    ).id;
  }, 40_000);
  it("(1) welcomes a buyer after their first payment through a payment link, by name, and not after the second", async () => {
    const welcome = await ok("/v1/workflows", "POST", { fromTemplate: "welcome_email" }, 201);
    expect(welcome).toMatchObject({ active: true, version: 1, trigger: { event: "payment.succeeded" } });
    // A sibling that enrolls on every payment: once it has seen the second payment, so has the welcome.
    const every = await ok(
      "/v1/workflows",
      "POST",
      {
        name: "Every payment",
        reenroll: true,
        trigger: { event: "payment.succeeded" },
        steps: [
          {
            type: "send_email",
            to: "merchant",
            subject: "Paid: {{ payment.amount | money }}",
            body: "From {{ customer.email }}",
          },
        ],
      },
      201,
    );
    const link = await ok(
      "/v1/payment-links",
      "POST",
      { name: "Socks", lineItems: [{ productId: socks }] },
      201,
    );
    await buy(link, "liv@buyer.test", "$12.00", "Liv Lund");
    const mail = await eventually(
      async () =>
        (await mailsTo("liv@buyer.test")).find((m) => m.subject === "[TEST MODE] Welcome, Liv Lund"),
      30_000,
    );
    expect(mail.body.text).toContain("Hi Liv Lund,");
    expect(mail.body.text).toContain("Thank you for your purchase of $12.00 — welcome to Nordic Knits!");
    // Buyer-facing workflow mail says how to stop it.
    expect(mail.body.text).toMatch(/\/u\/[A-Za-z0-9_-]+/);

    await buy(link, "liv@buyer.test", "$12.00");
    const customerId = (await ok("/v1/customers?email=liv@buyer.test")).data[0]?.id ?? "";
    await eventually(async () => {
      const seen = (await ok(`/v1/workflows/${every.id}/enrollments?customerId=${customerId}`))
        .data as Json[];
      return seen.length === 2 && seen.every((e) => e.status === "completed") ? seen : undefined;
    }, 30_000);
    const welcomed = (await ok(`/v1/workflows/${welcome.id}/enrollments?customerId=${customerId}`))
      .data as Json[];
    expect(welcomed.map((e) => e.status)).toEqual(["completed"]);
    expect(welcomed[0]?.log).toEqual([
      expect.objectContaining({
        path: "0",
        type: "send_email",
        status: "completed",
        result: expect.objectContaining({ to: "liv@buyer.test" }),
      }),
    ]);
    expect((await mailsTo("liv@buyer.test")).filter((m) => m.subject.includes("Welcome,")).length).toBe(1);
    // The sibling is done with; the next scenarios buy too.
    await ok(`/v1/workflows/${every.id}`, "PATCH", { active: false });
    await ok(`/v1/workflows/${welcome.id}`, "PATCH", { active: false });
  }, 90_000);

  it("(2) on a test clock: the renewal reminder brings a single-use code and the renew-early link; the buyer renews early with it; billing does not bill that period again", async () => {
    const reminder = await ok("/v1/workflows", "POST", { fromTemplate: "renewal_reminder_with_code" }, 201);
    const clock = await ok("/v1/test-clocks", "POST", { frozenTime: "2030-06-15T10:00:00Z" }, 201);
    const club = await ok(
      "/v1/products",
      "POST",
      { name: "Sock club", currency: "USD", unitAmount: 1_000, recurring: { interval: "month" } },
      201,
    );
    const clubLink = await ok(
      "/v1/payment-links",
      "POST",
      { name: "Sock club", lineItems: [{ productId: club.id }], testClockId: clock.id },
      201,
    );
    await buy(clubLink, "sigrid@buyer.test", "$10.00", "Sigrid Berg");
    const [session] = (await ok(`/v1/checkout-sessions?paymentLinkId=${clubLink.id}`)).data as Json[];
    const subscriptionId = session?.subscriptionId as string;
    expect((await ok(`/v1/subscriptions/${subscriptionId}`)).currentPeriodEnd).toBe(
      "2030-07-15T00:00:00.000Z",
    );

    // Seven days before the renewal the reminder fires: the workflow makes a code and mails it.
    await runtime.advanceTestClock(clock.id, "2030-07-08T12:00:00.000Z");
    const mail = await eventually(
      async () =>
        (await mailsTo("sigrid@buyer.test")).find((m) =>
          m.subject.startsWith("[TEST MODE] Your subscription renews on"),
        ),
      30_000,
    );
    const code = /save 10 % with the code ([A-Z0-9]+) /.exec(mail.body.text)?.[1] ?? "";
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{12}$/);
    const renewUrl = /https?:\/\/\S+\/c\/[A-Za-z0-9_-]+\/renew\?subscription=sub_[0-9A-Z]{26}/.exec(
      mail.body.text,
    )?.[0];
    expect(renewUrl, mail.body.text).toBeDefined();
    const codes = (await ok("/v1/discount-codes")).data as Json[];
    expect(codes.filter((c) => c.code === code)).toEqual([
      expect.objectContaining({ percentOff: 10, maxRedemptions: 1, timesRedeemed: 0, duration: "once" }),
    ]);
    const [enrollment] = (await ok(`/v1/workflows/${reminder.id}/enrollments`)).data as Json[];
    expect(enrollment).toMatchObject({
      status: "completed",
      trigger: { eventType: "subscription.renewal_upcoming" },
    });
    expect(enrollment?.log.map((s: Json) => [s.type, s.status])).toEqual([
      ["create_discount_code", "completed"],
      ["send_email", "completed"],
    ]);

    const page = await context.newPage();
    await page.goto(renewUrl ?? "");
    await page.getByLabel("Discount code (optional)").fill(code);
    await page.getByRole("button", { name: "Renew now" }).click();
    expect(await page.getByRole("status").textContent()).toContain("Renewed: your next period");
    await page.close();
    const early = await eventually(async () => {
      const invoices = (await ok(`/v1/invoices?subscriptionId=${subscriptionId}`)).data as Json[];
      return invoices.length === 2 && invoices.every((i) => i.status === "paid") ? invoices : undefined;
    }, 30_000);
    // 10 % off the $10.00 period.
    expect(early.map((i) => [i.periodStart, i.total])).toEqual([
      ["2030-07-15T00:00:00.000Z", 900],
      ["2030-06-15T00:00:00.000Z", 1_000],
    ]);
    const [redeemed] = (await ok(`/v1/discount-codes?code=${code}`)).data as Json[];
    expect(redeemed?.timesRedeemed, "the single-use code is used up").toBe(1);

    // The renewal's day passes: nothing more is billed for it; the month after is billed in full.
    await runtime.advanceTestClock(clock.id, "2030-07-16T12:00:00.000Z");
    expect(((await ok(`/v1/invoices?subscriptionId=${subscriptionId}`)).data as Json[]).length).toBe(2);
    await runtime.advanceTestClock(clock.id, "2030-08-15T12:00:00.000Z");
    const billed = (await ok(`/v1/invoices?subscriptionId=${subscriptionId}`)).data as Json[];
    expect(billed.map((i) => [i.periodStart, i.total, i.status])).toEqual([
      ["2030-08-15T00:00:00.000Z", 1_000, "paid"],
      ["2030-07-15T00:00:00.000Z", 900, "paid"],
      ["2030-06-15T00:00:00.000Z", 1_000, "paid"],
    ]);
    await ok(`/v1/workflows/${reminder.id}`, "PATCH", { active: false });
  }, 120_000);

  it("(3) a purchase mails the customer's account owner and opens a task linked to the payment and the customer", async () => {
    await ok("/v1/merchant", "PATCH", { team: [{ name: "Kari Owner", email: "kari@knits.test" }] });
    const customer = await ok(
      "/v1/customers",
      "POST",
      {
        email: "ola@buyer.test",
        name: "Ola Nordmann",
        accountOwner: { name: "Kari Owner", email: "kari@knits.test" },
      },
      201,
    );
    const followUp = await ok("/v1/workflows", "POST", { fromTemplate: "purchase_follow_up" }, 201);
    const link = await ok(
      "/v1/payment-links",
      "POST",
      { name: "Socks for Ola", lineItems: [{ productId: socks }] },
      201,
    );
    await buy(link, "ola@buyer.test", "$12.00");
    const mail = await eventually(
      async () =>
        (await mailsTo("kari@knits.test")).find((m) => m.subject.startsWith("[TEST MODE] New purchase")),
      30_000,
    );
    // Sandbox money: every mail of a test-mode merchant says so.
    expect(mail.subject).toBe("[TEST MODE] New purchase: Ola Nordmann paid $12.00");
    // Internal mail carries no unsubscribe link.
    expect(mail.body.text).not.toMatch(/\/u\/[A-Za-z0-9_-]+/);
    const [payment] = (await ok(`/v1/payments?customerId=${customer.id}`)).data as Json[];
    const tasks = await eventually(async () => {
      const found = (await ok(`/v1/tasks?relatedTo=${payment?.id}`)).data as Json[];
      return found.length ? found : undefined;
    }, 30_000);
    expect(tasks).toEqual([
      expect.objectContaining({
        title: "Start the customer follow-up",
        status: "open",
        createdBy: followUp.id,
        related: expect.objectContaining({ customerId: customer.id, paymentId: payment?.id }),
      }),
    ]);
    expect(tasks[0]?.body).toContain("Ola Nordmann (ola@buyer.test)");
    // The merchant hears of the task the workflow opened.
    await eventually(
      async () =>
        (await mailsTo(merchantEmail)).find((m) => m.body.text.includes("Start the customer follow-up")),
      30_000,
    );
  }, 90_000);
});
