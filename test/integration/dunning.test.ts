/**
 * Dunning end to end on the real store (DynamoDB Local) and the sandbox processor, with a clock the
 * test moves: a renewal declined on `pm_card_chargeCustomerFail` is retried on the days the merchant
 * set (the schedules' own times, at the failure's local time of day), each final action, a hard
 * decline waiting for a new card, and a retry racing a card update paying the invoice once.
 * Subscriptions are written to the store directly, as their creation leaves them.
 */
import { randomUUID } from "node:crypto";
import { QueryCommand } from "@aws-sdk/lib-dynamodb";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as invoicesHandler } from "../../functions/api/invoices.ts";
import { handler as settingsHandler } from "../../functions/api/merchant-settings.ts";
import { firing, type OneTimeSchedule } from "../../shared/aws/scheduler.ts";
import { paymentMethodPorts } from "../../shared/composition.ts";
import { attachPaymentMethod } from "../../shared/customers/payment-methods.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { dynamoCustomerStore } from "../../shared/store/customers.ts";
import { dynamoSubscriptionStore } from "../../shared/store/subscriptions.ts";
import { billDue } from "../../shared/subscriptions/billing.ts";
import { retryScheduleName } from "../../shared/subscriptions/dunning.ts";
import type { StoredSubscription } from "../../shared/subscriptions/subscription.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import {
  lostCardDefault,
  notify,
  recordingBilling,
  saveSubscription,
  storedSubscription,
} from "../helpers/subscriptions.ts";

let aws: TestAws;
const clock = fixedClock(new Date("2026-02-05T10:00:00Z"));
const { planned, cancelled, ports, deliver, fire } = recordingBilling(clock);

/** The shop's items, oldest first: its partition, not the whole table (each test has its own shop). */
async function itemsOf(shop: TestMerchant) {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const out = await aws.db.send(
      new QueryCommand({
        TableName: aws.tableName,
        KeyConditionExpression: "PK = :pk",
        ExpressionAttributeValues: { ":pk": `MERCHANT#${shop.id}` },
        ExclusiveStartKey,
        ConsistentRead: true,
      }),
    );
    items.push(...(out.Items ?? []));
    ExclusiveStartKey = out.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}
const eventsOf = async (shop: TestMerchant, type: string, objectId: string) =>
  (await itemsOf(shop)).filter(
    (i) => i.type === "event" && i.eventType === type && i.objectId === objectId && i.merchantId === shop.id,
  );
/** Delivers the stored event of `type` about `objectId` to the billing queue's consumer, as the outbox does. */
async function deliverEvent(shop: TestMerchant, type: string, objectId: string) {
  const [event] = (await eventsOf(shop, type, objectId)).slice(-1);
  expect(event).toBeDefined();
  await deliver({ ...(event as object), type, id: event!.id, merchantId: shop.id });
}
const paymentsOf = async (shop: TestMerchant, invoiceId: string) =>
  (await itemsOf(shop))
    .filter((i) => i.type === "payment" && (i.for as { id?: string } | undefined)?.id === invoiceId)
    .sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
const readSub = async (shop: TestMerchant, id: string) =>
  (await dynamoSubscriptionStore.read(shop.id, id))!.value;
const getInvoice = (shop: TestMerchant, id: string) =>
  expectStatus(merchantCall(invoicesHandler, "GET /v1/invoices/{id}", shop.secret, { id }));
const retriesOf = (invoiceId: string) =>
  [0, 1, 2, 3, 4, 5, 6, 7]
    .map((retry) => planned.filter((s) => s.name === retryScheduleName(invoiceId, retry)).at(-1))
    .filter((s): s is OneTimeSchedule => s !== undefined);

async function dunningShop(dunning?: object) {
  const shop = await newMerchant("Dunning");
  await expectStatus(
    merchantCall(settingsHandler, "PATCH /v1/merchant", shop.secret, {
      body: { timeZone: "America/New_York", ...(dunning ? { dunning } : {}) },
    }),
  );
  return shop;
}

async function buyer(shop: TestMerchant, card: string, email = `dun-${randomUUID().slice(0, 8)}@buyer.test`) {
  const body = { email, name: "Sol" };
  const customer = await expectStatus(
    merchantCall(customersHandler, "POST /v1/customers", shop.secret, { body }),
    201,
  );
  await attachPaymentMethod(paymentMethodPorts(clock), shop.id, customer.id, card);
  return customer.id as string;
}

