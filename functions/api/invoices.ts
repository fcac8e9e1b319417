/** Invoices: drafts, lifecycle actions, manual payments and the PDF. */
import * as ops from "../../shared/api/invoices.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { pageRequest, pageResponse } from "../../shared/http/list.ts";
import { publicBaseUrl } from "../../shared/http/public-url.ts";
import { dynamoCatalog } from "../../shared/store/catalog.ts";
import { listInvoices } from "../../shared/invoices/list.ts";
import { invoicePdfResponse } from "../../shared/invoices/pdf-response.ts";
import * as invoices from "../../shared/invoices/service.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { dynamoInvoiceStore } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore } from "../../shared/store/merchants.ts";
import { dynamoPaymentStore } from "../../shared/store/payments.ts";
import { dynamoViewStore } from "../../shared/store/views.ts";
import { getMerchant } from "../../shared/merchants/service.ts";

const ports = (clock: Clock, event: APIGatewayProxyEventV2): invoices.InvoicePorts => ({
  invoices: dynamoInvoiceStore,
  merchants: dynamoMerchantStore,
  payments: dynamoPaymentStore,
  catalog: dynamoCatalog,
  clock,
  publicBaseUrl: publicBaseUrl(event),
});

export const handler = apiHandler([
  route(ops.createInvoice, ({ principal, clock, event, body }) =>
    invoices.createInvoice(ports(clock, event), principal.merchantId, body),
  ),
  route(ops.listInvoices, async (request) => {
    const { principal, clock, query } = request;
    const page = await listInvoices(
      { invoices: dynamoInvoiceStore, views: dynamoViewStore, clock },
      principal.merchantId,
      query,
      await pageRequest(request),
    );
    return pageResponse(request, page);
  }),
  route(ops.getInvoice, ({ principal, clock, event, params }) =>
    invoices.getInvoice(ports(clock, event), principal.merchantId, params.id),
  ),
  route(ops.updateInvoice, ({ principal, clock, event, params, body }) =>
    invoices.updateInvoice(ports(clock, event), principal.merchantId, params.id, body),
  ),
  route(ops.deleteInvoice, ({ principal, clock, event, params }) =>
    invoices.deleteInvoice(ports(clock, event), principal.merchantId, params.id),
  ),
  route(ops.finalizeInvoice, ({ principal, clock, event, params }) =>
    invoices.finalizeInvoice(ports(clock, event), principal.merchantId, params.id),
  ),
  route(ops.sendInvoice, ({ principal, clock, event, params }) =>
    invoices.sendInvoice(ports(clock, event), principal.merchantId, params.id),
  ),
  route(ops.voidInvoice, ({ principal, clock, event, params }) =>
    invoices.voidInvoice(ports(clock, event), principal.merchantId, params.id),
  ),
  route(ops.markInvoiceUncollectible, ({ principal, clock, event, params }) =>
    invoices.markInvoiceUncollectible(ports(clock, event), principal.merchantId, params.id),
  ),
  route(ops.recordInvoicePayment, ({ principal, clock, event, params, body }) =>
    invoices.recordInvoicePayment(ports(clock, event), principal.merchantId, params.id, body),
  ),
  route(ops.getInvoicePdf, async ({ principal, clock, event, params }) => {
    const p = ports(clock, event);
    const [invoice, merchant] = await Promise.all([
      invoices.getInvoice(p, principal.merchantId, params.id),
      getMerchant({ store: dynamoMerchantStore, clock }, principal.merchantId),
    ]);
    return invoicePdfResponse(invoice, merchant);
  }),
]);
