/**
 * Renewal reminders (issue 12 §5) on the real store (DynamoDB Local), the billing queue's consumer
 * and the notifications consumer, with a clock the test moves: billing a period plans the next
 * renewal's reminder at 09:00 merchant time `daysBefore` days before it; when it fires, the
 * `subscription.renewal_upcoming` event is written once (whatever fires twice) with what the renewal
 * will charge, and the buyer is emailed for the setting's intervals only. Subscriptions are written
 * to the store directly, as the resource's creation leaves them (period 0 due at its start).
 */
import { randomUUID } from "node:crypto";
import type { SQSRecord } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as settingsHandler } from "../../functions/api/merchant-settings.ts";
import { handler as taxRatesHandler } from "../../functions/api/tax-rates.ts";
import { handler as testClocksHandler } from "../../functions/api/test-clocks.ts";
import { handler as billingHandler } from "../../functions/billing/timers.ts";
import { paymentMethodPorts } from "../../shared/composition.ts";
import { attachPaymentMethod } from "../../shared/customers/payment-methods.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { outboxEventFromItem } from "../../shared/store/outbox.ts";
import { dynamoSubscriptionStore } from "../../shared/store/subscriptions.ts";
import { billDue } from "../../shared/subscriptions/billing.ts";
import { type RenewalUpcomingMessage, renewalScheduleName } from "../../shared/subscriptions/renewals.ts";
import type { StoredSubscription } from "../../shared/subscriptions/subscription.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { notify, recordingBilling, saveSubscription, storedSubscription } from "../helpers/subscriptions.ts";

const timeZone = "America/New_York";
let aws: TestAws;
let shop: TestMerchant;
let vat: string;
const clock = fixedClock(new Date("2026-01-20T15:00:00Z"));
const { planned, ports, fire } = recordingBilling(clock);

const settings = (body: object) => merchantCall(settingsHandler, "PATCH /v1/merchant", shop.secret, { body });

async function buyer(testClockId?: string) {
  const email = `renew-${randomUUID().slice(0, 8)}@buyer.test`;
  const customer = await expectStatus(
    merchantCall(customersHandler, "POST /v1/customers", shop.secret, {
      body: { email, name: "Sol", ...(testClockId ? { testClockId } : {}) },
    }),
    201,
  );
  await attachPaymentMethod(paymentMethodPorts(clock), shop.id, customer.id, "pm_card_visa");
  return { id: customer.id as string, email };
}

/** A yearly subscription as its creation leaves it, started on Jan 20, 2026 (New York), billed from its start. */
const subscribe = (customerId: string, over: Partial<StoredSubscription> = {}) =>
  saveSubscription(
    shop.id,
    storedSubscription(customerId, clock.now(), {
      startDate: "2026-01-20",
      interval: "year",
      timeZone,
      items: [
        { id: `si_${randomUUID().slice(0, 8)}`, description: "Pro plan", unitAmount: 30_000, quantity: 1 },
      ],
      taxRateIds: [vat],
      ...over,
    }),
  );

/** Moves the clock to `iso` and runs the billing of what is due then. */
async function billAt(iso: string, subscription: StoredSubscription) {
  clock.set(new Date(iso));
  await billDue(ports(), shop.id, subscription.id);
  return (await dynamoSubscriptionStore.read(shop.id, subscription.id))!;
}

const reminderOf = (subscriptionId: string, period: number) =>
  planned.find((s) => s.name === renewalScheduleName(subscriptionId, period));

const renewalEvents = async (subscriptionId: string) =>
  (await aws.scanAll()).filter(
    (i) =>
      i.type === "event" && i.eventType === "subscription.renewal_upcoming" && i.objectId === subscriptionId,
  );

const renewalMails = async (email: string) =>
  (await aws.mailTo(email)).filter((m) => m.subject.includes("renews on"));

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events", "notifications"]);
  shop = await newMerchant("Renewal Shop");
  await expectStatus(settings({ timeZone }));
  const rate = await expectStatus(
    merchantCall(taxRatesHandler, "POST /v1/tax-rates", shop.secret, {
      body: { name: "VAT", percentage: 10, inclusive: false },
    }),
    201,
  );
  vat = rate.id;
});

