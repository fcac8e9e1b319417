/**
 * Pause and resume, and trials (issue 12 §3, §4), end to end: subscriptions made through the API
 * for customers bound to test clocks, and the clocks' advances running the billing engine and the
 * one-time schedules on the billing queue, as deployed. A pause bills nothing for the periods it
 * covers; a resume bills the prorated short period from its instant to the next anchor date, then
 * the regular periods; a trial bills nothing and its end bills the first period; its buyer is
 * reminded once, three days before.
 */
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as settings } from "../../functions/api/merchant-settings.ts";
import { handler as paymentMethods } from "../../functions/api/payment-methods.ts";
import { handler as subscriptions } from "../../functions/api/subscriptions.ts";
import type { OneTimeSchedule } from "../../shared/aws/scheduler.ts";
import { billingPorts } from "../../shared/composition.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { newId } from "../../shared/domain/ids.ts";
import { billDue } from "../../shared/subscriptions/billing.ts";
import { newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { clockHarness } from "../helpers/subscriptions.ts";

let aws: TestAws;
let shop: TestMerchant;
const harness = clockHarness(() => ({ aws, shop }));
const { call, buyerAt } = harness;
const events = harness.eventsOf;

/** Advances the clock through the API and runs the advance on the billing queue: it must end ready there. */
async function advance(clockId: string, frozenTime: string) {
  expect(await harness.advance(clockId, frozenTime)).toMatchObject({
    status: "ready",
    frozenTime: new Date(frozenTime).toISOString(),
  });
}

const plan = { items: [{ description: "Pro plan", unitAmount: 3_100 }], currency: "USD", interval: "month" };

async function subscribe(customerId: string, extra: object = {}) {
  const r = await call(subscriptions, "POST /v1/subscriptions", undefined, {
    customerId,
    ...plan,
    collectionMethod: "send_invoice",
    ...extra,
  });
  expect(r.status, JSON.stringify(r.body)).toBe(201);
  return r.body as Record<string, unknown> & { id: string };
}

const get = async (id: string) => (await call(subscriptions, "GET /v1/subscriptions/{id}", id)).body;
const pause = (id: string, body?: object) =>
  call(subscriptions, "POST /v1/subscriptions/{id}/pause", id, body ?? {});
const resume = (id: string) => call(subscriptions, "POST /v1/subscriptions/{id}/resume", id);

/** The subscription's invoices, oldest period first: period, subtotal, status, first line's text. */
async function invoicesOf(subscriptionId: string) {
  const { Items = [] } = await aws.db.send(
    new QueryCommand({
      TableName: aws.tableName,
      KeyConditionExpression: "PK = :pk AND begins_with(SK, :inv)",
      ExpressionAttributeValues: { ":pk": `MERCHANT#${shop.id}`, ":inv": "inv_" },
    }),
  );
  return Items.filter((i) => i.type === "invoice" && i.subscriptionId === subscriptionId)
    .sort((a, b) => String(a.periodStart).localeCompare(String(b.periodStart)))
    .map((i) => ({
      period: `${i.periodStart} → ${i.periodEnd}`,
      subtotal: i.subtotal,
      status: i.status,
      line: (i.lineItems as { description: string }[])[0]?.description,
    }));
}

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events"]);
  shop = await newMerchant("Pause and Trial Shop");
  const r = await call(settings, "PATCH /v1/merchant", undefined, { timeZone: "UTC" });
  expect(r.status).toBe(200);
});

