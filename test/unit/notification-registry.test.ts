import { workflowTriggers } from "../../shared/workflows/workflow.ts";
import { describe, expect, it } from "vitest";
import { payoutSummary } from "../../shared/notifications/payout-summary.ts";
import { receipt } from "../../shared/notifications/receipt.ts";
import { notificationFor, notifications } from "../../shared/notifications/registry.ts";
import { queuesFor } from "../../shared/outbox/routing.ts";
import { segmentEventTypes } from "../../shared/segments/membership.ts";

/** Domain events that send no email: the outbox must not route them to the notifications queue. */
const silentEvents = [
  "customer.created",
  "invoice.created",
  "invoice.finalized",
  "invoice.paid",
  "invoice.voided",
  "payment.processing",
  "payment.recorded",
  "refund.created",
  "refund.failed",
  "payout.failed",
  "payout.skipped",
  "subscription.activated",
  "subscription.updated",
  "subscription.past_due",
  "subscription.ended",
  "subscription.paused",
  "subscription.resumed",
];

describe("notification registry", () => {
  const eventTypes = notifications.map((n) => n.eventType);

  it("has exactly one notification per event type, and the consumer finds it by that type", () => {
    expect(new Set(eventTypes).size).toBe(eventTypes.length);
    for (const notification of notifications)
      expect(notificationFor(notification.eventType)).toBe(notification);
  });

  it("covers the emails Kassa sends on domain events", () => {
    expect([...eventTypes].sort()).toEqual([
      "checkout.completed",
      "invoice.payment_failed",
      "invoice.sent",
      "merchant.created",
      "payment.duplicate_refunded",
      "payment.failed",
      "payment.succeeded",
      "payout.paid",
      "quote.accepted",
      "quote.published",
      "quote.signed",
      "refund.succeeded",
      "subscription.canceled",
      "subscription.created",
      "subscription.renewal_upcoming",
      "subscription.trial_will_end",
      "task.created",
      "user.invited",
      "user.sign_in_requested",
      "webhook_endpoint.disabled",
    ]);
  });

  it("is what the outbox routes to the notifications queue: every notification's event, and no other", () => {
    for (const type of eventTypes) expect(queuesFor(type)).toContain("notifications");
    for (const type of silentEvents) {
      expect(notificationFor(type)).toBeUndefined();
      expect(queuesFor(type)).not.toContain("notifications");
    }
  });

  it("keeps the billing queue's events, and delivers a new merchant to both queues", () => {
    expect(queuesFor("merchant.created")).toEqual(["notifications", "billing"]);
    // Invoices move money (the ledger) and are catalogued for merchants' webhook endpoints.
    expect(queuesFor("invoice.finalized")).toEqual(["billing", "ledger", "webhooks"]);
    // A voided invoice is no longer overdue for segments; a paid one is also a workflow trigger.
    expect(queuesFor("invoice.voided")).toEqual(["billing", "segments", "ledger", "webhooks"]);
    expect(queuesFor("invoice.paid")).toEqual(["billing", "workflows", "segments", "ledger", "webhooks"]);
    expect(queuesFor("something.nobody.wants")).toEqual([]);
  });

  it("routes exactly the workflow triggers to the workflows queue", () => {
    for (const type of workflowTriggers) expect(queuesFor(type)).toContain("workflows");
    for (const type of [
      "invoice.finalized",
      "customer.updated",
      "task.created",
      "workflow_enrollment.failed",
    ])
      expect(queuesFor(type)).not.toContain("workflows");
  });

  it("delivers a new and a canceled subscription to the notifications queue, for their emails", () => {
    for (const type of ["subscription.created", "subscription.canceled"])
      expect(queuesFor(type)).toContain("notifications");
  });
});

describe("event data, read as the domain's records", () => {
  const payment = {
    id: "pay_1",
    status: "succeeded",
    amount: 10_000,
    currency: "USD",
    method: { type: "card", brand: "visa", last4: "4242" },
    invoiceId: "inv_1",
    livemode: true,
  };

  it("keeps the record as the domain wrote it, and takes money recorded before it carried a mode for test money", () => {
    expect(receipt.data().parse({ payment })).toEqual({ payment });
    const { livemode: _, ...before } = payment;
    expect(receipt.data().parse({ payment: before }).payment.livemode).toBe(false);
  });

  it("refuses a record missing what the mail reads, or with money that is not whole minor units", () => {
    const { method: _, ...noMethod } = payment;
    for (const bad of [
      noMethod,
      { ...payment, amount: 100.5 },
      { ...payment, currency: undefined },
      "pay_1",
    ]) {
      expect(receipt.data().safeParse({ payment: bad }).success).toBe(false);
    }
    expect(payoutSummary.data().safeParse({ payout: { id: "po_1", amount: 5, currency: "USD" } }).success).toBe(
      false,
    );
  });
});

describe("the segments queue", () => {
  it("gets exactly the events segments keep their stats and members from", () => {
    for (const type of segmentEventTypes) expect(queuesFor(type)).toContain("segments");
    for (const type of ["invoice.finalized", "task.created", "payment.failed", "view.created"])
      expect(queuesFor(type)).not.toContain("segments");
  });
});
