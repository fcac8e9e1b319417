/**
 * Paying an accepted quote on its page (`/q/{token}/pay`, issue 14 §2): the acceptance's first
 * invoice (installment 1, or the one-time amount) through the hosted pay form — the sandbox's card
 * form, or the invoice's processor Checkout — exactly as the invoice's own page pays it. When more
 * follows (later installments, recurring lines) the card is kept on the customer (`savesCard` on the
 * invoice; Checkout saves it for off-session use) and recorded on the quote (`paymentMethodId`): the
 * installments are charged on it.
 */
import { retryOnConflict, StateConflictError } from "../domain/errors.ts";
import { newEvent } from "../domain/events.ts";
import type { PayFormSubject } from "../hosted/pay-form.ts";
import { invoicePayable } from "../invoices/hosted.ts";
import type { InvoicePayPorts } from "../invoices/pay.ts";
import type { StoredInvoice } from "../invoices/ports.ts";
import { presentInvoice } from "../invoices/service.ts";
import { readerLocale } from "../i18n/locale.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { HostedQuotePorts } from "./hosted.ts";
import type { StoredQuote } from "./ports.ts";
import { presentQuote } from "./quote.ts";

/** An accepted quote that collects payment, of recurring lines only: nothing to pay now, a card to save. */
export const savesCardOnly = (quote: StoredQuote) =>
  quote.status === "accepted" &&
  quote.collectPayment &&
  !quote.invoiceId &&
  quote.upfrontTotal === 0 &&
  quote.recurringInterval !== undefined;

/**
 * A quote of recurring lines only on the pay form: nothing is charged today; "Save card and start"
 * saves the card (a declining one is refused, as Stripe's setup refuses it) for its subscription.
 * Saving a card alone through Stripe's Checkout (setup mode) is not supported yet: a 409.
 */
export function quoteCardSetup(
  quote: StoredQuote,
  merchant: Merchant,
  saveCard: (customerId: string, card: string) => Promise<void>,
): PayFormSubject {
  return {
    merchant,
    locale: readerLocale(merchant, quote.customer),
    kind: "quote",
    number: quote.number ?? quote.id,
    amountDue: 0,
    currency: quote.currency,
    payable: quote.paymentMethodId === undefined,
    savesCard: "subscriptionOnly",
    saveOnly: true,
    charge: (card) => saveCard(quote.customerId, card),
    checkout: async () => {
      throw new StateConflictError(
        "This quote has nothing to pay now, and saving a card alone through Stripe is not supported yet",
      );
    },
  };
}

/** The first invoice while the buyer can pay it on the quote's page: an accepted quote that collects payment. */
export async function payableFirstInvoice(
  ports: Pick<HostedQuotePorts, "invoices">,
  merchantId: string,
  quote: StoredQuote,
): Promise<StoredInvoice | undefined> {
  if (quote.status !== "accepted" || !quote.collectPayment || !quote.invoiceId) return undefined;
  return (await ports.invoices.read(merchantId, quote.invoiceId))?.value;
}

/** The quote's first invoice as the pay form takes it; a card it succeeds with is kept when more follows. */
export function quotePayable(
  invoice: StoredInvoice,
  merchant: Merchant,
  payments: InvoicePayPorts,
  keepCard: (customerId: string, card: string) => Promise<void>,
  now: Date,
): PayFormSubject {
  return invoicePayable(
    presentInvoice(invoice, now),
    merchant,
    payments,
    keepCard,
    invoice.savesCard ? "quote" : undefined,
  );
}

/**
 * Records on the quote the card its first payment saved, once (a later save changes nothing): the
 * payment method the installments are charged on.
 */
export async function recordQuoteCard(
  ports: Pick<HostedQuotePorts, "quotes" | "customerClock">,
  merchantId: string,
  quoteId: string,
  paymentMethodId: string,
): Promise<void> {
  await retryOnConflict(5, async () => {
    const found = await ports.quotes.read(merchantId, quoteId);
    if (!found || found.value.paymentMethodId) return;
    const now = (await ports.customerClock(merchantId, found.value.customerId)).now();
    const next: StoredQuote = { ...found.value, paymentMethodId, updatedAt: now.toISOString() };
    await ports.quotes.replace(
      merchantId,
      next,
      found.version,
      newEvent("quote.updated", merchantId, quoteId, now, { quote: presentQuote(next) }),
    );
  });
}
