/**
 * A merchant's renewals due at one instant are spread (shared/subscriptions/pace.ts, docs/scale.md):
 * each takes a ticket when its previous period bills, and the n-th fires ⌊(n − 1) / 8⌋ s after the
 * instant; each invoice still bills the period from the instant, once. The sweep sends at most its
 * quota of one merchant's due subscriptions per run.
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { paymentMethodPorts } from "../../shared/composition.ts";
import { attachPaymentMethod } from "../../shared/customers/payment-methods.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoSubscriptionStore } from "../../shared/store/subscriptions.ts";
import { billDue } from "../../shared/subscriptions/billing.ts";
import { renewalPace } from "../../shared/subscriptions/pace.ts";
import { billingScheduleName } from "../../shared/subscriptions/schedules.ts";
import type { DueSubscription } from "../../shared/store/subscriptions.ts";
import { sweepDue } from "../../shared/subscriptions/timers.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { recordingBilling, saveSubscription, storedSubscription } from "../helpers/subscriptions.ts";

let aws: TestAws;
let shop: TestMerchant;
const clock = fixedClock(new Date("2026-01-20T10:00:00Z"));
const { planned, ports, fire } = recordingBilling(clock);

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events", "notifications"]);
  shop = await newMerchant("Paced Renewals");
});

async function subscriber() {
  const body = { email: `pace-${randomUUID().slice(0, 8)}@buyer.test`, name: "Pat" };
  const customer = await expectStatus(
    merchantCall(customersHandler, "POST /v1/customers", shop.secret, { body }),
    201,
  );
  await attachPaymentMethod(paymentMethodPorts(clock), shop.id, customer.id, "pm_card_visa");
  return saveSubscription(
    shop.id,
    storedSubscription(customer.id, clock.now(), { startDate: "2026-01-20", billingAnchorDay: 1 }),
  );
}

describe("a merchant's renewals due at one instant", () => {
  it("fire 8 a second from the instant, and each bills its period from the instant, once", async () => {
    const subs: Awaited<ReturnType<typeof subscriber>>[] = [];
    for (let i = 0; i < renewalPace + 2; i++) subs.push(await subscriber());
    for (const sub of subs) await billDue(ports(), shop.id, sub.id, 0);

    const renewals = planned.filter((s) => subs.some((sub) => s.name === billingScheduleName(sub.id, 1)));
    expect(renewals).toHaveLength(subs.length);
    const firings = renewals.map((s) => s.at.toISOString()).sort();
    expect(firings).toEqual([
      ...Array(renewalPace).fill("2026-02-01T00:00:00.000Z"),
      "2026-02-01T00:00:01.000Z",
      "2026-02-01T00:00:01.000Z",
    ]);

    for (const schedule of renewals) await fire(schedule);
    for (const sub of subs) {
      const { value } = (await dynamoSubscriptionStore.read(shop.id, sub.id))!;
      expect(value).toMatchObject({ nextPeriod: 2, cyclesBilled: 2 });
      const invoice = (await dynamoInvoiceStore.read(shop.id, value.latestInvoiceId!))!.value;
      expect(invoice).toMatchObject({
        status: "paid",
        periodStart: "2026-02-01T00:00:00.000Z",
        periodEnd: "2026-03-01T00:00:00.000Z",
      });
    }
    const invoices = (await aws.scanAll()).filter(
      (i) => i.type === "invoice" && subs.some((sub) => sub.id === i.subscriptionId),
    );
    expect(invoices).toHaveLength(2 * subs.length);
  });
});

describe("the sweep", () => {
  const instant = "2026-02-01T00:00:00.000Z";
  const due = (merchantId: string, n: number): DueSubscription[] =>
    Array.from({ length: n }, (_, i) => ({
      merchantId,
      subscription: {
        value: { id: `sub_${merchantId}_${i}`, nextPeriod: 1, nextBillingAt: instant },
        version: 1,
      },
    })) as unknown as DueSubscription[];

  /** The sweep at `now` over two pages of the due index, the runs' tickets as given. */
  async function sweep(now: string, tickets: Record<string, number>, quota: number) {
    const pages = [
      [...due("big", 3), ...due("small", 1)],
      [...due("big", 2), ...due("other", 2)],
    ];
    const sent: { merchantId: string }[] = [];
    const asked: string[] = [];
    let page = 0;
    await sweepDue(
      {
        subscriptions: {
          due: async () => {
            const items = page < pages.length ? (pages[page] as DueSubscription[]) : [];
            page++;
            return { items, ...(page < pages.length ? { next: { page } } : {}) };
          },
          uncollected: async () => ({ items: [] }),
          billingSlotsTaken: async (merchantId, at) => {
            asked.push(`${merchantId}@${at}`);
            return tickets[merchantId] ?? 0;
          },
        },
        queue: { send: async (_, body) => void sent.push(body as { merchantId: string }) },
        clock: fixedClock(new Date(now)),
      },
      quota,
    );
    const counts = Object.fromEntries(
      ["big", "small", "other"].map((m) => [m, sent.filter((s) => s.merchantId === m).length]),
    );
    return { counts, asked };
  }

  it("sends at most its quota of one merchant's missed renewals per run, all of the others'", async () => {
    const { counts, asked } = await sweep("2026-02-01T00:15:00.000Z", { big: 5, small: 1 }, 4);
    expect(counts).toEqual({ big: 4, small: 1, other: 2 });
    // One read of a run's tickets per merchant and instant, whatever the number of its subscriptions.
    expect(asked.sort()).toEqual([`big@${instant}`, `other@${instant}`, `small@${instant}`]);
  });

  it("leaves a merchant's renewals to their schedules while its paced run is still firing", async () => {
    // 80,000 tickets: the run fires until 02:46:39; at 00:15 only the small merchants' are late.
    const { counts } = await sweep("2026-02-01T00:15:00.000Z", { big: 80_000, small: 1 }, 7_200);
    expect(counts).toEqual({ big: 0, small: 1, other: 2 });
    const after = await sweep("2026-02-01T02:48:00.000Z", { big: 80_000, small: 1 }, 7_200);
    expect(after.counts).toEqual({ big: 5, small: 1, other: 2 });
  });
});