describe("pause and resume", () => {
  it("pauses at the end of the period billed, bills nothing for two periods, and a resume bills the prorated short period, then the next anchor's", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-01T10:00:00Z");
    const sub = await subscribe(customerId);
    expect(sub).toMatchObject({ status: "active", pauseAt: null, resumesAt: null });

    const paused = await pause(sub.id);
    expect(paused.status, JSON.stringify(paused.body)).toBe(200);
    // Still active until the end of the period already billed.
    expect(paused.body).toMatchObject({
      status: "active",
      pauseAt: "2030-02-01T00:00:00.000Z",
      resumesAt: null,
      nextBillingAt: "2030-02-01T00:00:00.000Z",
    });
    expect((await pause(sub.id)).status).toBe(409);

    await advance(clockId, "2030-04-10T12:00:00Z");
    expect(await get(sub.id)).toMatchObject({
      status: "paused",
      pauseAt: null,
      nextBillingAt: null,
      cyclesBilled: 1,
      currentPeriodEnd: "2030-02-01T00:00:00.000Z",
    });
    // February and March were never billed.
    expect(await invoicesOf(sub.id)).toEqual([
      expect.objectContaining({
        period: "2030-01-01T00:00:00.000Z → 2030-02-01T00:00:00.000Z",
        subtotal: 3_100,
      }),
    ]);
    expect(await events("subscription.paused", sub.id)).toHaveLength(1);
    expect((await pause(sub.id)).status).toBe(409);

    const resumed = await resume(sub.id);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(200);
    expect(resumed.body).toMatchObject({
      status: "active",
      resumesAt: null,
      currentPeriodStart: "2030-04-10T12:00:00.000Z",
      currentPeriodEnd: "2030-05-01T00:00:00.000Z",
      nextBillingAt: "2030-05-01T00:00:00.000Z",
      cyclesBilled: 2,
    });
    expect((await resume(sub.id)).status).toBe(409);
    expect(await events("subscription.resumed", sub.id)).toHaveLength(1);

    await advance(clockId, "2030-05-01T00:00:01Z");
    expect(await invoicesOf(sub.id)).toEqual([
      expect.objectContaining({
        period: "2030-01-01T00:00:00.000Z → 2030-02-01T00:00:00.000Z",
        subtotal: 3_100,
      }),
      // 3100 × 20.5 days of April's 30 = 2118.33…: the seconds from the resume to May 1.
      expect.objectContaining({
        period: "2030-04-10T12:00:00.000Z → 2030-05-01T00:00:00.000Z",
        subtotal: 2_118,
        status: "open",
        line: "Pro plan (prorated 21/30 days)",
      }),
      expect.objectContaining({
        period: "2030-05-01T00:00:00.000Z → 2030-06-01T00:00:00.000Z",
        subtotal: 3_100,
      }),
    ]);
    expect(await get(sub.id)).toMatchObject({ status: "active", cyclesBilled: 3 });
  });

  it("resumes by itself at the start of resumesAt, billing from there to the next anchor date", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-15T09:00:00Z");
    const sub = await subscribe(customerId);

    // The pause begins Feb 15: resuming on or before that day is refused, writing nothing.
    const early = await pause(sub.id, { resumesAt: "2030-02-15" });
    expect(early.status).toBe(400);
    expect(early.body.errors).toEqual([expect.objectContaining({ path: "resumesAt" })]);
    expect(await get(sub.id)).toMatchObject({ pauseAt: null });

    const paused = await pause(sub.id, { resumesAt: "2030-03-20" });
    expect(paused.body).toMatchObject({
      pauseAt: "2030-02-15T00:00:00.000Z",
      resumesAt: "2030-03-20T00:00:00.000Z",
    });

    await advance(clockId, "2030-03-01T00:00:00Z");
    // While paused it waits in the due index at its resume instant.
    expect(await get(sub.id)).toMatchObject({ status: "paused", nextBillingAt: "2030-03-20T00:00:00.000Z" });

    await advance(clockId, "2030-03-25T00:00:00Z");
    expect(await get(sub.id)).toMatchObject({
      status: "active",
      resumesAt: null,
      currentPeriodStart: "2030-03-20T00:00:00.000Z",
      nextBillingAt: "2030-04-15T00:00:00.000Z",
    });
    expect(await invoicesOf(sub.id)).toEqual([
      expect.objectContaining({
        period: "2030-01-15T00:00:00.000Z → 2030-02-15T00:00:00.000Z",
        subtotal: 3_100,
      }),
      // Mar 20 → Apr 15: 26 of the 31 days of [Mar 15, Apr 15).
      expect.objectContaining({
        period: "2030-03-20T00:00:00.000Z → 2030-04-15T00:00:00.000Z",
        subtotal: 2_600,
        line: "Pro plan (prorated 26/31 days)",
      }),
    ]);
    expect(await events("subscription.paused", sub.id)).toHaveLength(1);
    expect(await events("subscription.resumed", sub.id)).toHaveLength(1);
  });

  it("a resume before the pause begins calls it off: the next period is billed as usual", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-01T10:00:00Z");
    const sub = await subscribe(customerId);
    await pause(sub.id, { resumesAt: "2030-06-01" });
    const r = await resume(sub.id);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: "active", pauseAt: null, resumesAt: null });
    expect((await resume(sub.id)).status).toBe(409);

    await advance(clockId, "2030-02-01T00:00:01Z");
    expect(await get(sub.id)).toMatchObject({ status: "active", cyclesBilled: 2 });
    expect(await events("subscription.paused", sub.id)).toHaveLength(0);
  });

  it("on the wall clock, the pause's firing plans the resume under its own schedule name (the period's fired at the pause)", async () => {
    const customer = await call(customers, "POST /v1/customers", undefined, {
      email: `pt-wall-${newId("customer", new Date()).slice(-8).toLowerCase()}@pause.test`,
    });
    const sub = await subscribe(customer.body.id);
    const paused = await pause(sub.id, { resumesAt: "2099-01-01" });
    expect(paused.status).toBe(200);
    const pauseAt = String(paused.body.pauseAt);

    const planned: OneTimeSchedule[] = [];
    const clock = fixedClock(new Date(Date.parse(pauseAt) + 1_000));
    const ports = {
      ...billingPorts(clock),
      scheduler: { scheduleOnce: async (s: OneTimeSchedule) => void planned.push(s), cancel: async () => {} },
    };
    await billDue(ports, shop.id, sub.id, 1);
    expect(await get(sub.id)).toMatchObject({ status: "paused", nextBillingAt: "2099-01-01T00:00:00.000Z" });
    expect(planned.map((s) => [s.name, s.at.toISOString(), s.payload.period])).toEqual([
      [`${sub.id}-period-1-resume`, "2099-01-01T00:00:00.000Z", 1],
    ]);
  });

  it("cancel at period end on a paused subscription (no resumesAt) cancels it at once: no period is running", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-01T10:00:00Z");
    const sub = await subscribe(customerId);
    await pause(sub.id);
    await advance(clockId, "2030-02-10T08:00:00Z");
    expect(await get(sub.id)).toMatchObject({ status: "paused", nextBillingAt: null });

    // Setting the flag alone would wait for a period end that never comes: a 409, nothing written.
    const flagged = await call(subscriptions, "PATCH /v1/subscriptions/{id}", sub.id, {
      cancelAtPeriodEnd: true,
    });
    expect(flagged.status, JSON.stringify(flagged.body)).toBe(409);
    expect(await get(sub.id)).toMatchObject({ status: "paused", cancelAtPeriodEnd: false });

    const canceled = await call(subscriptions, "POST /v1/subscriptions/{id}/cancel", sub.id, {
      atPeriodEnd: true,
    });
    expect(canceled.status, JSON.stringify(canceled.body)).toBe(200);
    expect(canceled.body).toMatchObject({
      status: "canceled",
      cancelAtPeriodEnd: false,
      canceledAt: "2030-02-10T08:00:00.000Z",
      endedAt: "2030-02-10T08:00:00.000Z",
      nextBillingAt: null,
    });
    expect(await events("subscription.canceled", sub.id)).toHaveLength(1);
    await advance(clockId, "2030-04-02T00:00:00Z");
    expect(await invoicesOf(sub.id)).toHaveLength(1);
    expect((await resume(sub.id)).status).toBe(409);
  });

  it("pauses only an active subscription: a scheduled or canceled one is a 409", async () => {
    const { customerId } = await buyerAt("2030-01-01T10:00:00Z");
    const scheduled = await subscribe(customerId, { startDate: "2030-02-01" });
    expect((await pause(scheduled.id)).status).toBe(409);
    expect((await resume(scheduled.id)).status).toBe(409);
    const canceled = await subscribe(customerId);
    expect((await call(subscriptions, "POST /v1/subscriptions/{id}/cancel", canceled.id)).status).toBe(200);
    expect((await pause(canceled.id)).status).toBe(409);
    expect((await resume(canceled.id)).status).toBe(409);
  });
});

