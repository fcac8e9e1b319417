/** The payment and refund lists: filters (status, customer, invoice, amount range, creation time) and saved views. */
import type { Position } from "../http/cursor.ts";
import type { PaymentPorts } from "./ports.ts";
import { withSavedView } from "../views/apply.ts";
import type { ViewStore } from "../views/ports.ts";
import type { PaymentFilter, RefundFilter } from "./filters.ts";

export async function listPayments(
  ports: { payments: PaymentPorts["payments"]; views: Pick<ViewStore, "get"> },
  merchantId: string,
  query: PaymentFilter & { view?: string | undefined },
  page: { limit: number; after?: Position },
) {
  const { view, ...own } = query;
  const filter = await withSavedView(ports.views, merchantId, "payments", view, own);
  return ports.payments.list(merchantId, filter, page);
}

export async function listRefunds(
  ports: { payments: PaymentPorts["payments"]; views: Pick<ViewStore, "get"> },
  merchantId: string,
  query: RefundFilter & { view?: string | undefined },
  page: { limit: number; after?: Position },
) {
  const { view, ...own } = query;
  const filter = await withSavedView(ports.views, merchantId, "refunds", view, own);
  return ports.payments.listRefunds(merchantId, filter, page);
}