/** Makes `token` the customer's default as PATCH of the customer does (its customer.updated not delivered). */
async function setDefault(shop: TestMerchant, customerId: string, token: string) {
  const method = await attachPaymentMethod(paymentMethodPorts(clock), shop.id, customerId, token);
  await expectStatus(
    merchantCall(customersHandler, "PATCH /v1/customers/{id}", shop.secret, {
      id: customerId,
      body: { defaultPaymentMethodId: method.id },
    }),
  );
}

/** A monthly subscription from Feb 5 (UTC periods): period 0 is paid on Feb 5, the renewal is due Mar 5. */
async function subscribe(shop: TestMerchant, customerId: string): Promise<StoredSubscription> {
  clock.set(new Date("2026-02-05T10:00:00Z"));
  const subscription = await saveSubscription(
    shop.id,
    storedSubscription(customerId, clock.now(), { startDate: "2026-02-05" }),
  );
  await billDue(ports(), shop.id, subscription.id, 0);
  return subscription;
}

/** The renewal fires at 15:00:10 UTC on Mar 5 (10:00:10 in New York) and is declined. */
const failedAt = "2026-03-05T15:00:10Z";
async function renew(shop: TestMerchant, sub: StoredSubscription) {
  clock.set(new Date(failedAt));
  await billDue(ports(), shop.id, sub.id, 1);
  return readSub(shop, sub.id);
}

/** A customer paying on `card` until the renewal, then declined on pm_card_chargeCustomerFail. */
async function failingRenewal(shop: TestMerchant, email?: string) {
  const customer = await buyer(shop, "pm_card_visa", email);
  const sub = await subscribe(shop, customer);
  await setDefault(shop, customer, "pm_card_chargeCustomerFail");
  const renewed = await renew(shop, sub);
  expect(renewed.status).toBe("past_due");
  return { customer, sub, invoiceId: renewed.latestInvoiceId! };
}

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events", "notifications"]);
});

describe("the dunning setting", () => {
  it("defaults to retries on days 3, 5 and 7 then cancel, and refuses bad plans naming the field", async () => {
    const shop = await newMerchant("Dunning settings");
    const patch = (dunning: unknown) =>
      merchantCall(settingsHandler, "PATCH /v1/merchant", shop.secret, { body: { dunning } });
    for (const [dunning, field] of [
      [{ retryDays: [], finalAction: "cancel" }, "dunning.retryDays"],
      [{ retryDays: [1, 2, 3, 4, 5, 6, 7, 8, 9], finalAction: "cancel" }, "dunning.retryDays"],
      [{ retryDays: [3, 3], finalAction: "cancel" }, "dunning.retryDays"],
      [{ retryDays: [5, 3], finalAction: "cancel" }, "dunning.retryDays"],
      [{ retryDays: [0, 3], finalAction: "cancel" }, "dunning.retryDays.0"],
      [{ retryDays: [3, 61], finalAction: "cancel" }, "dunning.retryDays.1"],
      [{ retryDays: [3], finalAction: "void" }, "dunning.finalAction"],
    ] as const) {
      const result = await patch(dunning);
      expect(result.status).toBe(400);
      expect(JSON.stringify(result.body)).toContain(field);
    }
    const updated = await expectStatus(patch({ retryDays: [1, 10, 60], finalAction: "leave_past_due" }));
    expect(updated.dunning).toEqual({ retryDays: [1, 10, 60], finalAction: "leave_past_due" });
  });
});

