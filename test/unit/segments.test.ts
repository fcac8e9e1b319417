/**
 * Segments' pure rules: the shorthand normalised to canonical filters, validation naming the field,
 * each filter's evaluation at an instant, the flip instants time brings, stats kept from events, and
 * workflows' `customer.inSegment`.
 */
import { describe, expect, it } from "vitest";
import type * as z from "zod";
import { createSegment } from "../../shared/api/segments.ts";
import { newEvent } from "../../shared/domain/events.ts";
import {
  type CustomerFacts,
  type CustomerStats,
  emptyStats,
  flipInstants,
  holds,
  matchesFilters,
  normaliseFilter,
  type SegmentFilter,
} from "../../shared/segments/segment.ts";
import { applyEvent, statsCustomerOf } from "../../shared/segments/stats.ts";
import { enrollOnEvent } from "../../shared/workflows/engine.ts";
import { matches } from "../../shared/workflows/filters.ts";
import { definitionErrors } from "../../shared/workflows/validation.ts";
import type { WorkflowDefinition } from "../../shared/workflows/workflow.ts";
import { buyer, fakeEngine, paymentEvent, workflowOf } from "../helpers/workflow-fakes.ts";

const day = 86_400_000;
const now = new Date("2030-03-01T12:00:00Z");
const body = createSegment.body as z.ZodType;

const customer: CustomerFacts["customer"] = {
  email: "ada@Acme.com",
  address: { line1: "1 Main St", city: "Berlin", postalCode: "10115", country: "DE" },
  metadata: { plan: "gold" },
  createdAt: "2030-01-15T00:00:00Z",
  accountOwner: { name: "Bo", email: "bo@shop.test" },
};

const stats = (over: Partial<CustomerStats> = {}): CustomerStats => ({ ...emptyStats("cus_1"), ...over });
const facts = (over: Partial<CustomerStats> = {}, at = now): CustomerFacts => ({
  customer,
  stats: stats(over),
  now: at,
});

describe("filters: shorthand and validation", () => {
  it.each([
    [{ emailDomain: "acme.com" }, { type: "emailDomain", value: "acme.com" }],
    [{ paidInLastDays: 30 }, { type: "paidInLastDays", days: 30 }],
    [{ lastPaymentBefore: 90 }, { type: "lastPaymentBefore", days: 90 }],
    [{ lastPaymentBefore: "2030-01-01" }, { type: "lastPaymentBefore", date: "2030-01-01" }],
    [{ hasActiveSubscription: true }, { type: "hasActiveSubscription", value: true }],
    [
      { totalPaidGte: { amount: 10_000, currency: "eur" } },
      { type: "totalPaidGte", amount: 10_000, currency: "EUR" },
    ],
    [{ metadata: { key: "plan", value: "gold" } }, { type: "metadata", key: "plan", value: "gold" }],
    [
      { type: "country", value: "de" },
      { type: "country", value: "DE" },
    ],
  ])("%j is stored as %j", (given, canonical) => {
    const parsed = body.parse({ name: "S", type: "active", filters: [given] }) as { filters: unknown[] };
    expect(parsed.filters).toEqual([canonical]);
  });

  it.each([
    [{ paidInLastDays: 30 }, { type: "paidInLastDays", days: 0 }, "filters.1.days"],
    [{ paidInLastDays: 30 }, { totalPaidGte: { amount: 100, currency: "XXQ" } }, "filters.1.currency"],
    [{ paidInLastDays: 30 }, { totalPaidGte: { amount: 1.5, currency: "EUR" } }, "filters.1.amount"],
    [{ paidInLastDays: 30 }, { type: "lastPaymentBefore", date: "2030-01-01", days: 3 }, "filters.1.days"],
    [{ paidInLastDays: 30 }, { type: "createdAt" }, "filters.1.after"],
    [{ paidInLastDays: 30 }, { type: "paidInLastDays", days: 3, extra: 1 }, "filters.1"],
    [{ paidInLastDays: 30 }, { subscribedToProduct: "nope" }, "filters.1.productId"],
    [{ paidInLastDays: 30 }, { type: "noSuchFilter" }, "filters.1.type"],
  ])("refuses %j, %j naming %s", (first, second, path) => {
    const result = body.safeParse({ name: "S", type: "active", filters: [first, second] });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join("."))).toContain(path);
  });

  it("leaves what is not a shorthand to the schema", () => {
    expect(normaliseFilter({ a: 1, b: 2 })).toEqual({ a: 1, b: 2 });
    expect(normaliseFilter("x")).toBe("x");
    expect(normaliseFilter({ unknownType: 1 })).toEqual({ unknownType: 1 });
  });
});

