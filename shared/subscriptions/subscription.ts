/**
 * A subscription: a customer billed for the same items every period (issue 11, DESIGN §5). The
 * engine (`billing.ts`) creates one invoice per period; this module holds the record and its rules.
 *
 * Shared contract between the resource (API, store) and the billing engine: the stored record keeps,
 * beside what the API shows, the period rule (`timeZone`), the next period to bill (`nextPeriod`)
 * and the test clock of the customer (`testClockId`), which decides the due index partition.
 */
import type { Customer } from "../customers/customer.ts";
import { type DiscountCode, termsOf, unredeemableReason } from "../discount-codes/discount-code.ts";
import { addDays, localDate, startOfLocalDay } from "../domain/calendar.ts";
import type { CurrencyCode } from "../domain/currency.ts";
import { type FieldError, StateConflictError, ValidationError } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import type { DiscountRequest, PricedLineRequest } from "../invoices/build.ts";
import type { Merchant, PaymentTermsCode } from "../merchants/merchant.ts";
import type { Interval, Product } from "../products/product.ts";
import { periodOf } from "./periods.ts";

/** The full set, used by the lifecycle issue too (trialing, paused). */
export type SubscriptionStatus =
  | "scheduled"
  | "incomplete"
  | "incomplete_expired"
  | "trialing"
  | "active"
  | "past_due"
  | "paused"
  | "canceled"
  | "ended";

/** No further invoice is ever created in these. */
export const terminalSubscriptionStatuses: readonly SubscriptionStatus[] = [
  "incomplete_expired",
  "canceled",
  "ended",
];

export type CollectionMethod = "charge_automatically" | "send_invoice";

export interface SubscriptionItem {
  /** `si_<ULID>` */
  id: string;
  productId?: string;
  description: string;
  /** Kept from creation: a later price change of the product affects new subscriptions only. */
  unitAmount: number;
  /** > 0, at most 4 decimals (as invoice lines). */
  quantity: number;
}

/**
 * What an item billed for the period it was last changed in (engine only, issue 12 §2): a mid-period
 * change's charge, or, after a change that did not prorate, what its period line had billed. A
 * later credit in the same period never exceeds it. Absent (or of an earlier period): the item is
 * billed by the period's own invoice line.
 */
export interface ItemBilled {
  /** The start of the period it applies to (ISO instant). */
  periodStart: string;
  amount: number;
}

/** An item as the store keeps it. */
export interface StoredSubscriptionItem extends SubscriptionItem {
  billed?: ItemBilled;
}

/**
 * A discount of every period's invoice. A code is redeemed once, at creation; its duration then
 * decides which periods it applies to (`once`: period 0; `repeating`: the first `durationInPeriods`).
 */
export interface SubscriptionDiscount {
  percentOff?: number;
  amountOff?: number;
  code?: string;
  duration: "once" | "forever" | "repeating";
  durationInPeriods?: number;
  /** The first period it applies to: a discount added by a change starts with the next period (absent: 0). */
  fromPeriod?: number;
}

