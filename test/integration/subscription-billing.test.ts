/**
 * The billing engine, period by period, on the real store (DynamoDB Local) and the sandbox processor,
 * with a clock the test moves: each period is billed at its start (a short first one prorated),
 * charged off-session or sent, and the subscription follows its invoices (active, past_due,
 * incomplete → incomplete_expired, ended, canceled at period end). Subscriptions are written to the
 * store directly, as the resource's creation leaves them (status, period 0 due at its start).
 */
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { handler as customersHandler } from "../../functions/api/customers.ts";
import { handler as taxRatesHandler } from "../../functions/api/tax-rates.ts";
import { invoicePorts, paymentMethodPorts } from "../../shared/composition.ts";
import { attachPaymentMethod } from "../../shared/customers/payment-methods.ts";
import { fixedClock } from "../../shared/domain/clock.ts";
import { newEvent } from "../../shared/domain/events.ts";
import { recordInvoicePayment } from "../../shared/invoices/service.ts";
import { dynamoCustomerStore } from "../../shared/store/customers.ts";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoSubscriptionStore, type SubscriptionStore } from "../../shared/store/subscriptions.ts";
import {
  type BillingPorts,
  billDue,
  collectGraceMs,
  incompleteExpiryMs,
} from "../../shared/subscriptions/billing.ts";
import { sweepDue } from "../../shared/subscriptions/timers.ts";
import { billingScheduleName } from "../../shared/subscriptions/schedules.ts";
import type { StoredSubscription } from "../../shared/subscriptions/subscription.ts";
import { expectStatus, merchantCall, newMerchant, type TestMerchant } from "../helpers/api.ts";
import { type TestAws, useTestAws } from "../helpers/aws.ts";
import { recordingBilling, saveSubscription, storedSubscription } from "../helpers/subscriptions.ts";

let aws: TestAws;
let shop: TestMerchant;
let vat: string;
const clock = fixedClock(new Date("2026-01-20T10:00:00Z"));
const { planned, ports, deliver } = recordingBilling(clock);

async function buyer(card?: string) {
  const body = { email: `sub-${randomUUID().slice(0, 8)}@buyer.test`, name: "Sol" };
  const customer = await expectStatus(
    merchantCall(customersHandler, "POST /v1/customers", shop.secret, { body }),
    201,
  );
  if (card) await attachPaymentMethod(paymentMethodPorts(clock), shop.id, customer.id, card);
  return customer.id as string;
}

const subscribe = (customerId: string, over: Partial<StoredSubscription> = {}) =>
  saveSubscription(
    shop.id,
    storedSubscription(customerId, clock.now(), { startDate: "2026-01-20", ...over }),
  );

const readSub = async (id: string) => (await dynamoSubscriptionStore.read(shop.id, id))!.value;
const readInvoice = async (id: string) => (await dynamoInvoiceStore.read(shop.id, id))!.value;
const items = async () => aws.scanAll();
const invoicesOf = async (subscriptionId: string) =>
  (await items())
    .filter((i) => i.type === "invoice" && i.subscriptionId === subscriptionId)
    .sort((a, b) => String(a.periodStart).localeCompare(String(b.periodStart)));
const paymentsOf = async (invoiceId: string) =>
  (await items()).filter(
    (i) => i.type === "payment" && (i.for as { id?: string } | undefined)?.id === invoiceId,
  );
const eventsOf = async (type: string, objectId: string) =>
  (await items()).filter((i) => i.type === "event" && i.eventType === type && i.objectId === objectId);
const activeCount = async (customerId: string) =>
  (await dynamoCustomerStore.read(shop.id, customerId))!.value.activeSubscriptionCount ?? 0;

/** Moves the clock to `iso` and runs the firing of the subscription's period due then. */
async function at(iso: string, subscription: StoredSubscription) {
  clock.set(new Date(iso));
  const { nextPeriod } = await readSub(subscription.id);
  await billDue(ports(), shop.id, subscription.id, nextPeriod);
  return readSub(subscription.id);
}

beforeAll(async () => {
  aws = await useTestAws(["billing", "stripe-events", "notifications"]);
  shop = await newMerchant("Subscription Billing");
  const rate = await expectStatus(
    merchantCall(taxRatesHandler, "POST /v1/tax-rates", shop.secret, {
      body: { name: "VAT", percentage: 10, inclusive: false },
    }),
    201,
  );
  vat = rate.id;
});

