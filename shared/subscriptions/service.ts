/**
 * Subscription use cases: create (with every check of issue 11), list, get, cancel now or at the
 * period's end, and PATCH. Each change is one conditional write with its event, and with the
 * customer's count of running subscriptions when the subscription starts or stops running (what
 * makes the customer's DELETE a 409). Billing the periods is the engine's (`billDue`).
 */
import type { Clock } from "../domain/clock.ts";
import {
  ConflictError,
  NotFoundError,
  requireFound,
  StateConflictError,
  ValidationError,
} from "../domain/errors.ts";
import type { InvoiceStatus } from "../domain/invoice-lifecycle.ts";
import type { Versioned } from "../domain/records.ts";
import type { PricedLineRequest } from "../invoices/build.ts";
import { type ChangeFacts, planChange } from "./changes.ts";
import { discountApplies, discountRequest, subscriptionPeriod } from "./period-invoice.ts";
import { type InvoicePreview, previewInvoice, upcomingRequest } from "./upcoming.ts";
import { newEvent } from "../domain/events.ts";
import type { Change } from "../domain/records.ts";
import type { Position } from "../http/cursor.ts";
import type { Catalog, DiscountRequest } from "../invoices/build.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import type { Product } from "../products/product.ts";
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
  type CollectionMethod,
  type StoredSubscription,
  type SubscriptionDiscount,
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
  /** The status of one of the merchant's invoices (a change checks its running period's invoice is paid). */
  invoiceStatus(merchantId: string, invoiceId: string): Promise<InvoiceStatus | undefined>;
  /** A change invoiced at once, on the subscription's clock (`invoiceChange` in billing.ts): the state it leaves. */
  invoiceChange(
    merchantId: string,
    found: Versioned<StoredSubscription>,
    change: { next: StoredSubscription; lines: PricedLineRequest[]; changes: Change[] },
  ): Promise<StoredSubscription>;
  paymentMethods: Pick<PaymentMethodStore, "read">;
  merchants: Pick<MerchantStore, "readMerchant">;
  /** The change that redeems a discount code once, in the subscription's transaction (conditional). */
  redemptionWrite(merchantId: string, discountCodeId: string, currency: string, now: Date): Change;
  views: Pick<ViewStore, "get">;
  /** A customer's own clock: a test clock's frozen time when bound to one, else the request's. */
  customerClock(merchantId: string, customerId: string): Promise<Clock>;
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

/** What a request names, read in parallel: the customer, the merchant, its products, tax rates, codes and method. */
async function namedFacts(
  ports: SubscriptionPorts,
  merchantId: string,
  customerId: string,
  named: {
    items?: readonly { productId?: string | undefined }[] | undefined;
    taxRateIds?: readonly string[] | undefined;
    discounts?: readonly DiscountRequest[] | undefined;
    defaultPaymentMethodId?: string | null | undefined;
  },
) {
  const { catalog } = ports;
  const [customer, merchant, products, taxRates, codes, method] = await Promise.all([
    catalog.customer(merchantId, customerId),
    ports.merchants.readMerchant(merchantId),
    lookUp(
      (named.items ?? []).flatMap((i) => (i.productId ? [i.productId] : [])),
      (id) => catalog.product(merchantId, id),
    ),
    lookUp(named.taxRateIds ?? [], (id) => catalog.taxRate(merchantId, id)),
    lookUp(
      (named.discounts ?? []).flatMap((d) => ("code" in d ? [d.code.toUpperCase()] : [])),
      (code) => catalog.discountCode(merchantId, code),
    ),
    named.defaultPaymentMethodId
      ? ports.paymentMethods.read(merchantId, named.defaultPaymentMethodId)
      : undefined,
  ]);
  if (!merchant) throw new NotFoundError("Merchant");
  return {
    customer,
    merchant: merchant.value,
    products,
    activeTaxRates: new Set([...taxRates.values()].filter((r) => r.active).map((r) => r.id)),
    codes,
    paymentMethodCustomerId: method?.value.customerId,
  };
}