describe("trials", () => {
  it("bills nothing during a card trial, reminds the buyer once three days before its end, then charges the first period", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-01T10:00:00Z", "pm_card_visa");
    const sub = await subscribe(customerId, { collectionMethod: "charge_automatically", trialDays: 14 });
    expect(sub).toMatchObject({
      status: "trialing",
      trialStart: "2030-01-01T10:00:00.000Z",
      trialEnd: "2030-01-15T00:00:00.000Z",
      billingAnchorDay: 15,
      nextBillingAt: "2030-01-15T00:00:00.000Z",
      cyclesBilled: 0,
      latestInvoiceId: null,
    });
    expect(await invoicesOf(sub.id)).toEqual([]);

    await advance(clockId, "2030-01-11T23:59:59Z");
    expect(await events("subscription.trial_will_end", sub.id)).toHaveLength(0);
    await advance(clockId, "2030-01-12T00:00:00Z");
    const [reminder] = await events("subscription.trial_will_end", sub.id);
    expect(reminder?.data).toMatchObject({ subscription: { id: sub.id, status: "trialing" } });

    await advance(clockId, "2030-01-15T01:00:00Z");
    expect(await get(sub.id)).toMatchObject({
      status: "active",
      cyclesBilled: 1,
      currentPeriodStart: "2030-01-15T00:00:00.000Z",
      nextBillingAt: "2030-02-15T00:00:00.000Z",
    });
    expect(await invoicesOf(sub.id)).toEqual([
      expect.objectContaining({
        period: "2030-01-15T00:00:00.000Z → 2030-02-15T00:00:00.000Z",
        subtotal: 3_100,
        status: "paid",
      }),
    ]);
    await advance(clockId, "2030-02-20T00:00:00Z");
    expect(await events("subscription.trial_will_end", sub.id)).toHaveLength(1);
  });

  it("a trial from a later start date waits scheduled, starts then (subscription.updated), and its end bills the first period", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-01T10:00:00Z", "pm_card_visa");
    const sub = await subscribe(customerId, {
      collectionMethod: "charge_automatically",
      startDate: "2030-01-10",
      trialDays: 14,
    });
    expect(sub).toMatchObject({
      status: "scheduled",
      startDate: "2030-01-10",
      trialStart: "2030-01-10T00:00:00.000Z",
      trialEnd: "2030-01-24T00:00:00.000Z",
      billingAnchorDay: 24,
      nextBillingAt: "2030-01-10T00:00:00.000Z",
      cyclesBilled: 0,
    });

    await advance(clockId, "2030-01-10T01:00:00Z");
    expect(await get(sub.id)).toMatchObject({
      status: "trialing",
      nextBillingAt: "2030-01-24T00:00:00.000Z",
      cyclesBilled: 0,
      latestInvoiceId: null,
    });
    const started = (await events("subscription.updated", sub.id)).map((e) => e.data.subscription);
    expect(started).toEqual([expect.objectContaining({ status: "trialing" })]);
    expect(await events("subscription.activated", sub.id)).toHaveLength(0);
    expect(await invoicesOf(sub.id)).toEqual([]);

    await advance(clockId, "2030-01-21T00:00:00Z");
    expect(await events("subscription.trial_will_end", sub.id)).toHaveLength(1);
    await advance(clockId, "2030-01-24T01:00:00Z");
    expect(await get(sub.id)).toMatchObject({
      status: "active",
      cyclesBilled: 1,
      currentPeriodStart: "2030-01-24T00:00:00.000Z",
      nextBillingAt: "2030-02-24T00:00:00.000Z",
    });
    expect(await invoicesOf(sub.id)).toEqual([
      expect.objectContaining({
        period: "2030-01-24T00:00:00.000Z → 2030-02-24T00:00:00.000Z",
        subtotal: 3_100,
        status: "paid",
      }),
    ]);
  });

  it("on the wall clock, a later trial's start and its end are two schedules of their own names", async () => {
    const customer = await call(customers, "POST /v1/customers", undefined, {
      email: `pt-wall-${newId("customer", new Date()).slice(-8).toLowerCase()}@trial.test`,
    });
    const sub = await subscribe(customer.body.id, { startDate: "2099-01-01", trialDays: 10 });
    const planned: OneTimeSchedule[] = [];
    const ports = (at: string) => ({
      ...billingPorts(fixedClock(new Date(at))),
      scheduler: { scheduleOnce: async (s: OneTimeSchedule) => void planned.push(s), cancel: async () => {} },
    });
    await billDue(ports("2098-12-31T00:00:00Z"), shop.id, sub.id);
    await billDue(ports("2099-01-01T00:00:01Z"), shop.id, sub.id, 0);
    expect(await get(sub.id)).toMatchObject({
      status: "trialing",
      nextBillingAt: "2099-01-11T00:00:00.000Z",
    });
    expect(planned.map((s) => [s.name, s.at.toISOString(), s.payload.period])).toEqual([
      [`${sub.id}-period-0-trial-start`, "2099-01-01T00:00:00.000Z", 0],
      [`${sub.id}-period-0`, "2099-01-11T00:00:00.000Z", 0],
      [`${sub.id}-trial-will-end`, "2099-01-08T00:00:00.000Z", undefined],
    ]);
  });

  it("a trial with a later start date ends at trialEnd, which must come after the start date", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-01T10:00:00Z");
    const sub = await subscribe(customerId, { startDate: "2030-01-05", trialEnd: "2030-01-20" });
    expect(sub).toMatchObject({
      status: "scheduled",
      trialEnd: "2030-01-20T00:00:00.000Z",
      billingAnchorDay: 20,
    });
    await advance(clockId, "2030-01-20T00:00:00Z");
    expect(await get(sub.id)).toMatchObject({
      status: "active",
      cyclesBilled: 1,
      trialStart: "2030-01-05T00:00:00.000Z",
    });
    expect(await invoicesOf(sub.id)).toEqual([
      expect.objectContaining({
        period: "2030-01-20T00:00:00.000Z → 2030-02-20T00:00:00.000Z",
        subtotal: 3_100,
      }),
    ]);
  });

  it("a trial whose first charge is declined at its end leaves the subscription incomplete", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-01T10:00:00Z", "pm_card_chargeCustomerFail");
    const sub = await subscribe(customerId, { collectionMethod: "charge_automatically", trialDays: 5 });
    await advance(clockId, "2030-01-06T00:00:01Z");
    expect(await get(sub.id)).toMatchObject({ status: "incomplete", cyclesBilled: 1 });
    expect(await invoicesOf(sub.id)).toEqual([expect.objectContaining({ subtotal: 3_100, status: "open" })]);
  });

  it("ends a trial at the start of trialEnd; with billingAnchorDay the first period is prorated", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-05T10:00:00Z");
    const sub = await subscribe(customerId, { trialEnd: "2030-01-20", billingAnchorDay: 1 });
    expect(sub).toMatchObject({ status: "trialing", trialEnd: "2030-01-20T00:00:00.000Z" });
    await advance(clockId, "2030-01-20T00:00:00Z");
    expect(await invoicesOf(sub.id)).toEqual([
      // Jan 20 → Feb 1: 12 of 31 days.
      expect.objectContaining({
        period: "2030-01-20T00:00:00.000Z → 2030-02-01T00:00:00.000Z",
        subtotal: 1_200,
        line: "Pro plan (prorated 12/31 days)",
      }),
    ]);
    expect(await get(sub.id)).toMatchObject({ status: "active", nextBillingAt: "2030-02-01T00:00:00.000Z" });
  });

  it("a charge_automatically trial without a card needs missingPaymentMethod cancel, and is canceled at its end without one", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-01T10:00:00Z");
    const refused = await call(subscriptions, "POST /v1/subscriptions", undefined, {
      customerId,
      ...plan,
      trialDays: 7,
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([expect.objectContaining({ path: "defaultPaymentMethodId" })]);

    const sub = await subscribe(customerId, {
      collectionMethod: "charge_automatically",
      trialDays: 7,
      trialSettings: { missingPaymentMethod: "cancel" },
    });
    expect(sub).toMatchObject({ status: "trialing", trialSettings: { missingPaymentMethod: "cancel" } });
    await advance(clockId, "2030-01-08T00:00:01Z");
    expect(await get(sub.id)).toMatchObject({
      status: "canceled",
      endedAt: "2030-01-08T00:00:00.000Z",
      nextBillingAt: null,
    });
    expect(await invoicesOf(sub.id)).toEqual([]);
    expect(await events("subscription.canceled", sub.id)).toHaveLength(1);
  });

  it("a cardless trial set to cancel goes on when a card is saved before its end", async () => {
    const { clockId, customerId } = await buyerAt("2030-01-01T10:00:00Z");
    const sub = await subscribe(customerId, {
      collectionMethod: "charge_automatically",
      trialDays: 2,
      trialSettings: { missingPaymentMethod: "cancel" },
    });
    // Shorter than three days: the buyer is reminded at once.
    expect(await events("subscription.trial_will_end", sub.id)).toHaveLength(1);
    const method = await call(paymentMethods, "POST /v1/customers/{id}/payment-methods", customerId, {
      paymentMethod: "pm_card_visa",
    });
    expect(method.status).toBe(201);
    await advance(clockId, "2030-01-03T00:00:01Z");
    expect(await get(sub.id)).toMatchObject({ status: "active", cyclesBilled: 1 });
    expect(await invoicesOf(sub.id)).toEqual([expect.objectContaining({ subtotal: 3_100, status: "paid" })]);
    expect(await events("subscription.trial_will_end", sub.id)).toHaveLength(1);
  });

  it("refuses bad trials with a 400 naming the field", async () => {
    const { customerId } = await buyerAt("2030-01-01T10:00:00Z");
    const body = { customerId, ...plan, collectionMethod: "send_invoice" };
    const cases: [object, string][] = [
      [{ trialDays: 0 }, "trialDays"],
      [{ trialDays: 731 }, "trialDays"],
      [{ trialDays: 1.5 }, "trialDays"],
      [{ trialEnd: "2030-01-01" }, "trialEnd"],
      [{ trialEnd: "2030-02-30" }, "trialEnd"],
      [{ trialDays: 5, trialEnd: "2030-01-20" }, "trialEnd"],
      [{ trialSettings: { missingPaymentMethod: "cancel" } }, "trialSettings"],
      [{ startDate: "2030-01-10", trialEnd: "2030-01-10" }, "trialEnd"],
      [{ startDate: "2029-12-31", trialDays: 5 }, "startDate"],
    ];
    for (const [extra, path] of cases) {
      const r = await call(subscriptions, "POST /v1/subscriptions", undefined, { ...body, ...extra });
      expect(r.status, JSON.stringify(extra)).toBe(400);
      expect(
        (r.body.errors as { path: string }[]).map((e) => e.path),
        JSON.stringify(extra),
      ).toEqual([path]);
    }
  });
});