describe("retrying a failed renewal", () => {
  it("retries on days 3, 5 and 7 at the failure's local time of day, then cancels the subscription (the default)", async () => {
    const shop = await dunningShop();
    const { customer, sub, invoiceId } = await failingRenewal(shop);
    // 10:00:10 in New York on Mar 5 (EST), Mar 8 the day DST starts (EDT): the same local time.
    const retries = retriesOf(invoiceId);
    expect(retries.map((s) => s.at.toISOString())).toEqual([
      "2026-03-08T14:00:10.000Z",
      "2026-03-10T14:00:10.000Z",
      "2026-03-12T14:00:10.000Z",
    ]);
    expect(await getInvoice(shop, invoiceId)).toMatchObject({
      status: "open",
      attemptCount: 1,
      nextPaymentAttemptAt: "2026-03-08T14:00:10.000Z",
    });
    expect(await eventsOf(shop, "invoice.payment_failed", invoiceId)).toHaveLength(1);
    expect(await eventsOf(shop, "subscription.past_due", sub.id)).toHaveLength(1);
    // The processor's own report of the same failure records nothing twice.
    const [failedPayment] = await paymentsOf(shop, invoiceId);
    await deliverEvent(shop, "payment.failed", String(failedPayment!.id));
    expect(await eventsOf(shop, "invoice.payment_failed", invoiceId)).toHaveLength(1);
    expect(retriesOf(invoiceId).map((s) => s.at.toISOString())).toEqual(
      retries.map((s) => s.at.toISOString()),
    );

    await fire(retries[0]!);
    expect(await getInvoice(shop, invoiceId)).toMatchObject({
      attemptCount: 2,
      nextPaymentAttemptAt: "2026-03-10T14:00:10.000Z",
    });
    // A redelivered firing of the same retry charges nothing more.
    await fire(retries[0]!);
    expect(await paymentsOf(shop, invoiceId)).toHaveLength(2);

    await fire(retries[1]!);
    expect((await readSub(shop, sub.id)).status).toBe("past_due");
    await fire(retries[2]!);
    const payments = await paymentsOf(shop, invoiceId);
    expect(payments.map((p) => [p.status, (p.failure as { declineCode: string }).declineCode])).toEqual(
      Array(4).fill(["failed", "generic_decline"]),
    );
    // Each attempt had its own idempotency key: four processor payments.
    expect(new Set(payments.map((p) => p.processorPaymentId)).size).toBe(4);
    expect(await eventsOf(shop, "invoice.payment_failed", invoiceId)).toHaveLength(4);
    expect(await readSub(shop, sub.id)).toMatchObject({ status: "canceled", nextBillingAt: null });
    expect(await eventsOf(shop, "subscription.canceled", sub.id)).toHaveLength(1);
    expect((await dynamoCustomerStore.read(shop.id, customer))!.value.activeSubscriptionCount).toBe(0);
    expect(await getInvoice(shop, invoiceId)).toMatchObject({
      status: "open",
      amountRemaining: 3_100,
      attemptCount: 4,
      nextPaymentAttemptAt: null,
    });
  });

  it("marks the invoice uncollectible after the last retry and keeps the subscription active (mark_uncollectible)", async () => {
    const shop = await dunningShop({ retryDays: [2, 4], finalAction: "mark_uncollectible" });
    const { sub, invoiceId } = await failingRenewal(shop);
    const retries = retriesOf(invoiceId);
    expect(retries.map((s) => s.at.toISOString())).toEqual([
      "2026-03-07T15:00:10.000Z",
      "2026-03-09T14:00:10.000Z",
    ]);
    for (const retry of retries) await fire(retry);
    expect(await getInvoice(shop, invoiceId)).toMatchObject({
      status: "uncollectible",
      attemptCount: 3,
      nextPaymentAttemptAt: null,
    });
    expect((await readSub(shop, sub.id)).status).toBe("active");
    expect(await eventsOf(shop, "subscription.canceled", sub.id)).toHaveLength(0);
  });

  it("leaves the subscription past_due and the invoice open after the last retry (leave_past_due)", async () => {
    const shop = await dunningShop({ retryDays: [1], finalAction: "leave_past_due" });
    const { sub, invoiceId } = await failingRenewal(shop);
    const retries = retriesOf(invoiceId);
    expect(retries.map((s) => s.at.toISOString())).toEqual(["2026-03-06T15:00:10.000Z"]);
    await fire(retries[0]!);
    expect((await readSub(shop, sub.id)).status).toBe("past_due");
    expect(await getInvoice(shop, invoiceId)).toMatchObject({
      status: "open",
      attemptCount: 2,
      nextPaymentAttemptAt: null,
    });
  });

  it("pays the invoice on a retry that succeeds: subscription recovered, the remaining retries cancelled", async () => {
    const shop = await dunningShop();
    const { customer, sub, invoiceId } = await failingRenewal(shop);
    const retries = retriesOf(invoiceId);
    await fire(retries[0]!);
    // A working card becomes the default without its event reaching the queue: the next retry uses it.
    await setDefault(shop, customer, "pm_card_visa");
    await fire(retries[1]!);
    expect(await getInvoice(shop, invoiceId)).toMatchObject({
      status: "paid",
      amountRemaining: 0,
      attemptCount: 3,
      nextPaymentAttemptAt: null,
    });
    await deliverEvent(shop, "invoice.paid", invoiceId);
    expect((await readSub(shop, sub.id)).status).toBe("active");
    expect(await eventsOf(shop, "subscription.recovered", sub.id)).toHaveLength(1);
    expect(cancelled).toContain(retryScheduleName(invoiceId, 2));
    // The last retry, had it fired anyway, finds the invoice paid.
    await fire(retries[2]!);
    expect((await paymentsOf(shop, invoiceId)).map((p) => p.status)).toEqual([
      "failed",
      "failed",
      "succeeded",
    ]);
  });
});

