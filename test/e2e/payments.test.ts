/**
 * Payments end to end on the local runtime (sandbox): pay by API and through the hosted page in
 * headless Chromium, a decline, receipts and notices in the SES store, refunds, and the daily payout
 * with its email once the local clock passes the merchant's midnight.
 */
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/aws.ts";
import { type Json, launchChromium, type Reply, localRuntime } from "../helpers/browser.ts";

// The steps run in order and share what earlier steps created, so a failure names its step.
describe("payments on the local runtime", () => {
  const runtime = localRuntime();
  const { running, request, mailsTo } = runtime;
  let customer: Reply;
  let first: Json;
  let paid: Reply;

  const newInvoice = async () => {
    const draft = await request("/v1/invoices", "POST", {
      customerId: customer.body.id,
      currency: "USD",
      lineItems: [{ description: "Espresso beans, 5 kg", quantity: 1, unitAmount: 10_000 }],
    });
    return (await request(`/v1/invoices/${draft.body.id}/finalize`, "POST")).body;
  };

  afterAll(runtime.stop);

  it("boots the local runtime", async () => {
    await runtime.boot();
  }, 40_000);

  it("creates a merchant with a support email and a customer", async () => {
    const created = await request("/v1/merchants", "POST", { name: "Bean Roasters", email: "owner@beans.test" }, running().info.adminToken);
    runtime.useKey(created.body.apiKey.secret);
    await request("/v1/merchant", "PATCH", { supportEmail: "help@beans.test" });
    customer = await request("/v1/customers", "POST", { email: "buyer@shop.test", name: "Bea Buyer" });
  });

  it("pays by API: a decline (402 with its code, invoice still open), then a card that works", async () => {
    first = await newInvoice();
    const declined = await request(`/v1/invoices/${first.id}/pay`, "POST", { paymentMethod: "pm_card_insufficientFunds" });
    expect(declined.status).toBe(402);
    expect(declined.body).toMatchObject({ status: 402, declineCode: "insufficient_funds" });
    expect((await request(`/v1/invoices/${first.id}`)).body.status).toBe("open");
    paid = await request(`/v1/invoices/${first.id}/pay`, "POST", { paymentMethod: "pm_card_visa" });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: "paid", amountPaid: 10_000, amountRemaining: 0 });
    expect(paid.body.payment).toMatchObject({ status: "succeeded", amount: 10_000, fee: 320, net: 9_680, method: { brand: "visa", last4: "4242" } });
  });

  it("pays in the browser: the hosted page's pay button, a declined card, then a good one", async () => {
    const second = await newInvoice();
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const responsesDocumented = runtime.watchResponses(page);
      await page.goto(second.hostedUrl);
      await page.getByRole("link", { name: /^Pay \$100\.00$/ }).click();
      await page.fill("#card", "4000 0000 0000 0002");
      await page.click("button[type=submit]");
      await expect.poll(() => page.textContent("[role=alert]")).toContain("declined");
      await page.fill("#card", "4242 4242 4242 4242");
      await page.click("button[type=submit]");
      await page.waitForURL(/\?paid=1$/);
      expect(await page.textContent("body")).toContain("Paid on");
      await responsesDocumented();
    } finally {
      await browser.close();
    }
    expect((await request(`/v1/invoices/${second.id}`)).body).toMatchObject({ status: "paid", amountRemaining: 0 });
  }, 60_000);

  it("mails receipts and notices; the buyer heard about each failure with a link to try again", async () => {
    const buyerMail = await eventually(async () => {
      const m = await mailsTo("buyer@shop.test");
      return m.filter((x) => x.subject.startsWith("[TEST MODE] Receipt from Bean Roasters")).length === 2 && m.filter((x) => x.subject.includes("did not go through")).length === 2 ? m : undefined;
    }, 20_000);
    expect(buyerMail.find((m) => m.subject.includes("did not go through"))?.body.text).toContain(first.hostedUrl);
    expect(buyerMail.find((m) => m.subject.startsWith("[TEST MODE] Receipt"))?.body.text).toContain("help@beans.test");
    const notices = await eventually(async () => {
      const m = (await mailsTo("owner@beans.test")).filter((x) => x.subject.startsWith("[TEST MODE] Payment received: $100.00"));
      return m.length === 2 ? m : undefined;
    });
    expect(notices).toHaveLength(2);
  }, 60_000);

  it("refunds partially, then the rest; never more", async () => {
    const paymentId = paid.body.payment.id as string;
    expect((await request(`/v1/payments/${paymentId}/refunds`, "POST", { amount: 4_000 })).body).toMatchObject({ status: "succeeded", amount: 4_000 });
    expect((await request(`/v1/payments/${paymentId}`)).body.status).toBe("partially_refunded");
    expect((await request(`/v1/payments/${paymentId}/refunds`, "POST", { amount: 7_000 })).status).toBe(400);
    expect((await request(`/v1/payments/${paymentId}/refunds`, "POST", {})).body).toMatchObject({ status: "succeeded", amount: 6_000 });
    expect((await request(`/v1/payments/${paymentId}`)).body).toMatchObject({ status: "refunded", amountRefunded: 10_000 });
    await eventually(async () => ((await mailsTo("buyer@shop.test")).filter((m) => m.subject.startsWith("[TEST MODE] Refund from")).length === 2 ? true : undefined));
  }, 60_000);

  it("pays out the day's net once midnight passes: 2 × 10000 − 2 × 320 fees − 10000 refunded = 9360, with its email", async () => {
    await runtime.advanceLocalClock(26 * 3600);
    const payouts = await eventually(async () => {
      const list = await request("/v1/payouts");
      return list.body.data?.length ? list.body.data : undefined;
    }, 20_000);
    expect(payouts).toHaveLength(1);
    expect(payouts[0]).toMatchObject({ currency: "USD", amount: 9_360, status: "paid", livemode: false });
    expect(payouts[0].balanceTransactionCount).toBe(4);
    const transactions = await request(`/v1/payouts/${payouts[0].id}/balance-transactions`);
    expect(transactions.body.data.map((t: { kind: string }) => t.kind)).toEqual(["charge", "charge", "refund", "refund"]);
    expect(transactions.body.data.reduce((sum: number, t: { net: number }) => sum + t.net, 0)).toBe(9_360);
    const payoutMail = await eventually(async () => (await mailsTo("owner@beans.test")).find((m) => /payout/i.test(m.subject)), 20_000);
    expect(payoutMail.body.text).toContain("$93.60");
    expect(payoutMail.subject.startsWith("[TEST MODE] ")).toBe(true);
    expect(payoutMail.body.text).toContain("this payout is simulated");
  }, 60_000);
});
