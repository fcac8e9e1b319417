/**
 * Dunning recovered in the browser (issue 12 "Must be proven"), on the local runtime with a test
 * clock: a renewal declined on `pm_card_chargeCustomerFail` makes the subscription past due and mails
 * the buyer the update-card link; the buyer opens that link from the mail viewer in headless Chromium
 * and enters a working card, whose event retries the invoice at once: paid, the subscription active
 * again (`subscription.recovered`), and the planned retries never charge again.
 */
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/aws.ts";
import { type Json, launchChromium, localRuntime } from "../helpers/browser.ts";

// The steps run in order and share what earlier steps created, so a failure names its step.
describe("dunning recovered by a new card on the update-card page, in Chromium", () => {
  const runtime = localRuntime();
  const { running, request, ok, mailsTo } = runtime;
  let clockId: string;
  let customerId: string;
  let subscriptionId: string;
  let invoiceId: string;
  let link: string;
  const buyer = "ren@dunning.test";

  const advanceTo = (frozenTime: string) => runtime.advanceTestClock(clockId, frozenTime);
  const payments = async () => (await ok(`/v1/payments?invoiceId=${invoiceId}&limit=100`)).data as Json[];
  const eventsOf = async (type: string, objectId: string) =>
    (await ok(`/v1/events?type=${type}&objectId=${objectId}&limit=100`)).data as Json[];

  afterAll(runtime.stop);

  it("boots the local runtime", async () => {
    await runtime.boot();
  }, 40_000);

  it("bills a monthly card subscription on a test clock, then the renewal is declined: past due", async () => {
    const created = await request(
      "/v1/merchants",
      "POST",
      { name: "Tea Club", email: "owner@teaclub.test" },
      running().info.adminToken,
    );
    expect(created.status).toBe(201);
    runtime.useKey(created.body.apiKey.secret);
    clockId = (await ok("/v1/test-clocks", "POST", { frozenTime: "2027-03-01T09:00:00.000Z" }, 201)).id;
    customerId = (await ok("/v1/customers", "POST", { email: buyer, name: "Ren", testClockId: clockId }, 201))
      .id;
    await ok(`/v1/customers/${customerId}/payment-methods`, "POST", { paymentMethod: "pm_card_visa" }, 201);
    const subscription = await ok(
      "/v1/subscriptions",
      "POST",
      {
        customerId,
        items: [{ description: "Tea of the month", unitAmount: 2_500, quantity: 1 }],
        currency: "USD",
        interval: "month",
      },
      201,
    );
    expect(subscription.status).toBe("active");
    subscriptionId = subscription.id;
    const failing = await ok(
      `/v1/customers/${customerId}/payment-methods`,
      "POST",
      { paymentMethod: "pm_card_chargeCustomerFail" },
      201,
    );
    await ok(`/v1/customers/${customerId}`, "PATCH", { defaultPaymentMethodId: failing.id });

    await advanceTo("2027-04-01T09:00:00.000Z");
    const pastDue = await ok(`/v1/subscriptions/${subscriptionId}`);
    expect(pastDue.status).toBe("past_due");
    invoiceId = pastDue.latestInvoiceId;
    expect(await ok(`/v1/invoices/${invoiceId}`)).toMatchObject({
      status: "open",
      attemptCount: 1,
      amountRemaining: 2_500,
      nextPaymentAttemptAt: "2027-04-04T00:00:00.000Z",
    });
  }, 90_000);

  it("mails the buyer the update-card link, and the merchant a notice", async () => {
    const failedMail = await eventually(
      async () =>
        (await mailsTo(buyer)).find(
          (m) => m.subject.includes("renewal") && m.body.text.includes("/payment-method"),
        ),
      30_000,
    );
    const found = /https?:\/\/\S+\/c\/[A-Za-z0-9_-]+\/payment-method/.exec(failedMail.body.text);
    expect(found, failedMail.body.text).not.toBeNull();
    link = found![0];
    expect(link.startsWith(running().info.apiUrl)).toBe(true);
    const notice = await eventually(
      async () =>
        (await mailsTo("owner@teaclub.test")).find((m) => m.subject.includes("Renewal payment failed")),
      30_000,
    );
    expect(notice.body.text).toContain("Next retry: Apr 4, 2027");
  }, 60_000);

  it("takes a working card in Chromium; its immediate retry pays the invoice and recovers the subscription", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const responsesDocumented = runtime.watchResponses(page);
      await page.goto(link);
      expect(await page.textContent(".merchant-name")).toBe("Tea Club");
      expect(await page.textContent(".on-file")).toBe("Visa •••• 0341 · expires 12/2034");
      await page.fill("#card", "4242 4242 4242 4242");
      await page.click("button[type=submit]");
      await page.waitForURL(/\?saved=1$/);
      expect(await page.textContent(".on-file")).toBe("Visa •••• 4242 · expires 12/2034");
      await responsesDocumented();
    } finally {
      await browser.close();
    }

    const paid = await eventually(async () => {
      const invoice = await ok(`/v1/invoices/${invoiceId}`);
      return invoice.status === "paid" ? invoice : undefined;
    }, 30_000);
    expect(paid).toMatchObject({
      amountPaid: 2_500,
      amountRemaining: 0,
      attemptCount: 2,
      nextPaymentAttemptAt: null,
    });
    await eventually(
      async () => ((await ok(`/v1/subscriptions/${subscriptionId}`)).status === "active" ? true : undefined),
      30_000,
    );
    expect(await eventsOf("subscription.recovered", subscriptionId)).toHaveLength(1);
    expect((await payments()).map((p) => p.status).sort()).toEqual(["failed", "succeeded"]);
  }, 90_000);

  it("charges nothing more when the retry days pass: the later retries were cancelled", async () => {
    await advanceTo("2027-04-09T09:00:00.000Z");
    expect((await payments()).map((p) => p.status).sort()).toEqual(["failed", "succeeded"]);
    expect(await ok(`/v1/subscriptions/${subscriptionId}`)).toMatchObject({ status: "active" });
    expect(await ok(`/v1/invoices/${invoiceId}`)).toMatchObject({ status: "paid", attemptCount: 2 });
  }, 90_000);
});
