/**
 * The capabilities' typed list filters as the table sees them: creation-time windows (a key range
 * on the ULID sort keys) and FilterExpression conditions. Only the store knows attribute names.
 */
import type { InvoiceFilter } from "../invoices/invoice.ts";
import type { PaymentFilter, RefundFilter } from "../payments/filters.ts";
import type { QuoteFilter } from "../quotes/quote.ts";
import type { PayoutFilter } from "../payouts/payout.ts";
import type { SubscriptionFilter } from "../subscriptions/subscription.ts";
import type { ListQuery } from "./collection.ts";
import { allOf, type Condition } from "./filters.ts";

type Page = Pick<ListQuery, "limit" | "after">;

/** The query a collection list runs: the page, the filter's creation window as a key range, its conditions. */
function collectionQuery(
  page: Page,
  filter: { createdAfter?: string | undefined; createdBefore?: string | undefined },
  conditions: Condition[],
): ListQuery {
  const expression = allOf(conditions);
  return {
    ...page,
    ...(filter.createdAfter ? { createdAfter: new Date(filter.createdAfter) } : {}),
    ...(filter.createdBefore ? { createdBefore: new Date(filter.createdBefore) } : {}),
    ...(expression ? { filter: expression } : {}),
  };
}

function invoiceConditions(filter: InvoiceFilter, now: Date): Condition[] {
  const conditions: Condition[] = [];
  if (filter.status === "overdue") {
    conditions.push(
      { attribute: "status", equals: "open" },
      { attribute: "overdueAt", compare: "<=", value: now.toISOString() },
    );
  } else if (filter.status) conditions.push({ attribute: "status", equals: filter.status });
  if (filter.number) conditions.push({ attribute: "number", equals: filter.number });
  if (filter.customerId) conditions.push({ attribute: "customerId", equals: filter.customerId });
  if (filter.subscriptionId) conditions.push({ attribute: "subscriptionId", equals: filter.subscriptionId });
  if (filter.currency) conditions.push({ attribute: "currency", equals: filter.currency });
  if (filter.dueBefore) conditions.push({ attribute: "dueDate", compare: "<", value: filter.dueBefore });
  if (filter.dueAfter) conditions.push({ attribute: "dueDate", compare: ">", value: filter.dueAfter });
  if (filter.totalGte !== undefined)
    conditions.push({ attribute: "total", compare: ">=", value: filter.totalGte });
  if (filter.totalLte !== undefined)
    conditions.push({ attribute: "total", compare: "<=", value: filter.totalLte });
  return conditions;
}

/** Invoices newest first: the creation window is the key range. */
export const invoiceQuery = (filter: InvoiceFilter, page: Page, now: Date): ListQuery =>
  collectionQuery(page, filter, invoiceConditions(filter, now));

/** Invoices by due date: that index has no creation-time key, so the window becomes part of the filter. */
export function invoiceByDueQuery(
  filter: InvoiceFilter,
  page: Page,
  now: Date,
): Page & Pick<ListQuery, "filter"> {
  const conditions = invoiceConditions(filter, now);
  if (filter.createdAfter)
    conditions.push({
      attribute: "createdAt",
      compare: ">=",
      value: new Date(filter.createdAfter).toISOString(),
    });
  if (filter.createdBefore)
    conditions.push({
      attribute: "createdAt",
      compare: "<",
      value: new Date(filter.createdBefore).toISOString(),
    });
  const expression = allOf(conditions);
  return { ...page, ...(expression ? { filter: expression } : {}) };
}

export function paymentQuery(filter: PaymentFilter, page: Page): ListQuery {
  const conditions: Condition[] = [];
  if (filter.status) conditions.push({ attribute: "status", equals: filter.status });
  if (filter.customerId) conditions.push({ attribute: "customerId", equals: filter.customerId });
  if (filter.invoiceId) conditions.push({ attribute: "invoiceId", equals: filter.invoiceId });
  if (filter.amountGte !== undefined)
    conditions.push({ attribute: "amount", compare: ">=", value: filter.amountGte });
  if (filter.amountLte !== undefined)
    conditions.push({ attribute: "amount", compare: "<=", value: filter.amountLte });
  return collectionQuery(page, filter, conditions);
}

export const refundQuery = (filter: RefundFilter, page: Page): ListQuery =>
  collectionQuery(
    page,
    filter,
    filter.paymentId ? [{ attribute: "paymentId", equals: filter.paymentId }] : [],
  );

export const payoutQuery = (filter: PayoutFilter, page: Page): ListQuery =>
  collectionQuery(page, filter, [
    ...(filter.currency ? [{ attribute: "currency", equals: filter.currency }] : []),
    ...(filter.status ? [{ attribute: "status", equals: filter.status }] : []),
  ]);

export const subscriptionQuery = (filter: SubscriptionFilter, page: Page): ListQuery =>
  collectionQuery(page, filter, [
    ...(filter.status ? [{ attribute: "status", equals: filter.status }] : []),
    ...(filter.customerId ? [{ attribute: "customerId", equals: filter.customerId }] : []),
  ]);

export const quoteQuery = (filter: QuoteFilter, page: Page): ListQuery =>
  collectionQuery(page, filter, [
    ...(filter.status ? [{ attribute: "status", equals: filter.status }] : []),
    ...(filter.number ? [{ attribute: "number", equals: filter.number }] : []),
    ...(filter.customerId ? [{ attribute: "customerId", equals: filter.customerId }] : []),
  ]);
