/**
 * An invoice's PDF as an HTTP response (merchant API and hosted page alike). pdf-lib is loaded on
 * first use, so the other routes of those functions don't pay for it at cold start.
 */
import { pdfResponse } from "../documents/response.ts";
import type { HttpResponse } from "../http/api.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Invoice } from "./invoice.ts";

export async function invoicePdfResponse(invoice: Invoice, merchant: Merchant): Promise<HttpResponse> {
  const { renderInvoicePdf } = await import("./pdf.ts");
  return pdfResponse(await renderInvoicePdf(invoice, merchant), `${invoice.number ?? invoice.id}.pdf`);
}
