/**
 * What follows a quote's acceptance (issue 14 §2), as the billing queue's reaction to `quote.accepted`:
 * the acceptance's first invoice — installment 1 of its payment plan (the plan's frozen line,
 * "Installment 1 of n"), else the quote's one-time part (its lines as the money engine priced them
 * when the quote was published: the same totals as its `upfrontTotal`) — recorded on the quote
 * (`invoiceId`), created in one transaction on the quote's version: a redelivered event finds it
 * recorded and creates nothing, and only finishes what a crash left (finalize, send).
 *
 * With `collectPayment` the invoice waits for the buyer on the quote's page (`/q/{token}/pay`);
 * without it the invoice is sent with the merchant's default terms, and the plan's later installments
 * are planned at once, to be sent in their turn (installments.ts). A quote of recurring lines only
 * has no first invoice: its subscription is all it starts.
 */
import * as z from "zod";
import { retryOnConflict } from "../domain/errors.ts";
import { type FixedContent, fixedContentOf } from "../invoices/service.ts";
import { eventMessage } from "../outbox/message.ts";
import { type TimerRegistrations, work } from "../timers/registry.ts";
import { redeemQuoteDiscounts, startQuoteSubscription } from "./acceptance-effects.ts";
import {
  acceptedProgress,
  collectQuoteInvoice,
  collectionOf,
  createQuoteInvoice,
  installmentContent,
  planInstallments,
  type QuoteBillingPorts,
} from "./installments.ts";
import type { StoredQuote } from "./ports.ts";
import { quoteAmounts } from "./pricing.ts";
import { lazy } from "../lazy.ts";

/**
 * The quote's one-time part as an invoice's content, as priced at publish (never re-priced): the
 * whole quote when it has no recurring lines; else its one-time lines and its fees, with the totals
 * of that part (`quoteAmounts`: each line already carries its share of the document's discounts and
 * its own taxes, so the discounts and the tax breakdown are not listed again).
 */
function upfrontContent(quote: StoredQuote): FixedContent | undefined {
  const whole = fixedContentOf(quote);
  const recurring = quote.recurringLines;
  if (!recurring.some(Boolean)) return whole;
  if (quote.upfrontTotal === 0) return undefined;
  const amounts = quoteAmounts(quote, recurring);
  const lineItems = quote.lineItems.filter((_, i) => !recurring[i]);
  const sum = (pick: (line: (typeof lineItems)[number]) => number) =>
    lineItems.reduce((total, line) => total + pick(line), 0);
  return {
    ...whole,
    content: {
      ...whole.content,
      lineItems,
      discounts: [],
      subtotal: sum((l) => l.amountSubtotal),
      discountTotal: sum((l) => l.amountDiscount),
      taxTotal: amounts.upfrontTax,
      taxBreakdown: [],
      total: amounts.upfrontTotal,
    },
  };
}

/**
 * Bills an accepted quote's acceptance: its first invoice once, collected as the quote says; the
 * plan's later installments at once when no payment is collected on the page.
 */
export async function billAcceptedQuote(
  ports: QuoteBillingPorts,
  merchantId: string,
  quoteId: string,
): Promise<void> {
  const billed = await retryOnConflict(5, async () => {
    const found = await ports.quotes.read(merchantId, quoteId);
    const quote = found?.value;
    if (!found || quote?.status !== "accepted") return undefined;
    if (quote.invoiceId) return { quote, invoiceId: quote.invoiceId };
    const n = quote.paymentPlan?.installments.length ?? 0;
    const fixed = n > 0 ? installmentContent(quote, 1) : upfrontContent(quote);
    if (!fixed) return { quote };
    const timeZone = (await ports.invoices.merchants.readMerchant(merchantId))?.value.timeZone ?? "UTC";
    let claimed = quote;
    const created = await createQuoteInvoice(
      ports,
      merchantId,
      found,
      { fixed, ...(n > 0 ? { installment: { number: 1, of: n } } : {}), collection: collectionOf(quote, 1) },
      (invoiceId, at) => {
        claimed = {
          ...quote,
          invoiceId,
          ...(n > 0 ? { planProgress: acceptedProgress(quote, invoiceId, timeZone) } : {}),
          updatedAt: at.toISOString(),
        };
        return claimed;
      },
    );
    return { quote: claimed, invoiceId: created.id };
  });
  if (!billed) return;
  // Its codes count as redeemed at acceptance, whether or not anything is paid yet.
  await redeemQuoteDiscounts(ports.effects, merchantId, quoteId);
  if (billed.invoiceId) await collectQuoteInvoice(ports, merchantId, quoteId, billed.invoiceId);
  if (!billed.quote.collectPayment) {
    await planInstallments(ports, merchantId, billed.quote);
    // Nothing is collected on the page, so no card: its subscription sends its invoices.
    await startQuoteSubscription(ports.effects, merchantId, quoteId);
  }
}

const quoteAcceptedEvent = lazy(() =>
  eventMessage().extend({
    data: z.object({ quote: z.object({ id: z.string() }) }),
  }),
);

export function quoteAcceptance(ports: { quoteBilling: () => QuoteBillingPorts }): TimerRegistrations {
  return {
    events: {
      "quote.accepted": work(quoteAcceptedEvent, (event) =>
        billAcceptedQuote(ports.quoteBilling(), event.merchantId, event.data.quote.id),
      ),
    },
  };
}
