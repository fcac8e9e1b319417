/** Quote templates: create, list, get, update, delete. */
import * as ops from "../../shared/api/quote-templates.ts";
import { quoteTemplatePorts as ports } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import * as templates from "../../shared/quotes/templates.ts";

export const handler = apiHandler([
  route(ops.createQuoteTemplate, ({ principal, clock, body }) =>
    templates.createQuoteTemplate(ports(clock), principal.merchantId, body),
  ),
  route(ops.listQuoteTemplates, async (request) => {
    const { principal, clock } = request;
    const page = await templates.listQuoteTemplates(
      ports(clock),
      principal.merchantId,
      await pageRequest(request),
    );
    return pageResponse(request, page);
  }),
  route(ops.getQuoteTemplate, ({ principal, clock, params }) =>
    templates.getQuoteTemplate(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updateQuoteTemplate, ({ principal, clock, params, body }) =>
    templates.updateQuoteTemplate(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.deleteQuoteTemplate, ({ principal, clock, params }) =>
    templates.deleteQuoteTemplate(ports(clock), principal.merchantId, params.id),
  ),
]);