export interface Subscription {
  /** `sub_<ULID>` */
  id: string;
  status: SubscriptionStatus;
  customerId: string;
  currency: CurrencyCode;
  interval: Interval;
  items: SubscriptionItem[];
  /** Local date in the merchant's time zone. */
  startDate: string;
  billingAnchorDay: number;
  /** The period billed last (ISO instants); null before the first. */
  currentPeriodStart: string | null;
  currentPeriodEnd: string | null;
  /** When the next period is billed (ISO instant); null when no period is left to bill. */
  nextBillingAt: string | null;
  /** null: until canceled. */
  billingCycles: number | null;
  cyclesBilled: number;
  collectionMethod: CollectionMethod;
  defaultPaymentMethodId: string | null;
  /** send_invoice: the terms of each invoice (default the merchant's). */
  paymentTerms?: PaymentTermsCode;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
  endedAt: string | null;
  latestInvoiceId: string | null;
  discounts: SubscriptionDiscount[];
  taxRateIds: string[];
  metadata: Record<string, string>;
  /** The customer's test clock (test mode), copied at creation; absent on the wall clock. */
  testClockId?: string;
  /**
   * The trial (ISO instants), null without one: no invoice for it; the first period starts at its end.
   * (This and the pause's fields are absent on records written before them: read as null.)
   */
  trialStart?: string | null;
  trialEnd?: string | null;
  /** What happens at the trial's end to a `charge_automatically` subscription with no method to charge. */
  trialSettings?: TrialSettings;
  /** A pause requested (ISO instant, the end of the period billed): the subscription is `paused` from then. */
  pauseAt?: string | null;
  /** When a paused subscription resumes by itself (the first instant of that local day); null: on request. */
  resumesAt?: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What the store keeps beside the API's fields. */
export interface StoredSubscription extends Omit<Subscription, "items"> {
  items: StoredSubscriptionItem[];
  /**
   * Proration lines of changes made with `create_prorations` (issue 12 §2), billed with the next
   * period's invoice (which clears them in its own transaction).
   */
  pendingLines?: PricedLineRequest[];
  /** The merchant's IANA time zone at creation: the periods' calendar. */
  timeZone: string;
  /** The number of the next period to bill (0 first); equals the periods billed so far. */
  nextPeriod: number;
  /**
   * Where billing last resumed after a pause: the instant, and the number of the period billed from
   * it. Periods from `period` on are that run's (a short prorated one first); the numbers go on, so
   * each period's claim and schedule name stay unique. Absent: never resumed.
   */
  resumed?: { at: string; period: number };
  /** The buyer was told the trial ends soon (`subscription.trial_will_end`, once). */
  trialReminded?: boolean;
  /**
   * Period `period` was billed before its start by the buyer renewing early (renew-early.ts): its
   * claim names `invoiceId`, so the instant it starts only moves the subscription into it (no invoice).
   */
  renewedEarly?: { period: number; invoiceId: string };
}

export interface TrialSettings {
  /** `cancel`: a charge_automatically trial without a method to charge at its end is canceled. */
  missingPaymentMethod: "cancel" | "create_invoice";
}

/** The subscription as the API (and every `subscription.*` event) shows it: without the engine's fields. */
export function presentSubscription({
  timeZone: _,
  nextPeriod: __,
  resumed: ___,
  trialReminded: ____,
  pendingLines: _____,
  renewedEarly: ______,
  ...subscription
}: StoredSubscription): Subscription {
  // Records written before trials and pauses existed lack these fields.
  return {
    ...subscription,
    items: subscription.items.map(({ billed: _, ...item }) => item),
    trialStart: subscription.trialStart ?? null,
    trialEnd: subscription.trialEnd ?? null,
    pauseAt: subscription.pauseAt ?? null,
    resumesAt: subscription.resumesAt ?? null,
  };
}

/** A change of course (cancel, undo a scheduled cancel) needs a subscription that still runs: else a 409. */
function requireRunning(subscription: Subscription): void {
  if (terminalSubscriptionStatuses.includes(subscription.status)) {
    throw new StateConflictError(
      `The subscription is ${subscription.status}: it can no longer be canceled or resumed`,
    );
  }
}

/**
 * Canceled at once: no further invoice (it leaves the due index), nothing refunded, its open
 * invoices left as they are. It ends when it is canceled, as Stripe's `ended_at`.
 */
export function canceledNow(subscription: StoredSubscription, now: Date): StoredSubscription {
  requireRunning(subscription);
  const at = now.toISOString();
  return {
    ...subscription,
    status: "canceled",
    cancelAtPeriodEnd: false,
    canceledAt: at,
    endedAt: at,
    nextBillingAt: null,
    updatedAt: at,
  };
}

/**
 * Cancel at the end of the current period (true; the engine cancels at the due instant), or undo it
 * (false). A paused subscription has no current period to end: a 409 (its cancel route cancels it now).
 */
export function withCancelAtPeriodEnd(
  subscription: StoredSubscription,
  cancelAtPeriodEnd: boolean,
  now: Date,
): StoredSubscription {
  requireRunning(subscription);
  if (cancelAtPeriodEnd && subscription.status === "paused") {
    throw new StateConflictError(
      "The subscription is paused: no period is running to cancel at its end; cancel it now with POST /v1/subscriptions/{id}/cancel",
    );
  }
  if (subscription.cancelAtPeriodEnd === cancelAtPeriodEnd) return subscription;
  return { ...subscription, cancelAtPeriodEnd, updatedAt: now.toISOString() };
}

/**
 * A pause from the end of the period already billed (the engine pauses it at that instant): only an
 * active subscription, not set to cancel and not already pausing, else a 409. `resumesAt` (a local
 * date after the pause begins) resumes it by itself; else it stays paused until resumed.
 */
export function withPause(
  subscription: StoredSubscription,
  resumesAt: string | undefined,
  now: Date,
): StoredSubscription {
  if (subscription.status !== "active" || !subscription.currentPeriodEnd) {
    throw new StateConflictError(
      `The subscription is ${subscription.status}: only an active one can be paused`,
    );
  }
  if (subscription.pauseAt) throw new StateConflictError("The subscription is already set to pause");
  if (subscription.cancelAtPeriodEnd) {
    throw new StateConflictError(
      "The subscription is set to cancel at the period's end: it cannot be paused",
    );
  }
  const pauseAt = subscription.currentPeriodEnd;
  const pauseDate = localDate(new Date(pauseAt), subscription.timeZone);
  if (resumesAt !== undefined && resumesAt <= pauseDate) {
    throw new ValidationError([
      {
        path: "resumesAt",
        message: `must be after the day the pause begins (${pauseDate}, the end of the period billed)`,
      },
    ]);
  }
  return {
    ...subscription,
    pauseAt,
    resumesAt: resumesAt ? startOfLocalDay(resumesAt, subscription.timeZone).toISOString() : null,
    updatedAt: now.toISOString(),
  };
}

/**
 * `resume`: a pending pause is called off (the subscription goes on as it was); a paused
 * subscription is due at once, for the engine to resume and bill from now. Anything else is a 409.
 */
export function withResume(subscription: StoredSubscription, now: Date): StoredSubscription {
  const at = now.toISOString();
  if (subscription.status === "paused") {
    return { ...subscription, resumesAt: at, nextBillingAt: at, updatedAt: at };
  }
  if (subscription.pauseAt && !terminalSubscriptionStatuses.includes(subscription.status)) {
    return { ...subscription, pauseAt: null, resumesAt: null, updatedAt: at };
  }
  throw new StateConflictError(
    `The subscription is ${subscription.status} and not set to pause: there is nothing to resume`,
  );
}

/** An item as a request gives it: a recurring product (its price copied), or an ad-hoc price. */
export interface NewSubscriptionItem {
  productId?: string;
  description?: string;
  unitAmount?: number;
  quantity: number;
}

/** A new subscription as a request gives it (`collectionMethod` defaulted before it gets here). */
export interface NewSubscription {
  customerId: string;
  items: NewSubscriptionItem[];
  /** Required only when no item is a product. */
  currency?: CurrencyCode;
  interval?: Interval;
  /** Default: today in the merchant's time zone, on the customer's clock. */
  startDate?: string;
  /** Default: the start date's day. */
  billingAnchorDay?: number;
  collectionMethod: CollectionMethod;
  defaultPaymentMethodId?: string;
  paymentTerms?: PaymentTermsCode;
  billingCycles?: number;
  discounts?: DiscountRequest[];
  taxRateIds?: string[];
  metadata?: Record<string, string>;
  /** A trial of so many days from the start date (1–730), or until a local date (`trialEnd`): one of them. */
  trialDays?: number;
  trialEnd?: string;
  trialSettings?: TrialSettings;
}

/**
 * An entry of a PATCH's full new item list: with an `id` it updates that item (a new product or
 * ad-hoc price, or quantity; what is not given is kept), without one it adds an item.
 */
export interface ItemChange extends Partial<NewSubscriptionItem> {
  id?: string;
}

/** How a change of items is billed (issue 12 §2). */
export type ProrationBehavior = "none" | "create_prorations" | "always_invoice";

/** `PATCH`: the items and terms (issue 12 §2), cancel at period end, and metadata (a key set to null is removed). */
export interface SubscriptionPatch {
  items?: ItemChange[];
  collectionMethod?: CollectionMethod;
  /** One of the customer's saved methods; null: the customer's default is charged. */
  defaultPaymentMethodId?: string | null;
  paymentTerms?: PaymentTermsCode;
  /** The full new list; a code already on the subscription is kept as it is, a new one redeemed now. */
  discounts?: DiscountRequest[];
  taxRateIds?: string[];
  cancelAtPeriodEnd?: boolean;
  metadata?: Record<string, string | null>;
  /** Default `create_prorations`; only item changes prorate. */
  prorationBehavior?: ProrationBehavior;
}

/** What the subscription list may be narrowed to; saved subscription views store one. */
export interface SubscriptionFilter {
  status?: SubscriptionStatus | undefined;
  customerId?: string | undefined;
  createdAfter?: string | undefined;
  createdBefore?: string | undefined;
}

/** What a new subscription is checked against, read before it is built. */
export interface CreationFacts {
  customer: Customer | undefined;
  /** The request's products that exist, by id. */
  products: ReadonlyMap<string, Product>;
  /** The request's tax rates that exist and are active, by id. */
  activeTaxRates: ReadonlySet<string>;
  /** The request's discount codes that exist, by code (upper case). */
  codes: ReadonlyMap<string, DiscountCode>;
  /** The customer a given `defaultPaymentMethodId` is saved on, if it is a saved method at all. */
  paymentMethodCustomerId: string | undefined;
  merchant: Pick<Merchant, "timeZone" | "defaultPaymentTerms">;
  /** Now on the customer's clock (a test clock's frozen time when it is bound to one). */
  now: Date;
  /**
   * A checkout's subscription: the card that pays its first charge is saved by that payment, so it
   * needs none saved now (issue 13 §3).
   */
  cardOnCompletion?: boolean;
}

/**
 * A request's discounts as the subscription keeps them: an amount or percentage applies to every
 * period (`forever`), a code by its own duration; each code's problem is a 400 naming it (collected
 * in `errors`). A code is redeemed once, by the caller, with the ids returned.
 */
export function resolveDiscounts(
  requests: readonly DiscountRequest[],
  codes: ReadonlyMap<string, DiscountCode>,
  currency: string | undefined,
  now: Date,
  errors: FieldError[],
  fromPeriod?: number,
): { discounts: SubscriptionDiscount[]; discountCodeIds: string[] } {
  const discountCodeIds: string[] = [];
  const from = fromPeriod ? { fromPeriod } : {};
  const discounts = requests.flatMap((discount, i): SubscriptionDiscount[] => {
    if (!("code" in discount)) return [{ ...discount, duration: "forever", ...from }];
    const code = codes.get(discount.code.toUpperCase());
    const problem = !code
      ? "is not one of your discount codes"
      : (unredeemableReason(code, now) ??
        (code.amountOff !== undefined && currency && code.currency !== currency
          ? `is for ${code.currency}, not ${currency}`
          : undefined));
    if (problem || !code) {
      errors.push({ path: `discounts.${i}.code`, message: problem ?? "is not valid" });
      return [];
    }
    discountCodeIds.push(code.id);
    const { percentOff, amountOff, duration, durationInPeriods } = termsOf(code);
    return [
      {
        ...(percentOff !== undefined ? { percentOff } : { amountOff: amountOff ?? 0 }),
        code: code.code,
        duration,
        ...(durationInPeriods !== undefined ? { durationInPeriods } : {}),
        ...from,
      },
    ];
  });
  return { discounts, discountCodeIds };
}

/** The subscription a request makes and the discount codes it redeems, or a 400 naming each field at fault. */
export function buildSubscription(
  input: NewSubscription,
  facts: CreationFacts,
): { subscription: StoredSubscription; discountCodeIds: string[] } {
  const errors: FieldError[] = [];
  const { customer, merchant, now } = facts;
  if (!customer) errors.push({ path: "customerId", message: "is not one of your customers" });

  let currency = input.currency;
  let interval = input.interval;
  input.items.forEach((item, i) => {
    const product = item.productId ? facts.products.get(item.productId) : undefined;
    if (item.productId === undefined) return;
    let problem: string | undefined;
    if (!product) problem = "is not one of your products";
    else if (!product.active) problem = "is archived";
    else if (!product.recurring) problem = "has a one-time price: a subscription needs a recurring product";
    else {
      currency ??= product.currency as CurrencyCode;
      interval ??= product.recurring.interval;
      if (product.currency !== currency) problem = `is priced in ${product.currency}, not ${currency}`;
      else if (product.recurring.interval !== interval)
        problem = `is billed every ${product.recurring.interval}, not every ${interval}`;
    }
    if (problem) errors.push({ path: `items.${i}.productId`, message: problem });
  });
  if (!currency) errors.push({ path: "currency", message: "is required when no item is a product" });
  if (!interval) errors.push({ path: "interval", message: "is required when no item is a product" });

  const today = localDate(now, merchant.timeZone);
  const startDate = input.startDate ?? today;
  if (startDate < today) {
    errors.push({
      path: "startDate",
      message: `must not lie in the past (today is ${today} in ${merchant.timeZone})`,
    });
  }

  if (input.defaultPaymentMethodId && customer && facts.paymentMethodCustomerId !== customer.id) {
    errors.push({
      path: "defaultPaymentMethodId",
      message: "must be one of the customer's saved payment methods",
    });
  }
  // A trial starts with the subscription: now, or at the first instant of a later start date.
  const trialEndDate = input.trialDays !== undefined ? addDays(startDate, input.trialDays) : input.trialEnd;
  if (input.trialEnd !== undefined && input.trialDays !== undefined) {
    errors.push({ path: "trialEnd", message: "must not be given with trialDays" });
  } else if (input.trialEnd !== undefined && input.trialEnd <= startDate) {
    errors.push({ path: "trialEnd", message: `must be after the start date (${startDate})` });
  }
  if (input.trialSettings && trialEndDate === undefined) {
    errors.push({ path: "trialSettings", message: "only applies with trialDays or trialEnd" });
  }
  // A trial that cancels without a card needs none now: it is asked for by the trial's end.
  const cardLater =
    facts.cardOnCompletion === true ||
    (trialEndDate !== undefined && input.trialSettings?.missingPaymentMethod === "cancel");
  if (
    input.collectionMethod === "charge_automatically" &&
    !cardLater &&
    !input.defaultPaymentMethodId &&
    customer &&
    !customer.defaultPaymentMethodId
  ) {
    errors.push({
      path: "defaultPaymentMethodId",
      message:
        "is required to charge automatically: the customer has no default payment method (save one, or use collectionMethod send_invoice)",
    });
  }
  if (input.paymentTerms && input.collectionMethod !== "send_invoice") {
    errors.push({ path: "paymentTerms", message: "only applies with collectionMethod send_invoice" });
  }

  const { discounts, discountCodeIds } = resolveDiscounts(
    input.discounts ?? [],
    facts.codes,
    currency,
    now,
    errors,
  );

  (input.taxRateIds ?? []).forEach((id, i) => {
    if (!facts.activeTaxRates.has(id))
      errors.push({ path: `taxRateIds.${i}`, message: "is not one of your active tax rates" });
  });
  if (errors.length || !customer || !currency || !interval) throw new ValidationError(errors);

  // With a trial the periods start at its end (its day the anchor unless one is given).
  const periodsStart = trialEndDate ?? startDate;
  const rule = {
    startDate: periodsStart,
    billingAnchorDay: input.billingAnchorDay ?? Number(periodsStart.slice(8)),
    interval,
    timeZone: merchant.timeZone,
  };
  const at = now.toISOString();
  const later = startDate > today;
  // A trial from a later day waits `scheduled` until its start (the engine starts it then), then its end bills.
  const trialStart = later ? startOfLocalDay(startDate, merchant.timeZone).toISOString() : at;
  const subscription: StoredSubscription = {
    id: newId("subscription", now),
    status: later ? "scheduled" : trialEndDate !== undefined ? "trialing" : "active",
    customerId: customer.id,
    currency,
    interval,
    items: input.items.map((item) => {
      const product = item.productId ? facts.products.get(item.productId) : undefined;
      return {
        id: newId("subscriptionItem", now),
        ...(product ? { productId: product.id } : {}),
        description: product?.name ?? item.description ?? "",
        unitAmount: product?.unitAmount ?? item.unitAmount ?? 0,
        quantity: item.quantity,
      };
    }),
    startDate,
    billingAnchorDay: rule.billingAnchorDay,
    currentPeriodStart: null,
    currentPeriodEnd: null,
    nextBillingAt: trialEndDate !== undefined && later ? trialStart : periodOf(rule, 0).start,
    billingCycles: input.billingCycles ?? null,
    cyclesBilled: 0,
    collectionMethod: input.collectionMethod,
    defaultPaymentMethodId: input.defaultPaymentMethodId ?? null,
    ...(input.collectionMethod === "send_invoice"
      ? { paymentTerms: input.paymentTerms ?? merchant.defaultPaymentTerms }
      : {}),
    cancelAtPeriodEnd: false,
    canceledAt: null,
    endedAt: null,
    latestInvoiceId: null,
    discounts,
    taxRateIds: input.taxRateIds ?? [],
    metadata: input.metadata ?? {},
    ...(customer.testClockId ? { testClockId: customer.testClockId } : {}),
    trialStart: trialEndDate !== undefined ? trialStart : null,
    trialEnd: trialEndDate !== undefined ? periodOf(rule, 0).start : null,
    ...(trialEndDate !== undefined && input.trialSettings ? { trialSettings: input.trialSettings } : {}),
    pauseAt: null,
    resumesAt: null,
    createdAt: at,
    updatedAt: at,
    timeZone: merchant.timeZone,
    nextPeriod: 0,
  };
  return { subscription, discountCodeIds };
}
