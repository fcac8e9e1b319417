/** The payment and refund lists: filters (status, customer, invoice, amount range, creation time) and saved views. */
import type * as z from "zod";
import type { paymentFilters } from "../api/payments.ts";
import { ValidationError } from "../domain/errors.ts";
import type { Position } from "../http/cursor.ts";
import { allOf, type Condition } from "../store/filters.ts";
import type { PaymentStore } from "../store/payments.ts";
import type { ViewStore } from "../store/views.ts";

type Filters = z.output<typeof paymentFilters>;

export async function listPayments(
  ports: { payments: PaymentStore; views: ViewStore },
  merchantId: string,
  query: Filters & { view?: string | undefined },
  page: { limit: number; after?: Position },
) {
  const { view: viewId, ...own } = query;
  let filters: Filters = own;
  if (viewId) {
    const view = await ports.views.get(merchantId, viewId);
    if (view?.object !== "payments")
      throw new ValidationError([{ path: "view", message: "is not one of your saved payment views" }]);
    filters = {
      ...(view.filters as Filters),
      ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)),
    };
  }
  const conditions: Condition[] = [];
  if (filters.status) conditions.push({ attribute: "status", equals: filters.status });
  if (filters.customerId) conditions.push({ attribute: "customerId", equals: filters.customerId });
  if (filters.invoiceId) conditions.push({ attribute: "invoiceId", equals: filters.invoiceId });
  if (filters.amountGte !== undefined)
    conditions.push({ attribute: "amount", compare: ">=", value: filters.amountGte });
  if (filters.amountLte !== undefined)
    conditions.push({ attribute: "amount", compare: "<=", value: filters.amountLte });
  const filter = allOf(conditions);
  return ports.payments.list(merchantId, {
    ...page,
    ...(filters.createdAfter ? { createdAfter: new Date(filters.createdAfter) } : {}),
    ...(filters.createdBefore ? { createdBefore: new Date(filters.createdBefore) } : {}),
    ...(filter ? { filter } : {}),
  });
}

export async function listRefunds(
  ports: { payments: PaymentStore },
  merchantId: string,
  query: {
    paymentId?: string | undefined;
    createdAfter?: string | undefined;
    createdBefore?: string | undefined;
  },
  page: { limit: number; after?: Position },
) {
  const filter = allOf(query.paymentId ? [{ attribute: "paymentId", equals: query.paymentId }] : []);
  return ports.payments.listRefunds(merchantId, {
    ...page,
    ...(query.createdAfter ? { createdAfter: new Date(query.createdAfter) } : {}),
    ...(query.createdBefore ? { createdBefore: new Date(query.createdBefore) } : {}),
    ...(filter ? { filter } : {}),
  });
}
