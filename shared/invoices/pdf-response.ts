/**
 * An invoice's PDF as an HTTP response (merchant API and hosted page alike). pdf-lib is loaded on
 * first use, so the other routes of those functions don't pay for it at cold start.
 */
import { HttpResponse } from "../http/api.ts";
import type { Merchant } from "../merchants/merchant.ts";
import type { Invoice } from "./invoice.ts";

export async function invoicePdfResponse(invoice: Invoice, merchant: Merchant): Promise<HttpResponse> {
  const { renderInvoicePdf } = await import("./pdf.ts");
  const pdf = await renderInvoicePdf(invoice, merchant);
  return new HttpResponse(
    200,
    undefined,
    {
      "content-type": "application/pdf",
      "content-disposition": `inline; filename="${invoice.number ?? invoice.id}.pdf"`,
      "cache-control": "no-store",
    },
    { body: Buffer.from(pdf).toString("base64"), isBase64Encoded: true },
  );
}
