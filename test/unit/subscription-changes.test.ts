/**
 * Changes of a running subscription, worked by hand (issue 12 §2): each proration line is
 * `quantity × unitAmount × seconds from the change to the period end ÷ seconds in the full anchor
 * period`, rounded half away from zero once; a credit for what goes, a charge for what comes; a
 * credit never above what the item billed for the period; no proration while the period's invoice
 * is unpaid (409), under `none`, or while no period runs.
 */
import { describe, expect, it } from "vitest";
import { StateConflictError, ValidationError } from "../../shared/domain/errors.ts";
import type { Product } from "../../shared/products/product.ts";
import { type ChangeFacts, planChange } from "../../shared/subscriptions/changes.ts";
import { discountApplies, periodInvoice } from "../../shared/subscriptions/period-invoice.ts";
import type { StoredSubscription } from "../../shared/subscriptions/subscription.ts";
import { storedSubscription } from "../helpers/subscription-record.ts";

/** March 2026, UTC: [Mar 1, Apr 1) is 31 days = 2,678,400 s; period 0 billed and paid. */
const subscription = (over: Partial<StoredSubscription> = {}): StoredSubscription =>
  storedSubscription("cus_1", new Date("2026-03-01T00:00:00Z"), {
    id: "sub_1",
    items: [
      { id: "si_basic", productId: "prod_basic", description: "Basic", unitAmount: 3_100, quantity: 1 },
    ],
    billingAnchorDay: 1,
    currentPeriodStart: "2026-03-01T00:00:00.000Z",
    currentPeriodEnd: "2026-04-01T00:00:00.000Z",
    nextBillingAt: "2026-04-01T00:00:00.000Z",
    cyclesBilled: 1,
    latestInvoiceId: "inv_period0",
    nextPeriod: 1,
    ...over,
  });

const product = (id: string, unitAmount: number, over: Partial<Product> = {}): Product =>
  ({
    id,
    name: id === "prod_pro" ? "Pro" : "Basic",
    unitAmount,
    currency: "USD",
    active: true,
    recurring: { interval: "month" },
    ...over,
  }) as unknown as Product;

const facts = (now: string, over: Partial<ChangeFacts> = {}): ChangeFacts => ({
  customer: { id: "cus_1", defaultPaymentMethodId: "pm_1" },
  products: new Map([
    ["prod_pro", product("prod_pro", 6_200)],
    ["prod_basic", product("prod_basic", 3_100)],
  ]),
  activeTaxRates: new Set(),
  codes: new Map(),
  paymentMethodCustomerId: undefined,
  merchant: { defaultPaymentTerms: "net_30" },
  latestInvoiceStatus: "paid",
  now: new Date(now),
  ...over,
});

const upgrade = { items: [{ id: "si_basic", productId: "prod_pro" }] };
const amounts = (lines: { unitAmount?: number }[]) => lines.map((l) => l.unitAmount);

