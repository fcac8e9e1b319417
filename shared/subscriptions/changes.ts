/**
 * Changes of a running subscription (issue 12 §2), pure: the `PATCH` body checked against what the
 * subscription and the catalog hold, the subscription's next state, and the proration lines a change
 * of items bills.
 *
 * Prorations. A change of items at instant t within the period billed last, [S, E), credits the
 * unused part of each old item that changes or goes and charges the remaining part of each new or
 * changed one, each `quantity × unitAmount × seconds in [t, E) ÷ seconds in the full anchor period
 * ending at E` (`prorateToEnd`: the same denominator as a short first period), rounded once per line.
 * A credit never exceeds what the item billed for the period (its period line, or its charge when a
 * change earlier in the period added it). Only items prorate; the other terms apply from the next
 * invoice. The lines are billed with the next period's invoice (`create_prorations`) or invoiced at
 * once (`always_invoice`); `none` — and any change while no period is running (scheduled, trialing,
 * paused) — applies the new items from the next period without a line.
 */
import type { Customer } from "../customers/customer.ts";
import type { DiscountCode } from "../discount-codes/discount-code.ts";
import { localDate } from "../domain/calendar.ts";
import { type FieldError, StateConflictError, ValidationError } from "../domain/errors.ts";
import { newId } from "../domain/ids.ts";
import type { InvoiceStatus } from "../domain/invoice-lifecycle.ts";
import { mergeMetadata } from "../domain/patch.ts";
import type { PricedLineRequest } from "../invoices/build.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Product } from "../products/product.ts";
import { periodRule } from "./period-invoice.ts";
import { prorateToEnd } from "./periods.ts";
import {
  resolveDiscounts,
  type StoredSubscription,
  type StoredSubscriptionItem,
  type SubscriptionDiscount,
  type SubscriptionPatch,
  terminalSubscriptionStatuses,
  withCancelAtPeriodEnd,
} from "./subscription.ts";

/** What a change is checked against, read before it is planned. */
export interface ChangeFacts {
  customer: Pick<Customer, "id" | "defaultPaymentMethodId"> | undefined;
  /** The PATCH's products that exist, by id. */
  products: ReadonlyMap<string, Product>;
  /** The PATCH's tax rates that exist and are active. */
  activeTaxRates: ReadonlySet<string>;
  /** The PATCH's discount codes that exist, by code (upper case). */
  codes: ReadonlyMap<string, DiscountCode>;
  /** The customer a given `defaultPaymentMethodId` is saved on, if it is a saved method at all. */
  paymentMethodCustomerId: string | undefined;
  merchant: Pick<Merchant, "defaultPaymentTerms">;
  /** The status of the invoice of the period billed last (`latestInvoiceId`), if any. */
  latestInvoiceStatus: InvoiceStatus | undefined;
  /** Now on the subscription's clock. */
  now: Date;
  /** The instant to prorate at (a preview's `prorationDate`); default `now`. */
  prorationDate?: Date;
}

export interface PlannedChange {
  next: StoredSubscription;
  /** The proration lines of this change (none unless items changed within a running period). */
  prorations: PricedLineRequest[];
  /** `always_invoice` with lines to bill: invoiced (and charged) now, with any pending lines. */
  invoiceNow: boolean;
  /** Discount codes new to the subscription, redeemed with the change. */
  discountCodeIds: string[];
}

type Item = StoredSubscriptionItem;

const sameTerms = (a: Item, b: Item) =>
  a.productId === b.productId &&
  a.unitAmount === b.unitAmount &&
  a.quantity === b.quantity &&
  a.description === b.description;

/** The running period at `at`: the one billed last, if `at` lies within it and the subscription runs in it. */
function runningPeriod(subscription: StoredSubscription, at: Date) {
  const { currentPeriodStart: start, currentPeriodEnd: end, status } = subscription;
  if (!start || !end || (status !== "active" && status !== "past_due")) return undefined;
  const t = at.getTime();
  return Date.parse(start) <= t && t < Date.parse(end) ? { start, end } : undefined;
}