describe("filters: evaluation", () => {
  const paid = (at: Date) => ({ lastPaymentAt: at.toISOString() });
  it.each<[SegmentFilter, Partial<CustomerStats>, boolean]>([
    [{ type: "emailDomain", value: "acme.com" }, {}, true],
    [{ type: "emailDomain", value: "cme.com" }, {}, false],
    [{ type: "country", value: "DE" }, {}, true],
    [{ type: "metadata", key: "plan", value: "gold" }, {}, true],
    [{ type: "metadata", key: "plan", value: "silver" }, {}, false],
    [{ type: "createdAt", after: "2030-01-01", before: "2030-02-01" }, {}, true],
    [{ type: "createdAt", before: "2030-01-15T00:00:00Z" }, {}, false],
    [{ type: "accountOwner", value: "BO@shop.test" }, {}, true],
    [{ type: "paidInLastDays", days: 30 }, {}, false],
    [{ type: "paidInLastDays", days: 30 }, paid(new Date(now.getTime() - 29 * day)), true],
    [{ type: "totalPaidGte", amount: 5000, currency: "EUR" }, { paid: { EUR: 5000, USD: 1 } }, true],
    [{ type: "totalPaidGte", amount: 5000, currency: "USD" }, { paid: { EUR: 5000 } }, false],
    [{ type: "hasActiveSubscription", value: false }, {}, true],
    [
      { type: "hasActiveSubscription", value: true },
      { subscriptions: { sub_1: { running: true, productIds: [], updatedAt: "2030-01-01T00:00:00Z" } } },
      true,
    ],
    [{ type: "hasOverdueInvoice", value: true }, { overdueInvoices: ["inv_1"] }, true],
    [{ type: "lastPaymentBefore", days: 90 }, {}, false],
    [{ type: "lastPaymentBefore", date: "2030-02-01" }, paid(new Date("2030-01-31T00:00:00Z")), true],
    [{ type: "lastPaymentBefore", date: "2030-02-01" }, paid(new Date("2030-02-01T00:00:00Z")), false],
    [
      { type: "subscribedToProduct", productId: "prd_2" },
      {
        subscriptions: {
          sub_1: { running: false, productIds: ["prd_2"], updatedAt: "2030-01-01T00:00:00Z" },
        },
      },
      false,
    ],
    [
      { type: "subscribedToProduct", productId: "prd_2" },
      {
        subscriptions: {
          sub_1: { running: true, productIds: ["prd_1", "prd_2"], updatedAt: "2030-01-01T00:00:00Z" },
        },
      },
      true,
    ],
  ])("%j with %j holds: %s", (filter, over, expected) => {
    expect(holds(facts(over), filter)).toBe(expected);
  });

  it("paid in the last 30 days holds until exactly last payment + 30 days, and lastPaymentBefore { days } from then", () => {
    const last = new Date("2030-01-10T08:30:00Z");
    const flip = new Date(last.getTime() + 30 * day);
    const within: SegmentFilter = { type: "paidInLastDays", days: 30 };
    const since: SegmentFilter = { type: "lastPaymentBefore", days: 30 };
    const at = (t: Date) => facts({ lastPaymentAt: last.toISOString() }, t);
    expect(holds(at(new Date(flip.getTime() - 1)), within)).toBe(true);
    expect(holds(at(flip), within)).toBe(false);
    expect(holds(at(new Date(flip.getTime() - 1)), since)).toBe(false);
    expect(holds(at(flip), since)).toBe(true);
  });

  it("ANDs the filters; none means every customer", () => {
    expect(matchesFilters(facts(), [])).toBe(true);
    expect(
      matchesFilters(facts(), [
        { type: "country", value: "DE" },
        { type: "hasOverdueInvoice", value: true },
      ]),
    ).toBe(false);
  });

  it("flips at last payment + days of each time-bound filter still ahead, once per instant", () => {
    const last = new Date(now.getTime() - 10 * day);
    const filters: SegmentFilter[] = [
      { type: "paidInLastDays", days: 30 },
      { type: "lastPaymentBefore", days: 30 },
      { type: "paidInLastDays", days: 7 },
      { type: "lastPaymentBefore", date: "2031-01-01" },
      { type: "paidInLastDays", days: 60 },
    ];
    expect(flipInstants(stats({ lastPaymentAt: last.toISOString() }), filters, now)).toEqual([
      new Date(last.getTime() + 30 * day),
      new Date(last.getTime() + 60 * day),
    ]);
    expect(flipInstants(stats(), filters, now)).toEqual([]);
  });
});