describe("a renewal reminder", () => {
  it("reminds a yearly subscription's buyer 7 days before the renewal at 09:00 merchant time, once even when fired twice", async () => {
    const customer = await buyer();
    const sub = await subscribe(customer.id);

    await billAt("2026-01-20T15:00:00Z", sub);
    const reminder = reminderOf(sub.id, 1);
    // Renewal on Jan 20, 2027 (New York): the reminder on Jan 13 at 09:00 EST.
    expect(reminder?.at.toISOString()).toBe("2027-01-13T14:00:00.000Z");
    expect(reminder?.payload).toEqual({
      kind: "subscription.renewal_upcoming",
      merchantId: shop.id,
      subscriptionId: sub.id,
      period: 1,
      renewsAt: "2027-01-20T05:00:00.000Z",
    } satisfies RenewalUpcomingMessage);

    await fire(reminder!);
    await fire(reminder!);

    const events = await renewalEvents(sub.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.occurredAt).toBe("2027-01-13T14:00:00.000Z");
    expect(events[0]!.data).toMatchObject({
      subscription: { id: sub.id, interval: "year", status: "active" },
      renewal: {
        period: 1,
        periodStart: "2027-01-20T05:00:00.000Z",
        periodEnd: "2028-01-20T05:00:00.000Z",
        currency: "USD",
        subtotal: 30_000,
        discountTotal: 0,
        taxTotal: 3_000,
        total: 33_000,
      },
    });

    await notify(events[0]!);
    await notify(events[0]!);
    const mails = await renewalMails(customer.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe("[TEST MODE] Your subscription to Renewal Shop renews on Jan 20, 2027");
    const text = mails[0]!.body.text;
    expect(text).toContain("On Jan 20, 2027 you'll be charged $330.00 ($300.00, tax $30.00)");
    expect(text).toContain("charged automatically to your visa card ending in 4242");
    expect(text).toMatch(/update it here: https:\/\/pay\.kassa\.test\/c\/[\w-]+\/payment-method/);
    expect(text).toContain("Contact Renewal Shop before Jan 20, 2027 to cancel it");

    // The renewal bills the year and plans the next year's reminder.
    const renewed = await billAt("2027-01-20T05:00:01Z", sub);
    expect(renewed.value).toMatchObject({ nextPeriod: 2, nextBillingAt: "2028-01-20T05:00:00.000Z" });
    expect(reminderOf(sub.id, 2)?.at.toISOString()).toBe("2028-01-13T14:00:00.000Z");
  });

  it("announces a monthly renewal with the event but emails nobody by default", async () => {
    const customer = await buyer();
    const sub = await subscribe(customer.id, { interval: "month" });

    await billAt("2026-01-20T15:00:00Z", sub);
    const reminder = reminderOf(sub.id, 1);
    expect(reminder?.at.toISOString()).toBe("2026-02-13T14:00:00.000Z");
    await fire(reminder!);

    const events = await renewalEvents(sub.id);
    expect(events).toHaveLength(1);
    expect(events[0]!.data).toMatchObject({ renewal: { period: 1, total: 33_000 } });
    await notify(events[0]!);
    expect(await renewalMails(customer.email)).toEqual([]);
  });

  it("announces nothing for a subscription set to cancel at period end since the reminder was planned", async () => {
    const customer = await buyer();
    const sub = await subscribe(customer.id);
    const billed = await billAt("2026-01-20T15:00:00Z", sub);
    await dynamoSubscriptionStore.replace(
      shop.id,
      { ...billed.value, cancelAtPeriodEnd: true },
      billed.version,
      newEvent("subscription.updated", shop.id, sub.id, clock.now(), {}),
    );

    await fire(reminderOf(sub.id, 1)!);

    expect(await renewalEvents(sub.id)).toEqual([]);
  });

  it("announces nothing for a paused subscription, nor for a renewal that moved to another instant", async () => {
    const customer = await buyer();
    const sub = await subscribe(customer.id);
    const billed = await billAt("2026-01-20T15:00:00Z", sub);
    const reminder = reminderOf(sub.id, 1)!;
    await fire({ ...reminder, payload: { ...reminder.payload, renewsAt: "2027-02-20T05:00:00.000Z" } });
    expect(await renewalEvents(sub.id)).toEqual([]);

    await dynamoSubscriptionStore.replace(
      shop.id,
      { ...billed.value, status: "paused" },
      billed.version,
      newEvent("subscription.updated", shop.id, sub.id, clock.now(), {}),
    );
    await fire(reminder);

    expect(await renewalEvents(sub.id)).toEqual([]);
  });

  it("plans and announces nothing for a subscription in its final cycle, which ends instead of renewing", async () => {
    const customer = await buyer();
    const sub = await subscribe(customer.id, { billingCycles: 1 });

    const billed = await billAt("2026-01-20T15:00:00Z", sub);
    expect(billed.value).toMatchObject({ cyclesBilled: 1, nextBillingAt: "2027-01-20T05:00:00.000Z" });
    expect(reminderOf(sub.id, 1)).toBeUndefined();

    // A reminder planned before (a stale one) finds the final cycle and stays silent; then it ends.
    const stale: RenewalUpcomingMessage = {
      kind: "subscription.renewal_upcoming",
      merchantId: shop.id,
      subscriptionId: sub.id,
      period: 1,
      renewsAt: "2027-01-20T05:00:00.000Z",
    };
    await fire({
      name: renewalScheduleName(sub.id, 1),
      at: new Date("2027-01-13T14:00:00Z"),
      queue: "billing",
      payload: stale,
    });
    expect((await billAt("2027-01-20T05:00:01Z", sub)).value.status).toBe("ended");
    await fire({
      name: renewalScheduleName(sub.id, 1),
      at: new Date("2027-01-21T14:00:00Z"),
      queue: "billing",
      payload: stale,
    });

    expect(await renewalEvents(sub.id)).toEqual([]);
  });
});

describe("a renewal reminder on a test clock", () => {
  /** Delivers a message to the billing queue's consumer as deployed (each on its own clock). */
  const deliverDeployed = async (body: unknown) =>
    expect(
      await billingHandler({
        Records: [{ messageId: randomUUID(), body: JSON.stringify(body) } as SQSRecord],
      }),
    ).toEqual({ batchItemFailures: [] });

  it("waits in the clock's due work and fires on the clock's time when an advance passes it", async () => {
    const clockId = (
      await expectStatus(
        merchantCall(testClocksHandler, "POST /v1/test-clocks", shop.secret, {
          body: { frozenTime: "2026-01-20T15:00:00Z" },
        }),
        201,
      )
    ).id as string;
    const customer = await buyer(clockId);
    const sub = await subscribe(customer.id, { testClockId: clockId });
    await deliverDeployed({
      kind: "subscription.bill",
      merchantId: shop.id,
      subscriptionId: sub.id,
      period: 0,
      testClockId: clockId,
    });
    expect(reminderOf(sub.id, 1)).toBeUndefined();
    const due = (await aws.scanAll()).filter(
      (i) => i.GSI2PK === `DUE#${clockId}` && i.name === renewalScheduleName(sub.id, 1),
    );
    expect(due.map((i) => String(i.GSI2SK).split("#")[0])).toEqual(["2027-01-13T14:00:00.000Z"]);

    await expectStatus(
      merchantCall(testClocksHandler, "POST /v1/test-clocks/{id}/advance", shop.secret, {
        id: clockId,
        body: { frozenTime: "2027-01-14T00:00:00Z" },
      }),
    );
    const advancing = (await aws.scanAll()).find(
      (i) => i.type === "event" && i.eventType === "test_clock.advancing" && i.objectId === clockId,
    );
    await deliverDeployed(outboxEventFromItem(advancing!));

    const events = await renewalEvents(sub.id);
    expect(events.map((e) => e.occurredAt)).toEqual(["2027-01-13T14:00:00.000Z"]);
    expect(events[0]!.data).toMatchObject({ renewal: { period: 1, total: 33_000 } });
  });
});

describe("the renewalReminders setting", () => {
  it("defaults to 7 days before yearly and half-yearly renewals", async () => {
    const merchant = await expectStatus(merchantCall(settingsHandler, "GET /v1/merchant", shop.secret));
    expect(merchant.renewalReminders).toEqual({ daysBefore: 7, intervals: ["year", "half_year"] });
  });

  it.each([
    ["daysBefore 0", { daysBefore: 0, intervals: ["year"] }, "renewalReminders.daysBefore"],
    ["daysBefore 61", { daysBefore: 61, intervals: ["year"] }, "renewalReminders.daysBefore"],
    ["a fractional daysBefore", { daysBefore: 1.5, intervals: ["year"] }, "renewalReminders.daysBefore"],
    ["an unknown interval", { daysBefore: 7, intervals: ["week"] }, "renewalReminders.intervals.0"],
    ["a repeated interval", { daysBefore: 7, intervals: ["year", "year"] }, "renewalReminders.intervals"],
    ["a missing daysBefore", { intervals: ["year"] }, "renewalReminders.daysBefore"],
    ["an unknown field", { daysBefore: 7, intervals: [], hour: 9 }, "renewalReminders.hour"],
  ])("refuses %s with a 400 naming the field, writing nothing", async (_name, value, path) => {
    const before = await aws.countItems();

    const r = await settings({ renewalReminders: value });

    expect(r.status, r.raw).toBe(400);
    expect((r.body.errors as { path: string }[]).map((e) => e.path)).toContain(path);
    expect(await aws.countItems()).toBe(before);
  });

  it("reminds by the merchant's days and emails for the intervals it names; none when daysBefore is not shorter than the period", async () => {
    const r = await expectStatus(settings({ renewalReminders: { daysBefore: 14, intervals: ["month"] } }));
    expect(r.renewalReminders).toEqual({ daysBefore: 14, intervals: ["month"] });
    try {
      const customer = await buyer();
      const sub = await subscribe(customer.id, { interval: "month" });
      await billAt("2026-01-20T15:00:00Z", sub);
      const reminder = reminderOf(sub.id, 1)!;
      expect(reminder.at.toISOString()).toBe("2026-02-06T14:00:00.000Z");
      await fire(reminder);
      const [event] = await renewalEvents(sub.id);
      await notify(event!);
      expect(await renewalMails(customer.email)).toHaveLength(1);

      // February has 28 days: a 28-day reminder would fall before the period it ends.
      await expectStatus(settings({ renewalReminders: { daysBefore: 28, intervals: ["month"] } }));
      await billAt("2026-02-20T05:00:01Z", sub);
      expect(reminderOf(sub.id, 2)).toBeUndefined();
    } finally {
      await expectStatus(settings({ renewalReminders: { daysBefore: 7, intervals: ["year", "half_year"] } }));
    }
  });
});
