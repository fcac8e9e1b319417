/** The buyer's quote: its page, its PDF (and the signed one once accepted), signing (or accepting), declining, countersigning, and paying it once accepted. */
import * as ops from "../../shared/api/hosted-quotes.ts";
import { hostedQuotePorts as ports, paymentPorts, quotePayForm } from "../../shared/composition.ts";
import { payFormPage, submitPayForm } from "../../shared/hosted/pay-form.ts";
import { apiHandler, HttpResponse, route } from "../../shared/http/api.ts";
import { cancelInvoiceCheckout } from "../../shared/invoices/pay.ts";
import { hostedQuote, hostedQuotePdf, quotePath } from "../../shared/quotes/hosted.ts";
import { quotePage, submitDecline, submitSignature } from "../../shared/quotes/hosted-page.ts";
import { payableFirstInvoice } from "../../shared/quotes/hosted-pay.ts";
import { quotePdfResponse, signedQuotePdfs } from "../../shared/quotes/pdf-response.ts";

const backToPage = (token: string) =>
  new HttpResponse(303, undefined, { location: quotePath(token), "cache-control": "no-store" }, { body: "" });

export const handler = apiHandler([
  route(ops.hostedQuotePage, async ({ clock, params, query }) => {
    // Back from Checkout by its cancel URL: close that session so the buyer can try again at once.
    if (query.canceled) {
      const { quote, merchant } = await hostedQuote(ports(clock), params.token);
      const invoice = await payableFirstInvoice(ports(clock), merchant.id, quote);
      if (invoice) await cancelInvoiceCheckout(paymentPorts(clock), merchant.id, invoice.id, query.canceled);
    }
    return quotePage(ports(clock), { token: params.token, clock }, query.done, query.paid === "1");
  }),
  route(ops.hostedQuotePdf, async ({ clock, params }) => {
    return quotePdfResponse(await hostedQuotePdf(ports(clock), params.token));
  }),
  route(ops.hostedQuoteSignedPdf, async ({ clock, params }) => {
    const { hostedSignedQuotePdf } = await signedQuotePdfs();
    return quotePdfResponse(await hostedSignedQuotePdf(ports(clock), params.token), true);
  }),
  route(ops.hostedQuoteSign, ({ clock, params, event }) =>
    submitSignature(ports(clock), { token: params.token, clock }, event),
  ),
  route(ops.hostedQuoteDecline, ({ clock, params, event }) =>
    submitDecline(ports(clock), { token: params.token, clock }, event),
  ),
  route(ops.hostedQuoteCountersignPage, ({ clock, params, query }) =>
    quotePage(ports(clock), { token: params.token, signerToken: params.signerToken, clock }, query.done),
  ),
  route(ops.hostedQuoteCountersign, ({ clock, params, event }) =>
    submitSignature(ports(clock), { token: params.token, signerToken: params.signerToken, clock }, event),
  ),
  route(ops.hostedQuotePayForm, async ({ clock, params }) => {
    const form = await quotePayForm(clock, params.token);
    return form ? payFormPage(form.payable, form.context) : backToPage(params.token);
  }),
  route(ops.hostedQuotePay, async ({ clock, params, event }) => {
    const form = await quotePayForm(clock, params.token);
    return form ? submitPayForm(form.payable, form.context, event) : backToPage(params.token);
  }),
]);
