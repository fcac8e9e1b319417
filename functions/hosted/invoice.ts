/** The buyer's invoice: its page, its PDF, and paying it (sandbox card page or Stripe Checkout). */
import * as ops from "../../shared/api/invoices.ts";
import { getSecret } from "../../shared/aws/secrets.ts";
import { PaymentDeclinedError } from "../../shared/domain/errors.ts";
import { apiHandler, HttpResponse, route } from "../../shared/http/api.ts";
import { publicBaseUrl } from "../../shared/http/public-url.ts";
import { hostedInvoice } from "../../shared/invoices/hosted.ts";
import { invoicePdfResponse } from "../../shared/invoices/pdf-response.ts";
import { renderHostedInvoicePage } from "../../shared/invoices/hosted-page.ts";
import { processorKindOf, requireProcessorKind } from "../../shared/payments/mode.ts";
import { checkFormToken, formToken, renderSandboxPayPage } from "../../shared/payments/sandbox-page.ts";
import { checkoutInvoice, payInvoice } from "../../shared/payments/service.ts";
import { paymentPorts } from "../../shared/payments/wiring.ts";
import { dynamoInvoiceStore as invoices } from "../../shared/store/invoices.ts";
import { dynamoMerchantStore as merchants } from "../../shared/store/merchants.ts";

const redirect = (location: string) =>
  new HttpResponse(303, undefined, { location, "cache-control": "no-store" }, { body: "" });
const payable = (invoice: { status: string; amountRemaining: number }) =>
  (invoice.status === "open" || invoice.status === "uncollectible") && invoice.amountRemaining > 0;
const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

export const handler = apiHandler([
  route(ops.hostedInvoicePage, async ({ clock, params }) => {
    const { invoice, merchant } = await hostedInvoice({ invoices, merchants, clock }, params.token);
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
    const { invoice, merchant } = await hostedInvoice({ invoices, merchants, clock }, params.token);
    return invoicePdfResponse(invoice, merchant);
  }),
  route(ops.hostedInvoicePayForm, async ({ clock, params, event }) => {
    const { invoice, merchant } = await hostedInvoice({ invoices, merchants, clock }, params.token);
    const back = `/i/${params.token}`;
    if (!payable(invoice)) return redirect(back);
    if (requireProcessorKind(merchant) === "stripe") {
      const base = publicBaseUrl(event);
      const session = await checkoutInvoice(paymentPorts(clock), merchant.id, invoice.id, {
        successUrl: `${base}${back}?paid=1`,
        cancelUrl: `${base}${back}`,
      });
      return redirect(session.url);
    }
    const page = renderSandboxPayPage({
      merchantName: merchant.name,
      invoiceNumber: invoice.number ?? invoice.id,
      amountDue: invoice.amountRemaining,
      currency: invoice.currency,
      formToken: formToken(await getSecret("cursorSecret"), params.token, seconds(clock.now())),
      backUrl: back,
    });
    return new HttpResponse(200, undefined, page.headers, { body: page.html });
  }),
  route(ops.hostedInvoicePay, async ({ clock, params, event }) => {
    const { invoice, merchant } = await hostedInvoice({ invoices, merchants, clock }, params.token);
    const back = `/i/${params.token}`;
    const raw = event.isBase64Encoded
      ? Buffer.from(event.body ?? "", "base64").toString("utf8")
      : (event.body ?? "");
    const form = new URLSearchParams(raw);
    const secret = await getSecret("cursorSecret");
    const render = (status: number, error: string) => {
      const page = renderSandboxPayPage({
        merchantName: merchant.name,
        invoiceNumber: invoice.number ?? invoice.id,
        amountDue: invoice.amountRemaining,
        currency: invoice.currency,
        formToken: formToken(secret, params.token, seconds(clock.now())),
        backUrl: back,
        error,
      });
      return new HttpResponse(status, undefined, page.headers, { body: page.html });
    };
    if (!checkFormToken(secret, params.token, form.get("formToken") ?? "", seconds(clock.now()))) {
      return render(403, "This form has expired. Please try again.");
    }
    if (!payable(invoice) || merchant.processor === "stripe") return redirect(back);
    const card = (form.get("card") ?? "").replace(/[\s-]+/g, "");
    if (!/^[0-9]{8,19}$|^pm_[A-Za-z0-9_]+$/.test(card)) return render(400, "Enter a card number.");
    try {
      await payInvoice(paymentPorts(clock), merchant.id, invoice.id, card);
      return redirect(`${back}?paid=1`);
    } catch (error) {
      if (error instanceof PaymentDeclinedError)
        return render(402, `Your card was declined (${error.declineCode}). Try another card.`);
      throw error;
    }
  }),
]);