describe("billing a charge_automatically subscription period by period", () => {
  it("bills a prorated first period at once, then each full period at its start, charged and paid with a receipt", async () => {
    clock.set(new Date("2026-01-20T10:00:00Z"));
    const customer = await buyer("pm_card_visa");
    // Started Jan 20 on anchor day 1: period 0 is [Jan 20, Feb 1), 12 of 31 days.
    const sub = await subscribe(customer, { billingAnchorDay: 1, taxRateIds: [vat] });

    const first = await at("2026-01-20T10:00:00Z", sub);
    expect(first).toMatchObject({
      status: "active",
      nextPeriod: 1,
      cyclesBilled: 1,
      currentPeriodStart: "2026-01-20T00:00:00.000Z",
      currentPeriodEnd: "2026-02-01T00:00:00.000Z",
      nextBillingAt: "2026-02-01T00:00:00.000Z",
    });
    const invoice0 = await readInvoice(first.latestInvoiceId!);
    expect(invoice0).toMatchObject({
      status: "paid",
      subscriptionId: sub.id,
      periodStart: "2026-01-20T00:00:00.000Z",
      periodEnd: "2026-02-01T00:00:00.000Z",
      subtotal: 1_200, // 3100 × 12/31
      taxTotal: 120,
      total: 1_320,
      amountRemaining: 0,
    });
    expect(invoice0.number).toMatch(/-\d{4}$/);
    expect(invoice0.lineItems[0]).toMatchObject({
      description: "Pro plan (prorated 12/31 days)",
      taxRateIds: [vat],
    });
    const [payment] = await paymentsOf(invoice0.id);
    expect(payment).toMatchObject({ status: "succeeded", amount: 1_320 });
    expect(await eventsOf("payment.succeeded", String(payment!.id))).toHaveLength(1);
    expect(
      planned.filter((s) => s.name === billingScheduleName(sub.id, 1)).map((s) => s.at.toISOString()),
    ).toEqual(["2026-02-01T00:00:00.000Z"]);

    // Nothing is due before the period starts: a firing then bills nothing.
    expect(await at("2026-01-31T23:59:59Z", sub)).toMatchObject({ nextPeriod: 1 });
    const second = await at("2026-02-01T00:00:05Z", sub);
    expect(second).toMatchObject({
      nextPeriod: 2,
      cyclesBilled: 2,
      nextBillingAt: "2026-03-01T00:00:00.000Z",
    });
    const invoice1 = await readInvoice(second.latestInvoiceId!);
    expect(invoice1).toMatchObject({
      status: "paid",
      subtotal: 3_100,
      total: 3_410,
      periodStart: "2026-02-01T00:00:00.000Z",
    });
    expect(invoice1.lineItems[0]!.period).toEqual({
      start: "2026-02-01T00:00:00.000Z",
      end: "2026-03-01T00:00:00.000Z",
    });
    expect(await invoicesOf(sub.id)).toHaveLength(2);
  });

  it("keeps a month-end anchor: Jan 31 → Feb 29 → Mar 31 → Apr 30, with discounts by duration", async () => {
    clock.set(new Date("2028-01-31T08:00:00Z"));
    const customer = await buyer("pm_card_visa");
    const sub = await subscribe(customer, {
      startDate: "2028-01-31",
      billingAnchorDay: 31,
      discounts: [
        { percentOff: 50, duration: "once" },
        { amountOff: 100, duration: "repeating", durationInPeriods: 2 },
      ],
    });
    for (const instant of [
      "2028-01-31T08:00:00Z",
      "2028-02-29T00:01:00Z",
      "2028-03-31T00:01:00Z",
      "2028-04-30T00:01:00Z",
    ])
      await at(instant, sub);

    const invoices = await invoicesOf(sub.id);
    expect(
      invoices.map((i) => [String(i.periodStart).slice(0, 10), i.discountTotal, i.total, i.status]),
    ).toEqual([
      ["2028-01-31", 1_650, 1_450, "paid"], // 50 % once + 100 off
      ["2028-02-29", 100, 3_000, "paid"], // 100 off, second of two periods
      ["2028-03-31", 0, 3_100, "paid"],
      ["2028-04-30", 0, 3_100, "paid"],
    ]);
  });

  it("starts a scheduled subscription at its start date: nothing before, then active with subscription.activated", async () => {
    clock.set(new Date("2026-03-01T09:00:00Z"));
    const customer = await buyer("pm_card_visa");
    const sub = await subscribe(customer, {
      status: "scheduled",
      startDate: "2026-03-10",
      billingAnchorDay: 10,
    });

    expect(await at("2026-03-01T09:00:00Z", sub)).toMatchObject({ status: "scheduled", nextPeriod: 0 });
    expect(planned.find((s) => s.name === billingScheduleName(sub.id, 0))?.at.toISOString()).toBe(
      "2026-03-10T00:00:00.000Z",
    );

    const started = await at("2026-03-10T00:00:01Z", sub);
    expect(started).toMatchObject({ status: "active", nextPeriod: 1 });
    const [activated] = await eventsOf("subscription.activated", sub.id);
    expect((activated!.data as { subscription: Record<string, unknown> }).subscription).toMatchObject({
      id: sub.id,
      status: "active",
    });
    expect((activated!.data as { subscription: Record<string, unknown> }).subscription).not.toHaveProperty(
      "nextPeriod",
    );
  });

  it("pays a zero-total period without any charge", async () => {
    clock.set(new Date("2026-04-01T12:00:00Z"));
    const customer = await buyer("pm_card_visa");
    const sub = await subscribe(customer, {
      startDate: "2026-04-01",
      billingAnchorDay: 1,
      discounts: [{ percentOff: 100, duration: "once" }],
    });
    const free = await readInvoice((await at("2026-04-01T12:00:00Z", sub)).latestInvoiceId!);
    expect(free).toMatchObject({ status: "paid", total: 0 });
    expect(await paymentsOf(free.id)).toEqual([]);
    expect(await eventsOf("invoice.paid", free.id)).toHaveLength(1);

    const paid = await readInvoice((await at("2026-05-01T00:01:00Z", sub)).latestInvoiceId!);
    expect(paid).toMatchObject({ status: "paid", total: 3_100 });
    expect(await paymentsOf(paid.id)).toHaveLength(1);
  });
});

