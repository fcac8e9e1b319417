/** The buyer's side of an invoice: found by its hosted-page token, never by id. */
import type { Clock } from "../domain/clock.ts";
import { NotFoundError } from "../domain/errors.ts";
import type { InvoiceStore } from "../store/invoices.ts";
import type { MerchantStore } from "../store/merchants.ts";
import { presentInvoice } from "./service.ts";

export async function hostedInvoice(
  ports: { invoices: InvoiceStore; merchants: MerchantStore; clock: Clock },
  token: string,
) {
  const ref = await ports.invoices.findHosted(token);
  const [found, merchant] = ref
    ? await Promise.all([
        ports.invoices.read(ref.merchantId, ref.invoiceId),
        ports.merchants.readMerchant(ref.merchantId),
      ])
    : [];
  if (!found || !merchant) throw new NotFoundError("Invoice");
  return { invoice: presentInvoice(found.value, ports.clock.now()), merchant: merchant.value };
}
