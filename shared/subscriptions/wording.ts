/**
 * How every buyer-facing surface (the portal and renew pages, checkout, the subscription mails)
 * words a subscription: its items and what it costs each period, in the reader's language. Priced as
 * its invoices price lines (before discounts and taxes).
 */
import { computeTotals } from "../domain/totals.ts";
import type { Translator } from "../i18n/translator.ts";
import type { Interval } from "../products/product.ts";
import type { Subscription, SubscriptionItem } from "./subscription.ts";

/** An amount every period: "€44.98 per month" / "44,98 € per måned". */
export const perInterval = (tr: Translator, amount: number, currency: string, interval: Interval): string =>
  tr.t("common.perInterval", { amount: tr.money(amount, currency), interval });

/** Each item's amount per period and their sum. */
export function periodAmounts(subscription: Pick<Subscription, "currency" | "items">) {
  const totals = computeTotals({
    currency: subscription.currency,
    lines: subscription.items.map(({ quantity, unitAmount }) => ({ quantity, unitAmount })),
  });
  return { lines: totals.lines.map((line) => line.amountSubtotal), subtotal: totals.subtotal };
}

/** The sum of its items per period: "€44.98 per month". */
export const amountPerPeriod = (
  subscription: Pick<Subscription, "currency" | "items" | "interval">,
  tr: Translator,
): string =>
  perInterval(tr, periodAmounts(subscription).subtotal, subscription.currency, subscription.interval);

/** "Pro plan × 2", or just "Support" for one, with the reader's number format. */
export const itemLabel = (
  tr: Translator,
  item: Pick<SubscriptionItem, "description" | "quantity">,
): string =>
  item.quantity === 1
    ? item.description
    : tr.t("common.itemTimes", { item: item.description, quantity: tr.quantity(item.quantity) });

/** "Pro plan × 2, Support". */
export const subscriptionItems = (tr: Translator, subscription: Pick<Subscription, "items">): string =>
  subscription.items.map((item) => itemLabel(tr, item)).join(", ");
