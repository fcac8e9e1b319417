/**
 * The reports' own contributors: revenue and top customers from the balance transactions that
 * payment events carry, and the customer counts (new customers, distinct paying customers).
 */
import * as z from "zod";
import { localDate } from "../domain/calendar.ts";
import type { DomainEvent } from "../domain/events.ts";
import { merchantLivemode } from "../payments/mode.ts";
import type { ReportContributor } from "./contributor.ts";
import { grains, periodOf } from "./periods.ts";
import type { ReportPorts } from "./ports.ts";
import { atEveryGrain, balanceTallies, carriedBalance, reportKeys } from "./rollups.ts";
import { lazy } from "../lazy.ts";

/** The events that carry a balance transaction (a charge, a refund or its reversal, a lost dispute). */
export const revenueEventTypes = [
  "payment.succeeded",
  "refund.succeeded",
  "refund.failed",
  "payment.dispute_closed",
] as const;

/** New customers; paying customers by processor (`payment.succeeded`) or by hand (`payment.recorded`). */
export const customerEventTypes = ["customer.created", "payment.succeeded", "payment.recorded"] as const;

/** The events whose data is the subscription after the change they report (MRR: subscription-mrr.ts). */
export const subscriptionEventTypes = [
  "subscription.created",
  "subscription.activated",
  "subscription.updated",
  "subscription.past_due",
  "subscription.recovered",
  "subscription.paused",
  "subscription.resumed",
  "subscription.canceled",
  "subscription.ended",
] as const;

/** Every event type a report folds: the reports queue gets exactly these (shared/outbox/routing.ts). */
export const reportedEventTypes: readonly string[] = [
  ...new Set([...revenueEventTypes, ...customerEventTypes, ...subscriptionEventTypes]),
];

/** A payment's event carries the payment; a refund's the refund (and the payment, unless it failed). */
const moneyEvent = lazy(() =>
  z.object({
    payment: z.object({ customerId: z.string() }).optional(),
    refund: z.object({ customerId: z.string() }).optional(),
    balanceTransaction: carriedBalance().optional(),
  }),
);
const paidEvent = lazy(() => z.object({ payment: z.object({ customerId: z.string() }) }));

/**
 * Revenue and top customers: each balance transaction added once per event id to its day's, week's
 * and month's revenue item and to its customer's day and month. An event without one (a manual
 * payment, a dispute closed in the merchant's favour, a pending refund's failure) moves nothing.
 */
export function revenueContributor(ports: Pick<ReportPorts, "rollups">): ReportContributor {
  return {
    name: "revenue",
    eventTypes: revenueEventTypes,
    async apply(event) {
      const { payment, refund, balanceTransaction } = moneyEvent().parse(event.data);
      if (!balanceTransaction) return;
      const customerId = payment?.customerId ?? refund?.customerId;
      if (!customerId) throw new Error(`${event.type} ${event.id} names no customer`);
      await ports.rollups.addOnce(
        event.merchantId,
        { contributor: "revenue", eventId: event.id },
        balanceTallies(event.livemode, customerId, balanceTransaction),
      );
    },
  };
}

const customerCreated = lazy(() => z.object({ customer: z.object({ id: z.string() }) }));

/**
 * Customer counts. A new customer counts once per event id on its merchant's local day, in the mode
 * the merchant is in (customers have none of their own). A paying customer counts once per period of
 * each grain, whatever number of payments: a marker per (period, customer) is claimed with the `ADD`.
 */
export function customersContributor(ports: ReportPorts): ReportContributor {
  return {
    name: "customers",
    eventTypes: customerEventTypes,
    async apply(event) {
      if (event.type === "customer.created") return newCustomer(ports, event);
      return payingCustomer(ports, event);
    },
  };
}

async function newCustomer(ports: ReportPorts, event: DomainEvent) {
  customerCreated().parse(event.data);
  const merchant = await ports.merchantOf(event.merchantId);
  if (!merchant) return;
  const day = localDate(new Date(event.occurredAt), merchant.timeZone);
  await ports.rollups.addOnce(
    event.merchantId,
    { contributor: "customers", eventId: event.id },
    atEveryGrain({ report: reportKeys.customers, livemode: merchantLivemode(merchant), dims: [] }, day, {
      newCustomers: 1,
    }),
  );
}

async function payingCustomer(ports: ReportPorts, event: DomainEvent) {
  const { payment } = paidEvent().parse(event.data);
  const { balanceTransaction } = moneyEvent().parse(event.data);
  // A recorded (manual) payment has no balance transaction: its day is its instant's local day.
  let day = balanceTransaction?.date;
  if (!day) {
    const merchant = await ports.merchantOf(event.merchantId);
    if (!merchant) return;
    day = localDate(new Date(event.occurredAt), merchant.timeZone);
  }
  // Each grain on its own: a marker that was claimed (an earlier payment, a redelivery) skips only its own count.
  for (const grain of grains) {
    const rollup = {
      report: reportKeys.customers,
      livemode: event.livemode,
      grain,
      period: periodOf(day, grain),
      dims: [],
    };
    await ports.rollups.addOncePerMember(event.merchantId, rollup, payment.customerId, [
      { rollup, add: { payingCustomers: 1 } },
    ]);
  }
}
