/** A list's saved view: its filters, with the query's own given filters taking precedence. */
import { ValidationError } from "../domain/errors.ts";
import type { ViewObject, ViewStore } from "./ports.ts";

const noun: Record<ViewObject, string> = {
  customers: "customer",
  invoices: "invoice",
  payments: "payment",
  subscriptions: "subscription",
  quotes: "quote",
  payment_links: "payment link",
  checkout_sessions: "checkout session",
  refunds: "refund",
  payouts: "payout",
  tasks: "task",
};

/**
 * The filters a list of `object` runs with: `own` alone without a view; with one, the view's
 * filters overridden by each filter `own` gives. A view of another list, or another merchant's, is
 * a 400 on `view`.
 */
export async function withSavedView<F extends object>(
  views: Pick<ViewStore, "get">,
  merchantId: string,
  object: ViewObject,
  viewId: string | undefined,
  own: F,
): Promise<F> {
  if (!viewId) return own;
  const view = await views.get(merchantId, viewId);
  if (view?.object !== object)
    throw new ValidationError([{ path: "view", message: `is not one of your saved ${noun[object]} views` }]);
  return {
    ...(view.filters as F),
    ...Object.fromEntries(Object.entries(own).filter(([, v]) => v !== undefined)),
  };
}