describe("a bank debit", () => {
  it("leaves the subscription active while the renewal's debit is processing, and never debits it twice", async () => {
    clock.set(new Date("2026-01-20T10:00:00Z"));
    const customer = await buyer("pm_usBankAccount_success");
    const sub = await subscribe(customer);
    const billed = await at("2026-01-20T10:00:00Z", sub);

    expect(billed.status).toBe("active");
    expect(await readInvoice(billed.latestInvoiceId!)).toMatchObject({ status: "open", paymentAttempts: 1 });
    await billDue(ports(), shop.id, sub.id, 0);
    expect((await paymentsOf(billed.latestInvoiceId!)).map((p) => p.status)).toEqual(["processing"]);
  });
});

describe("failed charges", () => {
  it("makes a renewal whose card is declined past_due (the invoice stays open), and active again once it is paid", async () => {
    clock.set(new Date("2026-01-20T10:00:00Z"));
    const customer = await buyer("pm_card_visa");
    const sub = await subscribe(customer);
    expect((await readInvoice((await at("2026-01-20T10:00:00Z", sub)).latestInvoiceId!)).status).toBe("paid");
    // The customer's default changes: the next charge uses the default at its time.
    const failing = await attachPaymentMethod(
      paymentMethodPorts(clock),
      shop.id,
      customer,
      "pm_card_chargeCustomerFail",
    );
    await expectStatus(
      merchantCall(customersHandler, "PATCH /v1/customers/{id}", shop.secret, {
        id: customer,
        body: { defaultPaymentMethodId: failing.id },
      }),
    );

    const renewed = await at("2026-02-20T00:00:10Z", sub);
    expect(renewed.status).toBe("past_due");
    const open = await readInvoice(renewed.latestInvoiceId!);
    expect(open).toMatchObject({ status: "open", amountRemaining: 3_100, paymentAttempts: 1 });
    expect((await paymentsOf(open.id)).map((p) => p.status)).toEqual(["failed"]);
    expect(await eventsOf("subscription.past_due", sub.id)).toHaveLength(1);
    // A redelivered firing of the period neither charges again nor moves anything.
    await billDue(ports(), shop.id, sub.id, 1);
    expect(await paymentsOf(open.id)).toHaveLength(1);

    // past_due keeps billing new periods.
    const third = await at("2026-03-20T00:00:10Z", sub);
    expect(third).toMatchObject({ status: "past_due", nextPeriod: 3 });

    // The latest invoice paid (here by hand): its invoice.paid makes the subscription active.
    await recordInvoicePayment(invoicePorts(clock), shop.id, third.latestInvoiceId!, {
      amount: 3_100,
      method: "bank_transfer",
    });
    const [paidEvent] = await eventsOf("invoice.paid", third.latestInvoiceId!);
    await deliver({ ...(paidEvent as object), type: "invoice.paid", id: paidEvent!.id, merchantId: shop.id });
    expect((await readSub(sub.id)).status).toBe("active");
    expect(await eventsOf("subscription.recovered", sub.id)).toHaveLength(1);
  });

  it("leaves a first invoice declined incomplete, then after 23 h voids it and expires the subscription", async () => {
    clock.set(new Date("2026-06-01T10:00:00Z"));
    const customer = await buyer("pm_card_chargeCustomerFail");
    const sub = await subscribe(customer, { startDate: "2026-06-01", billingAnchorDay: 1 });

    const incomplete = await at("2026-06-01T10:00:00Z", sub);
    expect(incomplete.status).toBe("incomplete");
    const invoiceId = incomplete.latestInvoiceId!;
    expect((await readInvoice(invoiceId)).status).toBe("open");
    const expiry = planned.find((s) => s.name === `${sub.id}-incomplete-expiry`)!;
    expect(expiry.at.toISOString()).toBe(
      new Date(Date.parse("2026-06-01T10:00:00Z") + incompleteExpiryMs).toISOString(),
    );
    expect(await activeCount(customer)).toBe(1);

    clock.set(expiry.at);
    await deliver(expiry.payload);
    const expired = await readSub(sub.id);
    expect(expired).toMatchObject({ status: "incomplete_expired", nextBillingAt: null });
    expect(await readInvoice(invoiceId)).toMatchObject({ status: "void" });
    expect(await activeCount(customer)).toBe(0);
    // Nothing more is billed, whatever fires.
    await at("2026-07-01T00:01:00Z", sub);
    expect(await invoicesOf(sub.id)).toHaveLength(1);
  });
});

