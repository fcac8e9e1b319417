/** Quotes: drafts, publish, revise, cancel, offline acceptance, the published PDF and the signed one. */
import * as ops from "../../shared/api/quotes.ts";
import { quotePorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { listResponse } from "../../shared/http/list.ts";
import * as quotes from "../../shared/quotes/service.ts";
import { quotePdfResponse, signedQuotePdfs } from "../../shared/quotes/pdf-response.ts";

export const handler = apiHandler([
  route(ops.createQuote, ({ principal, clock, body }) =>
    quotes.createQuote(ports(clock), principal.merchantId, body),
  ),
  route(ops.listQuotes, (request) =>
    listResponse(request, (filters, page) =>
      quotes.listQuotes(ports(request.clock), request.principal.merchantId, filters, page),
    ),
  ),
  route(ops.getQuote, ({ principal, clock, params }) =>
    quotes.getQuote(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updateQuote, ({ principal, clock, params, body }) =>
    quotes.updateQuote(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.deleteQuote, ({ principal, clock, params }) =>
    quotes.deleteQuote(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.publishQuote, ({ principal, clock, params }) =>
    quotes.publishQuote(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.reviseQuote, ({ principal, clock, params }) =>
    quotes.reviseQuote(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.cancelQuote, ({ principal, clock, params }) =>
    quotes.cancelQuote(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.acceptQuote, ({ principal, clock, params, body }) =>
    quotes.acceptQuote(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.getQuotePdf, async ({ principal, clock, params }) => {
    return quotePdfResponse(await quotes.getQuotePdf(ports(clock), principal.merchantId, params.id));
  }),
  route(ops.getQuoteSignedPdf, async ({ principal, clock, params }) => {
    const { getSignedQuotePdf } = await signedQuotePdfs();
    return quotePdfResponse(await getSignedQuotePdf(ports(clock), principal.merchantId, params.id), true);
  }),
]);
