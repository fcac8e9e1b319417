/**
 * The invoice list: filters (status incl. the derived `overdue`, customer, currency, due dates,
 * totals, creation time), an optional saved view whose filters the query's own override, and two
 * orders — newest first (the merchant partition) or earliest due first (finalized invoices).
 */
import type { Clock } from "../domain/clock.ts";
import type { Position } from "../http/cursor.ts";
import type { ViewStore } from "../views/ports.ts";
import { withSavedView } from "../views/apply.ts";
import type { InvoiceFilter, InvoiceSort } from "./invoice.ts";
import type { InvoiceStore } from "./ports.ts";
import { presentInvoice } from "./service.ts";

export interface InvoiceListPorts {
  invoices: InvoiceStore;
  views: Pick<ViewStore, "get">;
  clock: Clock;
}

export async function listInvoices(
  ports: InvoiceListPorts,
  merchantId: string,
  query: InvoiceFilter & { sort: InvoiceSort; view?: string | undefined },
  page: { limit: number; after?: Position },
) {
  const { sort, view, ...own } = query;
  const filter = await withSavedView(ports.views, merchantId, "invoices", view, own);
  const now = ports.clock.now();
  const result =
    sort === "dueDate"
      ? await ports.invoices.listByDueDate(merchantId, filter, page, now)
      : await ports.invoices.list(merchantId, filter, page, now);
  return { ...result, items: result.items.map((i) => presentInvoice(i, now)) };
}
