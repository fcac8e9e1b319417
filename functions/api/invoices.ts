/** Invoices: drafts, lifecycle actions, manual payments and the PDF. */
import * as ops from "../../shared/api/invoices.ts";
import { invoiceListPorts, invoicePorts as ports, merchantPorts } from "../../shared/composition.ts";
import { apiHandler, route } from "../../shared/http/api.ts";
import { listResponse } from "../../shared/http/list.ts";
import { listInvoices } from "../../shared/invoices/list.ts";
import { invoicePdfResponse } from "../../shared/invoices/pdf-response.ts";
import * as invoices from "../../shared/invoices/service.ts";
import { getMerchant } from "../../shared/merchants/service.ts";

export const handler = apiHandler([
  route(ops.createInvoice, ({ principal, clock, body }) =>
    invoices.createInvoice(ports(clock), principal.merchantId, body),
  ),
  route(ops.listInvoices, (request) =>
    listResponse(request, (filters, page) =>
      listInvoices(invoiceListPorts(request.clock), request.principal.merchantId, filters, page),
    ),
  ),
  route(ops.getInvoice, ({ principal, clock, params }) =>
    invoices.getInvoice(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.updateInvoice, ({ principal, clock, params, body }) =>
    invoices.updateInvoice(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.deleteInvoice, ({ principal, clock, params }) =>
    invoices.deleteInvoice(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.finalizeInvoice, ({ principal, clock, params }) =>
    invoices.finalizeInvoice(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.sendInvoice, ({ principal, clock, params }) =>
    invoices.sendInvoice(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.voidInvoice, ({ principal, clock, params }) =>
    invoices.voidInvoice(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.markInvoiceUncollectible, ({ principal, clock, params }) =>
    invoices.markInvoiceUncollectible(ports(clock), principal.merchantId, params.id),
  ),
  route(ops.recordInvoicePayment, ({ principal, clock, params, body }) =>
    invoices.recordInvoicePayment(ports(clock), principal.merchantId, params.id, body),
  ),
  route(ops.getInvoicePdf, async ({ principal, clock, params }) => {
    const [invoice, merchant] = await Promise.all([
      invoices.getInvoice(ports(clock), principal.merchantId, params.id),
      getMerchant(merchantPorts(clock), principal.merchantId),
    ]);
    return invoicePdfResponse(invoice, merchant);
  }),
]);
