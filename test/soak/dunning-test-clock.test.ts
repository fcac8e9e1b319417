/**
 * Dunning on a test clock, through the API and the billing queue as deployed: a bound customer's
 * renewal declined on `pm_card_chargeCustomerFail` plans its retries in the clock's due partition
 * (never on the real scheduler), and the clock's advance runs them on days 3, 5 and 7, then cancels.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customers } from "../../functions/api/customers.ts";
import { handler as invoices } from "../../functions/api/invoices.ts";
import { handler as settings } from "../../functions/api/merchant-settings.ts";
import { handler as paymentMethods } from "../../functions/api/payment-methods.ts";
import { handler as subscriptions } from "../../functions/api/subscriptions.ts";
import { retryScheduleName } from "../../shared/subscriptions/dunning.ts";
import { newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { clockHarness, lostCardDefault } from "../helpers/subscriptions.ts";

let aws: TestAws;
let shop: TestMerchant;
const harness = clockHarness(() => ({ aws, shop }));
const { advance, duePartition, eventsOf, buyerAt } = harness;

/** The API's answer to a request that must succeed. */
const call = async (handler: unknown, routeKey: string, id?: string, body?: unknown) => {
  const result = await harness.call(handler, routeKey, id, body);
  expect(result.status, `${routeKey}: ${JSON.stringify(result.body)}`).toBeLessThan(300);
  return result.body;
};

/** A monthly card subscription from 2030-01-01 of a customer on a new clock standing then, paying by pm_card_visa. */
async function monthlyOnClock() {
  const { clockId, customerId } = await buyerAt("2030-01-01T09:00:00Z", "pm_card_visa");
  const created = await call(subscriptions, "POST /v1/subscriptions", undefined, {
    customerId,
    items: [{ description: "Pro plan", unitAmount: 3_100, quantity: 1 }],
    currency: "USD",
    interval: "month",
    startDate: "2030-01-01",
    billingAnchorDay: 1,
    collectionMethod: "charge_automatically",
  });
  expect(created.status).toBe("active");
  return { clockId, customerId, subscriptionId: created.id as string };
}

/** Saves pm_card_chargeCustomerFail and makes it the default: every later charge is declined. */
async function failingDefault(customerId: string) {
  const failing = await call(paymentMethods, "POST /v1/customers/{id}/payment-methods", customerId, {
    paymentMethod: "pm_card_chargeCustomerFail",
  });
  await call(customers, "PATCH /v1/customers/{id}", customerId, { defaultPaymentMethodId: failing.id });
}

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events", "notifications"]);
  shop = await newMerchant("Dunning on a clock");
});

describe("dunning on a test clock", () => {
  it("retries a declined renewal on the clock's days 3, 5 and 7 (its due partition), then cancels", async () => {
    const { clockId, customerId, subscriptionId } = await monthlyOnClock();
    await failingDefault(customerId);

    // The renewal fires at the clock's Feb 1, 00:00 UTC (the merchant's zone) and is declined.
    expect(await advance(clockId, "2030-02-01T12:00:00Z")).toMatchObject({ status: "ready" });
    const pastDue = await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId);
    expect(pastDue.status).toBe("past_due");
    const invoiceId = pastDue.latestInvoiceId as string;
    expect(await call(invoices, "GET /v1/invoices/{id}", invoiceId)).toMatchObject({
      attemptCount: 1,
      nextPaymentAttemptAt: "2030-02-04T00:00:00.000Z",
    });
    expect(await duePartition(clockId)).toEqual(
      expect.arrayContaining([
        `${retryScheduleName(invoiceId, 0)} @ 2030-02-04T00:00:00.000Z`,
        `${retryScheduleName(invoiceId, 1)} @ 2030-02-06T00:00:00.000Z`,
        `${retryScheduleName(invoiceId, 2)} @ 2030-02-08T00:00:00.000Z`,
      ]),
    );

    await advance(clockId, "2030-02-05T00:00:00Z");
    expect(await call(invoices, "GET /v1/invoices/{id}", invoiceId)).toMatchObject({
      attemptCount: 2,
      nextPaymentAttemptAt: "2030-02-06T00:00:00.000Z",
    });
    await advance(clockId, "2030-02-09T00:00:00Z");
    expect(await call(invoices, "GET /v1/invoices/{id}", invoiceId)).toMatchObject({
      status: "open",
      attemptCount: 4,
      nextPaymentAttemptAt: null,
    });
    expect(await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId)).toMatchObject({
      status: "canceled",
    });
    const failed = await eventsOf("invoice.payment_failed", invoiceId);
    expect(failed.map((e) => e.occurredAt)).toEqual([
      "2030-02-01T00:00:00.000Z",
      "2030-02-04T00:00:00.000Z",
      "2030-02-06T00:00:00.000Z",
      "2030-02-08T00:00:00.000Z",
    ]);
  });
});

