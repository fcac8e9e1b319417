import type { SQSRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import * as z from "zod";
import { billingTimerRegistry } from "../../functions/billing/timers.ts";
import type { BillingTimerPorts } from "../../shared/composition.ts";
import { schedules } from "../../infra/manifest.ts";
import { invoiceSchedules } from "../../shared/invoices/reminders.ts";
import { queuesFor } from "../../shared/outbox/routing.ts";
import { checkoutExpirySchedule } from "../../shared/payment-links/expiry.ts";
import { quoteExpirySchedule } from "../../shared/quotes/expiry.ts";
import { installmentSchedule } from "../../shared/quotes/installments.ts";
import { attemptCheck } from "../../shared/payments/attempt-checks.ts";
import { refundCheck } from "../../shared/payments/refund-checks.ts";
import { payoutRunSchedule } from "../../shared/payouts/run.ts";
import { incompleteExpirySchedule, nextBillingSchedule } from "../../shared/subscriptions/billing.ts";
import { renewalReminderSchedule } from "../../shared/subscriptions/renewals.ts";
import { trialReminderSchedule } from "../../shared/subscriptions/trials.ts";
import { paymentRetrySchedule } from "../../shared/subscriptions/dunning.ts";
import { timerRegistry, timersConsumer, work } from "../../shared/timers/registry.ts";

const record = (body: unknown, messageId = "m-1") => ({ messageId, body: JSON.stringify(body) }) as SQSRecord;

function fixture() {
  const ran: string[] = [];
  const registry = timerRegistry(
    {
      timers: {
        "thing.ring": work(
          () => z.object({ kind: z.literal("thing.ring"), times: z.number().int() }),
          async (m) => {
            ran.push(`ring ×${m.times}`);
          },
        ),
      },
    },
    {
      timers: {
        "thing.expire": work(
          () => z.object({ kind: z.literal("thing.expire"), id: z.string() }),
          async (m) => {
            ran.push(`expire ${m.id}`);
          },
        ),
      },
      events: {
        "thing.created": work(
          () => z.object({ type: z.literal("thing.created"), objectId: z.string() }),
          async (e) => {
            ran.push(`created ${e.objectId}`);
          },
        ),
      },
    },
  );
  return { ran, registry, consumer: timersConsumer(registry) };
}

describe("the timer registry", () => {
  it("dispatches each message to the handler registered for its kind, or for its event type", async () => {
    const { ran, consumer } = fixture();
    const result = await consumer({
      Records: [
        record({ kind: "thing.expire", id: "t_1" }, "a"),
        record({ kind: "thing.ring", times: 2 }, "b"),
        record({ id: "evt_1", type: "thing.created", objectId: "t_2" }, "c"),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [] });
    expect(ran).toEqual(["expire t_1", "ring ×2", "created t_2"]);
  });

  it("fails the record of a kind nobody registered (retried, then kept in the DLQ), and runs the others", async () => {
    const { ran, consumer } = fixture();
    const result = await consumer({
      Records: [
        record({ kind: "thing.vanish", id: "t_1" }, "unknown"),
        record({ kind: "thing.ring", times: 1 }, "ok"),
      ],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "unknown" }] });
    expect(ran).toEqual(["ring ×1"]);
  });

  it("fails the record of an event type nobody registered, and of a body naming neither", async () => {
    const { ran, consumer } = fixture();
    const result = await consumer({
      Records: [
        record({ type: "thing.deleted", objectId: "t_1" }, "event"),
        record({ id: "t_1" }, "nameless"),
      ],
    });
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: "event" }, { itemIdentifier: "nameless" }],
    });
    expect(ran).toEqual([]);
  });

  it("fails the record whose body does not match its kind's schema, without running the handler", async () => {
    const { ran, consumer } = fixture();
    const result = await consumer({
      Records: [record({ kind: "thing.ring", times: 1.5 }, "bad"), record("not an object", "string")],
    });
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "bad" }, { itemIdentifier: "string" }] });
    expect(ran).toEqual([]);
  });

  it("runs every owner's handler of one event type, each on what its own schema reads", async () => {
    const ran: string[] = [];
    const consumer = timersConsumer(
      timerRegistry(
        {
          events: {
            "thing.paid": work(
              () => z.object({ objectId: z.string() }),
              async (e) => void ran.push(`cancel reminders of ${e.objectId}`),
            ),
          },
        },
        {
          events: {
            "thing.paid": work(
              () => z.object({ data: z.object({ owner: z.string() }) }),
              async (e) => void ran.push(`reactivate ${e.data.owner}`),
            ),
          },
        },
      ),
    );
    const paid = { type: "thing.paid", objectId: "t_1", data: { owner: "o_1" } };
    expect(await consumer({ Records: [record(paid, "ok")] })).toEqual({ batchItemFailures: [] });
    expect(ran).toEqual(["cancel reminders of t_1", "reactivate o_1"]);

    ran.length = 0;
    const unreadable = { type: "thing.paid", objectId: "t_2", data: {} };
    expect(await consumer({ Records: [record(unreadable, "bad")] })).toEqual({
      batchItemFailures: [{ itemIdentifier: "bad" }],
    });
    expect(ran).toEqual([]);
  });

  it("refuses two owners registering one kind", () => {
    const ring = work(
      () => z.object({ kind: z.literal("thing.ring") }),
      async () => {},
    );
    expect(() =>
      timerRegistry({ timers: { "thing.ring": ring } }, { timers: { "thing.ring": ring } }),
    ).toThrow(/thing\.ring.*registered twice/);
  });
});

