/** The buyer's invoice: its page, its PDF, and paying it through the hosted pay form. */
import * as ops from "../../shared/api/hosted-invoices.ts";
import {
  declinedCardAttempts,
  hostedInvoicePorts,
  keepPaidCard,
  paymentPorts,
  publicBaseUrl,
  workClock,
} from "../../shared/composition.ts";
import type { Clock } from "../../shared/domain/clock.ts";
import { payFormPage, submitPayForm } from "../../shared/hosted/pay-form.ts";
import { apiHandler, HttpResponse, route } from "../../shared/http/api.ts";
import { hostedInvoice, invoicePayable } from "../../shared/invoices/hosted.ts";
import { renderHostedInvoicePage } from "../../shared/invoices/hosted-page.ts";
import { cancelInvoiceCheckout } from "../../shared/invoices/pay.ts";
import { invoicePdfResponse } from "../../shared/invoices/pdf-response.ts";
import { processorKindOf } from "../../shared/payments/mode.ts";

const byToken = (clock: Clock, token: string) => hostedInvoice(hostedInvoicePorts(clock), token);

/** The invoice behind a pay-form request, as the form takes it. */
async function payForm(clock: Clock, token: string) {
  const { invoice, merchant } = await byToken(clock, token);
  return {
    // Paid on the customer's time: a test clock's customer's bank debit settles on the clock.
    payable: invoicePayable(
      invoice,
      merchant,
      paymentPorts(await workClock({ merchantId: merchant.id, testClockId: invoice.testClockId }, clock)),
      (customerId, card) => keepPaidCard(clock, merchant.id, customerId, card),
    ),
    context: {
      token,
      backUrl: `/i/${token}`,
      publicBaseUrl: publicBaseUrl(),
      clock,
      cardAttempts: declinedCardAttempts(clock, merchant.id, invoice.id),
    },
  };
}

export const handler = apiHandler([
  route(ops.hostedInvoicePage, async ({ clock, params, query }) => {
    const { invoice, merchant } = await byToken(clock, params.token);
    // Back from Checkout by its cancel URL: close that session so the buyer can try again at once.
    if (query.canceled)
      await cancelInvoiceCheckout(paymentPorts(clock), merchant.id, invoice.id, query.canceled);
    const page = renderHostedInvoicePage(
      invoice,
      merchant,
      {
        pdfUrl: `${params.token}/pdf`,
        ...(processorKindOf(merchant) ? { payUrl: `${params.token}/pay` } : {}),
      },
      clock.now(),
    );
    return new HttpResponse(200, undefined, page.headers, { body: page.html });
  }),
  route(ops.hostedInvoicePdf, async ({ clock, params }) => {
    const { invoice, merchant } = await byToken(clock, params.token);
    return invoicePdfResponse(invoice, merchant);
  }),
  route(ops.hostedInvoicePayForm, async ({ clock, params }) => {
    const { payable, context } = await payForm(clock, params.token);
    return payFormPage(payable, context);
  }),
  route(ops.hostedInvoicePay, async ({ clock, params, event }) => {
    const { payable, context } = await payForm(clock, params.token);
    return submitPayForm(payable, context, event);
  }),
]);
