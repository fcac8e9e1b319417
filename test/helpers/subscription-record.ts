/**
 * A subscription record as the resource's creation leaves it (period 0 due at its start, nothing
 * billed yet), for suites and benches that write subscriptions to the store directly. Free of the
 * test runner and of the composition root, so the bench can load it before its environment is set.
 */
import { randomUUID } from "node:crypto";
import { newEvent } from "../../shared/domain/events.ts";
import { newId } from "../../shared/domain/ids.ts";
import type { Change } from "../../shared/domain/records.ts";
import { dynamoCustomerStore } from "../../shared/store/customers.ts";
import { dynamoSubscriptionStore } from "../../shared/store/subscriptions.ts";
import { periodOf } from "../../shared/subscriptions/periods.ts";
import type { StoredSubscription } from "../../shared/subscriptions/subscription.ts";

/**
 * A monthly USD subscription to one "Pro plan" at 31.00, charged automatically, on UTC periods from
 * `startDate` (default: `now`'s UTC day; the anchor its day), created at `now`; `over` changes any
 * field, and `nextBillingAt` follows the period rule it ends up with unless given.
 */
export function storedSubscription(
  customerId: string,
  now: Date,
  over: Partial<StoredSubscription> = {},
): StoredSubscription {
  const startDate = over.startDate ?? now.toISOString().slice(0, 10);
  const rule = {
    startDate,
    billingAnchorDay: over.billingAnchorDay ?? Number(startDate.slice(8)),
    interval: over.interval ?? "month",
    timeZone: over.timeZone ?? "UTC",
  };
  return {
    id: newId("subscription", now),
    status: "active",
    customerId,
    currency: "USD",
    items: [
      { id: `si_${randomUUID().slice(0, 8)}`, description: "Pro plan", unitAmount: 3_100, quantity: 1 },
    ],
    currentPeriodStart: null,
    currentPeriodEnd: null,
    nextBillingAt: periodOf(rule, 0).start,
    billingCycles: null,
    cyclesBilled: 0,
    collectionMethod: "charge_automatically",
    defaultPaymentMethodId: null,
    cancelAtPeriodEnd: false,
    canceledAt: null,
    endedAt: null,
    latestInvoiceId: null,
    discounts: [],
    taxRateIds: [],
    metadata: {},
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
    nextPeriod: 0,
    ...rule,
    ...over,
  };
}

/**
 * Writes a subscription as the resource creates it: the record with `subscription.created`, and
 * one more running subscription on its customer (`counter`, by default the customer store's own).
 */
export async function saveSubscription(
  merchantId: string,
  subscription: StoredSubscription,
  counter: Change = dynamoCustomerStore.subscriptionCountWrite(merchantId, subscription.customerId, 1),
): Promise<StoredSubscription> {
  const at = new Date(subscription.createdAt);
  await dynamoSubscriptionStore.create(
    merchantId,
    subscription,
    newEvent("subscription.created", merchantId, subscription.id, at, {}),
    [counter],
  );
  return subscription;
}