describe("stats from events", () => {
  const event = (type: string, data: Record<string, unknown>, at = now) =>
    newEvent(type, "mer_1", undefined, at, data);
  const payment = (amount: number, currency: string, paidAt: string) => ({
    payment: { id: "pay_1", customerId: "cus_1", amount, currency, paidAt },
  });

  it("sums payments less refunds per currency, keeps the latest payment whatever the order", () => {
    let s = emptyStats("cus_1");
    s = applyEvent(s, event("payment.succeeded", payment(5000, "EUR", "2030-02-10T00:00:00Z")));
    s = applyEvent(s, event("payment.recorded", payment(300, "USD", "2030-02-01T00:00:00Z")));
    s = applyEvent(
      s,
      event("refund.succeeded", {
        refund: { id: "re_1", customerId: "cus_1", amount: 1200, currency: "EUR" },
      }),
    );
    expect(s).toMatchObject({ paid: { EUR: 3800, USD: 300 }, lastPaymentAt: "2030-02-10T00:00:00Z" });
    expect(statsCustomerOf(event("refund.succeeded", { refund: { customerId: "cus_9" } }))).toBe("cus_9");
    expect(statsCustomerOf(event("customer.updated", { customer: { id: "cus_9" } }))).toBeUndefined();
  });

  it("tracks running subscriptions and their products, ignoring an older snapshot", () => {
    const sub = (status: string, updatedAt: string) => ({
      subscription: {
        id: "sub_1",
        customerId: "cus_1",
        status,
        updatedAt,
        items: [{ productId: "prd_1" }, { description: "x" }],
      },
    });
    let s = applyEvent(
      emptyStats("cus_1"),
      event("subscription.created", sub("active", "2030-01-01T00:00:00Z")),
    );
    expect(s.subscriptions.sub_1).toEqual({
      running: true,
      productIds: ["prd_1"],
      updatedAt: "2030-01-01T00:00:00Z",
    });
    s = applyEvent(s, event("subscription.canceled", sub("canceled", "2030-02-01T00:00:00Z")));
    s = applyEvent(s, event("subscription.updated", sub("active", "2030-01-15T00:00:00Z")));
    expect(s.subscriptions.sub_1?.running).toBe(false);
  });

  it("an overdue invoice counts until it is paid or voided", () => {
    const invoice = (id: string) => ({ invoice: { id, customerId: "cus_1" } });
    let s = applyEvent(emptyStats("cus_1"), event("invoice.overdue", invoice("inv_1")));
    s = applyEvent(s, event("invoice.overdue", invoice("inv_2")));
    s = applyEvent(s, event("invoice.overdue", invoice("inv_1")));
    expect(s.overdueInvoices).toEqual(["inv_2", "inv_1"]);
    s = applyEvent(s, event("invoice.paid", invoice("inv_1")));
    s = applyEvent(s, event("invoice.voided", invoice("inv_2")));
    expect(s.overdueInvoices).toEqual([]);
  });
});

describe("workflows: customer.inSegment", () => {
  const definition = (filter: { field: string; op: string; value?: unknown }): WorkflowDefinition =>
    ({
      trigger: { event: "payment.succeeded", filters: [filter] },
      reenroll: false,
      steps: [{ type: "create_task", title: "Call" }],
    }) as WorkflowDefinition;

  it("is a list asked with contains", () => {
    const seg = "seg_01J00000000000000000000000";
    expect(
      definitionErrors(definition({ field: "customer.inSegment", op: "contains", value: seg }), []),
    ).toEqual([]);
    expect(definitionErrors(definition({ field: "customer.inSegment", op: "eq", value: seg }), [])).toEqual([
      { path: "trigger.filters.0.op", message: "customer.inSegment is a list: use contains (or exists)" },
    ]);
    expect(
      definitionErrors(definition({ field: "customer.inSegment", op: "contains", value: 3 }), []).map(
        (e) => e.path,
      ),
    ).toEqual(["trigger.filters.0.value"]);
    const context = { customer: { inSegment: [seg, "seg_other"] } };
    expect(matches(context, [{ field: "customer.inSegment", op: "contains", value: seg }])).toBe(true);
    expect(matches(context, [{ field: "customer.inSegment", op: "contains", value: "seg_x" }])).toBe(false);
    expect(
      matches({ customer: { inSegment: null } }, [
        { field: "customer.inSegment", op: "contains", value: seg },
      ]),
    ).toBe(false);
  });

  it("enrolls on a trigger only a member of the segment, from the membership when the event arrives", async () => {
    const engine = fakeEngine();
    const seg = "seg_01J00000000000000000000000";
    engine.save(
      workflowOf("wf_1", {
        trigger: {
          event: "payment.succeeded",
          filters: [{ field: "customer.inSegment", op: "contains", value: seg }],
        },
        steps: [{ type: "create_task", title: "Thank {{ customer.name }}" }],
      }),
    );
    await enrollOnEvent(engine.ports, paymentEvent("evt_1"));
    expect(engine.enrollments()).toHaveLength(0);
    engine.segments.set(buyer.id, [seg]);
    await enrollOnEvent(engine.ports, paymentEvent("evt_2"));
    expect(engine.enrollments()).toHaveLength(1);
  });
});