/** The new item list, or the errors naming each entry at fault. */
function changedItems(
  subscription: StoredSubscription,
  patch: NonNullable<SubscriptionPatch["items"]>,
  facts: ChangeFacts,
  errors: FieldError[],
): Item[] {
  const seen = new Set<string>();
  return patch.flatMap((entry, i): Item[] => {
    const path = (field: string) => `items.${i}.${field}`;
    const current = entry.id ? subscription.items.find((item) => item.id === entry.id) : undefined;
    if (entry.id !== undefined) {
      if (!current) {
        errors.push({ path: path("id"), message: "is not an item of this subscription" });
        return [];
      }
      if (seen.has(entry.id)) {
        errors.push({ path: path("id"), message: "is listed twice" });
        return [];
      }
      seen.add(entry.id);
    }
    let priced: Pick<Item, "productId" | "description" | "unitAmount"> | undefined;
    if (entry.productId !== undefined) {
      const product = facts.products.get(entry.productId);
      let problem: string | undefined;
      if (!product) problem = "is not one of your products";
      else if (!product.active) problem = "is archived";
      else if (!product.recurring) problem = "has a one-time price: a subscription needs a recurring product";
      else if (product.currency !== subscription.currency)
        problem = `is priced in ${product.currency}, not ${subscription.currency} (to change the currency, cancel and create a new subscription)`;
      else if (product.recurring.interval !== subscription.interval)
        problem = `is billed every ${product.recurring.interval}, not every ${subscription.interval} (to change the interval, cancel and create a new subscription)`;
      if (problem || !product) {
        errors.push({ path: path("productId"), message: problem ?? "is not valid" });
        return [];
      }
      priced = { productId: product.id, description: product.name, unitAmount: product.unitAmount };
    } else if (entry.unitAmount !== undefined) {
      // An ad-hoc price: the item is no longer the product's.
      const description = entry.description ?? current?.description;
      if (!description) {
        errors.push({ path: path("description"), message: "is required for a new ad-hoc price" });
        return [];
      }
      priced = { description, unitAmount: entry.unitAmount };
    } else if (!current) {
      errors.push({
        path: path("productId"),
        message: "is required for a new item (or description and unitAmount)",
      });
      return [];
    }
    const base: Item = current ?? {
      id: newId("subscriptionItem", facts.now),
      description: "",
      unitAmount: 0,
      quantity: 1,
    };
    let item: Item = { ...base, quantity: entry.quantity ?? base.quantity };
    if (priced) {
      // A product's price, or an ad-hoc one (the item is then no longer the product's).
      const { productId: _, ...unpriced } = item;
      item = { ...unpriced, ...priced };
    } else if (entry.description !== undefined) item = { ...item, description: entry.description };
    return [item];
  });
}

/** Discounts as a change leaves them: those the list keeps stay as they are, new ones from the next period. */
function changedDiscounts(
  subscription: StoredSubscription,
  patch: NonNullable<SubscriptionPatch["discounts"]>,
  facts: ChangeFacts,
  errors: FieldError[],
): { discounts: SubscriptionDiscount[]; discountCodeIds: string[] } {
  const kept = (request: (typeof patch)[number]) =>
    subscription.discounts.find((d) =>
      "code" in request
        ? d.code?.toUpperCase() === request.code.toUpperCase()
        : !d.code &&
          d.duration === "forever" &&
          ("percentOff" in request ? d.percentOff === request.percentOff : d.amountOff === request.amountOff),
    );
  const discountCodeIds: string[] = [];
  const discounts = patch.flatMap((request, i): SubscriptionDiscount[] => {
    const keep = kept(request);
    if (keep) return [keep];
    const problems: FieldError[] = [];
    const resolved = resolveDiscounts(
      [request],
      facts.codes,
      subscription.currency,
      facts.now,
      problems,
      subscription.nextPeriod,
    );
    // Named by the entry's place in the request.
    errors.push(...problems.map((p) => ({ ...p, path: p.path.replace(/^discounts\.0/, `discounts.${i}`) })));
    discountCodeIds.push(...resolved.discountCodeIds);
    return resolved.discounts;
  });
  return { discounts, discountCodeIds };
}

const times = (item: Item) => (item.quantity === 1 ? "" : ` × ${item.quantity}`);

/**
 * Plans a change: the next state, its proration lines and whether they are invoiced now; a 400
 * naming each field at fault, a 409 for a subscription that no longer runs or whose running period's
 * invoice is unpaid when the change would prorate.
 */