describe("a change of items within the running period", () => {
  it("upgrade mid-period: credits 15/31 of Basic (1500) and charges 15/31 of Pro (3000) on the next invoice", () => {
    const plan = planChange(subscription(), upgrade, facts("2026-03-17T00:00:00Z"));
    expect(plan.invoiceNow).toBe(false);
    expect(plan.prorations).toEqual([
      {
        description: "Unused time on Basic (from 2026-03-17 to 2026-04-01)",
        quantity: 1,
        unitAmount: -1_500,
        productId: "prod_basic",
        taxRateIds: [],
        period: { start: "2026-03-17T00:00:00.000Z", end: "2026-04-01T00:00:00.000Z" },
        proration: true,
      },
      {
        description: "Remaining time on Pro (from 2026-03-17 to 2026-04-01)",
        quantity: 1,
        unitAmount: 3_000,
        productId: "prod_pro",
        taxRateIds: [],
        period: { start: "2026-03-17T00:00:00.000Z", end: "2026-04-01T00:00:00.000Z" },
        proration: true,
      },
    ]);
    // The item keeps its id; the next period bills Pro in full, then the two prorations.
    expect(plan.next.items).toMatchObject([{ id: "si_basic", productId: "prod_pro", unitAmount: 6_200 }]);
    const { request } = periodInvoice(plan.next, 1);
    expect(amounts(request.lineItems)).toEqual([6_200, -1_500, 3_000]);
  });

  it("a quantity change at a DST boundary counts real seconds: Oslo's March has 2,674,800 of them", () => {
    // [Mar 1 00:00+01:00, Apr 1 00:00+02:00) lost an hour on Mar 29; the change is at 03:00 local that day:
    // 248,400 s remain. Credit 2 × 10000 × 248400 / 2674800 = 1857.33 → 1857; charge 5 × … = 4643.34 → 4643.
    const oslo = subscription({
      timeZone: "Europe/Oslo",
      items: [{ id: "si_seat", description: "Seat", unitAmount: 10_000, quantity: 2 }],
      currentPeriodStart: "2026-02-28T23:00:00.000Z",
      currentPeriodEnd: "2026-03-31T22:00:00.000Z",
    });
    const plan = planChange(oslo, { items: [{ id: "si_seat", quantity: 5 }] }, facts("2026-03-29T01:00:00Z"));
    expect(plan.prorations.map((l) => [l.description, l.unitAmount])).toEqual([
      ["Unused time on Seat × 2 (from 2026-03-29 to 2026-04-01)", -1_857],
      ["Remaining time on Seat × 5 (from 2026-03-29 to 2026-04-01)", 4_643],
    ]);
  });

  it("on the period's first second: the whole period is credited and charged", () => {
    const plan = planChange(subscription(), upgrade, facts("2026-03-01T00:00:00Z"));
    expect(amounts(plan.prorations)).toEqual([-3_100, 6_200]);
  });

  it("on the period's last second: one second's worth, 37 of a 1,000,000.00 item, and nothing of a 31.00 one", () => {
    const big = subscription({
      items: [{ id: "si_big", description: "Enterprise", unitAmount: 100_000_000, quantity: 1 }],
    });
    const removed = planChange(
      big,
      { items: [{ description: "Starter", unitAmount: 3_100 }] },
      facts("2026-03-31T23:59:59Z"),
    );
    // 100,000,000 × 1 / 2,678,400 = 37.34 → 37; 3,100 × 1 / 2,678,400 rounds to 0: no line for it.
    expect(amounts(removed.prorations)).toEqual([-37]);
  });

  it("a credit never exceeds what the item billed: a short first period billed 1500, and that is all it credits", () => {
    // Started Mar 17 with anchor day 1: period 0 is [Mar 17, Apr 1), billed 3100 × 15/31 = 1500.
    const short = subscription({
      startDate: "2026-03-17",
      currentPeriodStart: "2026-03-17T00:00:00.000Z",
    });
    const plan = planChange(short, upgrade, facts("2026-03-17T00:00:00Z"));
    expect(amounts(plan.prorations)).toEqual([-1_500, 3_000]);
  });

  it("an item added without proration billed nothing this period, so removing it later credits nothing", () => {
    const added = planChange(
      subscription(),
      {
        items: [{ id: "si_basic" }, { description: "Extra seat", unitAmount: 1_000 }],
        prorationBehavior: "none",
      },
      facts("2026-03-10T00:00:00Z"),
    );
    expect(added.prorations).toEqual([]);
    const removed = planChange(added.next, { items: [{ id: "si_basic" }] }, facts("2026-03-20T00:00:00Z"));
    expect(removed.prorations).toEqual([]);
    expect(removed.next.items.map((i) => i.id)).toEqual(["si_basic"]);
  });

  it("an upgrade then a downgrade in the same period credits the upgrade's charge, not a full period of Pro", () => {
    const up = planChange(subscription(), upgrade, facts("2026-03-17T00:00:00Z"));
    const down = planChange(
      up.next,
      { items: [{ id: "si_basic", productId: "prod_basic" }] },
      facts("2026-03-25T00:00:00Z"),
    );
    // 7 days left: Pro 6200 × 7/31 = 1400 credited (≤ its 3000 charge); Basic 3100 × 7/31 = 700 charged.
    expect(amounts(down.prorations)).toEqual([-1_400, 700]);
    // Both changes' lines wait for the next period's invoice.
    expect(amounts(down.next.pendingLines ?? [])).toEqual([-1_500, 3_000, -1_400, 700]);
  });

  it("always_invoice bills the lines (and any pending ones) now, leaving nothing pending", () => {
    const plan = planChange(
      subscription(),
      { ...upgrade, prorationBehavior: "always_invoice" },
      facts("2026-03-17T00:00:00Z"),
    );
    expect(plan.invoiceNow).toBe(true);
    expect(plan.next.pendingLines).toBeUndefined();
  });

  it("none: the new items from the next period, no line", () => {
    const plan = planChange(
      subscription(),
      { ...upgrade, prorationBehavior: "none" },
      facts("2026-03-17T00:00:00Z"),
    );
    expect(plan.prorations).toEqual([]);
    expect(amounts(periodInvoice(plan.next, 1).request.lineItems)).toEqual([6_200]);
  });

  it("no period runs (trialing, paused, scheduled): the items change without a line", () => {
    for (const status of ["trialing", "paused", "scheduled"] as const) {
      const plan = planChange(subscription({ status }), upgrade, facts("2026-03-17T00:00:00Z"));
      expect(plan.prorations, status).toEqual([]);
    }
  });

  it("409 while the period's invoice is unpaid: nothing is credited for money never collected", () => {
    const unpaid = facts("2026-03-17T00:00:00Z", { latestInvoiceStatus: "open" });
    expect(() => planChange(subscription(), upgrade, unpaid)).toThrow(StateConflictError);
    // A change that does not prorate is fine.
    expect(planChange(subscription(), { ...upgrade, prorationBehavior: "none" }, unpaid).prorations).toEqual(
      [],
    );
  });
});

