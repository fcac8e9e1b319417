/** The buyer's quote: its page, its PDF (and the signed one once accepted), signing (or accepting), declining, and countersigning. */
import * as ops from "../../shared/api/quotes.ts";
import { hostedQuotePorts as ports } from "../../shared/composition.ts";
import { pdfResponse } from "../../shared/documents/response.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { hostedQuotePdf } from "../../shared/quotes/hosted.ts";
import { quotePage, submitDecline, submitSignature } from "../../shared/quotes/hosted-page.ts";
import { hostedSignedQuotePdf } from "../../shared/quotes/signed-pdf.ts";

export const handler = apiHandler([
  route(ops.hostedQuotePage, ({ clock, params, query }) =>
    quotePage(ports(clock), { token: params.token, clock }, query.done),
  ),
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
]);