export async function createSubscription(
  ports: SubscriptionPorts,
  merchantId: string,
  input: NewSubscription,
) {
  const now = (await ports.customerClock(merchantId, input.customerId)).now();
  const { subscription, discountCodeIds } = buildSubscription(input, {
    ...(await namedFacts(ports, merchantId, input.customerId, input)),
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

/** An item at a price a document fixed (a checkout's session, an accepted quote), not the product's now. */
interface FixedItem {
  productId: string;
  description: string;
  unitAmount: number;
  quantity: number;
}

/** The products as the items fixed them: their descriptions and prices. */
const atFixedPrices = (products: ReadonlyMap<string, Product>, items: readonly FixedItem[]) => {
  const fixed = new Map(items.map((item) => [item.productId, item]));
  return new Map(
    [...products].map(([id, product]) => {
      const item = fixed.get(id);
      return [id, item ? { ...product, name: item.description, unitAmount: item.unitAmount } : product];
    }),
  );
};

/** A checkout's recurring items at the prices its session fixed (issue 13 §3). */
export interface CheckoutSubscriptionRequest {
  customerId: string;
  items: FixedItem[];
  taxRateIds: string[];
  trialDays?: number;
  /** The checkout's code: kept with its terms (redeemed by the checkout's invoice, not here). */
  discounts?: DiscountRequest[];
  metadata: Record<string, string>;
}

/**
 * The subscription a checkout starts, built (every check of a creation) but not written: its period
 * 0 is billed by the checkout's own invoice, and it is written only once that invoice is paid
 * (`startCheckoutSubscription`). The items keep the checkout's prices, not the products' prices now.
 */
export async function draftCheckoutSubscription(
  ports: SubscriptionPorts,
  merchantId: string,
  request: CheckoutSubscriptionRequest,
): Promise<StoredSubscription> {
  const now = (await ports.customerClock(merchantId, request.customerId)).now();
  const facts = await namedFacts(ports, merchantId, request.customerId, request);
  const products = atFixedPrices(facts.products, request.items);
  return buildSubscription(
    {
      customerId: request.customerId,
      items: request.items.map(({ productId, quantity }) => ({ productId, quantity })),
      collectionMethod: "charge_automatically",
      taxRateIds: request.taxRateIds,
      ...(request.trialDays ? { trialDays: request.trialDays } : {}),
      ...(request.discounts ? { discounts: request.discounts } : {}),
      metadata: request.metadata,
    },
    { ...facts, products, now, cardOnCompletion: true },
  ).subscription;
}

/** An accepted quote's recurring lines (issue 14 §2): at its prices, tax rates and discounts. */
export interface QuotedSubscriptionRequest {
  customerId: string;
  items: FixedItem[];
  taxRateIds: string[];
  /** As the quote priced them: taken as they are, no code redeemed (the quote counts its own). */
  discounts: SubscriptionDiscount[];
  /** Absent: today. */
  startDate?: string;
  collectionMethod: CollectionMethod;
  defaultPaymentMethodId?: string;
  metadata: Record<string, string>;
}

/**
 * Creates an accepted quote's subscription with every check of a creation, in one transaction with
 * the changes `alsoWrite` makes for its id (the quote recording it, on its version: a lost race
 * writes nothing), then bills what is due, as `createSubscription`.
 */
export async function createQuotedSubscription(
  ports: SubscriptionPorts,
  merchantId: string,
  { discounts, ...request }: QuotedSubscriptionRequest,
  alsoWrite: (subscriptionId: string) => Change[],
): Promise<StoredSubscription> {
  const now = (await ports.customerClock(merchantId, request.customerId)).now();
  const facts = await namedFacts(ports, merchantId, request.customerId, request);
  const built = buildSubscription(
    { ...request, items: request.items.map(({ productId, quantity }) => ({ productId, quantity })) },
    { ...facts, products: atFixedPrices(facts.products, request.items), now },
  ).subscription;
  const subscription: StoredSubscription = { ...built, discounts };
  await ports.subscriptions.create(
    merchantId,
    subscription,
    subscriptionEvent("subscription.created", merchantId, subscription, now),
    [
      ports.customers.subscriptionCountWrite(merchantId, subscription.customerId, 1),
      ...alsoWrite(subscription.id),
    ],
  );
  await ports.billDue(merchantId, subscription.id, subscription.testClockId);
  return subscription;
}

/**
 * Writes a checkout's subscription once its purchase is paid: with `invoiceId`, period 0 is that
 * invoice (claimed for it, as the engine claims each period, so it is never billed again) and the
 * subscription is `active` until that period's end; a trial's starts as built. `paymentMethodId`, the
 * card the buyer paid with, is charged for the renewals. Writing it twice is one subscription: a
 * repeat finds it and returns it as it is.
 */
export async function startCheckoutSubscription(
  ports: SubscriptionPorts,
  merchantId: string,
  draft: StoredSubscription,
  paid: { invoiceId?: string | undefined; paymentMethodId?: string | undefined },
): Promise<StoredSubscription> {
  const existing = await ports.subscriptions.read(merchantId, draft.id);
  if (existing) return existing.value;
  const now = (await ports.customerClock(merchantId, draft.customerId)).now();
  const period = subscriptionPeriod(draft, 0);
  const billed = paid.invoiceId !== undefined && draft.status === "active";
  const subscription: StoredSubscription = {
    ...draft,
    defaultPaymentMethodId: paid.paymentMethodId ?? null,
    ...(billed
      ? {
          nextPeriod: 1,
          cyclesBilled: 1,
          currentPeriodStart: period.start,
          currentPeriodEnd: period.end,
          latestInvoiceId: paid.invoiceId ?? null,
          nextBillingAt: period.end,
        }
      : {}),
    updatedAt: now.toISOString(),
  };
  try {
    await ports.subscriptions.create(
      merchantId,
      subscription,
      subscriptionEvent("subscription.created", merchantId, subscription, now),
      [
        ports.customers.subscriptionCountWrite(merchantId, subscription.customerId, 1),
        ...(billed && paid.invoiceId
          ? [ports.subscriptions.claimPeriodWrite(merchantId, subscription.id, 0, paid.invoiceId)]
          : []),
      ],
    );
  } catch (error) {
    // A concurrent completion (the webhook and the buyer's return) wrote it first.
    const raced = error instanceof ConflictError && (await ports.subscriptions.read(merchantId, draft.id));
    if (raced) return raced.value;
    throw error;
  }
  // Plans its next period (or its trial's end) and the reminders, as any subscription's.
  await ports.billDue(merchantId, subscription.id, subscription.testClockId);
  return subscription;
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

/** What a change is checked against: the PATCH's products, tax rates, codes and method, the running period's invoice. */
async function changeFacts(
  ports: SubscriptionPorts,
  merchantId: string,
  subscription: StoredSubscription,
  patch: SubscriptionPatch,
  now: Date,
): Promise<ChangeFacts> {
  const [named, latest] = await Promise.all([
    namedFacts(ports, merchantId, subscription.customerId, patch),
    patch.items && subscription.latestInvoiceId
      ? ports.invoiceStatus(merchantId, subscription.latestInvoiceId)
      : undefined,
  ]);
  return { ...named, latestInvoiceStatus: latest, now };
}

/**
 * Changes a subscription (issue 12 §2): items with their prorations, terms, discounts, taxes, the
 * default method, cancel at period end, metadata. One conditional write with `subscription.updated`
 * (and the redemptions of new codes); `always_invoice` with lines to bill drafts, finalizes and
 * charges their invoice first, and a declined charge leaves the subscription as it was (402).
 */
export async function updateSubscription(
  ports: SubscriptionPorts,
  merchantId: string,
  id: string,
  patch: SubscriptionPatch,
) {
  const found = await readOrThrow(ports, merchantId, id);
  const { value, version } = found;
  const now = (await ports.customerClock(merchantId, value.customerId)).now();
  const plan = planChange(value, patch, await changeFacts(ports, merchantId, value, patch, now));
  const redemptions = plan.discountCodeIds.map((codeId) =>
    ports.redemptionWrite(merchantId, codeId, value.currency, now),
  );
  if (plan.invoiceNow) {
    const lines = [...(value.pendingLines ?? []), ...plan.prorations];
    return presentSubscription(
      await ports.invoiceChange(merchantId, found, { next: plan.next, lines, changes: redemptions }),
    );
  }
  await ports.subscriptions.replace(
    merchantId,
    plan.next,
    version,
    subscriptionEvent("subscription.updated", merchantId, plan.next, now),
    redemptions,
  );
  return presentSubscription(plan.next);
}

/** The customer's credit balance in the subscription's currency now. */
const creditOf = async (ports: SubscriptionPorts, merchantId: string, subscription: StoredSubscription) =>
  (await ports.catalog.customer(merchantId, subscription.customerId))?.balance?.[subscription.currency] ?? 0;

/** The next invoice exactly as it will be billed (prorations and credit balance included), writing nothing; 409 when none is planned. */
export async function upcomingInvoice(ports: SubscriptionPorts, merchantId: string, id: string) {
  const { value } = await readOrThrow(ports, merchantId, id);
  const now = (await ports.customerClock(merchantId, value.customerId)).now();
  const upcoming = upcomingRequest(value);
  if ("none" in upcoming) throw new StateConflictError(upcoming.none);
  const { preview } = await previewInvoice(
    ports.catalog,
    merchantId,
    upcoming.request,
    upcoming.fields,
    await creditOf(ports, merchantId, value),
    now,
  );
  return preview;
}

/**
 * What a change would produce, writing nothing: the subscription after it, the invoice it bills at
 * once (`always_invoice`) and the next period's invoice after it (each when there is one).
 */
export async function previewChange(
  ports: SubscriptionPorts,
  merchantId: string,
  id: string,
  { prorationDate, ...patch }: SubscriptionPatch & { prorationDate?: string | undefined },
) {
  const { value } = await readOrThrow(ports, merchantId, id);
  const now = (await ports.customerClock(merchantId, value.customerId)).now();
  const facts = await changeFacts(ports, merchantId, value, patch, now);
  if (prorationDate !== undefined) {
    const t = Date.parse(prorationDate);
    if (
      !value.currentPeriodStart ||
      !value.currentPeriodEnd ||
      t < Date.parse(value.currentPeriodStart) ||
      t >= Date.parse(value.currentPeriodEnd)
    ) {
      throw new ValidationError([
        {
          path: "prorationDate",
          message: value.currentPeriodStart
            ? `must lie within the current period (${value.currentPeriodStart} – ${value.currentPeriodEnd})`
            : "only applies while a period runs",
        },
      ]);
    }
  }
  const plan = planChange(value, patch, {
    ...facts,
    ...(prorationDate !== undefined ? { prorationDate: new Date(prorationDate) } : {}),
  });
  let balance = await creditOf(ports, merchantId, value);
  const invoices: InvoicePreview[] = [];
  if (plan.invoiceNow) {
    const current = value.nextPeriod - 1;
    const discounts = plan.next.discounts.filter((d) => discountApplies(d, current)).map(discountRequest);
    const immediate = await previewInvoice(
      ports.catalog,
      merchantId,
      {
        customerId: value.customerId,
        currency: value.currency,
        lineItems: [...(value.pendingLines ?? []), ...plan.prorations],
        ...(discounts.length ? { discounts } : {}),
        metadata: {},
      },
      {
        subscriptionId: value.id,
        billingReason: "subscription_update",
        billingAt: now.toISOString(),
      },
      balance,
      now,
    );
    invoices.push(immediate.preview);
    balance = immediate.balanceAfter;
  }
  const upcoming = upcomingRequest(plan.next);
  if (!("none" in upcoming)) {
    invoices.push(
      (await previewInvoice(ports.catalog, merchantId, upcoming.request, upcoming.fields, balance, now))
        .preview,
    );
  }
  return { subscription: presentSubscription(plan.next), invoices };
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
