/** The buyer's side of an invoice: found by its hosted-page token, never by id, and paid by its form. */
import type { Clock } from "../domain/clock.ts";
import { isPayable } from "../domain/invoice-lifecycle.ts";
import { byPageToken } from "../hosted/lookup.ts";
import type { PayFormSubject } from "../hosted/pay-form.ts";
import { readerLocale } from "../i18n/locale.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { InvoiceStore } from "./ports.ts";
import type { MerchantStore } from "../merchants/ports.ts";
import type { Invoice } from "./invoice.ts";
import { checkoutInvoice, type InvoicePayPorts, payInvoice } from "./pay.ts";
import { presentInvoice } from "./service.ts";

export async function hostedInvoice(
  ports: { invoices: InvoiceStore; merchants: MerchantStore; clock: Clock },
  token: string,
) {
  const { value, merchant } = await byPageToken(
    ports.merchants,
    {
      what: "Invoice",
      find: async (t) => {
        const ref = await ports.invoices.findHosted(t);
        return ref && { merchantId: ref.merchantId, id: ref.invoiceId };
      },
      read: async (merchantId, id) => (await ports.invoices.read(merchantId, id))?.value,
    },
    token,
  );
  return { invoice: presentInvoice(value, ports.clock.now()), merchant };
}

/**
 * The invoice as the pay form takes it: its amount due, paid by a card charge or through Checkout.
 * An invoice of a subscription keeps the buyer's card for the renewals (an accepted quote's for its
 * later installments): `keepCard` saves the card a charge succeeded with (Checkout saves it on its
 * own, see `checkout`).
 */
export function invoicePayable(
  invoice: Invoice,
  merchant: Merchant,
  payments: InvoicePayPorts,
  keepCard: (customerId: string, card: string) => Promise<void>,
  /** Set when paying keeps the card (a subscription's invoice; an accepted quote's when more follows). */
  savesCard: PayFormSubject["savesCard"] = invoice.subscriptionId !== undefined ? "subscription" : undefined,
): PayFormSubject {
  const keeps = savesCard !== undefined;
  return {
    merchant,
    locale: readerLocale(merchant, invoice.customer),
    kind: "invoice",
    number: invoice.number ?? invoice.id,
    amountDue: invoice.amountRemaining,
    currency: invoice.currency,
    payable: isPayable(invoice),
    ...(savesCard ? { savesCard } : {}),
    charge: async (card) => {
      const paid = await payInvoice(payments, merchant.id, invoice.id, card);
      if (keeps && paid.payment.status !== "failed") await keepCard(invoice.customerId, card);
      return paid;
    },
    checkout: (urls) => checkoutInvoice(payments, merchant.id, invoice.id, urls),
  };
}
