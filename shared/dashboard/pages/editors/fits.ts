/** Which drafts the invoice editor can show whole (the invoice page offers "Edit" only for those). */
import type { InvoiceLine } from "../../../invoices/invoice.ts";

/** The editor has no place for a subscription's period or proration lines: saving would drop them. */
export const fitsTheEditor = (invoice: {
  lineItems: readonly Pick<InvoiceLine, "period" | "proration">[];
}): boolean => !invoice.lineItems.some((line) => line.period || line.proration);