describe("the other final actions on a test clock", () => {
  it.each([
    ["mark_uncollectible", "active", "uncollectible"],
    ["leave_past_due", "past_due", "open"],
  ] as const)(
    "retries on days 3, 5 and 7, then applies %s at the last retry",
    async (finalAction, subscriptionStatus, invoiceStatus) => {
      shop = await newMerchant(`Clock dunning, ${finalAction}`);
      await call(settings, "PATCH /v1/merchant", undefined, {
        dunning: { retryDays: [3, 5, 7], finalAction },
      });
      const { clockId, customerId, subscriptionId } = await monthlyOnClock();
      await failingDefault(customerId);

      await advance(clockId, "2030-02-09T00:00:00Z");
      const invoiceId = (await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId))
        .latestInvoiceId as string;
      expect((await eventsOf("invoice.payment_failed", invoiceId)).map((e) => e.occurredAt)).toEqual([
        "2030-02-01T00:00:00.000Z",
        "2030-02-04T00:00:00.000Z",
        "2030-02-06T00:00:00.000Z",
        "2030-02-08T00:00:00.000Z",
      ]);
      expect(await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId)).toMatchObject({
        status: subscriptionStatus,
      });
      expect(await call(invoices, "GET /v1/invoices/{id}", invoiceId)).toMatchObject({
        status: invoiceStatus,
        attemptCount: 4,
        amountRemaining: 3_100,
        nextPaymentAttemptAt: null,
      });
    },
  );
});

describe("a hard decline on a test clock, with no new card ever added", () => {
  it.each([
    ["cancel", "canceled", "open"],
    ["mark_uncollectible", "active", "uncollectible"],
    ["leave_past_due", "past_due", "open"],
  ] as const)(
    "charges nothing more and applies %s at the last retry day's instant",
    async (finalAction, subscriptionStatus, invoiceStatus) => {
      shop = await newMerchant(`Hard decline, ${finalAction}`);
      await call(settings, "PATCH /v1/merchant", undefined, {
        dunning: { retryDays: [3, 5, 7], finalAction },
      });
      const { clockId, customerId, subscriptionId } = await monthlyOnClock();
      await lostCardDefault(shop.id, customerId, new Date("2030-01-01T09:00:00.000Z"));

      await advance(clockId, "2030-02-01T12:00:00Z");
      const invoiceId = (await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId))
        .latestInvoiceId as string;
      expect(await call(invoices, "GET /v1/invoices/{id}", invoiceId)).toMatchObject({
        status: "open",
        attemptCount: 1,
        nextPaymentAttemptAt: null,
      });
      // Only the last retry's instant waits in the clock's partition: the final action's.
      const partition = (await duePartition(clockId)).filter((p) => p.startsWith(`${invoiceId}-retry`));
      expect(partition).toEqual([`${retryScheduleName(invoiceId, 2)} @ 2030-02-08T00:00:00.000Z`]);

      await advance(clockId, "2030-02-07T23:00:00Z");
      expect((await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId)).status).toBe(
        "past_due",
      );
      await advance(clockId, "2030-02-09T00:00:00Z");

      expect(await call(subscriptions, "GET /v1/subscriptions/{id}", subscriptionId)).toMatchObject({
        status: subscriptionStatus,
      });
      expect(await call(invoices, "GET /v1/invoices/{id}", invoiceId)).toMatchObject({
        status: invoiceStatus,
        attemptCount: 1,
        amountRemaining: 3_100,
        nextPaymentAttemptAt: null,
      });
      // The lost card was charged once, at the renewal: no retry charged it.
      expect((await eventsOf("invoice.payment_failed", invoiceId)).map((e) => e.occurredAt)).toEqual([
        "2030-02-01T00:00:00.000Z",
      ]);
      if (finalAction === "cancel") {
        const [canceled] = await eventsOf("subscription.canceled", subscriptionId);
        expect(canceled?.occurredAt).toBe("2030-02-08T00:00:00.000Z");
      }
      if (finalAction === "mark_uncollectible") {
        const [marked] = await eventsOf("invoice.marked_uncollectible", invoiceId);
        expect(marked?.occurredAt).toBe("2030-02-08T00:00:00.000Z");
      }
    },
  );
});