describe("send_invoice, fixed cycles and cancel at period end", () => {
  it("emails a send_invoice subscription's invoice with its due date from the terms, and never makes it past_due", async () => {
    clock.set(new Date("2026-01-20T10:00:00Z"));
    const customer = await buyer();
    const sub = await subscribe(customer, { collectionMethod: "send_invoice", paymentTerms: "net_15" });
    const invoice = await readInvoice((await at("2026-01-20T10:00:00Z", sub)).latestInvoiceId!);
    expect(invoice).toMatchObject({ status: "open", paymentTerms: "net_15", dueDate: "2026-02-04" });
    expect(invoice.sentAt).toBeDefined();
    expect(await eventsOf("invoice.sent", invoice.id)).toHaveLength(1);
    expect(await paymentsOf(invoice.id)).toEqual([]);

    const next = await at("2026-02-20T00:01:00Z", sub);
    expect(next).toMatchObject({ status: "active", nextPeriod: 2 });
    // A redelivery of the period does not send it twice.
    await billDue(ports(), shop.id, sub.id, 1);
    expect(await eventsOf("invoice.sent", next.latestInvoiceId!)).toHaveLength(1);
  });

  it("ends after billingCycles periods, at the end of the last one", async () => {
    clock.set(new Date("2026-01-20T10:00:00Z"));
    const customer = await buyer("pm_card_visa");
    const sub = await subscribe(customer, { billingCycles: 3 });
    for (const instant of ["2026-01-20T10:00:00Z", "2026-02-20T00:01:00Z", "2026-03-20T00:01:00Z"])
      await at(instant, sub);
    expect(await readSub(sub.id)).toMatchObject({
      status: "active",
      cyclesBilled: 3,
      nextBillingAt: "2026-04-20T00:00:00.000Z",
    });

    const ended = await at("2026-04-20T00:01:00Z", sub);
    expect(ended).toMatchObject({
      status: "ended",
      cyclesBilled: 3,
      nextBillingAt: null,
      endedAt: "2026-04-20T00:00:00.000Z",
    });
    expect(await invoicesOf(sub.id)).toHaveLength(3);
    expect(await eventsOf("subscription.ended", sub.id)).toHaveLength(1);
    expect(await activeCount(customer)).toBe(0);
  });

  it("cancels at the period end when asked to: no further invoice", async () => {
    clock.set(new Date("2026-01-20T10:00:00Z"));
    const customer = await buyer("pm_card_visa");
    const sub = await subscribe(customer);
    const billed = await at("2026-01-20T10:00:00Z", sub);
    const found = (await dynamoSubscriptionStore.read(shop.id, sub.id))!;
    await dynamoSubscriptionStore.replace(
      shop.id,
      { ...billed, cancelAtPeriodEnd: true },
      found.version,
      newEvent("subscription.updated", shop.id, sub.id, clock.now(), {}),
    );

    expect(await at("2026-02-19T23:00:00Z", sub)).toMatchObject({ status: "active" });
    const canceled = await at("2026-02-20T00:00:30Z", sub);
    expect(canceled).toMatchObject({
      status: "canceled",
      canceledAt: "2026-02-20T00:00:00.000Z",
      endedAt: "2026-02-20T00:00:00.000Z",
      nextBillingAt: null,
    });
    expect(await invoicesOf(sub.id)).toHaveLength(1);
    expect(await eventsOf("subscription.canceled", sub.id)).toHaveLength(1);
    expect(await activeCount(customer)).toBe(0);
  });
});

