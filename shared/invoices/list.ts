/**
 * The invoice list: filters (status incl. the derived `overdue`, customer, currency, due dates,
 * totals, creation time), an optional saved view whose filters the query's own override, and two
 * orders — newest first (the merchant partition) or earliest due first (GSI1, finalized invoices).
 */
import type * as z from "zod";
import type { invoiceFilters } from "../api/invoices.ts";
import type { Clock } from "../domain/clock.ts";
import { ValidationError } from "../domain/errors.ts";
import type { Position } from "../http/cursor.ts";
import { allOf, type Condition } from "../store/filters.ts";
import type { InvoiceStore } from "./ports.ts";
import type { ViewStore } from "../store/views.ts";
import { presentInvoice } from "./service.ts";

type Filters = z.output<typeof invoiceFilters>;

export interface InvoiceListPorts {
  invoices: InvoiceStore;
  views: ViewStore;
  clock: Clock;
}

export async function listInvoices(
  ports: InvoiceListPorts,
  merchantId: string,
  query: Filters & { sort: "createdAt" | "dueDate"; view?: string | undefined },
  page: { limit: number; after?: Position },
) {
  const { sort, view: viewId, ...own } = query;
  let filters: Filters = own;
  if (viewId) {
    const view = await ports.views.get(merchantId, viewId);
    if (view?.object !== "invoices")
      throw new ValidationError([{ path: "view", message: "is not one of your saved invoice views" }]);
    filters = {
      ...(view.filters as Filters),
      ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)),
    };
  }
  const now = ports.clock.now();
  const conditions: Condition[] = [];
  if (filters.status === "overdue") {
    conditions.push(
      { attribute: "status", equals: "open" },
      { attribute: "overdueAt", compare: "<=", value: now.toISOString() },
    );
  } else if (filters.status) conditions.push({ attribute: "status", equals: filters.status });
  if (filters.customerId) conditions.push({ attribute: "customerId", equals: filters.customerId });
  if (filters.currency) conditions.push({ attribute: "currency", equals: filters.currency });
  if (filters.dueBefore) conditions.push({ attribute: "dueDate", compare: "<", value: filters.dueBefore });
  if (filters.dueAfter) conditions.push({ attribute: "dueDate", compare: ">", value: filters.dueAfter });
  if (filters.totalGte !== undefined)
    conditions.push({ attribute: "total", compare: ">=", value: filters.totalGte });
  if (filters.totalLte !== undefined)
    conditions.push({ attribute: "total", compare: "<=", value: filters.totalLte });
  const createdAfter = filters.createdAfter ? new Date(filters.createdAfter) : undefined;
  const createdBefore = filters.createdBefore ? new Date(filters.createdBefore) : undefined;
  let result: Awaited<ReturnType<InvoiceStore["list"]>>;
  if (sort === "dueDate") {
    // The due-date index has no creation-time key: the range becomes part of the filter.
    if (createdAfter)
      conditions.push({ attribute: "createdAt", compare: ">=", value: createdAfter.toISOString() });
    if (createdBefore)
      conditions.push({ attribute: "createdAt", compare: "<", value: createdBefore.toISOString() });
    const filter = allOf(conditions);
    result = await ports.invoices.listByDueDate(merchantId, { ...page, ...(filter ? { filter } : {}) });
  } else {
    const filter = allOf(conditions);
    result = await ports.invoices.list(merchantId, {
      ...page,
      ...(createdAfter ? { createdAfter } : {}),
      ...(createdBefore ? { createdBefore } : {}),
      ...(filter ? { filter } : {}),
    });
  }
  return { ...result, items: result.items.map((i) => presentInvoice(i, now)) };
}
