/**
 * Subscription use cases: create (with every check of issue 11), list, get, cancel now or at the
 * period's end, and PATCH. Each change is one conditional write with its event, and with the
 * customer's count of running subscriptions when the subscription starts or stops running (what
 * makes the customer's DELETE a 409). Billing the periods is the engine's (`billDue`).
 */
import type { Clock } from "../domain/clock.ts";
import { NotFoundError, requireFound } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import { mergeMetadata } from "../domain/patch.ts";
import type { Change } from "../domain/records.ts";
import type { Position } from "../http/cursor.ts";
import type { Catalog } from "../invoices/build.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import type { CustomerStore } from "../store/customers.ts";
import { subscriptionQuery } from "../store/list-filters.ts";
import type { PaymentMethodStore } from "../store/payment-methods.ts";
import type { SubscriptionStore } from "../store/subscriptions.ts";
import { withSavedView } from "../views/apply.ts";
import type { ViewStore } from "../views/ports.ts";
import {
  buildSubscription,
  canceledNow,
  type NewSubscription,
  presentSubscription,
  type StoredSubscription,
  type SubscriptionFilter,
  type SubscriptionPatch,
  withCancelAtPeriodEnd,
  withPause,
  withResume,
} from "./subscription.ts";

export interface SubscriptionPorts {
  subscriptions: SubscriptionStore;
  customers: Pick<CustomerStore, "subscriptionCountWrite">;
  catalog: Pick<Catalog, "customer" | "product" | "taxRate" | "discountCode">;
  paymentMethods: Pick<PaymentMethodStore, "read">;
  merchants: Pick<MerchantStore, "readMerchant">;
  /** The change that redeems a discount code once, in the subscription's transaction (conditional). */
  redemptionWrite(merchantId: string, discountCodeId: string, currency: string, now: Date): Change;
  views: Pick<ViewStore, "get">;
  /** A customer's own clock: a test clock's frozen time when bound to one, else the request's. */
  customerClock(merchantId: string, customerId: string): Promise<Clock>;
  /** The billing engine: bills every period of the subscription due by its clock's now. */
  /** Bills what is due now; a test clock's subscription (`testClockId`) on the clock's time. */
  billDue(merchantId: string, subscriptionId: string, testClockId?: string): Promise<void>;
}

const subscriptionEvent = (type: string, merchantId: string, subscription: StoredSubscription, now: Date) =>
  newEvent(type, merchantId, subscription.id, now, { subscription: presentSubscription(subscription) });

const readOrThrow = async (ports: SubscriptionPorts, merchantId: string, id: string) =>
  requireFound(await ports.subscriptions.read(merchantId, id), "Subscription");

/** Every id once, each looked up in parallel: the found values by id. */
async function lookUp<T>(
  ids: readonly string[],
  read: (id: string) => Promise<T | undefined>,
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  await Promise.all(
    [...new Set(ids)].map(async (id) => {
      const value = await read(id);
      if (value !== undefined) found.set(id, value);
    }),
  );
  return found;
}

export async function createSubscription(
  ports: SubscriptionPorts,
  merchantId: string,
  input: NewSubscription,
) {
  const { catalog } = ports;
  const now = (await ports.customerClock(merchantId, input.customerId)).now();
  const [customer, merchant, products, taxRates, codes, method] = await Promise.all([
    catalog.customer(merchantId, input.customerId),
    ports.merchants.readMerchant(merchantId),
    lookUp(
      input.items.flatMap((i) => (i.productId ? [i.productId] : [])),
      (id) => catalog.product(merchantId, id),
    ),
    lookUp(input.taxRateIds ?? [], (id) => catalog.taxRate(merchantId, id)),
    lookUp(
      (input.discounts ?? []).flatMap((d) => ("code" in d ? [d.code.toUpperCase()] : [])),
      (code) => catalog.discountCode(merchantId, code),
    ),
    input.defaultPaymentMethodId
      ? ports.paymentMethods.read(merchantId, input.defaultPaymentMethodId)
      : undefined,
  ]);
  if (!merchant) throw new NotFoundError("Merchant");
  const { subscription, discountCodeIds } = buildSubscription(input, {
    customer,
    products,
    activeTaxRates: new Set([...taxRates.values()].filter((r) => r.active).map((r) => r.id)),
    codes,
    paymentMethodCustomerId: method?.value.customerId,
    merchant: merchant.value,
    now,
  });
  await ports.subscriptions.create(
    merchantId,
    subscription,
    subscriptionEvent("subscription.created", merchantId, subscription, now),
    [
      ports.customers.subscriptionCountWrite(merchantId, subscription.customerId, 1),
      ...discountCodeIds.map((id) => ports.redemptionWrite(merchantId, id, subscription.currency, now)),
    ],
  );
  // A start today bills its first period now; the answer shows the subscription after it.
  await ports.billDue(merchantId, subscription.id, subscription.testClockId);
  return getSubscription(ports, merchantId, subscription.id);
}