describe("resuming after a crash", () => {
  it("finishes a period whose run crashed after the invoice was written: finalized, charged once, the period billed once", async () => {
    clock.set(new Date("2026-01-20T10:00:00Z"));
    const customer = await buyer("pm_card_visa");
    const sub = await subscribe(customer);
    const crashing = (): BillingPorts => {
      const p = ports();
      return {
        ...p,
        invoices: {
          ...p.invoices,
          invoices: {
            ...p.invoices.invoices,
            readForFinalize: async () => {
              throw new Error("the function timed out");
            },
          },
        },
      };
    };
    await expect(billDue(crashing(), shop.id, sub.id, 0)).rejects.toThrow("timed out");
    const crashed = await readSub(sub.id);
    expect(crashed).toMatchObject({ nextPeriod: 1 });
    expect((await readInvoice(crashed.latestInvoiceId!)).status).toBe("draft");

    // The same message, redelivered.
    await billDue(ports(), shop.id, sub.id, 0);
    await billDue(ports(), shop.id, sub.id, 0);
    const invoices = await invoicesOf(sub.id);
    expect(invoices.map((i) => i.status)).toEqual(["paid"]);
    expect((await paymentsOf(String(invoices[0]!.id))).map((p) => p.status)).toEqual(["succeeded"]);
  });

  it("finishes, from the sweep, a period whose run died after billing it and whose message died too (kill -9 locally)", async () => {
    clock.set(new Date("2026-01-20T10:00:00Z"));
    const customer = await buyer("pm_card_visa");
    const sub = await subscribe(customer);
    const dying: BillingPorts = {
      ...ports(),
      paymentMethods: {
        read: async () => {
          throw new Error("the process was killed");
        },
      },
    };
    await expect(billDue(dying, shop.id, sub.id, 0)).rejects.toThrow("killed");
    const invoiceId = (await readSub(sub.id)).latestInvoiceId!;
    expect(await readInvoice(invoiceId)).toMatchObject({ status: "open" });
    // No redelivery: the subscription is due again only next month, so only the period's claim,
    // left in the due index until its invoice is collected, can bring the run back.
    const sweep = async () => {
      const sent: { subscriptionId: string; period: number }[] = [];
      await sweepDue({
        subscriptions: dynamoSubscriptionStore,
        queue: { send: async (_, body) => void sent.push(body as never) },
        clock,
      });
      return sent.filter((m) => m.subscriptionId === sub.id);
    };
    expect(await sweep()).toEqual([]);

    clock.set(new Date(Date.parse("2026-01-20T10:00:00Z") + collectGraceMs + 1_000));
    const sent = await sweep();
    expect(sent).toEqual([
      expect.objectContaining({ kind: "subscription.bill", subscriptionId: sub.id, period: 0 }),
    ]);
    for (const message of sent) await billDue(ports(), shop.id, sub.id, message.period);

    const invoices = await invoicesOf(sub.id);
    expect(invoices.map((i) => i.status)).toEqual(["paid"]);
    expect((await paymentsOf(invoiceId)).map((p) => p.status)).toEqual(["succeeded"]);
    // Collected: the next sweep sends nothing for it.
    expect(await sweep()).toEqual([]);
  });

  it("charges a period whose run crashed after finalizing, before the charge", async () => {
    clock.set(new Date("2026-01-20T10:00:00Z"));
    const customer = await buyer("pm_card_visa");
    const sub = await subscribe(customer);
    const crashing: BillingPorts = {
      ...ports(),
      paymentMethods: {
        read: async () => {
          throw new Error("the function timed out");
        },
      },
    };
    await expect(billDue(crashing, shop.id, sub.id, 0)).rejects.toThrow("timed out");
    const open = await readInvoice((await readSub(sub.id)).latestInvoiceId!);
    expect(open).toMatchObject({ status: "open" });
    expect(open.paymentAttempts ?? 0).toBe(0);

    await deliver({ kind: "subscription.bill", merchantId: shop.id, subscriptionId: sub.id, period: 0 });
    expect((await readInvoice(open.id)).status).toBe("paid");
    expect(await paymentsOf(open.id)).toHaveLength(1);
  });
});