export function planChange(
  subscription: StoredSubscription,
  patch: SubscriptionPatch,
  facts: ChangeFacts,
): PlannedChange {
  // A subscription that stopped keeps only its metadata editable (as a record of the customer's).
  const onlyMetadata = Object.entries(patch).every(([key, v]) => key === "metadata" || v === undefined);
  if (terminalSubscriptionStatuses.includes(subscription.status) && !onlyMetadata) {
    throw new StateConflictError(`The subscription is ${subscription.status}: it can no longer be changed`);
  }
  const errors: FieldError[] = [];
  const items = patch.items ? changedItems(subscription, patch.items, facts, errors) : subscription.items;
  const { discounts, discountCodeIds } = patch.discounts
    ? changedDiscounts(subscription, patch.discounts, facts, errors)
    : { discounts: subscription.discounts, discountCodeIds: [] };
  (patch.taxRateIds ?? []).forEach((id, i) => {
    if (!facts.activeTaxRates.has(id))
      errors.push({ path: `taxRateIds.${i}`, message: "is not one of your active tax rates" });
  });

  const collectionMethod = patch.collectionMethod ?? subscription.collectionMethod;
  const defaultPaymentMethodId =
    patch.defaultPaymentMethodId !== undefined
      ? patch.defaultPaymentMethodId
      : subscription.defaultPaymentMethodId;
  if (patch.defaultPaymentMethodId && facts.paymentMethodCustomerId !== subscription.customerId) {
    errors.push({
      path: "defaultPaymentMethodId",
      message: "must be one of the customer's saved payment methods",
    });
  } else if (
    collectionMethod === "charge_automatically" &&
    !defaultPaymentMethodId &&
    !facts.customer?.defaultPaymentMethodId &&
    (patch.collectionMethod !== undefined || patch.defaultPaymentMethodId !== undefined)
  ) {
    errors.push({
      path: "defaultPaymentMethodId",
      message:
        "is required to charge automatically: the customer has no default payment method (save one, or use collectionMethod send_invoice)",
    });
  }
  if (patch.paymentTerms && collectionMethod !== "send_invoice") {
    errors.push({ path: "paymentTerms", message: "only applies with collectionMethod send_invoice" });
  }
  if (errors.length) throw new ValidationError(errors);

  const behavior = patch.prorationBehavior ?? "create_prorations";
  const at = facts.prorationDate ?? facts.now;
  const running = runningPeriod(subscription, at);
  const itemsChanged =
    items.length !== subscription.items.length ||
    items.some((item) => {
      const before = subscription.items.find((o) => o.id === item.id);
      return !before || !sameTerms(before, item);
    });
  const prorates = itemsChanged && behavior !== "none" && running !== undefined;
  if (prorates && (facts.latestInvoiceStatus === "open" || facts.latestInvoiceStatus === "draft")) {
    throw new StateConflictError(
      "The current period's invoice is not paid yet: a prorated change would credit money never collected (pay it first, or change with prorationBehavior none)",
    );
  }

  const prorations: PricedLineRequest[] = [];
  let nextItems: Item[] = items;
  if (running && itemsChanged) {
    const rule = periodRule(subscription);
    const endDate = localDate(new Date(running.end), subscription.timeZone);
    const share = (item: Item, from: string) => prorateToEnd(rule, endDate, from, item).amount;
    // What the item billed for the running period: its charge there, else its period line.
    const billedOf = (item: Item) =>
      item.billed?.periodStart === running.start ? item.billed.amount : share(item, running.start);
    const words = `from ${localDate(at, subscription.timeZone)} to ${endDate}`;
    const line = (item: Item, amount: number, what: string, taxRateIds: string[]): PricedLineRequest => ({
      description: `${what} ${item.description}${times(item)} (${words})`,
      quantity: 1,
      unitAmount: amount,
      ...(item.productId ? { productId: item.productId } : {}),
      taxRateIds,
      period: { start: at.toISOString(), end: running.end },
      proration: true,
    });
    const taxRateIds = patch.taxRateIds ?? subscription.taxRateIds;
    nextItems = items.map((item) => {
      const before = subscription.items.find((o) => o.id === item.id);
      if (before && sameTerms(before, item)) return item;
      if (!prorates) {
        // Not prorated: the running period keeps what it billed, so a later credit stays within it.
        return { ...item, billed: { periodStart: running.start, amount: before ? billedOf(before) : 0 } };
      }
      const charge = share(item, at.toISOString());
      if (charge > 0) prorations.push(line(item, charge, "Remaining time on", taxRateIds));
      return { ...item, billed: { periodStart: running.start, amount: charge } };
    });
    if (prorates) {
      const credits = subscription.items.flatMap((before) => {
        const after = items.find((item) => item.id === before.id);
        if (after && sameTerms(before, after)) return [];
        const credit = Math.min(share(before, at.toISOString()), billedOf(before));
        return credit > 0 ? [line(before, -credit, "Unused time on", subscription.taxRateIds)] : [];
      });
      prorations.unshift(...credits);
    }
  }

  const invoiceNow = behavior === "always_invoice" && prorations.length > 0;
  const course =
    patch.cancelAtPeriodEnd === undefined
      ? subscription
      : withCancelAtPeriodEnd(subscription, patch.cancelAtPeriodEnd, facts.now);
  const pendingLines = invoiceNow ? [] : [...(subscription.pendingLines ?? []), ...prorations];
  const { paymentTerms: _, pendingLines: __, ...rest } = course;
  const paymentTerms =
    collectionMethod === "send_invoice"
      ? (patch.paymentTerms ?? subscription.paymentTerms ?? facts.merchant.defaultPaymentTerms)
      : undefined;
  const next: StoredSubscription = {
    ...rest,
    items: nextItems,
    discounts,
    taxRateIds: patch.taxRateIds ?? subscription.taxRateIds,
    collectionMethod,
    defaultPaymentMethodId,
    ...(paymentTerms ? { paymentTerms } : {}),
    ...(pendingLines.length ? { pendingLines } : {}),
    metadata: mergeMetadata(subscription.metadata, patch.metadata),
    updatedAt: facts.now.toISOString(),
  };
  return { next, prorations, invoiceNow, discountCodeIds };
}
