/** The buyer's invoice page and PDF, at the invoice's unguessable hosted URL. */
import * as ops from "../../shared/api/invoices.ts";
import { apiHandler, HttpResponse, route } from "../../shared/http/api.ts";
import { hostedInvoice } from "../../shared/invoices/hosted.ts";
import { renderHostedInvoicePage } from "../../shared/invoices/hosted-page.ts";
import { renderInvoicePdf } from "../../shared/invoices/pdf.ts";
import { dynamoInvoiceStore as invoices } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore as merchants } from "../../shared/store/merchants.ts";

export const handler = apiHandler([
  route(ops.hostedInvoicePage, async ({ clock, params }) => {
    const { invoice, merchant } = await hostedInvoice({ invoices, merchants, clock }, params.token);
    const page = renderHostedInvoicePage(invoice, merchant, { pdfUrl: `${params.token}/pdf` }, clock.now());
    return new HttpResponse(200, undefined, page.headers, { body: page.html });
  }),
  route(ops.hostedInvoicePdf, async ({ clock, params }) => {
    const { invoice, merchant } = await hostedInvoice({ invoices, merchants, clock }, params.token);
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
  }),
]);