describe("the change's other terms", () => {
  it("refuses another interval or currency, unknown items and one-time products, naming each entry", () => {
    const products = new Map([
      ["prod_year", product("prod_year", 30_000, { recurring: { interval: "year" } } as Partial<Product>)],
      ["prod_eur", product("prod_eur", 3_000, { currency: "EUR" })],
      ["prod_once", product("prod_once", 3_000, { recurring: undefined } as Partial<Product>)],
    ]);
    try {
      planChange(
        subscription(),
        {
          items: [
            { id: "si_nope" },
            { productId: "prod_year" },
            { productId: "prod_eur" },
            { productId: "prod_once" },
          ],
        },
        facts("2026-03-17T00:00:00Z", { products }),
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).errors.map((e) => e.path)).toEqual([
        "items.0.id",
        "items.1.productId",
        "items.2.productId",
        "items.3.productId",
      ]);
    }
  });

  it("switching to send_invoice takes the merchant's terms; back to charging drops them", () => {
    const sent = planChange(
      subscription(),
      { collectionMethod: "send_invoice" },
      facts("2026-03-17T00:00:00Z"),
    );
    expect(sent.next).toMatchObject({ collectionMethod: "send_invoice", paymentTerms: "net_30" });
    const charged = planChange(
      sent.next,
      { collectionMethod: "charge_automatically" },
      facts("2026-03-17T00:00:00Z"),
    );
    expect(charged.next.paymentTerms).toBeUndefined();
  });

  it("a discount added by a change applies from the next period, for its own duration", () => {
    const plan = planChange(
      subscription(),
      { discounts: [{ percentOff: 10 }] },
      facts("2026-03-17T00:00:00Z"),
    );
    const [discount] = plan.next.discounts;
    expect(discount).toMatchObject({ percentOff: 10, duration: "forever", fromPeriod: 1 });
    expect(discountApplies(discount!, 0)).toBe(false);
    expect(discountApplies(discount!, 1)).toBe(true);
  });

  it("a subscription that stopped cannot be changed (409), but its metadata can", () => {
    const canceled = subscription({ status: "canceled" });
    expect(() => planChange(canceled, upgrade, facts("2026-03-17T00:00:00Z"))).toThrow(StateConflictError);
    const noted = planChange(canceled, { metadata: { a: "b" } }, facts("2026-03-17T00:00:00Z"));
    expect(noted.next.metadata).toEqual({ a: "b" });
  });
});