describe("the merchant's notice of a failed renewal", () => {
  it("emails the merchant once per failed attempt: who, what, why, and the next retry or the final action", async () => {
    const shop = await dunningShop({ retryDays: [1], finalAction: "cancel" });
    const { invoiceId } = await failingRenewal(shop, "dun-notice@buyer.test");
    await fire(retriesOf(invoiceId)[0]!);
    const failures = await eventsOf(shop, "invoice.payment_failed", invoiceId);
    expect(failures).toHaveLength(2);
    // Each event delivered twice, as a queue may: still one email per attempt.
    for (const event of [...failures, ...failures]) await notify(event);

    const notices = (await aws.mailTo(shop.email)).filter((m) =>
      m.subject.includes("Renewal payment failed"),
    );
    expect(notices.map((m) => m.subject)).toEqual([
      "[TEST MODE] Renewal payment failed: Sol (dun-notice@buyer.test), $31.00 (invoice INV-0002)",
      "[TEST MODE] Renewal payment failed: Sol (dun-notice@buyer.test), $31.00 (invoice INV-0002)",
    ]);
    const [first, last] = notices.map((m) => m.body.text);
    expect(first).toContain("Reason: the card was declined by its bank (generic_decline).");
    expect(first).toContain("(attempt 1)");
    expect(first).toContain("Next retry: Mar 6, 2026");
    expect(last).toContain("(attempt 2)");
    expect(last).toContain("That was the last retry: the subscription is canceled; the invoice stays open.");
  });
});

