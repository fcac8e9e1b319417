/** The buyer's quote: its page, its PDF (and the signed one once accepted), signing (or accepting), declining, countersigning, and paying it once accepted. */
import * as ops from "../../shared/api/quotes.ts";
import {
  declinedCardAttempts,
  hostedQuotePorts as ports,
  keepQuoteCard,
  paymentPorts,
  publicBaseUrl,
  saveQuoteCard,
  workClock,
} from "../../shared/composition.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import { pdfResponse } from "../../shared/documents/response.ts";
import { payFormPage, submitPayForm } from "../../shared/hosted/pay-form.ts";
import { apiHandler, HttpResponse, route } from "../../shared/http/api.ts";
import { cancelInvoiceCheckout } from "../../shared/invoices/pay.ts";
import { hostedQuote, hostedQuotePdf } from "../../shared/quotes/hosted.ts";
import { quotePage, quotePath, submitDecline, submitSignature } from "../../shared/quotes/hosted-page.ts";
import {
  payableFirstInvoice,
  quoteCardSetup,
  quotePayable,
  savesCardOnly,
} from "../../shared/quotes/hosted-pay.ts";
import { hostedSignedQuotePdf } from "../../shared/quotes/signed-pdf.ts";

/**
 * What an accepted quote's pay form pays: its first invoice, or — recurring lines only — the card
 * its subscription is charged on; nothing: back to the page.
 */
async function payForm(clock: Clock, token: string) {
  const { quote, merchant, now } = await hostedQuote(ports(clock), token);
  const context = (payableId: string) => ({
    token,
    backUrl: quotePath(token),
    publicBaseUrl: publicBaseUrl(),
    clock,
    cardAttempts: declinedCardAttempts(clock, merchant.id, payableId),
  });
  if (savesCardOnly(quote)) {
    return {
      payable: quoteCardSetup(quote, merchant, (customerId, card) =>
        saveQuoteCard(clock, merchant.id, quote.id, customerId, card),
      ),
      context: context(quote.id),
    };
  }
  const invoice = await payableFirstInvoice(ports(clock), merchant.id, quote);
  if (!invoice) return undefined;
  return {
    // Paid on the customer's time: a test clock's customer's bank debit settles on the clock.
    payable: quotePayable(
      invoice,
      merchant,
      paymentPorts(await workClock({ merchantId: merchant.id, testClockId: invoice.testClockId }, clock)),
      (customerId, card) => keepQuoteCard(clock, merchant.id, quote.id, customerId, card),
      now,
    ),
    context: context(invoice.id),
  };
}

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
    const { quote, pdf } = await hostedQuotePdf(ports(clock), params.token);
    return pdfResponse(pdf, `${quote.number ?? quote.id}.pdf`);
  }),
  route(ops.hostedQuoteSignedPdf, async ({ clock, params }) => {
    const { quote, pdf } = await hostedSignedQuotePdf(ports(clock), params.token);
    return pdfResponse(pdf, `${quote.number ?? quote.id}-signed.pdf`);
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
    const form = await payForm(clock, params.token);
    return form ? payFormPage(form.payable, form.context) : backToPage(params.token);
  }),
  route(ops.hostedQuotePay, async ({ clock, params, event }) => {
    const form = await payForm(clock, params.token);
    return form ? submitPayForm(form.payable, form.context, event) : backToPage(params.token);
  }),
]);