export async function getSubscription(ports: SubscriptionPorts, merchantId: string, id: string) {
  return presentSubscription((await readOrThrow(ports, merchantId, id)).value);
}

export async function listSubscriptions(
  ports: SubscriptionPorts,
  merchantId: string,
  query: SubscriptionFilter & { view?: string | undefined },
  page: { limit: number; after?: Position },
) {
  const { view, ...own } = query;
  const filter = await withSavedView(ports.views, merchantId, "subscriptions", view, own);
  const result = await ports.subscriptions.list(merchantId, subscriptionQuery(filter, page));
  return { ...result, items: result.items.map(presentSubscription) };
}

/**
 * Cancels now (no further invoices, nothing refunded, open invoices left as they are; the customer
 * no longer counts it), or at the end of the current period (the engine cancels at the due instant).
 * A paused subscription has no period running (its last one ended when the pause began), so
 * `atPeriodEnd` cancels it now. A canceled, ended or expired subscription is a 409.
 */
export async function cancelSubscription(
  ports: SubscriptionPorts,
  merchantId: string,
  id: string,
  { atPeriodEnd }: { atPeriodEnd: boolean },
) {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  const now = (await ports.customerClock(merchantId, value.customerId)).now();
  if (atPeriodEnd && value.status !== "paused") {
    const next = withCancelAtPeriodEnd(value, true, now);
    if (next !== value) {
      await ports.subscriptions.replace(
        merchantId,
        next,
        version,
        subscriptionEvent("subscription.updated", merchantId, next, now),
      );
    }
    return presentSubscription(next);
  }
  const next = canceledNow(value, now);
  await ports.subscriptions.replace(
    merchantId,
    next,
    version,
    subscriptionEvent("subscription.canceled", merchantId, next, now),
    [ports.customers.subscriptionCountWrite(merchantId, value.customerId, -1)],
  );
  return presentSubscription(next);
}

/** `cancelAtPeriodEnd` (false undoes a scheduled cancel; 409 once the subscription stopped) and metadata. */
export async function updateSubscription(
  ports: SubscriptionPorts,
  merchantId: string,
  id: string,
  patch: SubscriptionPatch,
) {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  const now = (await ports.customerClock(merchantId, value.customerId)).now();
  const course =
    patch.cancelAtPeriodEnd === undefined
      ? value
      : withCancelAtPeriodEnd(value, patch.cancelAtPeriodEnd, now);
  const next: StoredSubscription = {
    ...course,
    metadata: mergeMetadata(value.metadata, patch.metadata),
    updatedAt: now.toISOString(),
  };
  await ports.subscriptions.replace(
    merchantId,
    next,
    version,
    subscriptionEvent("subscription.updated", merchantId, next, now),
  );
  return presentSubscription(next);
}

/**
 * Pauses at the end of the period already billed: the pause is recorded now (`pauseAt`), and the
 * engine makes the subscription `paused` at that instant, billing nothing while it lasts.
 */
export async function pauseSubscription(
  ports: SubscriptionPorts,
  merchantId: string,
  id: string,
  { resumesAt }: { resumesAt?: string | undefined },
) {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  const now = (await ports.customerClock(merchantId, value.customerId)).now();
  const next = withPause(value, resumesAt, now);
  await ports.subscriptions.replace(
    merchantId,
    next,
    version,
    subscriptionEvent("subscription.updated", merchantId, next, now),
  );
  return presentSubscription(next);
}

/**
 * Resumes a paused subscription now — it is due at once, and the engine resumes it and bills the
 * short period to the next anchor date before this answers — or calls off a pause not yet begun.
 */
export async function resumeSubscription(ports: SubscriptionPorts, merchantId: string, id: string) {
  const { value, version } = await readOrThrow(ports, merchantId, id);
  const now = (await ports.customerClock(merchantId, value.customerId)).now();
  const next = withResume(value, now);
  await ports.subscriptions.replace(
    merchantId,
    next,
    version,
    subscriptionEvent("subscription.updated", merchantId, next, now),
  );
  if (value.status === "paused") await ports.billDue(merchantId, id, value.testClockId);
  return getSubscription(ports, merchantId, id);
}
