/**
 * Exactly once per period, whatever fires (issue 11 §3): over 200 subscriptions (on 20 merchants,
 * whose invoice numbers must stay gapless), three sweeps racing each other and every period's schedule
 * firing twice, then the sweeps' messages and every firing delivered again — all through the billing
 * queue's consumer as deployed, concurrently, on DynamoDB Local and the sandbox processor; the next
 * period raced by duplicate firings of the schedules the first planned. Afterwards each subscription has one invoice per period and each invoice at most
 * one successful charge (here exactly one: every card is good), and the sweeps read only what was due.
 */
import { randomUUID } from "node:crypto";
import type { SQSRecord } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { billingTimers } from "../../functions/billing/timers.ts";
import type { QueuePort } from "../../shared/aws/queue.ts";
import type { OneTimeSchedule, SchedulerPort } from "../../shared/aws/scheduler.ts";
import {
  billingPorts,
  billingTimerPorts,
  customerPorts,
  paymentMethodPorts,
} from "../../shared/composition.ts";
import { createCustomer } from "../../shared/customers/service.ts";
import { attachPaymentMethod } from "../../shared/customers/payment-methods.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { dynamoSubscriptionStore, type SubscriptionStore } from "../../shared/store/subscriptions.ts";
import { newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { saveSubscription, storedSubscription } from "../helpers/subscriptions.ts";

const subscriptionCount = 200;
const merchantCount = 20;
/** Messages handled at once: the consumer's concurrency on a laptop. */
const concurrency = 24;

let aws: TestAws;
const shops: TestMerchant[] = [];
const subscriptions: { merchantId: string; id: string }[] = [];
const clock = fixedClock(new Date("2026-05-15T09:00:00Z"));
const planned: OneTimeSchedule[] = [];
const scheduler: SchedulerPort = {
  scheduleOnce: async (schedule) => {
    planned.push(schedule);
  },
  cancel: async () => {},
};

/** What the sweeps read from the due index, item by item. */
let sweptItems = 0;
const countingStore: Pick<SubscriptionStore, "due" | "billingSlotsTaken" | "uncollected"> = {
    billingSlotsTaken: dynamoSubscriptionStore.billingSlotsTaken,
    uncollected: dynamoSubscriptionStore.uncollected,
  due: async (...args) => {
    const page = await dynamoSubscriptionStore.due(...args);
    sweptItems += page.items.length;
    return page;
  },
};

/** Every message the consumer handles is also delivered once more afterwards, as SQS may. */
const queued: unknown[] = [];
const queue: QueuePort = {
  send: async (_, body) => {
    queued.push(body);
  },
};

const consumer = billingTimers(() => {
  const base = billingTimerPorts(clock);
  return {
    ...base,
    scheduler: () => scheduler,
    subscriptionTimers: {
      billing: () => ({ ...billingPorts(clock), scheduler }),
      renewals: () => ({ ...base.subscriptionTimers.renewals(), scheduler }),
      subscriptions: countingStore,
      queue,
      clock,
    },
  };
});

/** Handles messages `concurrency` at a time; a failed record is delivered again (as SQS would) until it succeeds. */
async function handleAll(messages: unknown[]) {
  const pending = [...messages];
  let failures = 0;
  const worker = async () => {
    for (let body = pending.shift(); body !== undefined; body = pending.shift()) {
      const record = { messageId: randomUUID(), body: JSON.stringify(body) } as SQSRecord;
      const { batchItemFailures } = await consumer({ Records: [record] });
      if (batchItemFailures.length) {
        failures++;
        if (failures > messages.length) throw new Error("the consumer keeps failing");
        pending.push(body);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

const sweep = { kind: "subscription.sweep" };
const firing = (s: { merchantId: string; id: string }, period: number) => ({
  kind: "subscription.bill",
  merchantId: s.merchantId,
  subscriptionId: s.id,
  period,
});

/**
 * Period `period` raced: the sweeps (each sending one message per subscription it finds due) race two
 * firings of every subscription's schedule; then the sweeps' messages are handled, with `redeliver`
 * together with one more delivery of every firing. Returns how many messages the sweeps sent.
 */
async function raceForPeriod(period: number, sweeps: number, redeliver: boolean) {
  queued.length = 0;
  const firings = subscriptions.flatMap((s) => [firing(s, period), firing(s, period)]);
  const sweepsFirst = Array.from({ length: sweeps }, () => sweep);
  await handleAll([...sweepsFirst, ...firings]);
  const fromSweeps = [...queued];
  await handleAll([...fromSweeps, ...(redeliver ? subscriptions.map((s) => firing(s, period)) : [])]);
  return fromSweeps.length;
}

async function subscribe(shop: TestMerchant, n: number) {
  const customer = await createCustomer(customerPorts(clock), shop.id, {
    email: `race-${n}-${randomUUID().slice(0, 6)}@buyer.test`,
  });
  await attachPaymentMethod(paymentMethodPorts(clock), shop.id, customer.id, "pm_card_visa");
  const subscription = await saveSubscription(
    shop.id,
    storedSubscription(customer.id, clock.now(), {
      items: [{ id: `si_${n}`, description: "Race plan", unitAmount: 1_000 + n, quantity: 1 }],
      startDate: "2026-05-15",
    }),
  );
  subscriptions.push({ merchantId: shop.id, id: subscription.id });
}

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events"]);
  for (let m = 0; m < merchantCount; m++) shops.push(await newMerchant(`Race Shop ${m}`));
  const perShop = subscriptionCount / merchantCount;
  for (let start = 0; start < subscriptionCount; start += 20) {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => subscribe(shops[Math.floor((start + i) / perShop)]!, start + i)),
    );
  }
}, 300_000);

describe("billing races over 200 subscriptions", () => {
  it("bills every period once and charges it at most once, whatever sweeps, firings and redeliveries race", async () => {
    sweptItems = 0;
    const sentByFirstSweeps = await raceForPeriod(0, 3, true);
    // A month later: period 1, raced the same way (its firings are the schedules period 0 planned).
    clock.set(new Date("2026-06-15T00:00:30Z"));
    const plannedForPeriod1 = new Set(
      planned
        .filter((s) => s.payload.kind === "subscription.bill" && s.payload.period === 1)
        .map((s) => s.name),
    );
    expect(plannedForPeriod1.size).toBe(subscriptionCount);
    await raceForPeriod(1, 0, false);

    const items = await aws.scanAll();
    const invoices = items.filter((i) => i.type === "invoice");
    const claims = items.filter((i) => i.type === "subscriptionPeriod");
    const payments = items.filter((i) => i.type === "payment");

    // One invoice per subscription and period, each named by its period's claim.
    expect(invoices).toHaveLength(subscriptionCount * 2);
    const periods = new Set(invoices.map((i) => `${i.subscriptionId}@${i.periodStart}`));
    expect(periods.size).toBe(subscriptionCount * 2);
    expect(new Set(claims.map((c) => c.invoiceId))).toEqual(new Set(invoices.map((i) => i.id)));

    // At most one successful charge per period: here exactly one payment each, paid.
    const byInvoice = new Map<string, string[]>();
    for (const p of payments) {
      const id = String((p.for as { id: string }).id);
      byInvoice.set(id, [...(byInvoice.get(id) ?? []), String(p.status)]);
    }
    expect([...byInvoice.values()].filter((s) => s.join() !== "succeeded")).toEqual([]);
    expect(byInvoice.size).toBe(subscriptionCount * 2);
    expect(invoices.every((i) => i.status === "paid")).toBe(true);

    // Invoice numbers stay gapless per merchant whatever raced.
    for (const shop of shops) {
      const numbers = invoices
        .filter((i) => String(i.PK).includes(shop.id))
        .map((i) => Number(String(i.number).split("-").at(-1)))
        .sort((a, b) => a - b);
      expect(numbers).toEqual(Array.from({ length: numbers.length }, (_, i) => i + 1));
    }

    const subs = items.filter((i) => i.type === "subscription");
    expect(subs.every((s) => s.nextPeriod === 2 && s.cyclesBilled === 2 && s.status === "active")).toBe(true);
    // The sweeps read only what was due: three sweeps found at most every subscription once each.
    expect(sentByFirstSweeps).toBeLessThanOrEqual(3 * subscriptionCount);
    expect(sweptItems).toBeLessThanOrEqual(2 * 3 * subscriptionCount);
  }, 300_000);
});