describe("hard declines and new cards", () => {
  it("never retries a lost card; a new default card on the update-card page retries at once and recovers", async () => {
    const shop = await dunningShop();
    const customer = await buyer(shop, "pm_card_visa");
    const sub = await subscribe(shop, customer);
    // The saved card was reported lost since it was saved.
    const lost = await lostCardDefault(shop.id, customer, clock.now());

    const renewed = await renew(shop, sub);
    expect(renewed.status).toBe("past_due");
    const invoiceId = renewed.latestInvoiceId!;
    // No retry charges it: only the last retry's instant stays planned, for the final action.
    expect(retriesOf(invoiceId).map((s) => s.name)).toEqual([retryScheduleName(invoiceId, 2)]);
    expect(await getInvoice(shop, invoiceId)).toMatchObject({ attemptCount: 1, nextPaymentAttemptAt: null });
    expect((await paymentsOf(shop, invoiceId))[0]!.failure).toMatchObject({ declineCode: "lost_card" });
    // The lost card's own event (redelivered late) retries nothing: it is the method that failed.
    await deliverEvent(shop, "payment_method.attached", lost);
    expect(await paymentsOf(shop, invoiceId)).toHaveLength(1);

    clock.set(new Date("2026-03-06T09:00:00Z"));
    // What the update-card page does with the buyer's new card, then its event on the billing queue.
    const card = await attachPaymentMethod(paymentMethodPorts(clock), shop.id, customer, "pm_card_visa", {
      makeDefault: true,
    });
    await deliverEvent(shop, "payment_method.attached", card.id);
    expect((await paymentsOf(shop, invoiceId)).map((p) => p.status)).toEqual(["failed", "succeeded"]);
    expect(await getInvoice(shop, invoiceId)).toMatchObject({ status: "paid", attemptCount: 2 });
    await deliverEvent(shop, "invoice.paid", invoiceId);
    expect((await readSub(shop, sub.id)).status).toBe("active");
    expect(await eventsOf(shop, "subscription.recovered", sub.id)).toHaveLength(1);
  });

  it("a hard decline on a retry cancels the retries before the last; the last charges nothing and cancels", async () => {
    const shop = await dunningShop();
    const { customer, sub, invoiceId } = await failingRenewal(shop);
    const retries = retriesOf(invoiceId);
    await lostCardDefault(shop.id, customer, clock.now());
    await fire(retries[0]!);
    expect(
      (await paymentsOf(shop, invoiceId)).map((p) => (p.failure as { declineCode: string }).declineCode),
    ).toEqual(["generic_decline", "lost_card"]);
    expect(cancelled).toContain(retryScheduleName(invoiceId, 1));
    expect(cancelled).not.toContain(retryScheduleName(invoiceId, 2));
    expect(await getInvoice(shop, invoiceId)).toMatchObject({ attemptCount: 2, nextPaymentAttemptAt: null });

    // Had the cancelled retry fired anyway, it charges nothing; the last applies the final action.
    await fire(retries[1]!);
    expect((await readSub(shop, sub.id)).status).toBe("past_due");
    await fire(retries[2]!);
    expect(await paymentsOf(shop, invoiceId)).toHaveLength(2);
    expect(await readSub(shop, sub.id)).toMatchObject({
      status: "canceled",
      endedAt: retries[2]!.at.toISOString(),
    });
    expect(await getInvoice(shop, invoiceId)).toMatchObject({ status: "open", amountRemaining: 3_100 });
  });

  it("sends the buyer to authenticate instead of retrying blindly (authentication_required)", async () => {
    const shop = await dunningShop();
    const customer = await buyer(shop, "pm_card_visa");
    const sub = await subscribe(shop, customer);
    await setDefault(shop, customer, "pm_card_authenticationRequired");
    const invoiceId = (await renew(shop, sub)).latestInvoiceId!;
    expect(retriesOf(invoiceId).map((s) => s.name)).toEqual([retryScheduleName(invoiceId, 2)]);
    expect(await eventsOf(shop, "invoice.payment_action_required", invoiceId)).toHaveLength(1);
    expect(await getInvoice(shop, invoiceId)).toMatchObject({ status: "open", nextPaymentAttemptAt: null });
  });

  it("pays once when the scheduled retry and a new card's immediate retry race, round after round", async () => {
    const shop = await dunningShop();
    for (let round = 0; round < 8; round++) {
      const { customer, sub, invoiceId } = await failingRenewal(shop);
      const [retry] = retriesOf(invoiceId);
      clock.set(retry!.at);
      await setDefault(shop, customer, "pm_card_visa");
      const [updated] = (await eventsOf(shop, "customer.updated", customer)).slice(-1);
      const newCard = {
        ...(updated as object),
        type: "customer.updated",
        id: updated!.id,
        merchantId: shop.id,
      };
      // The schedule's firing (twice, as a redelivery would) and the card's event, all at once.
      const racers = [() => deliver(firing(retry!)), () => deliver(newCard), () => deliver(firing(retry!))];
      await Promise.all(round % 2 ? racers.reverse().map((r) => r()) : racers.map((r) => r()));

      const payments = await paymentsOf(shop, invoiceId);
      expect(
        payments.filter((p) => p.status === "succeeded"),
        `round ${round}`,
      ).toHaveLength(1);
      expect(await getInvoice(shop, invoiceId)).toMatchObject({
        status: "paid",
        amountPaid: 3_100,
        amountRemaining: 0,
        nextPaymentAttemptAt: null,
      });
      await deliverEvent(shop, "invoice.paid", invoiceId);
      expect((await readSub(shop, sub.id)).status).toBe("active");
      expect(await eventsOf(shop, "subscription.recovered", sub.id)).toHaveLength(1);
      // The retries after it are cancelled; had they fired anyway, they charge nothing.
      expect(cancelled).toEqual(
        expect.arrayContaining([retryScheduleName(invoiceId, 1), retryScheduleName(invoiceId, 2)]),
      );
      for (const later of retriesOf(invoiceId).slice(1)) await fire(later);
      expect(await paymentsOf(shop, invoiceId)).toHaveLength(payments.length);
    }
  });
});
