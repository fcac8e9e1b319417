/**
 * Subscriptions end to end on the local runtime with a test clock: a year of monthly card renewals
 * in one advance (13 paid invoices, 13 receipts), invoices sent with reminders and overdue,
 * `billingCycles` ending a subscription, cancelling now and at the period end, a failing card
 * leaving a subscription past due. Everything runs on the clock's time, through the real queues,
 * outbox, scheduler stand-in and SES store.
 */
import { afterAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/aws.ts";
import { type Json, localRuntime } from "../helpers/browser.ts";

describe("subscriptions on the local runtime, with a test clock", () => {
  const runtime = localRuntime();
  const { running, request, mailsTo } = runtime;
  let clockId: string;
  let productId: string;

  const advanceTo = (frozenTime: string) => runtime.advanceTestClock(clockId, frozenTime, 120_000);
  const customerWithCard = async (email: string, card: string) => {
    const customer = (
      await request("/v1/customers", "POST", { email, name: email.split("@")[0], testClockId: clockId })
    ).body;
    expect(
      (await request(`/v1/customers/${customer.id}/payment-methods`, "POST", { paymentMethod: card })).status,
    ).toBe(201);
    return customer;
  };
  const invoicesOf = async (subscriptionId: string) =>
    (await request(`/v1/invoices?subscriptionId=${subscriptionId}&limit=100`)).body.data as Json[];

  afterAll(runtime.stop);

  it("boots the local runtime", async () => {
    await runtime.boot();
  }, 40_000);

  it("creates a merchant in Oslo, a monthly product and a test clock", async () => {
    const created = await request(
      "/v1/merchants",
      "POST",
      { name: "Fjord Coffee", email: "owner@fjord.test" },
      running().info.adminToken,
    );
    runtime.useKey(created.body.apiKey.secret);
    expect(
      (
        await request("/v1/merchant", "PATCH", {
          timeZone: "Europe/Oslo",
          invoiceReminders: [{ daysAfterDue: 1 }],
        })
      ).status,
    ).toBe(200);
    productId = (
      await request("/v1/products", "POST", {
        name: "Coffee club",
        currency: "NOK",
        unitAmount: 19_900,
        recurring: { interval: "month" },
      })
    ).body.id;
    const clock = await request("/v1/test-clocks", "POST", {
      frozenTime: "2027-01-15T09:00:00.000Z",
      name: "a year of coffee",
    });
    expect(clock.status).toBe(201);
    clockId = clock.body.id;
  });

  it("bills a monthly card subscription for 13 months: 13 paid invoices with their periods, 13 receipts", async () => {
    const buyer = await customerWithCard("anna@fjord.test", "pm_card_visa");
    const created = await request("/v1/subscriptions", "POST", {
      customerId: buyer.id,
      items: [{ productId }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: "active",
      startDate: "2027-01-15",
      billingAnchorDay: 15,
      interval: "month",
      cyclesBilled: 1,
      currentPeriodStart: "2027-01-14T23:00:00.000Z",
      currentPeriodEnd: "2027-02-14T23:00:00.000Z",
      nextBillingAt: "2027-02-14T23:00:00.000Z",
    });
    await advanceTo("2028-01-15T09:00:00.000Z");
    const invoices = await invoicesOf(created.body.id);
    expect(invoices).toHaveLength(13);
    expect(invoices.every((i) => i.status === "paid" && i.total === 19_900)).toBe(true);
    const starts = invoices.map((i) => i.periodStart as string).sort();
    expect(starts[0]).toBe("2027-01-14T23:00:00.000Z");
    expect(starts[5]).toBe("2027-06-14T22:00:00.000Z"); // summer time in Oslo: local midnight is 22:00 UTC
    expect(starts[12]).toBe("2028-01-14T23:00:00.000Z");
    expect(new Set(invoices.map((i) => i.number)).size).toBe(13);
    const receipts = await eventually(async () => {
      const found = (await mailsTo("anna@fjord.test")).filter((m) =>
        m.subject.startsWith("[TEST MODE] Receipt"),
      );
      return found.length >= 13 ? found : undefined;
    }, 30_000);
    expect(receipts).toHaveLength(13);
    const subscription = (await request(`/v1/subscriptions/${created.body.id}`)).body;
    expect(subscription).toMatchObject({
      status: "active",
      cyclesBilled: 13,
      nextBillingAt: "2028-02-14T23:00:00.000Z",
    });
  }, 180_000);

  it("sends invoices with terms for send_invoice: reminder and overdue on the clock's days", async () => {
    const buyer = (await request("/v1/customers", "POST", { email: "bo@fjord.test", testClockId: clockId }))
      .body;
    const created = await request("/v1/subscriptions", "POST", {
      customerId: buyer.id,
      items: [{ productId }],
      collectionMethod: "send_invoice",
      paymentTerms: "net_7",
    });
    expect(created.status).toBe(201);
    const [first] = await invoicesOf(created.body.id);
    expect(first).toMatchObject({ status: "open", dueDate: "2028-01-22", paymentTerms: "net_7" });
    await advanceTo("2028-01-25T09:00:00.000Z");
    expect((await request(`/v1/invoices/${first?.id}`)).body).toMatchObject({
      status: "open",
      overdue: true,
    });
    const mail = await eventually(async () => {
      const found = await mailsTo("bo@fjord.test");
      return found.some((m) => /reminder|overdue|due/i.test(m.subject)) && found.length >= 2
        ? found
        : undefined;
    }, 30_000);
    expect(mail.length).toBeGreaterThanOrEqual(2);
    const events = (await request(`/v1/events?type=invoice.overdue&limit=100`)).body.data as Json[];
    expect(events.some((e) => e.data?.invoice?.id === first?.id)).toBe(true);
    expect((await request(`/v1/subscriptions/${created.body.id}`)).body.status).toBe("active");
  }, 180_000);

  it("ends after billingCycles, cancels now and at the period end, and goes past due on a failing card", async () => {
    const cara = await customerWithCard("cara@fjord.test", "pm_card_visa");
    const three = (
      await request("/v1/subscriptions", "POST", {
        customerId: cara.id,
        items: [{ productId }],
        billingCycles: 3,
      })
    ).body;
    const now = (await request("/v1/subscriptions", "POST", { customerId: cara.id, items: [{ productId }] }))
      .body;
    const later = (
      await request("/v1/subscriptions", "POST", { customerId: cara.id, items: [{ productId }] })
    ).body;
    const dan = await customerWithCard("dan@fjord.test", "pm_card_chargeCustomerFail");
    const failing = await request("/v1/subscriptions", "POST", {
      customerId: dan.id,
      items: [{ productId }],
    });
    expect(failing.status).toBe(201);
    expect(failing.body.status).toBe("incomplete");

    const canceled = await request(`/v1/subscriptions/${now.id}/cancel`, "POST", {});
    expect(canceled.body).toMatchObject({ status: "canceled", nextBillingAt: null });
    const atEnd = await request(`/v1/subscriptions/${later.id}/cancel`, "POST", { atPeriodEnd: true });
    expect(atEnd.body).toMatchObject({ status: "active", cancelAtPeriodEnd: true });

    await advanceTo("2028-05-01T09:00:00.000Z");
    expect((await request(`/v1/subscriptions/${three.id}`)).body).toMatchObject({
      status: "ended",
      cyclesBilled: 3,
    });
    expect(await invoicesOf(three.id)).toHaveLength(3);
    expect(await invoicesOf(now.id)).toHaveLength(1);
    expect((await request(`/v1/subscriptions/${later.id}`)).body).toMatchObject({
      status: "canceled",
      cyclesBilled: 1,
    });
    expect(await invoicesOf(later.id)).toHaveLength(1);
    expect((await request(`/v1/subscriptions/${failing.body.id}`)).body.status).toBe("incomplete_expired");
  }, 180_000);

  it("keeps billing a past-due subscription (dunning set to leave it past due), and paying makes it active again", async () => {
    const settings = { dunning: { retryDays: [3, 5, 7], finalAction: "leave_past_due" } };
    expect((await request("/v1/merchant", "PATCH", settings)).status).toBe(200);
    const eve = await customerWithCard("eve@fjord.test", "pm_card_visa");
    const sub = (await request("/v1/subscriptions", "POST", { customerId: eve.id, items: [{ productId }] }))
      .body;
    expect(sub.status).toBe("active");
    const failing = (
      await request(`/v1/customers/${eve.id}/payment-methods`, "POST", {
        paymentMethod: "pm_card_chargeCustomerFail",
      })
    ).body;
    expect(
      (await request(`/v1/customers/${eve.id}`, "PATCH", { defaultPaymentMethodId: failing.id })).status,
    ).toBe(200);
    await advanceTo("2028-06-05T09:00:00.000Z");
    expect((await request(`/v1/subscriptions/${sub.id}`)).body.status).toBe("past_due");
    const failedMail = await eventually(
      async () => (await mailsTo("eve@fjord.test")).find((m) => m.body.text.includes("/payment-method")),
      30_000,
    );
    expect(failedMail.body.text).toContain("/c/");
    await advanceTo("2028-07-05T09:00:00.000Z");
    const invoices = await invoicesOf(sub.id);
    expect(invoices).toHaveLength(3);
    const open = invoices.filter((i) => i.status === "open");
    expect(open).toHaveLength(2);
    const paid = await request(`/v1/invoices/${open[0]?.id}/pay`, "POST", { paymentMethod: "pm_card_visa" });
    expect(paid.status).toBe(200);
    await request(`/v1/invoices/${open[1]?.id}/pay`, "POST", { paymentMethod: "pm_card_visa" });
    await eventually(
      async () =>
        (await request(`/v1/subscriptions/${sub.id}`)).body.status === "active" ? true : undefined,
      20_000,
    );
  }, 180_000);
});