describe("the payment.failed reaction", () => {
  it("makes a subscription past_due when its latest invoice's charge fails later (reported by the processor's event)", async () => {
    clock.set(new Date("2026-01-20T10:00:00Z"));
    const customer = await buyer("pm_card_visa");
    const sub = await subscribe(customer);
    await at("2026-01-20T10:00:00Z", sub);
    // Period 1's run stops before its charge; the charge then fails elsewhere (a bank debit's failure).
    clock.set(new Date("2026-02-20T00:01:00Z"));
    await expect(
      billDue(
        { ...ports(), paymentMethods: { read: async () => Promise.reject(new Error("stopped")) } },
        shop.id,
        sub.id,
        1,
      ),
    ).rejects.toThrow("stopped");
    const { latestInvoiceId } = await readSub(sub.id);
    const failed = {
      id: `evt_${randomUUID()}`,
      type: "payment.failed",
      merchantId: shop.id,
      objectId: "pay_x",
      occurredAt: clock.now().toISOString(),
      data: { payment: { id: "pay_x", invoiceId: latestInvoiceId } },
    };

    await deliver(failed);
    await deliver(failed);
    expect((await readSub(sub.id)).status).toBe("past_due");
    expect(await eventsOf("subscription.past_due", sub.id)).toHaveLength(1);
  });
});

describe("the sweep", () => {
  it("sends one billing message per wall-clock subscription due, reading only those, never a test clock's", async () => {
    clock.set(new Date("2026-09-01T00:00:00Z"));
    const customer = await buyer("pm_card_visa");
    await subscribe(customer, { startDate: "2026-08-01", billingAnchorDay: 1 });
    await subscribe(customer, {
      startDate: "2026-08-01",
      billingAnchorDay: 1,
      testClockId: "clk_frozen_in_the_past",
    });
    await subscribe(customer, { status: "scheduled", startDate: "2026-12-01", billingAnchorDay: 1 });
    const expected = (await items())
      .filter(
        (i) =>
          i.type === "subscription" &&
          !i.testClockId &&
          typeof i.nextBillingAt === "string" &&
          i.nextBillingAt <= clock.now().toISOString() &&
          !["canceled", "ended", "incomplete_expired"].includes(String(i.status)),
      )
      .map((i) => String(i.id));
    expect(expected.length).toBeGreaterThan(0);

    let read = 0;
    const sent: { subscriptionId: string; period: number }[] = [];
    const store: Pick<SubscriptionStore, "due" | "billingSlotsTaken" | "uncollected"> = {
      billingSlotsTaken: dynamoSubscriptionStore.billingSlotsTaken,
      uncollected: dynamoSubscriptionStore.uncollected,
      due: async (...args) => {
        const page = await dynamoSubscriptionStore.due(...args);
        read += page.items.length;
        return page;
      },
    };
    await sweepDue({
      subscriptions: store,
      queue: { send: async (_, body) => void sent.push(body as never) },
      clock,
    });

    // Beside them, each period earlier tests billed and left uncollected (a charge still in flight)
    // past its grace is sent again with its period, so a run that died is finished.
    const uncollected = (await items())
      .filter(
        (i) => i.type === "uncollectedPeriod" && String(i.GSI2SK ?? "\uffff") <= clock.now().toISOString(),
      )
      .map((i) => `${i.subscriptionId}#${i.period}`);
    const dueNow = (await items())
      .filter((i) => expected.includes(String(i.id)))
      .map((i) => `${i.id}#${i.nextPeriod}`);
    expect(sent.map((m) => `${m.subscriptionId}#${m.period}`).sort()).toEqual(
      [...dueNow, ...uncollected].sort(),
    );
    expect(read).toBe(expected.length);
  });
});