describe("the billing queue's registry", () => {
  const registry = billingTimerRegistry({} as BillingTimerPorts);

  it("has a handler for every kind of schedule the capabilities plan on the billing queue", () => {
    const now = new Date("2026-03-01T00:00:00Z");
    const planned = [
      ...invoiceSchedules(
        {
          merchantId: "mer_1",
          invoiceId: "inv_1",
          dueDate: "2026-03-10",
          overdueAt: "2026-03-11T00:00:00.000Z",
          reminderDays: [-3, 7],
          timeZone: "Europe/Berlin",
        },
        now,
      ),
      refundCheck("mer_1", "re_1", 1, now),
      attemptCheck("mer_1", "pay_1", now),
      payoutRunSchedule("mer_1", "2026-03-01", "Europe/Berlin"),
      nextBillingSchedule("mer_1", { id: "sub_1", nextPeriod: 1, nextBillingAt: "2026-04-01T00:00:00Z" }),
      incompleteExpirySchedule(
        {
          kind: "subscription.incomplete_expiry",
          merchantId: "mer_1",
          subscriptionId: "sub_1",
          invoiceId: "inv_1",
        },
        "2026-03-01T00:00:00Z",
      ),
      renewalReminderSchedule(
        {
          kind: "subscription.renewal_upcoming",
          merchantId: "mer_1",
          subscriptionId: "sub_1",
          period: 1,
          renewsAt: "2026-04-01T00:00:00Z",
        },
        new Date("2026-03-25T08:00:00Z"),
      ),
      trialReminderSchedule(
        { kind: "subscription.trial_will_end", merchantId: "mer_1", subscriptionId: "sub_1" },
        now,
      ),
      paymentRetrySchedule("mer_1", { id: "inv_1" }, 0, "2026-03-04T00:00:00Z"),
      checkoutExpirySchedule("mer_1", { id: "cs_1", expiresAt: "2026-03-01T00:30:00Z" }),
      quoteExpirySchedule("mer_1", { id: "quo_1", expiresAt: "2026-04-01T00:00:00Z" }),
      installmentSchedule("mer_1", { id: "quo_1" }, 2, new Date("2026-04-01T00:00:00Z")),
      ...schedules,
    ];
    expect(planned.every((s) => s.queue === "billing")).toBe(true);
    expect(new Set(registry.kinds)).toEqual(
      new Set([...planned.map((s) => String(s.payload.kind)), "sandbox.settle", "test_clock.advance"]),
    );
  });

  it("handles exactly the event types the outbox routes to the billing queue", () => {
    expect([...registry.eventTypes].sort()).toEqual(
      [
        "customer.updated",
        "invoice.finalized",
        "invoice.paid",
        "invoice.voided",
        "merchant.created",
        "payment.failed",
        "payment_method.attached",
        "quote.accepted",
        "subscription.updated",
        "test_clock.advancing",
      ].sort(),
    );
    for (const type of registry.eventTypes) expect(queuesFor(type)).toContain("billing");
  });
});
