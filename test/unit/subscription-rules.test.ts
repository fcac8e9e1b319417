/**
 * The subscription's pure rules: what a request builds (today in the merchant's zone decides the
 * status and the default start), cancel now and at the period's end, and what the API shows.
 */
import { describe, expect, it } from "vitest";
import type { Customer } from "../../shared/customers/customer.ts";
import { StateConflictError, ValidationError } from "../../shared/domain/errors.ts";
import {
  buildSubscription,
  type CreationFacts,
  canceledNow,
  type NewSubscription,
  presentSubscription,
  withCancelAtPeriodEnd,
} from "../../shared/subscriptions/subscription.ts";

const customer: Customer = {
  id: "cus_01KQA0000000000000000000AA",
  email: "ada@example.test",
  taxIds: [],
  metadata: {},
  defaultPaymentMethodId: "pm_01KQA0000000000000000000AA",
  createdAt: "2026-01-01T00:00:00.000Z",
  updatedAt: "2026-01-01T00:00:00.000Z",
};
/** 20:00 UTC on 30 November is already 1 December in Kiritimati (UTC+14). */
const facts = (timeZone: string): CreationFacts => ({
  customer,
  products: new Map(),
  activeTaxRates: new Set(),
  codes: new Map(),
  paymentMethodCustomerId: undefined,
  merchant: { timeZone, defaultPaymentTerms: "net_30" },
  now: new Date("2026-11-30T20:00:00Z"),
});
const request = (extra: Partial<NewSubscription> = {}): NewSubscription => ({
  customerId: customer.id,
  items: [{ description: "Retainer", unitAmount: 1000, quantity: 1 }],
  currency: "USD",
  interval: "month",
  collectionMethod: "charge_automatically",
  ...extra,
});

describe("building a subscription", () => {
  it("starts today in the merchant's zone by default, active, anchored on that day", () => {
    const { subscription } = buildSubscription(request(), facts("Pacific/Kiritimati"));
    expect(subscription).toMatchObject({
      status: "active",
      startDate: "2026-12-01",
      billingAnchorDay: 1,
      nextBillingAt: "2026-11-30T10:00:00.000Z",
      timeZone: "Pacific/Kiritimati",
      nextPeriod: 0,
    });
  });

  it("is scheduled from the next local day on, and refuses the previous one", () => {
    expect(buildSubscription(request({ startDate: "2026-12-01" }), facts("UTC")).subscription.status).toBe(
      "scheduled",
    );
    expect(() =>
      buildSubscription(request({ startDate: "2026-11-30" }), facts("Pacific/Kiritimati")),
    ).toThrow(ValidationError);
  });
});

describe("cancel", () => {
  const { subscription } = buildSubscription(request({ startDate: "2026-12-15" }), facts("UTC"));
  const now = new Date("2026-12-01T08:00:00Z");

  it("now: canceled and ended at once, nothing left to bill", () => {
    expect(canceledNow(subscription, now)).toMatchObject({
      status: "canceled",
      canceledAt: now.toISOString(),
      endedAt: now.toISOString(),
      nextBillingAt: null,
    });
  });

  it("at the period's end: flagged, still billing until then; undone by false; a stopped one is a 409", () => {
    const flagged = withCancelAtPeriodEnd(subscription, true, now);
    expect(flagged).toMatchObject({
      status: "scheduled",
      cancelAtPeriodEnd: true,
      nextBillingAt: subscription.nextBillingAt,
    });
    expect(withCancelAtPeriodEnd(flagged, false, now).cancelAtPeriodEnd).toBe(false);
    const stopped = canceledNow(subscription, now);
    expect(() => withCancelAtPeriodEnd(stopped, false, now)).toThrow(StateConflictError);
    expect(() => canceledNow(stopped, now)).toThrow(StateConflictError);
  });
});

it("shows the subscription without the engine's fields", () => {
  const { subscription } = buildSubscription(request(), facts("UTC"));
  const shown = presentSubscription(subscription);
  expect(shown).not.toHaveProperty("timeZone");
  expect(shown).not.toHaveProperty("nextPeriod");
  expect(shown.id).toBe(subscription.id);
});
